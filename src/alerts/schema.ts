/**
 * Alert configuration schema (zod). The YAML config loader validates the `alerts` section with
 * `alertsConfigSchema`; `depthwatch alerts test --rules FILE` validates a rules file with it too.
 */
import { z } from 'zod';
import { resolveMetricName } from '../analytics/types.ts';

/** Book states, as in book/health.ts. */
const bookState = z.enum(['connecting', 'syncing', 'live', 'resyncing', 'stale', 'invalid']);
const severity = z.enum(['info', 'warning', 'critical']);
const nonNeg = z.number().finite().nonnegative();

/** Per-instrument override of a rule (any subset). */
export const ruleOverrideSchema = z.strictObject({
  enabled: z.boolean().optional(),
  threshold: z.number().finite().optional(),
  clearThreshold: z.number().finite().optional(),
  severity: severity.optional(),
  forMs: nonNeg.optional(),
  cooldownMs: nonNeg.optional(),
  minNotional: nonNeg.optional(),
});

const common = {
  /** Unique rule id (used in alert ids, dedup keys and overrides). */
  id: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9_.-]+$/, 'id: letters, digits, _ . - only'),
  description: z.string().optional(),
  enabled: z.boolean().default(true),
  severity: severity.default('warning'),
  /** Condition must hold this long (input time) before firing, ms. */
  forMs: nonNeg.default(0),
  /** Minimum time between two firings of this rule for one subject, ms. */
  cooldownMs: nonNeg.default(60_000),
  /** Subjects (instrument ids or pair names) the rule applies to; omitted = all. */
  instruments: z.array(z.string().min(1)).optional(),
  /** Per-subject overrides, keyed by instrument id or pair name. */
  overrides: z.record(z.string(), ruleOverrideSchema).default({}),
};

/** Comparators: `abs>` compares |value|; `flip` fires when the sign of a strong (|v| ≥ threshold) value changes. */
export const comparatorSchema = z.enum(['>', '>=', '<', '<=', 'abs>', 'abs<', 'flip']);

/** A rule on a metric value: fires when `value comparator threshold`, clears past `clearThreshold`. */
export const metricRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('metric'),
  /**
   * BookMetrics field, analytics value (depthZ, shrinkage, ...), basisBps, divergenceBps, feedAgeMs.
   * Deprecated metric names (`imbalance10`, `bidNotional0_5`, `buyVwap`...) resolve to the current ones.
   */
  metric: z
    .string()
    .min(1)
    .transform((n) => resolveMetricName(n) ?? n),
  comparator: comparatorSchema,
  threshold: z.number().finite(),
  /** Hysteresis: the alert clears only when the value is back past this (default: threshold). */
  clearThreshold: z.number().finite().optional(),
  /** Evaluate only on inputs from a live book (default true; inputs without a state, e.g. basis, always count). */
  requireLive: z.boolean().default(true),
});

/** A rule on the book state: fires while the state is one of `states` for `forMs`. */
export const stateRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('state'),
  states: z.array(bookState).min(1),
});

/** Analytics event names a rule can match. */
export const eventNameSchema = z.enum([
  'wall.appeared',
  'wall.resized',
  'wall.moved',
  'wall.pulled',
  'wall.consumed',
]);

/** A rule on analytics events (wall lifecycle). */
export const eventRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('event'),
  event: eventNameSchema,
  /** Only walls of at least this notional (quote). */
  minNotional: nonNeg.default(0),
  /** Only events with at least this confidence. */
  minConfidence: z.number().min(0).max(1).default(0),
});

/** Any rule. */
export const alertRuleSchema = z.discriminatedUnion('kind', [
  metricRuleSchema,
  stateRuleSchema,
  eventRuleSchema,
]);

