// Context through the batch pipeline, run the way the server runs it: one
// recognition worker process, so every job uses the same decoder.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RecognitionPool } from '../../src/jobs/recognition-pool.js';
import type { BatchResult } from '../../src/pipeline/batch.js';
import { toRecognitionContext } from '../../src/pipeline/context/recognition-context.js';
import { librivoxUtterances } from '../support/librivox.js';

const text = (result: BatchResult) => result.tokens.map((t) => t.text).join('');
const [dashwoodSentence] = librivoxUtterances();

describe('context in batch transcription', () => {
  let pool: RecognitionPool;
  const transcribe = (context: unknown) =>
    pool.transcribe({ audioPath: dashwoodSentence!.wavPath, maxDurationMs: 60_000, context: toRecognitionContext(context) });

  before(async () => {
    // As the test servers do (test/support/hark-process.ts): not starved by the other test files' processes.
    process.env.HARK_WORKER_NICE ??= '0';
    pool = new RecognitionPool({ size: 1 });
    await pool.ready();
  });
  after(() => pool.close());

  it('recognises the term in its job, and not in the next job of the same worker', async () => {
    const first = await transcribe({ terms: ['HbA1c', 'Dashwood'] });
    assert.match(text(first), / Dashwood /);
    const second = await transcribe(null);
    assert.doesNotMatch(text(second), /dashwood/i);
  });

  it('takes a plain string as domain text', async () => {
    const result = await transcribe('Mr. John Dashwood of Norland Park, the half brother of the Dashwood sisters.');
    assert.match(text(result), /dashwood/);
  });

  it('formats the sentence around the term as without context', async () => {
    const result = await transcribe({ terms: ['Dashwood'] });
    // Sentence casing, the term's own casing, the end punctuation.
    assert.match(text(result), /^[A-Z][a-z]* .*Dashwood .*\.$/);
  });
});
