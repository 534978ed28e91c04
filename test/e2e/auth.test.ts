/**
 * The dashboard on a server that requires API keys (README "Security"), in a real browser on the real
 * offline run: without a key every REST call and the WebSocket are refused; the dashboard asks once for a
 * key (a prompt), keeps it in the browser, sends it as `Authorization: Bearer` on REST calls and connects
 * the WebSocket with a single-use token (never the key in the URL), then shows a live book.
 * Screenshot: screenshots/auth.png.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../src/api/security/keys.ts';
import { SHOTS, startBrowserSession, type BrowserSession } from './browser.ts';

const reader = generateKey('dashboard', ['read']);
let session: BrowserSession;

describe('dashboard with API keys in a real browser', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    session = await startBrowserSession({ apiKeys: [reader.record] });
  });
  afterAll(async () => {
    await session?.close();
  });

  it('refuses requests without a key, asks once, then works with the key', async () => {
    const { page, server } = session;
    expect((await fetch(`${server.url}api/v1/instruments`)).status).toBe(401);
    const prompts: string[] = [];
    page.on('dialog', (d) => {
      prompts.push(d.message());
      void d.accept(reader.key);
    });
    const wsUrls: string[] = [];
    const authHeaders: string[] = [];
    page.on('websocket', (ws) => wsUrls.push(ws.url()));
    page.on('request', (r) => {
      const a = r.headers().authorization;
      if (r.url().includes('/api/v1/') && a) authHeaders.push(a);
    });
    await page.goto(server.url);
    await page.locator('[data-testid="ws-status"][data-status="connected"]').first().waitFor();
    await page.locator('[data-testid="book-state"][data-state="live"]').first().waitFor();
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toMatch(/needs an API key/);
    expect(await page.evaluate("localStorage.getItem('depthwatch.apiKey')")).toBe(reader.key);
    expect(authHeaders.length).toBeGreaterThan(0);
    expect(authHeaders.every((h) => h === `Bearer ${reader.key}`)).toBe(true);
    // The WebSocket URL carries a single-use token, never the key.
    const connected = wsUrls.filter((u) => u.includes('token='));
    expect(connected.length).toBeGreaterThan(0);
    expect(wsUrls.some((u) => u.includes('dwk_'))).toBe(false);
    await page.screenshot({ path: join(SHOTS, 'auth.png') });
    expect(session.pageErrors).toEqual([]);
  });
});
