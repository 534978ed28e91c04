/**
 * Test support: read a cryptofeed raw capture (see ../shared/data/README.md, "cryptofeed/") without the
 * recording module, so venue tests can run on the real files. Line formats:
 * `<ws-url> <-> <ts>` (connection opened), `<ws-url> <- <ts>: <json>` (frame sent),
 * `<ts>: <raw frame>` (frame received), `<http-url> -> <ts>: <body>` (REST response). Times are float
 * seconds since epoch UTC; this reader returns ms.
 */
import { readFileSync } from 'node:fs';

/** One line of a cryptofeed capture. */
export interface CryptofeedLine {
  /**
   * `recv`: WebSocket frame received; `sent`: frame we sent; `rest`: REST response; `open`: connection
   * opened; `config`: the recorder's `configuration: <json>` line (no time: localTs NaN).
   */
  kind: 'recv' | 'sent' | 'rest' | 'open' | 'config';
  /** Local time, ms since epoch UTC. */
  localTs: number;
  /** For `sent`, `rest` and `open`: the URL at the start of the line. */
  url?: string;
  /** Frame or body text exactly as recorded (empty for `open`). */
  text: string;
}

/**
 * Parse every line of a cryptofeed capture file.
 * @throws {Error} naming the line number when a line matches none of the four formats
 */
export function readCryptofeed(path: string): CryptofeedLine[] {
  const out: CryptofeedLine[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0) continue;
    let m = /^(\d+(?:\.\d+)?): (.*)$/s.exec(line);
    if (m) {
      out.push({ kind: 'recv', localTs: Number(m[1]) * 1000, text: m[2]! });
      continue;
    }
    m = /^(\S+) (<-|->) (\d+(?:\.\d+)?): (.*)$/s.exec(line);
    if (m) {
      out.push({
        kind: m[2] === '<-' ? 'sent' : 'rest',
        url: m[1]!,
        localTs: Number(m[3]) * 1000,
        text: m[4]!,
      });
      continue;
    }
    if (line.startsWith('configuration: ')) {
      out.push({ kind: 'config', localTs: NaN, text: line.slice('configuration: '.length) });
      continue;
    }
    m = /^(\S+) <-> (\d+(?:\.\d+)?)$/.exec(line);
    if (m) {
      out.push({ kind: 'open', url: m[1]!, localTs: Number(m[2]) * 1000, text: '' });
      continue;
    }
    throw new Error(`${path}:${i + 1}: not a cryptofeed capture line`);
  }
  return out;
}
