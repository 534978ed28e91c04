/**
 * JSON views of the SSI market state, as the contract shapes them (src/contract/market.ts): unknown
 * numbers null, the foreign total keyed `ssi:ALL`, index views without their series unless asked. What
 * the `market`, `foreign` and `index` WS channels carry (bus topics {@link SsiTopics}) and the REST
 * routes `/api/v1/market/…` answer.
 */
import type { z } from 'zod';
import type {
  ForeignFlowView as ForeignFlowSchema,
  IndexView as IndexSchema,
  MarketRow as MarketRowSchema,
} from '../../contract/market.ts';
import type { IndexState } from './breadth.ts';
import type { ForeignFlow } from './foreign.ts';
import type { MarketRow, SsiMarket } from './market.ts';

/** Key of the market-wide foreign flow. */
export const FOREIGN_TOTAL_KEY = 'ssi:ALL';

/** Bus topics of the SSI service (app/ssi-service.ts), payloads already shaped for the API. */
export interface SsiTopics {
  'ssi.market': MarketRowView;
  'ssi.foreign': ForeignFlowView;
  'ssi.index': IndexView;
}

type Nullable<T> = { [K in keyof T]: T[K] extends number ? number | null : T[K] };

/** A number, or null when not finite. */
export function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

function nullify<T extends object>(o: T): Nullable<T> {
  const out: Record<string, unknown> = {};
  const src = o as Record<string, unknown>;
  for (const k in src) {
    const v = src[k];
    out[k] = typeof v === 'number' && !Number.isFinite(v) ? null : v;
  }
  return out as Nullable<T>;
}

/** `market` payload (contract/market.ts MarketRow). */
export type MarketRowView = z.input<typeof MarketRowSchema>;

/** `foreign` payload (contract/market.ts ForeignFlowView). */
export type ForeignFlowView = z.input<typeof ForeignFlowSchema>;

/** `index` payload (contract/market.ts IndexView; `series` only when asked for). */
export type IndexView = z.input<typeof IndexSchema>;

/** The view of one row. */
export function marketRowView(r: MarketRow): MarketRowView {
  const lv = (l: MarketRow['bids']): [string, string][] => l.map((x): [string, string] => [x[0], x[1]]);
  return {
    ...nullify(r),
    aggregate: r.aggregate ? nullify(r.aggregate) : null,
    bids: lv(r.bids),
    asks: lv(r.asks),
  } as MarketRowView;
}

/** The view of one symbol's (or the total's) foreign flow. */
export function foreignView(f: ForeignFlow): ForeignFlowView {
  const { symbol, ...rest } = nullify(f);
  return { instrument: symbol === '*' ? FOREIGN_TOTAL_KEY : `ssi:${symbol}`, ...rest } as ForeignFlowView;
}

/** The view of one index (with its series when `withSeries`). */
export function indexView(s: IndexState, withSeries = false): IndexView {
  const { series, ...rest } = s;
  return {
    instrument: `ssi:${s.id}`,
    ...nullify(rest),
    ...(withSeries ? { series: [...series] } : {}),
  } as IndexView;
}

/** Every view of the market (for the first message after a WS subscription). */
export function currentViews(m: SsiMarket): {
  market: MarketRowView[];
  foreign: ForeignFlowView[];
  index: IndexView[];
} {
  const total = m.foreign.total();
  return {
    market: m.rows().map(marketRowView),
    foreign: [...(total ? [foreignView(total)] : []), ...m.foreign.all().map(foreignView)],
    index: m.indices.all().map((s) => indexView(s)),
  };
}
