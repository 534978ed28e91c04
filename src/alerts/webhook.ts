/**
 * Webhook sink: POSTs alerts as generic JSON, a Slack incoming-webhook body (`text` + a mrkdwn section
 * block) or a Discord webhook body (`content` + one embed), with a per-attempt timeout, retries with
 * exponential back-off, and a dead-letter count for alerts that could not be delivered. Uses global fetch.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { retry } from '../util/backoff.ts';
import { redactText } from '../util/redact.ts';
import { SEVERITY_RANK, type Alert } from './types.ts';
import { webhookSchema, type WebhookConfig } from './schema.ts';
import type { z } from 'zod';

/** Delivery counters of one sink. */
export interface WebhookStats {
  /** Alerts handed to the sink (after the severity filter). */
  accepted: number;
  /** Alerts below `minSeverity`, not sent. */
  filtered: number;
  delivered: number;
  /** HTTP attempts made, and how many were retries. */
  attempts: number;
  retries: number;
  /** Alerts given up on (retries exhausted, or a non-retryable 4xx). */
  deadLetter: number;
}

/** Discord embed colours by severity. */
const COLOURS = { info: 0x3498db, warning: 0xf1c40f, critical: 0xe74c3c } as const;
const EMOJI = { info: ':information_source:', warning: ':warning:', critical: ':rotating_light:' } as const;

/** Request body for an alert in the given format. */
export function webhookBody(a: Alert, format: WebhookConfig['format']): unknown {
  const json = { ...a, exchangeTs: Number.isFinite(a.exchangeTs) ? a.exchangeTs : null };
  const when = new Date(a.ts).toISOString();
  const value = a.value === null ? 'n/a' : String(a.value);
  switch (format) {
    case 'json':
      return { alert: json };
    case 'slack': {
      const text = `${EMOJI[a.severity]} *${a.severity.toUpperCase()}* ${a.status === 'resolved' ? '(resolved) ' : ''}${a.message}`;
      return {
        text,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text } },
          {
            type: 'context',
            elements: [
              {
                type: 'mrkdwn',
                text: `${a.instrument} · ${a.metric} = ${value} · book ${a.state ?? 'n/a'} · ${when}`,
              },
            ],
          },
        ],
      };
    }
    case 'discord':
      return {
        content: a.message.slice(0, 2000),
        embeds: [
          {
            title:
              `${a.severity.toUpperCase()} ${a.ruleId}${a.status === 'resolved' ? ' (resolved)' : ''}`.slice(
                0,
                256,
              ),
            description: a.message.slice(0, 4096),
            color: COLOURS[a.severity],
            timestamp: when,
            fields: [
              { name: 'instrument', value: a.instrument, inline: true },
              { name: a.metric, value, inline: true },
              { name: 'book', value: a.state ?? 'n/a', inline: true },
            ],
          },
        ],
      };
  }
}

/** Sends alerts to one webhook URL. */
/** A failed delivery attempt; `retryable` for 408, 429, 5xx, network errors and timeouts. */
class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export class WebhookSink {
  readonly cfg: WebhookConfig;
  readonly stats: WebhookStats = {
    accepted: 0,
    filtered: 0,
    delivered: 0,
    attempts: 0,
    retries: 0,
    deadLetter: 0,
  };
  /** The last dead-lettered alerts (at most 100) with the last error, for inspection. */
  readonly deadLetters: { alert: Alert; error: string }[] = [];
  private readonly inFlight = new Set<Promise<boolean>>();

  /**
   * @param onDeadLetter told of every alert given up on, with the (redacted) reason, for logging
   * @throws {z.ZodError} on an invalid config
   */
  constructor(
    cfg: z.input<typeof webhookSchema>,
    private readonly onDeadLetter?: (a: Alert, error: string) => void,
  ) {
    this.cfg = webhookSchema.parse(cfg);
  }

