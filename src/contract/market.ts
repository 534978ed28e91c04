/**
 * The Vietnamese market monitor's API shapes (SSI FastConnect Data, venue `ssi`): the WS channels
 * `market`, `foreign`, `index` and the REST routes `/api/v1/market/…`. Units: stock prices VND per share,
 * futures prices and index values in points, volumes in shares (contracts for futures), values in VND;
 * times ms since epoch UTC; unknown numbers null. Keys are instrument ids `ssi:<Symbol>`; the market's
 * foreign-flow total is keyed `ssi:ALL`.
 */
import { z } from 'zod';
import { nullableNumber, msTimeOrNull, LevelText } from './common.ts';

/** Trading phase in Asia/Ho_Chi_Minh (analytics/ssi/session.ts). */
export const MarketPhase = z.enum(['pre_open', 'ato', 'continuous', 'lunch', 'atc', 'put_through', 'closed']);

/** One symbol's session aggregate (classified volumes; resets at the session start). */
export const MarketSession = z.object({
  id: z.string().describe('session id: the Ho Chi Minh date the session started, YYYY-MM-DD'),
  open: nullableNumber,
  high: nullableNumber,
  low: nullableNumber,
  last: nullableNumber,
  prints: z.number().int(),
  volume: z.number(),
  value: z.number().describe('VND'),
  buyVolume: z.number(),
  buyValue: z.number(),
  sellVolume: z.number(),
  sellValue: z.number(),
  unknownVolume: z.number().describe('prints no rule could classify, auction prints included'),
  unknownValue: z.number(),
  auctionVolume: z.number().describe('ATO/ATC match volume'),
  oddLotVolume: z.number(),
  ceilingHits: z.number().int(),
  floorHits: z.number().int(),
  source: z.enum(['X', 'B']).nullable().describe('the print source the session counts'),
});

/** One symbol's row: the `market` channel payload and `/api/v1/market/symbols` item. */
export const MarketRow = z.object({
  instrument: z.string(),
  symbol: z.string(),
  exchange: z.enum(['HOSE', 'HNX', 'UPCOM', 'DERIVATIVES']),
  phase: MarketPhase,
  session: z.string().nullable().describe('TradingSession as SSI sends it (ATO, LO, ATC, PT, C, BREAK …)'),
  status: z.string().nullable().describe('TradingStatus (N, H, S, D …)'),
  bids: z.array(LevelText).describe('top-N quote, best first (HOSE 3 levels, others up to 10)'),
  asks: z.array(LevelText),
  reference: nullableNumber,
  ceiling: nullableNumber,
  floor: nullableNumber,
  last: nullableNumber,
  change: nullableNumber,
  changePct: nullableNumber,
  locked: z.enum(['ceiling', 'floor']).nullable(),
  aggregate: MarketSession.nullable(),
  vwap: nullableNumber,
  foreignNetVol: nullableNumber,
  foreignNetVal: nullableNumber,
});

/** Foreign flow of one symbol (or `ssi:ALL`): the `foreign` channel payload. */
export const ForeignFlowView = z.object({
  instrument: z.string(),
  ts: msTimeOrNull,
  buyVol: nullableNumber,
  sellVol: nullableNumber,
  buyVal: nullableNumber,
  sellVal: nullableNumber,
  netVol: nullableNumber,
  netVal: nullableNumber,
  deltaNetVol: nullableNumber,
  deltaNetVal: nullableNumber,
  speedVol: nullableNumber.describe('shares per minute over the rolling window (5 min)'),
  speedVal: nullableNumber.describe('VND per minute over the rolling window'),
  accelVal: nullableNumber.describe('VND per minute per minute'),
  totalRoom: nullableNumber,
  currentRoom: nullableNumber.describe('shares foreigners may still buy'),
  roomUsedPct: nullableNumber,
});

/** The market's foreign flow with its top movers (`/api/v1/market/foreign`). */
export const ForeignResponse = z.object({
  total: ForeignFlowView.nullable(),
  topBuyers: z.array(ForeignFlowView),
  topSellers: z.array(ForeignFlowView),
  items: z.array(ForeignFlowView),
});

/** One point of an index's intraday series. */
export const IndexPoint = z.object({
  ts: msTimeOrNull,
  value: nullableNumber,
  advances: z.number().int(),
  declines: z.number().int(),
  noChanges: z.number().int(),
  ceilings: z.number().int(),
  floors: z.number().int(),
  breadth: nullableNumber.describe('advances / (advances + declines)'),
});

/** An index with breadth: the `index` channel payload (without `series`) and `/api/v1/market/indices` item. */
export const IndexView = z.object({
  instrument: z.string(),
  id: z.string(),
  tradingDate: z.string(),
  ts: msTimeOrNull,
  session: z.string().nullable(),
  value: nullableNumber,
  priorValue: nullableNumber,
  change: nullableNumber,
  ratioChange: nullableNumber,
  advances: z.number().int(),
  declines: z.number().int(),
  noChanges: z.number().int(),
  ceilings: z.number().int(),
  floors: z.number().int(),
  adRatio: nullableNumber,
  breadth: nullableNumber,
  totalQty: nullableNumber,
  totalValue: nullableNumber,
  series: z.array(IndexPoint).optional().describe('intraday series (REST only)'),
});

/** VN30F basis against VN30. */
export const BasisView = z.object({
  symbol: z.string(),
  futures: z.number(),
  index: z.number(),
  expiry: msTimeOrNull,
  points: z.number(),
  pct: z.number(),
  annualizedPct: nullableNumber,
  daysToExpiry: nullableNumber,
});

export const MarketRowsResponse = z.object({ items: z.array(MarketRow), now: msTimeOrNull });
export const IndicesResponse = z.object({ items: z.array(IndexView) });
export const BasisResponse = z.object({ items: z.array(BasisView), index: z.string() });
export const marketSymbolPath = z.object({
  symbol: z.string().min(1).max(32).describe('SSI symbol, e.g. VCB'),
});
export const marketIndexPath = z.object({ id: z.string().min(1).max(32).describe('index id, e.g. VNINDEX') });
