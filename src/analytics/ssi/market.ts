/**
 * The SSI market state: every parsed SSI event (feeds/ssi/parser.ts) applied in arrival order to
 * per-symbol quotes, security state, classified prints and session aggregates, foreign flow and index
 * breadth, with VN30F basis on demand. Pure (the clock is the events' exchange time); what the replay,
 * the live SSI service, the WS channels `market`/`foreign`/`index` and the alerts read.
 *
 * Rules:
 * - A symbol's exchange is the one its messages name; `B` names none: a VN30F symbol is DERIVATIVES,
 *   any other HOSE until a message names it.
 * - Session aggregation (session.ts): a print belongs to the session of its exchange time (09:00 start,
 *   08:45 derivatives); a print of a later session resets the symbol's aggregate; a print of an earlier
 *   session than the current one is excluded (`stalePrints`, e.g. a late previous-session print).
 * - Prints come from X/X-TRADE/`Trade` or from `B`: the first source that prints in a session is the
 *   symbol's source for that session, prints of the other are counted (`shadowedPrints`) but not
 *   aggregated, so a symbol subscribed on both is not counted twice. Odd-lot (`OL`) prints go to
 *   `oddLotVolume` only.
 * - Classification (classify.ts) against the main-board quote in force before the print.
 * - Value of a print = price × size × multiplier (VND; multiplier 100,000 for VN30F, 1 otherwise).
 * - Ceiling/floor: a print at the ceiling (floor) counts a hit; a symbol whose last print is at the
 *   ceiling with no ask left (at the floor with no bid left) is `locked`.
 */
import type { WireLevel } from '../../core/model.ts';
import {
  isVn30Futures,
  vn30fExpiry,
  VN30F_MULTIPLIER,
  type SsiExchange,
} from '../../feeds/ssi/instruments.ts';
import type { SsiEvent, SsiForeign, SsiQuote, SsiSecurity, SsiTrade } from '../../feeds/ssi/model.ts';
import { basisOf, type Basis } from './basis.ts';
import { IndexTracker, type IndexState } from './breadth.ts';
import { classifyTrade, newTickState, type Classification, type TickState } from './classify.ts';
import { ForeignFlowTracker, type ForeignFlow } from './foreign.ts';
import { isAuctionPrint, phaseAt, sessionOf, type SsiPhase } from './session.ts';

/** Session aggregate of one symbol (volumes in shares or contracts, values in VND, prices as sent → numbers). */
export interface SessionAggregate {
  /** Session id `YYYY-MM-DD`. */
  readonly id: string;
  open: number;
  high: number;
  low: number;
  last: number;
  prints: number;
  volume: number;
  value: number;
  buyVolume: number;
  buyValue: number;
  sellVolume: number;
  sellValue: number;
  unknownVolume: number;
  unknownValue: number;
  /** Auction prints (ATO/ATC): also in `unknownVolume`. */
  auctionVolume: number;
  oddLotVolume: number;
  ceilingHits: number;
  floorHits: number;
  /** Which print source the session counts (see module comment). */
  source: 'X' | 'B' | null;
}

/** A print after classification. */
export interface ClassifiedTrade {
  readonly instrument: string;
  readonly symbol: string;
  readonly ts: number;
  readonly price: number;
  readonly size: number;
  /** VND. */
  readonly value: number;
  readonly side: Classification['side'];
  readonly rule: Classification['rule'];
  readonly auction: boolean;
  readonly session: string;
}

interface SymbolState {
  readonly symbol: string;
  readonly instrument: string;
  exchange: SsiExchange;
  exchangeKnown: boolean;
  quote: {
    bids: readonly WireLevel[];
    asks: readonly WireLevel[];
    ts: number;
    session: string | null;
  } | null;
  security: SsiSecurity | null;
  tick: TickState;
  agg: SessionAggregate | null;
  /** A print whose ceiling/floor check waits for the limits (the X message's security follows its trade). */
  pendingLimitCheck: number;
}

