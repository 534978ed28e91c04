import { describe, expect, it } from 'vitest';
import { offsetPage, timePage, timePageRequest } from './paging.ts';
import { decimalText } from './shapes.ts';

/** Page through `rows` (oldest first) as the history routes do, reading from a fake store query. */
function pageAll(rows: { ts: number; id: number }[], from: number, limit: number): number[][] {
  const pages: number[][] = [];
  let cursor: string | undefined;
  do {
    const req = timePageRequest(from, limit, cursor);
    const read = rows.filter((r) => r.ts >= req.from).slice(0, req.fetch);
    const p = timePage(read, (r) => r.ts, limit, req);
    pages.push(p.items.map((r) => r.id));
    cursor = p.nextCursor ?? undefined;
  } while (cursor && pages.length < 50);
  return pages;
}

describe('cursor paging', () => {
  it('returns every row once across pages, also when many rows share a timestamp', () => {
    const ts = [1, 2, 2, 2, 2, 2, 3, 4, 4, 5];
    const rows = ts.map((t, id) => ({ ts: t, id }));
    for (const limit of [1, 2, 3, 4, 9, 10, 11]) {
      const pages = pageAll(rows, 0, limit);
      expect(pages.flat(), `limit ${limit}`).toEqual(rows.map((r) => r.id));
      expect(pages.every((p) => p.length <= limit)).toBe(true);
    }
  });

  it('pages newest first with order=desc, every row once, under a byte cap', () => {
    const ts = [1, 2, 2, 2, 2, 2, 3, 4, 4, 5];
    const rows = ts.map((t, id) => ({ ts: t, id }));
    const size = JSON.stringify(rows[0]).length + 1;
    for (const limit of [1, 2, 3, 10])
      for (const maxBytes of [Infinity, 64 + 2 * size]) {
        const pages: number[][] = [];
        let cursor: string | undefined;
        do {
          const req = timePageRequest(0, limit, cursor, { to: 100, order: 'desc' });
          const read = rows
            .filter((r) => r.ts >= req.from && r.ts < req.to)
            .reverse()
            .slice(0, req.fetch);
          const p = timePage(read, (r) => r.ts, limit, req, { maxBytes });
          pages.push(p.items.map((r) => r.id));
          cursor = p.nextCursor ?? undefined;
        } while (cursor && pages.length < 50);
        expect(pages.flat(), `limit ${limit} bytes ${maxBytes}`).toEqual(rows.map((r) => r.id).reverse());
        expect(pages.every((p) => p.length <= Math.min(limit, maxBytes === Infinity ? limit : 2))).toBe(true);
      }
    // A cursor of one order is refused in the other.
    const req = timePageRequest(0, 1, undefined, { order: 'desc' });
    const { nextCursor } = timePage(
      [
        { ts: 6, id: 1 },
        { ts: 5, id: 0 },
      ],
      (r) => r.ts,
      1,
      req,
    );
    expect(() => timePageRequest(0, 1, nextCursor!)).toThrow(/other order/);
  });

  it('rejects a cursor it did not make, or one outside the range', () => {
    expect(() => timePageRequest(0, 10, 'abc')).toThrow(RangeError);
    const req = timePageRequest(0, 1, undefined);
    const { nextCursor } = timePage(
      [
        { ts: 5, id: 0 },
        { ts: 6, id: 1 },
      ],
      (r) => r.ts,
      1,
      req,
    );
    expect(() => timePageRequest(10, 1, nextCursor!)).toThrow(/outside/);
  });

  it('pages in-memory lists by offset', () => {
    const a = offsetPage([1, 2, 3], 2, undefined);
    expect(a.items).toEqual([1, 2]);
    expect(offsetPage([1, 2, 3], 2, a.nextCursor!)).toEqual({ items: [3], nextCursor: null });
  });
});

describe('decimalText', () => {
  it('writes stored numbers as plain decimals without exponent', () => {
    expect(decimalText(60000.5)).toBe('60000.5');
    expect(decimalText(1e-7)).toBe('0.0000001');
    expect(decimalText(1.25e-8)).toBe('0.0000000125');
    expect(decimalText(1.5e21)).toBe('1500000000000000000000');
    expect(decimalText(-2.5e-7)).toBe('-0.00000025');
    expect(() => decimalText(NaN)).toThrow(RangeError);
  });
});
