import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BinanceParser } from './parser.ts';
import type { Trade } from '../../core/model.ts';

/** The first real USD-M trade frame of the hftbacktest recording (X = MARKET). */
async function firstTrade(): Promise<string> {
  const lines = createInterface({
    input: createReadStream('../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz').pipe(
      createGunzip(),
    ),
  });
  for await (const l of lines) {
    const text = l.slice(l.indexOf(' ') + 1);
    if (text.includes('"e":"trade"')) {
      lines.close();
      return text;
    }
  }
  throw new Error('no trade frame');
}

describe('Binance futures trade type X', () => {
  it('leaves market prints unmarked and marks insurance-fund and ADL prints, on the fast and JSON paths', async () => {
    const market = await firstTrade();
    expect(market).toContain('"X":"MARKET"');
    const p = new BinanceParser('binance-usdm');
    const [m] = p.parse(market, 1) as Trade[];
    expect(m!.kind).toBeUndefined();
    expect('kind' in m!).toBe(false);
    for (const [x, kind] of [
      ['INSURANCE_FUND', 'insurance_fund'],
      ['ADL', 'adl'],
      ['NA', 'other'],
    ] as const) {
      const fast = market.replace('"X":"MARKET"', `"X":"${x}"`);
      // with a space the fast scanner declines and JSON.parse takes the frame: same event either way
      const slow = fast.replace('"m":', '"m": ');
      const [a] = p.parse(fast, 1) as Trade[];
      const [b] = p.parse(slow, 1) as Trade[];
      expect(a).toEqual({ ...m, kind });
      expect(b).toEqual(a);
    }
  });
});
