/**
 * A real sherpa-onnx model, when one is at hand: set HARK_TEST_MODEL_DIR to a
 * model directory (`hark models pull <id>` puts them in $HARK_DATA_DIR/models/<id>;
 * one copied in needs its hark-model.json). The LibriVox recordings are
 * transcribed through the real server and the official SDK, and the WER is
 * checked. Without the variable the test is skipped and says why: no ASR
 * weights can be downloaded on the machine these tests were written on.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { wordErrorRate } from '../../src/lib/wer.js';
import { librivoxUtterances } from '../support/librivox.js';
import { startHark, type HarkProcess } from '../support/hark-process.js';

const MODEL_DIR = process.env.HARK_TEST_MODEL_DIR;
/** Every model in the catalogue publishes well under this on read English speech; PocketSphinx gets ~0.29 here. */
const MAX_WER = Number(process.env.HARK_TEST_MODEL_MAX_WER ?? '0.15');
const SKIP = MODEL_DIR ? false : 'needs HARK_TEST_MODEL_DIR: a sherpa-onnx model directory (see README, "Better accuracy and other languages")';

describe('a real sherpa-onnx model on the LibriVox recordings', { skip: SKIP }, () => {
  let hark: HarkProcess;

  before(async () => {
    hark = await startHark({ HARK_ENGINE: 'sherpa-onnx', HARK_ENGINE_MODEL: MODEL_DIR! });
  });
  after(async () => {
    await hark?.dispose();
  });

  test(`transcribes every recording, with WER at most ${MAX_WER}`, async () => {
    const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
    const references: string[] = [];
    const ours: string[] = [];
    for (const u of librivoxUtterances()) {
      const transcription = await client.stt.transcribe({
        model: 'stt-async-v4',
        file: await readFile(u.wavPath),
        filename: `${u.id}.wav`,
        wait: true,
        wait_options: { interval_ms: 1000, timeout_ms: 600_000 },
      });
      assert.equal(transcription.status, 'completed', transcription.error_message ?? '');
      const transcript = await transcription.getTranscript();
      assert.ok(transcript && transcript.tokens.length > 0);
      references.push(u.reference);
      ours.push(transcript.text);
    }
    const wer = wordErrorRate(references.join(' '), ours.join(' '));
    console.log(`WER of ${MODEL_DIR} over ${references.length} LibriVox utterances: ${(wer * 100).toFixed(1)}%`);
    assert.ok(wer <= MAX_WER, `WER ${wer}`);
  });
});
