/**
 * Alert engine (pure, no I/O): evaluates rules on metric inputs, book states and analytics events, with
 * durations (`forMs`), hysteresis (`clearThreshold`), cooldowns, de-duplication and a global rate limit.
 * Time is the inputs' own (local receive) time, so a backtest on a recording fires exactly what live
 * would have fired.
 */
import type { BookState } from '../book/health.ts';
import type { AnalyticsEvent } from '../analytics/instrument.ts';
import type { Alert, AlertInput, Severity } from './types.ts';
import {
  alertsConfigSchema,
  resolveRules,
  type AlertRule,
  type AlertsConfig,
  type AlertsConfigInput,
  type EventRule,
  type MetricRule,
  type StateRule,
} from './schema.ts';

/** Counters of the engine. */
export interface AlertStats {
  /** Alerts emitted (firing + resolved). */
  emitted: number;
  /** Suppressed as duplicates within the dedup window. */
  deduplicated: number;
  /** Suppressed because the rule's cooldown had not elapsed. */
  cooledDown: number;
  /** Dropped by the rate limit. */
  rateLimited: number;
}

/** A rule with one subject's overrides applied. */
type Effective<R extends AlertRule> = R & { enabled: boolean };

interface RuleState {
  /** Input time the condition started holding, NaN when not holding. */
  pendingSince: number;
  active: boolean;
  lastFired: number;
  /** flip: sign of the last strong value (0 none). */
  lastSign: number;
}

interface Subject {
  lastTs: number;
  state: BookState | null;
  sequence: number | null;
  exchangeTs: number;
}

/** Evaluates alert rules; emits Alert objects to `emit`. */
export class AlertEngine {
  readonly config: AlertsConfig;
  readonly rules: readonly AlertRule[];
  readonly stats: AlertStats = { emitted: 0, deduplicated: 0, cooledDown: 0, rateLimited: 0 };
  private readonly metricRules: MetricRule[];
  private readonly stateRules: StateRule[];
  private readonly eventRules: EventRule[];
  private readonly effective = new Map<string, Effective<AlertRule>>();
  private readonly states = new Map<string, RuleState>();
  private readonly subjects = new Map<string, Subject>();
  private readonly lastKeyTs = new Map<string, number>();
  private tokens: number;
  private tokensTs = NaN;
  private seq = 0;

  /**
   * @param config the `alerts` section (validated here with alertsConfigSchema)
   * @param emit receives every alert
   * @throws {z.ZodError} on an invalid config; {Error} on duplicate rule ids
   */
  constructor(
    config: AlertsConfigInput | AlertsConfig,
    private readonly emit: (a: Alert) => void,
  ) {
    this.config = alertsConfigSchema.parse(config);
    this.rules = resolveRules(this.config);
    this.metricRules = this.rules.filter((r): r is MetricRule => r.kind === 'metric' && r.enabled);
    this.stateRules = this.rules.filter((r): r is StateRule => r.kind === 'state' && r.enabled);
    this.eventRules = this.rules.filter((r): r is EventRule => r.kind === 'event' && r.enabled);
    this.tokens = this.config.rateLimit.burst;
  }

  /** The rule as it applies to `subject` (overrides merged; `enabled` false when not applicable). */
  private eff<R extends AlertRule>(rule: R, subject: string): Effective<R> {
    const k = `${rule.id}|${subject}`;
    let e = this.effective.get(k);
    if (!e) {
      const o = rule.overrides[subject] ?? {};
      const applies = rule.instruments === undefined || rule.instruments.includes(subject);
      e = { ...rule, ...o, enabled: rule.enabled && applies && o.enabled !== false } as Effective<AlertRule>;
      this.effective.set(k, e);
    }
    return e as Effective<R>;
  }

  private ruleState(ruleId: string, subject: string): RuleState {
    const k = `${ruleId}|${subject}`;
    let s = this.states.get(k);
    if (!s) this.states.set(k, (s = { pendingSince: NaN, active: false, lastFired: -Infinity, lastSign: 0 }));
    return s;
  }

