/**
 * Venue id aliases (src/util/venue-ids.ts): `bybit` names `bybit-linear` everywhere ids are read:
 * registry, simulator, recordings/replay, config, CLI options and API parameters.
 */
import { describe, expect, it } from 'vitest';
import { resolveInstrumentId, resolveVenueId, VENUE_ALIASES } from '../src/util/venue-ids.ts';
import { venue, venues } from '../src/feeds/registry.ts';
import { simProtocol } from '../src/sim/protocols.ts';
import { validateConfig } from '../src/config/load.ts';
import { alertsQuery, instrumentParam } from '../src/api/params.ts';
import { openRecording } from '../src/recording/index.ts';
import { Replay } from '../src/replay/index.ts';

describe('venue id aliases', () => {
  it('resolve ids and instrument ids; unknown ids pass through for the caller to reject', () => {
    expect(resolveVenueId('bybit')).toBe('bybit-linear');
    expect(resolveVenueId('bybit-linear')).toBe('bybit-linear');
    expect(resolveVenueId('nope')).toBe('nope');
    expect(resolveInstrumentId('bybit:BTCUSDT')).toBe('bybit-linear:BTCUSDT');
    expect(resolveInstrumentId('bybit-linear:BTCUSDT')).toBe('bybit-linear:BTCUSDT');
    expect(resolveInstrumentId('okx:BTC-USDT')).toBe('okx:BTC-USDT');
    expect(resolveInstrumentId('BTC-USD')).toBe('BTC-USD');
  });

  it('every alias names a registered venue, and no alias is itself a venue id', () => {
    for (const [alias, id] of VENUE_ALIASES) {
      expect(venues.has(id)).toBe(true);
      expect(venues.has(alias)).toBe(false);
    }
  });

  it('registry and simulator accept the alias', () => {
    expect(venue('bybit').id).toBe('bybit-linear');
    expect(() => venue('nope')).toThrow(/unknown venue "nope"/);
    expect(simProtocol('bybit')).toBeDefined();
  });

  it('config instruments and venue endpoint keys, API and alert query parameters resolve the alias', () => {
    const c = validateConfig({
      instruments: ['bybit:BTCUSDT', 'okx:BTC-USDT'],
      venues: { bybit: { ws: 'ws://127.0.0.1:9001' } },
    });
    expect(c.instruments).toEqual(['bybit-linear:BTCUSDT', 'okx:BTC-USDT']);
    expect(Object.keys(c.venues)).toEqual(['bybit-linear']);
    expect(instrumentParam.parse('bybit:XRPUSDT')).toBe('bybit-linear:XRPUSDT');
    expect(alertsQuery.parse({ instrument: 'bybit:XRPUSDT' }).instrument).toBe('bybit-linear:XRPUSDT');
  });

  it('a recording named `bybit` (cryptofeed BYBIT files, or --venue bybit) replays under bybit-linear', async () => {
    const rec = await openRecording(['../shared/data/cryptofeed/bybit-2021-04/BYBIT.ws.26.0']);
    expect(rec.venues).toEqual(['bybit-linear']);
    const replay = new Replay(rec);
    await replay.run();
    expect(replay.engine.books.size).toBeGreaterThan(0);
    for (const id of replay.engine.books.keys()) expect(id.startsWith('bybit-linear:')).toBe(true);
  });
});
