/**
 * `depthwatch export REC... --kind deltas|book_snapshot_N|trades|metrics [--format csv|parquet]
 *   [--out FILE] [--depth N] [--interval MS] [--venue ID] [--from ISO|ms] [--to ISO|ms] [--quiet]`
 *
 * Turns a recording (any format `replay` reads) into research data in one command: it runs the replay
 * path (reader → parser → verified books, src/replay/replay.ts) and writes normalized rows in Tardis.dev
 * CSV schemas where Tardis has one (`deltas` = `incremental_book_L2`, `book_snapshot_N`, `trades`) and
 * a documented one for `metrics`; rules per kind in src/replay/export.ts. `--format parquet` writes a
 * Parquet file through DuckDB with the same columns, typed.
 *
 * - `--kind book_snapshot_25` (or `book_snapshot --depth 25`): the top N; `--interval MS` writes one row
 *   per MS of recorded time instead of one per change. `--kind metrics` samples every `--interval` ms
 *   (default 1000). `--depth` and `--interval` are usage errors for kinds they do not apply to.
 * - `--out FILE`: `.gz` gzips a CSV; without `--out` a CSV goes to stdout (Parquet needs `--out`).
 * - Progress goes to stderr (a bar on a TTY, else `export: NN% ...` lines), then one summary line:
 *   rows written, file and size, time taken, and each book's final state with its integrity counters
 *   (the exported books are the verified ones: nothing a rejected delta touched is written).
 *
 * Exit codes: 0 done, 1 the recording cannot be read or the output cannot be written, 2 usage error.
 */
import type { Command } from 'commander';
import { resolveVenueId } from '../util/venue-ids.ts';
import { parseTimeRange } from './replay.ts';
import { progressReporter } from './progress.ts';

interface ExportCliOptions {
  kind?: string;
  format: string;
  out?: string;
  depth?: string;
  interval?: string;
  venue?: string;
  from?: string;
  to?: string;
  quiet?: boolean;
}

/** A parsed `--kind` (+ `--depth`, `--interval`), or an error message. */
export function parseKind(
  o: Pick<ExportCliOptions, 'kind' | 'depth' | 'interval'>,
): import('../replay/export.ts').ExportKind | string {
  const positive = (name: string, v: string | undefined): number | null | string => {
    if (v === undefined) return null;
    const n = Number(v);
    return Number.isInteger(n) && n > 0 ? n : `--${name} must be a positive integer, got "${v}"`;
  };
  const depth = positive('depth', o.depth);
  const interval = positive('interval', o.interval);
  if (typeof depth === 'string') return depth;
  if (typeof interval === 'string') return interval;
  const k = o.kind ?? '';
  const snap = /^book_snapshot(?:_(\d+))?$/.exec(k);
  if (snap) {
    const named = snap[1] === undefined ? null : Number(snap[1]);
    if (named !== null && !(named > 0)) return `--kind ${k}: the depth must be positive`;
    if (named !== null && depth !== null && named !== depth)
      return `--kind ${k} and --depth ${depth} disagree`;
    const d = named ?? depth;
    if (d === null) return '--kind book_snapshot needs a depth: book_snapshot_N or --depth N';
    return { kind: 'book_snapshot', depth: d, intervalMs: interval ?? 0 };
  }
  if (depth !== null) return `--depth applies to --kind book_snapshot only`;
  if (k === 'metrics') return { kind: 'metrics', intervalMs: interval ?? 1000 };
  if (interval !== null) return `--interval applies to --kind book_snapshot_N and metrics only`;
  if (k === 'deltas' || k === 'incremental_book_L2') return { kind: 'deltas' };
  if (k === 'trades') return { kind: 'trades' };
  return `--kind must be deltas, book_snapshot_N, trades or metrics, got "${k}"`;
}

