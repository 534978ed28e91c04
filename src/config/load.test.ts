import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.ts';
import { consolidationOptions } from './consolidation.ts';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty config', () => {
    const c = loadConfig(undefined, {}, {});
    expect(c.instruments).toEqual(['binance:BTCUSDT', 'binance:ETHUSDT', 'okx:BTC-USDT']);
    expect(c.api.port).toBe(8080);
    expect(c.store.url).toBe('duckdb:./data/depthwatch.duckdb');
    expect(c.role).toBe('all');
  });

  it('reads YAML, then environment, then CLI overrides, in that order of precedence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'instruments: [binance-usdm:BTCUSDT]\napi: { port: 9000 }\n');
    const c = loadConfig(
      file,
      { api: { port: 9100 } },
      { DEPTHWATCH_PORT: '9050', DEPTHWATCH_BUS: 'nats://127.0.0.1:4222' },
    );
    expect(c.instruments).toEqual(['binance-usdm:BTCUSDT']);
    expect(c.api.port).toBe(9100);
    expect(c.api.host).toBe('127.0.0.1');
    expect(c.bus).toBe('nats://127.0.0.1:4222');
  });

  it("passes a group's heatmap settings from the file to the consolidation stage", () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      [
        'consolidated:',
        '  BTC-USD: { members: [binance:BTCUSDT, okx:BTC-USDT], heatmap: { bucketSize: 5, rangePct: 1 }, memberHeatmaps: false }',
        '  ETH-USD: { members: [binance:ETHUSDT], heatmap: false }',
        "watchlist: { timeZone: 'Asia/Ho_Chi_Minh' }",
      ].join('\n'),
    );
    const o = consolidationOptions(loadConfig(file, {}, {}));
    expect(o.groups).toEqual([
      {
        name: 'BTC-USD',
        members: ['binance:BTCUSDT', 'okx:BTC-USDT'],
        heatmap: { bucketSize: 5, rangePct: 1 },
        memberHeatmaps: false,
      },
      { name: 'ETH-USD', members: ['binance:ETHUSDT'], heatmap: false },
    ]);
    expect(o.watchlist).toMatchObject({ clock: { timeZone: 'Asia/Ho_Chi_Minh' } });
    writeFileSync(file, 'consolidated: { X: { members: [binance:BTCUSDT], heatmap: { bucket: 5 } } }\n');
    expect(() => loadConfig(file, {}, {})).toThrow(ConfigError);
  });

  it('rejects invalid values with every problem and its path', () => {
    try {
      loadConfig(undefined, { instruments: ['BTCUSDT'], api: { port: 70000 } }, {});
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toContain('instruments.0');
      expect((e as Error).message).toContain('api.port');
    }
  });

  it('rejects unknown keys so typos do not pass silently', () => {
    expect(() => loadConfig(undefined, { instrumnets: ['binance:BTCUSDT'] }, {})).toThrow(ConfigError);
  });

  it('reports a missing file and invalid YAML clearly', () => {
    expect(() => loadConfig('/nonexistent/depthwatch.yaml', {}, {})).toThrow(/cannot read config file/);
    const dir = mkdtempSync(join(tmpdir(), 'dw-cfg-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'instruments: [unclosed\n');
    expect(() => loadConfig(file, {}, {})).toThrow(/not valid YAML/);
  });
});
