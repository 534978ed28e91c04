/**
 * Per-asset news aggregates (pure, no I/O; `now` is passed in): rolling sentiment over a window (count-
 * weighted and recency-weighted mean of VADER compound scores), news volume, a sentiment series, and the
 * news-burst and sentiment-move detectors that raise alerts on watched assets.
 *
 * Definitions (times are `publishedAt`, ms since epoch UTC; a window is `(now − windowMs, now]`):
 * - count-weighted mean: the plain mean of the items' compound scores;
 * - recency-weighted mean: Σ wᵢ·cᵢ / Σ wᵢ with wᵢ = 2^(−ageᵢ / halfLife), halfLife = window / 4 (15 min
 *   over 1 h, 6 h over 24 h), so an item loses half its weight every quarter window;
 * - volume: the number of items in the window; positive/negative/neutral: by VADER's ±0.05 thresholds;
 * - burst: at least `minItems` items in the last `windowMs` (default 15 min) and at least `factor` (3)
 *   times the count expected from the asset's rate over the `baselineMs` (24 h) before that window,
 *   with the expected rate floored at one item per `baselineMs` (so a first burst of a quiet asset counts);
 * - sentiment move: over the last hour at least `minItems` items whose recency-weighted mean differs from
 *   the 24 h count-weighted mean by at least `threshold` (default 0.35 on the −1..1 scale).
 * Alerts: one `firing` alert when a condition starts, again only after it has cleared (burst: the count
 * fell below the bar; move: the gap fell below half the threshold) and `cooldownMs` has passed.
 */
import type { Alert, Severity } from '../alerts/types.ts';
import type { NewsItem } from './types.ts';
import { NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD } from './sentiment.ts';

/** The windows the API reports. */
export const SENTIMENT_WINDOWS = { '1h': 3_600_000, '24h': 86_400_000 } as const;

/** A window name: `1h` or `24h`. */
export type SentimentWindowName = keyof typeof SENTIMENT_WINDOWS;

/** What the aggregates read of an item. */
export type ScoredItem = Pick<NewsItem, 'publishedAt' | 'assets' | 'sentiment'>;

/** Rolling sentiment of one asset over one window. */
export interface SentimentWindow {
  /** Items in the window (news volume). */
  count: number;
  /** Count-weighted mean compound, null when no items. */
  mean: number | null;
  /** Recency-weighted mean compound (half-life window/4), null when no items. */
  recencyMean: number | null;
  positive: number;
  negative: number;
  neutral: number;
}

/** Whether `item` is about `asset` (`*` = every item). */
function about(item: ScoredItem, asset: string): boolean {
  return asset === '*' || item.assets.includes(asset);
}

/** Rolling sentiment of `asset` (`*` = all items) over `(now − windowMs, now]`. */
export function sentimentWindow(
  items: readonly ScoredItem[],
  asset: string,
  now: number,
  windowMs: number,
): SentimentWindow {
  const halfLife = windowMs / 4;
  let count = 0;
  let sum = 0;
  let wSum = 0;
  let wcSum = 0;
  let positive = 0;
  let negative = 0;
  for (const it of items) {
    const age = now - it.publishedAt;
    if (!(age >= 0 && age < windowMs) || !about(it, asset)) continue;
    const c = it.sentiment.compound;
    count++;
    sum += c;
    const w = 2 ** (-age / halfLife);
    wSum += w;
    wcSum += w * c;
    if (c >= POSITIVE_THRESHOLD) positive++;
    else if (c <= NEGATIVE_THRESHOLD) negative++;
  }
  return {
    count,
    mean: count ? sum / count : null,
    recencyMean: count && wSum > 0 ? wcSum / wSum : null,
    positive,
    negative,
    neutral: count - positive - negative,
  };
}

/** Burst detector settings. */
export interface BurstOptions {
  /** Recent window, ms (default 15 min). */
  windowMs: number;
  /** Baseline before it, ms (default 24 h). */
  baselineMs: number;
  /** Fewest items in the window (default 3). */
  minItems: number;
  /** Multiple of the expected count (default 3). */
  factor: number;
}

/** Sentiment-move detector settings. */
export interface MoveOptions {
  /** Smallest |1 h recency mean − 24 h mean| that fires (default 0.35). */
  threshold: number;
  /** Fewest items in the last hour (default 3). */
  minItems: number;
}

export const DEFAULT_BURST: BurstOptions = {
  windowMs: 900_000,
  baselineMs: 86_400_000,
  minItems: 3,
  factor: 3,
};
export const DEFAULT_MOVE: MoveOptions = { threshold: 0.35, minItems: 3 };

