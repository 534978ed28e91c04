/**
 * Typed errors of the data path. Each carries a stable `code` used as a counter label, so a dropped
 * frame or a resync is always counted under a name an operator can alert on.
 */

/** Codes of frame-level problems: the frame is dropped and counted, nothing else changes. */
export type DropCode =
  'malformed_json' | 'invalid_field' | 'unknown_stream' | 'unknown_instrument' | 'precision' | 'unsupported';

/**
 * Codes of book integrity problems: the instrument's book is marked resyncing (or invalid where it cannot
 * resync). `gap`: a sequence break; `checksum_mismatch`: the venue's checksum differs from the book's;
 * `crossed_book` / `locked_book`: best bid above / equal to best ask; `stale_snapshot`: the snapshot is
 * older than the buffered deltas; `oracle_mismatch`: the venue's own BBO differs from the book;
 * `malformed_delta`: a delta that passed the sequence check could not be applied (its changes are lost).
 */
export type IntegrityCode =
  | 'gap'
  | 'checksum_mismatch'
  | 'crossed_book'
  | 'locked_book'
  | 'stale_snapshot'
  | 'oracle_mismatch'
  | 'malformed_delta';

/** Every integrity code, for labels and validation. */
export const INTEGRITY_CODES: readonly IntegrityCode[] = [
  'gap',
  'checksum_mismatch',
  'crossed_book',
  'locked_book',
  'stale_snapshot',
  'oracle_mismatch',
  'malformed_delta',
];

/**
 * A frame that cannot be used: dropped and counted under `code` (per venue, and per instrument when the
 * parser could tell which instrument the frame was for).
 */
export class MalformedFrameError extends Error {
  override readonly name = 'MalformedFrameError';
  constructor(
    readonly code: DropCode,
    message: string,
    /** The instrument the frame was for, when known (the drop is then counted on its book too). */
    readonly instrument?: string,
  ) {
    super(message);
  }
}

/** An `invalid_field` MalformedFrameError, attributed to `instrument` when known. */
export function invalidField(message: string, instrument?: string): MalformedFrameError {
  return new MalformedFrameError('invalid_field', message, instrument);
}

/** A book whose integrity is broken (sequence gap, checksum mismatch, crossed book). */
export class BookIntegrityError extends Error {
  override readonly name = 'BookIntegrityError';
  constructor(
    readonly code: IntegrityCode,
    readonly instrument: string,
    message: string,
  ) {
    super(message);
  }
}

/** A decimal that cannot be keyed exactly (more than 15 significant digits, or out of range). */
export class PrecisionError extends MalformedFrameError {
  constructor(value: string) {
    super('precision', `decimal "${value}" cannot be represented exactly (more than 15 significant digits)`);
  }
}
