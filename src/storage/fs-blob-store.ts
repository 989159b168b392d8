import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { BlobStore, BlobWriter } from './ports.js';

const INCOMING = '.incoming';

/**
 * File bytes on the local disk, or on a volume several nodes mount
 * (HARK_BLOB_DIR). An upload is written under `.incoming/`, fsynced, then
 * renamed into place, so a blob either exists whole or not at all. Names
 * starting with a dot are not blobs (the temp dir, the URL signing secret).
 */
export class FsBlobStore implements BlobStore {
  constructor(private readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(join(this.dir, INCOMING), { recursive: true });
  }

  async createWriter(): Promise<BlobWriter> {
    const tmpPath = join(this.dir, INCOMING, `${randomUUID()}.part`);
    const stream: WriteStream = createWriteStream(tmpPath, { flags: 'wx' });
    const dir = this.dir;
    return {
      stream,
      async commit(id: string) {
        if (!stream.writableFinished) {
          stream.end();
          await finished(stream);
        }
        const handle = await open(tmpPath, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(tmpPath, join(dir, id));
        const dirHandle = await open(dir, 'r');
        try {
          await dirHandle.sync();
        } finally {
          await dirHandle.close();
        }
      },
      async abort() {
        stream.destroy();
        await rm(tmpPath, { force: true });
      },
    };
  }

  path(id: string): string {
    return join(this.dir, id);
  }

  async exists(id: string): Promise<boolean> {
    try {
      return (await stat(this.path(id))).isFile();
    } catch {
      return false;
    }
  }

  async delete(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
  }

  async listIds(writtenBeforeMs = Infinity): Promise<string[]> {
    const entries = await readdir(this.dir, { withFileTypes: true });
    const names = entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name);
    return writtenBeforeMs === Infinity ? names : this.writtenBefore(this.dir, names, writtenBeforeMs);
  }

  async clearIncomplete(writtenBeforeMs = Infinity): Promise<void> {
    const incoming = join(this.dir, INCOMING);
    if (writtenBeforeMs === Infinity) {
      await rm(incoming, { recursive: true, force: true });
      await mkdir(incoming, { recursive: true });
      return;
    }
    // Another node's upload in progress writes to its temp file all along: only stale ones are dead.
    for (const name of await this.writtenBefore(incoming, await readdir(incoming), writtenBeforeMs)) {
      await rm(join(incoming, name), { force: true });
    }
  }

  private async writtenBefore(dir: string, names: string[], beforeMs: number): Promise<string[]> {
    const stale: string[] = [];
    for (const name of names) {
      try {
        if ((await stat(join(dir, name))).mtimeMs < beforeMs) stale.push(name);
      } catch {
        // Committed or deleted by another node meanwhile: not ours to judge.
      }
    }
    return stale;
  }
}
