/**
 * Venue id aliases. A venue id names one market of one exchange (`bybit-linear`: Bybit's USDT/USDC
 * linear contracts); an older or shorter id that once named it stays accepted as an alias wherever ids
 * are read (config, CLI, recordings and replay, simulator, API) and is resolved to the venue id on the
 * way in. Stored data keeps the id it was written with. The README's "Venues" table lists every id and
 * alias.
 */
/** Same as core/model.ts VenueId / InstrumentId (util sits below core: plain strings here). */
type VenueId = string;
type InstrumentId = string;

/** Alias → venue id. */
export const VENUE_ALIASES: ReadonlyMap<string, VenueId> = new Map<string, VenueId>([
  // Until 2026-12 the only Bybit market was `bybit` (linear contracts, v5 `/v5/public/linear`).
  ['bybit', 'bybit-linear'],
]);

/** The venue id an id or alias names (an unknown id is returned unchanged, for the caller to reject). */
export function resolveVenueId(id: string): VenueId {
  return VENUE_ALIASES.get(id) ?? id;
}

/**
 * An instrument id with its venue part resolved (`bybit:BTCUSDT` → `bybit-linear:BTCUSDT`); ids without
 * a venue part, or with an unknown one, are returned unchanged.
 */
export function resolveInstrumentId(id: string): InstrumentId {
  const colon = id.indexOf(':');
  if (colon <= 0) return id;
  const venue = VENUE_ALIASES.get(id.slice(0, colon));
  return venue === undefined ? id : venue + id.slice(colon);
}
