/**
 * The dashboard's frame-budget pages (web/perf/*.html, not part of the dashboard build) built with Vite
 * into a temporary folder and served on 127.0.0.1: used by `npm run bench -- heatmap` (bench/heatmap.mts)
 * and the heatmap raster browser test (test/e2e/heatmap-raster.test.ts).
 */
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { build } from 'vite';
import vue from '@vitejs/plugin-vue';

/** A built perf page being served. */
export interface PerfPageServer {
  /** Base URL (ends with `/`); pages are `${url}heatmap.html?...`. */
  url: string;
  /** The build folder. */
  dir: string;
  /** Stop serving and remove the build (kept when `keep` was set). */
  close(): Promise<void>;
}

/** The repository's root (this file is test/e2e/perf-page.ts). */
const repoRoot = join(import.meta.dirname, '..', '..');

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

/**
 * Build `web/perf/<page>` (unminified when `minify` is false, e.g. for a readable CPU profile) and serve
 * the build on a free loopback port. @throws {Error} when the Vite build fails
 */
export async function servePerfPage(
  page: string,
  opts: { minify?: boolean; keep?: boolean } = {},
): Promise<PerfPageServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dw-perf-page-'));
  try {
    await build({
      configFile: false,
      root: join(repoRoot, 'web', 'perf'),
      base: './',
      logLevel: 'warn',
      plugins: [vue()],
      build: {
        outDir: dir,
        emptyOutDir: true,
        chunkSizeWarningLimit: 4000,
        minify: opts.minify ?? true,
        rollupOptions: { input: page },
      },
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const server = createServer((req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!path.startsWith(dir)) return void res.writeHead(403).end();
    try {
      const body = readFileSync(path);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    dir,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}
