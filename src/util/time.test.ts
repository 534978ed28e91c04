/**
 * Local wall-clock time → UTC: New York's offset follows daylight saving time (EDT in June, EST in
 * January), the repeated fall-back hour resolves to its earlier instant, the skipped spring-forward
 * hour reads with the winter offset, and bad dates are rejected.
 */
import { describe, expect, it } from 'vitest';
import { parseUtcTime, timeZoneOffsetMs, zonedDay, zonedTimeToUtcMs } from './time.ts';

const NY = 'America/New_York';
const H = 3_600_000;

describe('zonedTimeToUtcMs', () => {
  it('uses EDT in summer and EST in winter', () => {
    expect(new Date(zonedTimeToUtcMs('2012-06-21', 9.5 * H, NY)).toISOString()).toBe(
      '2012-06-21T13:30:00.000Z',
    );
    expect(new Date(zonedTimeToUtcMs('2012-01-20', 9.5 * H, NY)).toISOString()).toBe(
      '2012-01-20T14:30:00.000Z',
    );
    expect(timeZoneOffsetMs(Date.UTC(2012, 5, 21, 13, 30), NY)).toBe(-4 * H);
  });

  it('keeps fractional milliseconds', () => {
    expect(zonedTimeToUtcMs('2012-06-21', 34200004.241176, NY)).toBeCloseTo(1340285400004.2412, 3);
  });

  it('resolves the days the clocks change', () => {
    const iso = (d: string, h: number): string => new Date(zonedTimeToUtcMs(d, h * H, NY)).toISOString();
    expect(iso('2012-11-04', 1.5)).toBe('2012-11-04T05:30:00.000Z'); // 01:30 EDT, the first of two
    expect(iso('2012-11-04', 3)).toBe('2012-11-04T08:00:00.000Z'); // 03:00 EST
    expect(iso('2012-11-04', 0.5)).toBe('2012-11-04T04:30:00.000Z'); // 00:30 EDT
    expect(iso('2012-03-11', 1.5)).toBe('2012-03-11T06:30:00.000Z'); // 01:30 EST
    expect(iso('2012-03-11', 2.5)).toBe('2012-03-11T07:30:00.000Z'); // skipped: read as EST
    expect(iso('2012-03-11', 3.5)).toBe('2012-03-11T07:30:00.000Z'); // 03:30 EDT
    expect(iso('2012-03-11', 9.5)).toBe('2012-03-11T13:30:00.000Z');
  });

  it('rejects malformed dates and unknown zones', () => {
    expect(() => zonedDay('2012-02-30', NY)).toThrow(RangeError);
    expect(() => zonedDay('20120621', NY)).toThrow(RangeError);
    expect(() => zonedDay('2012-06-21', 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('parseUtcTime (CLI and API alike)', () => {
  it('reads ms since epoch as given', () => {
    expect(parseUtcTime('1723075200000')).toBe(1723075200000);
    expect(parseUtcTime('1723075200000.5')).toBe(1723075200000.5);
  });

  it('reads zone-less date-times and dates as UTC, whatever the machine zone', () => {
    const t = Date.UTC(2024, 7, 8, 12, 30);
    expect(parseUtcTime('2024-08-08T12:30')).toBe(t);
    expect(parseUtcTime('2024-08-08 12:30:00')).toBe(t);
    expect(parseUtcTime('2024-08-08T12:30:00.250')).toBe(t + 250);
    expect(parseUtcTime('2024-08-08')).toBe(Date.UTC(2024, 7, 8));
  });

  it('honours an explicit zone', () => {
    const t = Date.UTC(2024, 7, 8, 12, 30);
    expect(parseUtcTime('2024-08-08T12:30:00Z')).toBe(t);
    expect(parseUtcTime('2024-08-08T19:30:00+07:00')).toBe(t);
    expect(parseUtcTime('2024-08-08T19:30:00+0700')).toBe(t);
  });

  it('gives NaN for anything else', () => {
    for (const bad of ['', 'yesterday', '08/08/2024', '2024-8-8', '2024-08-08T25:00Z'])
      expect(parseUtcTime(bad)).toBeNaN();
  });
});
