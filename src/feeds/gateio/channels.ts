/**
 * Gate.io's channel prefixes, shared by the parser (parser.ts) and its frame scanner (scanner.ts).
 *
 * Follows: Gate.io "Spot WebSocket v4" (`spot.*` channels) and "Futures WebSocket v4" (`futures.*`
 * channels, USDT-settled perpetuals).
 */
import { wireTable } from '../fields.ts';

/** Venue id of each channel prefix (the text before the first `.`). */
export const GATEIO_MARKETS: Readonly<Record<string, string>> = wireTable({
  spot: 'gateio',
  futures: 'gateio-futures',
});
