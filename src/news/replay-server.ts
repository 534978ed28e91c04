/**
 * The offline demo's news server: serves saved feed documents (../shared/data/news) over loopback HTTP as
 * if their outlets were publishing now, so `depthwatch demo` runs the whole news path (poll → parse → tag
 * → score → store → bus → WebSocket → dashboard) without the internet.
 *
 * Re-timing: each file's items, oldest to newest, are mapped linearly onto
 * `[start − backfillMs, start + playMs]` (their order and relative spacing kept, the time scale per file);
 * an item is served once its new time has come, with that time as its date (RSS `<pubDate>`, Atom
 * `<published>`/`<updated>`, CryptoPanic `published_at`). So the demo starts with the last `backfillMs` of
 * news and more arrives while it runs. Everything else in a document is served as recorded. Sources are
 * marked `replayed`, so every item says it is a recording.
 *
 * Conditional requests work as on a real server: `ETag` (hash of the served body) and `Last-Modified`
 * (newest served item time) with 304 answers to `If-None-Match` / `If-Modified-Since`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { basename, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { NewsSourceConfig } from './config.ts';

/** Options of {@link startNewsReplayServer}. */
export interface NewsReplayOptions {
  /** Directory of the documents. */
  dir: string;
  /** File names in `dir` (default: every `.rss`, `.xml`, `.atom` and `.json` file). */
  files: readonly string[];
  /** Recorded news that is already out at start, ms (default 30 min). */
  backfillMs?: number;
  /** Recorded news that comes out after start, ms (default 2 h). */
  playMs?: number;
  /** Poll interval given to the sources, ms (default 15 s: loopback, cheap). */
  intervalMs?: number;
  /** Start time (default now). */
  start?: number;
  /** Clock (tests). */
  now?: () => number;
}

/** A running replay server. */
export interface NewsReplayServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** One `replayed` source per document, for the config's `news.sources`. */
  sources: NewsSourceConfig[];
  /** Items per document and how many are out now. */
  stats(): { file: string; items: number; released: number }[];
  close(): Promise<void>;
}

interface Piece {
  /** Recorded time, ms (NaN when the item has none). */
  t: number;
  /** Replay time, ms. */
  at: number;
  /** The item with its date set to `at` (XML text, or the JSON post). */
  render: () => string | object;
}

interface Doc {
  file: string;
  id: string;
  json: boolean;
  /** XML text around the items: everything before the first item and after the last ('' for JSON). */
  head: string;
  tail: string;
  /** The items, in document order. */
  pieces: Piece[];
}

const ITEM = /<(item|entry)[\s>][\s\S]*?<\/\1>/g;
const DATE_TAGS = ['pubDate', 'published', 'updated', 'dc:date'];

/** Recorded date of an XML item block (first of pubDate, published, updated, dc:date). */
function xmlDate(block: string): number {
  for (const tag of DATE_TAGS) {
    const m = new RegExp(`<${tag}>\\s*([^<]+?)\\s*</${tag}>`).exec(block);
    if (m) {
      const t = Date.parse(m[1]!);
      if (Number.isFinite(t)) return t;
    }
  }
  return NaN;
}

/** The block with every date tag set to `at` (RFC 822 for pubDate, ISO 8601 otherwise). */
function redate(block: string, at: number): string {
  let out = block;
  for (const tag of DATE_TAGS) {
    const text = tag === 'pubDate' ? new Date(at).toUTCString() : new Date(at).toISOString();
    out = out.replace(new RegExp(`(<${tag}>)[^<]*(</${tag}>)`, 'g'), `$1${text}$2`);
  }
  return out;
}

/** Map recorded times linearly onto [from, to], keeping order; items without a time go to `from`. */
function retime(times: readonly number[], from: number, to: number): number[] {
  const known = times.filter(Number.isFinite);
  if (known.length === 0) return times.map(() => from);
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  return times.map((t) =>
    !Number.isFinite(t) ? from : hi === lo ? to : Math.round(from + ((t - lo) / (hi - lo)) * (to - from)),
  );
}

