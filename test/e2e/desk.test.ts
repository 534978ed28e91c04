/**
 * The trader's desk (`#/desk`) in a real browser (headless Chromium via playwright-core) on the real
 * offline run (real-app.ts: the three simultaneous Binance BTC recordings — spot, USD-M, COIN-M —
 * replayed by simulators at the recorded pace, consolidated as the demo's `BTC-USD` group, in-memory
 * store, API, built dashboard). Only the page and the public API are used: `data-testid` attributes,
 * canvas pixels, and REST answers fetched by the test itself.
 * Screenshots: screenshots/desk-<preset>.png.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { OfflineApp } from './real-app.ts';
import { SHOTS, byTestId, startBrowserSession, waitUntil, type BrowserSession } from './browser.ts';

const USDM = 'binance-usdm:BTCUSDT';
const COINM = 'binance-coinm:BTCUSD_PERP';

let session: BrowserSession;
let server: OfflineApp;
let page: Page;
let pageErrors: string[];

/** A locator by `data-testid`. */
const byId = (testid: string) => byTestId(page, testid);

/** Repeat `step` until it passes (`ms`, default 30 s). */
const until = (step: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> =>
  waitUntil(page, step, what, ms);

/** GET a JSON route of the app. */
async function getJson<T>(path: string): Promise<T> {
  const r = await fetch(new URL(path, server.url));
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

interface BookBody {
  sequence: number;
  bids: [number, number][];
  asks: [number, number][];
}

/** A ladder as drawn: its sequence and rows (price, bid, ask). */
const LADDER_SNAPSHOT = (instrument: string) => `(() => {
  const el = document.querySelector('[data-testid="ladder"][data-instrument="${instrument}"]');
  if (!el) return null;
  const rows = [...el.querySelectorAll('[data-testid="ladder-row"]')].map((r) => [
    Number(r.getAttribute('data-price')), Number(r.getAttribute('data-bid')), Number(r.getAttribute('data-ask')),
  ]);
  return { sequence: Number(el.getAttribute('data-sequence')), group: Number(el.getAttribute('data-group')), rows };
})()`;

/** Pin panel `id` to `instrument` with its header's instrument picker. */
async function pin(id: string, instrument: string): Promise<void> {
  await page
    .locator(`[data-testid="desk-panel"][data-id="${id}"] [data-testid="desk-panel-instrument"]`)
    .selectOption(instrument);
}

describe('the trader desk in a real browser', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    session = await startBrowserSession({ consolidated: true });
    ({ server, page, pageErrors } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  it('draws the ladder levels equal to /api/v1/books/:id at the same sequence', async () => {
    await page.goto(`${server.url}#/desk`);
    await byId('desk-view').waitFor({ state: 'visible' });
    await byId('desk-preset-scalper').click();
    await pin('ladder-1', USDM);
    const ladder = page.locator(`[data-testid="ladder"][data-instrument="${USDM}"]`);
    await until(async () => Number(await ladder.getAttribute('data-rows')) > 10, 'ladder rows');
    // The tick: the spec's, or (a fallback spec without one) the smallest gap between adjacent levels.
    const instruments = await getJson<{ items: { instrument: string; spec: { tickSize: string } | null }[] }>(
      'api/v1/instruments',
    );
    let tick = Number(instruments.items.find((i) => i.instrument === USDM)?.spec?.tickSize || NaN);
    if (!(tick > 0)) {
      const b = await getJson<BookBody>(`api/v1/books/${encodeURIComponent(USDM)}?depth=200`);
      let gap = Infinity;
      for (const side of [b.bids, b.asks])
        for (let i = 1; i < side.length; i++) gap = Math.min(gap, Math.abs(side[i]![0] - side[i - 1]![0]));
      tick = Number(gap.toPrecision(6));
    }
    expect(tick).toBeGreaterThan(0);

    // The server's book at many sequences (polled back to back) and the ladder's as drawn meanwhile:
    // find a sequence both show, and compare level by level.
    const books = new Map<number, BookBody>();
    let stop = false;
    const poller = (async () => {
      while (!stop) {
        const b = await getJson<BookBody>(`api/v1/books/${encodeURIComponent(USDM)}?depth=200`);
        books.set(b.sequence, b);
      }
    })();
    type Snap = { sequence: number; group: number; rows: [number, number, number][] };
    let match: { snap: Snap; book: BookBody } | null = null;
    try {
      await until(
        async () => {
          const snap = (await page.evaluate(LADDER_SNAPSHOT(USDM))) as Snap | null;
          const book = snap ? books.get(snap.sequence) : undefined;
          if (snap && book && snap.rows.length > 10) match = { snap, book };
          return match !== null;
        },
        'a ladder sequence the REST poll also saw',
        45_000,
      );
    } finally {
      stop = true;
      await poller;
    }
    const { snap, book } = match!;
    expect(snap.group).toBe(1);
    const t = (p: number) => Math.round(p / tick);
    const rowBid = new Map(snap.rows.map(([p, b]) => [t(p), b]));
    const rowAsk = new Map(snap.rows.map(([p, , a]) => [t(p), a]));
    const lo = Math.min(...rowBid.keys());
    const hi = Math.max(...rowBid.keys());
    // Every book level within the ladder's price range is a row with the same size...
    let compared = 0;
    for (const [p, s] of book.bids)
      if (t(p) >= lo) {
        expect(rowBid.get(t(p)), `bid ${p}`).toBe(s);
        compared++;
      }
    for (const [p, s] of book.asks)
      if (t(p) <= hi) {
        expect(rowAsk.get(t(p)), `ask ${p}`).toBe(s);
        compared++;
      }
    expect(compared).toBeGreaterThan(5);
    // ...and every non-empty row is a book level; the best bid/ask rows are the book's best.
    const bidAt = new Map(book.bids.map(([p, s]) => [t(p), s]));
    const askAt = new Map(book.asks.map(([p, s]) => [t(p), s]));
    for (const [p, b, a] of snap.rows) {
      if (b > 0) expect(bidAt.get(t(p))).toBe(b);
      if (a > 0) expect(askAt.get(t(p))).toBe(a);
    }
    expect(rowBid.get(t(book.bids[0]![0]))).toBe(book.bids[0]![1]);
    expect(rowAsk.get(t(book.asks[0]![0]))).toBe(book.asks[0]![1]);
    // The rows are one per tick, contiguous, highest first.
    const ticks = snap.rows.map(([p]) => t(p));
    for (let i = 1; i < ticks.length; i++) expect(ticks[i - 1]! - ticks[i]!).toBe(1);

    // Coarser grouping: the sizes of each bucket sum the book's levels in it (bids down, asks up).
    await byId('ladder-zoom-out').click();
    await until(async () => (await ladder.getAttribute('data-group')) === '2', 'grouping 2×');
    const g = (await page.evaluate(LADDER_SNAPSHOT(USDM))) as Snap;
    expect(g.group).toBe(2);
    for (const [p] of g.rows) expect(t(p) % 2).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'desk-ladder.png') });
    expect(pageErrors).toEqual([]);
  });

  it('sorts the watchlist and focuses the other panels on a clicked row', async () => {
    await byId('desk-preset-overview').click();
    const rows = page.locator('[data-testid="watchlist-row"]');
    // Three instruments and the BTC-USD group.
    await until(async () => (await rows.count()) === 4, 'four watchlist rows');
    const breadth = (await byId('watchlist-breadth').textContent()) ?? '';
    expect(breadth).toMatch(/▲ \d+.*▼ \d+.*= \d+/);
    const column = (attr: string) =>
      rows.evaluateAll((els, a) => els.map((e) => e.getAttribute(a)), attr) as Promise<(string | null)[]>;
    // By volume: descending on the first click, ascending on the second.
    await byId('watchlist-sort-volume').click();
    let vols = (await column('data-volume')).map(Number);
    expect(vols).toEqual([...vols].sort((a, b) => b - a));
    await byId('watchlist-sort-volume').click();
    vols = (await column('data-volume')).map(Number);
    expect(vols).toEqual([...vols].sort((a, b) => a - b));
    // By name.
    await byId('watchlist-sort-id').click();
    const names = await column('data-id');
    expect(names).toEqual([...names].sort((a, b) => a!.localeCompare(b!)));
    expect(await byId('watchlist').getAttribute('data-sort')).toBe('id:asc');
    // By change %: descending, unknown last.
    await byId('watchlist-sort-changePct').click();
    const chg = (await column('data-change-pct')).filter((v) => v !== '').map(Number);
    expect(chg).toEqual([...chg].sort((a, b) => b - a));

    // A click on an instrument row focuses the panels that follow the focus (the candles panel here).
    for (const target of ['binance:BTCUSDT', 'binance-coinm:BTCUSD_PERP']) {
      await page.locator(`[data-testid="watchlist-row"][data-id="${target}"]`).click();
      await until(
        async () =>
          (await page
            .locator('[data-testid="desk-panel"][data-kind="candles"] .cell')
            .getAttribute('data-instrument')) === target,
        `candles panel on ${target}`,
      );
      expect(await byId('selected-instrument').count()).toBe(0); // the desk has no strip: the header picker shows it
      expect(await page.evaluate("localStorage.getItem('depthwatch.selected')")).toBe(JSON.stringify(target));
      expect(
        await page.locator(`[data-testid="watchlist-row"][data-id="${target}"]`).getAttribute('class'),
      ).toContain('focused');
    }
    // The group row focuses the consolidated panel.
    await page.locator('[data-testid="watchlist-row"][data-id="BTC-USD"]').click();
    await until(
      async () => (await byId('consolidated').getAttribute('data-group')) === 'BTC-USD',
      'group focus',
    );
    expect(pageErrors).toEqual([]);
  });

  it('shows the consolidated view in three venue colours', async () => {
    const cons = byId('consolidated');
    const venues = page.locator('[data-testid="consolidated-venue"]');
    await until(async () => (await venues.count()) === 3, 'three member venues');
    const colors = await venues.evaluateAll((els) => els.map((e) => e.getAttribute('data-color')!));
    expect(new Set(colors).size).toBe(3);
    // The venue heatmap drew cells of all three members, and both canvases hold each venue's colour.
    await until(
      async () =>
        ((await cons.getAttribute('data-heat-pixels')) ?? '').split(',').filter(Boolean).length === 3,
      'heat cells of three venues',
      45_000,
    );
    const counts = (await page.evaluate(`(() => {
      const colors = ${JSON.stringify(colors)}.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
      const out = {};
      for (const id of ['consolidated-depth', 'consolidated-heat']) {
        const el = document.querySelector('[data-testid="' + id + '"]');
        const cv = el.tagName === 'CANVAS' ? el : el.querySelector('canvas');
        const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
        const n = colors.map(() => 0);
        for (let i = 0; i < d.length; i += 4)
          colors.forEach(([r, g, b], j) => {
            // Same hue at any brightness (the heat cells fade with size): the ratio of channels.
            const s = d[i] + d[i + 1] + d[i + 2];
            if (s < 60) return;
            const k = (r + g + b) / s;
            if (Math.abs(d[i] * k - r) + Math.abs(d[i + 1] * k - g) + Math.abs(d[i + 2] * k - b) < 40) n[j]++;
          });
        out[id] = n;
      }
      return out;
    })()`)) as Record<string, number[]>;
    for (const id of ['consolidated-depth', 'consolidated-heat'])
      for (const n of counts[id]!) expect(n, `${id}: ${counts[id]!.join(',')}`).toBeGreaterThan(20);
    expect(await byId('consolidated-bbo').textContent()).toMatch(/Bid .*Ask .*Spread/);
    await page.screenshot({ path: join(SHOTS, 'desk-overview.png') });
    expect(pageErrors).toEqual([]);
  });

  it('restores a rearranged and resized layout after a reload', async () => {
    await byId('desk-preset-venues').click();
    const panels = page.locator('[data-testid="desk-panel"]');
    await until(
      async () => (await panels.count()) === 9,
      'nine panels (3 instruments × ladder, heatmap, depth)',
    );
    // Drag the second ladder's title onto the first; widen the first depth chart by two columns.
    const head = (id: string) =>
      page.locator(`[data-testid="desk-panel"][data-id="${id}"] [data-testid="desk-panel-head"]`);
    // HTML5 drag and drop, event by event with one DataTransfer (as the browser does).
    const dt = await page.evaluateHandle('new DataTransfer()');
    await head('ladder-2').dispatchEvent('dragstart', { dataTransfer: dt });
    await head('ladder-1').dispatchEvent('dragover', { dataTransfer: dt });
    await head('ladder-1').dispatchEvent('drop', { dataTransfer: dt });
    await head('ladder-2').dispatchEvent('dragend', { dataTransfer: dt });
    const handle = page.locator(
      '[data-testid="desk-panel"][data-id="depth-1"] [data-testid="desk-panel-resize"]',
    );
    const box = (await handle.boundingBox())!;
    const grid = (await byId('desk-grid').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + (grid.width / 12) * 2, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const snapshot = () =>
      panels.evaluateAll((els) =>
        els.map((e) =>
          [e.getAttribute('data-id'), e.getAttribute('data-w'), e.getAttribute('data-h')].join(':'),
        ),
      );
    const before = await snapshot();
    expect(before.slice(0, 2).map((s) => s.split(':')[0])).toEqual(['ladder-2', 'ladder-1']);
    expect(before.find((s) => s.startsWith('depth-1:'))).toBe('depth-1:6:2');
    await page.reload();
    await byId('desk-view').waitFor({ state: 'visible' });
    await until(async () => (await panels.count()) === 9, 'the panels after reload');
    expect(await snapshot()).toEqual(before);
    expect(await byId('desk-view').getAttribute('data-preset')).toBe('venues');
    expect(pageErrors).toEqual([]);
  });

  it('draws S/R bands and wall markers where the analytics API says', async () => {
    // The analytics answers the page receives, by instrument and `ts`.
    const answers = new Map<string, { walls: Wall[]; clusters: Cluster[] }>();
    page.on('response', (r) => {
      const m = /\/api\/v1\/analytics\/([^?]+)/.exec(r.url());
      if (!m || !r.ok()) return;
      r.json()
        .then((a: { ts: number; walls: Wall[]; clusters: Cluster[] }) =>
          answers.set(`${decodeURIComponent(m[1]!)}|${a.ts}`, a),
        )
        .catch(() => {});
    });
    await byId('desk-preset-scalper').click();
    await pin('heatmap-1', USDM);
    // A depth chart of COIN-M (whose book holds S/R clusters within its deep levels on this recording).
    await byId('desk-add').selectOption('depth');
    await pin('depth-1', COINM);
    const heat = page.locator('[data-testid="desk-panel"][data-id="heatmap-1"] [data-testid="heatmap"]');
    const depth = page.locator('[data-testid="desk-panel"][data-id="depth-1"] [data-testid="depth-chart"]');
    type Drawn = {
      ts: number | null;
      clusters: {
        side: string;
        priceFrom: number;
        priceTo: number;
        x?: [number, number];
        y?: [number, number];
      }[];
      walls: { side: string; price: number; xy?: [number, number]; x?: number }[];
      events?: { kind: string; price: number; xy: [number, number] }[];
    };
    /** What `el` drew and the analytics answer it drew from. */
    const read = async (el: typeof heat, instrument: string) => {
      const raw = await el.getAttribute('data-overlays');
      const d = raw ? (JSON.parse(raw) as Drawn) : null;
      return { d, a: d?.ts != null ? answers.get(`${instrument}|${d.ts}`) : undefined };
    };

    // S/R band on the depth chart: every band drawn is one of the answer's clusters, left to right.
    let band: Awaited<ReturnType<typeof read>> | null = null;
    await until(
      async () => {
        band = await read(depth, COINM);
        return !!band.a && (band.d?.clusters.length ?? 0) > 0;
      },
      'an S/R band on the depth chart from an analytics answer',
      90_000,
    );
    for (const c of band!.d!.clusters) {
      expect(
        band!.a!.clusters.some(
          (k) => k.side === c.side && k.priceFrom === c.priceFrom && k.priceTo === c.priceTo,
        ),
      ).toBe(true);
      expect(c.x![0]).toBeLessThan(c.x![1]);
    }

    // Walls on the heatmap: each drawn is one of the answer's walls, and its line is on the canvas in
    // the wall colour (magenta) at its price's pixel row.
    let wall: Awaited<ReturnType<typeof read>> | null = null;
    await until(async () => {
      wall = await read(heat, USDM);
      return !!wall.a && (wall.d?.walls.length ?? 0) > 0;
    }, 'a wall on the heatmap from an analytics answer');
    const walls = wall!.d!.walls;
    for (const w of walls)
      expect(wall!.a!.walls.some((x) => x.side === w.side && x.price === w.price)).toBe(true);
    const hits = (await page.evaluate(`(() => {
      const root = document.querySelector('[data-testid="desk-panel"][data-id="heatmap-1"] [data-testid="heatmap"]');
      const cv = root.querySelector('canvas');
      const k = cv.width / cv.clientWidth;
      const ctx = cv.getContext('2d');
      return ${JSON.stringify(walls)}.map((w) => {
        let n = 0;
        for (let dx = 2; dx < 40; dx++) for (let dy = -2; dy <= 2; dy++) {
          const p = ctx.getImageData(Math.round((w.xy[0] - dx) * k), Math.round((w.xy[1] + dy) * k), 1, 1).data;
          if (Math.abs(p[0] - 255) + Math.abs(p[1] - 79) + Math.abs(p[2] - 216) < 60) n++;
        }
        return n;
      });
    })()`)) as number[];
    expect(Math.max(...hits)).toBeGreaterThan(5);
    // Wall lifecycle events from the WebSocket 'analytics' channel are drawn at their time and price.
    await until(async () => ((await read(heat, USDM)).d?.events?.length ?? 0) > 0, 'a wall lifecycle marker');
    await page.mouse.move(5, 5);
    await page.screenshot({ path: join(SHOTS, 'desk-analytics.png') });
    expect(pageErrors).toEqual([]);
  });

  it('lays every preset out without overlap at 1280×720, 1440×900 and 1920×1080', async () => {
    const boxes = async (sel: string) =>
      (await page.locator(sel).evaluateAll((els) =>
        els
          .filter((e) => (e as unknown as { offsetParent: unknown }).offsetParent !== null)
          .map((e) => {
            const r = e.getBoundingClientRect();
            return [r.left, r.top, r.right, r.bottom];
          }),
      )) as [number, number, number, number][];
    const overlaps = (a: number[], b: number[]) =>
      a[0]! < b[2]! - 0.5 && b[0]! < a[2]! - 0.5 && a[1]! < b[3]! - 0.5 && b[1]! < a[3]! - 0.5;
    for (const [w, h] of [
      [1280, 720],
      [1440, 900],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      for (const preset of ['scalper', 'overview', 'research', 'venues']) {
        await byId(`desk-preset-${preset}`).click();
        await page.waitForTimeout(400);
        const what = `${preset} at ${w}×${h}`;
        const panels = await boxes('[data-testid="desk-panel"]');
        expect(panels.length, what).toBeGreaterThan(2);
        for (let i = 0; i < panels.length; i++) {
          expect(panels[i]![0], what).toBeGreaterThanOrEqual(0);
          expect(panels[i]![2], what).toBeLessThanOrEqual(w);
          for (let j = i + 1; j < panels.length; j++)
            expect(overlaps(panels[i]!, panels[j]!), `${what}: panels ${i}, ${j}`).toBe(false);
        }
        // The header's and the layout bar's items side by side, none over another or off screen.
        for (const sel of ['header.top > *', '.desk__bar > *']) {
          const items = await boxes(sel);
          for (let i = 0; i < items.length; i++) {
            expect(items[i]![2], `${what}: ${sel} ${i}`).toBeLessThanOrEqual(w);
            for (let j = i + 1; j < items.length; j++)
              expect(overlaps(items[i]!, items[j]!), `${what}: ${sel} ${i}, ${j}`).toBe(false);
          }
        }
        // Panel headers: title, picker and buttons inside the panel.
        const heads = await page
          .locator('[data-testid="desk-panel-head"]')
          .evaluateAll((els) => els.map((e) => e.scrollWidth <= e.clientWidth + 1));
        expect(heads.every(Boolean), `${what}: a panel header overflows`).toBe(true);
        if (w === 1440) {
          await page.waitForTimeout(preset === 'research' ? 3000 : 1500);
          await page.mouse.move(5, 5);
          await page.screenshot({ path: join(SHOTS, `desk-${preset}.png`) });
        }
      }
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(pageErrors).toEqual([]);
  });

  it('turns the LIVE badges to unknown while the API is unreachable, and back', async () => {
    await page.goto(`${server.url}#/live`);
    await until(async () => (await byId('book-state').getAttribute('data-state')) === 'live', 'a live badge');
    await page.route('**/api/v1/instruments*', (r) => r.abort());
    await byId('api-error').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await byId('book-state').getAttribute('data-state')).toBe('unknown');
    expect(await byId('book-state').textContent()).toContain('unknown');
    expect(await byId('feed-health').getAttribute('data-level')).toBe('unknown');
    expect(await byId('feed-live-count').textContent()).toMatch(/\?\/3/);
    await page.unroute('**/api/v1/instruments*');
    await until(async () => (await byId('book-state').getAttribute('data-state')) === 'live', 'live again');
    expect(await byId('feed-health').getAttribute('data-level')).toBe('ok');
  });

  it("turns the desk watchlist's state badges to unknown while the API is unreachable, and back", async () => {
    await page.goto(`${server.url}#/desk`);
    await byId('desk-preset-overview').click();
    const states = async (): Promise<string[]> =>
      page
        .locator('[data-testid="watchlist-state"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-state') ?? ''));
    await until(async () => (await states()).includes('live'), 'a live watchlist badge');
    await page.route('**/api/v1/instruments*', (r) => r.abort());
    await byId('api-error').waitFor({ state: 'visible', timeout: 15_000 });
    await until(async () => {
      const s = await states();
      return s.length > 0 && s.every((x) => x === 'unknown');
    }, 'every watchlist badge unknown');
    expect(await page.locator('[data-testid="watchlist-state"]').first().textContent()).toBe('unknown');
    await page.unroute('**/api/v1/instruments*');
    await until(async () => (await states()).includes('live'), 'live watchlist badges again');
    expect(pageErrors).toEqual([]);
  });
});

interface Wall {
  side: string;
  price: number;
}
interface Cluster {
  side: string;
  priceFrom: number;
  priceTo: number;
}
