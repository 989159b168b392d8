/** Async throughput as a client sees it: upload, create, and time until the last completion webhook. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { SonioxNodeClient } from '@soniox/node';
import type { HarkProcess } from '../test/support/hark-process.js';

/**
 * Wall seconds for `entry` (a node serving the API) to complete every file,
 * from the first create to the last webhook, so client polling adds nothing.
 */
export async function wallSeconds(entry: HarkProcess, files: string[]): Promise<number> {
  const client = new SonioxNodeClient({ api_key: entry.apiKey, base_url: entry.baseUrl });
  const uploaded = await Promise.all(files.map(async (f) => (await client.files.upload(await readFile(f))).id));
  const pending = new Set<string>();
  let allDone!: () => void;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const event = JSON.parse(body) as { id: string; status: string };
      if (event.status !== 'completed') throw new Error(`transcription ${event.id} ended in ${event.status}`);
      pending.delete(event.id);
      res.end();
      if (pending.size === 0) allDone();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/done`;
  const started = performance.now();
  for (const fileId of uploaded) pending.add((await client.stt.create({ model: 'stt-async-v4', file_id: fileId, webhook_url: webhookUrl })).id);
  await finished;
  const seconds = (performance.now() - started) / 1000;
  receiver.close();
  return seconds;
}
