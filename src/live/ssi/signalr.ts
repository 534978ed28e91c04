/**
 * A client of classic ASP.NET SignalR 2 (protocol 1.5) over WebSockets, on `ws`: what SSI FastConnect
 * Data streams with (the SignalR Core client, `@microsoft/signalr`, does not speak this protocol).
 *
 * Follows: ASP.NET SignalR 2 "SignalR protocol" (persistent connection over the `webSockets` transport)
 * as SSI's SDKs use it (python-fcdata, node-fcdata):
 * 1. negotiate: `GET {base}/signalr/negotiate?clientProtocol=1.5&connectionData=[{"name":"<hub>"}]` →
 *    `{Url, ConnectionToken, ConnectionId, KeepAliveTimeout (s), DisconnectTimeout (s), TryWebSockets,
 *    ProtocolVersion, TransportConnectTimeout}`;
 * 2. connect: WebSocket `ws(s)://{host}/signalr/connect?transport=webSockets&clientProtocol=1.5&
 *    connectionToken=…&connectionData=…&tid=N`; the server's first message is the init
 *    `{"C":"…","S":1,"M":[]}`;
 * 3. start: `GET {base}/signalr/start?transport=webSockets&…` → `{"Response":"started"}`.
 * Then hub calls are `{"H":hub,"M":method,"A":[args],"I":id}` answered `{"I":"id","R":result}` or
 * `{"I":"id","E":"error"}`; server calls arrive as `{"C":cursor,"M":[{"H":hub,"M":method,"A":[args]}]}`;
 * keep-alives are `{}`; `abort` ends the connection on the server.
 *
 * Every HTTP request and the WebSocket upgrade carry `headers()` (SSI: `Authorization: Bearer <token>`),
 * asked for afresh each time so a refreshed token is used. A connection that receives nothing for the
 * negotiated `KeepAliveTimeout` is closed (`keepalive_timeout`); reconnecting is the caller's job
 * (live/ssi/client.ts: negotiate again, re-subscribe).
 */
import WebSocket from 'ws';

/** A failed SignalR step, with the HTTP status when the server answered one (401, 429 …). */
export class SignalRError extends Error {
  override readonly name = 'SignalRError';
  constructor(
    message: string,
    readonly step: 'negotiate' | 'connect' | 'start' | 'invoke' | 'closed',
    readonly status?: number,
    /** `Retry-After` of a 429/503 answer, as sent. */
    readonly retryAfter?: string | null,
  ) {
    super(message);
  }
}

/** The negotiate answer (the fields the client uses). */
export interface Negotiation {
  readonly connectionToken: string;
  readonly connectionId: string;
  /** ms; NaN when the server sends none (no keep-alive watchdog then). */
  readonly keepAliveTimeoutMs: number;
  readonly protocolVersion: string;
}

/** Options of one connection. */
export interface SignalR2Options {
  /** HTTP(S) base of the SignalR endpoint's host path, e.g. `https://fc-datahub.ssi.com.vn/` (`/signalr` is appended). */
  readonly url: string;
  readonly hub: string;
  /** Headers of every request (asked afresh each time). */
  readonly headers?: () => Record<string, string>;
  /** A hub method call from the server: `method` as sent (case kept), its arguments. */
  readonly onInvoke: (method: string, args: readonly unknown[], receivedAt: number) => void;
  /** The connection ended (by the server, the network, the watchdog, or {@link SignalR2Connection.close}). */
  readonly onClose: (reason: string) => void;
  /** Clock for receive times, ms since epoch (default Date.now; fractional ms allowed). */
  readonly now?: () => number;
}

const PROTOCOL = '1.5';

/** One SignalR 2 connection (see module comment). Not reusable: open a new one to reconnect. */
export class SignalR2Connection {
  private ws: WebSocket | null = null;
  private negotiation: Negotiation | null = null;
  private nextId = 0;
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private watchdog: NodeJS.Timeout | null = null;
  private lastMessageAt = 0;
  private closed = false;
  /** Messages received (keep-alives included). */
  messages = 0;

  constructor(private readonly opts: SignalR2Options) {}

  private base(): string {
    return `${this.opts.url.replace(/\/$/, '')}/signalr`;
  }

  private query(extra: Record<string, string> = {}): string {
    const q = new URLSearchParams({
      clientProtocol: PROTOCOL,
      connectionData: JSON.stringify([{ name: this.opts.hub }]),
      ...extra,
    });
    return q.toString();
  }

