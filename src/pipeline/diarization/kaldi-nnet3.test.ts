import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FUZZ_SEED } from '../../../test/support/fuzz.js';
import { KaldiFormatError, type KaldiMatrix, readKaldiNnet3 } from './kaldi-nnet3.js';
import { SPEAKER_MODEL_DIR } from './speaker-model.js';

// Fetched by scripts/setup.mjs (run by `npm test`).
const network = readFileSync(join(SPEAKER_MODEL_DIR, 'final.ext.raw'));

const matrix = (value: unknown) => value as KaldiMatrix;

/**
 * The network cut after its first three components (tdnn1: affine, ReLU,
 * batch norm; about 250 KB) and closed, with the component count set to 3:
 * a complete file that parses, small enough to parse thousands of times.
 */
function firstLayer(): Buffer {
  const end = network.indexOf('</BatchNormComponent> ', 0, 'latin1') + '</BatchNormComponent> '.length;
  const file = Buffer.concat([network.subarray(0, end), Buffer.from('</Nnet3> ')]);
  const count = file.indexOf('<NumComponents> ', 0, 'latin1') + '<NumComponents> '.length;
  assert.equal(file[count], 4, 'an int32 follows <NumComponents>');
  file.writeInt32LE(3, count + 1);
  return file;
}

