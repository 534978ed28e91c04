/**
 * `depthwatch replay REC... [--speed max|N] [--json] [--venue ID] [--from ISO|ms] [--to ISO|ms] [--quiet]
 *   [--store duckdb:<path>|postgres://...]`
 *
 * Replays recordings (files or directories, any format openRecording() reads) through the engine and
 * prints, per instrument: frames, diffs applied, gaps, resyncs, dropped frames, oracle checks, checksum
 * checks and the final state. With `--json`, stdout carries exactly one JSON object (ReplaySummary plus a
 * `recording` block of reader counters); progress always goes to stderr (a bar on a TTY, otherwise a
 * plain line every ~10% of the bytes read).
 *
 * With `--store`, the replay also writes history into that store, as a live analyzer does but on
 * recorded time (1 s metric samples, every trade, top-50 book snapshots every 10 s, heatmap runs): a
 * backfill from recordings. Retention is off for it (recorded rows are usually older than any retention
 * window and would be deleted at once). The summary then names the store and its rows per table.
 *
 * Exit codes: 0 done, 1 the recording cannot be read, 2 usage error.
 */
import type { Command } from 'commander';
import { resolveVenueId } from '../util/venue-ids.ts';
import { parseUtcTime } from '../util/time.ts';
import { progressReporter } from './progress.ts';
import { redactText } from '../util/redact.ts';
import { parseConsolidateArgs } from '../config/consolidation.ts';

/**
 * Parse a `--from`/`--to` value: ms since epoch UTC or an ISO 8601 date(-time), zone-less read as UTC
 * (util/time.ts, the same parser as the API's).
 * @returns ms since epoch UTC, or NaN when the text is neither
 */
export function parseTimeArg(text: string): number {
  return parseUtcTime(text);
}

/**
 * Parse `--from` / `--to` (see parseTimeArg) and check the range.
 * @param usage called with the message of a bad value or an inverted range (it throws / exits)
 * @returns ms since epoch UTC, undefined where not given
 */
export function parseTimeRange(
  o: { from?: string; to?: string },
  usage: (msg: string) => never,
): { from: number | undefined; to: number | undefined } {
  const from = o.from === undefined ? undefined : parseTimeArg(o.from);
  const to = o.to === undefined ? undefined : parseTimeArg(o.to);
  if (from !== undefined && Number.isNaN(from))
    usage(`--from must be an ISO date-time or ms, got "${o.from}"`);
  if (to !== undefined && Number.isNaN(to)) usage(`--to must be an ISO date-time or ms, got "${o.to}"`);
  if (from !== undefined && to !== undefined && to < from) usage('--to is before --from');
  return { from, to };
}

/**
 * Parse a `--speed` value: `max` or a positive number (multiple of real time), with an optional `x`.
 * @returns the speed, or null when invalid
 */
export function parseSpeedArg(text: string): 'max' | number | null {
  if (text === 'max') return 'max';
  const n = Number(text.replace(/x$/i, ''));
  return Number.isFinite(n) && n > 0 ? n : null;
}

interface ReplayCliOptions {
  speed: string;
  json?: boolean;
  venue?: string;
  from?: string;
  to?: string;
  quiet?: boolean;
  store?: string;
  consolidate?: string[];
}

