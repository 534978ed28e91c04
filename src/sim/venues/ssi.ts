/**
 * A local SSI FastConnect Data server: the AccessToken endpoint and a classic ASP.NET SignalR 2 hub
 * `FcMarketDataV2Hub` (negotiate → WebSocket connect → start, `SwitchChannels`, `Broadcast`, `Error`,
 * keep-alives, abort) serving recorded SSI messages (the `{DataType, Content}` JSON lines of
 * ../shared/data/ssi/stream), with faults. `depthwatch sim --venue ssi --file …` runs it.
 *
 * Protocol as live/ssi/signalr.ts and live/ssi/client.ts describe it (SSI FastConnect Data API Specs
 * v2.2, sections 3 and 4.1; ASP.NET SignalR 2 protocol 1.5). The recorded lines are the `Broadcast`
 * argument; wrapping them into SignalR frames (`{"C":…,"M":[{"H":…,"M":"Broadcast","A":[envelope]}]}`)
 * is synthetic framing done here, not recorded traffic.
 *
 * Serving: one timeline (the files' lines in order) with one cursor. The pump starts `settleMs` after a
 * subscription and sends the next message to every connection subscribed to its channel (`TYPE:ALL` or
 * `TYPE:SYM1-SYM2`; the derivatives `Quote` and `Trade` types are channels `X-QUOTE` and `X-TRADE`). A
 * message that some connection ever subscribed to but no open connection wants now (a client between a
 * disconnect and its re-subscription) holds the pump, so a client that re-subscribes gets every message
 * exactly once, in order; a message no one ever subscribed to is skipped (`unrouted`).
 *
 * Faults ({@link SsiSimFaults}): `disconnectEvery` closes a connection after it was sent that many
 * messages (the client must reconnect and re-subscribe); `tokenTtlMs` issues tokens that expire that
 * soon (negotiate/connect with an expired token answer 401; a live connection is closed when its token
 * expires); `rateLimit` answers the first N AccessToken requests 429 with `Retry-After`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { WebSocketServer, type WebSocket } from 'ws';

/** Faults of the SSI simulator (all off by default). */
export interface SsiSimFaults {
  /** Close each connection after it was sent this many data messages (0 = never). */
  disconnectEvery?: number;
  /** Lifetime of issued tokens, ms (default 8 h). */
  tokenTtlMs?: number;
  /** Answer the first N AccessToken requests HTTP 429. */
  rateLimit?: number;
  /** `Retry-After` of those answers, seconds (default 1). */
  retryAfterS?: number;
}

/**
 * Parse `disconnect=N,tokenTtl=MS,rate429=N[:RETRY_AFTER_S]` (any subset, comma-separated).
 * @throws {RangeError} on an unknown key or a bad number
 */
export function parseSsiFaults(spec: string): SsiSimFaults {
  const out: SsiSimFaults = {};
  for (const part of spec.split(',').filter((p) => p.trim() !== '')) {
    const [k, v = ''] = part.split('=');
    const [a, b] = v.split(':');
    const n = Number(a);
    if (!Number.isFinite(n) || n < 0) throw new RangeError(`fault ${part}: not a non-negative number`);
    if (k === 'disconnect') out.disconnectEvery = n;
    else if (k === 'tokenTtl') out.tokenTtlMs = n;
    else if (k === 'rate429') {
      out.rateLimit = n;
      if (b !== undefined) out.retryAfterS = Number(b);
    } else throw new RangeError(`unknown SSI fault "${k}" (disconnect, tokenTtl, rate429)`);
  }
  return out;
}

/** Options of the simulator. */
export interface SsiSimOptions {
  /** The recorded lines, in order (each a `{DataType, Content}` JSON text). */
  readonly lines: readonly string[];
  readonly faults?: SsiSimFaults;
  /** Accepted credentials (any are accepted when absent). */
  readonly credentials?: { consumerID: string; consumerSecret: string };
  /** Keep-alive interval, ms (default 10 s; the negotiate answer says KeepAliveTimeout = 2×). */
  readonly keepAliveMs?: number;
  /** Messages sent per pump turn (default 50); the pump yields between turns. */
  readonly batch?: number;
  /** Pause between messages, ms (default 0: as fast as the clients read, in batches). */
  readonly intervalMs?: number;
  /** Wait this long after a subscription before serving (the client sends its channels together; default 100). */
  readonly settleMs?: number;
  /**
   * Recorded REST bodies (`{data: [...]}` of DailyOhlc / IntradayOhlc): their rows are served filtered by
   * symbol and date window (at most 30 days, as SSI), paged by pageIndex/pageSize.
   */
  readonly rest?: { readonly daily?: string; readonly intraday?: string };
}

