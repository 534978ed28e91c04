import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { VENUE_RECORDINGS, recordedVenues } from './venue-recordings.ts';
import { venues } from '../feeds/registry.ts';
import { simProtocols } from '../sim/protocols.ts';

/** Venue ids of issues 10 and 18 (team brief), plus binance-us (the single-file Binance.US capture). */
const IDS = [
  'binance',
  'binance-usdm',
  'binance-coinm',
  'okx',
  'kraken',
  'bybit-linear',
  'coinbase',
  'bitget',
  'bitget-futures',
  'deribit',
  'hyperliquid',
  'kucoin',
  'kucoin-futures',
  'bitmex',
  'gateio',
  'gateio-futures',
  'bitfinex',
  'kraken-futures',
  'bitstamp',
  'gemini',
  'binance-us',
];

describe('venue → recordings table', () => {
  it('lists every venue id, and every file it names exists under ../shared/data', () => {
    expect(Object.keys(VENUE_RECORDINGS).sort()).toEqual([...IDS].sort());
    for (const [venue, files] of Object.entries(VENUE_RECORDINGS))
      for (const f of files) expect(existsSync(f), `${venue}: ${f}`).toBe(true);
  });
  it('keeps the registered venues with files, each of which the simulator speaks', () => {
    const got = recordedVenues();
    expect(got.map((r) => r.venue)).toEqual(
      Object.keys(VENUE_RECORDINGS).filter((v) => venues.has(v) && VENUE_RECORDINGS[v]!.length > 0),
    );
    for (const v of ['binance', 'okx', 'kraken', 'coinbase', 'bitfinex', 'bitstamp', 'gemini'])
      expect(got.map((r) => r.venue)).toContain(v);
    for (const r of got) expect(simProtocols.has(r.venue), r.venue).toBe(true);
    expect(recordedVenues(new Set(['gemini', 'kucoin-futures'])).map((r) => r.venue)).toEqual(['gemini']);
  });
});
