/**
 * OKX instrument metadata from REST `GET /api/v5/public/instruments?instType=...`.
 *
 * Follows: OKX API v5 docs, "Public Data > Get instruments": `instId`, `instType` (SPOT, MARGIN, SWAP,
 * FUTURES, OPTION), `tickSz` (price increment, quote currency), `lotSz` (size increment: base currency
 * for SPOT, contracts for derivatives), `minSz`, `ctVal` (contract value, in `ctValCcy`), `ctMult`,
 * `state`. Envelope `{"code":"0","msg":"","data":[...]}`; a non-"0" code is an error.
 */
import { MalformedFrameError } from '../../core/errors.ts';
import { makeSpec, normalizeAsset, type InstrumentSpec } from '../../core/instrument.ts';
import {
  asObject,
  decimalText,
  joinUrl,
  mapEntries,
  optEpochMs,
  optText,
  parseJsonBody,
  pathMatcher,
  positive,
  spotSpec,
  text,
} from '../reference.ts';
import type { VenueReference } from '../types.ts';

/** One OKX instrument. Decimal strings as OKX sends them. */
export interface OkxInstrument {
  /** `okx:<instId>`. */
  instrument: string;
  instId: string;
  instType: string;
  /** Price increment, quote currency per unit. */
  tickSize: string;
  /** Size increment: base units (SPOT) or contracts (derivatives). */
  lotSize: string;
  minSize: string;
  /** Contract value in `contractValueCurrency` (derivatives); null for spot. */
  contractValue: string | null;
  contractValueCurrency: string | null;
  state: string;
}

function field(o: Record<string, unknown>, k: string): string {
  const v = o[k];
  if (typeof v !== 'string')
    throw new MalformedFrameError('invalid_field', `instrument field ${k} must be a string`);
  return v;
}

/**
 * Parse one instruments response body.
 * @throws {MalformedFrameError} on invalid JSON, a non-"0" code, or an entry missing instId/tickSz/lotSz
 */
export function parseOkxInstruments(body: string): OkxInstrument[] {
  let msg: unknown;
  try {
    msg = JSON.parse(body);
  } catch {
    throw new MalformedFrameError('malformed_json', 'instruments body is not JSON');
  }
  const m = msg as { code?: unknown; msg?: unknown; data?: unknown };
  if (m === null || typeof m !== 'object' || m.code !== '0' || !Array.isArray(m.data))
    throw new MalformedFrameError(
      'invalid_field',
      `OKX instruments error: ${String(m?.code)} ${String(m?.msg)}`,
    );
  return m.data.map((e: unknown) => {
    if (e === null || typeof e !== 'object')
      throw new MalformedFrameError('invalid_field', 'instrument entry');
    const o = e as Record<string, unknown>;
    const instId = field(o, 'instId');
    const ctVal = typeof o.ctVal === 'string' && o.ctVal !== '' ? o.ctVal : null;
    return {
      instrument: `okx:${instId}`,
      instId,
      instType: field(o, 'instType'),
      tickSize: field(o, 'tickSz'),
      lotSize: field(o, 'lotSz'),
      minSize: field(o, 'minSz'),
      contractValue: ctVal,
      contractValueCurrency: ctVal !== null && typeof o.ctValCcy === 'string' ? o.ctValCcy : null,
      state: typeof o.state === 'string' ? o.state : '',
    };
  });
}

/**
 * One OKX instrument entry as a spec (OKX "Get instruments"):
 * - SPOT / MARGIN: `baseCcy`/`quoteCcy`, sizes in base units (`lotSz` base);
 * - SWAP / FUTURES: assets from `uly` (`BTC-USD`), `settleCcy`; `ctType` `linear` (contract = `ctVal` ×
 *   `ctMult` units of `ctValCcy`, the base coin: BTC-USDT-SWAP 0.01 BTC) or `inverse` (contract = `ctVal` ×
 *   `ctMult` USD: BTC-USD-SWAP 100 USD); FUTURES expire at `expTime`;
 * - OPTION: premium quoted in the settle coin, contract = `ctVal` × `ctMult` of the underlying
 *   (BTC-USD-…-C: 0.1 BTC), so the spec is linear with quote = settle coin; strike `stk`, `optType` C/P.
 * @throws {MalformedFrameError} on unusable fields (the entry is skipped by the reference)
 */
export function okxSpec(o: Record<string, unknown>, source: InstrumentSpec['source']): InstrumentSpec {
  const symbol = text(o, 'instId');
  const type = text(o, 'instType');
  const tickSize = decimalText(o.tickSz, 'tickSz');
  const lotSize = decimalText(o.lotSz, 'lotSz');
  const common = { venue: 'okx', symbol, tickSize, lotSize, source };
  if (type === 'SPOT' || type === 'MARGIN')
    return spotSpec({ ...common, base: text(o, 'baseCcy'), quote: text(o, 'quoteCcy') });
  const [ulyBase, ulyQuote] = (optText(o, 'uly') ?? optText(o, 'instFamily') ?? symbol).split('-');
  if (!ulyBase || !ulyQuote) throw new MalformedFrameError('invalid_field', `no underlying in ${symbol}`);
  const base = normalizeAsset(ulyBase);
  const settle = normalizeAsset(text(o, 'settleCcy'));
  const contractSize = positive(o.ctVal, 'ctVal') * positive(o.ctMult, 'ctMult');
  const expiry = optEpochMs(o.expTime);
  if (type === 'OPTION') {
    const optType = text(o, 'optType');
    return makeSpec({
      ...common,
      base,
      quote: settle,
      settle,
      kind: 'option',
      margin: 'linear',
      contractSize,
      expiry,
      option: { strike: positive(o.stk, 'stk'), type: optType === 'P' ? 'put' : 'call' },
    });
  }
  if (type !== 'SWAP' && type !== 'FUTURES')
    throw new MalformedFrameError('invalid_field', `unknown instType ${type}`);
  const ctType = text(o, 'ctType');
  if (ctType !== 'linear' && ctType !== 'inverse')
    throw new MalformedFrameError('invalid_field', `unknown ctType ${ctType}`);
  return makeSpec({
    ...common,
    base,
    quote: normalizeAsset(ulyQuote),
    settle,
    kind: type === 'SWAP' ? 'perpetual' : 'future',
    margin: ctType,
    contractSize,
    expiry: type === 'SWAP' ? null : expiry,
  });
}

const OKX_INSTRUMENTS = '/api/v5/public/instruments';

/**
 * OKX reference: `GET /api/v5/public/instruments?instType=SPOT|SWAP|FUTURES` (20 requests per 2 s per IP:
 * weight 1 each against the loader's budget). Options need one request per instrument family and are
 * read from recordings only (cryptofeed `OKX.0` carries `instType=OPTION&uly=...` bodies).
 */
export const okxReference: VenueReference = {
  restUrl: 'https://www.okx.com',
  requests: (restBase) =>
    ['SPOT', 'SWAP', 'FUTURES'].map((t) => ({
      url: joinUrl(restBase, `${OKX_INSTRUMENTS}?instType=${t}`),
      weight: 1,
    })),
  matches: pathMatcher(OKX_INSTRUMENTS),
  parse(body, _url, source, onSkip) {
    const m = asObject(parseJsonBody(body, 'instruments'), 'instruments body');
    if (m.code !== '0' || !Array.isArray(m.data))
      throw new MalformedFrameError(
        'invalid_field',
        `OKX instruments error: ${String(m.code)} ${String(m.msg)}`,
      );
    return mapEntries(m.data, (o) => okxSpec(o, source), onSkip);
  },
};
