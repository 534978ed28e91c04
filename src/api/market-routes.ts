/**
 * Handlers of the market routes of the contract table (`/api/v1/market/…`, shapes in
 * src/contract/market.ts): the Vietnamese market monitor fed by SSI FastConnect Data
 * (analytics/ssi/market.ts). 501 on a node that runs no SSI feed; 404 for an unknown symbol or index.
 * - `GET /api/v1/market/symbols` → `{items, now}`: every symbol's row, by symbol.
 * - `GET /api/v1/market/symbols/:symbol` → one row.
 * - `GET /api/v1/market/foreign` → `{total, topBuyers, topSellers, items}` (top 10 by session net value).
 * - `GET /api/v1/market/indices` → `{items}` (without series); `/indices/:id` one index with its series.
 * - `GET /api/v1/market/basis` → `{items, index: 'VN30'}`.
 */
import type { SsiMarket } from '../analytics/ssi/market.ts';
import { finite, foreignView, indexView, marketRowView } from '../analytics/ssi/views.ts';
import { ApiError, type JsonHandlers } from './contract-routes.ts';

type MarketRoutes = Extract<keyof JsonHandlers, `market${string}`>;

/** The handlers of the market routes; `market` absent → every route answers 501. */
export function marketHandlers(market: SsiMarket | undefined): Pick<JsonHandlers, MarketRoutes> {
  const m = (): SsiMarket => {
    if (!market) throw new ApiError(501, 'no SSI market feed on this node (config ssi.enabled)');
    return market;
  };
  return {
    marketSymbols: async () => {
      const s = m();
      return {
        items: s
          .symbolList()
          .sort()
          .map((sym) => marketRowView(s.row(sym)!)),
        now: finite(s.now),
      };
    },
    marketSymbol: async ({ params }) => {
      const r = m().row(params.symbol);
      if (!r) throw new ApiError(404, `unknown SSI symbol ${params.symbol}`);
      return marketRowView(r);
    },
    marketForeign: async () => {
      const f = m().foreign;
      const top = f.topMovers(10);
      const total = f.total();
      return {
        total: total ? foreignView(total) : null,
        topBuyers: top.buyers.map(foreignView),
        topSellers: top.sellers.map(foreignView),
        items: f
          .all()
          .sort((a, b) => a.symbol.localeCompare(b.symbol))
          .map(foreignView),
      };
    },
    marketIndices: async () => ({
      items: m()
        .indices.all()
        .map((s) => indexView(s)),
    }),
    marketIndex: async ({ params }) => {
      const s = m().indices.get(params.id);
      if (!s) throw new ApiError(404, `unknown index ${params.id}`);
      return indexView(s, true);
    },
    marketBasis: async () => ({
      index: 'VN30',
      items: m()
        .basis('VN30')
        .map((b) => ({ ...b, annualizedPct: b.annualizedPct, daysToExpiry: b.daysToExpiry })),
    }),
  };
}
