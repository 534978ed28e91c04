import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { REDACTED, redactDeep, redactText } from './redact.ts';

describe('redaction', () => {
  it('removes URL passwords, user tokens and secret query parameters', () => {
    expect(redactText('postgres://app:hunter2@db:5432/x')).toBe(`postgres://app:${REDACTED}@db:5432/x`);
    expect(redactText('redis://s3cr3t@127.0.0.1:6379')).toBe(`redis://${REDACTED}@127.0.0.1:6379`);
    expect(redactText('nats://u:p%40ss@h:4222 and https://x.test/hook?token=abc&x=1')).toBe(
      `nats://u:${REDACTED}@h:4222 and https://x.test/hook?token=${REDACTED}&x=1`,
    );
    expect(redactText('http://127.0.0.1:8080/api')).toBe('http://127.0.0.1:8080/api');
  });

  it('keeps the id of an API key and drops its secret, and drops bearer tokens', () => {
    const key = 'dwk_0a1b2c3d_' + 'Z'.repeat(43);
    expect(redactText(`key ${key} used`)).toBe(`key dwk_0a1b2c3d_${REDACTED} used`);
    expect(redactText('Authorization: Bearer abcdefghijkl')).toBe(`Authorization: Bearer ${REDACTED}`);
  });

  it('redacts secret object keys, headers and errors at any depth', () => {
    const err = Object.assign(new Error('connect to postgres://a:pw@h failed'), { code: 'ECONNREFUSED' });
    const out = redactDeep({
      store: { url: 'postgres://a:pw@h/db', password: 'pw' },
      webhook: { url: 'https://hooks.test/T/abc', headers: { 'X-Secret': 'v' } },
      err,
    }) as Record<string, Record<string, unknown>>;
    expect(JSON.stringify(out)).not.toContain('pw@');
    expect(out.store!.password).toBe(REDACTED);
    expect(out.webhook!.headers).toEqual({ 'X-Secret': REDACTED });
    expect(out.err!.code).toBe('ECONNREFUSED');
    expect(String(out.err!.message)).toContain(`a:${REDACTED}@h`);
  });

  it('the logger never writes a secret it is given (captured output grepped)', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger('info', false, sink);
    const secrets = ['hunter2', 'tok3n-value', 'Zq'.repeat(20), 'webhook-secret-header'];
    log.info({ store: 'postgres://app:hunter2@db/x' }, 'store ready');
    log.warn({ err: new Error('AUTH failed for redis://:tok3n-value@r:6379') }, 'cache write failed');
    log.info(`api key dwk_0a1b2c3d_${'Zq'.repeat(20)} created`);
    log.info({ webhook: { headers: { authorization: 'webhook-secret-header' } } }, 'webhook');
    const all = lines.join('');
    expect(lines.length).toBe(4);
    for (const s of secrets) expect(all).not.toContain(s);
    expect(all).toContain('store ready');
  });
});
