/**
 * The dashboard in a real browser (headless Chromium via playwright-core) on the real offline run:
 * local exchange simulators replaying real Binance recordings → connectors → books → API (real-app.ts).
 * The assertions only use the page, through its `data-testid` attributes, never the server's internals.
 *
 * Needs `/usr/bin/chromium` (`apt-get install -y chromium`) and `web/dist` (built here when missing).
 * Screenshots go to `screenshots/` (gitignored).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Page, type Response, type WebSocketRoute } from 'playwright-core';
import { ALWAYS_FIRING_ALERTS, type OfflineApp } from './real-app.ts';
import { SHOTS, startBrowserSession, type BrowserSession } from './browser.ts';

let session: BrowserSession;
let server: OfflineApp;
let page: Page;
let pageErrors: string[] = [];

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

/** Every panel is inside the viewport, at least 150 px tall, and no two overlap. */
async function expectPanelsLaidOut(width: number, height: number): Promise<void> {
  const boxes = await page.locator('section.panel').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, w: r.width, h: r.height };
    }),
  );
  expect(boxes.length).toBe(6);
  for (const b of boxes) {
    expect(b.x).toBeGreaterThanOrEqual(0);
    expect(b.x + b.w).toBeLessThanOrEqual(width);
    expect(b.y + b.h).toBeLessThanOrEqual(height);
    expect(b.h).toBeGreaterThanOrEqual(150);
  }
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      const apart =
        a.x + a.w <= b.x + 0.5 || b.x + b.w <= a.x + 0.5 || a.y + a.h <= b.y + 0.5 || b.y + b.h <= a.y + 0.5;
      expect(apart, `panels ${i} and ${j} overlap`).toBe(true);
    }
}

/** What the heatmap canvas shows, read from its pixels (see HEATMAP_PIXELS). */
interface HeatPixels {
  /** Pixels of the plot area and how many are opaque heat colours. */
  plotPixels: number;
  heat: number;
  /** Heat pixels in the newest 15% of the time axis (the live edge). */
  heatRightEdge: number;
  /** A checksum of the plot area's pixels. */
  hash: number;
  /** Bid-green and ask-red pixels in the book-bar area at the right edge. */
  bidBar: number;
  askBar: number;
}

/**
 * Reads the heatmap's ECharts canvas in the page (plain JS: the page is not typed here). The plot areas
 * come from the panel's `data-plot` / `data-bars-plot` (CSS px, scaled to canvas px). Heat colours are
 * opaque with blue ≥ 60 or bright (the ramp runs dark blue → teal → yellow → white); the transparent
 * background, the half-transparent grid lines and gap hatching do not count.
 */
const HEATMAP_PIXELS = `(() => {
  const root = document.querySelector('[data-testid="heatmap"]');
  const canvas = root && root.querySelector('canvas');
  if (!canvas || !root.getAttribute('data-plot') || !root.getAttribute('data-bars-plot')) return null;
  const ctx = canvas.getContext('2d');
  const k = canvas.width / canvas.clientWidth;
  const rect = (attr) => root.getAttribute(attr).split(',').map((v) => Math.round(Number(v) * k));
  const [x, y, w, h] = rect('data-plot');
  const d = ctx.getImageData(x, y, w, h).data;
  let heat = 0, heatRightEdge = 0, hash = 0;
  for (let i = 0; i < d.length; i += 4) {
    hash = (hash * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) >>> 0;
    if (d[i + 3] === 255 && (d[i + 2] >= 60 || d[i] + d[i + 1] > 300)) {
      heat++;
      if ((i / 4) % w >= w * 0.85) heatRightEdge++;
    }
  }
  const [bx, by, bw, bh] = rect('data-bars-plot');
  const b = ctx.getImageData(bx, by, bw, bh).data;
  let bidBar = 0, askBar = 0;
  for (let i = 0; i < b.length; i += 4) {
    if (b[i + 3] < 200) continue;
    if (b[i + 1] > 120 && b[i] < 100) bidBar++;
    else if (b[i] > 180 && b[i + 1] < 120) askBar++;
  }
  return { plotPixels: w * h, heat, heatRightEdge, hash, bidBar, askBar };
})()`;

