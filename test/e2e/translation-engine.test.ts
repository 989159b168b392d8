/**
 * Where translation comes from: the APy the server supervises (restarted when
 * it dies), an external APy given by HARK_APERTIUM_URL, or none at all (the
 * server runs, and refuses translation as documented).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import WebSocket from 'ws';
import { ApyServer } from '../../src/pipeline/translation/apertium/apy-server.js';
import { api, startHark, type HarkProcess } from '../support/hark-process.js';
import { librivoxUtterances } from '../support/librivox.js';

const ONE_WAY_ES = { type: 'one_way', target_language: 'es' } as const;

/** Transcribes one LibriVox sentence; returns the transcript's tokens. */
async function transcribe(hark: HarkProcess, options: Record<string, unknown>) {
  const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
  const transcription = await client.stt.transcribe({
    model: 'stt-async-v4',
    file: await readFile(librivoxUtterances()[1]!.wavPath),
    filename: 'young-man.wav',
    wait: true,
    wait_options: { interval_ms: 500, timeout_ms: 120_000 },
    ...options,
  });
  assert.equal(transcription.status, 'completed', transcription.error_message ?? '');
  return (await transcription.getTranscript())!.tokens;
}

/** The first frame the WebSocket answers a start message with. */
async function startAnswer(hark: HarkProcess, fields: Record<string, unknown>): Promise<unknown> {
  const socket = new WebSocket(hark.wsUrl);
  await once(socket, 'open');
  socket.send(JSON.stringify({ api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'auto', ...fields }));
  const [data] = (await once(socket, 'message')) as [Buffer];
  socket.close();
  return JSON.parse(data.toString());
}

/** Pids of the processes `pid` started, as the kernel lists them. */
async function childrenOf(pid: number): Promise<number[]> {
  const list = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
  return list.split(' ').filter(Boolean).map(Number);
}

describe('the APy the server supervises', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark({ HARK_WORKERS: '1' });
  });
  after(() => hark.dispose());

  test('is named at start, and replaced when it dies', async () => {
    assert.match(hark.output(), /Translation: Apertium, .*en→es/);
    let apyPid: number | undefined;
    for (const pid of await childrenOf(hark.child.pid!)) {
      if ((await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('apertium_apy')) apyPid = pid;
    }
    assert.ok(apyPid, 'the server runs one APy');
    process.kill(apyPid, 'SIGKILL');
    const tokens = await transcribe(hark, { translation: ONE_WAY_ES });
    assert.ok(tokens.some((t) => t.translation_status === 'translation'), 'translated by the new APy');
    assert.match(hark.output(), /Apertium APy died; restarting it/);
  });
});

describe('an external APy (HARK_APERTIUM_URL)', () => {
  let apy: ApyServer;
  let hark: HarkProcess;
  before(async () => {
    apy = new ApyServer({ pairsDir: '/usr/share/apertium/modes' });
    hark = await startHark({ HARK_WORKERS: '1', HARK_APERTIUM_URL: `${await apy.start()}/` });
  });
  after(async () => {
    await hark.dispose();
    await apy.close();
  });

  test('is used instead of one of its own', async () => {
    for (const pid of await childrenOf(hark.child.pid!)) {
      assert.doesNotMatch(await readFile(`/proc/${pid}/cmdline`, 'utf8'), /apertium_apy/);
    }
    const models = (await api(hark, 'GET', '/v1/models')).body.models;
    assert.deepEqual(models[0].two_way_translation_pairs, ['en:es']);
    const tokens = await transcribe(hark, { translation: ONE_WAY_ES });
    assert.ok(tokens.some((t) => t.translation_status === 'translation' && t.language === 'es'));
  });
});

describe('no translation engine (APy unreachable)', () => {
  let hark: HarkProcess;
  before(async () => {
    // Nothing listens on port 1.
    hark = await startHark({ HARK_WORKERS: '1', HARK_APERTIUM_URL: 'http://127.0.0.1:1' });
  });
  after(() => hark.dispose());

  test('the server runs and says translation is unavailable', async () => {
    assert.match(hark.output(), /Translation: unavailable \(Apertium APy is unreachable/);
    for (const model of (await api(hark, 'GET', '/v1/models')).body.models) {
      assert.deepEqual(model.translation_targets, []);
      assert.deepEqual(model.two_way_translation_pairs, []);
      assert.equal(model.one_way_translation, null);
      assert.equal(model.two_way_translation, null);
    }
  });

  test('REST and WebSocket refuse translation with "Model does not support translations."', async () => {
    const response = await api(hark, 'POST', '/v1/transcriptions', {
      body: { model: 'stt-async-v4', audio_url: 'https://example.com/a.wav', translation: ONE_WAY_ES },
    });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body.validation_errors, [
      { error_type: 'value_error', location: 'body.payload.translation', message: 'Model does not support translations.' },
    ]);
    assert.deepEqual(await startAnswer(hark, { translation: ONE_WAY_ES }), {
      tokens: [],
      error_code: 400,
      error_message: 'Model does not support translations.',
    });
  });

  test('language identification still works', async () => {
    const tokens = await transcribe(hark, { enable_language_identification: true });
    assert.ok(tokens.length > 0 && tokens.every((t) => t.language === 'en'));
  });
});