  /**
   * POST `body`, following at most 3 redirects on the same origin (307/308 keep the POST; 301/302/303 are
   * refused as they would turn it into a GET). A redirect to another origin is refused: the secret headers
   * would go with it.
   * @throws {DeliveryError} not retryable for a refused redirect or a denied address
   */
  private async post(body: string): Promise<Response> {
    const c = this.cfg;
    let url = new URL(c.url);
    for (let hop = 0; ; hop++) {
      if (c.denyPrivate) await refusePrivate(url.hostname);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...c.headers },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(c.timeoutMs),
      });
      if (res.status < 300 || res.status >= 400) return res;
      await res.arrayBuffer().catch(() => undefined);
      const loc = res.headers.get('location');
      const next = loc ? new URL(loc, url) : null;
      if (!next || next.origin !== url.origin)
        throw new DeliveryError(
          `redirect to another host refused (${res.status} to ${next ? redactText(next.origin) : 'nowhere'})`,
          false,
        );
      if (res.status !== 307 && res.status !== 308)
        throw new DeliveryError(`redirect ${res.status} refused (only 307/308 keep the POST)`, false);
      if (hop >= 2) throw new DeliveryError('too many redirects', false);
      url = next;
    }
  }

  /**
   * Send an alert in the background (never throws); see `deliver` for the outcome. Use `flush()` to
   * wait for everything sent so far.
   */
  send(a: Alert): void {
    const p = this.deliver(a);
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /**
   * Deliver one alert: up to 1 + `retries` attempts, each with `timeoutMs`; between attempts the shared
   * back-off (src/util/backoff.ts `retry`: cap `backoffMs` × 2^n up to `maxBackoffMs`, equal jitter). 2xx = delivered; 408, 429, 5xx, network errors and
   * timeouts are retried; other statuses are not.
   * @returns true when delivered, false when filtered or dead-lettered (never throws)
   */
  async deliver(a: Alert): Promise<boolean> {
    const c = this.cfg;
    if (SEVERITY_RANK[a.severity] < SEVERITY_RANK[c.minSeverity]) {
      this.stats.filtered++;
      return false;
    }
    this.stats.accepted++;
    const body = JSON.stringify(webhookBody(a, c.format));
    let error = '';
    try {
      await retry(
        async () => {
          this.stats.attempts++;
          let res: Response;
          try {
            res = await this.post(body);
          } catch (e) {
            if (e instanceof DeliveryError) {
              error = e.message;
              throw e;
            }
            error = redactText(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
            throw new DeliveryError(error, true);
          }
          await res.arrayBuffer().catch(() => undefined);
          if (res.ok) return;
          error = `HTTP ${res.status}`;
          throw new DeliveryError(error, res.status === 408 || res.status === 429 || res.status >= 500);
        },
        {
          attempts: c.retries + 1,
          baseMs: c.backoffMs,
          maxMs: Math.max(c.backoffMs, c.maxBackoffMs),
          jitter: 'equal',
          retryIf: (e) => e instanceof DeliveryError && e.retryable,
          onRetry: () => this.stats.retries++,
        },
      );
      this.stats.delivered++;
      return true;
    } catch {
      // `error` says why the last attempt failed.
    }
    this.stats.deadLetter++;
    this.deadLetters.push({ alert: a, error });
    if (this.deadLetters.length > 100) this.deadLetters.shift();
    this.onDeadLetter?.(a, error);
    return false;
  }

  /** Wait until every alert sent so far is delivered or dead-lettered. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}

/** Whether an address is loopback, private (RFC 1918 / ULA), link-local, CGNAT or unspecified. */
export function isPrivateAddress(ip: string): boolean {
  const v = ip.toLowerCase().replace(/^::ffff:/, '');
  if (isIP(v) === 4) {
    const [a, b] = v.split('.').map(Number) as [number, number];
    return (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  return v === '::1' || v === '::' || /^f[cd]/.test(v) || /^fe[89ab]/.test(v);
}

/** @throws {DeliveryError} (not retryable) when `host` resolves to a private address */
async function refusePrivate(host: string): Promise<void> {
  const h = host.replace(/^\[|\]$/g, '');
  const addrs = isIP(h) ? [h] : (await lookup(h, { all: true })).map((a) => a.address);
  const bad = addrs.find(isPrivateAddress);
  if (bad !== undefined)
    throw new DeliveryError(`webhook host ${host} resolves to private address ${bad} (denyPrivate)`, false);
}
