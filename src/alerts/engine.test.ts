import { describe, expect, it } from 'vitest';
import { AlertEngine } from './engine.ts';
import { alertsConfigSchema, builtInRules, resolveRules, type AlertsConfigInput } from './schema.ts';
import type { Alert } from './types.ts';
import type { WallEvent } from '../analytics/walls.ts';

function make(cfg: AlertsConfigInput): { eng: AlertEngine; out: Alert[] } {
  const out: Alert[] = [];
  return {
    eng: new AlertEngine({ builtins: false, rateLimit: { perMinute: 6000, burst: 1000 }, ...cfg }, (a) =>
      out.push(a),
    ),
    out,
  };
}

const input = (ts: number, v: number | null, instrument = 'x:A', state: 'live' | 'resyncing' = 'live') => ({
  instrument,
  ts,
  exchangeTs: ts - 5,
  state,
  sequence: ts,
  extra: { imb: v },
});

const imbRule = {
  id: 'imb',
  kind: 'metric' as const,
  metric: 'imb',
  comparator: 'abs>' as const,
  threshold: 0.8,
  clearThreshold: 0.6,
  cooldownMs: 0,
};

describe('AlertEngine metric rules', () => {
  it('fires once above the threshold and stays quiet until the value is back below the clear threshold', () => {
    const { eng, out } = make({ rules: [imbRule] });
    eng.evaluate(input(0, 0.5));
    eng.evaluate(input(1, 0.85)); // fires
    eng.evaluate(input(2, 0.9)); // still active: no repeat
    eng.evaluate(input(3, 0.7)); // below 0.8 but above clear 0.6: still active
    eng.evaluate(input(4, 0.85)); // no repeat (never cleared)
    expect(out.map((a) => a.ts)).toEqual([1]);
    eng.evaluate(input(5, 0.5)); // clears
    eng.evaluate(input(6, -0.9)); // fires again (abs)
    expect(out.map((a) => [a.ts, a.value])).toEqual([
      [1, 0.85],
      [6, -0.9],
    ]);
    expect(out[0]).toMatchObject({
      ruleId: 'imb',
      status: 'firing',
      state: 'live',
      sequence: 1,
      exchangeTs: -4,
      threshold: 0.8,
    });
  });

  it('requires the condition to hold for forMs', () => {
    const { eng, out } = make({ rules: [{ ...imbRule, forMs: 100 }] });
    eng.evaluate(input(0, 0.9));
    eng.evaluate(input(50, 0.9));
    eng.evaluate(input(60, 0.1)); // broken: restart
    eng.evaluate(input(70, 0.9));
    eng.evaluate(input(160, 0.9)); // 90 ms held
    expect(out).toHaveLength(0);
    eng.evaluate(input(170, 0.9)); // 100 ms held
    expect(out.map((a) => a.ts)).toEqual([170]);
  });

  it('honours the cooldown between firings, firing once it has elapsed if the condition still holds', () => {
    const { eng, out } = make({ rules: [{ ...imbRule, cooldownMs: 1000 }] });
    eng.evaluate(input(0, 0.9));
    eng.evaluate(input(10, 0.1));
    eng.evaluate(input(20, 0.9)); // within cooldown
    eng.evaluate(input(500, 0.9));
    expect(out.map((a) => a.ts)).toEqual([0]);
    eng.evaluate(input(1000, 0.9));
    expect(out.map((a) => a.ts)).toEqual([0, 1000]);
    expect(eng.stats.cooledDown).toBe(2);
  });

  it('ignores non-live books and unknown values', () => {
    const { eng, out } = make({ rules: [imbRule] });
    eng.evaluate(input(0, 0.9, 'x:A', 'resyncing'));
    eng.evaluate(input(1, null));
    expect(out).toHaveLength(0);
  });

  it('applies per-instrument overrides', () => {
    const { eng, out } = make({
      rules: [
        {
          ...imbRule,
          overrides: { 'x:B': { threshold: 0.95, clearThreshold: 0.9 }, 'x:C': { enabled: false } },
        },
      ],
    });
    eng.evaluate(input(0, 0.9, 'x:A'));
    eng.evaluate(input(0, 0.9, 'x:B'));
    eng.evaluate(input(0, 0.99, 'x:C'));
    eng.evaluate(input(1, 0.96, 'x:B'));
    expect(out.map((a) => [a.instrument, a.ts])).toEqual([
      ['x:A', 0],
      ['x:B', 1],
    ]);
  });

  it('detects an imbalance flip between strong readings only', () => {
    const { eng, out } = make({
      rules: [
        { id: 'flip', kind: 'metric', metric: 'imb', comparator: 'flip', threshold: 0.5, cooldownMs: 0 },
      ],
    });
    for (const [t, v] of [
      [0, 0.6],
      [1, -0.3], // weak: ignored
      [2, 0.7],
      [3, -0.6], // flip + → -
      [4, -0.9],
      [5, 0.55], // flip - → +
    ] as const)
      eng.evaluate(input(t, v));
    expect(out.map((a) => a.ts)).toEqual([3, 5]);
  });

  it('emits resolved alerts when notifyResolved is on', () => {
    const { eng, out } = make({ rules: [imbRule], notifyResolved: true });
    eng.evaluate(input(0, 0.9));
    eng.evaluate(input(1, 0.2));
    expect(out.map((a) => a.status)).toEqual(['firing', 'resolved']);
  });

  it('rate-limits with a token bucket', () => {
    const out: Alert[] = [];
    const eng = new AlertEngine(
      {
        builtins: false,
        rules: [{ ...imbRule, comparator: 'flip', threshold: 0.1 }],
        rateLimit: { perMinute: 60, burst: 2 },
      },
      (a) => out.push(a),
    );
    // flips at t = 1, 2, 3 (ms): burst 2 → third dropped; at +1 s one token is back
    for (const [t, v] of [
      [0, 1],
      [1, -1],
      [2, 1],
      [3, -1],
      [1003, 1],
    ] as const)
      eng.evaluate(input(t, v));
    expect(out.map((a) => a.ts)).toEqual([1, 2, 1003]);
    expect(eng.stats.rateLimited).toBe(1);
  });
});

