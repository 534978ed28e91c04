/**
 * Coinbase parser of one connection: today's Advanced Trade parser (parser-advanced.ts) or the legacy
 * Exchange feed parser (parser-legacy.ts, the 2021 recordings), selected per frame by its shape
 * (feeds/generation.ts): Advanced Trade messages name a `channel`, legacy ones only a `type`; or pinned.
 */
import { GenerationParser } from '../generation.ts';
import { CoinbaseAdvancedParser } from './parser-advanced.ts';
import { CoinbaseLegacyParser } from './parser-legacy.ts';

/** Coinbase WebSocket generations. */
export type CoinbaseGeneration = 'legacy' | 'advanced';

/** The generation of a raw Coinbase frame, or null (error frames, common to both). */
export function coinbaseGeneration(text: string): CoinbaseGeneration | null {
  if (text.includes('"channel":')) return 'advanced';
  if (text.includes('"type":"error"')) return null;
  return text.includes('"type":') ? 'legacy' : null;
}

/** Parser for one Coinbase connection (see module doc). */
export class CoinbaseParser extends GenerationParser<CoinbaseGeneration> {
  /** @param generation pin the generation instead of selecting it per frame */
  constructor(generation?: CoinbaseGeneration) {
    super(
      {
        parsers: { legacy: () => new CoinbaseLegacyParser(), advanced: () => new CoinbaseAdvancedParser() },
        detect: coinbaseGeneration,
        current: 'advanced',
        lock: false,
      },
      generation,
    );
  }

  /** Jumps in the Advanced Trade connection's `sequence_num` seen so far. */
  get connectionGaps(): number {
    return (this.parserOf('advanced') as CoinbaseAdvancedParser).connectionGaps;
  }
}
