/**
 * Translation and language identification through the official SDK, with real
 * speech (LibriVox) and the real Apertium: the server supervises its own APy,
 * and the test runs another one to know what Apertium says for each run.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RealtimeResult, type RealtimeToken, SonioxNodeClient } from '@soniox/node';
import WebSocket from 'ws';
import { ApertiumTranslator } from '../../src/pipeline/translation/apertium/apertium-translator.js';
import { ApyClient } from '../../src/pipeline/translation/apertium/apy-client.js';
import { ApyServer } from '../../src/pipeline/translation/apertium/apy-server.js';
import { translateWithTerms } from '../../src/pipeline/translation/translation-terms.js';
import { api, startHark, type HarkProcess } from '../support/hark-process.js';
import { librivoxUtterances } from '../support/librivox.js';
import { pcmWavHeader } from '../../src/pipeline/decode/samples.test-helper.js';

// Node 20 has no global WebSocket; the SDK's real-time client needs one.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

/** A transcript or stream token, as the wire has it. */
interface WireToken {
  text: string;
  start_ms?: number | null | undefined;
  end_ms?: number | null | undefined;
  language?: string | null | undefined;
  translation_status?: string | null | undefined;
  source_language?: string | null | undefined;
}

/** A run of consecutive tokens that are all translations or all spoken, in one language. */
interface Run {
  translation: boolean;
  language: string | null | undefined;
  tokens: WireToken[];
  text: string;
}

function runsOf(tokens: readonly WireToken[]): Run[] {
  const runs: Run[] = [];
  for (const token of tokens) {
    const translation = token.translation_status === 'translation';
    const last = runs.at(-1);
    if (last && last.translation === translation && last.language === token.language) {
      last.tokens.push(token);
      last.text += token.text;
    } else runs.push({ translation, language: token.language, tokens: [token], text: token.text });
  }
  return runs;
}

/** 16 kHz mono s16 samples of a canonical wav, without its 44-byte header. */
async function pcmOf(path: string): Promise<Buffer> {
  return (await readFile(path)).subarray(44);
}

function wav(pcm: Buffer): Buffer {
  const header = pcmWavHeader(16_000, 1, pcm.length);
  return Buffer.concat([header, pcm]);
}

