import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../util/prng.ts';
import { parseDecimal, scanDecimalNumber, scanDecimalString, scannedDecimal } from './decimal.ts';
import { MalformedFrameError, PrecisionError } from './errors.ts';

describe('parseDecimal', () => {
  it('parses wire decimals to the nearest double', () => {
    expect(parseDecimal('61234.10')).toBe(61234.1);
    expect(parseDecimal('0.00100000')).toBe(0.001);
    expect(parseDecimal('0')).toBe(0);
    expect(parseDecimal('0.000')).toBe(0);
    expect(parseDecimal('1000')).toBe(1000);
    expect(parseDecimal('007.5')).toBe(7.5);
  });

  it('gives equal decimals the same key and distinct ones distinct keys', () => {
    expect(parseDecimal('1.50')).toBe(parseDecimal('1.5'));
    expect(parseDecimal('0.30')).toBe(parseDecimal('0.3'));
    // 0.1 + 0.2 !== 0.3 in binary, but keys come from the decimal text, never from arithmetic.
    expect(parseDecimal('0.3')).not.toBe(0.1 + 0.2);
    expect(parseDecimal('0.30000000000000')).toBe(parseDecimal('0.3'));
    expect(parseDecimal('0.300000000000001')).not.toBe(parseDecimal('0.3'));
    expect(parseDecimal('99999999999999.9')).not.toBe(parseDecimal('99999999999999.8'));
  });

  it('agrees with Number() on 50,000 random accepted decimals (seeded)', () => {
    const r = rng(42);
    let checked = 0;
    for (let t = 0; t < 50_000; t++) {
      const il = Math.floor(r() * 9);
      const fl = Math.floor(r() * 14);
      let s = il === 0 ? '0' : '';
      for (let i = 0; i < il; i++) s += String(Math.floor(r() * 10));
      if (fl > 0) {
        s += '.';
        for (let i = 0; i < fl; i++) s += r() < 0.3 ? '0' : String(Math.floor(r() * 10));
      }
      let v: number;
      try {
        v = parseDecimal(s);
      } catch (e) {
        expect(e).toBeInstanceOf(PrecisionError);
        continue;
      }
      checked++;
      if (!Object.is(v, Number(s))) expect(s).toBe(`a decimal parsing to ${Number(s)}, got ${v}`);
    }
    expect(checked).toBeGreaterThan(35_000);
  });

  it('counts significant digits without leading or trailing zeros', () => {
    expect(parseDecimal('123456789012345')).toBe(123456789012345);
    expect(parseDecimal('0.000000123456789012345')).toBe(1.23456789012345e-7);
    expect(parseDecimal('1.23456789012345000000')).toBe(1.23456789012345);
    expect(parseDecimal('100000000000000000000')).toBe(1e20);
  });

  it('returns the nearest double for more than 15 significant digits when asked (sizes)', () => {
    expect(parseDecimal('40679294.87562189', true)).toBe(Number('40679294.87562189'));
    expect(() => parseDecimal('40679294.87562189')).toThrow(PrecisionError);
    expect(() => parseDecimal('1e5', true)).toThrow(MalformedFrameError);
  });

  it('rejects more than 15 significant digits with PrecisionError', () => {
    for (const s of ['1234567890123456', '0.1234567890123456', '1.000000000000001', '61234.10000000001']) {
      expect(() => parseDecimal(s)).toThrow(PrecisionError);
    }
    try {
      parseDecimal('1234567890123456');
    } catch (e) {
      expect((e as PrecisionError).code).toBe('precision');
    }
  });

  it('rejects anything that is not digits with one inner dot as invalid_field', () => {
    for (const s of [
      '',
      '.',
      '.5',
      '5.',
      '1..2',
      '1.2.3',
      '-1',
      '+1',
      ' 1',
      '1 ',
      '1e5',
      'NaN',
      'Infinity',
      '0x10',
      '１',
      '1,5',
      'x'.repeat(65),
    ]) {
      let err: unknown;
      try {
        parseDecimal(s);
      } catch (e) {
        err = e;
      }
      expect(err, s).toBeInstanceOf(MalformedFrameError);
      expect((err as MalformedFrameError).code, s).toBe('invalid_field');
    }
  });
});

