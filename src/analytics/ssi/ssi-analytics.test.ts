import { describe, expect, it } from 'vitest';
import { SsiParser } from '../../feeds/ssi/parser.ts';
import { basisOf } from './basis.ts';
import { classifyTrade, newTickState } from './classify.ts';
import { ForeignFlowTracker, type ForeignUpdate } from './foreign.ts';
import { IndexTracker } from './breadth.ts';
import { SsiMarket } from './market.ts';
import { isAuctionPrint, phaseAt, sessionOf } from './session.ts';

/** 2026-07-20 (a Monday) hh:mm:ss in Ho Chi Minh (UTC+7) as ms UTC. */
const hcm = (h: number, m: number, s = 0, day = 20): number => Date.UTC(2026, 6, day, h - 7, m, s);

describe('SSI sessions (Asia/Ho_Chi_Minh)', () => {
  it('HOSE phases at their boundaries; weekend closed', () => {
    expect(phaseAt('HOSE', hcm(8, 59, 59))).toBe('pre_open');
    expect(phaseAt('HOSE', hcm(9, 0))).toBe('ato');
    expect(phaseAt('HOSE', hcm(9, 14, 59))).toBe('ato');
    expect(phaseAt('HOSE', hcm(9, 15))).toBe('continuous');
    expect(phaseAt('HOSE', hcm(11, 30))).toBe('lunch');
    expect(phaseAt('HOSE', hcm(13, 0))).toBe('continuous');
    expect(phaseAt('HOSE', hcm(14, 30))).toBe('atc');
    expect(phaseAt('HOSE', hcm(14, 45))).toBe('put_through');
    expect(phaseAt('HOSE', hcm(15, 0))).toBe('closed');
    expect(phaseAt('HOSE', hcm(10, 0, 0, 18))).toBe('closed'); // Saturday
    expect(phaseAt('HNX', hcm(9, 5))).toBe('continuous');
    expect(phaseAt('UPCOM', hcm(14, 40))).toBe('continuous');
  });

  it('derivatives open with ATO at 08:45 and close at 14:45', () => {
    expect(phaseAt('DERIVATIVES', hcm(8, 44, 59))).toBe('pre_open');
    expect(phaseAt('DERIVATIVES', hcm(8, 45))).toBe('ato');
    expect(phaseAt('DERIVATIVES', hcm(9, 0))).toBe('continuous');
    expect(phaseAt('DERIVATIVES', hcm(14, 45))).toBe('closed');
  });

  it('the session starts at 09:00 (08:45 derivatives): earlier prints belong to the previous session', () => {
    expect(sessionOf('HOSE', hcm(8, 59, 59))).toBe('2026-07-17'); // Monday pre-open: Friday's session
    expect(sessionOf('HOSE', hcm(8, 59, 59, 21))).toBe('2026-07-20');
    expect(sessionOf('HOSE', hcm(12, 0, 0, 19))).toBe('2026-07-17'); // Sunday
    expect(sessionOf('HOSE', hcm(9, 0))).toBe('2026-07-20');
    expect(sessionOf('HOSE', hcm(14, 45, 0, 17))).toBe('2026-07-17');
    expect(sessionOf('DERIVATIVES', hcm(8, 44, 59))).toBe('2026-07-17');
    expect(sessionOf('DERIVATIVES', hcm(8, 45))).toBe('2026-07-20');
  });

  it('auction prints: inside ATO/ATC, at the auction end second, or labelled by TradingSession', () => {
    expect(isAuctionPrint('HOSE', hcm(9, 15), null)).toBe(true);
    expect(isAuctionPrint('HOSE', hcm(9, 15, 1), null)).toBe(false);
    expect(isAuctionPrint('HOSE', hcm(14, 45), null)).toBe(true);
    expect(isAuctionPrint('HOSE', hcm(10, 0), 'ATC')).toBe(true);
    expect(isAuctionPrint('HOSE', hcm(9, 10), 'LO')).toBe(false);
    expect(isAuctionPrint('UPCOM', hcm(9, 15), null)).toBe(false);
  });

  it('the market state resets a symbol at 09:00 and excludes a late print of the previous session', () => {
    const m = new SsiMarket();
    const p = new SsiParser();
    const b = (date: string, time: string, vol: number) =>
      p.parseMessage('B', { Symbol: 'VCB', TradingDate: date, Time: time, Close: 56000, Volume: vol }, 0);
    for (const e of b('17/07/2026', '14:45:00', 500)) m.apply(e);
    for (const e of b('20/07/2026', '08:59:59', 100)) m.apply(e); // before 09:00: still the 17th's session
    expect(m.row('VCB')!.aggregate).toMatchObject({ id: '2026-07-17', volume: 600 });
    for (const e of b('20/07/2026', '09:00:00', 200)) m.apply(e);
    expect(m.row('VCB')!.aggregate).toMatchObject({ id: '2026-07-20', volume: 200, prints: 1 });
    for (const e of b('17/07/2026', '14:45:00', 700)) m.apply(e);
    expect(m.row('VCB')!.aggregate!.volume).toBe(200);
    expect(m.counters).toMatchObject({ stalePrints: 1, sessionResets: 1 });
  });

  it('derivatives reset at 08:45', () => {
    const m = new SsiMarket();
    const p = new SsiParser();
    const t = (time: string, vol: number) =>
      p.parseMessage(
        'B',
        { Symbol: 'VN30F2608', TradingDate: '20/07/2026', Time: time, Close: 1300.5, Volume: vol },
        0,
      );
    for (const e of t('08:44:59', 3)) m.apply(e);
    for (const e of t('08:45:00', 5)) m.apply(e);
    expect(m.row('VN30F2608')!.aggregate).toMatchObject({ id: '2026-07-20', volume: 5, auctionVolume: 5 });
    // 1300.5 points × 5 contracts × 100,000 VND
    expect(m.row('VN30F2608')!.aggregate!.value).toBe(650_250_000);
  });
});

