import { describe, expect, it } from 'vitest';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { L2Book } from '../../book/l2-book.ts';
import { venues } from '../registry.ts';
import { okxChecksum, okxChecksumString, signedCrc32 } from './checksum.ts';
import type { IntegrityCode } from '../../core/errors.ts';
import { OkxParser } from './parser.ts';
import { okx } from './descriptor.ts';
import { parseOkxInstruments } from './instruments.ts';
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
const DIR = '../shared/data/cryptofeed/okx-2022-05';

describe('OKX checksum (OKX API "Checksum" worked examples)', () => {
  it('interleaves bid and ask levels when both sides are as deep', () => {
    const s = okxChecksumString(
      [
        ['3366.1', '7'],
        ['3366', '6'],
      ],
      [
        ['3366.8', '9'],
        ['3368', '8'],
      ],
    );
    expect(s).toBe('3366.1:7:3366.8:9:3366:6:3368:8');
    expect(signedCrc32(s)).toBe(-1881014294);
  });

  it('appends the longer side alone when the other side is shorter', () => {
    const s = okxChecksumString(
      [['3366.1', '7']],
      [
        ['3366.8', '9'],
        ['3368', '8'],
        ['3372', '8'],
      ],
    );
    expect(s).toBe('3366.1:7:3366.8:9:3368:8:3372:8');
    expect(signedCrc32(s)).toBe(831078360);
  });

  it('uses the book wire strings and only the top 25 levels', () => {
    const book = new L2Book();
    const bids = Array.from({ length: 30 }, (_, i) => [`${1000 - i}`, '1.0'] as const);
    const asks = Array.from({ length: 30 }, (_, i) => [`${1001 + i}`, '2'] as const);
    book.applySnapshot(bids, asks);
    expect(okxChecksum.compute(book)).toBe(
      signedCrc32(okxChecksumString(bids.slice(0, 25), asks.slice(0, 25))),
    );
    expect(okxChecksumString(bids, asks)).toContain('976:1.0:1025:2');
    expect(okxChecksumString(bids, asks)).not.toContain('975:');
  });
});

