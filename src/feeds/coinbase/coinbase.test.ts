import { describe, expect, it } from 'vitest';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { venues } from '../registry.ts';
import { coinbase } from './descriptor.ts';
import { CoinbaseParser, coinbaseGeneration } from './parser.ts';
import { parseCoinbaseProducts } from './instruments.ts';
import { readCryptofeed } from '../../recording/cryptofeed.ts';
import { newReaderStats } from '../../recording/stats.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import { openRecording } from '../../recording/index.ts';
import { Replay } from '../../replay/index.ts';
import { venueSync } from '../registry.ts';
import type { OutputTopics } from '../../alerts/topics.ts';

/** Every frame of one cryptofeed file (X.0 metadata files included) through the project's reader. */
async function cryptofeedFrames(path: string): Promise<RecordedFrame[]> {
  const out: RecordedFrame[] = [];
  for await (const f of readCryptofeed(path, false, 'test', undefined, newReaderStats())) out.push(f);
  return out;
}
const DIR = '../shared/data/cryptofeed/coinbase-2021-04';

function l2(
  seq: number,
  product: string,
  type: 'snapshot' | 'update',
  updates: [string, string, string][],
): string {
  return JSON.stringify({
    channel: 'l2_data',
    client_id: '',
    timestamp: '2023-02-09T20:32:50.714964855Z',
    sequence_num: seq,
    events: [
      {
        type,
        product_id: product,
        updates: updates.map(([side, price_level, new_quantity]) => ({
          side,
          event_time: '2023-02-09T20:32:50.714Z',
          price_level,
          new_quantity,
        })),
      },
    ],
  });
}

describe('Coinbase Advanced Trade level2', () => {
  it('builds a book from l2_data snapshot and updates (offer = ask, quantity 0 deletes)', () => {
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const p = coinbase.createParser();
    engine.handleFrame(
      'coinbase',
      p,
      l2(0, 'BTC-USD', 'snapshot', [
        ['bid', '100.00', '1'],
        ['offer', '101.00', '2'],
      ]),
      1,
    );
    engine.handleFrame(
      'coinbase',
      p,
      l2(1, 'BTC-USD', 'update', [
        ['offer', '101.00', '0'],
        ['offer', '102.50', '3'],
      ]),
      2,
    );
    const b = engine.books.get('coinbase:BTC-USD')!;
    expect(b.state).toBe('live');
    expect(b.book.asks.price(0)).toBe(102.5);
    expect(b.book.asks.length).toBe(1);
    expect(b.health.counters.deltasApplied).toBe(1);
  });

  it('a jump in the connection sequence_num resyncs every product booked on the connection at once', () => {
    const wanted: string[] = [];
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: (i) => wanted.push(i),
    });
    const p = coinbase.createParser() as CoinbaseParser;
    engine.handleFrame(
      'coinbase',
      p,
      l2(0, 'BTC-USD', 'snapshot', [
        ['bid', '100', '1'],
        ['offer', '101', '1'],
      ]),
      1,
    );
    engine.handleFrame(
      'coinbase',
      p,
      l2(1, 'ETH-USD', 'snapshot', [
        ['bid', '10', '1'],
        ['offer', '11', '1'],
      ]),
      1,
    );
    engine.handleFrame('coinbase', p, l2(2, 'BTC-USD', 'update', [['bid', '100', '2']]), 2);
    engine.handleFrame(
      'coinbase',
      p,
      '{"channel":"heartbeats","timestamp":"2023-02-09T20:32:51Z","sequence_num":3,"events":[]}',
      3,
    );
    expect(wanted).toEqual([]);
    // Message 4 is lost; 5 touches only BTC-USD but both books are affected.
    engine.handleFrame('coinbase', p, l2(5, 'BTC-USD', 'update', [['bid', '99', '1']]), 5);
    expect(p.connectionGaps).toBe(1);
    expect(engine.books.get('coinbase:BTC-USD')!.state).toBe('resyncing');
    expect(engine.books.get('coinbase:ETH-USD')!.state).toBe('resyncing');
    expect(engine.books.get('coinbase:ETH-USD')!.health.counters.gaps).toBe(1);
    expect(wanted.sort()).toEqual(['coinbase:BTC-USD', 'coinbase:ETH-USD']);
    expect(coinbase.resubscribe!('ETH-USD').map((m) => JSON.parse(m).type)).toEqual([
      'unsubscribe',
      'subscribe',
    ]);
    // A fresh snapshot brings the product back; its chain restarts from there.
    engine.handleFrame(
      'coinbase',
      p,
      l2(6, 'ETH-USD', 'snapshot', [
        ['bid', '10', '5'],
        ['offer', '11', '1'],
      ]),
      6,
    );
    engine.handleFrame('coinbase', p, l2(7, 'ETH-USD', 'update', [['bid', '10', '4']]), 7);
    expect(engine.books.get('coinbase:ETH-USD')!.state).toBe('live');
    expect(engine.books.get('coinbase:ETH-USD')!.book.bids.size(0)).toBe(4);
  });

  it('market_trades side is the aggressor; bad frames get typed errors', () => {
    const p = new CoinbaseParser();
    const [t] = p.parse(
      '{"channel":"market_trades","client_id":"","timestamp":"2023-02-09T20:19:35.39625135Z","sequence_num":0,"events":[{"type":"snapshot","trades":[{"trade_id":"000000000","product_id":"ETH-USD","price":"1260.01","size":"0.3","side":"BUY","time":"2019-08-14T20:42:27.265Z"}]}]}',
      0,
    );
    expect(t).toMatchObject({
      type: 'trade',
      instrument: 'coinbase:ETH-USD',
      side: 'buy',
      price: '1260.01',
      id: '000000000',
    });
    expect(() => p.parse(l2(1, 'X-USD', 'update', [['middle', '1', '1']]), 0)).toThrow(
      expect.objectContaining({ code: 'invalid_field', instrument: 'coinbase:X-USD' }),
    );
    expect(() => p.parse('{"channel":"l2_data","sequence_num":-1,"events":[]}', 0)).toThrow(
      expect.objectContaining({ code: 'invalid_field' }),
    );
    expect(() => p.parse('{"type":"error","message":"Failed to subscribe"}', 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
  });

  it('legacy match side is the maker side, so the taker is the opposite', () => {
    const p = new CoinbaseParser();
    const [t] = p.parse(
      '{"type":"match","trade_id":280232,"side":"sell","size":"985","price":"0.00001305","product_id":"SKL-BTC","sequence":177100030,"time":"2021-04-17T16:43:37.089723Z"}',
      0,
    );
    expect(t).toMatchObject({ side: 'buy', id: '280232', instrument: 'coinbase:SKL-BTC' });
  });
});

