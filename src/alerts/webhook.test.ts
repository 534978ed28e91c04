import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookSink, webhookBody } from './webhook.ts';
import type { Alert } from './types.ts';

const alert: Alert = {
  id: 'a1',
  ruleId: 'spread_widening',
  kind: 'metric',
  status: 'firing',
  severity: 'warning',
  instrument: 'binance:BTCUSDT',
  metric: 'spreadBps',
  value: 12.5,
  threshold: 10,
  comparator: '>',
  message: '[warning] binance:BTCUSDT spread_widening: spreadBps 12.5 > 10',
  ts: 1_723_161_600_000,
  exchangeTs: NaN,
  state: 'live',
  sequence: 42,
};

let server: Server | null = null;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A server answering with the given statuses in turn (then 200), recording bodies. */
async function serve(statuses: number[]): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      bodies.push(JSON.parse(data));
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

describe('WebhookSink', () => {
  it('delivers generic JSON with the alert (NaN exchange time as null)', async () => {
    const { url, bodies } = await serve([]);
    const sink = new WebhookSink({ url });
    expect(await sink.deliver(alert)).toBe(true);
    expect(bodies[0]).toEqual({ alert: { ...alert, exchangeTs: null } });
    expect(sink.stats).toMatchObject({ delivered: 1, attempts: 1, deadLetter: 0 });
  });

  it('retries on 5xx with back-off and then delivers', async () => {
    const { url, bodies } = await serve([500, 503]);
    const sink = new WebhookSink({ url, retries: 3, backoffMs: 1, format: 'slack' });
    sink.send(alert);
    await sink.flush();
    expect(sink.stats).toMatchObject({ delivered: 1, attempts: 3, retries: 2, deadLetter: 0 });
    expect((bodies[2] as { text: string }).text).toContain('*WARNING*');
  });

  it('does not retry a 400 and dead-letters it', async () => {
    const { url } = await serve([400]);
    const sink = new WebhookSink({ url, retries: 3, backoffMs: 1 });
    expect(await sink.deliver(alert)).toBe(false);
    expect(sink.stats).toMatchObject({ attempts: 1, deadLetter: 1 });
    expect(sink.deadLetters[0]!.error).toBe('HTTP 400');
  });

  it('retries then dead-letters when the server is down', async () => {
    const { url } = await serve([]);
    await new Promise<void>((r) => server!.close(() => r()));
    server = null;
    const sink = new WebhookSink({ url, retries: 2, backoffMs: 1, timeoutMs: 1000 });
    expect(await sink.deliver(alert)).toBe(false);
    expect(sink.stats).toMatchObject({ attempts: 3, retries: 2, delivered: 0, deadLetter: 1 });
  });

  it('filters below minSeverity', async () => {
    const sink = new WebhookSink({ url: 'http://127.0.0.1:9/x', minSeverity: 'critical' });
    expect(await sink.deliver(alert)).toBe(false);
    expect(sink.stats).toMatchObject({ filtered: 1, attempts: 0 });
  });

  it('builds a Discord body with an embed', () => {
    const b = webhookBody(alert, 'discord') as {
      content: string;
      embeds: { color: number; fields: { name: string }[] }[];
    };
    expect(b.content).toBe(alert.message);
    expect(b.embeds[0]!.color).toBe(0xf1c40f);
    expect(b.embeds[0]!.fields.map((f) => f.name)).toEqual(['instrument', 'spreadBps', 'book']);
  });
});
