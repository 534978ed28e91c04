/**
 * The built-in `crossed_market` alert on real data: the three simultaneous Binance BTC recordings of
 * 2024-08-08 replayed as one BTC-USD group without fees, the alert engine wired as the app wires it
 * (alerts/wire.ts). Every crossing whose net edge passes the threshold fires once per pair (cooldown
 * aside) and resolves when it closes; the group's basis is published for the basis rule as `<group> <member>`.
 */
import { describe, expect, it } from 'vitest';
import { openRecording } from '../src/recording/index.ts';
import { Replay } from '../src/replay/replay.ts';
import { AlertEngine } from '../src/alerts/engine.ts';
import { connectAlerts } from '../src/alerts/wire.ts';
import type { Alert } from '../src/alerts/types.ts';
import type { CrossedMarket } from '../src/analytics/consolidated/arbitrage.ts';

const D = '../shared/data/binance-hftbacktest';

describe('crossed_market alert over the Binance BTC replay', () => {
  it('fires on crossings above the threshold, resolves on close, and sees the group basis', async () => {
    const replay = new Replay(
      await openRecording([
        `${D}/spot/btcusdt_20240808.gz`,
        `${D}/usdm/btcusdt_20240808.gz`,
        `${D}/cm/btcusd_perp_20240808.gz`,
      ]),
      {
        to: Date.UTC(2024, 7, 8, 23, 55, 30),
        engine: {
          consolidation: {
            groups: [
              {
                name: 'BTC-USD',
                members: ['binance:BTCUSDT', 'binance-usdm:BTCUSDT', 'binance-coinm:BTCUSD_PERP'],
              },
            ],
            watchlist: false,
          },
        },
      },
    );
    const alerts: Alert[] = [];
    const threshold = 1;
    const engine = new AlertEngine(
      {
        notifyResolved: true,
        rateLimit: { perMinute: 6000, burst: 1000 },
        rules: [
          {
            id: 'crossed_market',
            kind: 'metric',
            metric: 'crossedEdgeBps',
            comparator: '>',
            threshold,
            clearThreshold: 0.5,
            severity: 'info',
            cooldownMs: 0,
            requireLive: false,
          },
        ],
        builtins: { disable: ['stale_feed', 'book_not_live'] },
      },
      (a) => alerts.push(a),
    );
    connectAlerts(replay.bus, engine);
    const crossed: CrossedMarket[] = [];
    replay.bus.subscribe('arbitrage', (e) => crossed.push(e));
    const basisNames = new Map<string, number>();
    replay.bus.subscribe('cross', (c) => {
      if (c.kind === 'basis') basisNames.set(c.result.name, (basisNames.get(c.result.name) ?? 0) + 1);
    });
    await replay.run();

    const mine = alerts.filter((a) => a.ruleId === 'crossed_market');
    // Expected from the events: per pair, a firing when the edge first passes the threshold after being
    // clear, a resolution at the close that follows.
    const expected: string[] = [];
    const firing = new Map<string, boolean>();
    for (const e of crossed) {
      const subject = `BTC-USD ${e.sellOn}>${e.buyOn}`;
      const v = e.status === 'close' ? 0 : e.edgeBps;
      if (!firing.get(subject) && v > threshold) {
        firing.set(subject, true);
        expected.push(`firing ${subject}`);
      } else if (firing.get(subject) && v < 0.5) {
        firing.set(subject, false);
        expected.push(`resolved ${subject}`);
      }
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(mine.map((a) => `${a.status} ${a.instrument}`)).toEqual(expected);
    // The group's basis reaches the basis rule as a pair basis `<group> <member>`, once a second.
    expect(basisNames.get('BTC-USD binance-usdm:BTCUSDT')).toBeGreaterThan(50);
    expect(basisNames.get('BTC-USD binance-coinm:BTCUSD_PERP')).toBeGreaterThan(50);
    console.log(
      `${crossed.length} crossing events, ${mine.length} crossed_market alerts (threshold ${threshold} bps)`,
    );
  });
});