/** Register the command on the program. */
export function register(program: Command): void {
  program
    .command('export')
    .description(
      'export a recording as research data (Tardis.dev CSV schemas, or Parquet) through the verified replay path',
    )
    .argument('<recordings...>', 'recording files or directories (any format replay reads)')
    .option('--kind <kind>', 'deltas (incremental_book_L2), book_snapshot_N, trades or metrics')
    .option('--format <csv|parquet>', 'output format', 'csv')
    .option('--out <file>', 'output file (.gz gzips a CSV); CSV goes to stdout without it')
    .option('--depth <N>', 'levels per side for --kind book_snapshot')
    .option('--interval <ms>', 'book_snapshot: one row per interval; metrics: sample interval (default 1000)')
    .option(
      '--venue <id>',
      'venue id (or alias) for recordings whose format does not tell it',
      resolveVenueId,
    )
    .option('--from <iso|ms>', 'start of the time range (earlier frames only warm the books up)')
    .option('--to <iso|ms>', 'end of the time range')
    .option('--quiet', 'no progress output on stderr')
    .action(async (paths: string[], o: ExportCliOptions, cmd: Command) => {
      const usage = (msg: string): never =>
        cmd.error(`error: ${msg}`, { exitCode: 2, code: 'depthwatch.usage' });
      if (o.kind === undefined) usage('--kind is required: deltas, book_snapshot_N, trades or metrics');
      const kind = parseKind(o);
      if (typeof kind === 'string') usage(kind);
      if (o.format !== 'csv' && o.format !== 'parquet')
        usage(`--format must be csv or parquet, got "${o.format}"`);
      if (o.format === 'parquet' && (o.out === undefined || o.out === '-'))
        usage('--format parquet needs --out FILE');
      if (o.format === 'parquet' && o.out!.endsWith('.gz'))
        usage('a Parquet file is compressed already: drop .gz');
      const { from, to } = parseTimeRange(o, usage);
      await runExport(paths, {
        kind: kind as import('../replay/export.ts').ExportKind,
        format: o.format as 'csv' | 'parquet',
        out: o.out ?? '-',
        ...(o.venue !== undefined ? { venue: o.venue } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        quiet: o.quiet === true,
      });
    });
}

async function runExport(
  paths: string[],
  o: {
    kind: import('../replay/export.ts').ExportKind;
    format: 'csv' | 'parquet';
    out: string;
    venue?: string;
    from?: number;
    to?: number;
    quiet: boolean;
  },
): Promise<void> {
  const { openRecording } = await import('../recording/open.ts');
  const { RecordingError } = await import('../recording/lines.ts');
  const { exportRecording, exportColumns } = await import('../replay/export.ts');
  const { csvWriter, parquetWriter } = await import('../replay/export-writer.ts');
  const started = performance.now();
  let recording;
  try {
    recording = await openRecording(paths, o.venue ? { venue: o.venue } : {});
  } catch (e) {
    if (e instanceof RecordingError) {
      process.stderr.write(`depthwatch export: ${e.message}\n`);
      process.exitCode = e.code === 'usage' ? 2 : 1;
      return;
    }
    throw e;
  }
  const columns = exportColumns(o.kind);
  let writer;
  try {
    writer = o.format === 'parquet' ? parquetWriter(o.out, columns) : csvWriter(o.out, columns);
  } catch (e) {
    process.stderr.write(`depthwatch export: cannot write ${o.out}: ${(e as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  let result;
  let stop: (() => void) | null = null;
  const onSig = (): void => stop?.();
  process.once('SIGINT', onSig);
  try {
    result = await exportRecording(recording, {
      kind: o.kind,
      writer,
      ...(o.venue !== undefined ? { venue: o.venue } : {}),
      ...(o.from !== undefined ? { from: o.from } : {}),
      ...(o.to !== undefined ? { to: o.to } : {}),
      ...(o.quiet ? {} : { onProgress: await progressReporter('export') }),
      onStart: (r) => (stop = () => r.stop()),
    });
  } catch (e) {
    await writer.close().catch(() => undefined);
    if (e instanceof RecordingError) {
      process.stderr.write(`depthwatch export: ${e.message}\n`);
      process.exitCode = e.code === 'usage' ? 2 : 1;
      return;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSig);
  }
  let written;
  try {
    written = await writer.close();
  } catch (e) {
    process.stderr.write(`depthwatch export: cannot write ${o.out}: ${(e as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  if (writer.broken) return; // the reader of stdout went away: nothing more to say
  const secs = ((performance.now() - started) / 1000).toFixed(2);
  const name = o.kind.kind === 'book_snapshot' ? `book_snapshot_${o.kind.depth}` : o.kind.kind;
  const books = Object.entries(result.summary.instruments)
    .map(
      ([id, s]) =>
        `${id} ${s.state} (diffs ${s.diffsApplied}, gaps ${s.gaps}, resyncs ${s.resyncs}, ` +
        `oracle ${s.oracle.matched}/${s.oracle.checked}, checksum ${s.checksum.matched}/${s.checksum.checked})`,
    )
    .join('; ');
  process.stderr.write(
    `export: ${name} ${written.rows} rows → ${o.out === '-' ? 'stdout' : `${o.out} (${written.bytes} bytes, ${o.format})`} ` +
      `in ${secs} s; ${result.replay.frames} frames${result.replay.stopped ? ' (stopped early)' : ''}; ` +
      `books: ${books || 'none'}\n`,
  );
  if (result.exchanges.length > 1)
    process.stderr.write(
      `export: note: ${result.exchanges.length} exchanges in one file (${result.exchanges.join(', ')}); ` +
        'a Tardis CSV file holds one exchange: export them separately to re-import\n',
    );
}
