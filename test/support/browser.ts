/**
 * Debian's Chromium (`apt-get install chromium`, never a downloaded browser)
 * driven by playwright-core, with a fake microphone that plays a WAV file,
 * and the place screenshots are kept.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { librivoxUtterances } from './librivox.js';
import { encode, speechPcm } from './speech-audio.js';

const CHROMIUM = '/usr/bin/chromium';

/** `test-artifacts/` at the project root (git-ignored), from `dist/test/support/`. */
const ARTIFACTS_DIR = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Starts Chromium headless with a fresh profile. With `microphoneWav`, every
 * page's microphone is that file, played once from when the page opens it
 * (then silence); permission prompts are accepted.
 */
export async function launchChromium(options: { microphoneWav?: string } = {}): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'hark-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
  ];
  if (options.microphoneWav) args.push(`--use-file-for-fake-audio-capture=${options.microphoneWav}%noloop`);
  // A persistent context is the way to give Chromium its own --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface MicrophoneRecording {
  wavPath: string;
  /** The words said, lower case. */
  reference: string;
  /** Where the last word ends, in ms from the start of the file. */
  speechEndMs: number;
}

/**
 * LibriVox utterances as a 16-bit PCM WAV (what Chromium's fake capture
 * reads), after half a second of silence, with pauses between utterances
 * (so endpoint detection cuts them) and three seconds of silence after.
 */
export function microphoneRecording(dir: string, indexes: number[]): MicrophoneRecording {
  const leadMs = 500;
  const pauseMs = 1200;
  const tailMs = 3000;
  const speech = speechPcm(indexes, pauseMs);
  const pcm = Buffer.concat([Buffer.alloc(leadMs * 32), speech, Buffer.alloc(tailMs * 32)]);
  const all = librivoxUtterances();
  return {
    wavPath: encode(dir, pcm, 'microphone.wav'),
    reference: indexes.map((i) => all[i]!.reference).join(' '),
    speechEndMs: leadMs + speech.length / 32 - pauseMs,
  };
}

/** Where a screenshot named `name` goes; the directory is created. */
export async function artifactPath(name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}
