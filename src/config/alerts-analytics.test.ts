import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRules } from '../alerts/schema.ts';
import { ConfigError, loadConfig } from './load.ts';

function yaml(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'dw-cfg-')), 'c.yaml');
  writeFileSync(file, text);
  return file;
}

describe('config alerts section', () => {
  it('defaults to the built-in rules, no webhooks, for an empty config', () => {
    const c = loadConfig(undefined, {}, {});
    expect(c.alerts.builtins).toBe(true);
    expect(c.alerts.webhooks).toEqual([]);
    const ids = resolveRules(c.alerts).map((r) => r.id);
    expect(ids).toContain('spread_widening');
    expect(ids).toContain('stale_feed');
    expect(ids).toContain('crossed_market');
    // 13 for the books and consolidation, 4 for the Vietnamese market (ssi_*).
    expect(ids.length).toBe(17);
    expect(ids.filter((i) => i.startsWith('ssi_'))).toEqual([
      'ssi_foreign_flow_spike',
      'ssi_breadth_thrust',
      'ssi_basis',
      'ssi_limit_lock',
    ]);
  });

  it('reads rules with per-instrument overrides, webhooks and disabled built-ins from YAML', () => {
    const c = loadConfig(
      yaml(`alerts:
  builtins: { disable: [stale_feed] }
  rules:
    - id: spread_widening
      kind: metric
      metric: spreadBps
      comparator: '>'
      threshold: 8
      overrides:
        binance:ETHUSDT: { threshold: 12 }
  webhooks:
    - { url: 'http://127.0.0.1:9000/alerts', minSeverity: warning }
`),
      {},
      {},
    );
    const rules = resolveRules(c.alerts);
    expect(rules.map((r) => r.id)).not.toContain('stale_feed');
    expect(rules.find((r) => r.id === 'spread_widening')).toMatchObject({
      threshold: 8,
      overrides: { 'binance:ETHUSDT': { threshold: 12 } },
    });
    expect(c.alerts.webhooks[0]).toMatchObject({ format: 'json', minSeverity: 'warning', retries: 3 });
  });

  it('refuses an invalid rule naming its path', () => {
    expect(() =>
      loadConfig(
        yaml(
          'alerts:\n  rules:\n    - { id: x, kind: metric, metric: spreadBps, comparator: "~", threshold: 1 }\n',
        ),
        {},
        {},
      ),
    ).toThrow(/alerts\.rules\.0\.comparator/);
    expect(() => loadConfig(yaml('alerts: { webhooks: [{ url: not-a-url }] }\n'), {}, {})).toThrow(
      ConfigError,
    );
  });
});

describe('config analytics section', () => {
  it('defaults every module on, no pairs or groups, for an empty config', () => {
    const c = loadConfig(undefined, {}, {});
    expect(c.analytics).toEqual({
      defaults: {},
      instruments: {},
      cross: { pairs: [], groups: [], maxAgeMs: 5000 },
    });
  });

  it('reads defaults, per-instrument overrides and basis pairs from YAML', () => {
    const c = loadConfig(
      yaml(`analytics:
  defaults: { heatmap: { bucketSize: 5 } }
  instruments:
    binance:ETHUSDT: { heatmap: false, walls: { minNotional: 100000 } }
  cross:
    pairs: [{ name: btc-basis, future: binance-usdm:BTCUSDT, spot: binance:BTCUSDT }]
`),
      {},
      {},
    );
    expect(c.analytics.defaults.heatmap).toEqual({ bucketSize: 5 });
    expect(c.analytics.instruments['binance:ETHUSDT']).toEqual({
      heatmap: false,
      walls: { minNotional: 100000 },
    });
    expect(c.analytics.cross.pairs[0]!.name).toBe('btc-basis');
  });

  it('refuses unknown analytics settings', () => {
    expect(() => loadConfig(yaml('analytics: { defaults: { heatmapp: false } }\n'), {}, {})).toThrow(
      /analytics\.defaults/,
    );
  });
});
