/**
 * The real Apertium: Debian's apertium-apy with the pairs scripts/setup.mjs
 * installs (apertium-eng-spa, apertium-fr-es).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { TranslationError } from '../translator.js';
import { ApertiumTranslator, cleanOutput } from './apertium-translator.js';
import { ApyClient } from './apy-client.js';
import { ApyServer } from './apy-server.js';

const PAIRS_DIR = '/usr/share/apertium/modes';

/** Alive and not a zombie (an orphan's parent here, PID 1, may never reap it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('cleanOutput', () => {
  it('removes Apertium marks and its extra blanks', () => {
    assert.equal(cleanOutput(' Soy John Smith  y  #querer las @montañas. '), 'Soy John Smith y querer las montañas.');
    assert.equal(cleanOutput('¿*Cómo estás?'), '¿Cómo estás?');
  });
});

describe('Apertium through a supervised APy', () => {
  let server: ApyServer;
  let firstPid: number;
  let translator: ApertiumTranslator;

  before(async () => {
    server = new ApyServer({ pairsDir: PAIRS_DIR });
    const serving = once(server, 'serving');
    await server.start();
    firstPid = (await serving)[0].pid;
    translator = new ApertiumTranslator(new ApyClient((signal) => server.url(signal), 10_000));
  });
  after(() => server.close());

  it('lists the installed pairs in Soniox codes, one entry per direction', async () => {
    const pairs = await translator.pairs();
    for (const expected of [
      { source: 'en', target: 'es' },
      { source: 'es', target: 'en' },
      { source: 'es', target: 'fr' },
      { source: 'fr', target: 'es' },
    ]) {
      assert.ok(pairs.some((p) => p.source === expected.source && p.target === expected.target), JSON.stringify(pairs));
    }
    assert.equal(new Set(pairs.map((p) => `${p.source}:${p.target}`)).size, pairs.length);
  });

  it('translates plain text, with single spaces and no blanks around', async () => {
    assert.equal(await translator.translate('He was here.', 'en', 'es'), 'Era aquí.');
    assert.equal(await translator.translate('Era aquí.', 'es', 'en'), 'It was here.');
    assert.equal(await translator.translate('Bonjour à tous', 'fr', 'es'), 'Saludo a todos');
    // Plain text: markup characters are words, not tags.
    assert.equal(await translator.translate('Tom & Jerry <b>love</b> cheese', 'en', 'es'), 'Tom & Jerry <b>quiere</b> queso');
  });

  it('refuses a direction that is not installed', async () => {
    await assert.rejects(translator.translate('Hello', 'en', 'fr'), TranslationError);
  });

  it('stops waiting when the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('caller gave up'));
    await assert.rejects(translator.translate('He was here.', 'en', 'es', controller.signal), /caller gave up/);
  });

  it('restarts APy when it dies, and translates again', async () => {
    const died = once(server, 'died');
    const serving = once(server, 'serving');
    process.kill(firstPid, 'SIGKILL');
    assert.equal((await died)[0].signal, 'SIGKILL');
    assert.notEqual((await serving)[0].pid, firstPid);
    assert.equal(await translator.translate('He was here.', 'en', 'es'), 'Era aquí.');
  });

  it('stops APy on close', async () => {
    const own = new ApyServer({ pairsDir: PAIRS_DIR });
    const serving = once(own, 'serving');
    await own.start();
    const { pid } = (await serving)[0];
    assert.ok(isRunning(pid));
    await own.close();
    assert.equal(isRunning(pid), false);
    await assert.rejects(own.url(new AbortController().signal), TranslationError);
  });
});

describe('an APy that cannot start', () => {
  it('rejects start with a TranslationError and leaves nothing running', async () => {
    const server = new ApyServer({ pairsDir: PAIRS_DIR, python: '/nonexistent/python3' });
    await assert.rejects(server.start(), TranslationError);
    await server.close();
  });

  it('dies with its parent process', async () => {
    // A child Node process starts APy and is then killed outright.
    const script = `
      import { ApyServer } from ${JSON.stringify(new URL('./apy-server.js', import.meta.url).href)};
      const server = new ApyServer({ pairsDir: ${JSON.stringify(PAIRS_DIR)} });
      server.on('serving', (info) => console.log(JSON.stringify(info)));
      await server.start();
    `;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    parent.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = once(parent, 'exit').then(() => assert.fail(`the parent exited early: ${output}`));
    while (!/"pid":\d+/.test(output)) await Promise.race([once(parent.stdout!, 'data'), exited]);
    const pid = Number(/"pid":(\d+)/.exec(output)![1]);
    assert.ok(isRunning(pid));
    parent.kill('SIGKILL');
    await once(parent, 'exit');
    // PR_SET_PDEATHSIG delivers SIGTERM at once; APy then needs a moment to exit.
    const deadline = Date.now() + 10_000;
    while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(isRunning(pid), false);
  });
});