/** Register the command on the program. */
export function register(program: Command): void {
  program
    .command('replay')
    .description(
      'replay recordings (hftbacktest .gz, cryptofeed raw files, depthwatch recordings, Tardis CSV, LOBSTER pairs) through the engine',
    )
    .argument('<recordings...>', 'recording files or directories')
    .option('--speed <max|N>', 'as fast as possible, or N times real time', 'max')
    .option('--json', 'print one JSON object with the results on stdout')
    .option(
      '--venue <id>',
      'venue id (or alias) for recordings whose format does not tell it',
      resolveVenueId,
    )
    .option('--from <iso|ms>', 'start of the time range (earlier frames only warm the books up)')
    .option('--to <iso|ms>', 'end of the time range')
    .option('--quiet', 'no progress output on stderr')
    .option('--store <url>', 'also write the history into this store: duckdb:<path> or postgres://...')
    .option(
      '--consolidate <NAME=members...>',
      'consolidate instruments into one book, e.g. BTC-USD=binance:BTCUSDT,binance-usdm:BTCUSDT (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .action(async (paths: string[], o: ReplayCliOptions, cmd: Command) => {
      const usage = (msg: string): never =>
        cmd.error(`error: ${msg}`, { exitCode: 2, code: 'depthwatch.usage' });
      const speed = parseSpeedArg(o.speed);
      if (speed === null) usage(`--speed must be "max" or a positive number, got "${o.speed}"`);
      const { from, to } = parseTimeRange(o, usage);
      if (o.store !== undefined && !/^(duckdb:.+|postgres(ql)?:\/\/.+)$/.test(o.store))
        usage(`--store must be duckdb:<path> or postgres://..., got "${redactText(o.store)}"`);
      let groups: Record<string, string[]> = {};
      try {
        groups = parseConsolidateArgs(o.consolidate ?? []);
      } catch (e) {
        usage((e as Error).message);
      }
      if (o.venue === 'ssi') {
        await runSsiReplay(paths, o.json === true);
        return;
      }
      await runReplay(paths, { ...o, speed: speed!, from, to, groups });
    });
}

/**
 * `replay --venue ssi FILE.jsonl…`: SSI FastConnect Data recordings (JSON lines of the `{DataType,
 * Content}` envelope) through the SSI parser and market state (replay/ssi.ts); `--json` prints the
 * summary object. Exit code 1 when a file cannot be read.
 */