/** Burst state of one asset at a time. */
export interface BurstState {
  /** Items in the recent window. */
  count: number;
  /** Items expected in such a window from the baseline rate (floored, see the module comment). */
  expected: number;
  /** count / expected. */
  ratio: number;
  /** Whether the burst condition holds. */
  active: boolean;
}

/** Burst state of `asset` (`*` = all items) at `now`. */
export function burstState(
  items: readonly ScoredItem[],
  asset: string,
  now: number,
  o: BurstOptions = DEFAULT_BURST,
): BurstState {
  let recent = 0;
  let base = 0;
  for (const it of items) {
    if (!about(it, asset)) continue;
    const age = now - it.publishedAt;
    if (age >= 0 && age < o.windowMs) recent++;
    else if (age >= o.windowMs && age < o.windowMs + o.baselineMs) base++;
  }
  const expected = (Math.max(1, base) * o.windowMs) / o.baselineMs;
  const ratio = recent / expected;
  return { count: recent, expected, ratio, active: recent >= o.minItems && ratio >= o.factor };
}

/** One point of a sentiment series: a time bucket. */
export interface SentimentPoint {
  /** Bucket start, ms since epoch UTC. */
  ts: number;
  /** Items published in the bucket. */
  count: number;
  /** Mean compound of those items, null when none. */
  mean: number | null;
  /** Recency-weighted 1 h mean as of the bucket's end, null when no item in that hour. */
  rolling1h: number | null;
  /** Count-weighted 24 h mean as of the bucket's end, null when none. */
  rolling24h: number | null;
}

/**
 * Sentiment series of `asset` over `[from, to)` in `bucketMs` buckets (at most 2,000 buckets).
 * @throws {RangeError} when the range is empty or has more than 2,000 buckets
 */
export function sentimentSeries(
  items: readonly ScoredItem[],
  asset: string,
  from: number,
  to: number,
  bucketMs: number,
): SentimentPoint[] {
  if (!(bucketMs > 0) || !(to > from))
    throw new RangeError('sentiment series needs from < to and bucket > 0');
  const first = Math.floor(from / bucketMs) * bucketMs;
  const n = Math.ceil((to - first) / bucketMs);
  if (n > 2000) throw new RangeError(`sentiment series of ${n} buckets: at most 2000 (raise bucket)`);
  const mine = items.filter((it) => about(it, asset)).sort((a, b) => a.publishedAt - b.publishedAt);
  const out: SentimentPoint[] = [];
  for (let i = 0; i < n; i++) {
    const ts = first + i * bucketMs;
    const end = ts + bucketMs;
    let count = 0;
    let sum = 0;
    for (const it of mine) {
      if (it.publishedAt >= end) break;
      if (it.publishedAt >= ts) {
        count++;
        sum += it.sentiment.compound;
      }
    }
    // Windows as of the bucket end: items published before `end`.
    const asOf = end - 1;
    out.push({
      ts,
      count,
      mean: count ? sum / count : null,
      rolling1h: sentimentWindow(mine, asset, asOf, SENTIMENT_WINDOWS['1h']).recencyMean,
      rolling24h: sentimentWindow(mine, asset, asOf, SENTIMENT_WINDOWS['24h']).mean,
    });
  }
  return out;
}

/** Settings of {@link NewsSignals}. */
export interface SignalOptions {
  burst: BurstOptions;
  move: MoveOptions;
  /** Least time between two alerts of one kind for one asset, ms (default 30 min). */
  cooldownMs: number;
  /** Severity of burst alerts (default warning) and sentiment-move alerts (default warning). */
  burstSeverity: Severity;
  moveSeverity: Severity;
}

export const DEFAULT_SIGNALS: SignalOptions = {
  burst: DEFAULT_BURST,
  move: DEFAULT_MOVE,
  cooldownMs: 1_800_000,
  burstSeverity: 'warning',
  moveSeverity: 'warning',
};

interface DetectorState {
  active: boolean;
  lastFired: number;
}

/**
 * Keeps the last 24 h (+ burst window) of items and raises `news_burst` and `news_sentiment_move` alerts
 * for the watched assets (subject `news:<ASSET>`, kind `event`, metric `news.burst` /
 * `news.sentiment_move`). Stateful but pure: `add` items, call `evaluate(now)` (e.g. after each poll).
 */
export class NewsSignals {
  readonly options: SignalOptions;
  private items: ScoredItem[] = [];
  private readonly states = new Map<string, DetectorState>();
  private seq = 0;

