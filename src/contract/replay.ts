/**
 * Replay sessions (`/api/v1/replay`, WS channel `replay`): a recording played on recorded time that the
 * server's whole API answers for, steered by play/pause/step/speed/seek/loop. Times are the recording's
 * (ms since epoch UTC).
 */
import { z } from 'zod';
import { msTime, msTimeOrNull, page } from './common.ts';

/** Playback speed: a factor of recorded time (0.25-100), or `max` (as fast as possible). */
export const ReplaySpeed = z.union([z.number().min(0.25).max(100), z.literal('max')]);
export type ReplaySpeed = z.infer<typeof ReplaySpeed>;

/** A session's playback state. */
export const ReplayState = z.enum(['paused', 'playing', 'ended']);

/** One replay session. */
export const ReplaySession = z.object({
  id: z.string(),
  files: z.array(z.string()).describe("recordings, relative to the server's recordings folder"),
  state: ReplayState,
  speed: ReplaySpeed,
  loop: z.boolean(),
  /** Recorded time of the first and last frame, and the replay clock now. */
  start: msTime,
  end: msTime,
  position: msTimeOrNull.describe('recorded time of the last frame played (null before the first)'),
  progress: z.number().min(0).max(1),
  /** Frames played since the session start (or the last seek). */
  frames: z.number(),
  totalFrames: z.number().describe('frames in the recording'),
  /** Book checkpoints taken while reading (seek targets). */
  checkpoints: z.number(),
  instruments: z.array(z.string()),
  error: z
    .string()
    .nullable()
    .describe('why the session ended early (read or processing failure), null otherwise'),
});
export type ReplaySession = z.infer<typeof ReplaySession>;

/** `GET /api/v1/replay`. */
export const ReplaySessionsResponse = page(ReplaySession);

/** `POST /api/v1/replay` body: create a session (paused at the start unless `play`). */
export const ReplayCreateBody = z.object({
  files: z
    .array(z.string().min(1).max(512))
    .min(1)
    .max(16)
    .describe('recordings under the recordings folder'),
  speed: ReplaySpeed.default(1),
  loop: z.boolean().default(false),
  play: z.boolean().default(false),
});

/** `PATCH /api/v1/replay/:id` body: any of the controls, applied in the order seek, speed, loop, state. */
export const ReplayControlBody = z.object({
  state: z.enum(['paused', 'playing']).optional(),
  speed: ReplaySpeed.optional(),
  loop: z.boolean().optional(),
  seekTo: z.number().optional().describe('recorded time to move to (clamped to [start, end])'),
});

/** `POST /api/v1/replay/:id/step` body: play `frames` frames (paused sessions). */
export const ReplayStepBody = z.object({ frames: z.number().int().min(1).max(100_000).default(1) });

/** Path of a session. */
export const replayPath = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a replay session id') });

/** A mark on a session's timeline: a gap (book lost integrity), a resync (live again) or an alert. */
export const ReplayMark = z.object({
  ts: msTime.describe('recorded time'),
  kind: z.enum(['gap', 'resync', 'alert']),
  instrument: z.string(),
  detail: z.string(),
});
export type ReplayMark = z.infer<typeof ReplayMark>;

/** `GET /api/v1/replay/:id/marks`: gaps and resyncs of the whole recording, alerts as they fired. */
export const ReplayMarksResponse = page(ReplayMark);

/** A recording file the server can open in a session (under its recordings folder). */
export const RecordingFileInfo = z.object({
  path: z.string().describe('relative to the recordings folder, `/`-separated'),
  size: z.number().describe('bytes on disk'),
  modified: msTime,
});
export type RecordingFileInfo = z.infer<typeof RecordingFileInfo>;

/** `GET /api/v1/recordings`: files of the recordings folder (config `replay.dir`). */
export const RecordingFilesResponse = page(RecordingFileInfo);