  /**
   * Evaluate metric and state rules on one input (typically each metrics sample, or cross-instrument
   * values under a pair name). `feedAgeMs` reads 0 on an input unless given (an input is fresh data).
   */
  evaluate(input: AlertInput): void {
    const subj = input.instrument;
    let s = this.subjects.get(subj);
    if (!s) this.subjects.set(subj, (s = { lastTs: input.ts, state: null, sequence: null, exchangeTs: NaN }));
    s.lastTs = Math.max(s.lastTs, input.ts);
    if (input.state !== null) s.state = input.state;
    s.sequence = input.sequence;
    s.exchangeTs = input.exchangeTs;
    const metrics = input.metrics as Record<string, unknown> | undefined;
    const extra = input.extra;
    for (const rule of this.metricRules) {
      let v: unknown = extra?.[rule.metric];
      if (v === undefined && metrics) v = metrics[rule.metric];
      if (v === undefined && rule.metric === 'feedAgeMs') v = 0;
      if (v === undefined) continue;
      this.evalMetric(rule, input, typeof v === 'number' ? v : null);
    }
    if (input.state !== null) for (const rule of this.stateRules) this.evalState(rule, input);
  }

  /**
   * Advance time without data: evaluates `feedAgeMs` (now - last input of each subject) and the state
   * rules of every known subject. Call periodically (live) or on each replayed frame (backtest).
   * @param now local time, ms
   */
  tick(now: number): void {
    for (const [subj, s] of this.subjects) {
      const base = { instrument: subj, ts: now, exchangeTs: NaN, state: s.state, sequence: s.sequence };
      const age = now - s.lastTs;
      for (const rule of this.metricRules) {
        if (rule.metric === 'feedAgeMs') this.evalMetric(rule, base, age);
      }
      if (s.state !== null) for (const rule of this.stateRules) this.evalState(rule, base);
    }
  }

  /** Forget a subject's staleness tracking (instrument removed). */
  forget(subject: string): void {
    this.subjects.delete(subject);
  }

  private evalMetric(rule0: MetricRule, input: AlertInput, v: number | null): void {
    const rule = this.eff(rule0, input.instrument);
    if (!rule.enabled) return;
    const st = this.ruleState(rule.id, input.instrument);
    if (
      v === null ||
      Number.isNaN(v) ||
      (rule.requireLive && input.state !== null && input.state !== 'live')
    ) {
      st.pendingSince = NaN;
      return;
    }
    const t = rule.threshold;
    if (rule.comparator === 'flip') {
      if (Math.abs(v) < t || v === 0) return;
      const sign = v > 0 ? 1 : -1;
      const prev = st.lastSign;
      st.lastSign = sign;
      if (prev !== 0 && prev !== sign) {
        this.fire(
          rule,
          st,
          input,
          v,
          `${rule.metric} flipped ${prev > 0 ? '+' : '-'}→${sign > 0 ? '+' : '-'} (${fmt(v)}, |v| ≥ ${t})`,
          `${sign}`,
        );
      }
      return;
    }
    const clear = rule.clearThreshold ?? t;
    const holds = compare(rule.comparator, v, t);
    if (st.active) {
      // hysteresis: stays active until the value is back past the clear threshold
      if (!holds && clearedBy(rule.comparator, v, clear)) {
        st.active = false;
        st.pendingSince = NaN;
        this.resolve(rule, input, v);
      }
      return;
    }
    if (!holds) {
      st.pendingSince = NaN;
      return;
    }
    if (Number.isNaN(st.pendingSince)) st.pendingSince = input.ts;
    if (input.ts - st.pendingSince < rule.forMs) return;
    this.fire(
      rule,
      st,
      input,
      v,
      `${rule.metric} ${fmt(v)} ${rule.comparator} ${t}${rule.forMs > 0 ? ` for ${rule.forMs} ms` : ''}`,
      '',
    );
  }

  private evalState(rule0: StateRule, input: AlertInput): void {
    const rule = this.eff(rule0, input.instrument);
    if (!rule.enabled || input.state === null) return;
    const st = this.ruleState(rule.id, input.instrument);
    const holds = rule.states.includes(input.state);
    if (!holds) {
      st.pendingSince = NaN;
      if (st.active) {
        st.active = false;
        this.resolve(rule, input, null);
      }
      return;
    }
    if (st.active) return;
    if (Number.isNaN(st.pendingSince)) st.pendingSince = input.ts;
    if (input.ts - st.pendingSince < rule.forMs) return;
    this.fire(rule, st, input, null, `book ${input.state} for ${input.ts - st.pendingSince} ms`, input.state);
  }

