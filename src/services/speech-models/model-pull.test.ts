import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { CatalogueModel } from './model-catalogue.js';
import { installedModelDir, listInstalledModels, removeInstalledModel } from './installed-models.js';
import { ModelPullError, pullModel, type PullProgress } from './model-pull.js';

/** How the test server answers the next archive request. */
type Behaviour = 'whole' | 'cut-off' | 'ranges';

interface ServedRequest {
  url: string;
  headers: IncomingHttpHeaders;
}

const work = mkdtempSync(join(tmpdir(), 'hark-model-pull-'));
let archive: Buffer;
let archivePath: string;
let behaviour: Behaviour = 'whole';
let served: ServedRequest[] = [];
let server: Server;
let mirror: string;

function model(overrides: Partial<CatalogueModel> = {}): CatalogueModel {
  return {
    id: 'test-ctc',
    family: 'zipformer-ctc',
    languages: ['en'],
    archive: 'test-ctc-2026.tar.bz2',
    sizeBytes: archive.length,
    sha256: createHash('sha256').update(archive).digest('hex'),
    checksumSource: 'built by the test',
    publishedAccuracy: 'none',
    summary: 'an archive the test builds',
    ...overrides,
  };
}

const quiet: PullProgress = { downloaded: () => undefined, step: () => undefined };

function freshDataDir(): string {
  return mkdtempSync(join(work, 'data-'));
}

