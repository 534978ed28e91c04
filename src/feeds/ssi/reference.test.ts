import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dateWindows, parseSsiOhlc, parseSsiSecurities, ssiDate, ssiRows } from './reference.ts';

const DAILY = readFileSync('../shared/data/ssi/rest/ssi_daily_ohlc.json', 'utf8');
const INTRADAY = readFileSync('../shared/data/ssi/rest/ssi_intraday_ohlc.json', 'utf8');

describe('SSI REST reference bodies', () => {
  it('DailyOhlc (real VCB reply): 20 bars, every value as sent, dates in Ho Chi Minh', () => {
    const skipped: string[] = [];
    const bars = parseSsiOhlc(DAILY, (r) => skipped.push(r));
    expect(skipped).toEqual([]);
    expect(bars).toHaveLength(20);
    expect(bars[0]).toEqual({
      instrument: 'ssi:VCB',
      symbol: 'VCB',
      tradingDate: '2026-06-22',
      time: '',
      ts: Date.UTC(2026, 5, 21, 17),
      open: '61700',
      high: '61800',
      low: '61200',
      close: '61300',
      volume: '2686300',
      value: '165054570000',
    });
    expect(bars[19]).toMatchObject({ tradingDate: '2026-07-17', close: '58500', volume: '1990100' });
    expect(ssiRows(DAILY).total).toBe(20);
  });

  it('IntradayOhlc (real reply, one page of 219): bar times', () => {
    const bars = parseSsiOhlc(INTRADAY);
    expect(bars).toHaveLength(100);
    expect(ssiRows(INTRADAY).total).toBe(219);
    expect(bars[0]).toMatchObject({
      time: '09:15:54',
      ts: Date.UTC(2026, 6, 17, 2, 15, 54),
      open: '59300',
      volume: '26800',
    });
  });

  it('the spec spelling (dataList, lower-case keys) reads the same; bad rows are told, a failed status is typed', () => {
    const spec = JSON.stringify({
      dataList: [
        {
          symbol: 'SSI',
          market: 'HOSE',
          tradingdate: '04/05/2020',
          time: '',
          open: '12900',
          high: '13000',
          low: '12700',
          close: '12700',
          volume: '2180310',
          value: '27943000000',
        },
        { symbol: 'BAD', tradingdate: '2020-05-04' },
      ],
      status: 'SUCCESS',
    });
    const skipped: string[] = [];
    expect(parseSsiOhlc(spec, (r) => skipped.push(r)).map((b) => [b.symbol, b.tradingDate, b.close])).toEqual(
      [['SSI', '2020-05-04', '12700']],
    );
    expect(skipped).toHaveLength(1);
    expect(() => parseSsiOhlc('{"status":"Error","message":"Invalid token","data":null}')).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
    const secs = parseSsiSecurities(
      JSON.stringify({
        data: [
          { Market: 'HOSE', Symbol: 'VCB' },
          { Market: 'DER', Symbol: 'VN30F2608' },
          { Market: 'HNXBOND', Symbol: 'B1' },
        ],
      }),
    );
    expect(secs.map((s) => [s.id, s.assetType, s.source])).toEqual([
      ['ssi:VCB', 'stock', 'reference'],
      ['ssi:VN30F2608', 'future', 'reference'],
    ]);
  });

  it('30-day windows for OHLC requests', () => {
    expect(dateWindows('2026-06-01', '2026-07-20')).toEqual([
      { from: '2026-06-01', to: '2026-06-30' },
      { from: '2026-07-01', to: '2026-07-20' },
    ]);
    expect(dateWindows('2026-07-01', '2026-07-01')).toEqual([{ from: '2026-07-01', to: '2026-07-01' }]);
    expect(() => dateWindows('2026-07-02', '2026-07-01')).toThrow(RangeError);
    expect(ssiDate('2026-07-20')).toBe('20/07/2026');
  });
});