interface Conn {
  readonly ws: WebSocket;
  readonly token: string;
  readonly channels: Map<string, Set<string> | 'ALL'>;
  sent: number;
}

/** What the simulator did (for the CLI's report and tests). */
export interface SsiSimStats {
  tokensIssued: number;
  rateLimited: number;
  unauthorized: number;
  negotiations: number;
  connections: number;
  subscriptions: number;
  sent: number;
  disconnects: number;
  expiredClosed: number;
  hubErrors: number;
  unrouted: number;
  restRequests: number;
}

const CHANNEL_TYPES = new Set(['F', 'X', 'X-QUOTE', 'X-TRADE', 'B', 'R', 'MI', 'OL']);

/** The channel type a DataType is served on. */
function channelOf(dataType: string): string {
  return dataType === 'Quote' ? 'X-QUOTE' : dataType === 'Trade' ? 'X-TRADE' : dataType;
}

/** Read recorded SSI JSON lines from files (blank lines skipped). */
export async function readSsiLines(files: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files)
    for (const l of (await readFile(f, 'utf8')).split('\n')) if (l.trim() !== '') out.push(l.trim());
  return out;
}

/** A running SSI simulator. */
export class SsiSimulator {
  readonly stats: SsiSimStats = {
    tokensIssued: 0,
    rateLimited: 0,
    unauthorized: 0,
    negotiations: 0,
    connections: 0,
    subscriptions: 0,
    sent: 0,
    disconnects: 0,
    expiredClosed: 0,
    hubErrors: 0,
    unrouted: 0,
    restRequests: 0,
  };
  /** Every `TYPE:SYMBOLS` ever subscribed, as (type, symbol or ALL). */
  private readonly known = new Map<string, Set<string>>();
  private settle: NodeJS.Timeout | null = null;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tokens = new Map<string, number>();
  private readonly conns = new Set<Conn>();
  private readonly timeline: { env: unknown; type: string; symbol: string }[];
  private cursor = 0;
  private pumping = false;
  private tokenSeq = 0;
  private msgSeq = 0;
  private keepAlive: NodeJS.Timeout | null = null;
  private readonly connTokens = new Map<string, string>();

  constructor(private readonly opts: SsiSimOptions) {
    this.timeline = opts.lines.map((l) => {
      const env = JSON.parse(l) as Record<string, unknown>;
      const type = String(env.DataType ?? env.datatype ?? '');
      let symbol = '';
      try {
        const c = JSON.parse(String(env.Content ?? env.content ?? '{}')) as Record<string, unknown>;
        symbol = String(c.Symbol ?? c.IndexId ?? c.IndexID ?? '');
      } catch {
        /* served to TYPE:ALL subscribers only */
      }
      return { env, type: channelOf(type), symbol };
    });
    this.server = createServer((req, res) => void this.http(req, res));
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  /** Listen on `host:port` (0 = any free port); returns the base URL (`http://host:port/`). */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((r) => this.server.listen(port, host, r));
    const every = this.opts.keepAliveMs ?? 10_000;
    this.keepAlive = setInterval(() => {
      for (const c of this.conns) c.ws.send('{}');
      this.expire();
    }, every);
    const a = this.server.address() as AddressInfo;
    return `http://${host}:${a.port}/`;
  }

  /** Messages of the timeline not yet served. */
  get remaining(): number {
    return this.timeline.length - this.cursor;
  }

