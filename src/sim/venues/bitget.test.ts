import { describe, expect, it } from 'vitest';
import { simProtocol } from '../protocols.ts';
import { loadRecording } from '../../../test/sim-fixtures.ts';
import { finalBooks, replayPaths, runLive } from '../../../test/venue-sim.ts';
import type { RecordedFrame } from '../../recording/types.ts';

const SPOT = '../shared/data/cryptofeed/bitget/BITGET.ws.1.0';
const MIX = '../shared/data/cryptofeed/bitget/BITGET.ws.2.0';
const SPOT_SYMBOLS = [
  'AVAXUSDT',
  'CULTUSDT',
  'EOSUSDT',
  'GOGUSDT',
  'HOTUSDT',
  'STGUSDT',
  'SUNUSDT',
  'VVSUSDT',
];

describe('Bitget simulator protocol (v2 wire from v1 recordings)', () => {
  it('rewrites recorded v1 pushes into v2 (instType, seq, trade objects) and routes only its market', async () => {
    const frames = await loadRecording([SPOT, MIX]);
    const p = simProtocol('bitget');
    const wired = frames.filter((f) => f.kind === 'ws').map((f) => ({ ...f, text: p.wire!(f) }));
    const books = wired.filter(
      (f) => f.text.startsWith('{"action"') && f.text.includes('"channel":"books","instId":"EOSUSDT"'),
    );
    const seqs = books.map((f) => JSON.parse(f.text).data[0].seq as number);
    expect(books[0]!.text).toContain('"instType":"SPOT"');
    expect(seqs.slice(0, 3)).toEqual([1_000_000, 1_000_001, 1_000_002]);
    const trade = wired.find((f) =>
      f.text.includes('"action":"update","arg":{"instType":"SPOT","channel":"trade"'),
    )!;
    expect(JSON.parse(trade.text).data[0]).toMatchObject({
      tradeId: expect.stringMatching(/^\d+$/),
      side: expect.stringMatching(/buy|sell/),
    });
    const mix = wired.find((f) => f.text.includes('"instId":"DASHUSDT"'))!;
    expect(mix.text).toContain('"instType":"mc"'); // left as recorded: not this market
    expect(p.route(mix.text)).toBeNull();
    expect(p.route(books[1]!.text)).toEqual({ topic: 'books:EOSUSDT', symbol: 'EOSUSDT', depth: true });
    const r = p.onMessage(
      '{"op":"subscribe","args":[{"instType":"SPOT","channel":"books","instId":"EOSUSDT"},{"instType":"MC","channel":"books","instId":"X"}]}',
    );
    expect(r.subscribe).toEqual(['books:EOSUSDT']);
    expect(r.replies![1]).toContain('"event":"error"');
    expect(p.onMessage('ping').replies).toEqual(['pong']);
    expect(p.open(new URL('ws://h/v2/ws/public')).ok).toBe(true);
    expect(p.open(new URL('ws://h/spot/v1/stream')).ok).toBe(false);
    expect(p.corruptLevel(books[2]!.text, () => 0.3)).not.toBeNull();
  });

  it('serves the spot recording to the live connector: same final books as replay, 0 gaps, every checksum matched', async () => {
    const frames = await loadRecording([SPOT]);
    const run = await runLive({ venue: 'bitget', frames, symbols: SPOT_SYMBOLS });
    try {
      const reference = await replayPaths([SPOT]);
      expect(finalBooks(run.engine, 'bitget')).toEqual(finalBooks(reference, 'bitget'));
      for (const b of run.engine.books.values()) {
        const c = b.health.counters;
        expect([b.state, c.gaps, c.crossedBooks, c.checksumFailures]).toEqual(['live', 0, 0, 0]);
        expect(c.checksumMatched).toBe(c.checksumChecked);
        expect(b.health.sequence).toBeGreaterThan(1_000_000);
      }
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('serves the USDT-M recording (bitget-futures): same final books as replay', async () => {
    const frames = await loadRecording([MIX]);
    const run = await runLive({ venue: 'bitget-futures', frames, symbols: ['DASHUSDT', 'UNIUSDT'] });
    try {
      const reference = await replayPaths([MIX]);
      const live = finalBooks(run.engine, 'bitget-futures');
      expect(Object.keys(live)).toHaveLength(2);
      expect(live).toEqual(finalBooks(reference, 'bitget-futures'));
      for (const b of run.engine.books.values()) expect(b.health.counters.checksumFailures).toBe(0);
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('a dropped update fails only that book’s checksum; it resubscribes, resyncs and verifies again', async () => {
    const frames: RecordedFrame[] = await loadRecording([SPOT]);
    const run = await runLive({
      venue: 'bitget',
      frames,
      symbols: SPOT_SYMBOLS,
      speed: 10, // the 31 s capture in ~3 s: the resubscribe lands well before the end
      faults: { dropNth: [{ symbol: 'EOSUSDT', n: 20 }] },
      settle: (e) => e.books.get('bitget:EOSUSDT')?.state === 'live',
    });
    try {
      expect(run.sim.faults.drop).toBe(1);
      expect(run.conn.stats.resubscribes).toBe(1);
      for (const [id, b] of run.engine.books) {
        const c = b.health.counters;
        const hit = id === 'bitget:EOSUSDT';
        expect([id, c.checksumFailures, c.resyncs, c.snapshots]).toEqual([
          id,
          hit ? 1 : 0,
          hit ? 1 : 0,
          hit ? 2 : 1,
        ]);
        expect(b.state).toBe('live');
      }
      const c = run.engine.books.get('bitget:EOSUSDT')!.health.counters;
      expect(c.checksumMatched).toBe(c.checksumChecked - 1);
      expect(c.checksumMatched).toBeGreaterThan(30); // verified again after the resync
    } finally {
      await run.stop();
    }
  }, 60_000);
  it('a corrupted checksum on one USDT-M push resyncs that contract only, which verifies again', async () => {
    const frames = await loadRecording([MIX]);
    const run = await runLive({
      venue: 'bitget-futures',
      frames,
      symbols: ['DASHUSDT', 'UNIUSDT'],
      speed: 10,
      faults: { corruptChecksumNth: [{ symbol: 'UNIUSDT', n: 30 }] },
      settle: (e) => e.books.get('bitget-futures:UNIUSDT')?.state === 'live',
    });
    try {
      expect(run.sim.faults.corruptChecksum).toBe(1);
      const uni = run.engine.books.get('bitget-futures:UNIUSDT')!.health.counters;
      const dash = run.engine.books.get('bitget-futures:DASHUSDT')!.health.counters;
      expect([uni.checksumFailures, uni.resyncs, uni.snapshots]).toEqual([1, 1, 2]);
      expect([dash.checksumFailures, dash.resyncs, dash.snapshots]).toEqual([0, 0, 1]);
      expect(uni.checksumMatched).toBe(uni.checksumChecked - 1);
      expect(uni.checksumMatched).toBeGreaterThan(60);
    } finally {
      await run.stop();
    }
  }, 60_000);
});
