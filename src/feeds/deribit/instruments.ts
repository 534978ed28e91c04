/**
 * Deribit instrument list → InstrumentSpec (src/core/instrument.ts).
 *
 * Follows: Deribit API v2 docs, "public/get_instruments" (`GET /api/v2/public/get_instruments?currency=
 * {BTC|ETH|USDC|USDT|any}&expired=false` → JSON-RPC `{"jsonrpc":"2.0","result":[{instrument_name, kind
 * future|option|spot|future_combo|option_combo, base_currency, quote_currency (today also
 * counter_currency), settlement_currency, settlement_period perpetual|day|week|month, instrument_type
 * reversed|linear, tick_size, min_trade_amount, contract_size, expiration_timestamp, strike,
 * option_type}]}`), and "book.{instrument_name}.{interval}" for the units of `amount` (USD for inverse
 * futures and perpetuals, the coin for options and linear contracts).
 *
 * Rules:
 * - inverse futures/perpetuals (`instrument_type: reversed`; the 2021 lists carry no `instrument_type`
 *   and every future then was inverse, quoted in USD): the wire amount is USD, so the spec counts
 *   contracts of 1 USD (`margin: inverse`, `contractSize: 1`, `sizeUnit: contracts`); the lot is
 *   Deribit's `contract_size` (10 USD on BTC-PERPETUAL).
 * - linear futures/perpetuals (`BTC_USDC-PERPETUAL`): amount in the base coin (`sizeUnit: base`).
 * - options: amount in coin contracts of `contract_size` coins (1 on BTC/ETH), premium in the quote
 *   currency (BTC or ETH for the coin-settled options), strike and call/put kept.
 * - `expiry` = `expiration_timestamp` for dated futures and options; null for perpetuals (whose
 *   expiration is a far-future placeholder). Combos are left out (not order books we subscribe).
 * Increments are read with feeds/reference.ts (`decimalText`: plain decimal text, trailing zeros trimmed).
 */
import { MalformedFrameError } from '../../core/errors.ts';
import { makeSpec, normalizeAsset, type InstrumentSpec } from '../../core/instrument.ts';
import type { VenueReference } from '../types.ts';
import { isObject, type Json } from '../fields.ts';
import { decimalText, joinUrl, mapEntries, parseJsonBody, pathMatcher, text as str } from '../reference.ts';

/** One entry → spec, or null for instruments that are not plain books (combos). */
function specOf(o: Json, source: 'reference' | 'recording'): InstrumentSpec | null {
  const kind = str(o, 'kind');
  if (kind !== 'future' && kind !== 'option' && kind !== 'spot') return null;
  const symbol = str(o, 'instrument_name');
  const base = normalizeAsset(str(o, 'base_currency'));
  const quote = normalizeAsset(
    typeof o.counter_currency === 'string' && kind === 'spot' ? o.counter_currency : str(o, 'quote_currency'),
  );
  const settle =
    typeof o.settlement_currency === 'string' ? normalizeAsset(o.settlement_currency) : undefined;
  const tickSize = decimalText(o.tick_size, 'tick_size');
  const lot = decimalText(o.min_trade_amount, 'min_trade_amount');
  const expiryMs = typeof o.expiration_timestamp === 'number' ? o.expiration_timestamp : null;
  const common = { venue: 'deribit', symbol, base, quote, tickSize, source } as const;
  if (kind === 'spot')
    return makeSpec({ ...common, kind: 'spot', margin: 'spot', contractSize: 1, lotSize: lot, expiry: null });
  if (kind === 'option') {
    const strike = Number(o.strike);
    const type = o.option_type;
    if (!(strike > 0) || (type !== 'call' && type !== 'put'))
      throw new MalformedFrameError('invalid_field', `Deribit option ${symbol} without strike/option_type`);
    return makeSpec({
      ...common,
      ...(settle ? { settle } : {}),
      kind: 'option',
      margin: 'linear',
      contractSize: Number(decimalText(o.contract_size ?? '1', 'contract_size')),
      sizeUnit: 'base',
      lotSize: lot,
      expiry: expiryMs,
      option: { strike, type },
    });
  }
  const perpetual = o.settlement_period === 'perpetual';
  const linear = o.instrument_type === 'linear' || (o.instrument_type === undefined && !/^USD$/.test(quote));
  return makeSpec({
    ...common,
    ...(settle ? { settle } : {}),
    kind: perpetual ? 'perpetual' : 'future',
    margin: linear ? 'linear' : 'inverse',
    contractSize: 1,
    sizeUnit: linear ? 'base' : 'contracts',
    lotSize: linear ? lot : decimalText(o.contract_size ?? o.min_trade_amount, 'contract_size'),
    expiry: perpetual ? null : expiryMs,
  });
}

/**
 * Parse a `public/get_instruments` body.
 * @param onSkip told about each entry whose fields are unusable (it is left out)
 * @throws {MalformedFrameError} when the body is not JSON, is a JSON-RPC error, or has no result list
 */
export function parseDeribitInstruments(
  body: string,
  source: 'reference' | 'recording',
  onSkip?: (reason: string) => void,
): InstrumentSpec[] {
  const m = parseJsonBody(body, 'Deribit get_instruments');
  if (!isObject(m) || !Array.isArray(m.result)) {
    const e =
      isObject(m) && isObject(m.error)
        ? `${String(m.error.code)} ${String(m.error.message)}`
        : 'no result list';
    throw new MalformedFrameError('invalid_field', `Deribit get_instruments error: ${e}`);
  }
  return mapEntries(m.result, (e) => specOf(e, source), onSkip);
}

const PATH = '/api/v2/public/get_instruments';

/** Deribit reference: every currency's live instruments in one request (`currency=any`). */
export const deribitReference = {
  requests: (restBase) => [{ url: joinUrl(restBase, `${PATH}?currency=any&expired=false`), weight: 1 }],
  matches: pathMatcher(PATH),
  parse: (body: string, _url: string, source: 'reference' | 'recording', onSkip?: (reason: string) => void) =>
    parseDeribitInstruments(body, source, onSkip),
} satisfies VenueReference;