/** Counters of the state (nothing is dropped silently). */
export interface SsiMarketCounters {
  events: number;
  trades: number;
  stalePrints: number;
  shadowedPrints: number;
  oddLotQuotes: number;
  sessionResets: number;
}

/** What changed with one event: the WS channel it concerns and the instrument. */
export interface SsiChange {
  readonly channel: 'market' | 'foreign' | 'index';
  readonly instrument: string;
  readonly trade?: ClassifiedTrade;
}

const num = (s: string): number => (s === '' ? NaN : Number(s));

function newAgg(id: string): SessionAggregate {
  return {
    id,
    open: NaN,
    high: NaN,
    low: NaN,
    last: NaN,
    prints: 0,
    volume: 0,
    value: 0,
    buyVolume: 0,
    buyValue: 0,
    sellVolume: 0,
    sellValue: 0,
    unknownVolume: 0,
    unknownValue: 0,
    auctionVolume: 0,
    oddLotVolume: 0,
    ceilingHits: 0,
    floorHits: 0,
    source: null,
  };
}

/** One symbol's row: what the `market` channel and `/api/v1/market/symbols` carry. */
export interface MarketRow {
  readonly instrument: string;
  readonly symbol: string;
  readonly exchange: SsiExchange;
  readonly phase: SsiPhase;
  readonly session: string | null;
  readonly status: string | null;
  readonly bids: readonly WireLevel[];
  readonly asks: readonly WireLevel[];
  readonly reference: number;
  readonly ceiling: number;
  readonly floor: number;
  readonly last: number;
  readonly change: number;
  readonly changePct: number;
  readonly locked: 'ceiling' | 'floor' | null;
  readonly aggregate: Readonly<SessionAggregate> | null;
  readonly vwap: number;
  readonly foreignNetVol: number;
  readonly foreignNetVal: number;
}

/** The whole SSI market state (see module comment). */
export class SsiMarket {
  readonly counters: SsiMarketCounters = {
    events: 0,
    trades: 0,
    stalePrints: 0,
    shadowedPrints: 0,
    oddLotQuotes: 0,
    sessionResets: 0,
  };
  readonly foreign: ForeignFlowTracker;
  readonly indices: IndexTracker;
  private readonly symbols = new Map<string, SymbolState>();
  /** Latest exchange time seen (the market clock), ms UTC. */
  now = NaN;

  /** @param opts.foreignWindowMs rolling window of foreign-flow speed (default 5 min) */
  constructor(opts: { foreignWindowMs?: number; indexPoints?: number } = {}) {
    this.foreign = new ForeignFlowTracker(opts.foreignWindowMs);
    this.indices = new IndexTracker(opts.indexPoints);
  }

  /** Apply one event; returns what changed (null when nothing a client sees did). */
  apply(e: SsiEvent): SsiChange | null {
    this.counters.events++;
    if (Number.isFinite(e.exchangeTs) && !(e.exchangeTs <= this.now)) this.now = e.exchangeTs;
    switch (e.type) {
      case 'ssi_index':
        this.indices.update(e);
        return { channel: 'index', instrument: e.instrument };
      case 'ssi_foreign':
        this.applyForeign(e);
        return { channel: 'foreign', instrument: e.instrument };
      case 'ssi_quote':
        return this.applyQuote(e);
      case 'ssi_security':
        return this.applySecurity(e);
      case 'ssi_trade':
        return this.applyTrade(e);
      case 'ssi_status': {
        const s = this.state(e.symbol, e.instrument, e.exchange);
        if (s.security) s.security = { ...s.security, session: e.session, status: e.status };
        return { channel: 'market', instrument: e.instrument };
      }
    }
  }

