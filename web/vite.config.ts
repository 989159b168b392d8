// Vite builds the web app into dist/web/, which Hark serves at `/` (src/edge/ui/).
// `npx vite web` runs it with hot reload against a Hark at HARK_URL.
import { defineConfig } from 'vite';

const hark = process.env.HARK_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The polyfill would be an inline script, which the page's CSP forbids.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      '/v1': hark,
      '/transcribe-websocket': { target: hark.replace(/^http/, 'ws'), ws: true },
    },
  },
});
