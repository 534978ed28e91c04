/**
 * Vite build of the dashboard: `npm run build:web` (= `vite build --config web/vite.config.ts`) writes
 * `web/dist`, which the API process serves at `/`. In dev (`npx vite --config web/vite.config.ts`),
 * `/api` and `/ws` are proxied to the API on `DEPTHWATCH_API_PORT` (default 8080) on 127.0.0.1.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const root = fileURLToPath(new URL('.', import.meta.url));
const apiPort = process.env.DEPTHWATCH_API_PORT ?? '8080';

export default defineConfig({
  root,
  // Relative asset URLs: the bundle works wherever the API mounts it.
  base: './',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // ECharts + Element Plus: one vendor chunk of ~1 MB raw (~330 kB gzip) is expected.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/api': { target: `http://127.0.0.1:${apiPort}`, changeOrigin: true },
      '/ws': { target: `ws://127.0.0.1:${apiPort}`, ws: true },
    },
  },
});
