/**
 * Streaming line reader for recording files, plain or gzip (detected by the gzip magic bytes, not the
 * file name). Reads in chunks, never the whole file; counts the bytes read from disk (compressed bytes
 * for gzip files) so progress can be reported against the files' total size.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

/** Errors of the recording layer, with a stable `code` (usable as a counter label). */
export class RecordingError extends Error {
  override readonly name = 'RecordingError';
  constructor(
    /** `not_found`: no such file; `unknown_format`: no reader recognises the file; `empty`: nothing to read; `usage`: bad argument. */
    readonly code: 'not_found' | 'unknown_format' | 'empty' | 'usage',
    message: string,
  ) {
    super(message);
  }
}

/** True when the file starts with the gzip magic bytes (1f 8b). */
export async function isGzipFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * The lines of one file (without the trailing `\n` / `\r\n`), read as a stream.
 *
 * A gzip file cut short (a recorder killed mid-write, or a file still being written) ends the iteration
 * at the last complete line: the partial tail is discarded and `truncated` is set, nothing is thrown.
 */
export class FileLines implements AsyncIterable<string> {
  /** Bytes read from disk so far (compressed bytes for gzip). */
  bytesRead = 0;
  /** True when the file ended inside a gzip member (its partial last line was discarded). */
  truncated = false;

  /**
   * @param path file to read
   * @param gzip whether to gunzip (see isGzipFile)
   */
  constructor(
    readonly path: string,
    readonly gzip: boolean,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    const file = createReadStream(this.path, { highWaterMark: 256 * 1024 });
    file.on('data', (c) => {
      this.bytesRead += c.length;
    });
    let source: AsyncIterable<Buffer> = file;
    const gunzip = this.gzip ? createGunzip() : null;
    if (gunzip) {
      file.on('error', (e) => gunzip.destroy(e));
      source = file.pipe(gunzip);
    }
    const decoder = new StringDecoder('utf8');
    let carry = '';
    try {
      for await (const chunk of source) {
        const text = carry + decoder.write(chunk);
        let start = 0;
        let nl = text.indexOf('\n', start);
        while (nl !== -1) {
          const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
          yield text.slice(start, end);
          start = nl + 1;
          nl = text.indexOf('\n', start);
        }
        carry = text.slice(start);
      }
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (this.gzip && (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR')) {
        this.truncated = true;
        return;
      }
      throw e;
    } finally {
      file.destroy();
      gunzip?.destroy();
    }
    carry += decoder.end();
    if (carry.length > 0) yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
  }
}

/**
 * The first `maxLines` lines of a file (for format detection), reading at most ~1 MB of decompressed text.
 */
export async function headLines(path: string, gzip: boolean, maxLines: number): Promise<string[]> {
  const out: string[] = [];
  let chars = 0;
  for await (const line of new FileLines(path, gzip)) {
    out.push(line.length > 4096 ? line.slice(0, 4096) : line);
    chars += line.length;
    if (out.length >= maxLines || chars > 1 << 20) break;
  }
  return out;
}

/** Size of a file in bytes. @throws {RecordingError} `not_found` when it does not exist */
export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    throw new RecordingError('not_found', `no such file: ${path}`);
  }
}
