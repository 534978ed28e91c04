/**
 * The API shapes the dashboard codes against, taken from the contract (src/contract) — no hand copies:
 * a field the contract lacks fails `vue-tsc`. JSON conventions: NaN becomes `null`; prices quote
 * currency, sizes base units (or contracts), times ms since epoch UTC.
 */
import type { BookSnapshot, BookView, Page, Trade, WsPayload } from '../../../src/contract/index.ts';

export type {
  BookCounters,
  BookHealth,
  BookMetrics,
  BookSnapshot,
  BookState,
  Coverage,
  HeatmapCoverage,
  HeatmapGap,
  HeatmapResponse,
  HeatmapRun,
  InstrumentInfo,
  InstrumentsResponse,
  MetricsSample,
  TradeSide,
} from '../../../src/contract/index.ts';
export { BOOK_STATES } from '../../../src/contract/common.ts';

/** One level: [price quote, size base]. */
export type Level = [number, number];

/** `GET /api/v1/books/:instrument?depth=N`: bids and asks best first (numbers and wire decimals). */
export type BookResponse = BookSnapshot;

/** `book` channel payload: top of book after a change, best first. */
export type BookUpdate = BookView;

/** `trades` channel payload and stored trades: numbers plus the exact decimals. */
export type TradeUpdate = Trade;

/** WebSocket channels of the live views. */
export type Channel = 'metrics' | 'book' | 'trades' | 'health';

/** Payload type per channel. */
export type ChannelPayload = Pick<WsPayload, Channel>;

/** `GET /api/v1/history/orderbook`: snapshots oldest first (with `at=`: zero or one). */
export type HistoryOrderbookResponse = Page<BookSnapshot>;
