/**
 * Webhook sink: POSTs alerts as generic JSON, a Slack incoming-webhook body (`text` + a mrkdwn section
 * block) or a Discord webhook body (`content` + one embed), with a per-attempt timeout, retries with
 * exponential back-off, and a dead-letter count for alerts that could not be delivered. Uses global fetch.
 */
import { retry } from '../util/backoff.ts';
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

  /** @throws {z.ZodError} on an invalid config */
  constructor(cfg: z.input<typeof webhookSchema>) {
    this.cfg = webhookSchema.parse(cfg);
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
            res = await fetch(c.url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...c.headers },
              body,
              signal: AbortSignal.timeout(c.timeoutMs),
            });
          } catch (e) {
            error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
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
    return false;
  }

  /** Wait until every alert sent so far is delivered or dead-lettered. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