describe('OKX parser', () => {
  const p = new OkxParser();
  it('maps seqId/prevSeqId, checksum and ts of an update', () => {
    const [e] = p.parse(
      '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["8476.98","415","0","13"]],"bids":[],"ts":"1597026383085","checksum":-1200119424,"prevSeqId":123456,"seqId":123457}]}',
      5,
    );
    expect(e).toMatchObject({
      type: 'book_delta',
      instrument: 'okx:BTC-USDT',
      exchangeTs: 1597026383085,
      sequence: 123457,
      prevSequence: 123456,
      checksum: -1200119424,
    });
  });
  it('emits books5 pushes as depth-limited snapshots', () => {
    const [e] = p.parse(
      '{"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[{"asks":[["101","1","0","1"]],"bids":[["100","2","0","1"]],"instId":"BTC-USDT","ts":"7","seqId":5}]}',
      0,
    );
    expect(e).toMatchObject({ type: 'book_snapshot', depthLimit: 5, sequence: 5, exchangeTs: 7 });
  });
  it('applies a no-change update that repeats seqId (prevSeqId == seqId) as a continuation', () => {
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const cs = signedCrc32('100:1:101:1');
    const frame = (action: string, prev: number, seq: number, asks: string[][]) =>
      JSON.stringify({
        arg: { channel: 'books', instId: 'ETH-USDT' },
        action,
        data: [
          {
            asks,
            bids: action === 'snapshot' ? [['100', '1', '0', '1']] : [],
            ts: '1',
            prevSeqId: prev,
            seqId: seq,
            checksum: cs,
          },
        ],
      });
    engine.handleFrame('okx', p, frame('snapshot', -1, 10, [['101', '1', '0', '1']]), 1);
    engine.handleFrame('okx', p, frame('update', 10, 10, []), 2);
    engine.handleFrame('okx', p, frame('update', 10, 11, [['101', '1', '0', '1']]), 3);
    const h = engine.books.get('okx:ETH-USDT')!.health;
    expect([h.counters.deltasApplied, h.counters.gaps, h.counters.checksumMatched]).toEqual([2, 0, 3]);
    expect(h.sequence).toBe(11);
  });
  it('takes the trade side as the taker side', () => {
    const [t] = p.parse(
      '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"30236","sz":"0.0002","side":"sell","ts":"1652459224818"}]}',
      0,
    );
    expect(t).toMatchObject({ type: 'trade', side: 'sell', price: '30236', size: '0.0002', id: '1' });
  });
  it('ignores pong and subscribe acks, rejects bad frames with typed errors', () => {
    expect(p.parse('pong', 0)).toEqual([]);
    expect(p.parse('{"event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"}}', 0)).toEqual([]);
    expect(() =>
      p.parse('{"arg":{"channel":"books","instId":"X"},"action":"update","data":[{"checksum":"x"}]}', 0),
    ).toThrow(expect.objectContaining({ name: 'MalformedFrameError', code: 'invalid_field' }));
    expect(() => p.parse('{"arg":{"channel":"nope"},"data":[]}', 0)).toThrow(
      expect.objectContaining({ code: 'unknown_stream' }),
    );
    expect(() => p.parse('{not json', 0)).toThrow(expect.objectContaining({ code: 'malformed_json' }));
  });
  it('detects a prevSeqId gap through the engine and asks for a resubscribe', () => {
    const wanted: string[] = [];
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: (i) => wanted.push(i),
    });
    const frame = (action: string, prev: number, seq: number, cs: number) =>
      JSON.stringify({
        arg: { channel: 'books', instId: 'BTC-USDT' },
        action,
        data: [
          {
            asks: [['101', '1', '0', '1']],
            bids: [['100', '1', '0', '1']],
            ts: '1',
            prevSeqId: prev,
            seqId: seq,
            checksum: cs,
          },
        ],
      });
    const cs = signedCrc32('100:1:101:1');
    engine.handleFrame('okx', p, frame('snapshot', -1, 10, cs), 1);
    engine.handleFrame('okx', p, frame('update', 10, 11, cs), 2);
    expect(engine.books.get('okx:BTC-USDT')!.state).toBe('live');
    engine.handleFrame('okx', p, frame('update', 12, 13, cs), 3);
    const h = engine.books.get('okx:BTC-USDT')!.health;
    expect(h.counters.gaps).toBe(1);
    expect(h.state).toBe('resyncing');
    expect(wanted).toEqual(['okx:BTC-USDT']);
    expect(okx.resubscribe!('BTC-USDT').map((m) => JSON.parse(m).op)).toEqual(['unsubscribe', 'subscribe']);
  });
});

describe('OKX recording okx-2022-05 replayed (openRecording → Replay → Engine, registry venues)', () => {
  it('verifies every snapshot and update checksum with no mismatch and no resync', async () => {
    const replay = new Replay(await openRecording([DIR]));
    await replay.run();
    const engine = replay.engine;
    expect(engine.dropped).toEqual({});
    const summary = Object.fromEntries(
      [...engine.books].map(([id, b]) => [id, { ...b.health.counters, state: b.state }]),
    );
    const perInstrument = Object.entries(summary).map(
      ([id, c]) => `${id} checked=${c.checksumChecked} matched=${c.checksumMatched}`,
    );
    console.log(`OKX okx-2022-05: ${perInstrument.join('; ')}`);
    const books = ['okx:BTC-USDT', 'okx:BTC-USD-220527', 'okx:UNI-USD-SWAP'];
    for (const id of books) {
      const c = summary[id]!;
      expect(c.state).toBe('live');
      expect(c.snapshots).toBe(1);
      expect(c.checksumChecked).toBe(c.snapshots + c.deltasApplied);
      expect(c.checksumChecked).toBeGreaterThan(90);
      expect(c.checksumMatched).toBe(c.checksumChecked);
      expect(c.checksumFailures).toBe(0);
      expect(c.resyncs).toBe(0);
      expect(c.gaps).toBe(0);
      expect(c.crossedBooks).toBe(0);
    }
    expect(summary['okx:BTC-USDT']!.trades).toBeGreaterThan(0);
  });

  it('parses the instrument metadata in OKX.0', async () => {
    const all = (await cryptofeedFrames(`${DIR}/OKX.0`))
      .filter((l) => l.kind === 'rest')
      .flatMap((l) => parseOkxInstruments(l.text));
    const btc = all.find((i) => i.instId === 'BTC-USDT')!;
    expect(btc).toMatchObject({
      instType: 'SPOT',
      tickSize: '0.1',
      lotSize: '0.00000001',
      contractValue: null,
    });
    const swap = all.find((i) => i.instId === 'UNI-USD-SWAP')!;
    expect(swap.instType).toBe('SWAP');
    expect(swap.contractValue).not.toBeNull();
    expect(() => parseOkxInstruments('{"code":"50011","msg":"Too Many Requests","data":[]}')).toThrow(
      expect.objectContaining({ name: 'MalformedFrameError' }),
    );
  });
});