describe('scanDecimalString', () => {
  /** parseDecimal's value, or NaN when it throws or takes its Number(s) fallback (> 15 digits, > 22 decimals). */
  function expected(s: string): number {
    try {
      const v = parseDecimal(s, true);
      let digits = 0;
      for (const ch of s.replace(/^[0.]*/, '').replace('.', '')) if (ch >= '0' && ch <= '9') digits++;
      const dot = s.indexOf('.');
      const frac = dot < 0 ? 0 : s.length - 1 - dot;
      return digits > 15 || frac > 22 ? NaN : v; // parseDecimal's Number(s) fallback
    } catch {
      return NaN;
    }
  }

  it('reads exactly what parseDecimal reads, or NaN, and finds the JSON string end', () => {
    const r = rng(11);
    const alphabet = '0123456789.0000..e-"\\ \u0001x';
    const cases = [
      '61234.10',
      '0.00100000',
      '0',
      '0.000',
      '007.5',
      '1.',
      '.5',
      '',
      '1..2',
      '12345678901234.5',
      '1234567890123456',
      '0.0000000000000000000001',
      '0.00000000000000000000001',
      '9'.repeat(65),
    ];
    for (let k = 0; k < 20000; k++) {
      let s = '';
      const n = Math.floor(r() * 20);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(r() * alphabet.length)];
      cases.push(s);
    }
    for (const s of cases) {
      const framed = `["${s}"]`;
      const end = scanDecimalString(framed, 2);
      let want: number;
      try {
        const parsed = JSON.parse(framed) as string[];
        want = framed.length - 1;
        // An escape or control character: declined (-1), as the frame scanners' scanString does.
        if (end < 0) {
          expect(
            [...s].some((ch) => ch === '\\' || ch.charCodeAt(0) < 32),
            s,
          ).toBe(true);
          continue;
        }
        expect(end, s).toBe(want);
        expect(Object.is(scannedDecimal, expected(parsed[0]!)), s).toBe(true);
      } catch (e) {
        if (e instanceof SyntaxError) {
          // JSON.parse declines: the scanner must either decline or stop where the string ends.
          if (end >= 0) expect(framed.charCodeAt(end - 1), s).toBe(34);
        } else throw e;
      }
    }
    // Unterminated at the end of the text: -1, no endless loop.
    expect(scanDecimalString('"123', 1)).toBe(-1);
    expect(scanDecimalString('"12.5', 1)).toBe(-1);
  });
});

describe('scanDecimalNumber', () => {
  it('reads the token parseJsonKeepingDecimals quotes (\\d+(\\.\\d+)?) with the value scanDecimalString gives it', () => {
    const r = rng(12);
    const alphabet = '0123456789.0000..e-,}';
    const cases = ['1053.90', '0.14', '154219', '007.5', '1.', '.5', '1..2', '1e5', '', '9'.repeat(65)];
    for (let k = 0; k < 20000; k++) {
      let s = '';
      const n = Math.floor(r() * 20);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(r() * alphabet.length)];
      cases.push(s);
    }
    for (const s of cases) {
      const framed = `:${s}`;
      const end = scanDecimalNumber(framed, 1);
      const token = /^\d+(?:\.\d+)?/.exec(s)?.[0];
      if (token === undefined) {
        expect(end, s).toBe(-1);
        continue;
      }
      expect(end, s).toBe(1 + token.length);
      const value = scannedDecimal;
      scanDecimalString(`"${token}"`, 1);
      expect(Object.is(value, scannedDecimal), s).toBe(true);
    }
  });
});
