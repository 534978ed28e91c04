/** Binance simulator protocol (pure, no sockets): routing, subscriptions, REST answers, venue-side book. */
import { describe, expect, it } from 'vitest';
import { BinanceSimProtocol, binanceTopic } from '../src/sim/venues/binance.ts';
import { L2Book } from '../src/book/l2-book.ts';
import { MalformedFrameError } from '../src/core/errors.ts';
import { BinanceParser } from '../src/feeds/binance/parser.ts';
import { directReplay, loadRecording } from './sim-fixtures.ts';

const USDM = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';
const frames = await loadRecording([USDM], 3000);
const snapIndex = frames.findIndex((f) => f.kind === 'rest');

function url(path: string): URL {
  return new URL(path, 'http://127.0.0.1:1');
}

describe('Binance simulator protocol', () => {
  it('normalizes stream names so the update speed does not matter', () => {
    expect(binanceTopic('BTCUSDT@depth@100ms')).toBe('btcusdt@depth');
    expect(binanceTopic('btcusdt@depth@0ms')).toBe('btcusdt@depth');
    expect(binanceTopic('btcusdt@depth')).toBe('btcusdt@depth');
    expect(binanceTopic('btcusdt@depth20@100ms')).toBe('btcusdt@depth20');
    expect(binanceTopic('btcusdt@bookTicker')).toBe('btcusdt@bookTicker');
  });

  it('routes recorded frames by stream and flags depth diffs', () => {
    const p = new BinanceSimProtocol('binance-usdm');
    const depth = frames.find((f) => f.text.includes('@depth'))!.text;
    const trade = frames.find((f) => f.text.includes('@trade'))!.text;
    expect(p.route(depth)).toEqual({ topic: 'btcusdt@depth', symbol: 'BTCUSDT', depth: true });
    expect(p.route(trade)).toEqual({ topic: 'btcusdt@trade', symbol: 'BTCUSDT', depth: false });
    expect(p.route('{"result":null,"id":1}')).toBeNull();
    expect(p.route('not json')).toBeNull();
  });

  it('opens combined-stream sessions, refuses other paths and too many streams', () => {
    const p = new BinanceSimProtocol('binance-usdm');
    expect(p.open(url('/stream?streams=btcusdt@depth@0ms/btcusdt@trade'))).toEqual({
      ok: true,
      topics: ['btcusdt@depth', 'btcusdt@trade'],
    });
    expect(p.open(url('/stream'))).toEqual({ ok: true, topics: [] });
    expect(p.open(url('/ws/btcusdt@depth')).ok).toBe(false);
    const many = Array.from({ length: 201 }, (_, i) => `s${i}@trade`).join('/');
    expect(p.open(url(`/stream?streams=${many}`))).toMatchObject({ ok: false, status: 400 });
  });

  it('answers SUBSCRIBE / UNSUBSCRIBE like Binance and rejects unknown methods', () => {
    const p = new BinanceSimProtocol('binance-usdm');
    expect(p.onMessage('{"method":"SUBSCRIBE","params":["ethusdt@depth@100ms"],"id":7}')).toEqual({
      subscribe: ['ethusdt@depth'],
      replies: ['{"result":null,"id":7}'],
    });
    expect(p.onMessage('{"method":"UNSUBSCRIBE","params":["ethusdt@trade"],"id":8}')).toEqual({
      unsubscribe: ['ethusdt@trade'],
      replies: ['{"result":null,"id":8}'],
    });
    expect(p.onMessage('{"method":"NOPE","id":9}').replies![0]).toContain('"code":2');
    expect(p.onMessage('{bad').replies![0]).toContain('Invalid JSON');
  });

  it('validates REST parameters with Binance error codes', () => {
    const p = new BinanceSimProtocol('binance-usdm');
    p.preload(frames);
    expect(p.http(url('/api/v3/depth?symbol=BTCUSDT'), true)).toBeNull();
    expect(p.http(url('/fapi/v1/depth'), true)).toMatchObject({
      status: 400,
      body: expect.stringContaining('-1102'),
    });
    expect(p.http(url('/fapi/v1/depth?symbol=BTCUSDT&limit=7'), true)).toMatchObject({ status: 400 });
    expect(p.http(url('/fapi/v1/depth?symbol=NOPE&limit=5'), true)).toMatchObject({
      status: 400,
      body: expect.stringContaining('-1121'),
    });
  });

  it('before the recorded snapshot: serves it early, or asks the simulator to wait', () => {
    const p = new BinanceSimProtocol('binance-usdm');
    p.preload(frames);
    expect(p.snapshotSymbol(frames[snapIndex]!)).toBe('BTCUSDT'); // hftbacktest: learnt from the connection
    for (const f of frames.slice(0, snapIndex)) p.observe(f);
    expect(p.http(url('/fapi/v1/depth?symbol=BTCUSDT&limit=1000'), true)).toEqual({
      status: 200,
      body: frames[snapIndex]!.text,
      symbol: 'BTCUSDT',
    });
    expect(p.http(url('/fapi/v1/depth?symbol=BTCUSDT&limit=1000'), false)).toEqual({ wait: 'BTCUSDT' });
  });

  it('serves its own book with lastUpdateId = the last u sent, equal to a direct replay', () => {
    const p = new BinanceSimProtocol('binance-usdm');
    p.preload(frames);
    const parser = new BinanceParser('binance-usdm');
    let lastU = NaN;
    for (const f of frames) {
      p.observe(f);
      if (f.kind === 'ws' && f.text.includes('depthUpdate')) {
        const e = parser.parse(f.text, 0)[0]!;
        if (e.type === 'book_delta') lastU = e.sequence;
      }
    }
    const r = p.http(url('/fapi/v1/depth?symbol=BTCUSDT&limit=20'), false) as {
      status: number;
      body: string;
    };
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as {
      lastUpdateId: number;
      bids: [string, string][];
      asks: [string, string][];
    };
    expect(body.lastUpdateId).toBe(lastU);
    expect(body.bids).toHaveLength(20);
    const ref = directReplay(frames, 'binance-usdm').books.get('binance-usdm:BTCUSDT')!;
    expect(ref.health.sequence).toBe(lastU);
    expect({ bids: body.bids, asks: body.asks }).toEqual(ref.book.topStrings(20));
  });

  it('corrupts one level so the book rejects the frame', () => {
    const p = new BinanceSimProtocol('binance-usdm');
    const parser = new BinanceParser('binance-usdm');
    const depth = frames.filter((f) => f.text.includes('depthUpdate')).slice(0, 8);
    let seed = 0;
    for (const f of depth) {
      const pick = (): number => (seed = (seed * 9301 + 49297) % 233280) / 233280;
      const bad = p.corruptLevel(f.text, pick)!;
      expect(bad).not.toBe(f.text);
      const e = parser.parse(bad, 0)[0]!;
      if (e.type !== 'book_delta') throw new Error('expected a delta');
      expect(() => new L2Book().applyDelta(e.bids, e.asks)).toThrow(MalformedFrameError);
    }
    expect(p.corruptLevel('{"stream":"x","data":{"b":[],"a":[]}}', Math.random)).toBeNull();
  });
});
