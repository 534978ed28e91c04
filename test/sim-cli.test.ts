/** `depthwatch sim` as a process: prints its URLs, serves the protocol, stops on SIGINT with a summary. */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { register } from '../src/cli/sim.ts';

describe('depthwatch sim', () => {
  it('prints the ws/rest URLs, serves snapshots, and reports its counters on Ctrl-C', async () => {
    const child = spawn(
      process.execPath,
      [
        'bin/depthwatch.mjs',
        'sim',
        '--venue',
        'binance-usdm',
        '--file',
        '../shared/data/cryptofeed/binance-futures/BINANCE_FUTURES.http.0.0',
        '--file',
        '../shared/data/cryptofeed/binance-futures/BINANCE_FUTURES.ws.1.0',
        '--faults',
        'failSnapshot=1:503',
        '--seed',
        '5',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      while (!out.includes('Ctrl-C to stop.')) {
        if (child.exitCode !== null) throw new Error(`sim exited early:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const rest = /rest (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
      expect(out).toMatch(/ws {3}ws:\/\/127\.0\.0\.1:\d+/);
      expect(out).toContain('/stream?streams=');
      const r = await fetch(`${rest}/fapi/v1/depth?symbol=SUSHIUSDT&limit=1000`);
      expect(r.status).toBe(503); // failSnapshot=1: every snapshot request fails
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(out).toMatch(/stopped; 0 frames .* 0 snapshots served, faults: failSnapshot=1/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);

  it('rejects a bad fault spec as a usage error (exit 2)', async () => {
    const program = new Command('depthwatch').exitOverride();
    let err = '';
    program.configureOutput({ writeErr: (t) => (err += t), writeOut: () => {} });
    register(program);
    const run = program.parseAsync(
      ['sim', '--venue', 'binance-usdm', '--file', 'x', '--faults', 'explode=1'],
      {
        from: 'user',
      },
    );
    await expect(run).rejects.toMatchObject({ exitCode: 2 });
    expect(err).toContain('unknown fault "explode"');
  });

  it('refuses an import of normalized events (Tardis CSV) with exit 2: it has no wire frames to serve', async () => {
    const child = spawn(
      process.execPath,
      [
        'bin/depthwatch.mjs',
        'sim',
        '--venue',
        'binance-usdm',
        '--file',
        '../shared/data/tardis/bitmex_trades_XBTUSD.csv',
        '--port',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('use `depthwatch replay` or `depthwatch import`');
  }, 20_000);
});
