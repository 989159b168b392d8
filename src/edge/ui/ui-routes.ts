import { readFile, readdir } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** Where set-up's Vite build puts the web app: `dist/web/`, beside `dist/src/`. */
const BUILT_UI_DIR = fileURLToPath(new URL('../../../web/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))),
  );
  return nested.flat();
}

/**
 * The page holds an API key in memory, so it gets a strict policy: its own
 * scripts and styles only, no frames, and network access to this origin only
 * (plus the public URL that temporary file links point at, for the player).
 */
function contentSecurityPolicy(publicUrl: string | null): string {
  const media = ["'self'", 'blob:', ...(publicUrl ? [new URL(publicUrl).origin] : [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `media-src ${media}`,
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Serves the built web app: `/` is its page, and every file of the build is
 * served at its path. The build is small and read once at start, so nothing
 * outside it can be reached. Without a build, `/` says how to make one.
 */
export async function uiRoutes(app: FastifyInstance, opts: { dir?: string; publicUrl: string | null }): Promise<void> {
  const dir = opts.dir ?? BUILT_UI_DIR;
  let paths: string[];
  try {
    paths = await filesUnder(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    paths = [];
  }
  const csp = contentSecurityPolicy(opts.publicUrl);
  const files = await Promise.all(
    paths.map(async (path) => ({
      url: `/${relative(dir, path).split(sep).join('/')}`,
      body: await readFile(path),
      type: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    })),
  );
  const index = files.find((f) => f.url === '/index.html');

  // The page and its assets are public: the key is typed into the page, not needed to load it.
  app.get('/', { config: { public: true } }, async (_request, reply) => {
    if (!index) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web app is not built. Run `node scripts/setup.mjs` (or `npm start`), then reload.\n');
    }
    return reply
      .type(index.type)
      .header('cache-control', 'no-cache')
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .send(index.body);
  });

  for (const file of files) {
    if (file === index) continue;
    // Vite names assets by content hash, so they never change under a URL.
    const cache = file.url.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    app.get(file.url, { config: { public: true } }, async (_request, reply) =>
      reply.type(file.type).header('cache-control', cache).header('x-content-type-options', 'nosniff').send(file.body),
    );
  }
}
