import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { register, parseNamedList } from './alerts.ts';
import type { Alert } from '../alerts/types.ts';

const REC = '../shared/data/cryptofeed/binance-2021-04';

async function run(args: string[]): Promise<{ out: string; code: number | undefined }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  });
  const program = new Command('depthwatch').exitOverride();
  register(program);
  let code: number | undefined;
  try {
    await program.parseAsync(['node', 'depthwatch', ...args]);
  } catch (e) {
    code = (e as { exitCode?: number }).exitCode;
  } finally {
    spy.mockRestore();
  }
  return { out: chunks.join(''), code };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('depthwatch alerts test', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dw-alerts-'));

  it('replays a recording and prints the alerts that would have fired, with a summary', async () => {
    const rules = join(dir, 'rules.yaml');
    writeFileSync(
      rules,
      [
        'alerts:',
        '  builtins: false',
        '  rules:',
        '    - { id: wide, kind: metric, metric: spreadBps, comparator: ">", threshold: 5, clearThreshold: 2, cooldownMs: 30000 }',
        '    - { id: stale, kind: metric, metric: feedAgeMs, comparator: ">", threshold: 10000, requireLive: false }',
      ].join('\n'),
    );
    const { out, code } = await run(['alerts', 'test', '--json', '--rules', rules, REC]);
    expect(code).toBeUndefined();
    const lines = out
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            summary?: { frames: number; alerts: number; byRule: Record<string, number> };
          } & Partial<Alert>,
      );
    const summary = lines.pop()!.summary!;
    const alerts = lines as Alert[];
    expect(summary.frames).toBeGreaterThan(1000);
    expect(summary.alerts).toBe(alerts.length);
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) {
      expect(['wide', 'stale']).toContain(a.ruleId);
      if (a.ruleId === 'wide') {
        expect(a.value!).toBeGreaterThan(5);
        expect(a.state).toBe('live');
      } else expect(a.value!).toBeGreaterThan(10_000);
    }
    // alert times follow the recording's own clock (April 2021), in order
    const ts = alerts.map((a) => a.ts);
    expect(ts).toEqual([...ts].sort((x, y) => x - y));
    expect(new Date(ts[0]!).getUTCFullYear()).toBe(2021);
    // one firing per instrument for `wide` within the 30 s cooldown window at most
    const per = new Map<string, number[]>();
    for (const a of alerts.filter((x) => x.ruleId === 'wide'))
      per.set(a.instrument, [...(per.get(a.instrument) ?? []), a.ts]);
    for (const t of per.values())
      for (let i = 1; i < t.length; i++) expect(t[i]! - t[i - 1]!).toBeGreaterThanOrEqual(30_000);
  });

  it('rejects an invalid rules file with exit code 2', async () => {
    const rules = join(dir, 'bad.yaml');
    writeFileSync(rules, 'rules:\n  - { id: x, kind: metric, metric: m, comparator: "=~", threshold: 1 }\n');
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { code } = await run(['alerts', 'test', '--rules', rules, REC]);
    err.mockRestore();
    expect(code).toBe(2);
  });

  it('parses NAME=A,B lists', () => {
    expect(parseNamedList('btc=a:X,b:Y', 2)).toEqual({ name: 'btc', members: ['a:X', 'b:Y'] });
    expect(parseNamedList('btc=a:X', 2)).toBeNull();
    expect(parseNamedList('=a,b', 2)).toBeNull();
  });
});
