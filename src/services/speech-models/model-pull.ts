/**
 * Installs a catalogue model: download the archive (resuming a partial one),
 * check its size and sha256, unpack it beside the models, then rename it into
 * place, so `$HARK_DATA_DIR/models/<id>` is either absent or complete.
 *
 * Outbound policy: these requests are made by the operator's own command, to
 * the official release URL or to the operator's HARK_MODEL_MIRROR (often a
 * LAN or loopback cache), never to a URL an API client chose. So they do not
 * go through lib/outbound-http's guard, which exists for `audio_url` and
 * webhooks and refuses loopback; see docs/security/outbound.md.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { archiveUrl, type CatalogueModel } from './model-catalogue.js';
import { MODEL_DESCRIPTION_FILE, modelsDir, type ModelDescription } from './installed-models.js';

/** A pull that failed; `message` is written for people and says what to do next. */
export class ModelPullError extends Error {
  override name = 'ModelPullError';
  constructor(
    message: string,
    readonly reason: 'unreachable' | 'http' | 'interrupted' | 'size' | 'checksum' | 'unpack' | 'installed',
  ) {
    super(message);
  }
}

export interface PullProgress {
  /** Bytes of the archive on disk so far (a resumed pull starts above 0). */
  downloaded(doneBytes: number, totalBytes: number): void;
  step(text: string): void;
}

export interface PullOptions {
  dataDir: string;
  /** HARK_MODEL_MIRROR, or null for the official release. */
  mirror: string | null;
  progress: PullProgress;
  signal?: AbortSignal;
  /** An archive copied in by hand: checked and unpacked, nothing downloaded. */
  archivePath?: string;
}

export interface PullResult {
  dir: string;
  sha256: string;
  /** True when the download continued a partial archive left by an earlier pull. */
  resumed: boolean;
}

const MAX_REDIRECTS = 5;
/** The errors that mean "no route to that host", as opposed to the host answering badly. */
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNREFUSED', 'ETIMEDOUT']);
/** Giving up on a silent connection: downloads are large, but a stalled one should not hang forever. */
const SOCKET_IDLE_MS = 60_000;

/** Where an interrupted download of `model` waits to be resumed. */
export function partialPath(dataDir: string, model: CatalogueModel): string {
  return join(modelsDir(dataDir), '.partial', `${model.archive}.part`);
}

function manualInstallHint(model: CatalogueModel, url: URL, dataDir: string): string {
  const digest = model.sha256 ? `check that its sha256 is ${model.sha256}, ` : `check that it is ${model.sizeBytes} bytes, `;
  return (
    `To install it by hand: on a machine that can reach the internet, download ${url.href}; ` +
    `${digest}copy it here and run "hark models pull ${model.id} --archive <file>" ` +
    `(it is checked and unpacked into ${join(modelsDir(dataDir), model.id)}). ` +
    'Or set HARK_MODEL_MIRROR to a server on your network that holds the archive.'
  );
}

/** GET with an optional byte range, following redirects (GitHub's release URLs redirect to a CDN). */
async function get(url: URL, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const send = current.protocol === 'https:' ? httpsRequest : current.protocol === 'http:' ? httpRequest : null;
    if (send === null) throw new ModelPullError(`Cannot download from ${current.href}: only http and https URLs are supported`, 'http');
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(current, { headers: { 'user-agent': 'hark-models', ...headers }, ...(signal ? { signal } : {}) }, resolve);
      req.setTimeout(SOCKET_IDLE_MS, () => req.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end();
    });
    const location = response.headers.location;
    if (response.statusCode !== undefined && [301, 302, 303, 307, 308].includes(response.statusCode) && location) {
      response.resume();
      if (hop >= MAX_REDIRECTS) throw new ModelPullError(`Too many redirects from ${url.href}`, 'http');
      current = new URL(location, current);
      continue;
    }
    return response;
  }
}

/**
 * Downloads into the partial file, continuing it when the server honours a range.
 * @returns whether an existing partial file was continued.
 */
