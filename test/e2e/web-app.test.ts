/**
 * The web app in a real browser (Debian's Chromium through playwright-core)
 * against the real server: live captions from a fake microphone that plays
 * LibriVox speech, and an upload that ends with its transcript on screen.
 * Screenshots of both go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { wordErrorRate } from '../../src/lib/wer.js';
import { type Browser, type MicrophoneRecording, artifactPath, launchChromium, microphoneRecording } from '../support/browser.js';
import { type HarkProcess, api, startHark } from '../support/hark-process.js';
import { librivoxUtterances } from '../support/librivox.js';
import { encode, speechPcm } from '../support/speech-audio.js';

// Code that runs in the page gets its elements from locators, or the page's
// globals from `globalThis`: this project's TypeScript has Node's types, not
// the DOM's. (Predicates are functions: the page's CSP forbids eval'd strings.)

/** Live recognition of Opus from the browser; the same engine reaches about 0.3 on these recordings (README, Context). */
const LIVE_MAX_WER = 0.5;
const UPLOAD_MAX_WER = 0.45;

async function signIn(page: Page, hark: HarkProcess): Promise<void> {
  await page.goto(hark.baseUrl);
  await page.fill('#api-key', hark.apiKey);
  await page.click('#sign-in-submit');
  await page.waitForSelector('#live:not([hidden])');
}