  /** Evaluate event rules on an analytics event (wall lifecycle). */
  onEvent(e: AnalyticsEvent): void {
    const name = `wall.${e.kind}`;
    for (const rule0 of this.eventRules) {
      if (rule0.event !== name) continue;
      const rule = this.eff(rule0, e.instrument);
      if (!rule.enabled || e.notional < rule.minNotional || e.confidence < rule.minConfidence) continue;
      const st = this.ruleState(rule.id, e.instrument);
      const input: AlertInput = {
        instrument: e.instrument,
        ts: e.ts,
        exchangeTs: NaN,
        state: e.state,
        sequence: e.sequence,
      };
      const msg = `${e.side} wall ${e.kind} at ${e.price} (${fmt(e.prevSize ?? e.size)} base, ${fmt(e.notional)} quote, traded ${fmt(e.tradedSize)}, confidence ${e.confidence}, heuristic)`;
      this.fire(rule, st, input, e.notional, msg, `${e.side}@${e.price}`, {
        side: e.side,
        price: e.price,
        prevPrice: e.prevPrice,
        size: e.size,
        prevSize: e.prevSize,
        tradedSize: e.tradedSize,
        ageMs: e.ageMs,
        confidence: e.confidence,
        heuristic: true,
      });
    }
  }

  private fire(
    rule: Effective<AlertRule>,
    st: RuleState,
    input: AlertInput,
    value: number | null,
    message: string,
    detailKey: string,
    details?: Record<string, unknown>,
  ): void {
    const now = input.ts;
    if (now - st.lastFired < rule.cooldownMs) {
      this.stats.cooledDown++;
      return; // metric/state rules stay pending and fire once the cooldown has elapsed
    }
    const key = `${rule.id}|${input.instrument}|${detailKey}`;
    const last = this.lastKeyTs.get(key);
    if (last !== undefined && now - last < this.config.dedupWindowMs && rule.kind === 'event') {
      this.stats.deduplicated++;
      return;
    }
    if (!this.take(now)) {
      this.stats.rateLimited++;
      return;
    }
    st.lastFired = now;
    st.active = rule.kind !== 'event' && !(rule.kind === 'metric' && rule.comparator === 'flip');
    this.lastKeyTs.set(key, now);
    this.out(rule, input, 'firing', value, message, details);
  }

  private resolve(rule: Effective<AlertRule>, input: AlertInput, value: number | null): void {
    if (!this.config.notifyResolved) return;
    this.out(rule, input, 'resolved', value, `${rule.id} resolved`, undefined);
  }

  private out(
    rule: Effective<AlertRule>,
    input: AlertInput,
    status: Alert['status'],
    value: number | null,
    message: string,
    details: Record<string, unknown> | undefined,
  ): void {
    const m = rule.kind === 'metric' ? rule : null;
    const a: Alert = {
      id: `${rule.id}:${input.instrument}:${input.ts}:${++this.seq}`,
      ruleId: rule.id,
      kind: rule.kind,
      status,
      severity: rule.severity as Severity,
      instrument: input.instrument,
      metric: m ? m.metric : rule.kind === 'event' ? rule.event : 'state',
      value,
      threshold: m ? m.threshold : rule.kind === 'event' ? rule.minNotional : null,
      comparator: m ? m.comparator : rule.kind === 'event' ? '>=' : null,
      message: `[${rule.severity}] ${input.instrument} ${rule.id}: ${message}`,
      ts: input.ts,
      exchangeTs: input.exchangeTs,
      state: input.state,
      sequence: input.sequence,
      ...(details ? { details } : {}),
    };
    this.stats.emitted++;
    this.emit(a);
  }

  /** Token bucket on input time. */
  private take(now: number): boolean {
    const rl = this.config.rateLimit;
    if (!Number.isNaN(this.tokensTs) && now > this.tokensTs)
      this.tokens = Math.min(rl.burst, this.tokens + ((now - this.tokensTs) / 60_000) * rl.perMinute);
    if (Number.isNaN(this.tokensTs) || now > this.tokensTs) this.tokensTs = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

function compare(c: MetricRule['comparator'], v: number, t: number): boolean {
  switch (c) {
    case '>':
      return v > t;
    case '>=':
      return v >= t;
    case '<':
      return v < t;
    case '<=':
      return v <= t;
    case 'abs>':
      return Math.abs(v) > t;
    case 'abs<':
      return Math.abs(v) < t;
    case 'flip':
      return false;
  }
}

/** True when `v` is back past the clear threshold (the opposite side of the comparator). */
function clearedBy(c: MetricRule['comparator'], v: number, clear: number): boolean {
  switch (c) {
    case '>':
    case '>=':
      return v <= clear;
    case '<':
    case '<=':
      return v >= clear;
    case 'abs>':
      return Math.abs(v) <= clear;
    case 'abs<':
      return Math.abs(v) >= clear;
    case 'flip':
      return true;
  }
}

function fmt(x: number): string {
  return Math.abs(x) >= 1000 ? x.toFixed(0) : Number(x.toPrecision(4)).toString();
}
