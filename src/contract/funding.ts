/**
 * `GET /api/v1/funding`: the latest funding state per perpetual, as the venues stream it (server side:
 * the pipeline's FundingBoard, src/pipeline/funding-board.ts; events: core/model.ts `Funding`).
 * Browser-safe: imports zod only.
 */
import { z } from 'zod';
import { DecimalText, InstrumentId, msTime, msTimeOrNull, nullableNumber, page } from './common.ts';
import { listQuery } from './params.ts';

/** One instrument's latest funding. */
export const FundingEntry = z.object({
  instrument: InstrumentId,
  venue: z.string(),
  symbol: z.string(),
  fundingRate: DecimalText.describe(
    'rate of one funding interval as a decimal fraction (0.0001 = 1 bp), exact venue text; positive: longs pay shorts',
  ),
  intervalHours: nullableNumber.describe(
    'hours between fundings (venue frame or documented schedule); null when unknown',
  ),
  annualizedRate: nullableNumber.describe(
    'fundingRate × 8760 / intervalHours (no compounding); null when the interval is unknown',
  ),
  nextFundingTime: msTimeOrNull.describe(
    'next settlement, ms since epoch UTC; null when the venue frame does not carry it',
  ),
  markPrice: DecimalText.nullable().describe(
    'mark price (quote per base unit) when the venue frame carries it',
  ),
  indexPrice: DecimalText.nullable().describe('index (oracle) price when the venue frame carries it'),
  predictedRate: DecimalText.nullable().describe(
    "the venue's forecast of the next interval's rate, when it streams one",
  ),
  exchangeTs: msTimeOrNull,
  localTs: msTime,
});
export type FundingEntry = z.infer<typeof FundingEntry>;

/** `GET /api/v1/funding` query: a page, optionally one instrument or one venue. */
export const fundingQuery = listQuery.extend({
  instrument: InstrumentId.optional().describe('only this instrument'),
  venue: z.string().min(1).optional().describe('only this venue id'),
});

/** `GET /api/v1/funding`: a page of funding entries sorted by instrument id. */
export const FundingResponse = page(FundingEntry);
export type FundingResponse = z.infer<typeof FundingResponse>;
