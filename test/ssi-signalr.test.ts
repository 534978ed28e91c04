/**
 * The SSI live client (SignalR 2 on `ws`, token, channels, reconnects) against the local SSI hub
 * simulator on loopback. The recorded lines are real SSI messages; the SignalR frames around them are
 * synthetic framing made by the simulator (test names say so).
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SsiStreamClient } from '../src/live/ssi/client.ts';
import { RestLimiter } from '../src/live/rest-limiter.ts';
import { SsiSimulator, parseSsiFaults, readSsiLines } from '../src/sim/venues/ssi.ts';
import { SsiParser } from '../src/feeds/ssi/parser.ts';
import { SsiAuth } from '../src/live/ssi/client.ts';
import { SsiRest } from '../src/live/ssi/rest.ts';
import { parseSsiOhlc } from '../src/feeds/ssi/reference.ts';

const DIR = '../shared/data/ssi/stream';
const FILES = ['ssi_b_messages.first72.jsonl', 'ssi_mi_messages.jsonl', 'ssi_b_messages.last36.jsonl'].map(
  (f) => `${DIR}/${f}`,
);
const DOC = readFileSync(`${DIR}/ssi_doc_samples.jsonl`, 'utf8').split('\n');
const docLine = (type: string): string => DOC.find((l) => l.startsWith(`{"DataType":"${type}"`))!;
const CREDS = { consumerID: 'sim-consumer', consumerSecret: 'top-secret-value-42' };
const CHANNELS = ['B:VCB-TCB-HPG', 'MI:VNINDEX', 'X:ALL', 'R:ALL'];

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(
  lines: string[],
  faults: string,
  simOpts: { intervalMs?: number; keepAliveMs?: number } = {},
  clientOpts: { refreshMarginMs?: number; channels?: string[] } = {},
) {
  const sim = new SsiSimulator({
    lines,
    faults: parseSsiFaults(faults),
    credentials: CREDS,
    keepAliveMs: 200,
    ...simOpts,
  });
  const base = await sim.listen(0);
  const got: { dataType: string; content: string }[] = [];
  const errors: Error[] = [];
  const logs: string[] = [];
  const logger = pino(
    { level: 'trace' },
    new Writable({
      write(chunk: Buffer, _e, cb) {
        logs.push(chunk.toString());
        cb();
      },
    }),
  );
  const client = new SsiStreamClient({
    streamUrl: base,
    restUrl: base,
    credentials: CREDS,
    channels: clientOpts.channels ?? CHANNELS,
    onMessage: (dataType, content) => got.push({ dataType, content }),
    onError: (e) => errors.push(e),
    logger,
    backoff: { baseMs: 20, maxMs: 100 },
    limiter: new RestLimiter({ weightPerMinute: 600 }),
    ...(clientOpts.refreshMarginMs !== undefined ? { refreshMarginMs: clientOpts.refreshMarginMs } : {}),
  });
  cleanup.push(
    () => sim.close(),
    () => client.stop(),
  );
  return { sim, client, got, errors, logs };
}

const until = async (cond: () => boolean, ms = 15_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const recorded = (lines: string[]) =>
  lines.map((l) => {
    const e = JSON.parse(l) as { DataType: string; Content: string };
    return { dataType: e.DataType, content: e.Content };
  });

describe('SSI SignalR-2 client against the local hub (synthetic SignalR framing of recorded SSI payloads)', () => {
  it('synthetic framing: connects, subscribes 4 channels, survives disconnects with re-subscription; recorded messages come out identical', async () => {
    const lines = [...(await readSsiLines(FILES)), docLine('X'), docLine('R')];
    const { sim, client, got } = await setup(lines, 'disconnect=40');
    await client.start();
    await until(() => got.length === lines.length);
    expect(got).toEqual(recorded(lines));
    expect(sim.stats.disconnects).toBeGreaterThanOrEqual(3);
    expect(client.stats.reconnects).toBe(sim.stats.disconnects);
    // Every connection subscribed again (a connection cut while subscribing got fewer than four: all
    // messages still arrived, so each was re-subscribed in time).
    expect(client.stats.subscriptions).toBeGreaterThanOrEqual(client.stats.connects + 3);
    expect(sim.stats.subscriptions).toBe(client.stats.subscriptions);
    // And they parse: 0 dropped.
    const p = new SsiParser();
    for (const g of got) expect(p.parseMessage(g.dataType, g.content, 0).length).toBeGreaterThan(0);
  });

  it('synthetic framing: refreshes the token before it expires and reconnects with the new one; nothing is lost', async () => {
    const lines = await readSsiLines(FILES.slice(0, 2));
    const { sim, client, got } = await setup(
      lines,
      'tokenTtl=900',
      { intervalMs: 15, keepAliveMs: 100 },
      { refreshMarginMs: 400 },
    );
    await client.start();
    await until(() => got.length === lines.length);
    expect(got).toEqual(recorded(lines));
    expect(client.auth.stats.issued).toBeGreaterThanOrEqual(2);
    expect(sim.stats.tokensIssued).toBe(client.auth.stats.issued);
    // The hub ended the connection of an expired token at least once; the client came back with a new one.
    expect(sim.stats.expiredClosed).toBeGreaterThanOrEqual(1);
    expect(client.stats.connects).toBeGreaterThanOrEqual(2);
  });

  it('waits out HTTP 429 on AccessToken (Retry-After) and never logs the secret or the token', async () => {
    const lines = await readSsiLines([FILES[1]!]);
    const { sim, client, got, logs } = await setup(lines, 'rate429=2:0');
    await client.start();
    await until(() => got.length === lines.length);
    expect(sim.stats.rateLimited).toBe(2);
    expect(client.auth.stats).toMatchObject({ rateLimited: 2, issued: 1, requests: 3 });
    client.dropConnection();
    await until(() => client.stats.connects === 2);
    const all = logs.join('');
    expect(all).toContain('SSI stream');
    expect(all).not.toContain(CREDS.consumerSecret);
    expect(all).not.toContain(client.auth.current()!);
  });

  it('a bad channel is reported through the hub Error method; a wrong secret is a typed auth error', async () => {
    const lines = await readSsiLines([FILES[1]!]);
    const { client, errors, got } = await setup(lines, '', {}, { channels: ['MI:VNINDEX', 'ZZ:ALL'] });
    await client.start();
    await until(() => got.length === lines.length);
    expect(errors.map((e) => e.message)).toContain('SSI hub Error: invalid channel ZZ:ALL');
    const sim2 = new SsiSimulator({ lines, credentials: CREDS });
    const base = await sim2.listen(0);
    cleanup.push(() => sim2.close());
    const bad = new SsiStreamClient({
      streamUrl: base,
      restUrl: base,
      credentials: { ...CREDS, consumerSecret: 'wrong' },
      channels: [],
      onMessage: () => {},
    });
    const err = await bad.auth.get().catch((e: Error & { status?: number }) => e);
    expect(err).toMatchObject({ name: 'SsiAuthError', status: 401 });
    expect((err as Error).message).not.toContain('wrong');
  });

  it('REST reference data behind the shared limiter: daily OHLC in 30-day windows and pages, securities from the served symbols, 429 waited out', async () => {
    const daily = readFileSync('../shared/data/ssi/rest/ssi_daily_ohlc.json', 'utf8');
    const lines = [docLine('X'), docLine('R'), docLine('X-QUOTE')];
    const sim = new SsiSimulator({
      lines,
      credentials: CREDS,
      rest: { daily },
      faults: parseSsiFaults('rate429=1:0'),
    });
    const base = await sim.listen(0);
    cleanup.push(() => sim.close());
    const limiter = new RestLimiter({ weightPerMinute: 600 });
    const auth = new SsiAuth({ restUrl: base, credentials: CREDS, limiter });
    cleanup.push(() => auth.stop());
    const rest = new SsiRest({ restUrl: base, auth, limiter, pageSize: 10 });
    const bars = await rest.dailyOhlc('VCB', '2026-06-01', '2026-07-20');
    // Two windows (June, July), two pages each for 20 June+July rows at 10 a page → every recorded bar once, in order.
    expect(bars).toEqual(parseSsiOhlc(daily));
    expect(rest.stats.pages).toBeGreaterThanOrEqual(3);
    expect(limiter.stats.requests).toBe(rest.stats.requests + auth.stats.requests);
    expect(auth.stats.rateLimited).toBe(1);
    const secs = await rest.securities('HOSE');
    expect(secs.map((s) => s.id).sort()).toEqual(['ssi:ACB', 'ssi:SSI']);
    expect((await rest.securities('HNX')).map((s) => [s.id, s.exchange])).toEqual([['ssi:TAR', 'HNX']]);
    // A window longer than SSI's 30 days is refused by the hub (the client never sends one).
    await expect(
      rest.get('/api/v2/Market/DailyOhlc', { symbol: 'VCB', fromDate: '01/06/2026', toDate: '20/07/2026' }),
    ).rejects.toMatchObject({ status: 400 });
  });
});
