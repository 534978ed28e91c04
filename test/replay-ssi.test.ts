/**
 * `depthwatch replay --venue ssi FILE.jsonl…` on every SSI recording in ../shared/data/ssi/stream: 0
 * dropped; the VNINDEX series gives each message's value and breadth; the `B` prints give each symbol's
 * session volume = the sum of `Volume` of that session's prints (the replayed previous-session prints of
 * 2026-07-17 are not in the 2026-07-20 session). Expected values are computed here from the files with
 * a plain JSON.parse, independently of the SSI parser.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { SsiReplaySummary } from '../src/replay/ssi.ts';

const run = promisify(execFile);
const DIR = '../shared/data/ssi/stream';
const FILES = [
  'ssi_b_messages.first72.jsonl',
  'ssi_b_messages.last36.jsonl',
  'ssi_mi_messages.jsonl',
  'ssi_doc_samples.jsonl',
].map((f) => `${DIR}/${f}`);

interface Raw {
  DataType: string;
  Content: Record<string, unknown>;
}
const raw = (file: string): Raw[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const env = JSON.parse(l) as { DataType: string; Content: string };
      return { DataType: env.DataType, Content: JSON.parse(env.Content) as Record<string, unknown> };
    });

describe('depthwatch replay --venue ssi', () => {
  it('replays every recorded message with 0 dropped; index series, breadth and B session volumes match the files', async () => {
    const { stdout } = await run(
      process.execPath,
      ['bin/depthwatch.mjs', 'replay', '--venue', 'ssi', '--json', ...FILES],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const s = JSON.parse(stdout) as SsiReplaySummary;
    expect(s.lines).toBe(72 + 36 + 26 + 9);
    expect(s.messages).toBe(s.lines);
    expect(s.dropped).toBe(0);

    // VNINDEX: one series point per MI message, value and breadth as sent; final.index = the last message.
    const mi = raw(FILES[2]!).map((m) => m.Content);
    const vnindex = s.instruments['ssi:VNINDEX']!;
    expect(vnindex.frames).toBe(26);
    expect(
      vnindex.final.index!.series.map((p) => [
        p.value,
        p.advances,
        p.declines,
        p.noChanges,
        p.ceilings,
        p.floors,
      ]),
    ).toEqual(mi.map((c) => [c.IndexValue, c.Advances, c.Declines, c.NoChanges, c.Ceilings, c.Floors]));
    const last = mi[mi.length - 1]!;
    expect(vnindex.final.index).toMatchObject({
      value: last.IndexValue,
      priorValue: last.PriorIndexValue,
      change: last.Change,
      advances: last.Advances,
      declines: last.Declines,
      noChanges: last.NoChanges,
      ceilings: last.Ceilings,
      floors: last.Floors,
      totalQty: last.TotalQtty,
      totalValue: last.TotalValue,
    });

    // B: per symbol, the 2026-07-20 session's volume is the sum of that day's prints only.
    const prints = [...raw(FILES[0]!), ...raw(FILES[1]!)].map((m) => m.Content);
    for (const sym of ['VCB', 'TCB', 'HPG']) {
      const today = prints.filter((c) => c.Symbol === sym && c.TradingDate === '20/07/2026');
      const previous = prints.filter((c) => c.Symbol === sym && c.TradingDate === '17/07/2026');
      expect(today.length).toBeGreaterThan(0);
      const session = s.instruments[`ssi:${sym}`]!.final.session!;
      expect(session.id).toBe('2026-07-20');
      expect(session.volume).toBe(today.reduce((a, c) => a + (c.Volume as number), 0));
      expect(session.prints).toBe(today.length);
      expect(session.last).toBe(today[today.length - 1]!.Close);
      expect(session.buyVolume + session.sellVolume + session.unknownVolume).toBe(session.volume);
      if (sym !== 'HPG') expect(previous.length).toBeGreaterThan(0);
    }
    expect(s.market.sessionResets).toBe(3); // VCB, TCB, HPG: 2026-07-17 → 2026-07-20
  });

  it('prints a table without --json and exits 1 on a missing file', async () => {
    const { stdout } = await run(process.execPath, [
      'bin/depthwatch.mjs',
      'replay',
      '--venue',
      'ssi',
      FILES[2]!,
    ]);
    expect(stdout).toMatch(/ssi:VNINDEX\s+26\s+0/);
    expect(stdout).toMatch(/26 messages, 0 dropped/);
    await expect(
      run(process.execPath, ['bin/depthwatch.mjs', 'replay', '--venue', 'ssi', `${DIR}/missing.jsonl`]),
    ).rejects.toMatchObject({ code: 1 });
  });
});
