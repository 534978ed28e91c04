/**
 * Headless Chromium for the browser tests (playwright-core on `/usr/bin/chromium`), the built dashboard
 * they load (`web/dist`, built here when missing), and a session of both on the offline app.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { repoRoot, startOfflineApp, type OfflineApp, type OfflineAppOptions } from './real-app.ts';

/** Where the browser tests write screenshots (gitignored). */
export const SHOTS = join(repoRoot, 'screenshots');

/** The Chromium binary the tests drive. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Build `web/dist` when it is missing. @throws {Error} when Chromium is not installed or the build fails
 */
export function ensureChromiumAndDashboard(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium`);
  if (existsSync(join(repoRoot, 'web/dist/index.html'))) return;
  const r = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('npm run build:web failed');
}

/**
 * Launch headless Chromium with a persistent profile in `profileDir` (so localStorage survives reloads)
 * and a viewport of `width`×`height` CSS px; no sandbox, GPU, QUIC or background networking.
 */
export function launchChromium(profileDir: string, width = 1440, height = 900): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width, height },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The offline app and a Chromium page on it, for one test file. */
export interface BrowserSession {
  server: OfflineApp;
  ctx: BrowserContext;
  page: Page;
  /** Uncaught errors of the page, in order. */
  pageErrors: string[];
  /** Close the browser and the app and remove the browser profile. */
  close(): Promise<void>;
}

/**
 * Build the dashboard when missing, start the offline app with `opts`, launch Chromium (1440×900) on a
 * fresh profile and create `screenshots/`. @throws {Error} when Chromium is missing or the build fails
 */
export async function startBrowserSession(opts: OfflineAppOptions): Promise<BrowserSession> {
  ensureChromiumAndDashboard();
  const server = await startOfflineApp(opts);
  const profileDir = mkdtempSync(join(tmpdir(), 'depthwatch-e2e-'));
  const ctx = await launchChromium(profileDir);
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  mkdirSync(SHOTS, { recursive: true });
  return {
    server,
    ctx,
    page,
    pageErrors,
    close: async () => {
      await ctx.close();
      await server.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/** The first element of the page with `data-testid` = `testid`. */
export function byTestId(page: Page, testid: string): Locator {
  return page.locator(`[data-testid="${testid}"]`).first();
}

/**
 * Repeat `step` until it returns true, every `everyMs`.
 * @throws {Error} `timed out waiting for <what>` after `ms`
 */
export async function waitUntil(
  page: Page,
  step: () => Promise<boolean>,
  what: string,
  ms = 30_000,
  everyMs = 250,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await step()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(everyMs);
  }
}
