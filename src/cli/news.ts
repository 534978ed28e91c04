/**
 * `depthwatch news import FILE… [--store URL] [--source ID] [--config FILE] [--json]`
 *
 * Reads saved RSS/Atom XML or CryptoPanic posts JSON (format detected per file), de-duplicates across the
 * files (and against items already stored around the same dates), tags assets (the config's alias table),
 * scores VADER sentiment, and with `--store` upserts the items by id (importing twice stores each item
 * once). Prints one line per file (items, new, stored) on stderr, or with `--json` one JSON object on
 * stdout: `{files: [{file, format, source, parsed, fresh, duplicates, stored}], items: NewsItem[]}` with
 * every new item's sentiment, assets and instruments.
 *
 * Exit codes: 0 done, 1 a file cannot be read or is not a feed (nothing of it stored), 2 usage error.
 */
import type { Command } from 'commander';
import type { NewsItem } from '../news/types.ts';

interface NewsImportFlags {
  store?: string;
  source?: string;
  config?: string;
  json?: boolean;
}

/** One line of the human summary of an imported file. */
function line(f: {
  file: string;
  format: string;
  source: string;
  parsed: number;
  fresh: number;
  stored: number | null;
}): string {
  const stored = f.stored === null ? '' : `, ${f.stored} stored`;
  return `news: ${f.file} (${f.format}, source ${f.source}): ${f.parsed} items, ${f.fresh} new${stored}`;
}

/** Register `news import` on the program. */
export function register(program: Command): void {
  const news = program.command('news').description('news feeds: import saved RSS/Atom/CryptoPanic documents');
  news
    .command('import')
    .description(
      'import saved RSS/Atom XML or CryptoPanic posts JSON (parsed, tagged, scored; upserted with --store)',
    )
    .argument('<files...>', 'feed documents (.rss, .xml, .atom, .json)')
    .option('--store <url>', 'history store to write: duckdb:<path> or postgres://... (omitted: parse only)')
    .option('--source <id>', 'source id for every file (default: from the feed, e.g. coindesk)')
    .option('-c, --config <file>', 'YAML config (alias table news.assets, instruments)')
    .option('--json', 'print {files, items} as JSON on stdout (items with sentiment and assets)')
    .action(async (files: string[], flags: NewsImportFlags, cmd: Command) => {
      const { loadConfig, ConfigError } = await import('../config/load.ts');
      let config;
      try {
        config = loadConfig(flags.config, {});
      } catch (e) {
        if (e instanceof ConfigError) cmd.error(e.message, { exitCode: 2, code: 'depthwatch.usage' });
        throw e;
      }
      if (flags.source !== undefined && !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(flags.source))
        cmd.error('error: --source must be lower-case [a-z0-9_-], at most 32 characters', {
          exitCode: 2,
          code: 'depthwatch.usage',
        });
      const { AssetTagger, mergeAliases } = await import('../news/assets.ts');
      const { importNewsFiles } = await import('../app/news-import.ts');
      const { createStore } = await import('../store/store-factory.ts');
      const store = flags.store
        ? await createStore({
            url: flags.store,
            flushIntervalMs: config.store.flushIntervalMs,
            retentionDays: config.store.retentionDays,
            newsRetentionDays: config.news.retentionDays,
          })
        : null;
      let result: Awaited<ReturnType<typeof importNewsFiles>>;
      try {
        await store?.init();
        result = await importNewsFiles(files, {
          store,
          tagger: new AssetTagger(mergeAliases(config.news.assets)),
          instruments: config.instruments,
          ...(flags.source ? { source: flags.source } : {}),
        });
      } catch (e) {
        console.error(`news import failed: ${(e as Error).message}`);
        process.exitCode = 1;
        return;
      } finally {
        await store?.close();
      }
      if (flags.json) {
        process.stdout.write(
          JSON.stringify({ files: result.files, items: result.items satisfies NewsItem[] }) + '\n',
        );
        return;
      }
      for (const f of result.files) console.error(line(f));
      const total = result.files.reduce((a, f) => a + f.parsed, 0);
      const stored = result.files.reduce((a, f) => a + (f.stored ?? 0), 0);
      console.error(
        `news: ${result.files.length} files, ${total} items, ${result.items.length} new${store ? `, ${stored} stored in ${flags.store}` : ' (no --store: nothing stored)'}`,
      );
    });
}
