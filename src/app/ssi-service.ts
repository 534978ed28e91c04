/**
 * The Vietnamese market service: SSI FastConnect Data stream (live/ssi/client.ts) → SSI parser
 * (feeds/ssi/parser.ts) → market state and analytics (analytics/ssi/market.ts) → bus topics
 * `ssi.market`, `ssi.foreign`, `ssi.index` (the WS hub's `market`, `foreign`, `index` channels, throttled
 * per client, 500 ms by default), every classified print on the bus topic `trade` (the `trades` channel
 * and the stores' trade history, as any venue's trades: `/api/v1/history/trades?instrument=ssi:VCB`) and
 * alerts (the `ssi_*` built-in rules on analytics/ssi/signals.ts
 * values, published on the bus topic `alert` like every alert, so they reach the WS `alerts` channel and
 * the store). With a record directory, every message is appended to `ssi-<start ms>.jsonl` as
 * `{DataType, Content, localTs}` lines, which `depthwatch replay --venue ssi` reads.
 *
 * Bad messages are dropped and counted by code (`stats.dropped`), never thrown. The SSI alert rules run
 * on their own AlertEngine without `tick`, so the crypto books' `stale_feed` rule never applies to SSI
 * symbols (an illiquid stock may be silent for minutes).
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Bus } from '../core/bus.ts';
import { MalformedFrameError } from '../core/errors.ts';
import type { Logger } from '../util/logger.ts';
import type { SsiConfig } from '../config/ssi.ts';
import type { AlertsConfig } from '../alerts/schema.ts';
import { AlertEngine } from '../alerts/engine.ts';
import type { Alert } from '../alerts/types.ts';
import type { Trade } from '../core/model.ts';
import { SsiParser } from '../feeds/ssi/parser.ts';
import { SsiMarket, type SsiChange } from '../analytics/ssi/market.ts';
import { BreadthThrust, ssiSignals } from '../analytics/ssi/signals.ts';
import { foreignView, indexView, marketRowView, type SsiTopics } from '../analytics/ssi/views.ts';
import { SsiStreamClient, type SsiCredentials } from '../live/ssi/client.ts';
import { RestLimiter } from '../live/rest-limiter.ts';
import { ssiRecordLine } from '../replay/ssi.ts';

/** Options of the service. */
export interface SsiServiceOptions {
  readonly config: SsiConfig;
  /** The app bus (SSI topics, `alert`, and `trade` for the classified prints). */
  readonly bus: Bus<SsiTopics & { alert: Alert; trade: Trade }>;
  /** The `alerts` section (the SSI rules' thresholds and overrides); null: no SSI alerts. */
  readonly alerts: AlertsConfig | null;
  readonly logger?: Logger;
  /** Credentials (default: from the env variables the config names); required to start the stream. */
  readonly credentials?: SsiCredentials | null;
  /** Record the messages to this directory. */
  readonly recordDir?: string;
}

/** Counters of the service (no secret). */
export interface SsiServiceStats {
  messages: number;
  dropped: Record<string, number>;
  alerts: number;
}

/** The running service (see module comment). */
export class SsiService {
  readonly market: SsiMarket;
  readonly parser = new SsiParser();
  readonly stats: SsiServiceStats = { messages: 0, dropped: {}, alerts: 0 };
  private readonly thrust = new BreadthThrust();
  private readonly printSeq = new Map<string, number>();
  private readonly alerts: AlertEngine | null;
  private client: SsiStreamClient | null = null;
  private recorder: WriteStream | null = null;
  /** The file messages are recorded to (null without a record directory). */
  readonly recordPath: string | null = null;

  constructor(private readonly o: SsiServiceOptions) {
    this.market = new SsiMarket({ foreignWindowMs: o.config.foreignWindowMs });
    this.alerts = o.alerts
      ? new AlertEngine(o.alerts, (a) => {
          this.stats.alerts++;
          o.bus.publish('alert', a);
        })
      : null;
    if (o.recordDir) {
      mkdirSync(o.recordDir, { recursive: true });
      this.recordPath = join(o.recordDir, `ssi-${Date.now()}.jsonl`);
      this.recorder = createWriteStream(this.recordPath, { flags: 'a' });
    }
  }

