/**
 * Loads a model once in a throw-away child process before any worker does.
 * sherpa-onnx does not return some load errors: a corrupt .onnx file aborts
 * the process (an uncaught Ort::Exception), a tokens.txt without a blank
 * symbol calls exit(). In a child, that becomes an error Hark can report,
 * with the library's own last words, instead of workers dying one by one.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SherpaModel } from './model-files.js';

const CHILD = fileURLToPath(new URL('./load-probe-child.js', import.meta.url));

/** A model the runtime refused; the message quotes sherpa-onnx. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

/**
 * Resolves once `model` loads in a child process.
 * @throws ModelLoadError when the child fails, with the library's message.
 */
export function probeSherpaModel(model: SherpaModel, timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HARK_PROBE_MODEL: JSON.stringify(model) } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new ModelLoadError(`Cannot start a process to load ${model.dir}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      // sherpa's messages are prefixed by its source location; keep the last meaningful lines.
      const said = stderr
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('at ') && !line.startsWith('node:'))
        .slice(-3)
        .join(' ');
      const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
      reject(new ModelLoadError(`sherpa-onnx could not load the model in ${model.dir} (the loader ${how})${said ? `: ${said}` : ''}`));
    });
  });
}