  private async get(path: string, step: 'negotiate' | 'start', q: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.base()}/${path}?${q}`, { headers: this.opts.headers?.() ?? {} });
    } catch (e) {
      throw new SignalRError(`${step} failed: ${(e as Error).message}`, step);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new SignalRError(
        `${step} answered HTTP ${res.status}`,
        step,
        res.status,
        res.headers.get('retry-after'),
      );
    }
    try {
      return await res.json();
    } catch {
      throw new SignalRError(`${step} answer is not JSON`, step, res.status);
    }
  }

  /**
   * negotiate → connect → start.
   * @throws {SignalRError} naming the failed step (and the HTTP status when there was one)
   */
  async open(): Promise<Negotiation> {
    const n = (await this.get('negotiate', 'negotiate', this.query())) as Record<string, unknown>;
    if (typeof n.ConnectionToken !== 'string')
      throw new SignalRError('negotiate answer has no ConnectionToken', 'negotiate');
    const neg: Negotiation = {
      connectionToken: n.ConnectionToken,
      connectionId: typeof n.ConnectionId === 'string' ? n.ConnectionId : '',
      keepAliveTimeoutMs: typeof n.KeepAliveTimeout === 'number' ? n.KeepAliveTimeout * 1000 : NaN,
      protocolVersion: typeof n.ProtocolVersion === 'string' ? n.ProtocolVersion : '',
    };
    this.negotiation = neg;
    const transport = { transport: 'webSockets', connectionToken: neg.connectionToken };
    const wsUrl = `${this.base().replace(/^http/, 'ws')}/connect?${this.query({ ...transport, tid: String(Math.floor(Math.random() * 11)) })}`;
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { headers: this.opts.headers?.() ?? {} });
      this.ws = ws;
      let initialised = false;
      ws.on('unexpected-response', (_req, res) => {
        reject(
          new SignalRError(
            `connect answered HTTP ${res.statusCode}`,
            'connect',
            res.statusCode,
            res.headers['retry-after'] as string | undefined,
          ),
        );
        ws.terminate();
      });
      ws.on('error', (e) => {
        if (!initialised) reject(new SignalRError(`connect failed: ${e.message}`, 'connect'));
      });
      ws.on('message', (data) => {
        const text = data.toString();
        if (!initialised) {
          // The init message {"C":…,"S":1,"M":[]} completes the connect step.
          try {
            const m = JSON.parse(text) as { S?: number };
            if (m.S === 1) {
              initialised = true;
              resolve();
              return;
            }
          } catch {
            /* fall through: handled as a message */
          }
        }
        this.onText(text);
      });
      ws.on('close', (code, reason) => {
        if (!initialised) reject(new SignalRError(`connection closed before init (${code})`, 'connect'));
        this.finish(`closed ${code}${reason.length ? ` ${reason.toString()}` : ''}`);
      });
    });
    try {
      const started = (await this.get('start', 'start', this.query(transport))) as { Response?: unknown };
      if (started.Response !== 'started') throw new SignalRError('start answer is not "started"', 'start');
    } catch (e) {
      this.close('start failed');
      throw e;
    }
    this.lastMessageAt = Date.now();
    if (Number.isFinite(neg.keepAliveTimeoutMs) && neg.keepAliveTimeoutMs > 0) {
      const every = Math.max(50, neg.keepAliveTimeoutMs / 4);
      this.watchdog = setInterval(() => {
        if (Date.now() - this.lastMessageAt > neg.keepAliveTimeoutMs) this.close('keepalive_timeout');
      }, every);
      this.watchdog.unref();
    }
    return neg;
  }

  /**
   * Handle one text message as received on the socket (the socket's message handler calls it; public
   * so a benchmark can drive the exact receive path without a socket).
   */
  receive(text: string): void {
    this.onText(text);
  }

  private onText(text: string): void {
    const at = (this.opts.now ?? Date.now)();
    this.lastMessageAt = Date.now();
    this.messages++;
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return; // not SignalR JSON: nothing to dispatch (the hub sends only JSON)
    }
    if (typeof m.I === 'string' && m.H === undefined && m.M === undefined) {
      const p = this.pending.get(m.I);
      if (!p) return;
      this.pending.delete(m.I);
      if (m.E !== undefined && m.E !== null)
        p.reject(new SignalRError(`hub error: ${String(m.E)}`, 'invoke'));
      else p.resolve(m.R);
      return;
    }
    if (Array.isArray(m.M))
      for (const call of m.M as unknown[]) {
        if (call === null || typeof call !== 'object') continue;
        const c = call as { M?: unknown; A?: unknown };
        if (typeof c.M === 'string') this.opts.onInvoke(c.M, Array.isArray(c.A) ? c.A : [], at);
      }
  }

  /**
   * Call a hub method and wait for its answer.
   * @throws {SignalRError} `invoke` on a hub error or a closed connection
   */
  invoke(method: string, ...args: unknown[]): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.closed)
      return Promise.reject(new SignalRError('connection is not open', 'invoke'));
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ H: this.opts.hub, M: method, A: args, I: id }));
    });
  }

  /** Close the connection (tells the server with `abort` when it was started). */
  close(reason = 'closed by client'): void {
    if (this.closed) return;
    const neg = this.negotiation;
    if (neg && this.ws?.readyState === WebSocket.OPEN)
      void fetch(
        `${this.base()}/abort?${this.query({ transport: 'webSockets', connectionToken: neg.connectionToken })}`,
        {
          method: 'POST',
          headers: this.opts.headers?.() ?? {},
        },
      )
        .then((r) => r.body?.cancel())
        .catch(() => {});
    this.ws?.terminate();
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    for (const p of this.pending.values())
      p.reject(new SignalRError(`connection closed: ${reason}`, 'closed'));
    this.pending.clear();
    this.opts.onClose(reason);
  }
}
