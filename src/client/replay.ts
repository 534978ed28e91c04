/**
 * Replay session calls of the client SDK: a handle on one session of a `depthwatch serve` process
 * (`/api/v1/replay/:id`, WS channel `replay`), over the generated REST methods. Times are the
 * recording's (ms since epoch UTC); speed is a factor of recorded time (0.25-100) or `max`.
 *
 * ```ts
 * const s = await dw.openReplay({ files: ['binance/btcusdt_20240808.gz'], speed: 10, play: true });
 * await s.pause();
 * await s.seek(s.view.start + 60_000);
 * for await (const v of s.updates()) console.log(v.state, v.position);
 * ```
 */
import type { z } from 'zod';
import type { ReplayCreateBody, ReplaySession, ReplaySpeed } from '../contract/replay.ts';
import type { WsData } from '../contract/ws.ts';
import type { CallOptions, RestClient } from './rest.ts';

/** A session handle: the latest view it saw, and its controls (each returns the session after it). */
export interface ReplayHandle {
  readonly id: string;
  /** The session as last answered or streamed. */
  readonly view: ReplaySession;
  /** Fetch the session now. */
  get(opts?: CallOptions): Promise<ReplaySession>;
  play(): Promise<ReplaySession>;
  pause(): Promise<ReplaySession>;
  /** Move to recorded time `ts` (clamped to the recording); the books are then as of `ts`. */
  seek(ts: number): Promise<ReplaySession>;
  setSpeed(speed: ReplaySpeed): Promise<ReplaySession>;
  setLoop(loop: boolean): Promise<ReplaySession>;
  /** Play `frames` frames of a paused session. */
  step(frames?: number): Promise<ReplaySession>;
  /** Stop and remove the session. */
  close(): Promise<void>;
  /** The session's updates (state, position, speed) from the WS `replay` channel, until `signal`. */
  updates(signal?: AbortSignal): AsyncIterableIterator<ReplaySession>;
}

/** What the handle needs from the client. */
export interface ReplayClientDeps {
  rest: Pick<RestClient, 'replayGet' | 'replayControl' | 'replayStep' | 'replayDelete' | 'replayCreate'>;
  stream(opts: {
    channels: readonly ['replay'];
    instruments: readonly string[];
    signal?: AbortSignal;
  }): AsyncIterableIterator<WsData<'replay'>>;
}

/** A handle on session `view.id`. */
export function replayHandle(deps: ReplayClientDeps, first: ReplaySession): ReplayHandle {
  let view = first;
  const id = first.id;
  const set = (v: ReplaySession): ReplaySession => (view = v);
  const control = async (body: z.input<typeof import('../contract/replay.ts').ReplayControlBody>) =>
    set(await deps.rest.replayControl({ id, body }));
  return {
    id,
    get view() {
      return view;
    },
    get: async (opts) => set(await deps.rest.replayGet({ id }, opts)),
    play: () => control({ state: 'playing' }),
    pause: () => control({ state: 'paused' }),
    seek: (ts) => control({ seekTo: ts }),
    setSpeed: (speed) => control({ speed }),
    setLoop: (loop) => control({ loop }),
    step: async (frames = 1) => set(await deps.rest.replayStep({ id, body: { frames } })),
    close: async () => {
      await deps.rest.replayDelete({ id });
    },
    updates: (signal) => {
      const s = deps.stream({ channels: ['replay'], instruments: [id], ...(signal ? { signal } : {}) });
      const it: AsyncIterableIterator<ReplaySession> = {
        next: async () => {
          const r = await s.next();
          return r.done ? { value: undefined, done: true } : { value: set(r.value.data), done: false };
        },
        return: async () => {
          await s.return?.();
          return { value: undefined, done: true };
        },
        [Symbol.asyncIterator]: () => it,
      };
      return it;
    },
  };
}

/** Create a session from recordings of the server's recordings folder and return its handle. */
export async function openReplay(
  deps: ReplayClientDeps,
  body: z.input<typeof ReplayCreateBody>,
): Promise<ReplayHandle> {
  return replayHandle(deps, await deps.rest.replayCreate({ body }));
}