describe('readKaldiNnet3', () => {
  it('reads the speaker network: its config lines and the TDNN layers', () => {
    const nnet = readKaldiNnet3(network);
    // tdnn1…tdnn6 (affine, ReLU, batch norm each), statistics extraction and pooling, the training output (affine, log-softmax).
    assert.equal(nnet.components.size, 22);
    const dims = (name: string) => {
      const component = nnet.components.get(name);
      assert.ok(component, name);
      assert.equal(component.type, 'NaturalGradientAffineComponent');
      const linear = matrix(component.fields.get('LinearParams'));
      assert.equal(linear.data.length, linear.rows * linear.cols);
      assert.equal((component.fields.get('BiasParams') as Float32Array).length, linear.rows);
      return [linear.rows, linear.cols];
    };
    assert.deepEqual(dims('tdnn1.affine'), [512, 5 * 23]);
    assert.deepEqual(dims('tdnn2.affine'), [512, 3 * 512]);
    assert.deepEqual(dims('tdnn3.affine'), [512, 3 * 512]);
    assert.deepEqual(dims('tdnn4.affine'), [512, 512]);
    assert.deepEqual(dims('tdnn5.affine'), [1500, 512]);
    assert.deepEqual(dims('tdnn6.affine'), [128, 2 * 1500]);
    const norm = nnet.components.get('tdnn1.batchnorm')!;
    assert.equal(norm.type, 'BatchNormComponent');
    assert.equal(norm.fields.get('Dim'), 512, 'an int tag reads as an integer');
    assert.equal(norm.fields.get('TestMode'), false, 'a bool');
    assert.ok(Math.abs((norm.fields.get('Epsilon') as number) - 0.001) < 1e-9, 'a float tag reads as a float');
    assert.equal((norm.fields.get('StatsVar') as Float32Array).length, 512);
    assert.equal(nnet.components.get('stats-pooling-0-400')!.fields.get('OutputStddevs'), true);

    assert.ok(nnet.config.includes('input-node name=input dim=23'));
    const line = (node: string) => nnet.config.find((l) => l.startsWith(`component-node name=${node} `));
    assert.match(line('tdnn1.affine')!, /input=Append\(Offset\(input, -2\), Offset\(input, -1\), input, Offset\(input, 1\), Offset\(input, 2\)\)$/);
    assert.match(line('tdnn2.affine')!, /input=Append\(Offset\(tdnn1\.batchnorm, -2\), tdnn1\.batchnorm, Offset\(tdnn1\.batchnorm, 2\)\)$/);
    assert.match(line('tdnn3.affine')!, /input=Append\(Offset\(tdnn2\.batchnorm, -3\), tdnn2\.batchnorm, Offset\(tdnn2\.batchnorm, 3\)\)$/);
    assert.match(line('tdnn4.affine')!, /input=tdnn3\.batchnorm$/);
    assert.ok(nnet.config.some((l) => l.startsWith('output-node name=output input=tdnn6.affine')), 'the x-vector is the output of tdnn6.affine');
  });

  it('throws KaldiFormatError on a truncated network', () => {
    const cuts = [11, 100, network.indexOf('<NumComponents> ', 0, 'latin1') + 3, 5000, 239_874, 300_000, network.length - '</Nnet3> '.length, network.length - 1];
    for (const cut of cuts) assert.throws(() => readKaldiNnet3(network.subarray(0, cut)), KaldiFormatError, `cut at byte ${cut}`);
  });

  it('throws KaldiFormatError on a buffer that is no binary nnet3', () => {
    const notNnet3 = [
      Buffer.alloc(0),
      Buffer.from('hello'),
      // The text form of the same format.
      Buffer.from('<Nnet3> \ninput-node name=input dim=23\n\n<NumComponents> 0 </Nnet3> '),
      Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'),
      // The header, but no components.
      Buffer.from('\0B<Nnet3> \ninput-node name=input dim=23\n', 'latin1'),
    ];
    for (const buf of notNnet3) assert.throws(() => readKaldiNnet3(buf), KaldiFormatError, JSON.stringify(buf.toString('latin1')));
  });

  it('on random byte changes and cuts of a network, parses or throws KaldiFormatError, and nothing else (property)', () => {
    const file = firstLayer();
    assert.deepEqual([...readKaldiNnet3(file).components.keys()], ['tdnn1.affine', 'tdnn1.relu', 'tdnn1.batchnorm']);
    // Nearly all of the file is float data, where a changed byte changes a number and nothing else: half the
    // changes go to the config text and to the tags and the sizes, kinds and counts that follow them.
    const text = file.toString('latin1');
    const structural: number[] = [];
    for (let i = 0; i < text.indexOf('<NumComponents> '); i++) structural.push(i);
    for (const tag of text.matchAll(/<\/?[A-Za-z]+> /g)) for (let i = tag.index; i < tag.index + tag[0].length + 12 && i < file.length; i++) structural.push(i);
    const position = fc.oneof(fc.constantFrom(...structural), fc.integer({ min: 0, max: file.length - 1 }));
    const change = fc.record({
      bytes: fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      cut: fc.option(fc.integer({ min: 0, max: file.length }), { freq: 4 }),
    });
    let parsed = 0;
    const details = fc.check(
      fc.property(change, ({ bytes, cut }) => {
        const input = Buffer.from(file.subarray(0, cut ?? file.length));
        for (const [at, value] of bytes) if (at < input.length) input[at] = value;
        const started = performance.now();
        try {
          readKaldiNnet3(input);
          parsed++;
        } catch (err) {
          assert.ok(err instanceof KaldiFormatError, `${(err as Error).name}: ${(err as Error).message}`);
        }
        // A 250 KB file parses in milliseconds: far longer means work that grows with what a byte says.
        const took = performance.now() - started;
        assert.ok(took < 2000, `${Math.round(took)} ms`);
      }),
      { seed: FUZZ_SEED, numRuns: 2000, interruptAfterTimeLimit: 20_000 },
    );
    if (details.failed) {
      const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      const [{ bytes, cut }] = details.counterexample!;
      const shown = bytes.map(([at, value]) => `byte ${at} (${JSON.stringify(file.toString('latin1', Math.max(0, at - 8), at + 8))}) := ${value}`);
      assert.fail(`run ${details.numRuns} (HARK_FUZZ_SEED=${details.seed}): ${error}\n${shown.join('\n')}${cut === null ? '' : `\ncut at ${cut}`}`);
    }
    assert.ok(details.numRuns >= 100, `only ${details.numRuns} runs within the time limit`);
    assert.ok(parsed > 0 && parsed < details.numRuns, `${parsed} of ${details.numRuns} inputs parsed: both outcomes are reached`);
  });
});
