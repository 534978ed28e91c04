/**
 * Handlers of the replay routes (`/api/v1/replay`, contract: src/contract/replay.ts) over a
 * {@link ReplayApi}: the replay sessions of this server, implemented above the API layer (src/replay).
 * Without one every replay route answers 501.
 */
import type { z } from 'zod';
import type {
  RecordingFileInfo,
  ReplayControlBody,
  ReplayCreateBody,
  ReplayMark,
  ReplaySession,
} from '../contract/replay.ts';
import { ApiError, type JsonHandlers } from './contract-routes.ts';
import { offsetPage } from './paging.ts';

/** A replay session as the contract shows it. */
export type ReplaySessionView = z.input<typeof ReplaySession>;

/**
 * Replay sessions as the API steers them. Methods throw an Error with `statusCode` (404 unknown
 * file/session, 409 wrong state, 400 bad value) for a caller's mistake.
 */
export interface ReplayApi {
  list(): ReplaySessionView[];
  get(id: string): ReplaySessionView | undefined;
  create(req: z.output<typeof ReplayCreateBody>): Promise<ReplaySessionView>;
  control(id: string, req: z.output<typeof ReplayControlBody>): Promise<ReplaySessionView>;
  step(id: string, frames: number): Promise<ReplaySessionView>;
  remove(id: string): Promise<boolean>;
  /** Gaps, resyncs and alerts on a session's timeline (undefined: unknown session). */
  marks(id: string): ReplayMark[] | undefined;
  /**
   * The files of the recordings folder.
   * @throws {Error} with `statusCode` 501 when the server has no recordings folder
   */
  recordings(): Promise<RecordingFileInfo[]>;
  /** Session updates (state changes, and position at most every few hundred ms while playing). */
  onUpdate(listener: (s: ReplaySessionView) => void): () => void;
  close(): Promise<void>;
}

/** The replay routes' handlers (501 without a ReplayApi). */
export function replayHandlers(
  replay: ReplayApi | undefined,
): Pick<
  JsonHandlers,
  | 'replayList'
  | 'replayCreate'
  | 'replayGet'
  | 'replayControl'
  | 'replayStep'
  | 'replayDelete'
  | 'replayMarks'
  | 'replayFiles'
> {
  const r = (): ReplayApi => {
    if (!replay)
      throw new ApiError(501, 'replay sessions are off on this node (start it with `depthwatch serve`)');
    return replay;
  };
  const session = (id: string): ReplaySessionView => {
    const s = r().get(id);
    if (!s) throw new ApiError(404, `unknown replay session ${id}`);
    return s;
  };
  return {
    replayList: async ({ query }) => offsetPage(r().list(), query.limit, query.cursor),
    replayCreate: async ({ body }) => r().create(body),
    replayGet: async ({ params }) => session(params.id),
    replayControl: async ({ params, body }) => {
      session(params.id);
      return r().control(params.id, body);
    },
    replayStep: async ({ params, body }) => {
      session(params.id);
      return r().step(params.id, body.frames);
    },
    replayMarks: async ({ params, query }) => {
      session(params.id);
      return offsetPage(r().marks(params.id) ?? [], query.limit, query.cursor);
    },
    replayFiles: async ({ query }) => offsetPage(await r().recordings(), query.limit, query.cursor),
    replayDelete: async ({ params }) => {
      session(params.id);
      await r().remove(params.id);
      return { id: params.id, deleted: true as const };
    },
  };
}
