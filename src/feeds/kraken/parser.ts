/**
 * Kraken spot parser of one connection: the v2 parser (parser-v2.ts, today's protocol) or the v1 parser
 * (parser-v1.ts, the 2021 recordings), selected by frame shape (feeds/generation.ts): a v1 frame is an
 * array or an `event` object, a v2 frame has `channel` or `method`; or pinned.
 */
import { GenerationParser, type Generations } from '../generation.ts';
import { KrakenV1Parser } from './parser-v1.ts';
import { KrakenV2Parser, type KrakenPrecision } from './parser-v2.ts';

export { padDecimal, type KrakenPrecision } from './parser-v2.ts';

/** Kraken spot WebSocket protocol generations. */
export type KrakenGeneration = 'v1' | 'v2';

/** The generation a raw Kraken frame belongs to, or null when it does not tell. */
export function krakenGeneration(text: string): KrakenGeneration | null {
  const t = text.trimStart();
  if (t.startsWith('[') || t.includes('"event"')) return 'v1';
  if (t.includes('"channel"') || t.includes('"method"')) return 'v2';
  return null;
}

/** Parser for one Kraken spot connection (v1 or v2, see module doc). */
export class KrakenParser extends GenerationParser<KrakenGeneration> {
  /**
   * @param precisions known v2 precisions by symbol (e.g. from REST AssetPairs), optional
   * @param generation pin the generation instead of detecting it
   */
  constructor(precisions?: ReadonlyMap<string, KrakenPrecision>, generation?: KrakenGeneration) {
    const gens: Generations<KrakenGeneration> = {
      parsers: { v1: () => new KrakenV1Parser(), v2: () => new KrakenV2Parser(precisions) },
      detect: krakenGeneration,
      current: 'v2',
      lock: false,
    };
    super(gens, generation);
  }

  /** Precision the v2 parser knows for a symbol, if any. */
  precisionOf(symbol: string): KrakenPrecision | undefined {
    return (this.parserOf('v2') as KrakenV2Parser).precisionOf(symbol);
  }
}
