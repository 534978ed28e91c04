/**
 * The replay sessions of a `depthwatch serve` process ({@link ReplayApi}: `/api/v1/replay`, WS channel
 * `replay`), and the API's read view over all of them ({@link ReplaySessions.engineView}): books,
 * metrics, analytics and consolidation of every session at once, each session's instruments being its
 * own (a session whose instruments another session already plays is refused, 409), so the same API and
 * client calls answer as for a live process.
 *
 * Files: the API lists and opens only files under the recordings folder (`dir`, config `replay.dir`), named by
 * their path relative to it; an absolute path, a `..` segment, or a path that resolves (symlinks
 * followed) outside the folder is refused with 400; a missing file is 404. The command line opens any
 * path it is given ({@link ReplaySessions.openPaths}).
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { z } from 'zod';
import type { ReplayCreateBody, ReplayMark, RecordingFileInfo } from '../contract/replay.ts';
import type { ReplayApi, ReplaySessionView } from '../api/replay-routes.ts';
import { ApiError } from '../api/contract-routes.ts';
import type { ApiEngine } from '../api/types.ts';
import type { InstrumentBook } from '../book/instrument-book.ts';
import type { MetricsSample } from '../analytics/types.ts';
import type { DropCounters } from '../pipeline/engine.ts';
import { RecordingError } from '../recording/lines.ts';
import { ReplaySessionCore, type ControlRequest, type SessionContext } from './session.ts';

/** Options of {@link ReplaySessions}. */
export interface ReplaySessionsOptions extends SessionContext {
  /** The recordings folder the API may open files from (absent: API-created sessions answer 501). */
  dir?: string;
  /** Most sessions at once (default 8). */
  maxSessions?: number;
}

/** Folder depth listed by `recordings()`. */
const LIST_DEPTH = 3;
/** Most files listed. */
const LIST_LIMIT = 5_000;

