import { describe, expect, it } from 'vitest';
import { simProtocol } from '../protocols.ts';
import { expectLoopbackEqualsReplay, expectOnlyThatBookResyncs } from '../../../test/venue-checks.ts';

const DIR = '../shared/data/cryptofeed/kraken-futures';
const SYMBOLS = [
  'FI_ETHUSD_211231',
  'PI_XRPUSD',
  'PI_LTCUSD',
  'FI_BCHUSD_210730',
  'PI_ETHUSD',
  'FI_XBTUSD_210924',
  'FI_ETHUSD_210730',
  'FI_BCHUSD_210924',
  'FI_XRPUSD_210924',
  'FI_XBTUSD_210730',
];

describe('Kraken Futures simulator protocol', () => {
  it('acks per product, routes snapshots with their feed, refuses bad requests', () => {
    const p = simProtocol('kraken-futures');
    const r = p.onMessage('{"event":"subscribe","feed":"book","product_ids":["pi_xbtusd","PI_ETHUSD"]}');
    expect(r.subscribe).toEqual(['book:PI_XBTUSD', 'book:PI_ETHUSD']);
    expect(r.replies!.map((x) => JSON.parse(x))).toEqual([
      { event: 'subscribed', feed: 'book', product_ids: ['PI_XBTUSD'] },
      { event: 'subscribed', feed: 'book', product_ids: ['PI_ETHUSD'] },
    ]);
    expect(p.onMessage('{"event":"subscribe"}').replies![0]).toContain('"event":"error"');
    expect(p.route('{"feed":"book_snapshot","product_id":"PI_XBTUSD","seq":1}')).toEqual({
      topic: 'book:PI_XBTUSD',
      symbol: 'PI_XBTUSD',
      depth: true,
    });
    expect(p.route('{"feed":"trade_snapshot","product_id":"PI_XBTUSD","trades":[]}')?.depth).toBe(false);
    expect(p.route('{"event":"subscribed","feed":"book","product_ids":["PI_XBTUSD"]}')).toBeNull();
  });

  it('serves the recording over loopback: every book live and equal to the replay final book', async () => {
    await expectLoopbackEqualsReplay('kraken-futures', [DIR], SYMBOLS);
  }, 60_000);

  for (const fault of ['dropNth', 'corruptNth'] as const)
    it(`a ${fault === 'dropNth' ? 'dropped' : 'corrupted'} update resyncs exactly that book, which verifies again`, async () => {
      const x = await expectOnlyThatBookResyncs('kraken-futures', [DIR], SYMBOLS, fault, 'PI_LTCUSD', 50, 10);
      expect(fault === 'dropNth' ? x.gaps : x.dropped).toBe(1);
      expect([x.snapshots, x.resubscribes]).toEqual([2, 1]);
    }, 60_000);
});
