import { BicDiarizer, type BicDiarizerOptions } from '../src/pipeline/diarization/bic-diarizer.js';
import { splitUtterances } from '../src/pipeline/segmentation/utterance-splitter.js';
import { diarizationErrorRate } from '../src/lib/diarization-error-rate.js';
import { conversation, evaluationSet, monologue } from '../test/support/conversations.js';

async function* once(s: Int16Array) { yield s; }
const opts = JSON.parse(process.argv[2] ?? '{}') as Partial<BicDiarizerOptions>;
const lambdas = (process.env.L ?? "2.25,2.5,2.6,2.75,3").split(",").map(Number);
const set = process.env.HELDOUT ? { held: [
  monologue('june', 'june', 60_000), monologue('russian', 'russian', 60_000), monologue('alsa', 'alsa', 60_000), monologue('cards', 'cards', 60_000),
  conversation({ name: 'allison + june', voices: ['allison', 'june'], perVoiceMs: 30_000, firstClip: 200, seed: 41 }),
  conversation({ name: 'carlo + russian', voices: ['carlo', 'russian'], perVoiceMs: 30_000, firstClip: 200, seed: 42 }),
  conversation({ name: 'cards + alsa', voices: ['cards', 'alsa'], perVoiceMs: 30_000, seed: 43 }),
  conversation({ name: 'june + carlo + russian', voices: ['june', 'carlo', 'russian'], perVoiceMs: 25_000, firstClip: 150, seed: 44 }),
  conversation({ name: 'allison + june + russian', voices: ['allison', 'june', 'russian'], perVoiceMs: 20_000, firstClip: 100, seed: 45 }),
  conversation({ name: '4 tel seed 46', voices: ['allison', 'june', 'carlo', 'russian'], perVoiceMs: 20_000, firstClip: 60, seed: 46 }),
  conversation({ name: 'librivox+alsa+carlo+june', voices: ['librivox', 'alsa', 'carlo', 'june'], perVoiceMs: 20_000, firstClip: 100, seed: 47 }),
] } : evaluationSet();
const totals = lambdas.map(() => ({ ok: 0, der: 0, n: 0 }));
for (const [group, recs] of Object.entries(set)) {
  for (const rec of recs) {
    const utts: { samples: Int16Array; offsetMs: number }[] = [];
    for await (const u of splitUtterances(once(rec.samples))) utts.push(u);
    const row = lambdas.map((penalty, i) => {
      const d = new BicDiarizer({ ...opts, penalty });
      for (const u of utts) d.addSpeech(u.samples, u.offsetMs);
      const turns = d.finish();
      const e = diarizationErrorRate(rec.reference, turns, 250);
      const found = new Set(turns.map((t) => t.speaker)).size;
      totals[i]!.ok += found === rec.speakers ? 1 : 0; totals[i]!.der += e.der; totals[i]!.n++;
      return `${found}:${(e.der * 100).toFixed(0).padStart(2)}`;
    });
    console.log(`${rec.name.padEnd(36)} ${rec.speakers} | ${row.join(' ')}`);
  }
}
console.log(`${'count ok / mean DER'.padEnd(38)} | ${totals.map((t) => `${t.ok}/${(t.der / t.n * 100).toFixed(0)}`).join(' ')}`);
