import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FsBlobStore } from './fs-blob-store.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function store(): Promise<{ dir: string; blobs: FsBlobStore }> {
  const dir = await mkdtemp(join(tmpdir(), 'hark-blobs-'));
  dirs.push(dir);
  const blobs = new FsBlobStore(dir);
  await blobs.init();
  return { dir, blobs };
}

async function upload(blobs: FsBlobStore, id: string, bytes: string): Promise<void> {
  const writer = await blobs.createWriter();
  writer.stream.write(bytes);
  await writer.commit(id);
}

async function age(path: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  await utimes(path, then, then);
}

describe('FsBlobStore shared by several nodes', () => {
  test('only blobs written before the cut-off are listed; dot files are never blobs', async () => {
    const { dir, blobs } = await store();
    await upload(blobs, 'old', 'a');
    await upload(blobs, 'fresh', 'b');
    await writeFile(join(dir, '.url-signing-secret'), 'secret');
    await age(join(dir, 'old'), 60_000);
    assert.deepEqual((await blobs.listIds()).sort(), ['fresh', 'old']);
    assert.deepEqual(await blobs.listIds(Date.now() - 30_000), ['old']);
  });

  test("clearing with a cut-off spares another node's upload in progress, and the whole clear removes it", async () => {
    const { dir, blobs } = await store();
    const stale = await blobs.createWriter();
    stale.stream.write('left by a dead node');
    const live = await blobs.createWriter();
    live.stream.write('still arriving');
    await new Promise((r) => setTimeout(r, 50));
    const incoming = join(dir, '.incoming');
    const [first] = (await readdir(incoming)).sort();
    // Which temp file is which does not matter: one is aged, the other stays fresh.
    await age(join(incoming, first!), 60_000);
    await blobs.clearIncomplete(Date.now() - 30_000);
    assert.equal((await readdir(incoming)).length, 1);
    await blobs.clearIncomplete();
    assert.deepEqual(await readdir(incoming), []);
    await stale.abort();
    await live.abort();
  });
});
