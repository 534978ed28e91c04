/**
 * Replay state of the dashboard (a `depthwatch serve` server): its replay sessions (WebSocket `replay`
 * channel), the session the dashboard follows (the one playing the selected instrument, else the first),
 * its timeline marks and the recordings folder, and the **dashboard clock**: {@link clockNow} is the
 * followed session's recorded time (extrapolated between updates while playing at a finite speed) when
 * there is a session, else the wall clock. Panels that ask "what time is it" (heatmap window, history
 * ranges) ask {@link clockNow}; {@link replayEpoch} bumps when the clock jumps (seek, loop, reopen), so
 * they reload their window. On a live server `/api/v1/replay` answers 501 and nothing here is shown.
 */
import { computed, ref, watch, type Ref } from 'vue';
import { api, ApiError } from '../api/client.ts';
import type { DepthwatchSocket } from '../api/ws.ts';
import type {
  RecordingFileInfo,
  ReplayMark,
  ReplaySession,
  ReplaySpeed,
} from '../../../src/contract/replay.ts';

/** The session the dashboard follows (null: live server, or no session). */
export const followed = ref<ReplaySession | null>(null);
/** Wall time the followed session's view was received, ms. */
let receivedAt = 0;
/** Bumps whenever the replay clock jumps (seek, loop, another session followed). */
export const replayEpoch = ref(0);

/** The dashboard clock, ms since epoch UTC: recorded time when following a session, else wall time. */
export function clockNow(): number {
  const s = followed.value;
  if (!s) return Date.now();
  const p = s.position ?? s.start;
  if (s.state !== 'playing' || s.speed === 'max') return p;
  return Math.min(s.end, p + (Date.now() - receivedAt) * s.speed);
}

/** Whether the dashboard shows recorded time. */
export function replayActive(): boolean {
  return followed.value !== null;
}

/** Speeds offered by the replay bar. */
export const REPLAY_SPEEDS: readonly ReplaySpeed[] = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 'max'];

/** What the replay bar renders and does. */
export interface ReplayState {
  /** False on a server without replay sessions (501): the bar hides. */
  available: Ref<boolean>;
  sessions: Ref<ReplaySession[]>;
  session: Ref<ReplaySession | null>;
  marks: Ref<ReplayMark[]>;
  files: Ref<RecordingFileInfo[]>;
  error: Ref<string | null>;
  control(body: {
    state?: 'paused' | 'playing';
    speed?: ReplaySpeed;
    loop?: boolean;
    seekTo?: number;
  }): Promise<void>;
  step(frames: number): Promise<void>;
  open(path: string): Promise<void>;
  loadFiles(): Promise<void>;
  close(): Promise<void>;
  dispose(): void;
}

/** Create the replay state on a socket; follows the session that plays `selected`. */
export function createReplay(socket: DepthwatchSocket, selected: Readonly<Ref<string | null>>): ReplayState {
  const available = ref(false);
  const sessions = ref<ReplaySession[]>([]);
  const marks = ref<ReplayMark[]>([]);
  const files = ref<RecordingFileInfo[]>([]);
  const error = ref<string | null>(null);
  const pick = (): ReplaySession | null =>
    sessions.value.find((s) => selected.value !== null && s.instruments.includes(selected.value)) ??
    sessions.value[0] ??
    null;

  const follow = (): void => {
    const next = pick();
    const prev = followed.value;
    receivedAt = Date.now();
    followed.value = next;
    if (!next || !prev) {
      if (next !== prev) replayEpoch.value++;
      return;
    }
    const jumped =
      next.id !== prev.id ||
      next.frames < prev.frames ||
      (next.position !== null && prev.position !== null && next.position < prev.position);
    if (jumped) replayEpoch.value++;
  };

  const upsert = (s: ReplaySession): void => {
    const i = sessions.value.findIndex((x) => x.id === s.id);
    sessions.value = i === -1 ? [...sessions.value, s] : sessions.value.map((x, j) => (j === i ? s : x));
    follow();
  };

  const fail = (e: unknown): void => {
    error.value = e instanceof Error ? e.message : String(e);
  };

  async function refresh(): Promise<void> {
    try {
      sessions.value = (await api.replayList()).items;
      available.value = true;
      follow();
    } catch (e) {
      if (e instanceof ApiError && e.status === 501) {
        // A live server: no replay sessions here, stop asking.
        available.value = false;
        clearInterval(poll);
      }
    }
  }

  async function loadMarks(): Promise<void> {
    const s = followed.value;
    if (!s) {
      marks.value = [];
      return;
    }
    try {
      marks.value = (await api.replayMarks({ id: s.id, query: { limit: 2000 } })).items;
    } catch {
      // The next poll retries.
    }
  }

  const off = socket.subscribe('replay', '*', (s) => {
    available.value = true;
    upsert(s);
  });
  const poll = setInterval(() => {
    void refresh();
    void loadMarks();
  }, 5000);
  void refresh();
  watch(
    () => followed.value?.id,
    () => void loadMarks(),
  );
  watch(selected, follow);

  const session = computed(() => followed.value);

  async function control(body: Parameters<ReplayState['control']>[0]): Promise<void> {
    const s = followed.value;
    if (!s) return;
    try {
      upsert(await api.replayControl({ id: s.id, body }));
      error.value = null;
    } catch (e) {
      fail(e);
    }
  }

  return {
    available,
    sessions,
    session,
    marks,
    files,
    error,
    control,
    async step(frames) {
      const s = followed.value;
      if (!s) return;
      try {
        upsert(await api.replayStep({ id: s.id, body: { frames } }));
      } catch (e) {
        fail(e);
      }
    },
    async open(path) {
      try {
        const s = await api.replayCreate({ body: { files: [path], play: true } });
        error.value = null;
        sessions.value = [...sessions.value.filter((x) => x.id !== s.id), s];
        // Follow the new session at once (its instruments appear in the picker with the next poll).
        receivedAt = Date.now();
        followed.value = s;
        replayEpoch.value++;
        void loadMarks();
      } catch (e) {
        fail(e);
      }
    },
    async loadFiles() {
      try {
        files.value = (await api.replayFiles({ query: { limit: 1000 } })).items;
        error.value = null;
      } catch (e) {
        files.value = [];
        fail(e);
      }
    },
    async close() {
      const s = followed.value;
      if (!s) return;
      try {
        await api.replayDelete({ id: s.id });
        sessions.value = sessions.value.filter((x) => x.id !== s.id);
        follow();
      } catch (e) {
        fail(e);
      }
    },
    dispose() {
      off();
      clearInterval(poll);
    },
  };
}