/** A read-only map over the maps of several sessions (first one that has a key wins). */
class UnionMap<V> implements ReadonlyMap<string, V> {
  constructor(private readonly parts: () => readonly ReadonlyMap<string, V>[]) {}
  get size(): number {
    let n = 0;
    for (const p of this.parts()) n += p.size;
    return n;
  }
  get(k: string): V | undefined {
    for (const p of this.parts()) {
      const v = p.get(k);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  has(k: string): boolean {
    return this.parts().some((p) => p.has(k));
  }
  forEach(cb: (v: V, k: string, m: ReadonlyMap<string, V>) => void): void {
    for (const [k, v] of this) cb(v, k, this);
  }
  *entries(): MapIterator<[string, V]> {
    for (const p of this.parts()) yield* p.entries();
  }
  *keys(): MapIterator<string> {
    for (const p of this.parts()) yield* p.keys();
  }
  *values(): MapIterator<V> {
    for (const p of this.parts()) yield* p.values();
  }
  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
}

/** The replay sessions of a serve process. */
export class ReplaySessions implements ReplayApi {
  private readonly sessions = new Map<string, ReplaySessionCore>();
  private readonly listeners = new Set<(s: ReplaySessionView) => void>();
  private counter = 0;
  /** Session ids being created (their instruments are not known yet). */
  private opening = 0;

  constructor(private readonly opts: ReplaySessionsOptions) {}

  /** The replay clock of the server: the latest position of its sessions (NaN when none has played). */
  clock(): number {
    let t = NaN;
    for (const s of this.sessions.values()) {
      const p = Number.isFinite(s.position) ? s.position : s.start;
      if (Number.isFinite(p) && !(p <= t)) t = p;
    }
    return t;
  }

  /** The API's read view over every session's pipeline (see the module docstring). */
  engineView(): ApiEngine {
    const all = (): ReplaySessionCore[] => [...this.sessions.values()];
    const owner = (id: string): ReplaySessionCore | undefined =>
      all().find((s) => s.replay.engine.books.has(id));
    const merged = <T extends object>(pick: (s: ReplaySessionCore) => Record<string, T>): Record<string, T> =>
      Object.assign({}, ...all().map(pick)) as Record<string, T>;
    const groups = new UnionMap(() =>
      all().flatMap((s) => (s.replay.consolidation ? [s.replay.consolidation.groups] : [])),
    );
    const view: ApiEngine = {
      books: new UnionMap<InstrumentBook>(() => all().map((s) => s.replay.engine.books)),
      latest: new UnionMap<MetricsSample>(() =>
        all().flatMap((s) => (s.replay.analytics ? [s.replay.analytics.latest] : [])),
      ),
      get dropped(): DropCounters {
        return merged((s) => s.replay.engine.dropped);
      },
      get frames(): Readonly<Record<string, number>> {
        const out: Record<string, number> = {};
        for (const s of all())
          for (const [v, n] of Object.entries(s.replay.engine.frames)) out[v] = (out[v] ?? 0) + n;
        return out;
      },
      analytics: (id) => owner(id)?.replay.analytics?.analytics(id),
      spec: (id) => (owner(id) ?? all()[0])?.replay.instruments.get(id) ?? undefined!,
      get consolidation() {
        const first = all().find((s) => s.replay.consolidation);
        if (!first) return undefined;
        return {
          groups: groups as unknown as Map<string, never>,
          watchlist: () => first.replay.consolidation!.watchlist(),
        };
      },
    };
    return view;
  }

  list(): ReplaySessionView[] {
    return [...this.sessions.values()].map((s) => s.view());
  }

  get(id: string): ReplaySessionView | undefined {
    return this.sessions.get(id)?.view();
  }

  marks(id: string): ReplayMark[] | undefined {
    const s = this.sessions.get(id);
    return s ? [...s.marks].sort((a, b) => a.ts - b.ts) : undefined;
  }

  /** The underlying session (tests, CLI). */
  session(id: string): ReplaySessionCore | undefined {
    return this.sessions.get(id);
  }

  async create(req: z.output<typeof ReplayCreateBody>): Promise<ReplaySessionView> {
    const paths = await Promise.all(req.files.map((f) => this.resolveFile(f)));
    return this.openPaths(req.files, paths, req);
  }

  /**
   * Open a session over files by path (the command line: any readable path).
   * @param names the files as the session shows them
   * @throws {ApiError} 400 unreadable recording, 409 instruments already played by another session or
   *   too many sessions
   */
  async openPaths(
    names: readonly string[],
    paths: readonly string[],
    o: { speed?: z.output<typeof ReplayCreateBody>['speed']; loop?: boolean; play?: boolean } = {},
  ): Promise<ReplaySessionView> {
    const max = this.opts.maxSessions ?? 8;
    if (this.sessions.size + this.opening >= max)
      throw new ApiError(409, `too many replay sessions (at most ${max}): delete one first`);
    const id = `r${++this.counter}`;
    this.opening++;
    let s: ReplaySessionCore;
    try {
      s = await ReplaySessionCore.open(id, names, paths, this.opts, {
        ...(o.speed !== undefined ? { speed: o.speed } : {}),
        ...(o.loop !== undefined ? { loop: o.loop } : {}),
        play: false,
      });
    } catch (e) {
      if (e instanceof RecordingError) throw new ApiError(e.code === 'not_found' ? 404 : 400, e.message);
      throw e;
    } finally {
      this.opening--;
    }
    const taken = new Set(this.list().flatMap((v) => v.instruments));
    const clash = s.instruments.filter((i) => taken.has(i));
    if (clash.length > 0) {
      await s.close();
      throw new ApiError(
        409,
        `instruments already played by another session: ${clash.join(', ')} (delete that session first)`,
      );
    }
    this.sessions.set(id, s);
    s.onUpdate((v) => {
      for (const l of this.listeners) l(v);
    });
    if (o.play) await s.control({ state: 'playing' });
    const v = s.view();
    for (const l of this.listeners) l(v);
    return v;
  }

  async control(id: string, req: ControlRequest): Promise<ReplaySessionView> {
    const s = this.must(id);
    await s.control(req);
    return s.view();
  }

  async step(id: string, frames: number): Promise<ReplaySessionView> {
    const s = this.must(id);
    await s.step(frames);
    return s.view();
  }

  async remove(id: string): Promise<boolean> {
    const s = this.sessions.get(id);
    if (!s) return false;
    this.sessions.delete(id);
    await s.close();
    return true;
  }

  onUpdate(listener: (s: ReplaySessionView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.close()));
  }

  /** Files of the recordings folder (hidden files and folders skipped; depth 3). */
  async recordings(): Promise<RecordingFileInfo[]> {
    const root = await this.root();
    const out: RecordingFileInfo[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      entries.sort((a, b) => a.name.localeCompare(b.name));
      for (const e of entries) {
        if (out.length >= LIST_LIMIT || e.name.startsWith('.')) continue;
        const p = join(dir, e.name);
        if (e.isSymbolicLink()) {
          // Listed only when it stays inside the folder (as resolveFile requires).
          const real = await realpath(p).catch(() => null);
          if (real === null || !real.startsWith(root + sep)) continue;
        }
        const st0 = e.isSymbolicLink() ? await stat(p).catch(() => null) : null;
        if (e.isDirectory() || st0?.isDirectory()) {
          if (depth < LIST_DEPTH) await walk(p, depth + 1);
        } else if (e.isFile() || st0?.isFile()) {
          const st = await stat(p).catch(() => null);
          if (st)
            out.push({ path: relative(root, p).split(sep).join('/'), size: st.size, modified: st.mtimeMs });
        }
      }
    };
    await walk(root, 1);
    return out;
  }

  private async root(): Promise<string> {
    if (this.opts.dir === undefined)
      throw new ApiError(501, 'no recordings folder on this server (config replay.dir, or --dir)');
    try {
      return await realpath(this.opts.dir);
    } catch {
      throw new ApiError(501, `the recordings folder ${this.opts.dir} does not exist`);
    }
  }

  /**
   * The absolute path of a file named relative to the recordings folder.
   * @throws {ApiError} 400 for a path outside the folder (absolute, `..`, or a symlink leading out),
   *   404 when there is no such file
   */
  async resolveFile(name: string): Promise<string> {
    const root = await this.root();
    const parts = name.split(/[\\/]/);
    if (isAbsolute(name) || /^[A-Za-z]:/.test(name) || parts.includes('..') || name.includes('\0'))
      throw new ApiError(400, `"${name}" is outside the recordings folder`);
    const p = resolve(root, name);
    if (p !== root && !p.startsWith(root + sep))
      throw new ApiError(400, `"${name}" is outside the recordings folder`);
    let real: string;
    try {
      real = await realpath(p);
    } catch {
      throw new ApiError(404, `no recording "${name}" in the recordings folder`);
    }
    if (real !== root && !real.startsWith(root + sep))
      throw new ApiError(400, `"${name}" is outside the recordings folder`);
    return real;
  }

  private must(id: string): ReplaySessionCore {
    const s = this.sessions.get(id);
    if (!s) throw new ApiError(404, `unknown replay session ${id}`);
    return s;
  }
}