describe('SSI trade classification', () => {
  const q = { bid: 100, ask: 102 };
  it('quote rule at/through the quote, midpoint rule inside, tick rule at the midpoint', () => {
    const t = newTickState();
    expect(classifyTrade(102, q, t, false)).toEqual({ side: 'buy', rule: 'quote' });
    expect(classifyTrade(100, q, t, false)).toEqual({ side: 'sell', rule: 'quote' });
    expect(classifyTrade(101.5, q, t, false)).toEqual({ side: 'buy', rule: 'midpoint' });
    expect(classifyTrade(100.5, q, t, false)).toEqual({ side: 'sell', rule: 'midpoint' });
    // At the midpoint 101, last print 100.5: an up-tick.
    expect(classifyTrade(101, q, t, false)).toEqual({ side: 'buy', rule: 'tick' });
    // Same price again: zero tick repeats the last direction.
    expect(classifyTrade(101, q, t, false)).toEqual({ side: 'buy', rule: 'zero_tick' });
  });

  it('no quote: tick rule; first print unknown; auction prints labelled and without side', () => {
    const t = newTickState();
    expect(classifyTrade(50, null, t, false)).toEqual({ side: 'unknown', rule: 'none' });
    expect(classifyTrade(49, null, t, false)).toEqual({ side: 'sell', rule: 'tick' });
    expect(classifyTrade(55, q, t, true)).toEqual({ side: 'unknown', rule: 'auction' });
    expect(classifyTrade(54, null, t, false)).toEqual({ side: 'sell', rule: 'tick' });
  });

  it('classifies an X print against the quote that stood before the message (not the one it carries)', () => {
    const p = new SsiParser();
    const m = new SsiMarket();
    const x = (last: number, vol: number, total: number, bid: number, ask: number) =>
      p.parseMessage(
        'X',
        {
          Symbol: 'HPG',
          Exchange: 'HOSE',
          TradingDate: '20/07/2026',
          Time: '10:00:00',
          TradingSession: 'LO',
          RefPrice: 21000,
          Ceiling: 22450,
          Floor: 19550,
          LastPrice: last,
          LastVol: vol,
          TotalVol: total,
          BidPrice1: bid,
          BidVol1: 1000,
          AskPrice1: ask,
          AskVol1: 1000,
        },
        0,
      );
    for (const e of x(20900, 100, 100, 20900, 20950)) m.apply(e); // first print, no quote yet → unknown
    // The print at 20950 lifted the ask of the previous quote; the message's own quote moved up already.
    const out = x(20950, 300, 400, 20950, 21000).map((e) => m.apply(e));
    expect(out[0]!.trade).toMatchObject({ side: 'buy', rule: 'quote', size: 300, value: 6_285_000 });
    expect(m.row('HPG')!.aggregate).toMatchObject({ volume: 400, buyVolume: 300, unknownVolume: 100 });
    expect(m.row('HPG')!.vwap).toBeCloseTo((20900 * 100 + 20950 * 300) / 400, 9);
  });

  it('ceiling hits and a ceiling lock (last at the ceiling, no ask left)', () => {
    const p = new SsiParser();
    const m = new SsiMarket();
    for (const e of p.parseMessage(
      'X',
      {
        Symbol: 'ABC',
        Exchange: 'HOSE',
        TradingDate: '20/07/2026',
        Time: '10:00:00',
        RefPrice: 10000,
        Ceiling: 10700,
        Floor: 9300,
        LastPrice: 10700,
        LastVol: 500,
        TotalVol: 500,
        BidPrice1: 10700,
        BidVol1: 90000,
      },
      0,
    ))
      m.apply(e);
    expect(m.row('ABC')).toMatchObject({ locked: 'ceiling', change: 700 });
    expect(m.row('ABC')!.changePct).toBeCloseTo(7, 12);
    expect(m.row('ABC')!.aggregate!.ceilingHits).toBe(1);
  });
});