async function download(model: CatalogueModel, url: URL, part: string, options: PullOptions): Promise<boolean> {
  const have = existsSync(part) ? statSync(part).size : 0;
  if (have === model.sizeBytes) return true;
  let response: IncomingMessage;
  try {
    response = await get(url, have > 0 && have < model.sizeBytes ? { range: `bytes=${have}-` } : {}, options.signal);
  } catch (err) {
    if (err instanceof ModelPullError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (UNREACHABLE_CODES.has(code)) {
      throw new ModelPullError(
        `Cannot reach ${url.host} (${code}): no connection to it can be made from this machine. ${manualInstallHint(model, url, options.dataDir)}`,
        'unreachable',
      );
    }
    throw err;
  }
  const resumed = response.statusCode === 206;
  if (response.statusCode !== 200 && !resumed) {
    response.resume();
    throw new ModelPullError(`${url.href} answered ${response.statusCode}; ${manualInstallHint(model, url, options.dataDir)}`, 'http');
  }
  let done = resumed ? have : 0;
  options.progress.downloaded(done, model.sizeBytes);
  response.on('data', (chunk: Buffer) => {
    done += chunk.length;
    options.progress.downloaded(done, model.sizeBytes);
  });
  // A 200 to a range request means the server sent the whole file again: start over.
  const file = createWriteStream(part, { flags: resumed ? 'a' : 'w' });
  try {
    await pipeline(response, file);
  } catch (err) {
    // pipeline() rejects before the destroyed file has finished its last write: wait, so the
    // partial file's size is final before anyone (a resume) reads it.
    if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
    if (options.signal?.aborted) throw err;
    throw new ModelPullError(
      `The download of ${model.archive} stopped at ${done} of ${model.sizeBytes} bytes (${(err as Error).message}); run the same command again to resume it.`,
      'interrupted',
    );
  }
  if (done < model.sizeBytes) {
    throw new ModelPullError(
      `The download of ${model.archive} stopped at ${done} of ${model.sizeBytes} bytes; run the same command again to resume it.`,
      'interrupted',
    );
  }
  return resumed;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Checks size then digest; a wrong archive is deleted so the next pull starts clean. */
async function verify(model: CatalogueModel, archive: string, deleteOnFailure: boolean): Promise<string> {
  const size = statSync(archive).size;
  if (size !== model.sizeBytes) {
    if (deleteOnFailure) rmSync(archive, { force: true });
    throw new ModelPullError(`${model.archive} is ${size} bytes, expected ${model.sizeBytes}${deleteOnFailure ? '; it was deleted' : ''}.`, 'size');
  }
  const digest = await sha256Of(archive);
  if (model.sha256 !== null && digest !== model.sha256) {
    if (deleteOnFailure) rmSync(archive, { force: true });
    throw new ModelPullError(`${model.archive} has sha256 ${digest}, expected ${model.sha256}${deleteOnFailure ? '; it was deleted' : ''}.`, 'checksum');
  }
  return digest;
}

function runTar(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.on('error', (err) => reject(new ModelPullError(`Cannot run tar (${err.message}); install the tar and bzip2 packages.`, 'unpack')));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new ModelPullError(`tar failed (${code}): ${stderr.trim()}`, 'unpack'))));
  });
}

/**
 * Unpacks into a hidden directory beside the models and renames it into place:
 * a crash mid-way leaves only the hidden directory, removed by the next pull.
 */
async function unpack(model: CatalogueModel, archive: string, dataDir: string, sha256: string): Promise<string> {
  const root = modelsDir(dataDir);
  const staging = join(root, `.unpack-${model.id}`);
  const target = join(root, model.id);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    // --no-same-owner/--no-same-permissions: files belong to whoever runs Hark, whatever the archive says.
    await runTar(['-xjf', archive, '-C', staging, '--no-same-owner', '--no-same-permissions']);
    const top = readdirSync(staging, { withFileTypes: true });
    // The official archives hold one top-level directory; use its contents.
    const content = top.length === 1 && top[0]!.isDirectory() ? join(staging, top[0]!.name) : staging;
    const description: ModelDescription = { id: model.id, family: model.family, languages: [...model.languages], archiveSha256: sha256 };
    writeFileSync(join(content, MODEL_DESCRIPTION_FILE), `${JSON.stringify(description, null, 2)}\n`);
    renameSync(content, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

/**
 * Pulls `model` into `$HARK_DATA_DIR/models/<id>`.
 * @throws ModelPullError for every failure people can act on (unreachable host, HTTP error,
 *   interrupted download, wrong size or digest, tar failure, already installed).
 */
export async function pullModel(model: CatalogueModel, options: PullOptions): Promise<PullResult> {
  const root = modelsDir(options.dataDir);
  const target = join(root, model.id);
  if (existsSync(target)) throw new ModelPullError(`${model.id} is already installed in ${target}; "hark models remove ${model.id}" first to reinstall it.`, 'installed');
  mkdirSync(join(root, '.partial'), { recursive: true });
  if (options.archivePath !== undefined) {
    options.progress.step(`Checking ${options.archivePath}`);
    const sha256 = await verify(model, options.archivePath, false);
    options.progress.step(`Unpacking into ${target}`);
    return { dir: await unpack(model, options.archivePath, options.dataDir, sha256), sha256, resumed: false };
  }
  const url = archiveUrl(model, options.mirror);
  const part = partialPath(options.dataDir, model);
  options.progress.step(`Downloading ${url.href}`);
  const resumed = await download(model, url, part, options);
  options.progress.step(model.sha256 ? 'Checking size and sha256' : 'Checking size (no published sha256 for this archive)');
  const sha256 = await verify(model, part, true);
  options.progress.step(`Unpacking into ${target}`);
  const dir = await unpack(model, part, options.dataDir, sha256);
  rmSync(part, { force: true });
  return { dir, sha256, resumed };
}
