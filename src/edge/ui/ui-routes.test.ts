import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { uiRoutes } from './ui-routes.js';

describe('uiRoutes', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hark-ui-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Hark</title>');
    await writeFile(join(dir, 'assets', 'main-abc123.js'), 'console.log(1)');
    await writeFile(join(dir, 'favicon.svg'), '<svg/>');
  });

  after(() => rm(dir, { recursive: true, force: true }));

  async function app(uiDir: string, publicUrl: string | null = null) {
    const instance = Fastify();
    await instance.register(uiRoutes, { dir: uiDir, publicUrl });
    return instance;
  }

  it('serves the page at / with a strict content security policy', async () => {
    const instance = await app(dir, 'https://stt.example.com/');
    const response = await instance.inject('/');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(response.body, '<!doctype html><title>Hark</title>');
    const csp = String(response.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /connect-src 'self'/);
    assert.match(csp, /media-src 'self' blob: https:\/\/stt\.example\.com(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers['x-frame-options'], 'DENY');
    await instance.close();
  });

  it('serves hashed assets as immutable and other files as revalidated', async () => {
    const instance = await app(dir);
    const script = await instance.inject('/assets/main-abc123.js');
    assert.equal(script.statusCode, 200);
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(String(script.headers['cache-control']), /immutable/);
    const icon = await instance.inject('/favicon.svg');
    assert.equal(icon.headers['content-type'], 'image/svg+xml');
    assert.equal(icon.headers['cache-control'], 'no-cache');
    await instance.close();
  });

  it('serves nothing outside the build', async () => {
    const instance = await app(join(dir, 'assets'));
    for (const url of ['/../index.html', '/%2e%2e/index.html', '/assets/other.js']) {
      assert.equal((await instance.inject(url)).statusCode, 404, url);
    }
    await instance.close();
  });

  it('says how to build the app when there is no build', async () => {
    const instance = await app(join(dir, 'missing'));
    const response = await instance.inject('/');
    assert.equal(response.statusCode, 503);
    assert.match(response.body, /setup/);
    await instance.close();
  });
});
