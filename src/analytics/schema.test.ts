import { describe, expect, it } from 'vitest';
import { parseAnalyticsConfig } from './schema.ts';
import { AnalyticsStage, type AnalyticsOptions } from './stage.ts';
import { InProcessBus } from '../bus/in-process.ts';
import type { OutputTopics } from '../alerts/topics.ts';

describe('analytics config schema', () => {
  it('parses settings into the engine option shape, with ISO expiry as ms', () => {
    const o: AnalyticsOptions = parseAnalyticsConfig({
      defaults: { walls: { minNotional: 1e6 } },
      instruments: { 'binance:ETHUSDT': { clusters: { bucketSize: 1 } } },
      cross: {
        pairs: [
          {
            name: 'BTC Q',
            future: 'binance-coinm:BTCUSD_240927',
            spot: 'binance:BTCUSDT',
            expiry: '2024-09-27T08:00:00Z',
          },
        ],
      },
    });
    expect(o.cross!.pairs[0]!.expiryTs).toBe(Date.UTC(2024, 8, 27, 8));
    expect(o.cross!.maxAgeMs).toBe(5000);
    const e = new AnalyticsStage({ bus: new InProcessBus<OutputTopics>(), analytics: o });
    expect(e.cross).not.toBeNull();
    expect(e.analytics('binance:ETHUSDT')).toBeDefined();
  });

  it('rejects unknown fields and bad values', () => {
    expect(() => parseAnalyticsConfig({ defaults: { walls: { minSize: -1 } } })).toThrow();
    expect(() => parseAnalyticsConfig({ defaults: { wals: {} } })).toThrow();
    expect(() => parseAnalyticsConfig({ defaults: { clusters: { bucketSize: 0 } } })).toThrow();
  });
});
