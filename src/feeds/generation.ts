/**
 * Versioned venue parsers: one parser per protocol generation (Kraken v1/v2, Coinbase legacy/Advanced
 * Trade, Bybit v1/v5, OKX 2022/v5), each in its own file, and this selector in front of them, so no
 * parser branches on the generation inside its own code.
 *
 * A frame's generation is selected explicitly, in one of three ways:
 * - pinned by the caller (a test, a descriptor): every frame goes to that generation's parser, which
 *   rejects frames of another generation with a typed error;
 * - `lock` venues (generations that share one frame shape, told apart by a field: OKX 2022 vs v5): the
 *   first frame that tells the generation selects it for the whole connection;
 * - other venues (generations with disjoint frame shapes: Kraken arrays vs `channel` objects, Bybit
 *   `orderBookL2_25.*` vs `orderbook.*` topics, Coinbase `type` vs `channel` messages): each frame by
 *   its own shape, a constant of the channel it belongs to (the simulator answers a today's client with
 *   today's acks while serving an older recording's data frames as recorded).
 * Frames that tell no generation (acks common to all) go to the selected generation's parser, else to
 * today's.
 */
import type { MarketEvent } from '../core/model.ts';
import type { FeedParser } from './types.ts';

/** One venue's generations: their parsers, how a frame tells its generation, and today's generation. */
export interface Generations<G extends string> {
  /** A fresh parser per generation (one per connection). */
  readonly parsers: { readonly [K in G]: () => FeedParser };
  /** The generation a raw frame belongs to, or null when it does not tell (a frame common to all). */
  detect(text: string): G | null;
  /** Today's generation. */
  readonly current: G;
  /** Lock the connection to the first generation detected (see module doc). */
  readonly lock: boolean;
}

/** The parser of one connection, dispatching to the selected generation's parser (see module doc). */
export class GenerationParser<G extends string> implements FeedParser {
  private readonly parsers = new Map<G, FeedParser>();
  private selected: G | null;
  private fixed: boolean;

  /**
   * @param generations the venue's generations
   * @param pinned select this generation for every frame (no detection)
   */
  constructor(
    private readonly generations: Generations<G>,
    pinned?: G,
  ) {
    this.selected = pinned ?? null;
    this.fixed = pinned !== undefined;
  }

  /** The generation pinned or locked for this connection, else that of the last frame that told one. */
  get generation(): G | null {
    return this.selected;
  }

  /** The parser of generation `g` on this connection (created on first use). */
  parserOf(g: G): FeedParser {
    let p = this.parsers.get(g);
    if (!p) this.parsers.set(g, (p = this.generations.parsers[g]()));
    return p;
  }

  parse(text: string, localTs: number): readonly MarketEvent[] {
    const gens = this.generations;
    let g = this.selected;
    if (!this.fixed && (g === null || !gens.lock)) {
      const d = gens.detect(text);
      if (d !== null) {
        this.selected = g = d;
        if (gens.lock) this.fixed = true;
      }
    }
    return this.parserOf(g ?? gens.current).parse(text, localTs);
  }
}
