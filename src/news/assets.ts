/**
 * Asset tagging of news text from a configurable alias table (pure), and the followed instruments that
 * trade a tagged asset.
 *
 * Matching rules: an alias matches as a whole word (no letter or digit right before or after it; a `$`
 * cashtag or a possessive `’s` is fine). Aliases of at most 4 characters or written all in capitals
 * (tickers: `BTC`, `SOL`, `Tron`, `DOT`) match with exactly that case, so "dot" or "sol" in prose does not
 * tag; longer names (`Bitcoin`, `Ethereum`) match in any case. At one position the longest alias wins, so
 * "Bitcoin Cash" tags BCH and not BTC.
 */

/** Asset code → aliases (names and tickers as they appear in headlines). */
export type AliasTable = Readonly<Record<string, readonly string[]>>;

/**
 * The default alias table: the most traded assets by their names and tickers. The config's
 * `news.assets` adds to it (same code: its aliases replace the default ones; an empty list removes it).
 */
export const DEFAULT_ALIASES: AliasTable = {
  BTC: ['Bitcoin', 'BTC', 'XBT'],
  ETH: ['Ethereum', 'Ether', 'ETH'],
  XRP: ['XRP', 'Ripple'],
  SOL: ['Solana', 'SOL'],
  ADA: ['Cardano', 'ADA'],
  DOGE: ['Dogecoin', 'DOGE'],
  BNB: ['BNB', 'Binance Coin', 'BNB Chain'],
  LTC: ['Litecoin', 'LTC'],
  BCH: ['Bitcoin Cash', 'BCH'],
  DOT: ['Polkadot', 'DOT'],
  AVAX: ['Avalanche', 'AVAX'],
  LINK: ['Chainlink', 'LINK'],
  TRX: ['Tron', 'TRON', 'TRX'],
  TON: ['Toncoin', 'TON'],
  POL: ['Polygon', 'MATIC', 'POL'],
  USDT: ['Tether', 'USDT'],
  USDC: ['USDC', 'USD Coin'],
  SHIB: ['Shiba Inu', 'SHIB'],
  XLM: ['Stellar', 'XLM'],
  XMR: ['Monero', 'XMR'],
  ATOM: ['Cosmos', 'ATOM'],
  UNI: ['Uniswap', 'UNI'],
  ARB: ['Arbitrum', 'ARB'],
  SUI: ['Sui', 'SUI'],
  HYPE: ['Hyperliquid', 'HYPE'],
  ETC: ['Ethereum Classic', 'ETC'],
  FIL: ['Filecoin', 'FIL'],
  NEAR: ['NEAR Protocol', 'NEAR'],
  APT: ['Aptos', 'APT'],
  PEPE: ['PEPE', 'Pepe'],
};

/**
 * The effective alias table: the defaults with `overrides` applied (a code's list replaces the default
 * one; an empty list removes the code). Codes are upper-cased.
 */
export function mergeAliases(overrides: AliasTable = {}, defaults: AliasTable = DEFAULT_ALIASES): AliasTable {
  const out: Record<string, readonly string[]> = {};
  for (const [code, list] of Object.entries(defaults)) out[code.toUpperCase()] = list;
  for (const [code, list] of Object.entries(overrides)) {
    const c = code.toUpperCase();
    if (list.length === 0) delete out[c];
    else out[c] = list;
  }
  return out;
}

interface AliasEntry {
  asset: string;
  alias: string;
  exactCase: boolean;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether an alias matches only with its own case (see the module comment). */
export function isExactCaseAlias(alias: string): boolean {
  return alias.length <= 4 || alias === alias.toUpperCase();
}

/** Tags text with the assets its alias table names. Build once, use for every item. */
export class AssetTagger {
  /** Asset codes known to the table. */
  readonly codes: ReadonlySet<string>;
  private readonly byLower = new Map<string, AliasEntry[]>();
  private readonly re: RegExp | null;