// A loaded 2-core CI machine runs other suites alongside: generous timeouts, no timed assertions.
describe('dashboard in a real browser', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    session = await startBrowserSession({ alerts: ALWAYS_FIRING_ALERTS });
    ({ server, page, pageErrors } = session);
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
  });

  afterAll(async () => {
    await session?.close();
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

  it('draws the liquidity heatmap with trades and the current book, and keeps it live', async () => {
    await waitAttr('heatmap', 'data-status', 'ready');
    await until(
      () => numAttr('heatmap', 'data-cells'),
      (n) => n > 20,
      'heatmap cells',
    );
    await until(
      () => numAttr('heatmap', 'data-book-bars'),
      (n) => n > 2,
      'book bars',
    );
    await until(
      () => numAttr('heatmap', 'data-bubbles'),
      (n) => n > 0,
      'trade bubbles',
    );
    await until(
      () => numAttr('heatmap', 'data-bbo-points'),
      (n) => n > 1,
      'best bid/ask line points',
    );
    const read = async (): Promise<HeatPixels> => {
      const px = (await page.evaluate(HEATMAP_PIXELS)) as HeatPixels | null;
      if (!px) throw new Error('heatmap canvas or plot area missing');
      return px;
    };
    const first = await until(read, (p) => p.heat > p.plotPixels * 0.05, 'heat pixels in the plot area');
    expect(first.heatRightEdge).toBeGreaterThan(0);
    expect(first.bidBar).toBeGreaterThan(0);
    expect(first.askBar).toBeGreaterThan(0);
    // Kept live: newer heatmap answers are applied and the picture changes, with heat at the live edge.
    const v0 = await numAttr('heatmap', 'data-grid-version');
    await until(
      () => numAttr('heatmap', 'data-grid-version'),
      (v) => v > v0,
      'a heatmap refresh',
    );
    const later = await until(
      read,
      (p) => p.hash !== first.hash && p.heatRightEdge > 0,
      'the heatmap to update',
    );
    expect(later.heat).toBeGreaterThan(later.plotPixels * 0.05);
    // Hovering the live edge reads the cell under the pointer: time, price band, resting size.
    const box = await page.locator('[data-testid="heatmap"]').boundingBox();
    const [px, py, pw, ph] = ((await page.locator('[data-testid="heatmap"]').getAttribute('data-plot')) ?? '')
      .split(',')
      .map(Number) as [number, number, number, number];
    expect(box).not.toBeNull();
    await page.mouse.move(box!.x + px + pw * 0.97, box!.y + py + ph * 0.3);
    const readout = page.locator('[data-testid="heatmap-hover"]');
    await readout.waitFor({ state: 'visible' });
    expect(await readout.textContent()).toMatch(/^\d\d:\d\d:\d\d · [\d,.]+–[\d,.]+ · (bids|asks|no resting)/);
    await page.locator('.area-heatmap').screenshot({ path: join(SHOTS, 'heatmap.png') });
    expect(pageErrors).toEqual([]);
  });

  it('shows live candles with indicators in the live view from the candles channel, then imbalance again', async () => {
    const subscribed = sockets.flatMap((x) => x.sent).filter((m) => m.includes('"candles"')).length;
    await page.locator('[data-testid="series-panel-candles"]').click();
    const panel = page.locator('.area-series [data-testid="candles-panel"]');
    await panel.waitFor({ state: 'visible' });
    // Candles arrive on the WS channel (the live view polls no analytics).
    await until(
      async () => Number((await panel.getAttribute('data-candles')) ?? 0),
      (n) => n > 3,
      'live candles in the live view',
    );
    expect(sockets.flatMap((x) => x.sent).filter((m) => m.includes('"candles"')).length).toBeGreaterThan(
      subscribed,
    );
    await page.locator('.area-series').screenshot({ path: join(SHOTS, 'live-candles.png') });
    // One clock across the live panels on recorded data: the trades list shows the receive time (as the
    // heatmap and the imbalance series), the recorded exchange time in each row's tooltip.
    expect(await text('time-base')).toBe('recorded time');
    expect(await text('trades-time-head')).toBe('Time (UTC)');
    const row = page.locator('[data-testid="trade-row"] span').first();
    expect(await row.getAttribute('title')).toMatch(/^recorded exchange time \d\d:\d\d:\d\d/);
    const shown = ((await row.textContent()) ?? '').trim();
    const now = new Date();
    const hhmm = (d: Date): string => d.toISOString().slice(11, 16);
    expect([hhmm(now), hhmm(new Date(now.getTime() - 60_000))]).toContain(shown.slice(0, 5));
    await page.locator('[data-testid="series-panel-imbalance"]').click();
    await page.locator('[data-testid="imbalance-chart"]').waitFor({ state: 'visible' });
    expect(pageErrors).toEqual([]);
  });

  it('shows alerts live and from history, filters them and marks them on the imbalance series', async () => {
    const rows = page.locator('[data-testid="alert-row"]');
    await rows.first().waitFor({ state: 'visible', timeout: 45_000 });
    const sev = await rows.first().getAttribute('data-severity');
    expect(['info', 'warning', 'critical']).toContain(sev);
    expect(await rows.first().getAttribute('data-instrument')).toBe(await selectedId());
    expect((await rows.first().locator('[data-testid="alert-message"]').textContent())?.trim()).not.toBe('');
    expect(await rows.first().locator('[data-testid="alert-age"]').textContent()).toMatch(
      /^(now|\d+[smhd] ago)$/,
    );
    // The selected instrument's alerts are marked on the imbalance series.
    await until(
      () => numAttr('imbalance-chart', 'data-alert-marks'),
      (n) => n > 0,
      'alert markers',
    );
    // Severity filter: only info alerts (spread_seen fires info once per instrument).
    await page.locator('[data-testid="alerts-severity-info"]').click();
    const severities = async (): Promise<string[]> =>
      (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-severity') ?? ''))) as string[];
    const infos = await until(
      severities,
      (l) => l.length > 0 && l.every((s) => s === 'info'),
      'info alerts only',
    );
    expect(infos.every((s) => s === 'info')).toBe(true);
    // Scope: all instruments shows alerts of both venues' books.
    await page.locator('[data-testid="alerts-scope-all"]').click();
    const instruments = async (): Promise<string[]> =>
      (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-instrument') ?? ''))) as string[];
    const all = await until(instruments, (l) => new Set(l).size >= 2, 'alerts of two instruments');
    expect(new Set(all).size).toBeGreaterThanOrEqual(2);
    await page.locator('[data-testid="alerts-severity-all"]').click();
    // More alerts than one stored page (20, see App.vue) exist before reloading (the store lags < 1 s).
    await until(
      () => rows.count(),
      (n) => n > 24,
      'more alerts than a page',
    );
    // History: after a reload the feed is filled from GET /api/v1/alerts before any new live alert.
    // Every alerts answer from here on; one still in flight from the old page has no body after the reload.
    const answers: Response[] = [];
    const onResponse = (r: Response): void => {
      if (r.url().includes('/api/v1/alerts') && r.status() === 200) answers.push(r);
    };
    page.on('response', onResponse);
    await page.reload();
    const stored = async (): Promise<number> => {
      for (const r of answers) {
        try {
          return ((await r.json()) as { items: unknown[] }).items.length;
        } catch {
          // The old page's answer: its body is gone.
        }
      }
      return -1;
    };
    expect(await until(stored, (n) => n >= 0, 'an alerts history answer')).toBeGreaterThan(0);
    page.off('response', onResponse);
    await rows.first().waitFor({ state: 'visible' });
    // The filters were kept (scope all) and more alerts are stored than a page: "Load more" reaches older ones.
    await waitAttr('alerts-scope-all', 'aria-pressed', 'true');
    const more = page.locator('[data-testid="alerts-load-more"]');
    await more.waitFor({ state: 'visible' });
    const oldest = async (): Promise<number> =>
      Math.min(...(await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-ts'))))));
    const before = await oldest();
    const count = await rows.count();
    await more.click();
    const after = await until(oldest, (t) => t < before, 'older alerts after "Load more"');
    expect(after).toBeLessThan(before);
    expect(await rows.count()).toBeGreaterThan(count);
    const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-rule')));
    expect(ids.length).toBeGreaterThan(0);
    await knownMid();
    await waitAttr('heatmap', 'data-status', 'ready');
    await page.locator('.area-alerts').screenshot({ path: join(SHOTS, 'alerts.png') });
    await page.screenshot({ path: join(SHOTS, 'dashboard-heatmap-alerts.png') });
    await expectPanelsLaidOut(1440, 900);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(800);
    await expectPanelsLaidOut(1920, 1080);
    await page.screenshot({ path: join(SHOTS, 'dashboard-1920.png') });
    expect(pageErrors).toEqual([]);
  });
});