describe('AlertEngine state, staleness and events', () => {
  it('fires book_not_live after the state persists, via ticks without data', () => {
    const { eng, out } = make({
      rules: [{ id: 'nl', kind: 'state', states: ['resyncing'], forMs: 5000, severity: 'critical' }],
    });
    eng.evaluate(input(0, 0, 'x:A', 'resyncing'));
    eng.tick(4000);
    expect(out).toHaveLength(0);
    eng.tick(5000);
    expect(out[0]).toMatchObject({ ruleId: 'nl', severity: 'critical', kind: 'state', state: 'resyncing' });
  });

  it('fires stale_feed when no input arrives for the threshold and clears on fresh data', () => {
    const { eng, out } = make({
      rules: [
        {
          id: 'stale',
          kind: 'metric',
          metric: 'feedAgeMs',
          comparator: '>',
          threshold: 10_000,
          requireLive: false,
          cooldownMs: 0,
        },
      ],
      notifyResolved: true,
    });
    eng.evaluate(input(0, 0));
    eng.tick(9_000);
    eng.tick(10_001);
    eng.tick(12_000);
    eng.evaluate(input(12_500, 0));
    expect(out.map((a) => [a.status, a.ts, a.value])).toEqual([
      ['firing', 10_001, 10_001],
      ['resolved', 12_500, 0],
    ]);
  });

  const wall = (kind: WallEvent['kind'], ts: number, price = 100, notional = 500_000): WallEvent => ({
    type: 'wall',
    kind,
    instrument: 'x:A',
    side: 'bid',
    price,
    size: 0,
    prevPrice: null,
    prevSize: notional / price,
    notional,
    tradedSize: 0,
    ageMs: 1000,
    ts,
    state: 'live',
    sequence: 7,
    heuristic: true,
    confidence: 0.9,
  });

  it('fires on wall events above the notional and de-duplicates the same wall', () => {
    const { eng, out } = make({
      rules: [{ id: 'wp', kind: 'event', event: 'wall.pulled', minNotional: 250_000, cooldownMs: 0 }],
      dedupWindowMs: 60_000,
    });
    eng.onEvent(wall('pulled', 0));
    eng.onEvent(wall('pulled', 10)); // same wall, same price: duplicate
    eng.onEvent(wall('pulled', 20, 101)); // another price
    eng.onEvent(wall('pulled', 30, 102, 1000)); // too small
    eng.onEvent(wall('consumed', 40)); // other event
    eng.onEvent(wall('pulled', 60_000)); // dedup window over
    expect(out.map((a) => [a.ts, a.details?.price])).toEqual([
      [0, 100],
      [20, 101],
      [60_000, 100],
    ]);
    expect(out[0]!.details).toMatchObject({ heuristic: true, confidence: 0.9 });
    expect(eng.stats.deduplicated).toBe(1);
  });
});