async function runSsiReplay(paths: string[], json: boolean): Promise<void> {
  const { replaySsi, formatSsiSummary } = await import('../replay/ssi.ts');
  let summary;
  try {
    ({ summary } = await replaySsi(paths));
  } catch (e) {
    process.stderr.write(`depthwatch replay: ${(e as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write((json ? JSON.stringify(summary, jsonSafe) : formatSsiSummary(summary)) + '\n');
}

async function runReplay(
  paths: string[],
  o: {
    speed: 'max' | number;
    json?: boolean;
    venue?: string;
    from?: number;
    to?: number;
    quiet?: boolean;
    store?: string;
    groups?: Record<string, string[]>;
  },
): Promise<void> {
  const { openRecording } = await import('../recording/open.ts');
  const { RecordingError } = await import('../recording/lines.ts');
  const { Replay, recordingReference } = await import('../replay/replay.ts');
  const { summarize, summarizeConsolidated } = await import('../replay/summary.ts');
  const groups = Object.entries(o.groups ?? {}).map(([name, members]) => ({ name, members }));
  let replay;
  let recording;
  let reference;
  try {
    recording = await openRecording(paths, o.venue ? { venue: o.venue } : {});
    // The recording's instrument metadata (cryptofeed X.0) before the pipeline: the analytics and the
    // consolidated groups follow these specs; instruments without get the documented fallback.
    reference = await recordingReference(recording);
    const instruments = reference.catalog;
    replay = new Replay(recording, {
      speed: o.speed,
      ...(o.venue ? { venue: o.venue } : {}),
      ...(o.from !== undefined ? { from: o.from } : {}),
      ...(o.to !== undefined ? { to: o.to } : {}),
      ...(o.quiet ? {} : { onProgress: await progressReporter('replay') }),
      engine: {
        instruments,
        ...(groups.length > 0 ? { consolidation: { groups, watchlist: false as const } } : {}),
      },
    });
  } catch (e) {
    if (e instanceof RecordingError) {
      process.stderr.write(`depthwatch replay: ${e.message}\n`);
      process.exitCode = e.code === 'usage' ? 2 : 1;
      return;
    }
    throw e;
  }
  const crossed: import('../analytics/consolidated/arbitrage.ts').CrossedMarket[] = [];
  replay.bus.subscribe('arbitrage', (e) => crossed.push(e));
  // The store is checked before anything is read: a dead server fails here, in one line.
  let history: Awaited<ReturnType<typeof openHistory>> | null = null;
  if (o.store) {
    try {
      history = await openHistory(o.store, replay);
    } catch (e) {
      process.stderr.write(`depthwatch replay: ${redactText((e as Error).message)}
`);
      process.exitCode = 1;
      return;
    }
  }
  const onSig = (): void => replay.stop();
  process.once('SIGINT', onSig);
  let result;
  let stored: { url: string; rows: Record<string, number> } | null = null;
  try {
    result = await replay.run();
    if (history) {
      try {
        await history.finish();
      } catch (e) {
        // The store went away during the replay: the rows are safe on the spool; say where, and how to drain.
        const spool = (history.store as { spoolDir?: string }).spoolDir ?? 'the spool directory';
        const rows = (e as { pendingRows?: number }).pendingRows;
        process.stderr.write(
          `depthwatch replay: the store ${redactText(o.store!)} failed during the replay (${redactText((e as Error).message)}); ` +
            `${rows ?? 'the unwritten'} rows are kept on the spool in ${spool}: they are written by the next ` +
            `\`depthwatch run\` or \`replay --store\` with this store URL once it is reachable\n`,
        );
        process.exitCode = 1;
        return;
      }
      stored = { url: redactText(o.store!), rows: await history.store.counts() };
    }
  } finally {
    process.off('SIGINT', onSig);
    await history?.store.close().catch(() => undefined);
  }
  const summary = {
    ...summarize(replay.engine, replay.analytics),
    ...(replay.consolidation ? { consolidated: summarizeConsolidated(replay.consolidation, crossed) } : {}),
    ...(stored ? { stored } : {}),
  };
  const rec = {
    files: recording.files.map((f) => ({ path: f.path, format: f.format, venue: f.venue ?? null })),
    ...recording.stats,
    ...result,
    ...(recording.lobster.length > 0 ? { lobster: recording.lobster } : {}),
    // Reference data read: per venue, from metadata files and in-stream bodies.
    reference: Object.fromEntries([...reference.counts, ...replay.referenceCounts]),
  };
  if (o.json) {
    process.stdout.write(JSON.stringify({ ...summary, recording: rec }, jsonSafe) + '\n');
    return;
  }
  const rows = Object.entries(summary.instruments).map(([id, s]) => [
    id,
    s.state,
    String(s.frames),
    String(s.diffsApplied),
    String(s.gaps),
    String(s.resyncs),
    String(s.dropped),
    `${s.oracle.matched}/${s.oracle.checked}`,
    `${s.checksum.matched}/${s.checksum.checked}`,
    s.reason ?? '',
  ]);
  const head = [
    'instrument',
    'state',
    'frames',
    'diffs',
    'gaps',
    'resyncs',
    'dropped',
    'oracle',
    'checksum',
    'reason',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) =>
        i === 0 || i === 1 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  const out: string[] = [line(head), ...rows.map(line)];
  out.push('(oracle and checksum: matched/checked)');
  const drops = Object.entries(summary.dropped).map(
    ([v, codes]) =>
      `${v}: ${Object.entries(codes)
        .map(([c, n]) => `${c}=${n}`)
        .join(' ')}`,
  );
  out.push(`dropped before a book: ${drops.length ? drops.join('; ') : 'none'}`);
  out.push(
    `recording: ${rec.files.length} file(s), ${rec.frames} frames replayed (${rec.warmupFrames} warm-up), ` +
      `${rec.snapshots} snapshots, ${rec.malformed} malformed lines, ${rec.truncatedFiles} truncated files, ` +
      `${rec.restIgnored} non-snapshot REST bodies, ${rec.restUnresolved} snapshots without instrument` +
      (rec.stopped ? ' (stopped early)' : ''),
  );
  for (const l of recording.lobster) out.push(lobsterLine(l, summary.instruments[l.instrument]));
  if (stored)
    out.push(
      `history: ${stored.url} holds ${Object.entries(stored.rows)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ')}`,
    );
  process.stdout.write(out.join('\n') + '\n');
}

/**
 * One line per LOBSTER pair: messages by type, the orderbook rows as oracle (checked/matched rows,
 * partial and uncovered rows, levels compared: see book/depth-oracle.ts), trades, trading status and
 * the L3 book's counters.
 */