  private state(symbol: string, instrument: string, exchange: SsiExchange | null): SymbolState {
    let s = this.symbols.get(symbol);
    if (!s) {
      s = {
        symbol,
        instrument,
        exchange: exchange ?? (isVn30Futures(symbol) ? 'DERIVATIVES' : 'HOSE'),
        exchangeKnown: exchange !== null,
        quote: null,
        security: null,
        tick: newTickState(),
        agg: null,
        pendingLimitCheck: NaN,
      };
      this.symbols.set(symbol, s);
    } else if (exchange !== null && !s.exchangeKnown) {
      s.exchange = exchange;
      s.exchangeKnown = true;
    }
    return s;
  }

  private applyQuote(e: SsiQuote): SsiChange | null {
    if (e.board === 'odd_lot') {
      this.counters.oddLotQuotes++;
      return null;
    }
    const s = this.state(e.symbol, e.instrument, e.exchange);
    s.quote = { bids: e.bids, asks: e.asks, ts: e.exchangeTs, session: e.session };
    return { channel: 'market', instrument: e.instrument };
  }

  private applySecurity(e: SsiSecurity): SsiChange | null {
    if (e.board === 'odd_lot') return null;
    const s = this.state(e.symbol, e.instrument, e.exchange);
    s.security = e;
    const agg = this.sessionFor(s, e.exchangeTs);
    if (agg && !Number.isNaN(s.pendingLimitCheck)) this.checkLimits(agg, e, s.pendingLimitCheck);
    s.pendingLimitCheck = NaN;
    return { channel: 'market', instrument: e.instrument };
  }

  /** The symbol's aggregate for the session of `ts`, resetting on a later session; null for an earlier one. */
  private sessionFor(s: SymbolState, ts: number): SessionAggregate | null {
    const id = sessionOf(s.exchange, ts);
    if (id === '') return s.agg ?? (s.agg = newAgg(''));
    if (!s.agg || s.agg.id === '' || id > s.agg.id) {
      if (s.agg && s.agg.id !== '') this.counters.sessionResets++;
      s.agg = newAgg(id);
      s.tick = newTickState();
    }
    return id < s.agg.id ? null : s.agg;
  }

  private applyTrade(e: SsiTrade): SsiChange | null {
    const s = this.state(e.symbol, e.instrument, e.exchange);
    const agg = this.sessionFor(s, e.exchangeTs);
    if (!agg) {
      this.counters.stalePrints++;
      return null;
    }
    const price = Number(e.price);
    const size = Number(e.size);
    if (e.board === 'odd_lot') {
      agg.oddLotVolume += size;
      return { channel: 'market', instrument: e.instrument };
    }
    const source = e.dataType === 'B' ? 'B' : 'X';
    if (agg.source === null) agg.source = source;
    else if (agg.source !== source) {
      this.counters.shadowedPrints++;
      return null;
    }
    this.counters.trades++;
    const q = s.quote;
    const best = q
      ? { bid: q.bids.length ? Number(q.bids[0]![0]) : NaN, ask: q.asks.length ? Number(q.asks[0]![0]) : NaN }
      : null;
    const auction = isAuctionPrint(s.exchange, e.exchangeTs, e.session);
    const c = classifyTrade(price, best, s.tick, auction);
    const value = price * size * (s.exchange === 'DERIVATIVES' ? VN30F_MULTIPLIER : 1);
    if (agg.prints === 0) agg.open = agg.high = agg.low = price;
    agg.high = Math.max(agg.high, price);
    agg.low = Math.min(agg.low, price);
    agg.last = price;
    agg.prints++;
    agg.volume += size;
    agg.value += value;
    if (c.side === 'buy') {
      agg.buyVolume += size;
      agg.buyValue += value;
    } else if (c.side === 'sell') {
      agg.sellVolume += size;
      agg.sellValue += value;
    } else {
      agg.unknownVolume += size;
      agg.unknownValue += value;
    }
    if (auction) agg.auctionVolume += size;
    const sec = s.security;
    if (sec && sec.ceiling !== '' && sec.floor !== '') this.checkLimits(agg, sec, price);
    else s.pendingLimitCheck = price;
    const trade: ClassifiedTrade = {
      instrument: e.instrument,
      symbol: e.symbol,
      ts: e.exchangeTs,
      price,
      size,
      value,
      side: c.side,
      rule: c.rule,
      auction,
      session: agg.id,
    };
    return { channel: 'market', instrument: e.instrument, trade };
  }

