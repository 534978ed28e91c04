import { describe, expect, it } from 'vitest';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { venues, venueSync } from '../registry.ts';
import { readCryptofeed } from '../../recording/cryptofeed.ts';
import { newReaderStats } from '../../recording/stats.ts';
import { baseSize, fallbackSpec, notional } from '../../core/instrument.ts';
import type { OutputTopics } from '../../alerts/topics.ts';
import { counters, expectCleanReplay, replaySummary } from '../../../test/venue-checks.ts';
import { DeribitParser } from './parser.ts';
import { deribit } from './descriptor.ts';
import { deribitReference, parseDeribitInstruments } from './instruments.ts';

const DIR = '../shared/data/cryptofeed/deribit';

const book = (data: object) =>
  JSON.stringify({
    jsonrpc: '2.0',
    method: 'subscription',
    params: { channel: 'book.BTC-PERPETUAL.100ms', data },
  });

describe('Deribit parser', () => {
  const p = new DeribitParser();
  it('maps a recorded snapshot with the exact wire digits and change_id as its sequence', () => {
    const [e] = p.parse(
      '{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.ETH-30JUL21-2800-C.raw","data":{"type":"snapshot","timestamp":1626993723632,"instrument_name":"ETH-30JUL21-2800-C","change_id":13169025645,"bids":[["new",0.0015,4714.0],["new",0.001,861.0]],"asks":[["new",0.0025,873.0]]}}}',
      7,
    );
    expect(e).toEqual({
      type: 'book_snapshot',
      instrument: 'deribit:ETH-30JUL21-2800-C',
      exchangeTs: 1626993723632,
      localTs: 7,
      sequence: 13169025645,
      bids: [
        ['0.0015', '4714.0'],
        ['0.001', '861.0'],
      ],
      asks: [['0.0025', '873.0']],
      depthLimit: 0,
    });
  });

  it('maps a change: prev_change_id chain, delete to size 0, exponent prices expanded', () => {
    const [e] = p.parse(
      book({
        type: 'change',
        timestamp: 5,
        prev_change_id: 10,
        instrument_name: 'BTC-PERPETUAL',
        change_id: 12,
        bids: [['delete', 32000.5, 0.0]],
        asks: [
          ['new', 32001, 1000],
          ['change', 3.5e-7, 20],
        ],
      }),
      0,
    );
    expect(e).toMatchObject({
      type: 'book_delta',
      firstSequence: 12,
      sequence: 12,
      prevSequence: 10,
      bids: [['32000.5', '0']],
      asks: [
        ['32001', '1000'],
        ['0.00000035', '20'],
      ],
    });
  });

  it('takes direction as the taker side of a trade and keeps amount digits', () => {
    const ts = p.parse(
      '{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[{"trade_seq":1,"trade_id":"77","timestamp":9,"price":32000.5,"amount":1230.0,"direction":"sell","instrument_name":"BTC-PERPETUAL"}]}}',
      0,
    );
    expect(ts).toEqual([
      {
        type: 'trade',
        instrument: 'deribit:BTC-PERPETUAL',
        exchangeTs: 9,
        localTs: 0,
        id: '77',
        price: '32000.5',
        size: '1230.0',
        side: 'sell',
      },
    ]);
  });

  it('ignores responses, heartbeats and tickers; rejects errors and unknown channels with typed codes', () => {
    expect(p.parse('{"jsonrpc":"2.0","id":3,"result":{"version":"1.2.26"}}', 0)).toEqual([]);
    expect(p.parse('{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}', 0)).toEqual([]);
    expect(
      p.parse('{"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.X.raw","data":{}}}', 0),
    ).toEqual([]);
    expect(() => p.parse('{"jsonrpc":"2.0","id":1,"error":{"code":13021,"message":"forbidden"}}', 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
    expect(() =>
      p.parse('{"jsonrpc":"2.0","method":"subscription","params":{"channel":"quote.X","data":{}}}', 0),
    ).toThrow(expect.objectContaining({ code: 'unknown_stream' }));
    expect(() => p.parse(book({ type: 'change', instrument_name: 'X', change_id: 'a' }), 0)).toThrow(
      expect.objectContaining({ code: 'invalid_field', instrument: 'deribit:X' }),
    );
    expect(() => p.parse('{nope', 0)).toThrow(expect.objectContaining({ code: 'malformed_json' }));
  });

  it('a broken change_id chain is a gap that resyncs only that book and asks for a resubscribe', () => {
    const wanted: string[] = [];
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: (i) => wanted.push(i),
    });
    const snap = (name: string) =>
      book({
        type: 'snapshot',
        instrument_name: name,
        change_id: 10,
        bids: [['new', 100, 1]],
        asks: [['new', 101, 1]],
      });
    const change = (name: string, prev: number, id: number) =>
      book({
        type: 'change',
        instrument_name: name,
        prev_change_id: prev,
        change_id: id,
        bids: [['change', 100, 2]],
        asks: [],
      });
    engine.handleFrame('deribit', p, snap('A'), 1);
    engine.handleFrame('deribit', p, snap('B'), 1);
    engine.handleFrame('deribit', p, change('A', 10, 11), 2);
    engine.handleFrame('deribit', p, change('B', 10, 11), 2);
    engine.handleFrame('deribit', p, change('A', 12, 13), 3);
    const a = engine.books.get('deribit:A')!;
    expect([a.state, a.health.counters.gaps, a.health.counters.resyncs]).toEqual(['resyncing', 1, 1]);
    expect(engine.books.get('deribit:B')!.state).toBe('live');
    expect(wanted).toEqual(['deribit:A']);
    const msgs = deribit.resubscribe!('A').map((m) => JSON.parse(m) as { method: string; params: unknown });
    expect(msgs.map((m) => [m.method, m.params])).toEqual([
      ['public/unsubscribe', { channels: ['book.A.100ms'] }],
      ['public/subscribe', { channels: ['book.A.100ms'] }],
    ]);
  });
});