describe('SSI foreign flow', () => {
  const u = (min: number, netValM: number, symbol = 'SSI'): ForeignUpdate => ({
    symbol,
    ts: min * 60_000,
    session: '2026-07-20',
    buyVol: netValM * 10,
    sellVol: 0,
    buyVal: netValM * 1e6,
    sellVal: 0,
    totalRoom: 1000,
    currentRoom: 250,
  });

  it('net, delta, speed over 5 min and acceleration, hand-computed', () => {
    const f = new ForeignFlowTracker(300_000);
    expect(f.update(u(0, 1))).toMatchObject({
      netVal: 1e6,
      deltaNetVal: 0,
      speedVal: 0,
      accelVal: 0,
      roomUsedPct: 75,
    });
    // t=2: base is the first update (none is 5 min old): (3e6-1e6)/2 min = 1e6/min; accel (1e6-0)/5.
    expect(f.update(u(2, 3))).toMatchObject({
      netVal: 3e6,
      deltaNetVal: 2e6,
      speedVal: 1e6,
      accelVal: 2e5,
      speedVol: 10,
    });
    // t=5: base t=0: (6e6-1e6)/5 = 1e6/min; accel (1e6 - 0)/5.
    expect(f.update(u(5, 6))).toMatchObject({ speedVal: 1e6, accelVal: 2e5 });
    // t=7: base t=2 (net 3e6, speed 1e6): (4e6-3e6)/5 = 2e5/min; accel (2e5-1e6)/5 = -1.6e5.
    const r = f.update(u(7, 4));
    expect(r.deltaNetVal).toBe(-2e6);
    expect(r.speedVal).toBeCloseTo(2e5, 6);
    expect(r.accelVal).toBeCloseTo(-1.6e5, 6);
  });

  it('market total and top movers; a new session clears a symbol', () => {
    const f = new ForeignFlowTracker();
    f.update(u(0, 5, 'AAA'));
    f.update({ ...u(1, 0, 'BBB'), sellVal: 7e6, sellVol: 70 });
    f.update(u(2, 2, 'CCC'));
    expect(f.total()).toMatchObject({ netVal: 5e6 - 7e6 + 2e6, netVol: 50 - 70 + 20 });
    const top = f.topMovers(1);
    expect(top.buyers.map((x) => x.symbol)).toEqual(['AAA']);
    expect(top.sellers.map((x) => x.symbol)).toEqual(['BBB']);
    expect(f.update({ ...u(3, 1, 'AAA'), session: '2026-07-21' }).deltaNetVal).toBe(0);
  });
});

describe('SSI index breadth and VN30F basis', () => {
  it('A/D ratio, breadth and series from MI messages', () => {
    const p = new SsiParser();
    const t = new IndexTracker();
    const mi = (adv: number, dec: number, v: number) =>
      p.parseMessage(
        'MI',
        {
          IndexId: 'VNINDEX',
          IndexValue: v,
          PriorIndexValue: 1700,
          TradingDate: '20/07/2026',
          Time: '10:00:00',
          Advances: adv,
          Declines: dec,
          NoChanges: 5,
        },
        0,
      )[0]!;
    const e1 = mi(30, 10, 1710);
    if (e1.type !== 'ssi_index') throw new Error('index expected');
    const s1 = t.update(e1);
    expect(s1).toMatchObject({ value: 1710, change: 10, adRatio: 3, breadth: 0.75 });
    expect(s1.ratioChange).toBeCloseTo((10 / 1700) * 100, 12);
    const e2 = mi(0, 0, 1700);
    if (e2.type !== 'ssi_index') throw new Error('index expected');
    expect(t.update(e2)).toMatchObject({ adRatio: null, breadth: null });
    expect(t.get('VNINDEX')!.series).toHaveLength(2);
  });

  it('basis in points, % and annualized to expiry, hand-computed', () => {
    const now = Date.UTC(2026, 7, 10, 7, 45);
    const expiry = now + 10 * 86_400_000;
    const b = basisOf(1310.5, 1300, expiry, now)!;
    expect(b.points).toBeCloseTo(10.5, 12);
    expect(b.pct).toBeCloseTo(0.8076923076923077, 12);
    expect(b.daysToExpiry).toBe(10);
    expect(b.annualizedPct).toBeCloseTo(29.48076923076923, 10);
    expect(basisOf(1300, 1300, now - 1, now)!.annualizedPct).toBeNull();
    expect(basisOf(0, 1300, expiry, now)).toBeNull();
  });

  it('the market state gives the basis of each VN30F contract against VN30', () => {
    const p = new SsiParser();
    const m = new SsiMarket();
    for (const e of [
      ...p.parseMessage(
        'MI',
        { IndexId: 'VN30', IndexValue: 1300, TradingDate: '10/08/2026', Time: '10:00:00' },
        0,
      ),
      ...p.parseMessage(
        'B',
        { Symbol: 'VN30F2608', TradingDate: '10/08/2026', Time: '10:00:01', Close: 1313, Volume: 2 },
        0,
      ),
    ])
      m.apply(e);
    const [b] = m.basis();
    // expiry 2026-08-20 14:45 +07; now 2026-08-10 10:00:01 +07
    const days = (Date.UTC(2026, 7, 20, 7, 45) - Date.UTC(2026, 7, 10, 3, 0, 1)) / 86_400_000;
    expect(b).toMatchObject({ symbol: 'VN30F2608', points: 13, pct: 1 });
    expect(b!.annualizedPct).toBeCloseTo((1 * 365) / days, 10);
  });
});
