import { describe, expect, it } from 'vitest';
import { MarkerTracker } from './markers.ts';
import type { LiquidityCluster } from './clusters.ts';

const cluster = (side: 'bid' | 'ask', priceFrom: number, firstSeen = 0): LiquidityCluster => ({
  side,
  priceFrom,
  priceTo: priceFrom + 10,
  size: 5,
  notional: 5 * priceFrom,
  ratio: 4,
  strength: 0.5,
  firstSeen,
  ageMs: 0,
  state: 'live',
  sequence: 1,
});

describe('analytics markers', () => {
  it('a cluster forms when first listed and dissolves when a later scan no longer lists it', () => {
    const t = new MarkerTracker('x:A');
    expect(t.onClusters([cluster('bid', 100, 0)], 1000, 'live').map((m) => m.kind)).toEqual(['formed']);
    expect(t.onClusters([cluster('bid', 100, 0), cluster('ask', 120, 2000)], 2000, 'live')).toMatchObject([
      { kind: 'formed', side: 'ask', priceFrom: 120 },
    ]);
    const gone = t.onClusters([cluster('ask', 120, 2000)], 5000, 'live');
    expect(gone).toMatchObject([{ kind: 'dissolved', side: 'bid', priceFrom: 100, ageMs: 5000 }]);
    // Leaving live dissolves what is left.
    expect(t.onLeaveLive(6000, 'resyncing')).toMatchObject([
      { kind: 'dissolved', priceFrom: 120, state: 'resyncing' },
    ]);
  });

  it('anomaly and shrinkage episodes open above their threshold and close at the clear level (hysteresis)', () => {
    const t = new MarkerTracker('x:A', {
      anomalyZ: 6,
      anomalyClearZ: 3,
      shrinkage: 0.5,
      shrinkageClear: 0.3,
    });
    const step = (z: number | null, s: number | null, ts: number) =>
      t.onLiquidity({ depthZ: z, shrinkage: s }, ts, 'live').map((m) => `${m.type}:${m.status}`);
    expect(step(5.9, 0.49, 0)).toEqual([]);
    expect(step(-7, 0.6, 1000)).toEqual(['anomaly:open', 'shrinkage:open']);
    expect(step(-4, 0.35, 2000)).toEqual([]); // between clear and open: still open
    const peak = t.onLiquidity({ depthZ: -9, shrinkage: 0.4 }, 3000, 'live');
    expect(peak).toEqual([]);
    const closed = t.onLiquidity({ depthZ: 2, shrinkage: 0.3 }, 4000, 'live');
    expect(closed).toMatchObject([
      { type: 'anomaly', status: 'close', peak: -9, startTs: 1000, durationMs: 3000, value: 2 },
      { type: 'shrinkage', status: 'close', peak: 0.6, startTs: 1000, durationMs: 3000 },
    ]);
    // Unknown values close an open episode; a book leaving live closes it too.
    expect(step(8, null, 5000)).toEqual(['anomaly:open']);
    expect(step(null, null, 6000)).toEqual(['anomaly:close']);
    expect(step(8, 0.9, 7000)).toEqual(['anomaly:open', 'shrinkage:open']);
    expect(t.onLeaveLive(8000, 'stale').map((m) => `${m.type}:${'status' in m ? m.status : m.kind}`)).toEqual(
      ['anomaly:close', 'shrinkage:close'],
    );
  });
});