  constructor(
    /** Asset codes watched (alerts only for these). */
    readonly watched: readonly string[],
    options: Partial<SignalOptions> = {},
  ) {
    this.options = { ...DEFAULT_SIGNALS, ...options };
  }

  /** Items held (within the retention of the longest window). */
  get size(): number {
    return this.items.length;
  }

  /** The held items (read-only view, in arrival order). */
  get held(): readonly ScoredItem[] {
    return this.items;
  }

  /** Add items (any order). */
  add(items: readonly ScoredItem[]): void {
    for (const it of items) if (Number.isFinite(it.publishedAt)) this.items.push(it);
  }

  /** Drop items too old for any window at `now`. */
  prune(now: number): void {
    const keep = Math.max(
      SENTIMENT_WINDOWS['24h'],
      this.options.burst.windowMs + this.options.burst.baselineMs,
    );
    this.items = this.items.filter((it) => now - it.publishedAt < keep);
  }

  /** Evaluate both detectors for every watched asset at `now`; returns the alerts that fire now. */
  evaluate(now: number): Alert[] {
    this.prune(now);
    const out: Alert[] = [];
    const o = this.options;
    for (const asset of this.watched) {
      const b = burstState(this.items, asset, now, o.burst);
      const bAlert = this.step(
        `burst|${asset}`,
        b.active,
        b.count < o.burst.minItems || b.ratio < o.burst.factor,
        now,
      );
      if (bAlert) {
        const mins = Math.round(o.burst.windowMs / 60_000);
        out.push(
          this.alert(
            'news_burst',
            asset,
            'news.burst',
            o.burstSeverity,
            now,
            b.count,
            o.burst.factor,
            '>=',
            `${b.count} ${asset} news items in ${mins} min (${b.ratio.toFixed(1)}× the expected ${b.expected.toFixed(2)})`,
            { asset, windowMs: o.burst.windowMs, count: b.count, expected: b.expected, ratio: b.ratio },
          ),
        );
      }
      const h = sentimentWindow(this.items, asset, now, SENTIMENT_WINDOWS['1h']);
      const d = sentimentWindow(this.items, asset, now, SENTIMENT_WINDOWS['24h']);
      const gap = h.recencyMean !== null && d.mean !== null ? h.recencyMean - d.mean : null;
      const moving = gap !== null && h.count >= o.move.minItems && Math.abs(gap) >= o.move.threshold;
      const cleared = gap === null || h.count < o.move.minItems || Math.abs(gap) < o.move.threshold / 2;
      if (this.step(`move|${asset}`, moving, cleared, now) && gap !== null) {
        out.push(
          this.alert(
            'news_sentiment_move',
            asset,
            'news.sentiment_move',
            o.moveSeverity,
            now,
            gap,
            o.move.threshold,
            'abs>=',
            `${asset} news sentiment ${gap > 0 ? 'up' : 'down'} ${gap >= 0 ? '+' : ''}${gap.toFixed(2)}: 1 h ${h.recencyMean!.toFixed(2)} (${h.count} items) vs 24 h ${d.mean!.toFixed(2)} (${d.count})`,
            { asset, mean1h: h.recencyMean, count1h: h.count, mean24h: d.mean, count24h: d.count },
          ),
        );
      }
    }
    return out;
  }

  /** Advance one detector; true when it fires now. */
  private step(key: string, holds: boolean, cleared: boolean, now: number): boolean {
    const s = this.states.get(key) ?? { active: false, lastFired: -Infinity };
    this.states.set(key, s);
    if (s.active) {
      if (cleared) s.active = false;
      return false;
    }
    if (!holds || now - s.lastFired < this.options.cooldownMs) return false;
    s.active = true;
    s.lastFired = now;
    return true;
  }

  private alert(
    ruleId: string,
    asset: string,
    metric: string,
    severity: Severity,
    ts: number,
    value: number,
    threshold: number,
    comparator: string,
    text: string,
    details: Record<string, unknown>,
  ): Alert {
    const instrument = `news:${asset}`;
    return {
      id: `${ruleId}:${instrument}:${ts}:${++this.seq}`,
      ruleId,
      kind: 'event',
      status: 'firing',
      severity,
      instrument,
      metric,
      value,
      threshold,
      comparator,
      message: `[${severity}] ${instrument} ${ruleId}: ${text}`,
      ts,
      exchangeTs: NaN,
      state: null,
      sequence: null,
      details,
    };
  }
}
