/**
 * OKX instrument metadata from REST `GET /api/v5/public/instruments?instType=...`.
 *
 * Follows: OKX API v5 docs, "Public Data > Get instruments": `instId`, `instType` (SPOT, MARGIN, SWAP,
 * FUTURES, OPTION), `tickSz` (price increment, quote currency), `lotSz` (size increment: base currency
 * for SPOT, contracts for derivatives), `minSz`, `ctVal` (contract value, in `ctValCcy`), `ctMult`,
 * `state`. Envelope `{"code":"0","msg":"","data":[...]}`; a non-"0" code is an error.
 */
import { MalformedFrameError } from '../../core/errors.ts';

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
