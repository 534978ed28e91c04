/**
 * The news service of a running app (roles `all` and `analyzer`): the poller (news/poller.ts) on the
 * configured sources → de-duplication, tags, VADER scores (news/ingest.ts) → the history store (upsert by
 * id) → the bus topic `news` (WebSocket channel `news`; the fleet bus in a fleet) → the burst and
 * sentiment-move detectors (news/aggregate.ts), whose alerts go to the bus topic `alert` like every other
 * alert (stored, webhooks, dashboard). On start it reads the last day of stored news back, so a restart
 * neither re-announces known items nor forgets the detectors' baseline.
 */
import type { Bus } from '../core/bus.ts';
import type { OutputTopics } from '../alerts/topics.ts';
import type { NewsTopics } from '../news/topics.ts';
import type { HistoryStore } from '../store/types.ts';
import type { Logger } from '../util/logger.ts';
import type { NewsConfig } from '../news/config.ts';
import type { NewsItem, NewsSourceStatus } from '../news/types.ts';
import { NewsPoller, type PollSource } from '../news/poller.ts';
import { NewsIngest } from '../news/ingest.ts';
import { AssetTagger, baseOfSymbol, mergeAliases } from '../news/assets.ts';
import { NewsSignals } from '../news/aggregate.ts';
import type { ParsedFeed } from '../news/parse.ts';

/** Items kept for a retry when the store is down (oldest dropped beyond). */
const MAX_PENDING = 5000;
/** Stored news read back at start (seed of de-duplication and detectors), ms. */
const SEED_MS = 26 * 3_600_000;

/**
 * The sources to poll: the configured feeds, plus the CryptoPanic posts API when enabled. A source naming
 * a token variable gets the token from `env`; when the variable is unset it is kept but disabled, with the
 * reason as its last error (so `/api/v1/news/sources` says how to turn it on).
 */
export function pollSources(config: NewsConfig, env: NodeJS.ProcessEnv): PollSource[] {
  const out: PollSource[] = [];
  const withToken = (s: PollSource): PollSource => {
    if (!s.tokenEnv) return s;
    const token = env[s.tokenEnv];
    return token ? { ...s, token } : { ...s, disabledReason: `set ${s.tokenEnv} to poll ${s.id}` };
  };
  for (const s of config.sources) out.push(withToken({ ...s }));
  const cp = config.cryptopanic;
  if (cp.enabled && !out.some((s) => s.id === 'cryptopanic'))
    out.push(
      withToken({
        id: 'cryptopanic',
        kind: 'cryptopanic',
        url: cp.url,
        intervalMs: cp.intervalMs,
        priority: cp.priority,
        tokenEnv: cp.tokenEnv,
        replayed: false,
      }),
    );
  return out;
}

/** Options of {@link NewsService}. */
export interface NewsServiceOptions {
  config: NewsConfig;
  /** Followed instruments (`NewsItem.instruments`, default watched assets). */
  instruments: readonly string[];
  store: HistoryStore;
  bus: Bus<OutputTopics & NewsTopics>;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** Clock (tests). */
  now?: () => number;
}

/** Polls, stores, publishes and watches news. `start()` once, `stop()` at shutdown. */
export class NewsService {
  readonly tagger: AssetTagger;
  readonly poller: NewsPoller;
  readonly signals: NewsSignals;
  private readonly ingest = new NewsIngest();
  private pending: NewsItem[] = [];
  private readonly now: () => number;

  constructor(private readonly o: NewsServiceOptions) {
    const c = o.config;
    this.now = o.now ?? Date.now;
    this.tagger = new AssetTagger(mergeAliases(c.assets));
    const watched =
      c.watch?.map((a) => a.toUpperCase()) ??
      [
        ...new Set(
          o.instruments
            .map((id) => baseOfSymbol(id.slice(id.indexOf(':') + 1)))
            .map((b) => (b === null ? null : this.tagger.assetOfBase(b)))
            .filter((a): a is string => a !== null),
        ),
      ].sort();
    this.signals = new NewsSignals(watched, {
      burst: c.burst,
      move: c.sentimentMove,
      cooldownMs: c.alertCooldownMs,
    });
    this.poller = new NewsPoller({
      sources: pollSources(c, o.env ?? process.env),
      timeoutMs: c.timeoutMs,
      maxBytes: c.maxBytes,
      userAgent: c.userAgent,
      backoff: c.backoff,
      now: this.now,
      onDocument: (src, feed, at) => this.onDocument(src, feed, at),
      onRound: (now) => this.evaluate(now),
      onStateChange: (s, prev) => {
        const line = { source: s.id, url: s.url, from: prev, to: s.state, error: s.lastError };
        const text = `news source ${s.id} ${prev} -> ${s.state}${s.lastError ? `: ${s.lastError}` : ''}`;
        if (s.state === 'ok') o.logger.info(line, text);
        else o.logger.warn(line, text);
      },
    });
  }

  /** Per-source status (for `/api/v1/news/sources`). */
  status(): NewsSourceStatus[] {
    return this.poller.status();
  }

  /** Seed from the store, then start polling. */
  async start(): Promise<void> {
    const { store, logger } = this.o;
    if (!store.upsertNews) logger.warn('the history store keeps no news: items are published, not stored');
    if (store.queryNews) {
      try {
        const seed: NewsItem[] = [];
        let cursor: string | undefined;
        const now = this.now();
        while (seed.length < 20_000) {
          const page = await store.queryNews({
            from: now - SEED_MS,
            limit: 1000,
            ...(cursor ? { cursor } : {}),
          });
          seed.push(...page.items);
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        this.ingest.remember(seed);
        this.signals.add(seed);
      } catch (err) {
        logger.warn({ err }, 'could not read stored news back; starting without it');
      }
    }
    const sources = this.poller.status();
    logger.info(
      { sources: sources.map((s) => ({ id: s.id, url: s.url, enabled: s.enabled })) },
      `news: polling ${sources.filter((s) => s.enabled).length} of ${sources.length} sources`,
    );
    this.poller.start();
  }

  /** Stop polling (a poll in flight is aborted). */
  async stop(): Promise<void> {
    await this.poller.stop();
  }

  private async onDocument(src: PollSource, feed: ParsedFeed, receivedAt: number): Promise<number> {
    const r = this.ingest.ingest(feed.items, {
      source: src.id,
      receivedAt,
      tagger: this.tagger,
      instruments: this.o.instruments,
      ...(src.replayed ? { replayed: true } : {}),
    });
    const { store, bus, logger } = this.o;
    const batch = this.pending.concat(r.fresh, r.updated);
    if (store.upsertNews && batch.length > 0) {
      try {
        await store.upsertNews(batch);
        this.pending = [];
      } catch (err) {
        this.pending = batch.slice(-MAX_PENDING);
        logger.warn({ err, pending: this.pending.length }, 'news store write failed; items kept for retry');
      }
    }
    for (const it of r.fresh) bus.publish('news', it);
    this.signals.add(r.fresh);
    return r.fresh.length;
  }

  private evaluate(now: number): void {
    for (const a of this.signals.evaluate(now)) this.o.bus.publish('alert', a);
  }
}
