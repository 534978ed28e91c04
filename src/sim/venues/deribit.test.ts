import { describe, expect, it } from 'vitest';
import { simProtocol } from '../protocols.ts';
import { expectLoopbackEqualsReplay, expectOnlyThatBookResyncs } from '../../../test/venue-checks.ts';

const DIR = '../shared/data/cryptofeed/deribit';
const SYMBOLS = [
  'BTC-24SEP21-8000-P',
  'BTC-30JUL21-24000-P',
  'ETH-30JUL21-2800-C',
  'BTC-31DEC21-34000-P',
  'BTC-24SEP21-34000-P',
  'BTC-24JUN22-15000-C',
  'BTC-31DEC21-300000-C',
  'ETH-27AUG21-4000-P',
  'BTC-25MAR22-30000-C',
  'ETH-23JUL21-2300-C',
];

describe('Deribit simulator protocol', () => {
  it('answers JSON-RPC requests by id and routes notifications by channel without the interval', () => {
    const p = simProtocol('deribit');
    const r = p.onMessage(
      '{"jsonrpc":"2.0","id":7,"method":"public/subscribe","params":{"channels":["book.BTC-PERPETUAL.100ms","trades.BTC-PERPETUAL.100ms"]}}',
    );
    expect(r.subscribe).toEqual(['book.BTC-PERPETUAL', 'trades.BTC-PERPETUAL']);
    expect(JSON.parse(r.replies![0]!)).toMatchObject({
      id: 7,
      result: ['book.BTC-PERPETUAL.100ms', 'trades.BTC-PERPETUAL.100ms'],
    });
    expect(
      JSON.parse(p.onMessage('{"jsonrpc":"2.0","id":8,"method":"public/test","params":{}}').replies![0]!),
    ).toMatchObject({
      id: 8,
      result: { version: expect.any(String) },
    });
    expect(
      JSON.parse(p.onMessage('{"jsonrpc":"2.0","id":9,"method":"private/buy"}').replies![0]!),
    ).toMatchObject({
      id: 9,
      error: { code: -32601 },
    });
    expect(
      p.route('{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.X-1.raw","data":{}}}'),
    ).toEqual({
      topic: 'book.X-1',
      symbol: 'X-1',
      depth: true,
    });
    expect(p.route('{"jsonrpc":"2.0","id":0,"result":["book.X.raw"]}')).toBeNull();
    expect(p.open(new URL('ws://h/ws/api/v2')).ok).toBe(true);
    expect(p.open(new URL('ws://h/realtime')).ok).toBe(false);
  });

  it('serves the recording over loopback: every book live and equal to the replay final book', async () => {
    await expectLoopbackEqualsReplay('deribit', [DIR], SYMBOLS);
  }, 60_000);

  for (const fault of ['dropNth', 'corruptNth'] as const)
    it(`a ${fault === 'dropNth' ? 'dropped' : 'corrupted'} update resyncs exactly that book, which verifies again`, async () => {
      const x = await expectOnlyThatBookResyncs(
        'deribit',
        [DIR],
        SYMBOLS,
        fault,
        'BTC-24SEP21-8000-P',
        5,
        20,
      );
      expect(fault === 'dropNth' ? x.gaps : x.dropped).toBe(1);
      expect([x.snapshots, x.resubscribes]).toEqual([2, 1]);
      expect(x.deltasApplied).toBeGreaterThan(15);
    }, 60_000);
});
