/**
 * The dashboard's replay bar in a real browser (headless Chromium via playwright-core) on `depthwatch
 * serve` (app/serve.ts) over the real Binance spot and USD-M recordings of 2024-08-08, recordings folder
 * = the shared Binance data: pause holds the recorded clock and the heatmap's right edge; the speed
 * control changes the session's speed; dragging the timeline scrubber seeks the session and the heatmap
 * reloads on the new recorded time; "open recording" opens a file of the folder as a second session.
 * Screenshot: screenshots/replay-bar.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { BrowserContext, Page } from 'playwright-core';
import { startServe, type ServeApp } from '../../src/app/serve.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createClient } from '../../src/client/index.ts';
import { SHOTS, ensureChromiumAndDashboard, launchChromium } from './browser.ts';
import { repoRoot } from './real-app.ts';

const DATA = resolve(repoRoot, '..', 'shared', 'data', 'binance-hftbacktest');
const FILES = [join(DATA, 'spot/btcusdt_20240808.gz'), join(DATA, 'usdm/btcusdt_20240808.gz')];

let app: ServeApp;
let ctx: BrowserContext;
let page: Page;
let profile: string;
const pageErrors: string[] = [];

const byId = (id: string) => page.locator(`[data-testid="${id}"]`).first();
async function attr(id: string, name: string): Promise<string> {
  return (await byId(id).getAttribute(name, { timeout: 5_000 })) ?? '';
}
async function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(100);
  }
}

describe('replay bar', () => {
  beforeAll(async () => {
    ensureChromiumAndDashboard();
    const config = loadConfig(
      undefined,
      {
        api: { host: '127.0.0.1', port: 0, dashboard: true },
        store: { url: 'memory', flushIntervalMs: 200 },
        reference: false,
        news: { enabled: false },
        replay: { dir: DATA },
      },
      {},
    );
    app = await startServe(config, pino({ level: 'silent' }), { files: FILES, speed: 5 });
    profile = mkdtempSync(join(tmpdir(), 'depthwatch-e2e-'));
    ctx = await launchChromium(profile);
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    mkdirSync(SHOTS, { recursive: true });
    await page.goto(app.url + '/');
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await app?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const session = () => createClient({ baseUrl: app.url }).replayGet({ id: app.first!.id });

  it('shows the session on recorded time, and the heatmap on it', async () => {
    await until(async () => (await attr('replay-bar', 'data-state')) === 'playing', 'the replay bar');
    expect(await attr('replay-bar', 'data-session')).toBe(app.first!.id);
    await until(
      async () =>
        /recorded 2024-08-08 23:5\d:\d\d\.\d{3} UTC/.test((await byId('replay-clock').textContent()) ?? ''),
      'the recorded clock',
    );
    // The heatmap ends at the recorded time, not now.
    await until(async () => {
      const to = Number(await attr('heatmap', 'data-to'));
      const ready = (await attr('heatmap', 'data-status')) === 'ready';
      return ready && to >= app.first!.start && to <= app.first!.end + 1000;
    }, 'the heatmap on recorded time');
  });

  it('pause holds the recorded clock and the heatmap', async () => {
    await byId('replay-play').click();
    await until(async () => (await attr('replay-bar', 'data-state')) === 'paused', 'paused');
    const clock = await attr('replay-clock', 'data-clock');
    await page.waitForTimeout(1500); // more than one heatmap refresh
    const heatTo = await attr('heatmap', 'data-to');
    await page.waitForTimeout(1200);
    expect(await attr('replay-clock', 'data-clock')).toBe(clock);
    expect(await attr('heatmap', 'data-to')).toBe(heatTo);
    expect((await session()).state).toBe('paused');
  });

  it('changes the speed', async () => {
    await byId('replay-speed').selectOption('10');
    await until(async () => (await attr('replay-bar', 'data-speed')) === '10', 'speed 10');
    expect((await session()).speed).toBe(10);
  });

  it('seeks by dragging the scrubber; the heatmap follows', async () => {
    const s0 = await session();
    const box = (await byId('replay-scrubber').boundingBox())!;
    const frac = (Number(s0.position) - s0.start) / (s0.end - s0.start);
    // Drag the thumb from where it is to 80 % of the timeline.
    await page.mouse.move(box.x + 8 + frac * (box.width - 16), box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.move(box.x + 8 + 0.8 * (box.width - 16), box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const target = s0.start + 0.8 * (s0.end - s0.start);
    await until(async () => {
      const p = Number((await session()).position);
      return Math.abs(p - target) < 0.03 * (s0.end - s0.start);
    }, 'the session to seek');
    const s1 = await session();
    expect(s1.state).toBe('paused');
    await until(
      async () => Math.abs(Number(await attr('heatmap', 'data-to')) - Number(s1.position)) < 2000,
      'the heatmap to follow the seek',
    );
    expect(await attr('heatmap', 'data-status')).toBe('ready');
    await until(async () => Number(await attr('heatmap', 'data-cells')) > 0, 'heatmap cells after the seek');
    // Playing again from there moves the clock forward on recorded time.
    await byId('replay-play').click();
    await until(
      async () => Number(await attr('replay-clock', 'data-clock')) > Number(s1.position) + 2000,
      'play',
    );
    await byId('replay-play').click();
    await until(async () => (await attr('replay-bar', 'data-state')) === 'paused', 'paused again');
    // Step: one frame of the paused session.
    const before = (await session()).frames;
    await byId('replay-step').click();
    await until(async () => (await session()).frames === before + 1, 'one frame stepped');
    // Alerts fired while playing are marked on the timeline (the builtin rules fire on this recording).
    await until(async () => Number(await attr('replay-marks', 'data-count')) > 0, 'marks on the timeline');
    await page.locator('.app').screenshot({ path: join(SHOTS, 'replay-bar.png') });
  });

  it('opens a recording of the folder as a second session', async () => {
    await byId('replay-open').click();
    const file = page.locator('[data-testid="replay-file"][data-path="cm/btcusd_perp_20240808.gz"]');
    await file.click();
    await until(async () => (await attr('replay-bar', 'data-session')) !== app.first!.id, 'the new session');
    const list = await createClient({ baseUrl: app.url }).replayList();
    expect(list.items.map((s) => s.files)).toContainEqual(['cm/btcusd_perp_20240808.gz']);
    await until(
      async () => (await attr('selected-instrument', 'data-instrument')) === 'binance-coinm:BTCUSD_PERP',
      'the new instrument selected',
    );
    expect(pageErrors).toEqual([]);
  });
});
