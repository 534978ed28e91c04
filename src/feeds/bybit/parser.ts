/**
 * Bybit parser of one connection: today's v5 parser (parser-v5.ts) or the v1 `orderBookL2_25` parser
 * (parser-v1.ts, the 2021 recordings), selected per frame by its topic (feeds/generation.ts): the two
 * generations name their channels differently (`orderbook.*`/`publicTrade.*` vs
 * `orderBookL2_25.*`/`orderBook_200.*`/`trade.*`), so a frame's generation is a constant of its channel;
 * or pinned.
 */
import { GenerationParser } from '../generation.ts';
import { BybitV1Parser } from './parser-v1.ts';
import { BybitV5Parser } from './parser-v5.ts';

/** Bybit public WebSocket generations. */
export type BybitGeneration = 'v1' | 'v5';

const TOPIC = /"topic":"([A-Za-z0-9_]+)\./;

/** The generation of a raw Bybit frame by its topic, or null (acks, pongs). */
export function bybitGeneration(text: string): BybitGeneration | null {
  const kind = TOPIC.exec(text)?.[1];
  if (kind === 'orderbook' || kind === 'publicTrade' || kind === 'tickers') return 'v5';
  if (kind === 'orderBookL2_25' || kind === 'orderBook_200' || kind === 'trade') return 'v1';
  return null;
}

/** Parser for one Bybit connection (see module doc). */
export class BybitParser extends GenerationParser<BybitGeneration> {
  /**
   * @param venue the venue id prefixed to instruments
   * @param generation pin the generation instead of selecting it per frame
   */
  constructor(venue = 'bybit-linear', generation?: BybitGeneration) {
    super(
      {
        parsers: { v1: () => new BybitV1Parser(venue), v5: () => new BybitV5Parser(venue) },
        detect: bybitGeneration,
        current: 'v5',
        lock: false,
      },
      generation,
    );
  }
}
