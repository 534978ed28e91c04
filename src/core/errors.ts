/**
 * Typed errors of the data path. Each carries a stable `code` used as a counter label, so a dropped
 * frame or a resync is always counted under a name an operator can alert on.
 */

/** Codes of frame-level problems: the frame is dropped and counted, nothing else changes. */
export type DropCode =
  'malformed_json' | 'invalid_field' | 'unknown_stream' | 'unknown_instrument' | 'precision' | 'unsupported';

/** Codes of book integrity problems: the instrument's book is marked invalid/resyncing. */
export type IntegrityCode = 'gap' | 'checksum_mismatch' | 'crossed_book' | 'stale_snapshot';

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
