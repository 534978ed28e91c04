/**
 * Writers of export rows (src/replay/export.ts): CSV to a file (gzipped when the name ends in `.gz`) or
 * to stdout, and Parquet through DuckDB (`COPY ... TO 'x.parquet' (FORMAT parquet)`) from a temporary
 * CSV written next to the output, typed per column (ExportColumn.type), then removed.
 *
 * CSV: a header line of the column names, then one line per row, `\n` line ends, fields unquoted unless
 * they hold a comma, a double quote or a line break (RFC 4180: wrapped in quotes, quotes doubled). Rows
 * are buffered and written in ~1 MiB chunks with synchronous writes, so memory stays flat whatever the
 * recording's size and a slow disk slows the replay instead of filling memory. A gzip output is a
 * sequence of gzip members, one per chunk (standard gzip; every gunzip reads it whole).
 */
import { closeSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ExportColumn } from './export.ts';

/** Where rows go. */
export interface ExportWriter {
  /** Add one row (one string per column, empty for null). */
  write(row: readonly string[]): void;
  /** True once the output is gone (stdout closed by its reader: EPIPE); later rows are discarded. */
  readonly broken: boolean;
  /** Finish the output. @returns rows written and the output's size in bytes (0 for stdout) */
  close(): Promise<{ rows: number; bytes: number }>;
}

const CHUNK = 1 << 20;
const NEEDS_QUOTES = /[",\n\r]/;

/** One CSV field (quoted only when it must be). */
function field(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A CSV writer.
 * @param path output file, or `-` for stdout; `.gz` at the end gzips it
 * @throws when the file cannot be created
 */
export function csvWriter(path: string, columns: readonly ExportColumn[]): ExportWriter {
  const toStdout = path === '-';
  const fd = toStdout ? -1 : openSync(path, 'w');
  const gzip = !toStdout && path.endsWith('.gz');
  let buf: string[] = [columns.map((c) => field(c.name)).join(',') + '\n'];
  let chars = buf[0]!.length;
  let rows = 0;
  let broken = false;
  // A reader that stops early (`| head`) closes the pipe: stop writing, quietly, like other Unix tools.
  if (toStdout) process.stdout.once('error', () => (broken = true));
  const flush = (): void => {
    if (buf.length === 0) return;
    const text = buf.join('');
    buf = [];
    chars = 0;
    if (broken) return;
    if (toStdout) process.stdout.write(text);
    else writeSync(fd, gzip ? gzipSync(text) : Buffer.from(text, 'utf8'));
  };
  return {
    get broken() {
      return broken;
    },
    write(row) {
      let line = '';
      for (let i = 0; i < row.length; i++) line += (i > 0 ? ',' : '') + field(row[i]!);
      line += '\n';
      buf.push(line);
      chars += line.length;
      rows++;
      if (chars >= CHUNK) flush();
    },
    async close() {
      flush();
      if (toStdout) return { rows, bytes: 0 };
      closeSync(fd);
      return { rows, bytes: statSync(path).size };
    },
  };
}

/** A SQL string literal. */
function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * A Parquet writer: rows go to a temporary CSV beside `path` (`.<name>.<pid>.csv`), which `close()`
 * converts with DuckDB into `path` (zstd-compressed, one column per ExportColumn with its type; empty
 * fields become NULL), then deletes. The Parquet file appears only when complete (written under a
 * temporary name, then renamed).
 * @throws when the temporary file cannot be created; close() throws when DuckDB fails
 */
export function parquetWriter(path: string, columns: readonly ExportColumn[]): ExportWriter {
  const tmpCsv = join(dirname(path), `.${basename(path)}.${process.pid}.csv`);
  const csv = csvWriter(tmpCsv, columns);
  return {
    get broken() {
      return csv.broken;
    },
    write: (row) => csv.write(row),
    async close() {
      const { rows } = await csv.close();
      const tmpOut = join(dirname(path), `.${basename(path)}.${process.pid}.parquet`);
      try {
        await csvToParquet(tmpCsv, tmpOut, columns);
        renameSync(tmpOut, path);
      } finally {
        rmSync(tmpCsv, { force: true });
        rmSync(tmpOut, { force: true });
      }
      return { rows, bytes: statSync(path).size };
    },
  };
}

/**
 * Convert an export CSV (header line, columns as given) into a Parquet file with DuckDB.
 * @throws when DuckDB cannot read the CSV or write the file
 */
export async function csvToParquet(
  csvPath: string,
  parquetPath: string,
  columns: readonly ExportColumn[],
): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    const types = columns.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`).join(', ');
    await con.run(
      `COPY (SELECT * FROM read_csv(${sqlString(csvPath)}, header = true, auto_detect = false, delim = ',', ` +
        `quote = '"', escape = '"', columns = {${types}})) TO ${sqlString(parquetPath)} ` +
        `(FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
