import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { wordErrorRate } from '../../src/lib/wer.js';
import { librivoxUtterances } from '../support/librivox.js';
import { rawEngineTranscribe } from '../support/raw-engine.js';
import { api, startHark, waitFor, type HarkProcess } from '../support/hark-process.js';

/** Duration of a 16 kHz mono s16 wav with the canonical 44-byte header. */
function wavDurationMs(path: string): number {
  return Math.round(((statSync(path).size - 44) / 32_000) * 1000);
}

/** The raw engine's transcript of each recording, decoded once for all tests. */
const rawTranscripts = new Map<string, Promise<string>>();
const rawTranscript = (wavPath: string) => {
  if (!rawTranscripts.has(wavPath)) rawTranscripts.set(wavPath, rawEngineTranscribe(wavPath));
  return rawTranscripts.get(wavPath)!;
};

describe('async transcription of real speech through the official SDK', () => {
  let hark: HarkProcess;
  let client: SonioxNodeClient;
  let work: string;

  before(async () => {
    hark = await startHark();
    client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
    work = await mkdtemp(join(tmpdir(), 'hark-audio-'));
  });
  after(async () => {
    await hark.dispose();
    await rm(work, { recursive: true, force: true });
  });

  test('LibriVox utterances: upload → create → wait → transcript, WER within 2 points of the raw engine', async () => {
    const utterances = librivoxUtterances();
    // All at once: the server's workers share them, and the raw engine runs meanwhile.
    const [ours, raw] = await Promise.all([
      Promise.all(utterances.map(async (u) => {
        const transcription = await client.stt.transcribe({
          model: 'stt-async-v4',
          file: await readFile(u.wavPath),
          filename: `${u.id}.wav`,
          wait: true,
          wait_options: { interval_ms: 1000, timeout_ms: 300_000 },
        });
        assert.equal(transcription.status, 'completed');
        assert.equal(transcription.filename, `${u.id}.wav`);
        assert.ok(Math.abs(transcription.audio_duration_ms! - wavDurationMs(u.wavPath)) <= 50, `${transcription.audio_duration_ms} vs ${wavDurationMs(u.wavPath)}`);
        const transcript = await transcription.getTranscript();
        assert.ok(transcript);
        assert.equal(transcript.text, transcript.tokens.map((t) => t.text).join(''));
        assert.match(transcript.text, /^[A-Z]/, 'sentence case');
        let previousStart = 0;
        for (const token of transcript.tokens) {
          const start = token.start_ms!;
          const end = token.end_ms!;
          assert.ok(token.confidence >= 0 && token.confidence <= 1);
          assert.ok(start >= previousStart && end >= start, JSON.stringify(token));
          assert.ok(end <= wavDurationMs(u.wavPath) + 50);
          previousStart = start;
        }
        return transcript.text;
      })),
      Promise.all(utterances.map((u) => rawTranscript(u.wavPath))),
    ]);
    const references = utterances.map((u) => u.reference);
    const oursWer = wordErrorRate(references.join(' '), ours.join(' '));
    const rawWer = wordErrorRate(references.join(' '), raw.join(' '));
    console.log(`WER over ${utterances.length} LibriVox utterances: Hark ${(oursWer * 100).toFixed(1)}%, raw PocketSphinx ${(rawWer * 100).toFixed(1)}%`);
    assert.ok(oursWer <= rawWer + 0.02, `Hark WER ${oursWer} vs raw ${rawWer}`);
    assert.ok(oursWer < 0.5, 'the transcripts resemble the speech');
  });

  test('every container format decodes to the same words; audio_url sources are downloaded', async () => {
    // The shortest recording (3 s, eight words): nine formats of it cost what three of a long one would.
    const u = librivoxUtterances()[1]!;
    const formats = ['mp3', 'ogg', 'flac', 'm4a', 'webm', 'aiff', 'aac', 'mp4', 'asf'];
    const files: Record<string, string> = {};
    for (const ext of formats) {
      files[ext] = join(work, `utt.${ext}`);
      execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', u.wavPath, files[ext]!]);
    }
    const server = createServer((req, res) => {
      const ext = new URL(req.url ?? '/', 'http://x').pathname.split('.').pop() ?? '';
      if (!files[ext]) {
        res.statusCode = 404;
        return res.end('missing');
      }
      res.setHeader('content-type', 'application/octet-stream');
      createReadStream(files[ext]!).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const wavWords = (await rawTranscript(u.wavPath)).split(/\s+/).length;
      const created = await Promise.all(
        formats.map((ext, i) =>
          i % 2 === 0
            ? client.stt.create({ model: 'stt-async-v3', audio_url: `${base}/audio/speech.${ext}?token=1` })
            : client.files
                .upload(createReadStream(files[ext]!), { filename: `speech.${ext}` })
                .then((f) => client.stt.create({ model: 'stt-async-preview', file_id: f.id })),
        ),
      );
      for (const [i, t] of created.entries()) {
        const done = await t.wait({ timeout_ms: 120_000 });
        assert.equal(done.status, 'completed', `${formats[i]}: ${done.error_message}`);
        assert.equal(done.filename, `speech.${formats[i]}`);
        const transcript = await done.getTranscript();
        const wer = wordErrorRate(u.reference, transcript!.text);
        assert.ok(wer < 0.5, `${formats[i]} WER ${wer}: ${transcript!.text}`);
        assert.ok(Math.abs(transcript!.tokens.filter((tk) => /\w/.test(tk.text)).length - wavWords) <= 3);
      }

      const missing = await client.stt.create({ model: 'stt-async-v4', audio_url: `${base}/audio/none.xyz` });
      const failed = await missing.wait({ timeout_ms: 60_000 });
      assert.equal(failed.status, 'error');
      assert.equal(failed.error_type, 'audio_url_error');
      assert.match(failed.error_message ?? '', /HTTP 404/);
      const transcriptRes = await api(hark, 'GET', `/v1/transcriptions/${failed.id}/transcript`);
      assert.equal(transcriptRes.status, 409);
      assert.equal(transcriptRes.body.message, 'File transcription has failed.');

      const unreachable = await client.stt.create({ model: 'stt-async-v4', audio_url: 'http://127.0.0.1:9/none.mp3' });
      const unreachableDone = await unreachable.wait({ timeout_ms: 60_000 });
      assert.equal(unreachableDone.error_type, 'audio_url_error');
    } finally {
      server.close();
    }
  });

  test('undecodable audio ends in error with a clear message and nothing else is affected', async () => {
    const garbage = join(work, 'garbage.mp3');
    await writeFile(garbage, Buffer.from('this is not audio at all, just text pretending to be an mp3'.repeat(50)));
    const bad = await client.stt.create({
      model: 'stt-async-v4',
      file_id: (await client.files.upload(await readFile(garbage), { filename: 'garbage.mp3' })).id,
    });
    const good = await client.stt.create({
      model: 'stt-async-v4',
      file_id: (await client.files.upload(await readFile(librivoxUtterances()[1]!.wavPath), { filename: 'ok.wav' })).id,
    });
    const badDone = await bad.wait({ timeout_ms: 60_000 });
    assert.equal(badDone.status, 'error');
    assert.equal(badDone.error_type, 'audio_decode_error');
    assert.match(badDone.error_message ?? '', /could not be decoded/i);
    const goodDone = await good.wait({ timeout_ms: 60_000 });
    assert.equal(goodDone.status, 'completed');
    const text = (await goodDone.getTranscript())!.text.toLowerCase();
    assert.match(text, /young man/);
  });

  test('transcript states: 409 before completion, delete rules, listing and count', async () => {
    const long = join(work, 'long.wav');
    // 24 s of speech: seconds of processing on any machine, time enough to see it and be refused a delete.
    const inputs = librivoxUtterances().flatMap((u) => ['-i', u.wavPath]);
    execFileSync('ffmpeg', [
      '-nostdin', '-v', 'error', '-y', ...inputs,
      '-filter_complex', `concat=n=${librivoxUtterances().length}:v=0:a=1`, long,
    ]);
    const file = await client.files.upload(await readFile(long), { filename: 'long.wav' });
    const t = await client.stt.create({ model: 'stt-async-v4', file_id: file.id, client_reference_id: 'long-one' });
    assert.equal(t.status, 'queued');
    const early = await api(hark, 'GET', `/v1/transcriptions/${t.id}/transcript`);
    assert.equal(early.status, 409);
    assert.equal(early.body.message, 'Can only get transcript with completed status.');
    await waitFor(async () => (await api(hark, 'GET', `/v1/transcriptions/${t.id}`)).body.status === 'processing', 30_000, 20);
    const busy = await api(hark, 'DELETE', `/v1/transcriptions/${t.id}`);
    assert.equal(busy.status, 409);
    assert.equal(busy.body.message, 'Cannot delete transcription with processing status.');
    const done = await t.wait({ timeout_ms: 180_000 });
    assert.equal(done.status, 'completed');
    assert.equal(done.client_reference_id, 'long-one');

    const listed = await client.stt.list({ limit: 2 });
    assert.equal(listed.transcriptions.length, 2);
    assert.equal(listed.transcriptions[0]!.id, t.id);
    const count = await api(hark, 'GET', '/v1/transcriptions/count');
    assert.ok(count.body.total >= 3);

    await client.stt.delete(t.id);
    assert.equal(await client.stt.get(t.id), null);
    assert.ok(await client.files.get(file.id), 'deleting a transcription keeps its file');
  });
});