  /**
   * Take one message (live or replayed): parse, apply, publish, evaluate alerts, record.
   * @param content the `Content` JSON string as received
   * @param receivedAt local receive time, ms since epoch UTC
   */
  ingest(dataType: string, content: string, receivedAt: number): void {
    this.recorder?.write(ssiRecordLine(dataType, content, receivedAt) + '\n');
    let events;
    try {
      events = this.parser.parseMessage(dataType, content, receivedAt);
    } catch (e) {
      if (!(e instanceof MalformedFrameError)) throw e;
      this.stats.dropped[e.code] = (this.stats.dropped[e.code] ?? 0) + 1;
      return;
    }
    this.stats.messages++;
    let last: SsiChange | null = null;
    for (const ev of events) {
      const c = this.market.apply(ev);
      if (c) last = c;
      if (c?.trade && ev.type === 'ssi_trade') {
        // The print as a normalized trade (wire decimals, classified side): the `trades` WS channel,
        // the trade history of the store and the cache take it like any venue's trade. Id: the
        // cumulative session volume for X prints (unique per session), else a per-symbol sequence.
        const seq = (this.printSeq.get(ev.symbol) ?? 0) + 1;
        this.printSeq.set(ev.symbol, seq);
        this.o.bus.publish('trade', {
          type: 'trade',
          instrument: ev.instrument,
          exchangeTs: ev.exchangeTs,
          localTs: receivedAt,
          id: `${c.trade.session}:${ev.totalVol !== '' ? `v${ev.totalVol}` : `n${seq}`}`,
          price: ev.price,
          size: ev.size,
          side: c.trade.side,
        });
      }
    }
    // One publication per message: the events of one message change one instrument.
    if (last) this.publish(last, receivedAt);
  }

  private publish(c: SsiChange, receivedAt: number): void {
    const m = this.market;
    const symbol = c.instrument.slice('ssi:'.length);
    const bus = this.o.bus;
    if (c.channel === 'market') {
      const r = m.row(symbol);
      if (r) bus.publish('ssi.market', marketRowView(r));
    } else if (c.channel === 'foreign') {
      const f = m.foreign.symbol(symbol);
      const t = m.foreign.total();
      if (f) bus.publish('ssi.foreign', foreignView(f));
      if (t) bus.publish('ssi.foreign', foreignView(t));
    } else {
      const s = m.indices.get(symbol);
      if (s) bus.publish('ssi.index', indexView(s));
    }
    if (this.alerts)
      for (const sig of ssiSignals(c, m, this.thrust))
        this.alerts.evaluate({
          instrument: sig.instrument,
          ts: receivedAt,
          exchangeTs: sig.exchangeTs,
          state: null,
          sequence: null,
          extra: sig.extra,
        });
  }

  /**
   * Start the live stream.
   * @throws {Error} when no credentials are configured (names the env variables, never a value)
   */
  async start(): Promise<void> {
    const cfg = this.o.config;
    const creds =
      this.o.credentials ??
      (process.env[cfg.consumerIdEnv] && process.env[cfg.consumerSecretEnv]
        ? { consumerID: process.env[cfg.consumerIdEnv]!, consumerSecret: process.env[cfg.consumerSecretEnv]! }
        : null);
    if (!creds)
      throw new Error(`SSI feed enabled but ${cfg.consumerIdEnv} / ${cfg.consumerSecretEnv} are not set`);
    const log = this.o.logger;
    this.client = new SsiStreamClient({
      streamUrl: cfg.streamUrl,
      restUrl: cfg.restUrl,
      credentials: creds,
      channels: cfg.channels,
      limiter: new RestLimiter({ weightPerMinute: cfg.restPerMinute }),
      onMessage: (dt, content, at) => this.ingest(dt, content, at),
      onError: (e) => log?.warn({ venue: 'ssi', err: e.message }, 'SSI stream error'),
      ...(log ? { logger: log } : {}),
    });
    await this.client.start();
  }

  /** The live client's counters (null before start). */
  clientStats(): SsiStreamClient['stats'] | null {
    return this.client?.stats ?? null;
  }

  /** Stop the stream and close the recorder. */
  async stop(): Promise<void> {
    this.client?.stop();
    this.client = null;
    const r = this.recorder;
    this.recorder = null;
    if (r) await new Promise<void>((done) => r.end(done));
  }
}