describe('web app in Chromium', () => {
  let hark: HarkProcess;
  let dir: string;
  let microphone: MicrophoneRecording;
  let browser: Browser;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hark-web-'));
    // Three sentences, 15 s: "he was not an ill disposed young man", …
    microphone = microphoneRecording(dir, [1, 2, 4]);
    [hark, browser] = await Promise.all([startHark(), launchChromium({ microphoneWav: microphone.wavPath })]);
  });

  after(async () => {
    await browser?.close();
    await hark?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  test('sign-in refuses a wrong key and keeps the right one out of storage', async () => {
    const page = await browser.context.newPage();
    await page.goto(hark.baseUrl);
    await page.fill('#api-key', 'not-a-key');
    await page.click('#sign-in-submit');
    await page.waitForSelector('#sign-in-error:not([hidden])');
    assert.match((await page.textContent('#sign-in-error'))!, /did not accept this API key/);

    await page.fill('#api-key', hark.apiKey);
    await page.click('#sign-in-submit');
    await page.waitForSelector('#live:not([hidden])');
    // The input is cleared once sign-in resolves, which may come just after the Live tab shows.
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#api-key').value === '', null, { timeout: 10_000 });
    assert.equal(await page.inputValue('#api-key'), '');
    const stored = await page.evaluate(() => {
      const w = globalThis as any;
      return { local: w.localStorage.length, session: w.sessionStorage.length, cookie: w.document.cookie };
    });
    assert.deepEqual(stored, { local: 0, session: 0, cookie: '' });
    await page.close();
  });

  test('a denied microphone gets a message that says what to do', async () => {
    const page = await browser.context.newPage();
    // The fake-UI flag grants every prompt, so the denial is the browser's own error, injected.
    await page.addInitScript({
      content: "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));",
    });
    await signIn(page, hark);
    await page.click('#live-start');
    await page.waitForSelector('#live-error:not([hidden])');
    assert.match((await page.textContent('#live-error'))!, /Microphone access was denied\. Allow the microphone/);
    assert.equal(await page.isEnabled('#live-start'), true);
    await page.close();
  });

  test('live: captions from the microphone appear word by word, final text matches the speech', async (t) => {
    const page = await browser.context.newPage();
    const startMessages: string[] = [];
    page.on('websocket', (socket) => {
      socket.on('framesent', (frame) => {
        if (typeof frame.payload === 'string' && frame.payload.startsWith('{"api_key"')) startMessages.push(frame.payload);
      });
    });
    await signIn(page, hark);
    // Translation choices come from GET /v1/models: English into Spanish here.
    await page.selectOption('#live-translation-mode', 'one_way');
    await page.selectOption('#live-translation-target', 'es');
    await page.click('#live-start');

    // Non-final words show first, drawn differently from final ones.
    const nonFinal = await page.waitForSelector('#captions .word.non-final', { timeout: 60_000 });
    const colourOf = (e: any): string => e.ownerDocument.defaultView.getComputedStyle(e).color;
    const nonFinalColour = await nonFinal.evaluate(colourOf);
    const streaming = await artifactPath('web-live-streaming.png');
    await page.screenshot({ path: streaming });
    t.diagnostic(`screenshot: ${streaming}`);
    // Until the server has made the last word final (the page shows its final_audio_proc_ms).
    await page.waitForFunction(
      (endMs) => Number((globalThis as any).document.querySelector('#captions').dataset.finalAudioMs ?? 0) >= endMs,
      microphone.speechEndMs,
      { timeout: 90_000, polling: 200 },
    );
    await page.click('#live-stop');
    await page.locator('#live-status', { hasText: /^Finished$/ }).waitFor({ timeout: 30_000 });

    // Each line's words as drawn; lines apart (a line starts without its leading space).
    const words = async (kind: string) =>
      (
        await page
          .locator(`#captions .line[data-kind="${kind}"]`)
          .evaluateAll((lines) => lines.map((line) => [...line.querySelectorAll('.word')].map((w: any) => w.textContent).join('')))
      ).join(' ');
    const caption = {
      original: await words('original'),
      translation: await words('translation'),
      translationLanguages: [...new Set(await page.locator('#captions .line[data-kind="translation"]').evaluateAll((lines) => lines.map((l) => l.getAttribute('lang'))))],
      nonFinalLeft: await page.locator('#captions .word.non-final').count(),
      endpoints: await page.locator('#captions .endpoint').count(),
      speakers: await page.locator('#captions .turn .speaker').allTextContents(),
      finalColour: await page.locator('#captions .word.final').first().evaluate(colourOf),
      error: await page.textContent('#live-error'),
    };
    const screenshot = await artifactPath('web-live.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    t.diagnostic(`screenshot: ${screenshot}`);

    const wer = wordErrorRate(microphone.reference, caption.original);
    t.diagnostic(`live captions: "${caption.original}" (WER ${(wer * 100).toFixed(1)}% against "${microphone.reference}")`);
    assert.equal(caption.error, '');
    assert.ok(wer <= LIVE_MAX_WER, `WER ${wer}`);
    assert.notEqual(nonFinalColour, caption.finalColour, 'non-final words look different from final ones');
    assert.equal(caption.nonFinalLeft, 0, 'after the session every word is final');
    assert.ok(caption.endpoints >= 2, `an endpoint marker per utterance (${caption.endpoints})`);
    assert.ok(caption.speakers.length >= 1 && caption.speakers.every((s) => /^Speaker \d+$/.test(s)), String(caption.speakers));
    assert.ok(caption.translation.trim().length > 0);
    assert.deepEqual(caption.translationLanguages, ['es']);
    // The WebSocket only ever carried a single-use temporary key.
    assert.equal(startMessages.length, 1);
    const start = JSON.parse(startMessages[0]!);
    assert.match(start.api_key, /^temp:/);
    assert.equal(start.audio_format, 'auto');
    assert.deepEqual(start.translation, { type: 'one_way', target_language: 'es' });
    await page.close();
  });

  test('files: an upload with progress ends with its transcript on screen, seekable, exportable and deletable', async (t) => {
    const all = librivoxUtterances();
    const audio = encode(dir, speechPcm([0, 3], 1500), 'two-sentences.mp3');
    const reference = [all[0]!.reference, all[3]!.reference].join(' ');
    const page = await browser.context.newPage();
    await signIn(page, hark);
    await page.click('#tabs [data-tab="files"]');
    await page.setInputFiles('#upload-file', audio);
    await page.check('#upload-diarize');
    await page.selectOption('#upload-translation-mode', 'one_way');
    await page.selectOption('#upload-translation-target', 'es');
    await page.click('#upload-submit');

    await page.waitForSelector('#transcript[data-status="completed"] .segment', { timeout: 90_000 });
    assert.equal(await page.textContent('#upload-progress-text'), 'Uploaded two-sentences.mp3.');
    assert.equal(await page.locator('#upload-bar').evaluate((bar: any) => bar.value === bar.max), true);
    const row = page.locator('#transcription-rows tr.selected');
    assert.equal(await row.getAttribute('data-status'), 'completed');
    assert.match((await row.textContent())!, /two-sentences\.mp3/);

    const shown = {
      original: (await page.locator('#transcript-body .segment .original .word').allTextContents()).join(' '),
      translations: await page
        .locator('#transcript-body .segment .translation')
        .evaluateAll((ps) => ps.map((p) => ({ lang: p.getAttribute('lang'), text: p.textContent }))),
      times: (await page.locator('#transcript-body .time').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-start-ms')))).map(Number),
      speakers: await page.locator('#transcript-body .speaker').allTextContents(),
      lowConfidence: await page.locator('#transcript-body .low-confidence').evaluateAll((ws) => ws.map((w) => w.getAttribute('title'))),
      transcriptionId: await row.getAttribute('data-id'),
    };
    const wer = wordErrorRate(reference, shown.original);
    t.diagnostic(`transcript on screen: "${shown.original}" (WER ${(wer * 100).toFixed(1)}%)`);
    assert.ok(wer <= UPLOAD_MAX_WER, `WER ${wer}`);
    assert.ok(shown.speakers.length >= 1 && shown.speakers.every((s) => /^Speaker \d+$/.test(s)), String(shown.speakers));
    assert.ok(
      shown.translations.length >= 2 && shown.translations.every((tr: { lang: string; text: string }) => tr.lang === 'es' && tr.text.length > 0),
      JSON.stringify(shown.translations),
    );
    assert.ok(shown.times.length >= 2 && shown.times[0]! < shown.times.at(-1)!);

    // Low-confidence words on screen are exactly the API's tokens under 0.5.
    const transcript = (await api(hark, 'GET', `/v1/transcriptions/${shown.transcriptionId}/transcript`)).body;
    const low = transcript.tokens.filter((tok: any) => tok.translation_status !== 'translation' && tok.confidence < 0.5 && tok.text.trim() !== '');
    assert.equal(shown.lowConfidence.length, low.length);
    assert.ok(shown.lowConfidence.every((title: string | null) => /^Confidence \d+%$/.test(title ?? '')));

    // A timestamp seeks the player (the file's temporary URL serves byte ranges).
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#player').readyState >= 1);
    const lastStartMs = shown.times.at(-1)!;
    await page.click(`#transcript-body .time[data-start-ms="${lastStartMs}"]`);
    await page.waitForFunction(
      (seconds) => (globalThis as any).document.querySelector('#player').currentTime >= seconds - 0.05,
      lastStartMs / 1000,
      { timeout: 10_000 },
    );
    await page.locator('#player').evaluate((player: any) => player.pause());

    const exported: Record<string, string> = {};
    for (const format of ['txt', 'srt', 'vtt', 'json']) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#transcript-exports [data-format="${format}"]`)]);
      assert.equal(download.suggestedFilename(), `two-sentences.${format}`);
      exported[format] = await readFile((await download.path())!, 'utf8');
    }
    assert.match(exported.txt!, /^Speaker \d+ \(0:0\d\)\n/);
    assert.match(exported.srt!, /^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n\[Speaker \d+\] /);
    assert.match(exported.vtt!, /^WEBVTT\n\n\d\d:\d\d:\d\d\.\d{3} --> /);
    assert.deepEqual(JSON.parse(exported.json!), transcript);

    const screenshot = await artifactPath('web-files.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    t.diagnostic(`screenshot: ${screenshot}`);

    // Delete asks once, then removes the transcription and its audio.
    const fileId = (await api(hark, 'GET', `/v1/transcriptions/${shown.transcriptionId}`)).body.file_id;
    await page.click('#transcript-delete');
    assert.match((await page.textContent('#transcript-delete'))!, /Delete transcription and audio\?/);
    await page.click('#transcript-delete');
    await page.waitForSelector('#transcript', { state: 'hidden' });
    await page.waitForSelector(`#transcription-rows tr[data-id="${shown.transcriptionId}"]`, { state: 'detached' });
    assert.equal((await api(hark, 'GET', `/v1/transcriptions/${shown.transcriptionId}`)).status, 404);
    assert.equal((await api(hark, 'GET', `/v1/files/${fileId}`)).status, 404);
    await page.close();
  });
});