describe('translation and language identification with real speech', () => {
  let hark: HarkProcess;
  let client: SonioxNodeClient;
  let apy: ApyServer;
  let apertium: ApertiumTranslator;
  let work: string;
  /** Three LibriVox sentences with a second of silence after each: three utterances. */
  let speechPcm: Buffer;
  let speechWav: string;
  /** "He was not an ill disposed young man" alone. */
  let youngManWav: string;

  before(async () => {
    apy = new ApyServer({ pairsDir: '/usr/share/apertium/modes' });
    [hark] = await Promise.all([startHark(), apy.start()]);
    client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
    apertium = new ApertiumTranslator(new ApyClient((signal) => apy.url(signal), 10_000));
    work = await mkdtemp(join(tmpdir(), 'hark-translation-'));
    const utterances = librivoxUtterances();
    const byId = (suffix: string) => utterances.find((u) => u.id.endsWith(suffix))!.wavPath;
    const silence = Buffer.alloc(32_000);
    speechPcm = Buffer.concat([
      await pcmOf(byId('0880')), silence,
      await pcmOf(byId('0930')), silence,
      await pcmOf(byId('0890')), silence,
    ]);
    speechWav = join(work, 'three-sentences.wav');
    await writeFile(speechWav, wav(speechPcm));
    youngManWav = byId('0880');
  });
  after(async () => {
    await hark.dispose();
    await apy.close();
    await rm(work, { recursive: true, force: true });
  });

  async function transcribe(options: Record<string, unknown>, path = speechWav) {
    const transcription = await client.stt.transcribe({
      model: 'stt-async-v4',
      file: await readFile(path),
      filename: 'speech.wav',
      wait: true,
      wait_options: { interval_ms: 500, timeout_ms: 120_000 },
      ...options,
    });
    assert.equal(transcription.status, 'completed', transcription.error_message ?? '');
    const transcript = (await transcription.getTranscript())!;
    assert.equal(transcript.text, transcript.tokens.map((t) => t.text).join(''), 'text is the concatenation of all tokens');
    return transcript;
  }

  /**
   * The stream's final tokens (in order) and when each message arrived;
   * audio is sent as fast as the server reads it.
   */
  async function stream(config: Record<string, unknown>, pcm = speechPcm) {
    const session = client.realtime.stt({
      model: 'stt-rt-v4',
      audio_format: 'pcm_s16le',
      sample_rate: 16_000,
      num_channels: 1,
      enable_endpoint_detection: true,
      ...config,
    } as Parameters<typeof client.realtime.stt>[0]);
    const messages: { at: number; result: RealtimeResult }[] = [];
    session.on('result', (result) => messages.push({ at: performance.now(), result }));
    const failed = new Promise<never>((_, reject) => session.on('error', reject));
    await session.connect();
    for (let i = 0; i < pcm.length; i += 3840) session.sendAudio(pcm.subarray(i, i + 3840));
    await Promise.race([session.finish(), failed]);
    const finals: (RealtimeToken & { at: number })[] = [];
    for (const { at, result } of messages) for (const t of result.tokens) if (t.is_final) finals.push({ ...t, at });
    return { messages, finals };
  }

  /**
   * One-way structure: English runs marked "original", each followed by its
   * Spanish translation, which is what Apertium (or `translate`) says for the run's text.
   * @returns the number of translated runs.
   */
  async function assertTranslatedRuns(
    tokens: readonly WireToken[],
    source: string,
    target: string,
    translate = (text: string) => apertium.translate(text, source, target),
  ): Promise<number> {
    const runs = runsOf(tokens);
    assert.ok(runs.length >= 2, JSON.stringify(runs.map((r) => r.text)));
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i]!;
      if (i % 2 === 0) {
        assert.equal(run.translation, false, `run ${i} is spoken: ${run.text}`);
        assert.equal(run.language, source);
        for (const t of run.tokens) {
          assert.equal(t.translation_status, 'original');
          assert.equal(typeof t.start_ms, 'number');
        }
        continue;
      }
      assert.equal(run.translation, true, `run ${i} translates run ${i - 1}: ${run.text}`);
      assert.equal(run.language, target);
      for (const t of run.tokens) {
        assert.equal(t.source_language, source);
        assert.equal(t.start_ms, undefined, 'translation tokens carry no timestamps');
        assert.equal(t.end_ms, undefined);
      }
      assert.match(run.text, /^ /, 'a translation starts with a space');
      const original = runs[i - 1]!.text.trim();
      assert.equal(run.text.trim(), await translate(original), `translation of "${original}"`);
    }
    assert.equal(runs.length % 2, 0, 'the last run is a translation');
    return runs.length / 2;
  }

  test('the models report what is installed: Spanish from English, and the English–Spanish pair', async () => {
    const models = await client.models.list();
    assert.ok(models.length > 0);
    for (const model of models) {
      assert.deepEqual(model.languages, [{ code: 'en', name: 'English' }]);
      assert.deepEqual(model.translation_targets, [{ target_language: 'es', source_languages: ['en'], exclude_source_languages: [] }]);
      assert.deepEqual(model.two_way_translation_pairs, ['en:es']);
      assert.equal(model.one_way_translation, null);
      assert.equal(model.two_way_translation, null);
    }
  });

  test('async one-way en→es: every English sentence is followed by its Spanish translation', async () => {
    const transcript = await transcribe({ translation: { type: 'one_way', target_language: 'es' } });
    const translated = await assertTranslatedRuns(transcript.tokens, 'en', 'es');
    assert.equal(translated, 3, 'one run per sentence');
    console.log(`async one-way: ${transcript.text}`);
  });

  test('async two-way en↔es with language identification: English speech goes to Spanish', async () => {
    const transcript = await transcribe(
      { translation: { type: 'two_way', language_a: 'es', language_b: 'en' }, enable_language_identification: true },
      youngManWav,
    );
    assert.equal(await assertTranslatedRuns(transcript.tokens, 'en', 'es'), 1);
  });

  test('async two-way es↔fr: English speech is only transcribed ("none")', async () => {
    const transcript = await transcribe({ translation: { type: 'two_way', language_a: 'es', language_b: 'fr' } }, youngManWav);
    assert.ok(transcript.tokens.length > 0);
    for (const t of transcript.tokens) {
      assert.equal(t.translation_status, 'none');
      assert.equal(t.language, 'en');
      assert.equal(t.source_language, undefined);
    }
  });

  test('async language identification alone: language on every token, no translation fields', async () => {
    const transcript = await transcribe({ enable_language_identification: true }, youngManWav);
    for (const t of transcript.tokens) {
      assert.equal(t.language, 'en');
      assert.equal(t.translation_status, null);
    }
    const plain = await transcribe({}, youngManWav);
    assert.ok(plain.tokens.every((t) => t.language === null), 'no language unless asked for');
  });

  test('async translation_terms: a term is translated to the given target verbatim', async () => {
    const terms = [{ source: 'young man', target: 'Young Man' }];
    const without = await transcribe({ translation: { type: 'one_way', target_language: 'es' } }, youngManWav);
    const withTerms = await transcribe(
      { translation: { type: 'one_way', target_language: 'es' }, context: { translation_terms: terms } },
      youngManWav,
    );
    const translationOf = (tokens: readonly WireToken[]) =>
      tokens.filter((t) => t.translation_status === 'translation').map((t) => t.text).join('').trim();
    const spoken = withTerms.tokens.filter((t) => t.translation_status === 'original').map((t) => t.text).join('').trim();
    assert.match(spoken, /young man/i, 'the engine heard the phrase');
    assert.match(translationOf(without.tokens), /hombre joven/, 'Apertium alone translates it');
    assert.match(translationOf(withTerms.tokens), /Young Man/);
    assert.doesNotMatch(translationOf(withTerms.tokens), /hombre/);
    assert.equal(translationOf(withTerms.tokens), await translateWithTerms(apertium, spoken, 'en', 'es', terms));
  });

  test('the SDK translate() helper pairs our originals with their translations', async () => {
    const job = await client.stt.translate({ file: await readFile(speechWav), filename: 'speech.wav', to: 'es', wait: true });
    const translation = job.translation;
    assert.ok(translation && translation.mode === 'one_way');
    assert.equal(translation.segments.length, 3);
    for (const segment of translation.segments) {
      assert.equal(segment.from, 'en');
      assert.equal(segment.to, 'es');
      assert.ok(segment.translation_text && segment.translation_text.trim().length > 0);
    }
  });

  test('REST refuses translations the installed pairs cannot do, with validation errors', async () => {
    const before = (await api(hark, 'GET', '/v1/transcriptions/count')).body.total;
    const base = { model: 'stt-async-v4', audio_url: 'https://example.com/a.wav' };
    const cases: [unknown, [string, string, string][]][] = [
      [{ type: 'one_way', target_language: 'fr' }, [['value_error', 'body.payload.translation.target_language', 'Invalid translation target language.']]],
      [{ type: 'one_way', target_language: 'en' }, [['value_error', 'body.payload.translation.target_language', 'Invalid translation target language.']]],
      [{ type: 'one_way' }, [['missing', 'body.payload.translation.target_language', 'Field required']]],
      [{ type: 'two_way', language_a: 'en', language_b: 'fr' }, [['value_error', 'body.payload.translation.language_b', 'Invalid translation target language.']]],
      [
        { type: 'two_way', language_a: 'xx', language_b: 'de' },
        [
          ['value_error', 'body.payload.translation.language_a', 'Invalid translation target language.'],
          ['value_error', 'body.payload.translation.language_b', 'Invalid translation target language.'],
        ],
      ],
    ];
    for (const [translation, expected] of cases) {
      const response = await api(hark, 'POST', '/v1/transcriptions', { body: { ...base, translation } });
      assert.equal(response.status, 400, JSON.stringify(translation));
      assert.equal(response.body.error_type, 'invalid_request');
      assert.deepEqual(
        response.body.validation_errors.map((v: { error_type: string; location: string; message: string }) => [v.error_type, v.location, v.message]),
        expected,
        JSON.stringify(translation),
      );
    }
    assert.equal((await api(hark, 'GET', '/v1/transcriptions/count')).body.total, before, 'nothing was created');
  });

  test('real time one-way en→es: each final English run, then its Spanish translation, before the next run', async () => {
    const { messages, finals } = await stream({ translation: { type: 'one_way', target_language: 'es' } });
    const translated = await assertTranslatedRuns(finals, 'en', 'es');
    assert.ok(translated >= 3, `${translated} translated runs`);
    // Translations are sent final, never as non-final tokens.
    for (const { result } of messages) {
      for (const t of result.tokens) if (t.translation_status === 'translation') assert.equal(t.is_final, true);
      for (const t of result.tokens) if (!t.is_final) assert.ok(t.translation_status === 'original' && t.language === 'en', JSON.stringify(t));
    }
    // The delay between a run's last final token and its translation, as the client sees it.
    const delays: number[] = [];
    for (const [i, token] of finals.entries()) {
      const previous = finals[i - 1];
      if (token.translation_status === 'translation' && previous && previous.translation_status === 'original') {
        delays.push(token.at - previous.at);
      }
    }
    assert.equal(delays.length, translated);
    console.log(`real-time translation delays (ms after the run's last final token): ${delays.map((d) => d.toFixed(1)).join(', ')}`);
  });

  test('real time two-way es↔fr: English speech is only transcribed, with its language', async () => {
    const { finals } = await stream({ translation: { type: 'two_way', language_a: 'es', language_b: 'fr' } });
    assert.ok(finals.length > 0);
    for (const t of finals) {
      assert.equal(t.translation_status, 'none');
      assert.equal(t.language, 'en');
    }
  });

  test('real time translation_terms and language identification', async () => {
    const terms = [{ source: 'young man', target: 'Young Man' }];
    const { finals, messages } = await stream(
      { translation: { type: 'one_way', target_language: 'es' }, context: { translation_terms: terms }, enable_language_identification: true },
      await pcmOf(youngManWav),
    );
    await assertTranslatedRuns(finals, 'en', 'es', (text) => translateWithTerms(apertium, text, 'en', 'es', terms));
    const runs = runsOf(finals);
    assert.match(runs.filter((r) => !r.translation).map((r) => r.text).join(''), /young man/i);
    assert.match(runs.filter((r) => r.translation).map((r) => r.text).join(''), /Young Man/);
    for (const { result } of messages) for (const t of result.tokens) assert.ok(t.language === 'en' || t.language === 'es', JSON.stringify(t));
  });

  test('real time language identification alone labels every token en', async () => {
    const { messages } = await stream({ enable_language_identification: true }, await pcmOf(youngManWav));
    const tokens = messages.flatMap((m) => m.result.tokens);
    assert.ok(tokens.length > 0);
    for (const t of tokens) {
      assert.equal(t.language, 'en');
      assert.equal(t.translation_status, undefined);
    }
  });

  test('the WebSocket refuses an unsupported target or pair, and unknown language hints', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ translation: { type: 'one_way', target_language: 'fr' } }, 'Invalid translation target language.'],
      [{ translation: { type: 'one_way', target_language: 'zz' } }, 'Invalid translation target language.'],
      [{ translation: { type: 'two_way', language_a: 'en', language_b: 'fr' } }, 'Invalid translation target language.'],
      [{ translation: { type: 'two_way', language_a: 'en' } }, 'Invalid translation target language.'],
      [{ language_hints: ['en', 'xx'] }, 'Invalid language hint.'],
    ];
    for (const [fields, message] of cases) {
      const socket = new WebSocket(hark.wsUrl);
      await once(socket, 'open');
      socket.send(JSON.stringify({ api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'auto', ...fields }));
      const [data] = (await once(socket, 'message')) as [Buffer];
      assert.deepEqual(JSON.parse(data.toString()), { tokens: [], error_code: 400, error_message: message }, JSON.stringify(fields));
      await once(socket, 'close');
    }
  });
});
