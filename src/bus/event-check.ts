/**
 * The normalized-event check of fleet consumers: an event from the bus is handed to the engine only when
 * it has the shape of a MarketEvent (core/model.ts) and its instrument is the one its subject names, so a
 * malformed or mis-addressed message (a buggy or hostile publisher) is counted and dropped instead of
 * reaching a book. Values are still the venue's wire strings: the engine's own checks (sequence, crossed
 * book, checksums) apply after this.
 */
/** A decimal string as venues send them: optional sign, digits, optional fraction or exponent. */
const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

function isNum(v: unknown): boolean {
  return typeof v === 'number'; // NaN is allowed (codec keeps it: "unknown")
}

function isLevels(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const l of v as unknown[]) {
    if (!Array.isArray(l) || l.length < 2) return false;
    if (typeof l[0] !== 'string' || !DECIMAL.test(l[0])) return false;
    if (typeof l[1] !== 'string' || !DECIMAL.test(l[1])) return false;
  }
  return true;
}

function isDecimal(v: unknown): boolean {
  return typeof v === 'string' && DECIMAL.test(v);
}

/**
 * Why `e` is not a valid normalized event, or null when it is one.
 * @param addressed when given, the subject the message came on and the subject its instrument belongs
 *   on (bus/nats.ts subjectFor): they must be equal
 */
export function eventProblem(
  e: unknown,
  addressed?: { subject: string; subjectOf: (instrument: string) => string },
): string | null {
  if (typeof e !== 'object' || e === null) return 'not an object';
  const o = e as Record<string, unknown>;
  if (typeof o.instrument !== 'string' || !/^[^:\s]+:\S+$/.test(o.instrument)) return 'bad instrument';
  if (!isNum(o.localTs) || !isNum(o.exchangeTs)) return 'bad timestamps';
  if (addressed && addressed.subjectOf(o.instrument) !== addressed.subject)
    return 'instrument does not match the subject';
  switch (o.type) {
    case 'book_snapshot':
      if (!isNum(o.sequence) || !isNum(o.depthLimit)) return 'bad snapshot sequence/depthLimit';
      return isLevels(o.bids) && isLevels(o.asks) ? null : 'bad snapshot levels';
    case 'book_delta':
      if (!isNum(o.sequence) || !isNum(o.firstSequence) || !isNum(o.prevSequence))
        return 'bad delta sequence';
      return isLevels(o.bids) && isLevels(o.asks) ? null : 'bad delta levels';
    case 'trade':
      if (typeof o.id !== 'string') return 'bad trade id';
      if (!isDecimal(o.price) || !isDecimal(o.size)) return 'bad trade price/size';
      return o.side === 'buy' || o.side === 'sell' || o.side === 'unknown' ? null : 'bad trade side';
    case 'bbo':
      return isDecimal(o.bidPrice) && isDecimal(o.bidSize) && isDecimal(o.askPrice) && isDecimal(o.askSize)
        ? null
        : 'bad bbo';
    case 'funding':
      if (!isDecimal(o.fundingRate)) return 'bad funding rate';
      if (!isNum(o.intervalHours) || !isNum(o.nextFundingTime)) return 'bad funding interval/time';
      if (typeof o.venue !== 'string') return 'bad funding venue';
      for (const k of ['markPrice', 'indexPrice', 'predictedRate'] as const)
        if (o[k] !== undefined && !isDecimal(o[k])) return `bad funding ${k}`;
      return null;
    default:
      return 'unknown event type';
  }
}
