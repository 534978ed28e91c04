/**
 * `depthwatch import FILE... --store duckdb:<path>|postgres://... [--json] [--quiet] [--from ISO|ms]
 *   [--to ISO|ms]`
 *
 * Imports Tardis.dev CSV files (`incremental_book_L2`, `book_snapshot_N`, `trades`, `quotes`; `.csv` or
 * `.csv.gz`, see src/recording/tardis.ts) into a history store. It is an alias, honestly: it runs exactly
 * `depthwatch replay --speed max --store URL [flags] FILE...` (src/cli/replay.ts), so any recording
 * `replay` reads can be imported too, the files go through the same reader → engine → history path,
 * progress goes to stderr (lines prefixed `replay:`) and the summary ends with the rows the store holds
 * per table (`history: ...`, or `stored.rows` with `--json`). Instruments are `tardis-<exchange>:<symbol>`.
 *
 * Exit codes: as `replay` (0 done, 1 the files cannot be read, 2 usage error, including a missing
 * `--store`).
 */
import type { Command } from 'commander';

interface ImportCliOptions {
  store: string;
  json?: boolean;
  quiet?: boolean;
  from?: string;
  to?: string;
}

/**
 * The `replay` arguments an `import` stands for.
 * @returns argv for the `replay` command (user form: no node/script entries)
 */
export function importToReplayArgs(files: readonly string[], o: ImportCliOptions): string[] {
  const args = ['--speed', 'max', '--store', o.store];
  if (o.json) args.push('--json');
  if (o.quiet) args.push('--quiet');
  if (o.from !== undefined) args.push('--from', o.from);
  if (o.to !== undefined) args.push('--to', o.to);
  return [...args, '--', ...files];
}

/**
 * Register the command on the program (the `replay` command must be registered on it too).
 * @throws {Error} at run time when the program has no `replay` command
 */
export function register(program: Command): void {
  program
    .command('import')
    .description(
      'import Tardis.dev CSV files into a history store (alias of: replay --speed max --store URL)',
    )
    .argument('<files...>', 'Tardis CSV files (.csv, .csv.gz), or any recording replay reads, or directories')
    .option('--store <url>', 'required: history store to write, duckdb:<path> or postgres://...')
    .option('--json', 'print one JSON object with the results on stdout')
    .option('--quiet', 'no progress output on stderr')
    .option('--from <iso|ms>', 'start of the time range (earlier rows only warm the books up)')
    .option('--to <iso|ms>', 'end of the time range')
    .action(async (files: string[], o: Partial<ImportCliOptions>, cmd: Command) => {
      if (o.store === undefined)
        cmd.error('error: --store <url> is required (duckdb:<path> or postgres://...)', {
          exitCode: 2,
          code: 'depthwatch.usage',
        });
      const replay = program.commands.find((c) => c.name() === 'replay');
      if (!replay) throw new Error('depthwatch import needs the replay command registered');
      await replay.parseAsync(importToReplayArgs(files, { ...o, store: o.store! }), { from: 'user' });
    });
}
