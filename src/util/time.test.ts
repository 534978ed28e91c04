import { describe, expect, it } from 'vitest';
import { parseUtcTime } from './time.ts';

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
