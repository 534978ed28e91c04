/**
 * The `consolidated` and `watchlist` config sections and the `--consolidate NAME=member,member,...` CLI
 * flag, turned into the consolidation stage's options (analytics/consolidated/stage.ts).
 */
import type { ConsolidationGroupConfig, ConsolidationOptions } from '../analytics/consolidated/stage.ts';
import type { AppConfig } from './schema.ts';

/**
 * Parse `--consolidate` values (`BTC-USD=binance:BTCUSDT,okx:BTC-USDT`), each a group.
 * @returns group name → member ids
 * @throws {Error} with a one-line message naming the bad value and the expected form
 */
export function parseConsolidateArgs(values: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of values) {
    const m = /^([A-Za-z0-9._-]+)=(.+)$/.exec(v.trim());
    const members = m
      ? m[2]!
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0)
      : [];
    if (!m || members.length === 0 || members.some((id) => !/^[a-z0-9-]+:[A-Za-z0-9_./-]+$/.test(id)))
      throw new Error(
        `--consolidate expects NAME=venue:SYMBOL,venue:SYMBOL,... (e.g. BTC-USD=binance:BTCUSDT,okx:BTC-USDT), got "${v}"`,
      );
    out[m[1]!] = members;
  }
  return out;
}

/** The configured groups in the stage's shape. */
export function consolidationGroups(config: Pick<AppConfig, 'consolidated'>): ConsolidationGroupConfig[] {
  return Object.entries(config.consolidated).map(([name, g]) =>
    Array.isArray(g)
      ? { name, members: g }
      : {
          name,
          members: g.members,
          ...(g.quote !== undefined ? { quote: g.quote } : {}),
          ...(g.rates !== undefined ? { rates: g.rates } : {}),
          ...(g.conversions !== undefined ? { conversions: g.conversions } : {}),
          ...(g.fees !== undefined ? { fees: g.fees } : {}),
          ...(g.routeQuantity !== undefined ? { routeQuantity: g.routeQuantity } : {}),
          ...(g.sharePct !== undefined ? { sharePct: g.sharePct } : {}),
          ...(g.minEdgeBps !== undefined ? { minEdgeBps: g.minEdgeBps } : {}),
          ...(g.crossKinds !== undefined ? { crossKinds: g.crossKinds } : {}),
          ...(g.heatmap !== undefined ? { heatmap: g.heatmap } : {}),
          ...(g.memberHeatmaps !== undefined ? { memberHeatmaps: g.memberHeatmaps } : {}),
        },
  );
}

/**
 * The consolidation stage's options from the config: the groups and the watchlist's session clock and
 * named lists (one mapping for `run`/`demo` and `serve`).
 */
export function consolidationOptions(
  config: Pick<AppConfig, 'consolidated' | 'watchlist'>,
): Pick<ConsolidationOptions, 'groups' | 'watchlist'> {
  return {
    groups: consolidationGroups(config),
    watchlist: {
      clock: { timeZone: config.watchlist.timeZone, sessionStart: config.watchlist.sessionStart },
      lists: config.watchlist.lists,
    },
  };
}
