import { describe, expect, it } from 'vitest';
import { MalformedFrameError } from '../core/errors.ts';
import {
  exactAmount,
  expandExponent,
  levelList,
  optChecksum,
  optInt,
  optIsoTime,
  optTime,
  parseJsonKeepingDecimals,
  parseObject,
  quoteArrayNumbers,
  reqJsonUint,
  reqUint,
  takerSide,
  plainDecimal,
  reqId,
} from './fields.ts';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof MalformedFrameError ? `${e.code}${e.instrument ? '@' + e.instrument : ''}` : 'other';
  }
  return undefined;
};

describe('shared field checks', () => {
  it('types every failure as a MalformedFrameError, attributed to the instrument when given', () => {
    expect(code(() => parseObject('{"a":'))).toBe('malformed_json');
    expect(code(() => parseObject('[1]'))).toBe('invalid_field');
    expect(code(() => reqUint(-1, 'u', 'x:Y'))).toBe('invalid_field@x:Y');
    expect(code(() => reqUint(1.5, 'u'))).toBe('invalid_field');
    expect(reqUint('12', 'u')).toBe(12);
    expect(code(() => reqJsonUint('12', 'u', 'x:Y'))).toBe('invalid_field@x:Y');
    expect(reqJsonUint(12, 'u')).toBe(12);
    expect(code(() => levelList({}, 'bids', 'x:Y'))).toBe('invalid_field@x:Y');
    expect(code(() => takerSide('hit', 'side'))).toBe('invalid_field');
    expect(code(() => optChecksum(2 ** 33))).toBe('invalid_field');
    expect(code(() => optIsoTime('yesterday', 'time'))).toBe('invalid_field');
  });

  it('reads integers and integer strings, NaN for absent optional ones', () => {
    expect(reqUint('123', 'u')).toBe(123);
    expect(optInt(undefined, 'p')).toBeNaN();
    expect(optInt('-1', 'p')).toBe(-1);
  });

  it('converts times to ms since epoch UTC in every unit, keeping sub-ms fractions', () => {
    expect(optTime('1617667100.123456', 't', 's')).toBeCloseTo(1617667100123.456, 3);
    expect(optTime(1617667100123456, 't', 'us')).toBe(1617667100123.456);
    expect(optTime('1617667100123', 't', 'ms')).toBe(1617667100123);
    expect(optIsoTime('2021-04-17T16:09:56.123456Z', 't')).toBeCloseTo(
      Date.UTC(2021, 3, 17, 16, 9, 56) + 123.456,
      3,
    );
  });

  it('keeps the exact digits of numeric prices and sizes', () => {
    const parse = parseJsonKeepingDecimals(['price', 'amount']);
    const o = parse('{"price": 61234.100000000000001, "amount":1e-8, "id": 5}');
    expect(o).toEqual({ price: '61234.100000000000001', amount: '1e-8', id: 5 });
    expect(JSON.parse(quoteArrayNumbers('[17082,[7254.7,3,3.3],{"a":1}]'))).toEqual([
      '17082',
      ['7254.7', '3', '3.3'],
      { a: 1 },
    ]);
  });

  it('normalizes checksums sent unsigned to signed int32', () => {
    expect(optChecksum(4294967295)).toBe(-1);
    expect(optChecksum('-5')).toBe(-5);
    expect(optChecksum(undefined)).toBeUndefined();
  });
  it('keeps amounts exact whether sent as strings or JSON integers, refusing rounded numbers', () => {
    expect(exactAmount('0.2010000000', 'size')).toBe('0.2010000000');
    expect(exactAmount(8393, 'size')).toBe('8393');
    expect(exactAmount(-108, 'size')).toBe('-108');
    expect(() => exactAmount(1e300, 'size', 'gateio-futures:X')).toThrow(
      expect.objectContaining({ code: 'precision', instrument: 'gateio-futures:X' }),
    );
    expect(() => exactAmount(1.5, 'size')).toThrow(expect.objectContaining({ code: 'precision' }));
    expect(() => exactAmount(null, 'size')).toThrow(expect.objectContaining({ code: 'invalid_field' }));
  });

  it('expands exponent number text exactly, leaving anything else for the book to judge', () => {
    expect(['3.5e-7', '-2e-3', '2.5E3', '1.5', '0.50', 'abc', null, 7].map(expandExponent)).toEqual([
      '0.00000035',
      '-0.002',
      '2500',
      '1.5',
      '0.50',
      'abc',
      null,
      7,
    ]);
  });
});

describe('plainDecimal and reqId', () => {
  it('writes exponent numbers out, keeps plain text and the sign, rejects non-numbers', () => {
    expect(['1E-8', '-2.5e1', '0.010', '-698.26038028', '12e3'].map((t) => plainDecimal(t))).toEqual([
      '0.00000001',
      '-25',
      '0.010',
      '-698.26038028',
      '12000',
    ]);
    expect(() => plainDecimal('abc', 'x:Y')).toThrow(
      expect.objectContaining({ code: 'invalid_field', instrument: 'x:Y' }),
    );
  });
  it('takes ids as numbers or non-empty strings', () => {
    expect([reqId(42, 'id'), reqId('a1', 'id')]).toEqual(['42', 'a1']);
    expect(() => reqId('', 'id')).toThrow(MalformedFrameError);
    expect(() => reqId(null, 'id')).toThrow(MalformedFrameError);
  });
});

describe('quoteMemberNumbers / parseObjectQuotingNumbers', () => {
  it('quotes member numbers exactly, leaves strings, arrays, literals and nested keys alone', async () => {
    const { quoteMemberNumbers, parseObjectQuotingNumbers } = await import('./fields.ts');
    expect(
      quoteMemberNumbers('{"a":1,"b": -2.50,"c":1e-7,"d":"x:1","e":[1,2],"f":{"g":3},"h":null,"i":true}'),
    ).toBe('{"a":"1","b": "-2.50","c":"1e-7","d":"x:1","e":[1,2],"f":{"g":"3"},"h":null,"i":true}');
    expect(quoteMemberNumbers('{"s":"a\\\\\\":9","n":185028289999.99728}')).toBe(
      '{"s":"a\\\\\\":9","n":"185028289999.99728"}',
    );
    expect(parseObjectQuotingNumbers('{"TotalVal":185028289999.99728}')).toEqual({
      TotalVal: '185028289999.99728',
    });
    expect(quoteMemberNumbers('{"a":"b"}')).toBe('{"a":"b"}');
    expect(() => parseObjectQuotingNumbers('{"a":1')).toThrow(
      expect.objectContaining({ code: 'malformed_json' }),
    );
  });
});