describe('Deribit recording cryptofeed/deribit replayed', () => {
  it('every book live with 0 gaps, 0 crossed, 0 resyncs, nothing dropped', async () => {
    const engine = await expectCleanReplay([DIR]);
    console.log(replaySummary(engine, 'deribit'));
    expect(engine.books.size).toBe(10);
    expect(counters(engine).get('deribit:BTC-24SEP21-8000-P')!.deltasApplied).toBe(30);
  });
});

describe('Deribit instruments (DERIBIT.0 get_instruments bodies)', () => {
  async function specs() {
    const out = [];
    for await (const f of readCryptofeed(`${DIR}/DERIBIT.0`, false, 't', undefined, newReaderStats()))
      if (f.kind === 'rest' && deribitReference.matches(f.url!))
        out.push(...deribitReference.parse(f.text, f.url!, 'recording'));
    return out;
  }

  it('reads options with strike, type, expiry and the BTC premium tick', async () => {
    const all = await specs();
    expect(all.length).toBeGreaterThan(600);
    const put = all.find((s) => s.symbol === 'BTC-24SEP21-40000-P')!;
    expect(put).toMatchObject({
      id: 'deribit:BTC-24SEP21-40000-P',
      base: 'BTC',
      quote: 'BTC',
      kind: 'option',
      tickSize: '0.0005',
      lotSize: '0.1',
      pricePrecision: 4,
      expiry: 1632470400000,
      option: { strike: 40000, type: 'put' },
      source: 'recording',
    });
    // Every recorded book is a listed instrument.
    for (const s of ['BTC-24SEP21-8000-P', 'ETH-23JUL21-2300-C', 'BTC-31DEC21-300000-C'])
      expect(all.some((x) => x.symbol === s)).toBe(true);
  });

  it('treats futures amounts as USD: BTC-PERPETUAL inverse, notional in USD, base size at the price', async () => {
    const perp = (await specs()).find((s) => s.symbol === 'BTC-PERPETUAL')!;
    expect(perp).toMatchObject({
      kind: 'perpetual',
      margin: 'inverse',
      contractSize: 1,
      sizeUnit: 'contracts',
      lotSize: '10',
      tickSize: '0.5',
      expiry: null,
      settle: 'BTC',
    });
    // Hand-computed: 12,340 USD of amount at 32,000 USD/BTC = 12,340 USD notional = 0.385625 BTC.
    expect(notional(perp, 32000, 12340)).toBe(12340);
    expect(baseSize(perp, 32000, 12340)).toBeCloseTo(0.385625, 12);
  });

  it('the documented fallback (no reference loaded) agrees with the reference on units and kind', async () => {
    for (const s of await specs()) {
      const f = fallbackSpec(s.id);
      expect([s.id, f.base, f.quote, f.kind, f.margin, f.contractSize, f.sizeUnit]).toEqual([
        s.id,
        s.base,
        s.quote,
        s.kind,
        s.margin,
        s.contractSize,
        s.sizeUnit,
      ]);
    }
  });

  it("reads today's linear instruments and skips bad entries, throws on an error body", () => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      result: [
        {
          instrument_name: 'BTC_USDC-PERPETUAL',
          kind: 'future',
          instrument_type: 'linear',
          settlement_period: 'perpetual',
          base_currency: 'BTC',
          quote_currency: 'USDC',
          settlement_currency: 'USDC',
          counter_currency: 'USDC',
          tick_size: 1,
          min_trade_amount: 0.0001,
          contract_size: 0.0001,
          expiration_timestamp: 32503708800000,
        },
        { instrument_name: 'BAD', kind: 'future', base_currency: 'BTC', quote_currency: 'USD' },
        { instrument_name: 'BTC-FS-1', kind: 'future_combo' },
      ],
    });
    const skipped: string[] = [];
    const s = parseDeribitInstruments(body, 'reference', (r) => skipped.push(r));
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({
      margin: 'linear',
      sizeUnit: 'base',
      lotSize: '0.0001',
      quote: 'USDC',
      expiry: null,
    });
    expect(skipped).toHaveLength(1);
    expect(() =>
      parseDeribitInstruments(
        '{"jsonrpc":"2.0","error":{"code":10028,"message":"too_many_requests"}}',
        'reference',
      ),
    ).toThrow(expect.objectContaining({ name: 'MalformedFrameError' }));
    expect(deribitReference.requests('https://www.deribit.com')[0]!.url).toBe(
      'https://www.deribit.com/api/v2/public/get_instruments?currency=any&expired=false',
    );
  });
});
