/**
 * `depthwatch serve` as a process: the recordings open as session r1 with the flags' speed, loop and
 * paused state, a consolidated group from `--consolidate`, the recordings folder from `--dir`; SIGTERM
 * stops it (exit 0); a bad `--speed` is a usage error (exit 2).
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseServeSpeed } from '../src/cli/serve.ts';

const SPOT = '../shared/data/binance-hftbacktest/spot/btcusdt_20240808.gz';
const USDM = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';

function serve(args: string[]) {
  const child = spawn(process.execPath, ['bin/depthwatch.mjs', 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => out };
}

describe('depthwatch serve', () => {
  it('opens the recordings as a session steered by the flags, and stops on SIGTERM', async () => {
    const p = serve([
      SPOT,
      USDM,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--speed',
      '2.5',
      '--loop',
      '--paused',
      '--dir',
      '../shared/data/binance-hftbacktest',
      '--consolidate',
      'BTC-USD=binance:BTCUSDT,binance-usdm:BTCUSDT',
      '--log-level',
      'info',
    ]);
    try {
      let url: string | undefined;
      while (!(url = /depthwatch serve listening on (http:\/\/[\d.:]+)/.exec(p.out())?.[1])) {
        if (p.child.exitCode !== null) throw new Error(`serve exited early:\n${p.out()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const s = (await (await fetch(`${url}/api/v1/replay/r1`)).json()) as Record<string, unknown>;
      expect(s).toMatchObject({
        id: 'r1',
        state: 'paused',
        speed: 2.5,
        loop: true,
        files: [SPOT, USDM],
        instruments: ['binance-usdm:BTCUSDT', 'binance:BTCUSDT'],
      });
      const groups = (await (await fetch(`${url}/api/v1/consolidated`)).json()) as {
        items: { group: string }[];
      };
      expect(groups.items.map((g) => g.group)).toEqual(['BTC-USD']);
      const files = (await (await fetch(`${url}/api/v1/recordings`)).json()) as { items: { path: string }[] };
      expect(files.items.map((f) => f.path)).toContain('usdm/btcusdt_20240808.gz');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }, 60_000);

  it('refuses a speed outside 0.25-100 (exit 2)', async () => {
    expect(parseServeSpeed('max')).toBe('max');
    expect(parseServeSpeed('0.25')).toBe(0.25);
    expect(() => parseServeSpeed('1000')).toThrow(/0.25, 100/);
    expect(() => parseServeSpeed('fast')).toThrow(/--speed/);
    const p = serve([SPOT, '--speed', '0.1']);
    expect(await p.exited).toBe(2);
    expect(p.out()).toMatch(/--speed must be max or a factor in \[0.25, 100\]/);
  }, 30_000);
});
