/** Child of load-probe.ts: loads the model named in HARK_PROBE_MODEL and exits 0, or dies trying. */
import { SherpaOnnxEngine } from './sherpa-onnx-engine.js';
import type { SherpaModel } from './model-files.js';

try {
  const model = JSON.parse(process.env.HARK_PROBE_MODEL ?? 'null') as SherpaModel | null;
  if (model === null) throw new Error('HARK_PROBE_MODEL is not set');
  new SherpaOnnxEngine(model).close();
} catch (err) {
  // Errors thrown in JavaScript (a missing file): just the message. Native ones never get here.
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