describe('Coinbase legacy recording coinbase-2021-04 replayed (openRecording → Replay → Engine)', () => {
  it('rebuilds all 10 level2 books without crossing, dropped frames or resyncs', async () => {
    let l2updates = 0;
    let matches = 0;
    for (const l of await cryptofeedFrames(`${DIR}/COINBASE.ws.28.0`)) {
      if (l.kind !== 'ws') continue;
      if (l.text.startsWith('{"type":"l2update"')) l2updates++;
      if (l.text.startsWith('{"type":"match"')) matches++;
    }
    const replay = new Replay(await openRecording([DIR]));
    await replay.run();
    const engine = replay.engine;
    expect(engine.dropped).toEqual({});
    let applied = 0;
    let trades = 0;
    for (const [, b] of engine.books) {
      const c = b.health.counters;
      expect(b.state).toBe('live');
      expect(c.snapshots).toBe(1);
      expect(c.crossedBooks).toBe(0);
      expect(c.resyncs).toBe(0);
      expect(c.gaps).toBe(0);
      expect(b.book.bids.price(0)).toBeLessThan(b.book.asks.price(0));
      applied += c.deltasApplied;
      trades += c.trades;
    }
    console.log(
      `Coinbase coinbase-2021-04: ${engine.books.size} books, ${applied} l2updates applied, ${trades} trades, 0 crossed`,
    );
    expect(engine.books.size).toBe(10);
    expect(applied).toBe(l2updates);
    expect(trades).toBe(matches);
  });

  it('parses the Exchange products in COINBASE.0 and the Advanced Trade products shape', async () => {
    const rest = (await cryptofeedFrames(`${DIR}/COINBASE.0`)).filter((l) => l.kind === 'rest');
    const all = rest.flatMap((l) => parseCoinbaseProducts(l.text));
    expect(all.find((p) => p.productId === 'SKL-EUR')).toMatchObject({
      tickSize: '0.0001',
      lotSize: '0.1',
      minSize: '5',
    });
    const at = parseCoinbaseProducts(
      '{"products":[{"product_id":"BTC-USD","price_increment":"0.01","base_increment":"0.00000001","base_min_size":"0.00000001","status":"online"}],"num_products":1}',
    );
    expect(at[0]).toMatchObject({ instrument: 'coinbase:BTC-USD', tickSize: '0.01' });
    expect(() => parseCoinbaseProducts('{"message":"Not Found"}')).toThrow(
      expect.objectContaining({ name: 'MalformedFrameError' }),
    );
  });
});

describe('Coinbase generations (parser-legacy.ts, parser-advanced.ts)', () => {
  it('every frame of coinbase-2021-04 is legacy and the pinned legacy parser reads them all', async () => {
    const legacy = new CoinbaseParser('legacy');
    let events = 0;
    for (const f of await cryptofeedFrames(`${DIR}/COINBASE.ws.28.0`)) {
      if (f.kind !== 'ws') continue;
      expect(coinbaseGeneration(f.text)).toBe('legacy');
      events += legacy.parse(f.text, f.localTs).length;
    }
    expect(events).toBeGreaterThan(1000);
  });

  it('a pinned generation rejects the other with a typed error', () => {
    const legacyFrame =
      '{"type":"l2update","product_id":"BTC-USD","changes":[["buy","100.00","1.0"]],"time":"2021-04-17T16:23:36.123456Z"}';
    const advancedFrame =
      '{"channel":"heartbeats","client_id":"","timestamp":"2023-02-09T20:32:50.714964855Z","sequence_num":0,"events":[]}';
    expect(() => new CoinbaseParser('advanced').parse(legacyFrame, 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
    expect(() => new CoinbaseParser('legacy').parse(advancedFrame, 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
  });
});