/** Source id of a file: its name without extension, lower-case, at most 32 characters. */
export function replaySourceId(file: string): string {
  return basename(file)
    .replace(/\.[^.]+$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .slice(0, 32);
}

function loadDoc(dir: string, file: string, from: number, to: number): Doc {
  const text = readFileSync(join(dir, file), 'utf8');
  const id = replaySourceId(file);
  if (/^\s*[[{]/.test(text)) {
    const parsed = JSON.parse(text) as unknown;
    const posts = (
      Array.isArray(parsed) ? parsed : ((parsed as { results?: unknown[] }).results ?? [])
    ) as Record<string, unknown>[];
    const times = posts.map((p) => Date.parse(String(p.published_at ?? '')));
    const ats = retime(times, from, to);
    return {
      file,
      id,
      json: true,
      head: '',
      tail: '',
      pieces: posts.map((p, i) => ({
        t: times[i]!,
        at: ats[i]!,
        render: () => ({
          ...p,
          published_at: new Date(ats[i]!).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          ...(p.created_at !== undefined
            ? { created_at: new Date(ats[i]!).toISOString().replace(/\.\d{3}Z$/, 'Z') }
            : {}),
        }),
      })),
    };
  }
  const blocks = [...text.matchAll(ITEM)];
  const first = blocks[0]?.index ?? text.length;
  const lastBlock = blocks[blocks.length - 1];
  const end = lastBlock ? lastBlock.index + lastBlock[0].length : text.length;
  const times = blocks.map((b) => xmlDate(b[0]));
  const ats = retime(times, from, to);
  return {
    file,
    id,
    json: false,
    head: text.slice(0, first),
    tail: text.slice(end),
    pieces: blocks.map((b, i) => ({ t: times[i]!, at: ats[i]!, render: () => redate(b[0], ats[i]!) })),
  };
}

/** The body of a document as of `now`, and its newest served time (NaN when nothing is out yet). */
function serve(d: Doc, now: number): { body: string; newest: number } {
  const out = d.pieces.filter((p) => p.at <= now);
  const newest = out.reduce((m, p) => Math.max(m, p.at), NaN);
  if (d.json) {
    const results = out.map((p) => p.render());
    return { body: JSON.stringify({ count: results.length, next: null, previous: null, results }), newest };
  }
  return { body: d.head + out.map((p) => p.render() as string).join('\n') + d.tail, newest };
}

/**
 * Start the server on 127.0.0.1 (a free port): `GET /<file>` serves the re-timed document.
 * @throws the read/parse error of a document that cannot be loaded
 */
export async function startNewsReplayServer(o: NewsReplayOptions): Promise<NewsReplayServer> {
  const now = o.now ?? Date.now;
  const start = o.start ?? now();
  const from = start - (o.backfillMs ?? 1_800_000);
  const to = start + (o.playMs ?? 7_200_000);
  const docs = new Map(o.files.map((f) => [basename(f), loadDoc(o.dir, basename(f), from, to)]));
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0]!.slice(1));
    const d = docs.get(name);
    if (req.method !== 'GET' || !d) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const { body, newest } = serve(d, now());
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 20)}"`;
    const lastModified = new Date(
      Number.isFinite(newest) ? Math.floor(newest / 1000) * 1000 : start,
    ).toUTCString();
    const inm = req.headers['if-none-match'];
    const ims = Date.parse(req.headers['if-modified-since'] ?? '');
    const unchanged =
      inm !== undefined ? inm === etag : Number.isFinite(ims) && ims >= Date.parse(lastModified);
    const headers = { etag, 'last-modified': lastModified, 'cache-control': 'no-cache' };
    if (unchanged) {
      res.writeHead(304, headers).end();
      return;
    }
    res
      .writeHead(200, {
        ...headers,
        'content-type': d.json ? 'application/json; charset=utf-8' : 'application/rss+xml; charset=utf-8',
      })
      .end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const intervalMs = o.intervalMs ?? 15_000;
  const sources: NewsSourceConfig[] = [...docs.values()].map((d, i) => ({
    id: d.id,
    kind: d.json ? 'cryptopanic' : 'rss',
    url: `${url}/${encodeURIComponent(d.file)}`,
    intervalMs,
    priority: i,
    replayed: true,
  }));
  return {
    url,
    sources,
    stats: () =>
      [...docs.values()].map((d) => ({
        file: d.file,
        items: d.pieces.length,
        released: d.pieces.filter((p) => p.at <= now()).length,
      })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
