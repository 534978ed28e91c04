/**
 * The Market view in a real browser (headless Chromium via playwright-core) on the offline SSI path:
 * the local SSI server (sim/venues/ssi.ts: AccessToken + SignalR 2 hub; the SignalR framing of the
 * recorded messages is synthetic) serving the real recorded SSI messages (VNINDEX `MI`, VCB/TCB/HPG
 * `B` prints, SSI's documented `X`/`R` samples) plus two hand-made lines (a VN30 value and a VN30F print,
 * for the basis panel) → the app's SSI service over loopback → API → built dashboard at `#/market`.
 * Screenshot: screenshots/market.png.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { startApp, type App } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { SsiSimulator, readSsiLines } from '../../src/sim/venues/ssi.ts';
import { SHOTS, ensureChromiumAndDashboard, launchChromium } from './browser.ts';
import { repoRoot } from './real-app.ts';

const DIR = join(repoRoot, '..', 'shared', 'data', 'ssi', 'stream');
const B_FILES = ['ssi_b_messages.first72.jsonl', 'ssi_b_messages.last36.jsonl'].map((f) => join(DIR, f));
const DOC = readFileSync(join(DIR, 'ssi_doc_samples.jsonl'), 'utf8').split('\n');
const doc = (type: string): string => DOC.find((l) => l.startsWith(`{"DataType":"${type}"`))!;
const handMade = (dataType: string, content: object): string =>
  JSON.stringify({ DataType: dataType, Content: JSON.stringify(content) });

let sim: SsiSimulator;
let app: App;
let ctx: BrowserContext;
let page: Page;
let profile: string;
const pageErrors: string[] = [];

describe('Market view in a real browser', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    ensureChromiumAndDashboard();
    const lines = [
      ...(await readSsiLines(B_FILES)),
      ...(await readSsiLines([join(DIR, 'ssi_mi_messages.jsonl')])),
      doc('X'),
      doc('R'),
      handMade('MI', {
        IndexId: 'VN30',
        IndexValue: 1300.5,
        TradingDate: '20/07/2026',
        Time: '13:40:00',
        Exchange: 'HOSE',
      }),
      handMade('B', {
        Symbol: 'VN30F2608',
        TradingDate: '20/07/2026',
        Time: '13:40:01',
        Close: 1310.2,
        Volume: 3,
      }),
    ];
    sim = new SsiSimulator({ lines });
    const base = await sim.listen(0);
    const config = loadConfig(
      undefined,
      {
        instruments: [],
        store: { url: 'memory' },
        api: { host: '127.0.0.1', port: 0 },
        news: { enabled: false },
        ssi: {
          enabled: true,
          streamUrl: base,
          restUrl: base,
          channels: ['B:ALL', 'MI:ALL', 'X:ALL', 'R:ALL'],
        },
      },
      { SSI_CONSUMER_ID: 'e2e', SSI_CONSUMER_SECRET: 'e2e' },
    );
    process.env.SSI_CONSUMER_ID = 'e2e';
    process.env.SSI_CONSUMER_SECRET = 'e2e';
    app = await startApp(config, pino({ level: 'silent' }));
    profile = mkdtempSync(join(tmpdir(), 'depthwatch-e2e-'));
    ctx = await launchChromium(profile);
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await ctx?.close();
    await app?.close();
    await sim?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('shows VNINDEX with breadth, the watchlist in VND with session volumes, foreign flow and VN30F basis', async () => {
    await page.goto(`${app.url}/#/market`);
    const view = page.locator('[data-testid="market-view"]');
    await view.waitFor();
    // Every message served: the last VNINDEX value and HPG's session volume from the B prints.
    const hpgToday = (await readSsiLines(B_FILES))
      .map(
        (l) => JSON.parse((JSON.parse(l) as { Content: string }).Content) as Record<string, number | string>,
      )
      .filter((c) => c.Symbol === 'HPG' && c.TradingDate === '20/07/2026')
      .reduce((a, c) => a + (c.Volume as number), 0);
    const hpgVolume = page.locator(
      '[data-testid="watch-row"][data-symbol="HPG"] [data-testid="watch-volume"]',
    );
    await expect
      .poll(async () => (await hpgVolume.count()) > 0 && (await hpgVolume.textContent()), { timeout: 60_000 })
      .toBe(hpgToday.toLocaleString('en-US'));
    await expect
      .poll(() => page.locator('[data-testid="index-value"]').textContent(), { timeout: 30_000 })
      .toBe('1746.55');
    expect(await view.getAttribute('data-state')).toBe('ok');
    const bar = page.locator('[data-testid="breadth-bar"] > div');
    expect(await bar.allTextContents()).toEqual(['37', '30', '274']);
    expect(await page.locator('[data-testid="watch-row"]').count()).toBeGreaterThanOrEqual(5);
    await expect
      .poll(() => page.locator('[data-testid="basis-table"] tbody tr').first().textContent())
      .toContain('VN30F2608');
    expect(await page.locator('[data-testid="foreign-table"] tbody tr').first().textContent()).toContain(
      'SSI',
    );
    // The sparkline canvas is drawn.
    expect(await page.locator('[data-testid="index-sparkline"] canvas').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'market.png') });
    expect(pageErrors).toEqual([]);
  });
});
