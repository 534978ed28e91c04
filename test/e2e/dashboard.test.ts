/**
 * The dashboard in a real browser (headless Chromium via playwright-core) on the real offline run:
 * local exchange simulators replaying real Binance recordings → connectors → books → API (real-app.ts).
 * The assertions only use the page, through its `data-testid` attributes, never the server's internals.
 *
 * Needs `/usr/bin/chromium` (`apt-get install -y chromium`) and `web/dist` (built here when missing).
 * Screenshots go to `screenshots/` (gitignored).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page, type WebSocketRoute } from 'playwright-core';
import { repoRoot, startOfflineApp, type OfflineApp } from './real-app.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(repoRoot, 'screenshots');

let server: OfflineApp;
let ctx: BrowserContext;
let page: Page;
let profileDir: string;
const pageErrors: string[] = [];

/** Every `/ws` connection the page opened, routed through Playwright, with what the page sent on it. */
interface RoutedSocket {
  page: WebSocketRoute;
  sent: string[];
}
const sockets: RoutedSocket[] = [];

/** Text of a `data-testid` element. */
async function text(testid: string): Promise<string> {
  return ((await page.locator(`[data-testid="${testid}"]`).first().textContent()) ?? '').trim();
}

/** Id of the instrument the dashboard shows. */
async function selectedId(): Promise<string> {
  return (await page.locator('[data-testid="selected-instrument"]').getAttribute('data-instrument')) ?? '';
}

/** Wait for an element whose attribute has a value (CSS attribute selector; the page is not typed here). */
async function waitAttr(testid: string, attr: string, value: string): Promise<void> {
  await page.locator(`[data-testid="${testid}"][${attr}="${value}"]`).first().waitFor({ state: 'attached' });
}