  /** @throws {RangeError} for an empty alias or asset code */
  constructor(readonly table: AliasTable = DEFAULT_ALIASES) {
    const entries: AliasEntry[] = [];
    for (const [asset, aliases] of Object.entries(table)) {
      if (!asset.trim()) throw new RangeError('news asset code must not be empty');
      for (const a of aliases) {
        const alias = a.trim();
        if (!alias) throw new RangeError(`empty alias for news asset ${asset}`);
        entries.push({ asset: asset.toUpperCase(), alias, exactCase: isExactCaseAlias(alias) });
      }
    }
    this.codes = new Set(Object.keys(table).map((c) => c.toUpperCase()));
    for (const e of entries) {
      const k = e.alias.toLowerCase();
      const list = this.byLower.get(k) ?? [];
      list.push(e);
      this.byLower.set(k, list);
    }
    // Longest first: alternation takes the first alternative that matches at a position.
    const alts = [...this.byLower.keys()].sort((a, b) => b.length - a.length).map(escape);
    this.re = alts.length
      ? new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alts.join('|')})(?![\\p{L}\\p{N}_])`, 'giu')
      : null;
  }

  /** Asset codes named in `text`, sorted, without duplicates. */
  tag(text: string): string[] {
    const found = new Set<string>();
    if (!this.re || !text) return [];
    const re = new RegExp(this.re.source, this.re.flags);
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const list = this.byLower.get(m[0].toLowerCase()) ?? [];
      let hit = false;
      for (const e of list) {
        if (e.exactCase && e.alias !== m[0]) continue;
        found.add(e.asset);
        hit = true;
      }
      // A case mismatch ("Sol" for `SOL`): look again from the next character.
      if (!hit) re.lastIndex = m.index + 1;
    }
    return [...found].sort();
  }

  /**
   * The asset a venue symbol's base currency is (its code, or the code an alias of exactly that spelling
   * stands for, e.g. Kraken's `XBT` → BTC); null when the table does not know it.
   */
  assetOfBase(base: string): string | null {
    const b = base.toUpperCase();
    if (this.codes.has(b)) return b;
    for (const e of this.byLower.get(b.toLowerCase()) ?? []) if (e.alias.toUpperCase() === b) return e.asset;
    return null;
  }
}

/** Quote currencies recognised at the end of a concatenated symbol (`BTCUSDT`). */
const QUOTES = [
  'USDT',
  'USDC',
  'FDUSD',
  'BUSD',
  'TUSD',
  'USD',
  'EUR',
  'GBP',
  'TRY',
  'BRL',
  'BTC',
  'ETH',
  'BNB',
];

/**
 * Base currency of a venue symbol: `BTC-USDT`, `XBT/USD`, `BTC-USDT-SWAP` → the part before the first `-`
 * or `/`; `BTCUSD_PERP`, `ETHUSD_240927` (COIN-M) → before `USD_`; `BTCUSDT` → without a known quote
 * suffix; null when none applies.
 */
export function baseOfSymbol(symbol: string): string | null {
  const s = symbol.toUpperCase();
  const coinm = /^([A-Z0-9]+?)USD_(PERP|\d{6})$/.exec(s);
  if (coinm) return coinm[1]!;
  const parts = s.split(/[-/]/);
  if (parts.length >= 2 && parts[0]) return parts[0];
  for (const q of QUOTES) if (s.length > q.length && s.endsWith(q)) return s.slice(0, -q.length);
  return null;
}

/**
 * The instruments (`<venue>:<symbol>` ids) among `instruments` whose base asset is one of `assets`,
 * sorted.
 */
export function instrumentsFor(
  assets: readonly string[],
  instruments: readonly string[],
  tagger: AssetTagger,
): string[] {
  if (assets.length === 0) return [];
  const want = new Set(assets);
  const out: string[] = [];
  for (const id of instruments) {
    const i = id.indexOf(':');
    const base = baseOfSymbol(i >= 0 ? id.slice(i + 1) : id);
    const asset = base === null ? null : tagger.assetOfBase(base);
    if (asset !== null && want.has(asset)) out.push(id);
  }
  return out.sort();
}