describe('alert config schema', () => {
  it('validates rules and rejects bad ones with a clear path', () => {
    const bad = alertsConfigSchema.safeParse({
      rules: [{ id: 'x', kind: 'metric', metric: 'm', comparator: '!=', threshold: 1 }],
    });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('comparator');
    const ok = alertsConfigSchema.parse({ rules: [{ id: 'x', kind: 'state', states: ['stale'] }] });
    expect(ok.rules[0]).toMatchObject({ severity: 'warning', cooldownMs: 60_000, enabled: true });
  });

  it('resolves built-ins with replacements and disables', () => {
    const all = builtInRules().map((r) => r.id);
    expect(all).toEqual(
      expect.arrayContaining([
        'extreme_imbalance',
        'imbalance_flip',
        'spread_widening',
        'velocity_spike',
        'wall_pulled',
        'wall_consumed',
        'depth_anomaly',
        'liquidity_shrinkage',
        'basis_divergence',
        'book_not_live',
        'stale_feed',
      ]),
    );
    const cfg = alertsConfigSchema.parse({
      builtins: { disable: ['stale_feed'] },
      rules: [{ id: 'spread_widening', kind: 'metric', metric: 'spreadBps', comparator: '>', threshold: 3 }],
    });
    const rules = resolveRules(cfg);
    expect(rules.find((r) => r.id === 'stale_feed')).toBeUndefined();
    expect(rules.find((r) => r.id === 'spread_widening')).toMatchObject({ threshold: 3 });
  });
});

describe('AlertEngine cross-instrument subjects', () => {
  it('evaluates basis under the pair name even with requireLive (no book state on the input)', () => {
    const out: Alert[] = [];
    const eng = new AlertEngine(
      {
        builtins: false,
        rules: [{ id: 'basis', kind: 'metric', metric: 'basisBps', comparator: 'abs>', threshold: 50 }],
      },
      (a) => out.push(a),
    );
    eng.evaluate({
      instrument: 'BTC perp',
      ts: 0,
      exchangeTs: NaN,
      state: null,
      sequence: null,
      extra: { basisBps: -60 },
    });
    expect(out[0]).toMatchObject({ instrument: 'BTC perp', value: -60, state: null });
  });

  it('runs the built-in rules on a metrics record', () => {
    const out: Alert[] = [];
    const eng = new AlertEngine({}, (a) => out.push(a));
    const metrics = { spreadBps: 12, imbalanceTopN: 0.1 };
    eng.evaluate({ instrument: 'x:A', ts: 0, exchangeTs: 0, state: 'live', sequence: 1, metrics });
    eng.evaluate({ instrument: 'x:A', ts: 1000, exchangeTs: 1000, state: 'live', sequence: 2, metrics });
    // spread_widening: spreadBps 12 > 10 held for 1 s
    expect(out.map((a) => [a.ruleId, a.ts, a.severity])).toEqual([['spread_widening', 1000, 'warning']]);
  });
});