/** Poll a value from the page until it passes `check` (45 s). */
async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(v)})`);
    await page.waitForTimeout(100);
  }
}

/** Wait until the mid card shows a known value (not the em dash shown for unknown). */
function knownMid(): Promise<string> {
  return until(
    () => text('metric-mid-value'),
    (t) => t !== '' && t !== '—',
    'a known mid',
  );
}

/** Numeric value of a `data-*` attribute of a `data-testid` element. */
async function numAttr(testid: string, attr: string): Promise<number> {
  return Number(await page.locator(`[data-testid="${testid}"]`).first().getAttribute(attr));
}

/** The values that must move while data flows: mid, both imbalances, the gauge readout. */
async function liveValues(): Promise<string> {
  const ids = ['metric-mid-value', 'metric-imbalance-l1-value', 'metric-imbalance-10-value'];
  return (await Promise.all(ids.map(text))).join(' | ');
}

// A loaded 2-core CI machine runs other suites alongside: generous timeouts, no timed assertions.
describe('dashboard in a real browser', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium`);
    if (!existsSync(join(repoRoot, 'web/dist/index.html'))) {
      const r = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts'], {
        cwd: repoRoot,
        stdio: 'inherit',
      });
      if (r.status !== 0) throw new Error('npm run build:web failed');
    }
    server = await startOfflineApp();
    profileDir = mkdtempSync(join(tmpdir(), 'depthwatch-e2e-'));
    ctx = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 900 },
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
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Pass every WebSocket through to the server, recording what the page sends and keeping a handle to
    // drop the connection later (the reconnect test).
    await page.routeWebSocket(/\/ws$/, (ws) => {
      const upstream = ws.connectToServer();
      const rec: RoutedSocket = { page: ws, sent: [] };
      sockets.push(rec);
      ws.onMessage((m) => {
        rec.sent.push(String(m));
        upstream.send(m);
      });
    });
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await ctx?.close();
    await server?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('shows a connected stream, a live book, filled charts and metric cards', async () => {
    await page.goto(server.url);
    await page.locator('[data-testid="depth-chart"] canvas').first().waitFor({ state: 'visible' });
    await page.locator('[data-testid="metric-cards"]').waitFor({ state: 'visible' });
    await waitAttr('ws-status', 'data-status', 'connected');
    await waitAttr('book-state', 'data-state', 'live');
    expect((await text('book-state')).toLowerCase()).toBe('live');
    const mid = Number((await knownMid()).replace(/,/g, ''));
    expect(mid).toBeGreaterThan(0);
    expect(await text('metric-spread-bps')).toMatch(/^\d+\.\d{2}$/);
    expect(await text('metric-imbalance-l1-value')).toMatch(/^[+-]?\d+\.\d$/);
    // The depth chart has levels on both sides; the imbalance series and the trades fill in.
    await until(
      () => numAttr('depth-chart', 'data-levels'),
      (n) => n > 10,
      'depth levels',
    );
    await until(
      () => numAttr('imbalance-chart', 'data-points'),
      (n) => n > 5,
      'imbalance points',
    );
    await page.locator('[data-testid="trade-row"]').first().waitFor({ state: 'visible' });
    expect(await text('feed-live-count')).toMatch(/Books live\s*\d+\/\d+/);
  });

  it('updates the metric cards while data flows', async () => {
    const first = await liveValues();
    // Some seconds later the card text differs (the feed is a real, moving BTCUSDT book).
    await page.waitForTimeout(3000);
    const second = await until(liveValues, (v) => v !== first, 'the live values to change');
    expect(second).not.toBe(first);
    expect(await text('book-state')).toBe('live');
    await page.screenshot({ path: join(SHOTS, 'dashboard.png') });
  });

  it('switches instrument from the picker', async () => {
    const before = await text('selected-instrument');
    await page.locator('[data-testid="instrument-picker"]').click();
    const options = page.locator('.dw-picker-popper .el-select-dropdown__item');
    await options.first().waitFor({ state: 'visible' });
    const count = await options.count();
    expect(count).toBeGreaterThan(0);
    if (count > 1) {
      // Pick the first option that is not the current instrument.
      const currentId = await selectedId();
      let picked = '';
      for (let i = 0; i < count; i++) {
        const id = ((await options.nth(i).getAttribute('data-testid')) ?? '').replace(
          'instrument-option-',
          '',
        );
        if (id && id !== currentId) {
          picked = id;
          await options.nth(i).click();
          break;
        }
      }
      expect(picked).not.toBe('');
      await until(selectedId, (id) => id === picked, `selection of ${picked}`);
      expect(await text('selected-instrument')).not.toBe(before);
      await knownMid();
      await waitAttr('book-state', 'data-state', 'live');
      await page.locator('[data-testid="trade-row"]').first().waitFor({ state: 'visible' });
    } else {
      await page.keyboard.press('Escape');
    }
  });

  it('keeps favorites and the selection across reloads', async () => {
    const selectedNow = await selectedId();
    await page.locator('[data-testid="favorite-toggle"]').click();
    expect(await page.locator('[data-testid="favorite-toggle"]').getAttribute('aria-pressed')).toBe('true');
    await page.reload();
    await page.locator('[data-testid="metric-cards"]').waitFor({ state: 'visible' });
    await waitAttr('favorite-toggle', 'aria-pressed', 'true');
    expect(await selectedId()).toBe(selectedNow);
    await knownMid();
    await page.locator('[data-testid="trade-row"]').first().waitFor({ state: 'visible' });
    await page.screenshot({ path: join(SHOTS, 'dashboard-2.png') });
    expect(pageErrors).toEqual([]);
  });

  it('reconnects and re-subscribes after the WebSocket drops', async () => {
    await waitAttr('ws-status', 'data-status', 'connected');
    const opened = sockets.length;
    const current = await selectedId();
    expect(current).not.toBe('');
    const sawReconnecting = page
      .locator('[data-testid="ws-status"][data-status="reconnecting"]')
      .waitFor({ state: 'attached' });
    await sockets[opened - 1]!.page.close({ code: 4000, reason: 'test: connection dropped' });
    await sawReconnecting;
    await waitAttr('ws-status', 'data-status', 'connected');
    expect(sockets.length).toBeGreaterThan(opened);
    // The new connection carries the subscriptions again, without a page reload.
    const fresh = sockets[sockets.length - 1]!;
    const subs = () =>
      Promise.resolve(
        fresh.sent
          .map((m) => JSON.parse(m) as { op: string; channel: string; instrument: string })
          .filter((m) => m.op === 'subscribe')
          .map((m) => `${m.channel} ${m.instrument}`),
      );
    const want = ['metrics', 'book', 'trades'].map((c) => `${c} ${current}`);
    const got = await until(subs, (l) => want.every((w) => l.includes(w)), 're-subscription');
    expect(got).toEqual(expect.arrayContaining(want));
    // And data flows again: the live values move.
    const before = await liveValues();
    await until(liveValues, (v) => v !== before, 'live values after reconnect');
    expect(pageErrors).toEqual([]);
  });
});
