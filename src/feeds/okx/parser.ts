/**
 * OKX parser of one connection: today's v5 parser (parser-v5.ts) or the 2022 generation's
 * (parser-2022.ts: book pushes without `seqId`, the okx-2022-05 recordings). The two share one frame
 * shape, so the connection is locked (feeds/generation.ts) to the generation of its first book push:
 * with `seqId` → v5, without → 2022; or pinned. After the lock a v5 push missing `seqId` is a gap
 * (okxSequenceRule), and a 2022 push carrying one a typed error.
 */
import { GenerationParser } from '../generation.ts';
import { Okx2022Parser } from './parser-2022.ts';
import { OkxV5Parser } from './parser-v5.ts';

export { OKX_BOOK_DEPTH } from './parser-v5.ts';

/** OKX public WebSocket generations. */
export type OkxGeneration = 'v5' | '2022-05';

/** A book push: `"action":` (books, *-l2-tbt) or a books5/bbo-tbt channel. */
const BOOK_PUSH = /"channel":"(?:books|bbo-tbt)/;

/** The generation a raw OKX frame belongs to, or null when it is not a book push. */
export function okxGeneration(text: string): OkxGeneration | null {
  if (!BOOK_PUSH.test(text) || !text.includes('"data":')) return null;
  return text.includes('"seqId":') ? 'v5' : '2022-05';
}

/** Parser for one OKX connection (see module doc). */
export class OkxParser extends GenerationParser<OkxGeneration> {
  /**
   * @param venue the venue id prefixed to instruments
   * @param generation pin the generation instead of detecting it
   */
  constructor(venue = 'okx', generation?: OkxGeneration) {
    super(
      {
        parsers: { v5: () => new OkxV5Parser(venue), '2022-05': () => new Okx2022Parser(venue) },
        detect: okxGeneration,
        current: 'v5',
        lock: true,
      },
      generation,
    );
  }
}
