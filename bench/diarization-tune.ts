import { BicDiarizer, type BicDiarizerOptions } from '../src/pipeline/diarization/bic-diarizer.js';
import { splitUtterances } from '../src/pipeline/segmentation/utterance-splitter.js';
import { diarizationErrorRate } from '../src/lib/diarization-error-rate.js';
import { evaluationSet } from '../test/support/conversations.js';

async function* once(s: Int16Array) { yield s; }
const opts = JSON.parse(process.argv[2] ?? '{}') as Partial<BicDiarizerOptions>;
const t0 = performance.now();
const set = evaluationSet();
console.log(`built in ${(performance.now() - t0).toFixed(0)} ms`);
let diarMs = 0;
for (const [group, recs] of Object.entries(set)) {
  for (const rec of recs) {
    const t = performance.now();
    const d = new BicDiarizer(opts);
    for await (const u of splitUtterances(once(rec.samples))) d.addSpeech(u.samples, u.offsetMs);
    const turns = d.finish();
    diarMs += performance.now() - t;
    const e = diarizationErrorRate(rec.reference, turns, 250);
    const found = new Set(turns.map((t) => t.speaker)).size;
    console.log(`${group.padEnd(6)} ${rec.name.padEnd(36)} ${(rec.samples.length / 16000).toFixed(0)}s spk ${rec.speakers}->${found} DER ${(e.der * 100).toFixed(1)}% (miss ${(e.missedMs / e.speechMs * 100).toFixed(1)} fa ${(e.falseAlarmMs / e.speechMs * 100).toFixed(1)} conf ${(e.confusionMs / e.speechMs * 100).toFixed(1)})`);
  }
}
console.log(`diarization ${diarMs.toFixed(0)} ms`);