before(async () => {
  // The archive looks like an official one: one top-level directory; random bytes so bzip2 cannot shrink it.
  const source = join(work, 'source', 'sherpa-onnx-test-ctc-2026');
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, 'tokens.txt'), '<blk> 0\n▁low 1\n▁high 2\n');
  writeFileSync(join(source, 'model.onnx'), randomBytes(300_000));
  archivePath = join(work, 'test-ctc-2026.tar.bz2');
  execFileSync('tar', ['-cjf', archivePath, '-C', join(work, 'source'), 'sherpa-onnx-test-ctc-2026']);
  archive = readFileSync(archivePath);

  server = createServer((req, res) => {
    served.push({ url: req.url ?? '', headers: req.headers });
    if (req.url?.startsWith('/moved/')) {
      res.writeHead(302, { location: req.url.replace('/moved/', '/files/') }).end();
      return;
    }
    if (!req.url?.startsWith('/files/')) {
      res.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (behaviour === 'ranges' && range) {
      const from = Number(range[1]);
      res.writeHead(206, { 'content-length': archive.length - from, 'content-range': `bytes ${from}-${archive.length - 1}/${archive.length}` });
      res.end(archive.subarray(from));
      return;
    }
    res.writeHead(200, { 'content-length': archive.length });
    if (behaviour === 'cut-off') {
      // Half the archive, then the connection drops, as when a link goes down mid-download.
      res.write(archive.subarray(0, Math.floor(archive.length / 2)), () => res.destroy());
      return;
    }
    res.end(archive);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files`;
});

after(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  behaviour = 'whole';
  served = [];
});

describe('pullModel', () => {
  it('downloads an archive with the right sha256 and installs it under models/<id>, with its description', async () => {
    const dataDir = freshDataDir();
    const seen: number[] = [];
    const result = await pullModel(model(), { dataDir, mirror, progress: { downloaded: (done) => seen.push(done), step: () => undefined } });
    assert.equal(result.dir, join(dataDir, 'models', 'test-ctc'));
    assert.equal(result.resumed, false);
    assert.equal(readFileSync(join(result.dir, 'tokens.txt'), 'utf8'), '<blk> 0\n▁low 1\n▁high 2\n');
    assert.equal(statSync(join(result.dir, 'model.onnx')).size, 300_000);
    assert.deepEqual(
      listInstalledModels(dataDir).map(({ id, family, languages, archiveSha256 }) => ({ id, family, languages, archiveSha256 })),
      [{ id: 'test-ctc', family: 'zipformer-ctc', languages: ['en'], archiveSha256: model().sha256 }],
    );
    assert.equal(seen.at(-1), archive.length);
    assert.equal(existsSync(join(dataDir, 'models', '.partial', 'test-ctc-2026.tar.bz2.part')), false);
    assert.equal(existsSync(join(dataDir, 'models', '.unpack-test-ctc')), false);
  });

  it('follows a redirect, as GitHub release URLs redirect to their CDN', async () => {
    const dataDir = freshDataDir();
    await pullModel(model(), { dataDir, mirror: mirror.replace('/files', '/moved'), progress: quiet });
    assert.deepEqual(served.map((r) => r.url), ['/moved/test-ctc-2026.tar.bz2', '/files/test-ctc-2026.tar.bz2']);
    assert.notEqual(installedModelDir(dataDir, 'test-ctc'), null);
  });

  it('refuses an archive whose sha256 differs, deletes it and installs nothing', async () => {
    const dataDir = freshDataDir();
    const expected = 'a'.repeat(64);
    await assert.rejects(pullModel(model({ sha256: expected }), { dataDir, mirror, progress: quiet }), (err: unknown) => {
      assert.ok(err instanceof ModelPullError);
      assert.equal(err.reason, 'checksum');
      assert.match(err.message, new RegExp(`has sha256 ${model().sha256}, expected ${expected}; it was deleted`));
      return true;
    });
    assert.equal(existsSync(join(dataDir, 'models', 'test-ctc')), false);
    assert.equal(existsSync(join(dataDir, 'models', '.partial', 'test-ctc-2026.tar.bz2.part')), false);
  });

  it('checks the size when the catalogue has no sha256, and reports the digest it computed', async () => {
    const dataDir = freshDataDir();
    const result = await pullModel(model({ sha256: null }), { dataDir, mirror, progress: quiet });
    assert.equal(result.sha256, model().sha256);
    await assert.rejects(pullModel(model({ id: 'other', sha256: null, sizeBytes: archive.length + 1 }), { dataDir: freshDataDir(), mirror, progress: quiet }), /stopped at \d+ of \d+ bytes/);
  });

  it('keeps a cut-off download, says how far it got, and resumes it with a range request', async () => {
    const dataDir = freshDataDir();
    behaviour = 'cut-off';
    const half = Math.floor(archive.length / 2);
    await assert.rejects(pullModel(model(), { dataDir, mirror, progress: quiet }), (err: unknown) => {
      assert.ok(err instanceof ModelPullError);
      assert.equal(err.reason, 'interrupted');
      assert.match(err.message, /run the same command again to resume it/);
      return true;
    });
    const part = join(dataDir, 'models', '.partial', 'test-ctc-2026.tar.bz2.part');
    const kept = statSync(part).size;
    assert.ok(kept > 0 && kept <= half, `kept ${kept} bytes of ${archive.length}`);
    assert.equal(existsSync(join(dataDir, 'models', 'test-ctc')), false);

    behaviour = 'ranges';
    served = [];
    const result = await pullModel(model(), { dataDir, mirror, progress: quiet });
    assert.equal(result.resumed, true);
    assert.deepEqual(served.map((r) => r.headers.range), [`bytes=${kept}-`]);
    assert.equal(result.sha256, model().sha256);
    assert.equal(statSync(join(result.dir, 'model.onnx')).size, 300_000);
    assert.equal(existsSync(part), false);
  });

  it('starts over when the server ignores the range and sends the whole archive', async () => {
    const dataDir = freshDataDir();
    behaviour = 'cut-off';
    await assert.rejects(pullModel(model(), { dataDir, mirror, progress: quiet }), /resume/);
    behaviour = 'whole';
    served = [];
    const result = await pullModel(model(), { dataDir, mirror, progress: quiet });
    assert.equal(result.resumed, false);
    assert.match(served[0]!.headers.range ?? '', /^bytes=\d+-$/);
    assert.equal(result.sha256, model().sha256);
  });

  it('says plainly when the host cannot be reached, and how to copy the model in by hand', async () => {
    const dataDir = freshDataDir();
    await assert.rejects(pullModel(model(), { dataDir, mirror: 'http://models.hark-test.invalid/asr', progress: quiet }), (err: unknown) => {
      assert.ok(err instanceof ModelPullError);
      assert.equal(err.reason, 'unreachable');
      assert.match(err.message, /^Cannot reach models\.hark-test\.invalid \((ENOTFOUND|EAI_AGAIN)\)/);
      assert.match(err.message, /download http:\/\/models\.hark-test\.invalid\/asr\/test-ctc-2026\.tar\.bz2/);
      assert.match(err.message, /hark models pull test-ctc --archive <file>/);
      assert.match(err.message, /HARK_MODEL_MIRROR/);
      return true;
    });
  });

  it('installs an archive copied in by hand, checked against the catalogue', async () => {
    const dataDir = freshDataDir();
    const result = await pullModel(model(), { dataDir, mirror: 'http://models.hark-test.invalid', archivePath, progress: quiet });
    assert.equal(served.length, 0);
    assert.equal(statSync(join(result.dir, 'model.onnx')).size, 300_000);
    assert.ok(existsSync(archivePath), 'the copied archive is the user’s and stays');
    await assert.rejects(pullModel(model({ id: 'bad', sha256: 'b'.repeat(64) }), { dataDir, mirror: null, archivePath, progress: quiet }), /expected b{64}\.$/);
    assert.ok(existsSync(archivePath));
  });

  it('refuses to overwrite an installed model, and remove deletes it', async () => {
    const dataDir = freshDataDir();
    await pullModel(model(), { dataDir, mirror, progress: quiet });
    await assert.rejects(pullModel(model(), { dataDir, mirror, progress: quiet }), /already installed/);
    assert.equal(removeInstalledModel(dataDir, 'test-ctc'), true);
    assert.equal(removeInstalledModel(dataDir, 'test-ctc'), false);
    assert.deepEqual(listInstalledModels(dataDir), []);
  });
});
