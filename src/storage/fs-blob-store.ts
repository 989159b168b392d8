import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { BlobStore, BlobWriter } from './ports.js';

const INCOMING = '.incoming';

/**
 * File bytes on the local disk. An upload is written under `.incoming/`,
 * fsynced, then renamed into place, so a blob either exists whole or not at all.
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

  async listIds(): Promise<string[]> {
    const entries = await readdir(this.dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => e.name);
  }

  async clearIncomplete(): Promise<void> {
    await rm(join(this.dir, INCOMING), { recursive: true, force: true });
    await mkdir(join(this.dir, INCOMING), { recursive: true });
  }
}
