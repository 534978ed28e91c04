/**
 * Base/quote currency labels from a venue symbol, for unit labels only (the API does not send them).
 * `BTC-USDT` (OKX, Coinbase) splits on `-` or `/`; `BTCUSDT` (Binance, Bybit) splits on a known quote
 * suffix; `BTCUSD_PERP` (Binance COIN-M) quotes USD with sizes in contracts. Unknown symbols get
 * `{ base: 'base', quote: 'quote' }`.
 */

/** Currency labels for one symbol. */
export interface SymbolUnits {
  base: string;
  quote: string;
  /** Size unit label: the base currency, or `cont` for inverse contracts. */
  sizeUnit: string;
}

const QUOTES = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'TUSD', 'USD', 'EUR', 'TRY', 'BRL', 'BTC', 'ETH', 'BNB'];

/** Units of a venue symbol. */
export function symbolUnits(symbol: string): SymbolUnits {
  const perp = /^([A-Z0-9]+)USD_(PERP|\d{6})$/.exec(symbol);
  if (perp) return { base: perp[1]!, quote: 'USD', sizeUnit: 'cont' };
  const parts = symbol.split(/[-/]/);
  if (parts.length >= 2 && parts[0] && parts[1])
    return { base: parts[0], quote: parts[1], sizeUnit: parts[0] };
  const s = symbol.toUpperCase();
  for (const q of QUOTES) {
    if (s.length > q.length && s.endsWith(q)) {
      const base = s.slice(0, -q.length);
      return { base, quote: q, sizeUnit: base };
    }
  }
  return { base: 'base', quote: 'quote', sizeUnit: 'base' };
}
