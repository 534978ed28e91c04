import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CrossedMarket } from '../analytics/consolidated/arbitrage.ts';
import {
  basisEventRow,
  checkEventQuery,
  crossedEventRow,
  eventCursor,
  validateAnalyticsEvent,
} from './event-rows.ts';
import { Spool } from './spool/spool.ts';

const T = Date.UTC(2024, 7, 8, 23, 54, 0);
const crossing = (status: CrossedMarket['status'], at: number, maxEdgeBps: number): CrossedMarket => ({
  id: `G:a:X>b:Y:${T + 0.4}`,
  group: 'G',
  sellOn: 'a:X',
  buyOn: 'b:Y',
  bid: 101,
  ask: 100,
  size: NaN,
  edgeBps: maxEdgeBps,
  maxEdgeBps,
  startTs: T + 0.4,
  endTs: status === 'close' ? at : null,
  durationMs: at - (T + 0.4),
  status,
});

describe('analytics event rows', () => {
  it('give each event of a crossing its own id at the time it happened (whole ms)', () => {
    const open = crossedEventRow(crossing('open', T + 0.4, 3));
    const up1 = crossedEventRow(crossing('update', T + 250.7, 4));
    const up2 = crossedEventRow(crossing('update', T + 250.7, 5)); // same ms, a larger edge
    const close = crossedEventRow(crossing('close', T + 900.2, 5));
    expect([open.ts, up1.ts, close.ts]).toEqual([T, T + 251, T + 900]);
    expect(new Set([open.id, up1.id, up2.id, close.id]).size).toBe(4);
    expect([open.instrument, open.counterparty, open.status, open.valueBps]).toEqual([
      'a:X',
      'b:Y',
      'open',
      3,
    ]);
    const b = basisEventRow({
      group: 'G',
      instrument: 'b:Y',
      mid: 99,
      spotMid: 100,
      bps: -100,
      annualized: null,
      fundingRate: 0.0001,
      fundingIntervalHours: 8,
      fundingAnnualized: 0.1095,
      nextFundingTime: null,
      spot: ['a:X'],
      ts: T + 1000.6,
    });
    expect([b.id, b.kind, b.counterparty, b.ts, b.valueBps]).toEqual([
      `basis:G:b:Y:${T + 1001}`,
      'basis',
      null,
      T + 1001,
      -100,
    ]);
  });

  it('validate rows and queries, and round-trip the cursor', () => {
    const r = crossedEventRow(crossing('open', T, 3));
    expect(validateAnalyticsEvent(r)).toBeNull();
    expect(validateAnalyticsEvent({ ...r, group: '' })?.code).toBe('invalid_field');
    expect(validateAnalyticsEvent({ ...r, ts: NaN })?.code).toBe('invalid_field');
    expect(checkEventQuery({ cursor: eventCursor(r), from: 1.2, to: 5 })).toEqual({
      limit: 10_000,
      from: 2,
      to: 5,
      after: { ts: r.ts, id: r.id },
    });
    expect(() => checkEventQuery({ limit: 0 })).toThrow(RangeError);
    expect(() => checkEventQuery({ from: 5, to: 4 })).toThrow(RangeError);
    expect(() => checkEventQuery({ kind: 'funding' as never })).toThrow(RangeError);
    expect(checkEventQuery({ limit: 10 ** 9 }, 500).limit).toBe(500);
  });

  it('travel through the durable spool as their own kind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-spool-events-'));
    try {
      const spool = new Spool(dir, { fsync: false });
      await spool.init();
      const rows = [crossedEventRow(crossing('open', T, 3)), crossedEventRow(crossing('close', T + 5, 3))];
      await spool.append({ analyticsEvents: rows, metrics: [] });
      const [file] = await spool.seal();
      const back = await spool.read(file!);
      expect(back.corrupt).toBe(0);
      expect(back.rows.analyticsEvents).toEqual(rows);
      await spool.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
