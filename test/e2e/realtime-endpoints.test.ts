// Endpoint settings change when `<end>` comes, in the directions Soniox
// documents (API.md §7.10), and `trailing_silence_ms` on finalize is taken
// at its word: on real speech, through the real server. The assertions
// count markers and words, which depend on the audio, not on the machine.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHark, type HarkProcess } from '../support/hark-process.js';
import { assertWellFormed, finalText, finalTokens, runSession, slices, type Frame } from '../support/realtime-client.js';
import { speechPcm } from '../support/speech-audio.js';

const START = { model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 } as const;
/**
 * Two sentences back to back, then 1.5 s of silence. Their own pauses (as
 * the voice activity detector measures them): 200 ms within the first, 490 ms
 * between them, longer than the 300 ms that makes words final and shorter
 * than the 600 ms endpoint pause of the default settings.
 */
const twoSentences = speechPcm([1, 4], 0);
const tail = Buffer.alloc(1500 * 32);

describe('real-time endpoint controls on real speech', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark();
  });
  after(() => hark.dispose());

  /** `<end>` markers of a session over the two sentences with these endpoint settings. */
  async function endpoints(settings: object): Promise<number> {
    const run = await runSession(hark.wsUrl, {
      start: { api_key: hark.apiKey, ...START, enable_endpoint_detection: true, ...settings },
      frames: [...slices(Buffer.concat([twoSentences, tail]), 3840), ''],
      paceMs: 10,
      timeoutMs: 300_000,
    });
    assertWellFormed(run);
    assert.match(finalText(run), /\w+/);
    return finalTokens(run).filter((t) => t.text === '<end>').length;
  }

  test('a shorter max_endpoint_delay_ms ends utterances after shorter pauses', async () => {
    const [short, long] = await Promise.all([endpoints({ max_endpoint_delay_ms: 1000 }), endpoints({ max_endpoint_delay_ms: 3000 })]);
    assert.equal(long, 1, 'only the final silence is an endpoint at 3000 ms');
    assert.ok(short > long, `${short} endpoints at 1000 ms, ${long} at 3000 ms`);
  });

  test('a higher endpoint_sensitivity ends utterances sooner, a lower one later', async () => {
    const [eager, neutral, reluctant] = await Promise.all([
      endpoints({ endpoint_sensitivity: 1 }),
      endpoints({}),
      endpoints({ max_endpoint_delay_ms: 1000, endpoint_sensitivity: -1 }),
    ]);
    assert.equal(neutral, 1, 'the 490 ms pause is no endpoint at the defaults');
    assert.ok(eager > neutral, `sensitivity 1: ${eager} endpoints, 0: ${neutral}`);
    // At 1000 ms the pause would make an endpoint (test above); sensitivity −1 doubles the pause needed.
    assert.equal(reluctant, 1, 'sensitivity −1 at 1000 ms');
  });

  test('a higher endpoint_latency_adjustment_level ends utterances sooner', async () => {
    const [level0, level3] = await Promise.all([endpoints({ endpoint_latency_adjustment_level: 0 }), endpoints({ endpoint_latency_adjustment_level: 3 })]);
    assert.ok(level3 > level0, `level 3: ${level3} endpoints, level 0: ${level0}`);
  });

  test('finalize with trailing_silence_ms ends the utterance that much earlier: the words of that audio are not finalized', async () => {
    // A sentence cut off mid-speech (no pause ends it), then finalize: the claim decides where it ends.
    const sentence = speechPcm([4], 0).subarray(0, 2600 * 32);
    const finalized = async (control: object) => {
      const frames: Frame[] = [...slices(sentence, 3840), JSON.stringify({ type: 'finalize', ...control }), ''];
      const run = await runSession(hark.wsUrl, { start: { api_key: hark.apiKey, ...START }, frames, paceMs: 10, timeoutMs: 300_000 });
      assertWellFormed(run);
      const tokens = finalTokens(run);
      assert.ok(tokens.some((t) => t.text === '<fin>'));
      return tokens.filter((t) => t.start_ms !== undefined && /\w/.test(t.text));
    };
    const [plain, trailing] = await Promise.all([finalized({}), finalized({ trailing_silence_ms: 1000 })]);
    const cutMs = sentence.length / 32 - 1000;
    assert.ok(plain.some((t) => t.start_ms >= cutMs), 'without the claim, words of the last second are final');
    assert.ok(trailing.length > 0 && trailing.every((t) => t.start_ms < cutMs), `with it, none start after ${cutMs} ms: ${JSON.stringify(trailing.at(-1))}`);
  });
});