/** A webhook target. */
export const webhookSchema = z.strictObject({
  /** http(s) only; redirects are followed on the same origin only (alerts/webhook.ts). */
  url: z.url().refine((u) => /^https?:\/\//i.test(u), 'webhook URLs must be http:// or https://'),
  /** Refuse hosts that resolve to loopback, private, link-local or unique-local addresses (SSRF). */
  denyPrivate: z.boolean().default(false),
  /** Body shape: generic JSON `{ alert }`, Slack incoming webhook, or Discord webhook. */
  format: z.enum(['json', 'slack', 'discord']).default('json'),
  minSeverity: severity.default('info'),
  timeoutMs: z.number().int().positive().default(5_000),
  retries: z.number().int().nonnegative().default(3),
  backoffMs: z.number().int().nonnegative().default(500),
  maxBackoffMs: z.number().int().nonnegative().default(10_000),
  headers: z.record(z.string(), z.string()).default({}),
});

/** The `alerts` config section. */
export const alertsConfigSchema = z.strictObject({
  /** Include the built-in rules (true), none (false), or all but the listed ids. */
  builtins: z.union([z.boolean(), z.strictObject({ disable: z.array(z.string()) })]).default(true),
  /** Extra rules; a rule with a built-in's id replaces it. */
  rules: z.array(alertRuleSchema).default([]),
  /** Identical alerts (same rule, subject and detail) within this window are dropped, ms. */
  dedupWindowMs: nonNeg.default(60_000),
  /** Token bucket over all alerts: `perMinute` refill, `burst` capacity (input time). */
  rateLimit: z
    .strictObject({ perMinute: z.number().positive(), burst: z.number().int().positive() })
    .default({ perMinute: 60, burst: 20 }),
  /** Also emit `resolved` alerts when a metric/state alert clears. */
  notifyResolved: z.boolean().default(false),
  webhooks: z.array(webhookSchema).default([]),
});

export type AlertRule = z.infer<typeof alertRuleSchema>;
export type MetricRule = z.infer<typeof metricRuleSchema>;
export type StateRule = z.infer<typeof stateRuleSchema>;
export type EventRule = z.infer<typeof eventRuleSchema>;
export type RuleOverride = z.infer<typeof ruleOverrideSchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;
export type AlertsConfig = z.infer<typeof alertsConfigSchema>;
/** The config as written (defaults optional). */
export type AlertsConfigInput = z.input<typeof alertsConfigSchema>;

/**
 * The built-in rules (thresholds are starting points; tune per instrument with `overrides`):
 * - `extreme_imbalance`: |imbalanceTopN| > 0.8 for 2 s (clears below 0.6), warning
 * - `imbalance_flip`: top-N imbalance flips sign between |v| ≥ 0.5 readings, info
 * - `spread_widening`: spreadBps > 10 for 1 s (clears at 5), warning
 * - `velocity_spike`: |imbalanceVelocity| > 0.5 /s (clears at 0.3), info
 * - `wall_pulled` / `wall_consumed`: a wall of ≥ 1,000,000 quote pulled / consumed (heuristic), info, at
 *   most one per 10 s per instrument (at 250,000 and no cooldown the offline demo's BTCUSDT fired 36 in
 *   20 s: median pulled wall 469k USDT, so most "walls" were ordinary resting size)
 * - `depth_anomaly`: |depthZ| > 6 (clears at 3), warning
 * - `liquidity_shrinkage`: shrinkage > 0.5 for 10 s (clears at 0.3), warning
 * - `basis_divergence`: |basisBps| > 50 (clears at 30), warning (subject: the pair name)
 * - `venue_divergence`: divergenceBps > 20 (clears at 10), warning (subject: the group name)
 * - `crossed_market`: a consolidated group's crossed market with a net edge (after both taker fees)
 *   crossedEdgeBps > 5 bps, info, cleared when the crossing closes (subject: `<group> <sellOn>><buyOn>`;
 *   evaluated on each crossing event: open, new maximum edge, close)
 * - `book_not_live`: state resyncing/invalid/syncing for 5 s, critical
 * - `stale_feed`: no update for 10 s (feedAgeMs > 10,000), critical
 */
export function builtInRules(): AlertRule[] {
  const raw: unknown[] = [
    {
      id: 'extreme_imbalance',
      kind: 'metric',
      metric: 'imbalanceTopN',
      comparator: 'abs>',
      threshold: 0.8,
      clearThreshold: 0.6,
      forMs: 2_000,
    },
    {
      id: 'imbalance_flip',
      kind: 'metric',
      metric: 'imbalanceTopN',
      comparator: 'flip',
      threshold: 0.5,
      severity: 'info',
      cooldownMs: 30_000,
    },
    {
      id: 'spread_widening',
      kind: 'metric',
      metric: 'spreadBps',
      comparator: '>',
      threshold: 10,
      clearThreshold: 5,
      forMs: 1_000,
    },
    {
      id: 'velocity_spike',
      kind: 'metric',
      metric: 'imbalanceVelocity',
      comparator: 'abs>',
      threshold: 0.5,
      clearThreshold: 0.3,
      severity: 'info',
      cooldownMs: 30_000,
    },
    {
      id: 'wall_pulled',
      kind: 'event',
      event: 'wall.pulled',
      minNotional: 1_000_000,
      severity: 'info',
      cooldownMs: 10_000,
    },
    {
      id: 'wall_consumed',
      kind: 'event',
      event: 'wall.consumed',
      minNotional: 1_000_000,
      severity: 'info',
      cooldownMs: 10_000,
    },
    {
      id: 'depth_anomaly',
      kind: 'metric',
      metric: 'depthZ',
      comparator: 'abs>',
      threshold: 6,
      clearThreshold: 3,
    },
    {
      id: 'liquidity_shrinkage',
      kind: 'metric',
      metric: 'shrinkage',
      comparator: '>',
      threshold: 0.5,
      clearThreshold: 0.3,
      forMs: 10_000,
    },
    {
      id: 'basis_divergence',
      kind: 'metric',
      metric: 'basisBps',
      comparator: 'abs>',
      threshold: 50,
      clearThreshold: 30,
      requireLive: false,
    },
    {
      id: 'venue_divergence',
      kind: 'metric',
      metric: 'divergenceBps',
      comparator: '>',
      threshold: 20,
      clearThreshold: 10,
      requireLive: false,
    },
    {
      id: 'crossed_market',
      kind: 'metric',
      metric: 'crossedEdgeBps',
      comparator: '>',
      threshold: 5,
      clearThreshold: 0.5,
      severity: 'info',
      cooldownMs: 10_000,
      requireLive: false,
    },
    {
      id: 'book_not_live',
      kind: 'state',
      states: ['syncing', 'resyncing', 'invalid'],
      forMs: 5_000,
      severity: 'critical',
    },
    {
      id: 'stale_feed',
      kind: 'metric',
      metric: 'feedAgeMs',
      comparator: '>',
      threshold: 10_000,
      severity: 'critical',
      requireLive: false,
    },
  ];
  return raw.map((r) => alertRuleSchema.parse(r));
}

/**
 * The effective rule list of a parsed config: built-ins (minus disabled ones) with same-id user rules
 * replacing them, then the other user rules.
 * @throws {Error} on duplicate user rule ids
 */
export function resolveRules(cfg: AlertsConfig): AlertRule[] {
  const seen = new Set<string>();
  for (const r of cfg.rules) {
    if (seen.has(r.id)) throw new Error(`duplicate alert rule id "${r.id}"`);
    seen.add(r.id);
  }
  const disabled = typeof cfg.builtins === 'object' ? new Set(cfg.builtins.disable) : new Set<string>();
  const base = cfg.builtins === false ? [] : builtInRules().filter((r) => !disabled.has(r.id));
  const out = base.map((b) => cfg.rules.find((r) => r.id === b.id) ?? b);
  for (const r of cfg.rules) if (!base.some((b) => b.id === r.id)) out.push(r);
  return out;
}
