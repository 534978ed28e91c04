/**
 * The depthwatch client SDK (`depthwatch/client`): typed REST calls generated from the contract's route
 * table, and WebSocket streams as async iterators with reconnect and re-subscription. The same client
 * works against a live process and a replay server; only the base URL differs.
 *
 * ```ts
 * const dw = createClient({ baseUrl: 'http://127.0.0.1:8080/', createSocket: (u) => new WebSocket(u) });
 * // A server with API keys (README "Security"): createClient({ ..., apiKey: process.env.DW_KEY })
 * const book = await dw.book({ instrument: 'binance:BTCUSDT', query: { depth: 5 } });
 * for await (const m of dw.stream({ channels: ['metrics'], instruments: ['binance:BTCUSDT'] }))
 *   console.log(m.data.metrics.imbalanceTopN);
 * ```
 */
import type { WsChannel, WsData } from '../contract/ws.ts';
import { createRestClient, type RestClient, type RestClientOptions } from './rest.ts';
import { DepthwatchSocket, socketUrl, type SocketInfo, type SocketOptions } from './socket.ts';
import { openReplay, replayHandle, type ReplayHandle } from './replay.ts';
import type { ReplayCreateBody, ReplaySession } from '../contract/replay.ts';
import type { z } from 'zod';

export {
  ApiError,
  callUrl,
  createRestClient,
  type CallOptions,
  type RestClient,
  type RestClientOptions,
} from './rest.ts';
export {
  DepthwatchSocket,
  socketUrl,
  type Handler,
  type SocketInfo,
  type SocketLike,
  type SocketOptions,
  type SocketStatus,
} from './socket.ts';
export { replayHandle, openReplay, type ReplayHandle } from './replay.ts';
export { LiveCandles } from './candles.ts';
export type * from '../contract/index.ts';

/** Options of {@link createClient}. */
export interface ClientOptions extends RestClientOptions, SocketOptions {
  /** WebSocket URL (default: `ws` next to `baseUrl`, or to the page in a browser). */
  wsUrl?: string;
}

/** What to stream. */
export interface StreamOptions<C extends WsChannel> {
  channels: readonly C[];
  /** Keys per channel: instrument ids, group names, session ids, `asset:<CODE>`; default `['*']`. */
  instruments?: readonly string[];
  /** Server-side conflation per key, ms (default: the server's per-channel default). */
  throttleMs?: number;
  /** Ends the stream. */
  signal?: AbortSignal;
  /** Messages kept while the consumer is slower than the stream; older ones are dropped (default 10,000). */
  maxQueue?: number;
  /** Connection status changes (connects, drops, reconnect attempts). */
  onStatus?: (s: SocketInfo) => void;
}

/** An async iterator of channel messages, with its counters. */
export interface MessageStream<C extends WsChannel> extends AsyncIterableIterator<WsData<C>> {
  /** Messages dropped because the consumer fell more than `maxQueue` behind. */
  readonly dropped: number;
  /** The underlying socket (status, counters). */
  readonly socket: DepthwatchSocket;
  /** End the stream (same as breaking out of `for await`). */
  close(): void;
}

/** The client: REST methods plus streams. */
export type DepthwatchClient = RestClient & {
  /**
   * Stream the messages of `channels` × `instruments` over one WebSocket that reconnects (shared
   * back-off) and re-subscribes by itself. Ends on `close()`, `break`, or the signal.
   */
  stream<C extends WsChannel>(opts: StreamOptions<C>): MessageStream<C>;
  /** Create a replay session (files of the server's recordings folder) and return its handle. */
  openReplay(body: z.input<typeof ReplayCreateBody>): Promise<ReplayHandle>;
  /** A handle on an existing replay session (its id, or its view from `replayList`). */
  replay(session: string | ReplaySession): Promise<ReplayHandle>;
};

function defaultWsUrl(opts: ClientOptions): string {
  if (opts.wsUrl) return opts.wsUrl;
  if (opts.baseUrl) return socketUrl(opts.baseUrl);
  const loc = (globalThis as { location?: { href: string } }).location;
  if (!loc) throw new Error('give baseUrl or wsUrl outside a browser');
  return socketUrl(new URL('.', loc.href).toString());
}

/** Create a client. */
export function createClient(opts: ClientOptions = {}): DepthwatchClient {
  const rest = createRestClient(opts);
  const stream = <C extends WsChannel>(s: StreamOptions<C>): MessageStream<C> => {
    const socket = new DepthwatchSocket(defaultWsUrl(opts), {
      ...(opts.minBackoffMs !== undefined ? { minBackoffMs: opts.minBackoffMs } : {}),
      ...(opts.maxBackoffMs !== undefined ? { maxBackoffMs: opts.maxBackoffMs } : {}),
      ...(opts.createSocket ? { createSocket: opts.createSocket } : {}),
      // With an API key, each (re)connect takes a single-use token: a key never goes into a URL.
      ...(opts.connectToken
        ? { connectToken: opts.connectToken }
        : opts.apiKey !== undefined
          ? { connectToken: async () => (await rest.authWsToken()).token }
          : {}),
    });
    const max = s.maxQueue ?? 10_000;
    const queue: WsData<C>[] = [];
    let waiting: ((r: IteratorResult<WsData<C>>) => void) | null = null;
    let done = false;
    let dropped = 0;
    const offs: (() => void)[] = [];
    if (s.onStatus) offs.push(socket.onStatus(s.onStatus));
    const push = (m: WsData<C>): void => {
      if (done) return;
      if (waiting) {
        const w = waiting;
        waiting = null;
        w({ value: m, done: false });
        return;
      }
      if (queue.length >= max) {
        queue.shift();
        dropped++;
      }
      queue.push(m);
    };
    for (const channel of s.channels)
      for (const instrument of s.instruments ?? ['*'])
        offs.push(
          socket.subscribe(
            channel,
            instrument,
            (data, key) => push({ channel, instrument: key, data } as WsData<C>),
            s.throttleMs,
          ),
        );
    const close = (): void => {
      if (done) return;
      done = true;
      for (const off of offs) off();
      socket.close();
      s.signal?.removeEventListener('abort', close);
      if (waiting) {
        const w = waiting;
        waiting = null;
        w({ value: undefined, done: true });
      }
    };
    s.signal?.addEventListener('abort', close);
    if (s.signal?.aborted) close();
    const it: MessageStream<C> = {
      get dropped() {
        return dropped;
      },
      socket,
      close,
      next: () => {
        const m = queue.shift();
        if (m !== undefined) return Promise.resolve({ value: m, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((res) => {
          waiting = res;
        });
      },
      return: () => {
        close();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  };
  const deps = { rest, stream: (o: StreamOptions<'replay'>) => stream(o) };
  return Object.assign(rest, {
    stream,
    openReplay: (body: z.input<typeof ReplayCreateBody>) => openReplay(deps, body),
    replay: async (session: string | ReplaySession) =>
      replayHandle(deps, typeof session === 'string' ? await rest.replayGet({ id: session }) : session),
  }) as DepthwatchClient;
}
