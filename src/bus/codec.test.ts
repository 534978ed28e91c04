import { describe, expect, it } from 'vitest';
import { decodeBytes, decodeJson, encodeBytes, encodeJson } from './codec.ts';
import { MalformedFrameError } from '../core/errors.ts';

describe('NaN-keeping JSON codec', () => {
  it('round-trips NaN and infinities that plain JSON turns into null', () => {
    const v = { a: NaN, b: [Infinity, -Infinity, 1.5, null], c: { d: 'NaN', e: 0 } };
    expect(JSON.parse(JSON.stringify(v)).a).toBeNull();
    const back = decodeJson<typeof v>(encodeJson(v));
    expect(back.a).toBeNaN();
    expect(back.b).toEqual([Infinity, -Infinity, 1.5, null]);
    expect(back.c).toEqual({ d: 'NaN', e: 0 }); // a string "NaN" stays a string
    expect(decodeBytes(encodeBytes(v))).toEqual(back);
  });

  it('leaves objects that merely contain a $n key alongside others untouched', () => {
    expect(decodeJson('{"x":{"$n":"NaN","y":1}}')).toEqual({ x: { $n: 'NaN', y: 1 } });
  });

  it('throws a typed malformed_json error for text that is not JSON', () => {
    expect(() => decodeJson('{"cut')).toThrow(MalformedFrameError);
    try {
      decodeJson('nope');
    } catch (e) {
      expect((e as MalformedFrameError).code).toBe('malformed_json');
    }
  });
});