  private checkLimits(agg: SessionAggregate, sec: SsiSecurity, price: number): void {
    if (sec.ceiling !== '' && price === Number(sec.ceiling)) agg.ceilingHits++;
    if (sec.floor !== '' && price === Number(sec.floor)) agg.floorHits++;
  }

  private applyForeign(e: SsiForeign): void {
    const s = this.state(e.symbol, e.instrument, e.exchange);
    this.foreign.update({
      symbol: e.symbol,
      ts: e.exchangeTs,
      session: sessionOf(s.exchange, e.exchangeTs) || e.tradingDate,
      buyVol: num(e.buyVol),
      sellVol: num(e.sellVol),
      buyVal: num(e.buyVal),
      sellVal: num(e.sellVal),
      totalRoom: num(e.totalRoom),
      currentRoom: num(e.currentRoom),
    });
  }

  /** Symbols with a state (indices are in {@link indices}). */
  symbolList(): string[] {
    return [...this.symbols.keys()];
  }

  /** One symbol's row (see {@link MarketRow}), or null when never seen. */
  row(symbol: string): MarketRow | null {
    const s = this.symbols.get(symbol);
    if (!s) return null;
    const sec = s.security;
    const agg = s.agg;
    const reference = sec ? num(sec.refPrice) : NaN;
    const ceiling = sec ? num(sec.ceiling) : NaN;
    const floor = sec ? num(sec.floor) : NaN;
    const last = agg && agg.prints > 0 ? agg.last : sec ? num(sec.lastPrice) : NaN;
    const bids = s.quote?.bids ?? [];
    const asks = s.quote?.asks ?? [];
    const locked =
      last === ceiling && asks.length === 0
        ? 'ceiling'
        : last === floor && bids.length === 0
          ? 'floor'
          : null;
    const f: ForeignFlow | null = this.foreign.symbol(symbol);
    return {
      instrument: s.instrument,
      symbol,
      exchange: s.exchange,
      phase: phaseAt(s.exchange, this.now),
      session: sec?.session ?? s.quote?.session ?? null,
      status: sec?.status ?? null,
      bids,
      asks,
      reference,
      ceiling,
      floor,
      last,
      change: last - reference,
      changePct: ((last - reference) / reference) * 100,
      locked: Number.isFinite(last) ? locked : null,
      aggregate: agg,
      vwap:
        agg && agg.volume > 0
          ? agg.value / (agg.volume * (s.exchange === 'DERIVATIVES' ? VN30F_MULTIPLIER : 1))
          : NaN,
      foreignNetVol: f ? f.netVol : NaN,
      foreignNetVal: f ? f.netVal : NaN,
    };
  }

  /** Every symbol's row. */
  rows(): MarketRow[] {
    return this.symbolList().map((s) => this.row(s)!);
  }

  /** One index's state, or null. */
  index(id: string): IndexState | null {
    return this.indices.get(id);
  }

  /**
   * Basis of every VN30F contract seen with a last price against `indexId` (VN30 by default) at the
   * market clock.
   */
  basis(
    indexId = 'VN30',
  ): Array<{ symbol: string; futures: number; index: number; expiry: number | null } & Basis> {
    const idx = this.indices.get(indexId);
    if (!idx) return [];
    const out: Array<{ symbol: string; futures: number; index: number; expiry: number | null } & Basis> = [];
    for (const s of this.symbols.values()) {
      if (s.exchange !== 'DERIVATIVES' || !isVn30Futures(s.symbol)) continue;
      const r = this.row(s.symbol)!;
      const expiry = vn30fExpiry(s.symbol);
      const b = basisOf(r.last, idx.value, expiry, this.now);
      if (b) out.push({ symbol: s.symbol, futures: r.last, index: idx.value, expiry, ...b });
    }
    return out;
  }
}
