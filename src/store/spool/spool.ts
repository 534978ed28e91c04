/**
 * Local disk spool: append-only JSON-lines files holding rows a store could not take yet.
 *
 * Layout: `<dir>/spool-<ms since epoch, 15 digits>-<counter, 6 digits>.jsonl`, names sort oldest first.
 * One record per line, `{"k":<kind>,"r":<row>}` with kind `m` (MetricsSample), `t` (Trade), `a` (Alert),
 * `s` (BookSnapshotRow), `h` (HeatmapRunRow) or `e` (AnalyticsEventRow), encoded with the NaN-keeping codec (bus/codec.ts). Files
 * of the previous format (only `m` and `t` lines) are the same format and drain unchanged; a line of a
 * kind this build does not know is skipped and counted as corrupt. Appends go to the current file (rotated at `maxFileBytes`), each
 * append is one write followed by `fdatasync` (unless `fsync: false`). Draining first seals the current
 * file (new appends start a new one), so a file being drained is never appended to.
 *
 * A line cut short by a crash is skipped and counted (`corruptLines`), never fatal. Total size is bounded
 * by `maxBytes`: an append beyond it is refused with {@link SpoolFullError}, so the caller counts the loss.
 */
import { mkdir, open, readdir, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { decodeJson, encodeJson } from '../../bus/codec.ts';
import { ROW_KINDS, batchRows, emptyBuffer, type RowBatch, type RowBuffer, type RowKind } from '../batch.ts';

/** One-letter record kind on disk of each row kind (never change a letter: old files must drain). */
export const SPOOL_KIND: Readonly<Record<RowKind, string>> = {
  metrics: 'm',
  trades: 't',
  alerts: 'a',
  bookSnapshots: 's',
  heatmapRuns: 'h',
  analyticsEvents: 'e',
};

const KIND_OF_LETTER = new Map<string, RowKind>(ROW_KINDS.map((k) => [SPOOL_KIND[k], k]));

/** A spooled row: `k` is the SPOOL_KIND letter, `r` the row. */
export interface SpoolRecord {
  k: string;
  r: unknown;
}

/** Thrown by `append` when the spool would exceed `maxBytes`; nothing of that append was written. */
export class SpoolFullError extends Error {
  override readonly name = 'SpoolFullError';
  constructor(
    readonly rows: number,
    readonly maxBytes: number,
  ) {
    super(`spool full (${maxBytes} bytes): ${rows} rows refused`);
  }
}

/** Options of {@link Spool}. */
export interface SpoolOptions {
  /** Rotate the current file beyond this size (bytes, default 16 MiB). */
  maxFileBytes?: number;
  /** Most bytes on disk over all files (default 1 GiB). */
  maxBytes?: number;
  /** `fdatasync` after every append (default true). */
  fsync?: boolean;
}

/** One sealed file read back. */
export interface SpoolFile {
  path: string;
  /** The rows, per kind, in file order. */
  rows: RowBuffer;
  /** Lines that could not be decoded (e.g. cut short by a crash). */
  corrupt: number;
}

export class Spool {
  private current: { path: string; fh: FileHandle; bytes: number } | null = null;
  private counter = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly maxFileBytes: number;
  private readonly maxBytes: number;
  /** Bytes on disk over all spool files. */
  bytes = 0;
  /** Rows appended since start (plus rows found on disk at init, approximated by line count). */
  rows = 0;
  /** Lines skipped while reading because they did not decode. */
  corruptLines = 0;

  constructor(
    readonly dir: string,
    private readonly opts: SpoolOptions = {},
  ) {
    this.maxFileBytes = opts.maxFileBytes ?? 16 * 1024 * 1024;
    this.maxBytes = opts.maxBytes ?? 1024 * 1024 * 1024;
  }

  /** Create the directory and account for files left by a previous run (they are drained first). */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const f of await this.files()) this.bytes += (await stat(f)).size;
  }

  /** Sealed and current spool files, oldest first. */
  async files(): Promise<string[]> {
    const names = (await readdir(this.dir)).filter((n) => /^spool-\d{15}-\d{6}\.jsonl$/.test(n));
    return names.sort().map((n) => path.join(this.dir, n));
  }

  /** True when no spool file exists. */
  async isEmpty(): Promise<boolean> {
    return (await this.files()).length === 0;
  }

  /** Run operations one at a time (appends, seals and removals must not interleave). */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op, op);
    this.chain = run.catch(() => {});
    return run;
  }

  /**
   * Append rows (in order) durably.
   * @throws {SpoolFullError} when the spool would exceed `maxBytes`; an I/O error (disk full, permissions).
   */
  append(batch: RowBatch): Promise<void> {
    const rows = batchRows(batch);
    if (rows === 0) return Promise.resolve();
    let text = '';
    for (const kind of ROW_KINDS) {
      const k = SPOOL_KIND[kind];
      for (const r of batch[kind] ?? []) text += encodeJson({ k, r }) + '\n';
    }
    return this.serial(async () => {
      const size = Buffer.byteLength(text);
      if (this.bytes + size > this.maxBytes) throw new SpoolFullError(rows, this.maxBytes);
      if (!this.current || this.current.bytes >= this.maxFileBytes) await this.rotate();
      const cur = this.current!;
      await cur.fh.write(text);
      if (this.opts.fsync ?? true) await cur.fh.datasync();
      cur.bytes += size;
      this.bytes += size;
      this.rows += rows;
    });
  }

  private async rotate(): Promise<void> {
    await this.sealNow();
    const name = `spool-${String(Date.now()).padStart(15, '0')}-${String(this.counter++ % 1e6).padStart(6, '0')}.jsonl`;
    const p = path.join(this.dir, name);
    this.current = { path: p, fh: await open(p, 'a'), bytes: 0 };
  }

  private async sealNow(): Promise<void> {
    const cur = this.current;
    this.current = null;
    if (cur) await cur.fh.close();
  }

  /** Close the current file so that every existing file can be drained. @returns the files, oldest first */
  seal(): Promise<string[]> {
    return this.serial(async () => {
      await this.sealNow();
      return this.files();
    });
  }

  /** Read a sealed file back; undecodable lines are skipped and counted. */
  async read(file: string): Promise<SpoolFile> {
    const text = await readFile(file, 'utf8');
    const out: SpoolFile = { path: file, rows: emptyBuffer(), corrupt: 0 };
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      try {
        const rec = decodeJson<SpoolRecord>(line);
        const kind = rec && typeof rec.k === 'string' ? KIND_OF_LETTER.get(rec.k) : undefined;
        if (kind && rec.r && typeof rec.r === 'object') (out.rows[kind] as unknown[]).push(rec.r);
        else out.corrupt++;
      } catch {
        out.corrupt++;
      }
    }
    this.corruptLines += out.corrupt;
    return out;
  }

  /** Delete a drained file. */
  remove(file: string): Promise<void> {
    return this.serial(async () => {
      const size = (await stat(file).catch(() => ({ size: 0 }))).size;
      await unlink(file).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      this.bytes = Math.max(0, this.bytes - size);
    });
  }

  /** Close the current file. */
  close(): Promise<void> {
    return this.serial(() => this.sealNow());
  }
}