export function lobsterLine(
  l: import('../recording/lobster.ts').LobsterStats,
  s: import('../replay/summary.ts').InstrumentSummary | undefined,
): string {
  const types = Object.entries(l.byType)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const anomalies = Object.entries(l.l3.anomalies).filter(([, n]) => n > 0);
  const o = s?.oracle;
  return (
    `lobster ${l.instrument} ${l.date} (level ${l.level}): ${l.messages} messages (${types}), ` +
    `${l.rows} orderbook rows; oracle ${
      o
        ? `${o.matched}/${o.checked} rows matched (${o.checked - o.matched} mismatched, ` +
          `${o.partial} partial, ${o.uncovered} uncovered, ${o.levels} levels compared)`
        : 'none'
    }; ` +
    `${l.trades} trades; status ${l.status} (${l.halts} halts); ${l.reseeds} re-seeds; ` +
    `L3: ${l.ordersKnown} orders known, ${l.l3.adoptedLevels} levels adopted, ${l.l3.anonymous} reductions of ` +
    `unseen orders, ${l.l3.outsideCoverage} events beyond coverage, anomalies ` +
    `${anomalies.length ? anomalies.map(([k, n]) => `${k}=${n}`).join(' ') : 'none'}; ` +
    `malformed ${l.malformedMessages} messages/${l.malformedRows} rows, ${l.unpaired} unpaired`
  );
}

/** Book snapshot cadence and depth of a backfill, as the live defaults (config `store.*`). */
const BACKFILL_SNAPSHOT_MS = 10_000;
const BACKFILL_SNAPSHOT_DEPTH = 50;

/**
 * Open the `--store` history store and feed it from the replay as a live analyzer would, on recorded
 * time: 1 s metric samples and trades from the bus; a top-50 snapshot of every live book each 10 s of
 * recorded time and every heatmap run as it closes (app/book-history.ts, its timers off and its clock
 * the latest sample's recorded local time). `finish()` writes the heatmap runs still open (closed at
 * the last recorded time) and the last samples, then flushes. Retention is off for every table.
 * @throws when the store cannot be initialised (file locked, server down: checked before any frame)
 */
async function openHistory(
  url: string,
  replay: import('../replay/replay.ts').Replay,
): Promise<{
  store: import('../store/types.ts').HistoryStore;
  finish: () => Promise<void>;
}> {
  const { createStore } = await import('../store/store-factory.ts');
  const { startBookHistory } = await import('../app/book-history.ts');
  let lastError: unknown = null;
  const store = await createStore({
    url,
    flushIntervalMs: 1000,
    retentionDays: 0,
    bookSnapshotRetentionDays: 0,
    heatmapRetentionDays: 0,
    onError: (e) => (lastError = e),
  });
  await store.init();
  // A PostgreSQL store that is down at start would spool the whole replay: refuse before reading.
  if ((store as { isReady?: unknown }).isReady === false) {
    await store.close().catch(() => undefined);
    const why = lastError instanceof Error ? lastError.message : String(lastError);
    throw new Error(
      `cannot reach the store ${redactText(url)} (${why}): start it or fix --store; nothing was replayed`,
    );
  }
  let recordedNow = NaN;
  let nextSnapshot = -Infinity;
  const books = startBookHistory({
    engine: replay.engine,
    analytics: replay.analytics,
    groups: replay.consolidation?.groups ?? null,
    store,
    intervalMs: BACKFILL_SNAPSHOT_MS,
    depth: BACKFILL_SNAPSHOT_DEPTH,
    now: () => recordedNow,
    timers: false,
  });
  replay.bus.subscribe('metrics.sample', (s) => {
    store.appendMetrics([s]);
    // The recorded clock only moves forward (samples of several instruments interleave).
    if (!Number.isFinite(s.localTs) || s.localTs < recordedNow) return;
    recordedNow = s.localTs;
    books.attachHeatmaps();
    if (recordedNow >= nextSnapshot) {
      books.snapshot();
      nextSnapshot = (Math.floor(recordedNow / BACKFILL_SNAPSHOT_MS) + 1) * BACKFILL_SNAPSHOT_MS;
    }
  });
  replay.bus.subscribe('trade', (t) => store.appendTrades([t]));
  const { startEventHistory } = await import('../app/event-history.ts');
  startEventHistory(replay.bus, store);
  return {
    store,
    finish: async () => {
      replay.engine.flush();
      if (Number.isFinite(recordedNow)) books.stop(recordedNow);
      await store.flush();
    },
  };
}

/** JSON.stringify replacer: non-finite numbers (NaN, ±Infinity) become null. */
function jsonSafe(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}
