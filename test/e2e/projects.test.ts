/**
 * Projects end to end, through the official Node SDK: keys created with the
 * CLI on a running server's data dir, what one project's key may see of
 * another's, per-project limits, and the usage and concurrency endpoints
 * fed by a real async transcription and a real live session.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { api, startHark, waitFor, type HarkProcess } from '../support/hark-process.js';
import { slices } from '../support/realtime-client.js';
import { encode, speechPcm } from '../support/speech-audio.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= (await import('ws')).WebSocket;

const HARK_CLI = fileURLToPath(new URL('../../src/cli/hark.js', import.meta.url));
const run = promisify(execFile);

async function cli(dataDir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [HARK_CLI, ...args, '--data-dir', dataDir]);
  return stdout.trim();
}

const hour = (ms: number) => new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString();

describe('projects', () => {
  let hark: HarkProcess;
  let work: string;
  let wav: Buffer;
  let main: SonioxNodeClient;
  let team: SonioxNodeClient;
  let teamKey: string;
  const window = () => ({ start_time: hour(Date.now() - 3_600_000), end_time: hour(Date.now() + 7_200_000) });

  before(async () => {
    hark = await startHark({ HARK_REALTIME_IDLE_TIMEOUT_MS: '5000' });
    work = await mkdtemp(join(tmpdir(), 'hark-projects-'));
    wav = await readFile(encode(work, speechPcm([1]), 'speech.wav'));
    // Created while the server runs: keys are looked up per request.
    await cli(hark.dataDir, 'projects', 'create', 'team', '--max-files', '1', '--max-concurrent-sessions', '1');
    teamKey = await cli(hark.dataDir, 'keys', 'create', '--project', 'team', '--name', 'ci');
    main = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
    team = new SonioxNodeClient({ api_key: teamKey, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
  });
  after(async () => {
    await hark.dispose();
    await rm(work, { recursive: true, force: true });
  });

  test("a key never sees another project's files or transcriptions: 404 as for an unknown id", async () => {
    const file = await main.files.upload(wav, { filename: 'main.wav' });
    const transcription = await main.stt.create({ model: 'stt-async-v4', file_id: file.id });
    assert.equal(await team.files.get(file.id), null);
    assert.equal(await team.stt.get(transcription.id), null);
    assert.deepEqual((await team.files.list()).files, []);
    assert.deepEqual((await team.stt.list()).transcriptions, []);
    for (const [method, path, type] of [
      ['GET', `/v1/files/${file.id}`, 'file_not_found'],
      ['DELETE', `/v1/files/${file.id}`, 'file_not_found'],
      ['GET', `/v1/files/${file.id}/url`, 'file_not_found'],
      ['GET', `/v1/transcriptions/${transcription.id}`, 'transcription_not_found'],
      ['GET', `/v1/transcriptions/${transcription.id}/transcript`, 'transcription_not_found'],
      ['DELETE', `/v1/transcriptions/${transcription.id}`, 'transcription_not_found'],
    ] as const) {
      const res = await api({ ...hark, apiKey: teamKey }, method, path);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.error_type, type);
    }
    const borrowed = await api({ ...hark, apiKey: teamKey }, 'POST', '/v1/transcriptions', {
      body: { model: 'stt-async-v4', file_id: file.id },
    });
    assert.equal(borrowed.status, 404);
    assert.equal(borrowed.body.error_type, 'file_not_found');
    assert.equal((await api(hark, 'GET', `/v1/files/${file.id}`)).status, 200);
    assert.equal((await api({ ...hark, apiKey: teamKey }, 'GET', '/v1/files/count')).body.total, 0);
  });

  test("a project's own quota applies, in Soniox's words; the other project's is untouched", async () => {
    const first = await team.files.upload(wav, { filename: 'one.wav' });
    const second = await api({ ...hark, apiKey: teamKey }, 'GET', '/v1/files');
    assert.deepEqual(second.body.files.map((f: { id: string }) => f.id), [first.id]);
    await assert.rejects(team.files.upload(wav, { filename: 'two.wav' }), (err: Error & { bodyText?: string }) => {
      assert.match(err.bodyText ?? err.message, /Exceeded maximum number of files \(maximum is 1\)\. Delete files to upload more\./);
      return true;
    });
    await main.files.upload(wav, { filename: 'more.wav' });
    await team.files.delete(first.id);
  });

  test('a revoked key is refused at once', async () => {
    const spare = await cli(hark.dataDir, 'keys', 'create', '--project', 'team');
    assert.equal((await api({ ...hark, apiKey: spare }, 'GET', '/v1/files')).status, 200);
    const list = JSON.parse(await cli(hark.dataDir, 'keys', 'list', '--project', 'team', '--json')) as { id: string; hint: string }[];
    const id = list.find((k) => spare.startsWith(k.hint))!.id;
    await cli(hark.dataDir, 'keys', 'revoke', id);
    const refused = await api({ ...hark, apiKey: spare }, 'GET', '/v1/files');
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error_type, 'unauthenticated');
  });

  test('an async transcription writes a usage record that usageLogs.list and getSummary read, in its project only', async () => {
    const done = await main.stt.transcribe({
      model: 'stt-async-v4',
      file: wav,
      filename: 'speech.wav',
      enable_speaker_diarization: true,
      client_reference_id: 'order-7',
      wait: true,
      wait_options: { interval_ms: 500, timeout_ms: 300_000 },
    });
    assert.equal(done.status, 'completed');
    const logs = await main.usageLogs.list(window());
    const log = logs.usage_logs.find((l) => l.client_reference_id === 'order-7');
    assert.ok(log, JSON.stringify(logs.usage_logs));
    assert.equal(log.model, 'stt-async-v4');
    assert.equal(log.input_audio_duration_ms, done.audio_duration_ms);
    assert.ok(Date.parse(log.end_time) >= Date.parse(log.start_time));
    assert.equal(log.cost_usd, '0');
    const extra = log as unknown as Record<string, unknown>;
    assert.deepEqual([extra.hark_kind, extra.hark_status, extra.hark_transcription_id], ['async', 'completed', done.id]);
    assert.deepEqual(extra.hark_features, { speaker_diarization: true, language_identification: false, translation: false });

    const summary = await main.usageLogs.getSummary(window());
    const model = summary.models.find((m) => m.model === 'stt-async-v4')!;
    assert.ok(model.total_num_requests >= 1);
    assert.ok(model.total_input_audio_duration_ms >= done.audio_duration_ms!);
    assert.equal(summary.total.model, null);
    assert.equal(model.days.length, summary.total.days.length);
    assert.equal(model.num_requests.reduce((a, b) => a + b, 0), model.total_num_requests);

    assert.equal((await team.usageLogs.list(window())).usage_logs.some((l) => l.uuid === log.uuid), false);

    // `hark usage` reads the same through the SDK.
    const connection = ['--api-key', hark.apiKey, '--base-url', hark.baseUrl];
    const printed = (await run(process.execPath, [HARK_CLI, 'usage', ...connection])).stdout;
    assert.match(printed, new RegExp(`^stt-async-v4\\s+${model.total_num_requests}\\s+\\d+\\.\\d min$`, 'm'));
    const lines = (await run(process.execPath, [HARK_CLI, 'usage', '--logs', ...connection])).stdout;
    assert.match(lines, /stt-async-v4 .*order-7/);
  });

  test("a live session with a project's temporary key: counted in concurrency while open, then in usage and history", async () => {
    const temp = await team.auth.createTemporaryKey({
      usage_type: 'transcribe_websocket',
      expires_in_seconds: 60,
      client_reference_id: 'browser-3',
    });
    const live = new SonioxNodeClient({ api_key: temp.api_key, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
    const session = live.realtime.stt({ model: 'stt-rt-v4', audio_format: 'auto' });
    await session.connect();
    const chunks = slices(wav, 8192);
    session.sendAudio(chunks[0]!);
    const during = await waitFor(async () => {
      const c = await team.concurrencyLimits.get();
      return c.project.current.transcribe_concurrent === 1 ? c : null;
    }, 30_000);
    assert.deepEqual(during.project.limits, { transcribe_concurrent: 1, tts_concurrent: 0 });
    assert.ok(during.organization.current.transcribe_concurrent >= 1);
    assert.equal(during.organization.limits.transcribe_concurrent, 10);
    assert.equal((await main.concurrencyLimits.get()).project.current.transcribe_concurrent, 0);
    // The project's one session is taken: the next is refused in Soniox's words, and does not count.
    const second = team.realtime.stt({ model: 'stt-rt-v4', audio_format: 'auto' });
    await assert.rejects(
      (async () => {
        await second.connect();
        second.sendAudio(chunks[0]!);
        await second.finish();
      })(),
      /Your project has exceeded max number of concurrent requests\./,
    );
    for (const chunk of chunks.slice(1)) session.sendAudio(chunk);
    await session.finish();

    const record = await waitFor(async () => {
      const logs = await team.usageLogs.list({ ...window(), sort: 'end_time_desc' });
      const found = logs.usage_logs.find((l) => (l as unknown as Record<string, unknown>).hark_kind === 'real_time');
      return found && (found as unknown as Record<string, unknown>).hark_status === 'completed' ? found : null;
    }, 30_000);
    const extra = record as unknown as Record<string, unknown>;
    assert.equal(record.model, 'stt-rt-v4');
    assert.equal(record.client_reference_id, 'browser-3');
    assert.equal(extra.hark_temporary_key, true);
    assert.equal(extra.hark_temporary_key_client_reference_id, 'browser-3');
    const audioMs = (wav.length - 44) / 32;
    assert.ok(Math.abs(record.input_audio_duration_ms - audioMs) < 100, `${record.input_audio_duration_ms} vs ${audioMs}`);

    const history = await team.concurrencyLimits.getHistory({ ...window(), period_sec: 60, kind: 'stt' });
    assert.equal(history.kind, 'stt');
    assert.equal(history.entries.length, 180);
    assert.ok(history.entries.some((e) => e.sample_max === 1 && e.sample_count > 0 && e.total_count === 1));
    assert.ok(history.entries.every((e) => e.sample_min === 0 && e.period_sec === 60));
    const hourly = await team.concurrencyLimits.getHistory({ ...window(), period_sec: 3600, kind: 'stt' });
    assert.equal(hourly.entries.length, 3);
    assert.equal(Math.max(...hourly.entries.map((e) => e.sample_max)), 1);
    assert.equal((await main.concurrencyLimits.getHistory({ ...window(), period_sec: 3600, kind: 'stt' })).entries.every((e) => e.sample_max === 0), true);
  });

  test('the usage endpoints refuse a malformed window and a foreign cursor with documented errors', async () => {
    const missing = await api(hark, 'GET', '/v1/usage-logs');
    assert.equal(missing.status, 400);
    assert.deepEqual(
      missing.body.validation_errors.map((e: { location: string }) => e.location).sort(),
      ['query.end_time', 'query.start_time'],
    );
    const backwards = await api(hark, 'GET', '/v1/usage/summary?start_time=2026-05-02T00:00:00Z&end_time=2026-05-01T00:00:00Z');
    assert.equal(backwards.status, 400);
    assert.equal(backwards.body.error_type, 'invalid_request');
    const cursor = await api(hark, 'GET', '/v1/usage-logs?start_time=2026-05-01T00:00:00Z&end_time=2026-05-02T00:00:00Z&cursor=ZmlsZXM6MQ');
    assert.equal(cursor.status, 400);
    assert.equal(cursor.body.error_type, 'invalid_cursor');
    const period = await api(hark, 'GET', '/v1/concurrent-streams-history?start_time=2026-05-01T00:00:00Z&end_time=2026-05-02T00:00:00Z&period_sec=61&kind=stt');
    assert.equal(period.status, 400);
    const tooLong = await api(hark, 'GET', '/v1/concurrent-streams-history?start_time=2026-01-01T00:00:00Z&end_time=2026-05-01T00:00:00Z&period_sec=60&kind=stt');
    assert.equal(tooLong.status, 400);
    assert.equal((await api({ ...hark, apiKey: 'nope' }, 'GET', '/v1/concurrency-limits')).status, 401);
  });
});

describe('usage survives a crash', () => {
  test('a live session cut short by a crash is recorded with what it used, as interrupted', async () => {
    const work = await mkdtemp(join(tmpdir(), 'hark-usage-crash-'));
    let hark = await startHark({ HARK_REALTIME_IDLE_TIMEOUT_MS: '20000' });
    try {
      const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
      const pcm = speechPcm([1, 2]);
      const wav = await readFile(encode(work, pcm, 'speech.wav'));
      const session = client.realtime.stt({ model: 'stt-rt-v4', audio_format: 'auto', client_reference_id: 'cut-short' });
      session.on('error', () => {});
      await session.connect();
      const chunks = slices(wav, 8192);
      // Most of the audio, then nothing more: the session is open when the process dies.
      for (const chunk of chunks.slice(0, Math.floor(chunks.length * 0.8))) session.sendAudio(chunk);
      const window = { start_time: hour(Date.now() - 3_600_000), end_time: hour(Date.now() + 7_200_000) };
      const progressed = await waitFor(async () => {
        const logs = await client.usageLogs.list(window);
        const found = logs.usage_logs.find((l) => l.client_reference_id === 'cut-short');
        return found && found.input_audio_duration_ms > 0 ? found : null;
      }, 120_000, 500);
      assert.equal((progressed as unknown as Record<string, unknown>).hark_status, 'running');
      await hark.crash();
      hark = await startHark({}, hark.dataDir);
      const after = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
      const logs = await after.usageLogs.list(window);
      const record = logs.usage_logs.find((l) => l.uuid === progressed.uuid)!;
      assert.equal((record as unknown as Record<string, unknown>).hark_status, 'interrupted');
      assert.ok(record.input_audio_duration_ms >= progressed.input_audio_duration_ms);
      assert.ok(record.input_audio_duration_ms <= pcm.length / 32);
    } finally {
      await hark.dispose();
      await rm(hark.dataDir, { recursive: true, force: true });
      await rm(work, { recursive: true, force: true });
    }
  });
});
