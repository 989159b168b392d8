import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { FUZZ_SEED } from '../../../test/support/fuzz.js';
import { ModelDirectoryError, readModelDescription } from './installed-models.js';

const dir = mkdtempSync(join(tmpdir(), 'hark-model-description-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function read(text: string) {
  writeFileSync(join(dir, 'hark-model.json'), text);
  return readModelDescription(dir);
}

describe('readModelDescription', () => {
  it('reads a description and names what is wrong with a bad one', () => {
    assert.deepEqual(read('{"id":"whisper-tiny-en","family":"whisper","languages":["en"]}'), { id: 'whisper-tiny-en', family: 'whisper', languages: ['en'] });
    assert.throws(() => read('{'), /hark-model\.json is not valid JSON/);
    assert.throws(() => read('{"id":"../x","family":"whisper","languages":["en"]}'), /"id" must be a model id/);
    assert.throws(() => read('{"id":"x","family":"kaldi","languages":["en"]}'), /"family" must be one of zipformer-transducer-streaming, /);
    assert.throws(() => read('{"id":"x","family":"whisper","languages":"en"}'), /"languages" must list ISO 639 codes/);
  });

  it('on any JSON, returns a checked description or throws ModelDirectoryError, nothing else (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.record({ id: fc.string(), family: fc.constantFrom('whisper', 'moonshine', 'x'), languages: fc.array(fc.string()) }).map((v) => JSON.stringify(v))), (text) => {
        try {
          const description = read(text);
          assert.match(description.id, /^[a-z0-9][a-z0-9._-]{0,63}$/);
          assert.ok(description.languages.every((l) => /^[a-z]{2,3}$/.test(l)));
        } catch (err) {
          assert.ok(err instanceof ModelDirectoryError, String(err));
        }
      }),
      { seed: FUZZ_SEED, numRuns: 300 },
    );
  });
});