  private issue(): string {
    const ttl = this.opts.faults?.tokenTtlMs ?? 8 * 3_600_000;
    const exp = Date.now() + ttl;
    const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    // A JWT's shape (header.claims.signature) so clients read `exp`; the signature is not a real one.
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ exp: exp / 1000, n: ++this.tokenSeq })}.sim`;
    this.tokens.set(token, exp);
    this.stats.tokensIssued++;
    return token;
  }

  private valid(req: IncomingMessage): string | null {
    const h = req.headers.authorization ?? '';
    const token = h.startsWith('Bearer ') ? h.slice(7) : '';
    const exp = this.tokens.get(token);
    return exp !== undefined && Date.now() < exp ? token : null;
  }

  private async http(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && url.pathname === '/api/v2/Market/AccessToken') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const f = this.opts.faults;
      if (f?.rateLimit && this.stats.rateLimited < f.rateLimit) {
        this.stats.rateLimited++;
        json(
          429,
          { status: 429, message: 'Too many requests' },
          { 'retry-after': String(f.retryAfterS ?? 1) },
        );
        return;
      }
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        /* refused below */
      }
      const want = this.opts.credentials;
      if (
        typeof body.consumerID !== 'string' ||
        typeof body.consumerSecret !== 'string' ||
        (want && (body.consumerID !== want.consumerID || body.consumerSecret !== want.consumerSecret))
      ) {
        json(401, { status: 401, message: 'Invalid consumer', data: null });
        return;
      }
      json(200, { status: 200, message: 'Success', data: { accessToken: this.issue() } });
      return;
    }
    if (url.pathname === '/signalr/negotiate' || url.pathname === '/signalr/start') {
      if (!this.valid(req)) {
        this.stats.unauthorized++;
        json(401, { message: 'Unauthorized' });
        return;
      }
      if (url.pathname === '/signalr/start') {
        json(200, { Response: 'started' });
        return;
      }
      this.stats.negotiations++;
      const connectionToken = `ct-${this.stats.negotiations}-${Math.random().toString(36).slice(2)}`;
      this.connTokens.set(connectionToken, this.valid(req)!);
      json(200, {
        Url: '/signalr',
        ConnectionToken: connectionToken,
        ConnectionId: `c-${this.stats.negotiations}`,
        KeepAliveTimeout: ((this.opts.keepAliveMs ?? 10_000) * 2) / 1000,
        DisconnectTimeout: 30,
        ConnectionTimeout: 110,
        TryWebSockets: true,
        ProtocolVersion: '1.5',
        TransportConnectTimeout: 5,
        LongPollDelay: 0,
      });
      return;
    }
    const rest = this.restAnswer(url, req);
    if (rest) {
      json(rest.status, rest.body);
      return;
    }
    if (url.pathname === '/signalr/abort') {
      json(200, {});
      return;
    }
    json(404, { message: 'not found' });
  }

  /** The REST reference routes (Securities, DailyOhlc, IntradayOhlc), or null for another path. */
  private restAnswer(url: URL, req: IncomingMessage): { status: number; body: unknown } | null {
    const p = url.pathname;
    if (
      p !== '/api/v2/Market/Securities' &&
      p !== '/api/v2/Market/DailyOhlc' &&
      p !== '/api/v2/Market/IntradayOhlc'
    )
      return null;
    if (!this.valid(req)) {
      this.stats.unauthorized++;
      return { status: 401, body: { message: 'Unauthorized' } };
    }
    this.stats.restRequests++;
    const q = (k: string): string => url.searchParams.get(k) ?? url.searchParams.get(k.toLowerCase()) ?? '';
    const page = Math.max(1, Number(q('pageIndex') || '1'));
    const size = Math.max(1, Number(q('pageSize') || '10'));
    let rows: Record<string, unknown>[];
    if (p === '/api/v2/Market/Securities') {
      const seen = new Map<string, string>();
      for (const l of this.opts.lines) {
        try {
          const c = JSON.parse(String((JSON.parse(l) as { Content: unknown }).Content)) as Record<
            string,
            unknown
          >;
          if (typeof c.Symbol === 'string' && typeof c.Exchange === 'string') seen.set(c.Symbol, c.Exchange);
        } catch {
          /* not a security line */
        }
      }
      const market = q('market').toUpperCase();
      rows = [...seen]
        .filter(([, m]) => market === '' || m === market)
        .map(([Symbol, Market]) => ({ Market, Symbol, StockName: Symbol, StockEnName: Symbol }));
    } else {
      const body = p === '/api/v2/Market/DailyOhlc' ? this.opts.rest?.daily : this.opts.rest?.intraday;
      const all = body ? ((JSON.parse(body) as { data?: Record<string, unknown>[] }).data ?? []) : [];
      const d = (v: string): number => {
        const m = /^(\d\d)\/(\d\d)\/(\d{4})/.exec(v);
        return m ? Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1])) : NaN;
      };
      const from = d(q('fromDate'));
      const to = d(q('toDate'));
      if (Number.isNaN(from) || Number.isNaN(to) || to < from || to - from > 30 * 86_400_000)
        return {
          status: 400,
          body: { status: 'Error', message: 'fromDate/toDate: DD/MM/YYYY, at most 30 days' },
        };
      const symbol = q('symbol');
      rows = all.filter((r) => {
        const t = d(String(r.TradingDate ?? ''));
        return (symbol === '' || r.Symbol === symbol) && t >= from && t <= to;
      });
    }
    return {
      status: 200,
      body: {
        data: rows.slice((page - 1) * size, page * size),
        message: 'Success',
        status: 'Success',
        totalRecord: rows.length,
      },
    };
  }

  private upgrade(req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    const token = this.valid(req);
    const ct = url.searchParams.get('connectionToken') ?? '';
    if (url.pathname !== '/signalr/connect' || !token || !this.connTokens.has(ct)) {
      this.stats.unauthorized++;
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, token, channels: new Map(), sent: 0 };
      this.conns.add(conn);
      this.stats.connections++;
      ws.send(JSON.stringify({ C: `s-0,${this.msgSeq}`, S: 1, M: [] }));
      ws.on('message', (d) => this.onClient(conn, d.toString()));
      ws.on('close', () => this.conns.delete(conn));
      ws.on('error', () => this.conns.delete(conn));
    });
  }

  private onClient(conn: Conn, text: string): void {
    let m: { H?: unknown; M?: unknown; A?: unknown; I?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return;
    }
    const id = String(m.I ?? '');
    if (m.M !== 'SwitchChannels' || !Array.isArray(m.A) || typeof m.A[0] !== 'string') {
      conn.ws.send(JSON.stringify({ I: id, E: `unknown hub method ${String(m.M)}` }));
      return;
    }
    const [type, syms = ''] = m.A[0].split(':');
    if (!type || !CHANNEL_TYPES.has(type) || syms === '') {
      // SSI reports a bad channel through the hub's Error method.
      this.stats.hubErrors++;
      conn.ws.send(
        JSON.stringify({
          C: `s-0,${++this.msgSeq}`,
          M: [{ H: 'FcMarketDataV2Hub', M: 'Error', A: [`invalid channel ${m.A[0]}`] }],
        }),
      );
      conn.ws.send(JSON.stringify({ I: id, R: false }));
      return;
    }
    conn.channels.set(type, syms === 'ALL' ? 'ALL' : new Set(syms.split('-')));
    let k = this.known.get(type);
    if (!k) this.known.set(type, (k = new Set()));
    for (const s of syms.split('-')) k.add(s);
    this.stats.subscriptions++;
    conn.ws.send(JSON.stringify({ I: id, R: true }));
    if (this.settle) clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = null;
      this.pump();
    }, this.opts.settleMs ?? 100);
  }

  private everWanted(type: string, symbol: string): boolean {
    const k = this.known.get(type);
    return k !== undefined && (k.has('ALL') || k.has(symbol));
  }

  private wants(c: Conn, type: string, symbol: string): boolean {
    const ch = c.channels.get(type);
    return ch === 'ALL' || (ch !== undefined && ch.has(symbol));
  }

  /** Serve the timeline while some connection wants the next message (see module comment). */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const interval = this.opts.intervalMs ?? 0;
    const next = (f: () => void): unknown => (interval > 0 ? setTimeout(f, interval) : setImmediate(f));
    next(() => {
      this.pumping = false;
      const batch = interval > 0 ? 1 : (this.opts.batch ?? 50);
      for (let n = 0; n < batch && this.cursor < this.timeline.length; n++) {
        const msg = this.timeline[this.cursor]!;
        const to = [...this.conns].filter(
          (c) => c.ws.readyState === c.ws.OPEN && this.wants(c, msg.type, msg.symbol),
        );
        if (to.length === 0) {
          if (this.everWanted(msg.type, msg.symbol)) return; // hold until a connection wants it again
          this.stats.unrouted++;
          this.cursor++;
          continue;
        }
        this.cursor++;
        const frame = JSON.stringify({
          C: `s-0,${++this.msgSeq}`,
          M: [{ H: 'FcMarketDataV2Hub', M: 'Broadcast', A: [msg.env] }],
        });
        for (const c of to) {
          c.ws.send(frame);
          c.sent++;
          this.stats.sent++;
          const every = this.opts.faults?.disconnectEvery ?? 0;
          if (every > 0 && c.sent % every === 0) {
            this.stats.disconnects++;
            this.conns.delete(c);
            c.ws.close(1001, 'simulated disconnect');
          }
        }
      }
      if (this.cursor < this.timeline.length) this.pump();
    });
  }

  /** Close connections whose token expired (SSI ends them; the client must get a new token). */
  private expire(): void {
    const now = Date.now();
    for (const c of this.conns)
      if ((this.tokens.get(c.token) ?? 0) <= now) {
        this.stats.expiredClosed++;
        this.conns.delete(c);
        c.ws.close(4401, 'token expired');
      }
  }

  /** Stop listening and close every connection. */
  async close(): Promise<void> {
    if (this.keepAlive) clearInterval(this.keepAlive);
    if (this.settle) clearTimeout(this.settle);
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