describe('OKX generations (parser-2022.ts, parser-v5.ts) on okx-2022-05', () => {
  it('a connection locks to the 2022 generation on its first book push; its deltas are declared unsequenced', async () => {
    const frames = (await cryptofeedFrames(`${DIR}/OKX.ws.1.0`)).filter((f) => f.kind === 'ws');
    const p = new OkxParser();
    expect(p.generation).toBeNull();
    let deltas = 0;
    for (const f of frames)
      for (const e of p.parse(f.text, f.localTs))
        if (e.type === 'book_delta') {
          deltas++;
          expect(e.unsequenced).toBe(true);
        }
    expect(p.generation).toBe('2022-05');
    expect(deltas).toBeGreaterThan(250);
    // A push that carries seqId is today's generation: a typed error on this connection.
    expect(() =>
      p.parse(
        '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1","checksum":0,"prevSeqId":1,"seqId":2}]}',
        0,
      ),
    ).toThrow(expect.objectContaining({ code: 'unsupported', instrument: 'okx:BTC-USDT' }));
  });

  it('the same recording read by the v5 parser (seqId required) is a gap, never a silent apply', async () => {
    const frames = (await cryptofeedFrames(`${DIR}/OKX.ws.1.0`)).filter((f) => f.kind === 'ws');
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const p = new OkxParser('okx', 'v5');
    for (const f of frames) engine.handleFrame('okx', p, f.text, f.localTs);
    const b = engine.books.get('okx:BTC-USDT')!;
    expect(p.generation).toBe('v5');
    expect(b.health.counters.deltasApplied).toBe(0);
    expect(b.health.counters.gaps).toBeGreaterThan(0);
    expect(b.health.reasonCode).toBe('gap');
    expect(b.health.reason).toMatch(/without a sequence/);
  });

  it('a v5 push that lost its seqId (a parser or wire fault) is a typed integrity failure (gap), never applied', () => {
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const p = new OkxParser('okx', 'v5');
    const push = (action: string, seq: string, bid: string) =>
      `{"arg":{"channel":"books","instId":"X-Y"},"action":"${action}","data":[{"asks":[["101","1","0","1"]],"bids":[["100","${bid}","0","1"]],"ts":"1"${seq}}]}`;
    engine.handleFrame('okx', p, push('snapshot', ',"prevSeqId":-1,"seqId":10', '1'), 1);
    const b = engine.books.get('okx:X-Y')!;
    expect(b.state).toBe('live');
    engine.handleFrame('okx', p, push('update', '', '7'), 2);
    const code: IntegrityCode | null = b.health.reasonCode as IntegrityCode | null;
    expect(code).toBe('gap');
    expect([b.health.counters.gaps, b.health.counters.deltasApplied]).toEqual([1, 0]);
    expect(b.book.bids.size(0)).toBe(1);
    expect(b.state).toBe('resyncing');
  });
});
