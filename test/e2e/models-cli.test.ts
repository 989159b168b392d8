/**
 * `hark models` as a user runs it, in a child process with its own data
 * directory. Downloads themselves are tested against a local server in
 * src/services/speech-models/model-pull.test.ts; here, what people see.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { MODEL_CATALOGUE } from '../../src/services/speech-models/model-catalogue.js';

const HARK_CLI = fileURLToPath(new URL('../../src/cli/hark.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const dataDir = mkdtempSync(join(tmpdir(), 'hark-models-cli-'));

async function hark(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(SONIOX|HARK)_/.test(name)));
  const child = spawn(process.execPath, [HARK_CLI, 'models', ...args], { env: { ...base, HARK_DATA_DIR: dataDir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

after(() => rmSync(dataDir, { recursive: true, force: true }));

describe('hark models', () => {
  it('lists the catalogue with family, languages, size and how each archive is checked', async () => {
    const { code, stdout } = await hark(['list']);
    assert.equal(code, 0);
    const lines = stdout.trim().split('\n');
    assert.match(lines[0]!, /^ID\s+STATE\s+FAMILY\s+LANGUAGES\s+SIZE\s+CHECK$/);
    assert.equal(lines.length, MODEL_CATALOGUE.length + 1);
    assert.match(stdout, /^whisper-tiny-en\s+whisper\s+en\s+\S+ MB\s+sha256$/m);
    assert.match(stdout, /^zipformer-en-streaming\s+zipformer-transducer-streaming\s+en\s+\S+ MB\s+size only$/m);
  });

  it('shows a model copied in by hand as installed', async () => {
    const dir = join(dataDir, 'models', 'my-model');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'hark-model.json'), JSON.stringify({ id: 'my-model', family: 'whisper', languages: ['de'] }));
    const { stdout } = await hark(['list']);
    assert.match(stdout, /^my-model\s+installed\s+whisper\s+de\s+\d+ B\s+copied in$/m);
    const json = JSON.parse((await hark(['list', '--json'])).stdout) as { installed: { id: string }[] };
    assert.deepEqual(json.installed.map((m) => m.id), ['my-model']);
    assert.equal((await hark(['remove', 'my-model'])).code, 0);
    const again = await hark(['remove', 'my-model']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^hark: my-model is not installed/);
  });

  it('with no route out, says so and how to copy the model in by hand', async () => {
    const { code, stderr } = await hark(['pull', 'whisper-tiny-en'], { HARK_MODEL_MIRROR: 'http://mirror.hark-test.invalid/asr-models' });
    assert.equal(code, 1);
    assert.match(stderr, /hark: Cannot reach mirror\.hark-test\.invalid \((ENOTFOUND|EAI_AGAIN)\)/);
    assert.match(stderr, /download http:\/\/mirror\.hark-test\.invalid\/asr-models\/sherpa-onnx-whisper-tiny\.en\.tar\.bz2/);
    assert.match(stderr, /sha256 is 2bd6cf965c8bb3e068ef9fa2191387ee63a9dfa2a4e37582a8109641c20005dd/);
    assert.match(stderr, /hark models pull whisper-tiny-en --archive <file>/);
  });

  it('checks an archive copied in by hand before unpacking anything', async () => {
    const archive = join(dataDir, 'wrong.tar.bz2');
    writeFileSync(archive, 'not the archive');
    const { code, stderr } = await hark(['pull', 'whisper-tiny-en', '--archive', archive]);
    assert.equal(code, 1);
    assert.match(stderr, /hark: sherpa-onnx-whisper-tiny\.en\.tar\.bz2 is 15 bytes, expected 118071777\./);
  });

  it('remove also deletes the partial archive of an interrupted pull', async () => {
    const partial = join(dataDir, 'models', '.partial', 'sherpa-onnx-moonshine-tiny-en-int8.tar.bz2.part');
    mkdirSync(join(dataDir, 'models', '.partial'), { recursive: true });
    writeFileSync(partial, 'half an archive');
    const { code, stderr } = await hark(['remove', 'moonshine-tiny-en']);
    assert.equal(code, 0);
    assert.equal(stderr, 'Removed the partial download of moonshine-tiny-en\n');
    assert.equal(existsSync(partial), false);
  });

  it('refuses unknown models and malformed mirrors', async () => {
    const unknown = await hark(['pull', 'whisper-huge']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown model: whisper-huge\. The catalogue has: zipformer-en-streaming,/);
    const mirror = await hark(['pull', 'whisper-tiny-en'], { HARK_MODEL_MIRROR: 'ftp://x' });
    assert.equal(mirror.code, 1);
    assert.match(mirror.stderr, /HARK_MODEL_MIRROR must be an http\(s\) URL/);
  });
});
