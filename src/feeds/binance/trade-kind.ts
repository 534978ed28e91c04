import type { NonMarketTradeKind } from '../../core/model.ts';

/**
 * The non-market kind of a Binance futures trade type `X` other than `MARKET` (Binance Derivatives
 * "Trade Streams": `MARKET`, `INSURANCE_FUND` (liquidation taken over by the insurance fund), `ADL`
 * (auto-deleveraging), `NA`).
 */
export function tradeKind(X: string): NonMarketTradeKind {
  if (X === 'INSURANCE_FUND') return 'insurance_fund';
  if (X === 'ADL') return 'adl';
  if (X === 'LIQUIDATION') return 'liquidation';
  return 'other';
}
