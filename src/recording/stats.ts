/** Counters shared by the recording readers. */

/** What a reader saw, summed over the files it read. */
export interface ReaderStats {
  /** Lines read (including skipped and malformed ones). */
  lines: number;
  /** Frames yielded. */
  frames: number;
  /** Lines that could not be understood (bad timestamp, missing separator, bad JSON line): skipped. */
  malformed: number;
  /** Lines deliberately skipped: connection-open and sent-frame lines, metadata, blank lines. */
  skipped: number;
  /** Gzip files that ended mid-member (their partial last line was discarded). */
  truncatedFiles: number;
}

/** Fresh zeroed counters. */
export function newReaderStats(): ReaderStats {
  return { lines: 0, frames: 0, malformed: 0, skipped: 0, truncatedFiles: 0 };
}

/** The base name of a path (after the last `/`). */
export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? path : path.slice(i + 1);
}
