/**
 * Issue 14 finding "ordinary mistakes end in raw stack traces": each gets one line naming the problem and
 * the fix and a non-zero exit code — port in use, an unknown venue, a bad store URL, listening beyond
 * loopback without keys — and `depthwatch config check` lists every problem at once.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing, readKeyFile } from '../../src/api/security/keys.ts';
import { DuckDbStore } from '../../src/store/duckdb.ts';

const dir = mkdtempSync(join(tmpdir(), 'dw-startup-'));
const env = { ...process.env, DEPTHWATCH_CONFIG: '', DEPTHWATCH_API_KEYS: '', NO_COLOR: '1' };
const keys = ['--store', 'memory'];

function cli(args: string[]): { code: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, ['bin/depthwatch.mjs', ...args], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('start-up mistakes: one line, the fix, exit code 1', () => {
  const busy = createServer();
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => busy.close());

  it('port in use', () => {
    const r = cli(['run', '--port', String(port), ...keys, '-i', 'binance:BTCUSDT', '--log-level', 'error']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `depthwatch: port ${port} on 127.0.0.1 is already in use: stop the other process or choose another port with --port`,
    );
  }, 60_000);

  it('a DuckDB file held by another process', async () => {
    const path = join(dir, 'held.duckdb');
    const holder = new DuckDbStore({ path, flushIntervalMs: 60_000 });
    await holder.init();
    try {
      const r = cli([
        'run',
        '--port',
        '0',
        '--store',
        `duckdb:${path}`,
        '-i',
        'binance:BTCUSDT',
        '--log-level',
        'error',
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(
        `depthwatch: the DuckDB file duckdb:${path} is in use by another depthwatch process: stop it, or give this one another --store duckdb:<path>`,
      );
    } finally {
      await holder.close();
    }
  }, 60_000);

  it('unknown venue, bad store URL and a bind beyond loopback without keys, all at once', () => {
    const r = cli([
      'run',
      '-i',
      'nope:BTCUSDT',
      '--store',
      'foo://bar',
      '--host',
      '0.0.0.0',
      '--log-level',
      'error',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).toMatch(/unknown venue "nope"/);
    expect(r.stderr).toMatch(/store.url: "foo:\/\/bar" is not a store URL/);
    expect(r.stderr).toMatch(/refusing to listen on 0.0.0.0 without API keys.*--insecure/);
  }, 60_000);

  it('replay --store checks the store before reading: a dead PostgreSQL is one line, nothing replayed', () => {
    const rec = '../shared/data/binance-hftbacktest/spot/btcusdt_20240808.gz';
    const r = cli(['replay', rec, '--quiet', '--store', 'postgres://u:hunter2@127.0.0.1:1/x']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^depthwatch replay: cannot reach the store postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x \(.*ECONNREFUSED.*\): start it or fix --store; nothing was replayed$/,
    );
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  }, 60_000);

  it('config check lists the problems (exit 1) or says OK (exit 0)', () => {
    const bad = cli(['config', 'check', '-i', 'nope:X', '--store', `postgresql-ish://u:hunter2@h`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/2 problem\(s\)/);
    expect(bad.stderr).not.toContain('hunter2');
    const ok = cli(['config', 'check', '--store', `duckdb:${join(dir, 'x.duckdb')}`]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/configuration OK/);
  }, 60_000);
});

describe('depthwatch keys create|list|revoke', () => {
  it('prints a key once, stores only its hash, lists without secrets, revokes', () => {
    const file = join(dir, 'keys.json');
    const created = cli(['keys', 'create', '--name', 'grafana', '--scope', 'read', '--file', file]);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^dwk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    const secret = key.split('_').slice(2).join('_');
    expect(readFileSync(file, 'utf8')).not.toContain(secret);
    expect(new KeyRing(readKeyFile(file)).verify(key)?.scopes).toEqual(['read']);
    const id = key.slice(4, 12);
    const list = cli(['keys', 'list', '--file', file]);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+read\\s+active`));
    expect(list.stdout + list.stderr).not.toContain(secret);
    expect(cli(['keys', 'revoke', id, '--file', file]).code).toBe(0);
    expect(new KeyRing(readKeyFile(file)).verify(key)).toBeNull();
    expect(cli(['keys', 'list', '--file', file]).stdout).toMatch(/revoked/);
    const bad = cli(['keys', 'revoke', 'nope', '--file', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^depthwatch keys: no key nope/);
  }, 60_000);
});
