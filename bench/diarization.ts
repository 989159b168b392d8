/**
 * Speaker diarization: accuracy on the evaluation set, and what it costs.
 *
 *   npm run bench:diarization
 *
 * 1. Share of words to the right speaker, DER (250 ms collar) and
 *    speaker-count accuracy of the batch (async) and live (real-time)
 *    diarizers on the three parts of the evaluation set (tuning, held apart, new voices),
 *    per condition: turn length, pauses, levels, channel, number of speakers.
 * 2. Async cost: every held-apart recording through the batch pipeline
 *    (transcribeFile with PocketSphinx) with diarization on; the time spent
 *    diarizing against the time spent recognising, in the same process.
 *    Then diarization alone on all of it joined into one long recording
 *    (clustering grows faster than linearly).
 * 3. Real-time cost: the live diarizer's time per second of audio (in the
 *    server it runs in the diarization thread, off the event loop), and two
 *    sessions streamed at real-time pace through the real
 *    server, with diarization and without: the lag of bench/realtime.ts
 *    (frame sent → message covering it), and how long after its audio was
 *    sent each final token arrives.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transcribeFile } from '../src/pipeline/batch.js';
import { BicDiarizer } from '../src/pipeline/diarization/bic-diarizer.js';
import type { BatchDiarizer, TimedWord } from '../src/pipeline/diarization/diarizer.js';
import { OnlineDiarizer } from '../src/pipeline/diarization/online-diarizer.js';
import { speakerNetwork } from '../src/pipeline/diarization/speaker-model.js';
import { PocketSphinxEngine } from '../src/pipeline/engines/pocketsphinx/pocketsphinx-engine.js';
import type { BatchEngine } from '../src/pipeline/engines/speech-engine.js';
import type { Recording } from '../test/support/conversations.js';
import { type RecordingScore, groupsOf, pooledDer, pooledWordAccuracy, scoreRecording, utterancesOf } from '../test/support/diarization-evaluation.js';
import { evaluationPart } from '../test/support/diarization-set.js';
import { startHark } from '../test/support/hark-process.js';
import { finalTokens, runSession, slices } from '../test/support/realtime-client.js';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------- accuracy
const parts = { tuning: evaluationPart('tuning'), 'held-apart': evaluationPart('held-apart'), 'new-voices': evaluationPart('new-voices') };
const row = (label: string, scores: { batch: RecordingScore[]; live: RecordingScore[] }) => {
  const cells = [label, String(scores.batch.length)];
  for (const kind of ['batch', 'live'] as const) {
    const s = scores[kind];
    cells.push(pct(pooledWordAccuracy(s)), pct(pooledDer(s)), `${s.filter((x) => x.found === x.speakers).length}/${s.length}`);
  }
  return `| ${cells.join(' | ')} |`;
};
for (const [part, recordings] of Object.entries(parts)) {
  const all = { batch: [] as RecordingScore[], live: [] as RecordingScore[] };
  for (const kind of ['batch', 'live'] as const) for (const r of recordings) all[kind].push(await scoreRecording(r, kind));
  const audio = seconds(recordings.reduce((n, r) => n + r.samples.length / 16, 0));
  console.log(`## Accuracy, ${part} part (${recordings.length} recordings, ${audio}): words to the right speaker, DER (250 ms collar), speaker count right\n`);
  console.log('| condition | recordings | async words | async DER | async count | real-time words | real-time DER | real-time count |');
  console.log('|---|---|---|---|---|---|---|---|');
  const groups = new Map<string, number[]>();
  recordings.forEach((r, i) => {
    for (const g of groupsOf(r)) groups.set(g, [...(groups.get(g) ?? []), i]);
  });
  for (const [group, indexes] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(row(group, { batch: indexes.map((i) => all.batch[i]!), live: indexes.map((i) => all.live[i]!) }));
  }
  console.log(row(`**all**`, all));
  console.log('');
  recordings.forEach((r, i) => {
    const detail = (s: RecordingScore) => `${s.speakers}→${s.found}, ${pct(s.wordsRight / s.words)} words, DER ${pct(s.errors.der)}`;
    console.error(`  ${part} ${r.name}: async ${detail(all.batch[i]!)}; real time ${detail(all.live[i]!)}`);
  });
}

// ---------------------------------------------------------------- async cost
/** Times recognition inside transcribeFile: the engine's recognizers report each call. */
function timedEngine(engine: BatchEngine, spent: { ms: number }): BatchEngine {
  return {
    id: engine.id,
    capabilities: engine.capabilities,
    close: () => engine.close(),
    createBatchRecognizer() {
      const recognizer = engine.createBatchRecognizer();
      return {
        recognize: async (request) => {
          const started = performance.now();
          try {
            return await recognizer.recognize(request);
          } finally {
            spent.ms += performance.now() - started;
          }
        },
        free: () => recognizer.free(),
      };
    },
  };
}

function timedDiarizer(diarizer: BatchDiarizer, spent: { ms: number }): BatchDiarizer {
  const time = <T>(run: () => T): T => {
    const started = performance.now();
    try {
      return run();
    } finally {
      spent.ms += performance.now() - started;
    }
  };
  return {
    addSpeech: (samples, offsetMs) => time(() => diarizer.addSpeech(samples, offsetMs)),
    finish: () => time(() => diarizer.finish()),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'hark-bench-diarization-'));
