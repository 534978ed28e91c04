/**
 * OKX v5 public WebSocket as recorded in May 2022 (cryptofeed okx-2022-05): the same frames as today's
 * (parser-v5.ts) except that book pushes carry no `seqId`/`prevSeqId` (OKX added them later).
 *
 * Follows: OKX API v5 docs, "WebSocket > Order book channel" as of 2022 (`books` pushes with `action`,
 * `asks`/`bids`, `ts`, `checksum` on every push: the checksum is this generation's only integrity check).
 *
 * This generation declares its book deltas unsequenced (`BookDelta.unsequenced`), which okxSequenceRule
 * applies; a push that does carry `seqId` belongs to today's generation and is a typed `unsupported`
 * error here (a connection never mixes the two).
 */
import { MalformedFrameError } from '../../core/errors.ts';
import type { Json } from '../fields.ts';
import { OkxV5Parser, type OkxSequence } from './parser-v5.ts';

/** Parser for one OKX connection of the 2022 generation. Stateless. */
export class Okx2022Parser extends OkxV5Parser {
  protected override readonly unsequencedPushes: boolean = true;

  protected override sequenceOf(d: Json, instrument: string): OkxSequence {
    if (d.seqId !== undefined || d.prevSeqId !== undefined)
      throw new MalformedFrameError(
        'unsupported',
        'OKX push with seqId on a 2022-generation connection (no seqId)',
        instrument,
      );
    return { sequence: NaN, prevSequence: NaN, unsequenced: true };
  }
}
