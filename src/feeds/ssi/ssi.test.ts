import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MalformedFrameError } from '../../core/errors.ts';
import { SsiParser } from './parser.ts';
import type { SsiEvent, SsiIndex, SsiTrade } from './model.ts';
import {
  isVn30Futures,
  resolveFuturesAlias,
  ssiExchange,
  ssiSpec,
  ssiTickSize,
  thirdThursday,
  vn30fExpiry,
} from './instruments.ts';

const DIR = '../shared/data/ssi/stream';
const FILES = [
  'ssi_doc_samples.jsonl',
  'ssi_mi_messages.jsonl',
  'ssi_b_messages.first72.jsonl',
  'ssi_b_messages.last36.jsonl',
];
const lines = (f: string): string[] =>
  readFileSync(`${DIR}/${f}`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');

describe('SSI parser: every recorded and documented message', () => {
  it('parses every line of ../shared/data/ssi/stream with 0 dropped', () => {
    const p = new SsiParser();
    let n = 0;
    let dropped = 0;
    for (const f of FILES)
      for (const l of lines(f)) {
        n++;
        try {
          expect(p.parseEnvelope(l, 1).length).toBeGreaterThan(0);
        } catch (e) {
          if (!(e instanceof MalformedFrameError)) throw e;
          dropped++;
        }
      }
    expect(n).toBe(9 + 26 + 72 + 36);
    expect(dropped).toBe(0);
    expect(p.stats.messages).toEqual({
      F: 1,
      'X-QUOTE': 1,
      'X-TRADE': 1,
      X: 1,
      R: 1,
      MI: 27,
      B: 109,
      OL: 1,
      Quote: 1,
    });
  });

  it('MI (real VNINDEX): value, prior value and breadth of the first message, time in Ho Chi Minh', () => {
    const [e] = new SsiParser().parseEnvelope(lines('ssi_mi_messages.jsonl')[0]!, 5) as [SsiIndex];
    expect(e).toMatchObject({
      type: 'ssi_index',
      instrument: 'ssi:VNINDEX',
      exchange: 'HOSE',
      tradingDate: '2026-07-20',
      // 13:35:25 UTC+7 = 06:35:25 UTC
      exchangeTs: Date.UTC(2026, 6, 20, 6, 35, 25),
      value: '1746.36',
      priorValue: '1787.45',
      change: '-41.09',
      advances: 37,
      noChanges: 33,
      declines: 275,
      ceilings: 0,
      floors: 9,
      totalQty: '465528407.0',
      totalValue: '10430967264120.0',
      session: 'LO',
    });
  });

  it('MI: the spec spellings (IndexID, Nochanges, Ceiling, Floor, TotalQttyPT, TypeIndex) read the same', () => {
    const content = JSON.stringify({
      Rtype: 'MI',
      IndexID: 'VN30',
      IndexValue: 1238.76,
      TradingDate: '02042021',
      Time: '112813',
      Advances: 25,
      Nochanges: 2,
      Declines: 3,
      Ceiling: 1,
      Floor: 4,
      TotalQttyPT: 2064000,
      TypeIndex: 'Main',
    });
    const [e] = new SsiParser().parseMessage('MI', content, 0) as [SsiIndex];
    expect(e).toMatchObject({
      instrument: 'ssi:VN30',
      value: '1238.76',
      noChanges: 2,
      ceilings: 1,
      floors: 4,
      totalQtyPt: '2064000',
      indexType: 'Main',
      tradingDate: '2021-04-02',
      exchangeTs: Date.UTC(2021, 3, 2, 4, 28, 13),
    });
  });

  it('B (real): one print per message, Close and Volume, previous-session prints keep their date', () => {
    const p = new SsiParser();
    const [a] = p.parseEnvelope(lines('ssi_b_messages.first72.jsonl')[0]!, 0) as [SsiTrade];
    expect(a).toMatchObject({
      type: 'ssi_trade',
      instrument: 'ssi:VCB',
      price: '58500.0',
      size: '500.0',
      tradingDate: '2026-07-17',
      exchangeTs: Date.UTC(2026, 6, 17, 7, 45, 0),
      totalVol: '',
    });
    const [b] = p.parseEnvelope(lines('ssi_b_messages.first72.jsonl')[3]!, 0) as [SsiTrade];
    expect(b).toMatchObject({ instrument: 'ssi:HPG', tradingDate: '2026-07-20', size: '100.0' });
  });

  it('B (spec sample): TradingTime without TradingDate takes the last trading date seen', () => {
    const p = new SsiParser();
    p.parseEnvelope(lines('ssi_mi_messages.jsonl')[0]!, 0);
    const [t] = p.parseMessage(
      'B',
      '{"RType":"B","Symbol":"X26","TradingTime":"14:28:33","Open":16000,"High":16000,"Low":16000,"Close":16000,"Volume":5000,"Value":0}',
      0,
    ) as [SsiTrade];
    expect(t).toMatchObject({
      instrument: 'ssi:X26',
      price: '16000',
      size: '5000',
      tradingDate: '2026-07-20',
    });
    expect(t.exchangeTs).toBe(Date.UTC(2026, 6, 20, 7, 28, 33));
  });

  it('X (doc sample): trade first (LastPrice/LastVol, never TotalVol), then security, then a 10-level quote', () => {
    const x = lines('ssi_doc_samples.jsonl').find((l) => l.startsWith('{"DataType":"X",'))!;
    const evs = new SsiParser().parseEnvelope(x, 0);
    expect(evs.map((e) => e.type)).toEqual(['ssi_trade', 'ssi_security', 'ssi_quote']);
    expect(evs[0]).toMatchObject({ price: '21800.0', size: '100.0', totalVol: '1282900.0', exchange: 'HNX' });
    expect(evs[1]).toMatchObject({
      refPrice: '21300.0',
      ceiling: '23400.0',
      floor: '19200.0',
      avgPrice: '21784.0',
    });
    const q = evs[2]!;
    if (q.type !== 'ssi_quote') throw new Error('quote expected');
    expect(q.bids).toHaveLength(10);
    expect(q.bids[0]).toEqual(['21800.0', '18800.0']);
    expect(q.asks[9]).toEqual(['22800.0', '17000.0']);
  });

  it('X-QUOTE (doc sample, HOSE): 3 levels filled, the zero levels are absent', () => {
    const x = lines('ssi_doc_samples.jsonl').find((l) => l.includes('"X-QUOTE"'))!;
    const [q] = new SsiParser().parseEnvelope(x, 0);
    expect(q).toMatchObject({
      type: 'ssi_quote',
      instrument: 'ssi:ACB',
      bids: [
        ['22900.0', '290900.0'],
        ['22850.0', '454200.0'],
        ['22800.0', '678800.0'],
      ],
      asks: [
        ['22950.0', '109100.0'],
        ['23000.0', '208600.0'],
        ['23050.0', '207200.0'],
      ],
    });
  });

  it('derivatives Quote (spec sample): sizes as strings, price-0 levels (auction orders) absent', () => {
    const x = lines('ssi_doc_samples.jsonl').find((l) => l.includes('"Quote"'))!;
    const [q] = new SsiParser().parseEnvelope(x, 0);
    if (q?.type !== 'ssi_quote') throw new Error('quote expected');
    expect(q.exchange).toBe('DERIVATIVES');
    expect(q.bids[0]).toEqual(['1344.9', '18']);
    expect(q.asks[0]).toEqual(['1252.0', '1']);
    expect(q.bids).toHaveLength(9);
  });

  it('R: the wire (BuyVol…) and the spec (FBuyVol…) spellings read the same', () => {
    const p = new SsiParser();
    const r = lines('ssi_doc_samples.jsonl').find((l) => l.startsWith('{"DataType":"R"'))!;
    expect(p.parseEnvelope(r, 0)[0]).toMatchObject({
      type: 'ssi_foreign',
      totalRoom: '1501130137.0',
      currentRoom: '806887173.0',
      buyVol: '863352.0',
      sellVol: '825308.0',
      buyVal: '25123543200.0',
      sellVal: '24016462800.0',
    });
    const spec = p.parseMessage(
      'R',
      {
        Rtype: 'R',
        Symbol: 'YTC',
        TradingDate: '04/05/2020',
        Time: '15:02:45',
        FBuyVol: 10,
        FSellVol: 2,
        FBuyVal: 3,
        FSellVal: 4,
      },
      0,
    );
    expect(spec[0]).toMatchObject({ buyVol: '10', sellVol: '2', buyVal: '3', sellVal: '4' });
  });

  it('OL: odd-lot board, 17-digit TotalVal kept exactly', () => {
    const ol = lines('ssi_doc_samples.jsonl').find((l) => l.includes('"OL"'))!;
    const evs = new SsiParser().parseEnvelope(ol, 0);
    expect(evs.every((e) => !('board' in e) || e.board === 'odd_lot')).toBe(true);
    expect(evs[0]).toMatchObject({ type: 'ssi_trade', totalVal: '185028289999.99728', size: '9193' });
  });

  it('"NaN" AvgPrice and pre-open zeros are unknown values, not malformed; repeated prints are no trade', () => {
    const p = new SsiParser();
    const msg = (last: number, lastVol: number, total: number, avg: unknown): SsiEvent[] =>
      p.parseMessage(
        'X',
        JSON.stringify({
          RType: 'X',
          TradingDate: '20/07/2026',
          Time: '08:59:00',
          Symbol: 'VCB',
          Exchange: 'HOSE',
          Ceiling: 60000,
          Floor: 52400,
          RefPrice: 56200,
          LastPrice: last,
          LastVol: lastVol,
          TotalVol: total,
          AvgPrice: avg,
          BidPrice1: 0,
          BidVol1: 0,
          AskPrice1: 56300,
          AskVol1: 1000,
        }),
        0,
      );
    const pre = msg(0, 0, 0, 'NaN');
    expect(pre.map((e) => e.type)).toEqual(['ssi_security', 'ssi_quote']);
    expect(pre[0]).toMatchObject({ lastPrice: '', avgPrice: '', refPrice: '56200' });
    expect(pre[1]).toMatchObject({ bids: [], asks: [['56300', '1000']] });
    expect(p.stats).toMatchObject({ nanValues: 1, preOpen: 1 });
    expect(msg(56300, 200, 200, 56300).map((e) => e.type)).toEqual([
      'ssi_trade',
      'ssi_security',
      'ssi_quote',
    ]);
    // A quote change repeats the last print with the same TotalVol: no new trade.
    expect(msg(56300, 200, 200, 56300).map((e) => e.type)).toEqual(['ssi_security', 'ssi_quote']);
    expect(p.stats.repeatedPrints).toBe(1);
    const [t] = msg(56400, 300, 500, 56340) as [SsiTrade];
    expect(t).toMatchObject({ size: '300', price: '56400', totalVol: '500' });
  });

  it('bad input is a typed error: unknown DataType, non-JSON Content, bad date, non-numeric price', () => {
    const p = new SsiParser();
    expect(() => p.parseEnvelope('{"DataType":"Z","Content":"{}"}', 0)).toThrow(
      expect.objectContaining({ code: 'unknown_stream' }),
    );
    expect(() => p.parseEnvelope('{"DataType":"B","Content":"{oops"}', 0)).toThrow(
      expect.objectContaining({ code: 'malformed_json' }),
    );
    expect(() =>
      p.parseMessage('B', { Symbol: 'VCB', TradingDate: '2026-07-20', Close: 1, Volume: 1 }, 0),
    ).toThrow(expect.objectContaining({ code: 'invalid_field', instrument: 'ssi:VCB' }));
    expect(() => p.parseMessage('X-TRADE', { Symbol: 'VCB', LastPrice: 'abc' }, 0)).toThrow(
      expect.objectContaining({ code: 'invalid_field', instrument: 'ssi:VCB' }),
    );
    expect(() => p.parseMessage('B', { Symbol: '' }, 0)).toThrow(MalformedFrameError);
  });
});

describe('SSI instrument model', () => {
  it('HOSE tick by price band, HNX/UPCoM 100, derivatives 0.1', () => {
    expect(ssiTickSize('HOSE', 9_990)).toBe('10');
    expect(ssiTickSize('HOSE', 10_000)).toBe('50');
    expect(ssiTickSize('HOSE', 49_950)).toBe('50');
    expect(ssiTickSize('HOSE', 50_000)).toBe('100');
    expect(ssiTickSize('HNX', 9_000)).toBe('100');
    expect(ssiTickSize('UPCOM', 90_000)).toBe('100');
    expect(ssiTickSize('DERIVATIVES', 1250)).toBe('0.1');
  });

  it('exchanges: spec DER and wire DERIVATIVES are one; unknown markets are null', () => {
    expect(ssiExchange('DER')).toBe('DERIVATIVES');
    expect(ssiExchange('DERIVATIVES')).toBe('DERIVATIVES');
    expect(ssiExchange('hose')).toBe('HOSE');
    expect(ssiExchange('HNXBOND')).toBeNull();
    expect(ssiExchange(null)).toBeNull();
  });

  it('VN30F expiry: 3rd Thursday at 14:45 Ho Chi Minh; multiplier 100,000 VND; lot 100 for stocks', () => {
    expect(thirdThursday(2021, 4)).toBe('2021-04-15');
    expect(thirdThursday(2026, 7)).toBe('2026-07-16');
    expect(thirdThursday(2026, 10)).toBe('2026-10-15');
    expect(vn30fExpiry('VN30F2104')).toBe(Date.UTC(2021, 3, 15, 7, 45));
    expect(vn30fExpiry('VN30F1M')).toBeNull();
    const f = ssiSpec('VN30F2608', 'DERIVATIVES');
    expect(f).toMatchObject({
      id: 'ssi:VN30F2608',
      kind: 'future',
      margin: 'linear',
      contractSize: 100_000,
      multiplier: 100_000,
      tickSize: '0.1',
      quote: 'VND',
      assetType: 'future',
      expiry: Date.UTC(2026, 7, 20, 7, 45),
    });
    expect(ssiSpec('VCB', 'HOSE', { refPrice: 58_500 })).toMatchObject({
      id: 'ssi:VCB',
      kind: 'spot',
      lotSize: '100',
      tickSize: '100',
      exchange: 'HOSE',
      assetType: 'stock',
    });
    expect(ssiSpec('VNINDEX', 'HOSE', { index: true })).toMatchObject({ assetType: 'index', tickSize: '' });
    expect(isVn30Futures('VN30F2M')).toBe(true);
    expect(isVn30Futures('VNM')).toBe(false);
  });

  it('aliases: VN30F1M/2M the two nearest live months, 1Q/2Q the quarter months after; roll by volume on expiry day', () => {
    const listed = ['VN30F2607', 'VN30F2608', 'VN30F2609', 'VN30F2612', 'VN30F2703'].map((symbol) => ({
      symbol,
    }));
    const jul1 = Date.UTC(2026, 6, 1);
    expect(resolveFuturesAlias('VN30F1M', listed, jul1)).toBe('VN30F2607');
    expect(resolveFuturesAlias('VN30F2M', listed, jul1)).toBe('VN30F2608');
    expect(resolveFuturesAlias('VN30F1Q', listed, jul1)).toBe('VN30F2609');
    expect(resolveFuturesAlias('VN30F2Q', listed, jul1)).toBe('VN30F2612');
    // After the July contract expired (16 Jul 14:45 +07).
    const jul17 = Date.UTC(2026, 6, 17);
    expect(resolveFuturesAlias('VN30F1M', listed, jul17)).toBe('VN30F2608');
    expect(resolveFuturesAlias('VN30F1Q', listed, jul17)).toBe('VN30F2612');
    // Expiry morning: the next month traded more → the market has rolled.
    const expiryMorning = Date.UTC(2026, 6, 16, 2);
    const vols = listed.map((l) => ({ ...l, volume: l.symbol === 'VN30F2608' ? 9000 : 1000 }));
    expect(resolveFuturesAlias('VN30F1M', listed, expiryMorning)).toBe('VN30F2607');
    expect(resolveFuturesAlias('VN30F1M', vols, expiryMorning)).toBe('VN30F2608');
    expect(resolveFuturesAlias('VN30F3M', listed, jul1)).toBeNull();
  });
});