const wavOf = (recording: Recording, name: string) => {
  const raw = join(dir, `${name}.raw`);
  writeFileSync(raw, recording.samples);
  const wav = join(dir, `${name}.wav`);
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 's16le', '-ar', '16000', '-ac', '1', '-i', raw, wav]);
  return wav;
};
const engine = new PocketSphinxEngine();
const asr = { ms: 0 };
const diarization = { ms: 0 };
const all = parts['held-apart'];
let audioMs = 0;
for (const [i, recording] of all.entries()) {
  const result = await transcribeFile(
    wavOf(recording, `recording-${i}`),
    { maxDurationMs: 3_600_000, diarizer: timedDiarizer(new BicDiarizer({}, speakerNetwork()), diarization) },
    timedEngine(engine, asr),
  );
  audioMs += result.audioDurationMs;
}
engine.close();
console.log('\n## Async cost\n');
console.log(`${all.length} recordings, ${seconds(audioMs)} of audio through transcribeFile with diarization:`);
console.log(`  recognition ${seconds(asr.ms)} (real-time factor ${(asr.ms / audioMs).toFixed(3)}), diarization ${seconds(diarization.ms)}`);
console.log(`  diarization / recognition: ${pct(diarization.ms / asr.ms)}`);

const joined = new Int16Array(all.reduce((n, r) => n + r.samples.length, 0));
all.reduce((at, r) => (joined.set(r.samples, at), at + r.samples.length), 0);
const utterances = await utterancesOf(joined);
const long = { ms: 0 };
const longDiarizer = timedDiarizer(new BicDiarizer({}, speakerNetwork()), long);
for (const u of utterances) longDiarizer.addSpeech(u.samples, u.offsetMs);
longDiarizer.finish();
const longMs = joined.length / 16;
console.log(`  one ${seconds(longMs)} recording (all of them joined): diarization ${seconds(long.ms)}, ` +
  `${pct(long.ms / (longMs * (asr.ms / audioMs)))} of its recognition time at the same real-time factor`);

// ---------------------------------------------------------------- real-time cost
const conversationRecording = all.find((r) => r.speakers === 2)!;
{
  const diarizer = new OnlineDiarizer({}, speakerNetwork());
  const samples = conversationRecording.samples;
  const ends = (await utterancesOf(samples)).map((u) => ({ endSample: u.offsetMs * 16 + u.samples.length, startMs: u.offsetMs }));
  let spent = 0;
  let next = 0;
  for (let at = 0; at < samples.length; at += 1920) {
    const chunk = samples.subarray(at, Math.min(at + 1920, samples.length));
    const started = performance.now();
    diarizer.push(chunk);
    // Provisional labels for the utterance so far after every chunk, as a session asks for each result message.
    const u = ends[next];
    const nowMs = (at + chunk.length) / 16;
    if (u && nowMs > u.startMs) {
      const words: TimedWord[] = [];
      for (let t = u.startMs; t + 300 <= nowMs; t += 300) words.push({ startMs: t, endMs: t + 300 });
      if (at + chunk.length >= u.endSample) {
        diarizer.labelFinal(words);
        next++;
      } else {
        diarizer.labelProvisional(words);
      }
    }
    spent += performance.now() - started;
  }
  console.log('\n## Real-time cost\n');
  console.log(`live diarizer (the diarization thread's work): ${spent.toFixed(0)} ms for ${seconds(samples.length / 16)} of audio ` +
    `(${pct(spent / (samples.length / 16))} of real time; 120 ms chunks, provisional labels after each)`);
}

const hark = await startHark();
try {
  const pcm = Buffer.from(conversationRecording.samples.buffer);
  const frames = [...slices(pcm, 3840), ''];
  const session = (enable: boolean) =>
    runSession(hark.wsUrl, {
      start: { api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1, enable_speaker_diarization: enable },
      frames,
      paceMs: 120,
      timeoutMs: 600_000,
    });
  // One after the other: at once, they would queue for the same accurate-pass worker.
  const runs = [await session(true), await session(false)];
  console.log(`\ntwo sessions one after the other, ${seconds(pcm.length / 32)} of conversation each at real-time pace (120 ms frames):\n`);
  console.log('| session | lag p50 | lag p95 | final token lag p50 | p90 | final tokens |');
  console.log('|---|---|---|---|---|---|');
  const at = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `${(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! / 1000).toFixed(2)} s`;
  };
  runs.forEach((run, i) => {
    // Lag as bench/realtime.ts measures it: from sending a frame to the first message whose total_audio_proc_ms covers it.
    const lags: number[] = [];
    let m = 0;
    run.sentAt.slice(0, -1).forEach((sent, k) => {
      while (m < run.received.length && run.received[m]!.message.total_audio_proc_ms < (k + 1) * 120) m++;
      if (m < run.received.length) lags.push(run.received[m]!.at - sent);
    });
    // Final token lag: from sending the frame with a token's last audio to receiving the token as final.
    const finalLags: number[] = [];
    for (const r of run.received) {
      for (const t of (r.message.tokens ?? []) as { is_final: boolean; end_ms?: number }[]) {
        if (!t.is_final || t.end_ms === undefined) continue;
        finalLags.push(r.at - run.sentAt[Math.min(run.sentAt.length - 2, Math.floor(t.end_ms / 120))]!);
      }
    }
    const name = i === 0 ? 'with diarization' : 'without';
    console.log(`| ${name} | ${at(lags, 0.5)} | ${at(lags, 0.95)} | ${at(finalLags, 0.5)} | ${at(finalLags, 0.9)} | ${finalTokens(run).length} |`);
  });
} finally {
  await hark.dispose();
  rmSync(dir, { recursive: true, force: true });
}
