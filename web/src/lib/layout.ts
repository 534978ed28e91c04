/**
 * Desk layouts (the trader's screen, views/DeskView.vue), pure: a layout is an ordered list of panels
 * on a 12-column grid, each `w` columns wide and `h` row units high (the desk shows 6 row units per
 * screen height), placed in order (CSS grid auto-placement, dense). A panel shows one kind of content
 * for one instrument, or for the desk's focused instrument when `instrument` is null (a watchlist click
 * moves the focus). Layouts are saved per browser (localStorage, lib/storage.ts) and validated on load:
 * anything malformed falls back to a preset, never throws.
 */

/** Panel contents. */
export const PANEL_KINDS = [
  'ladder',
  'heatmap',
  'depth',
  'trades',
  'watchlist',
  'consolidated',
  'flow',
  'candles',
  'history',
] as const;
export type PanelKind = (typeof PANEL_KINDS)[number];

/** Panel titles. */
export const PANEL_TITLES: Record<PanelKind, string> = {
  ladder: 'Price ladder',
  heatmap: 'Heatmap',
  depth: 'Depth',
  trades: 'Trades',
  watchlist: 'Watchlist',
  consolidated: 'Consolidated',
  flow: 'Trade flow',
  candles: 'Candles',
  history: 'History',
};

/** Grid columns, and the row units per screen height. */
export const GRID_COLS = 12;
export const GRID_ROWS = 6;
/** Largest panel height, row units. */
export const MAX_H = 12;

/** One panel. */
export interface DeskPanel {
  /** Unique within the layout. */
  id: string;
  kind: PanelKind;
  /** Pinned instrument (or group for `consolidated`), or null to follow the desk's focus. */
  instrument: string | null;
  /** Width in columns (1-12) and height in row units (1-12). */
  w: number;
  h: number;
  /** Ladder grouping, ticks per row (ladder panels). */
  group?: number;
}

/** A layout. */
export interface DeskLayout {
  version: 1;
  /** Preset it started from (null when built by hand). */
  preset: PresetName | null;
  panels: DeskPanel[];
}

/** The presets. */
export const PRESETS = [
  { value: 'scalper', label: 'Scalper' },
  { value: 'overview', label: 'Overview' },
  { value: 'research', label: 'Research' },
  { value: 'venues', label: 'Venues' },
] as const;
export type PresetName = (typeof PRESETS)[number]['value'];

const p = (
  id: string,
  kind: PanelKind,
  w: number,
  h: number,
  instrument: string | null = null,
): DeskPanel => ({
  id,
  kind,
  instrument,
  w,
  h,
});

/**
 * A preset layout. `instruments` (ids in the watchlist's order) fill the multi-instrument presets: Venues
 * shows up to four instruments side by side (ladder over heatmap over depth), the others follow the focus.
 */
export function presetLayout(name: PresetName, instruments: readonly string[] = []): DeskLayout {
  switch (name) {
    case 'scalper':
      return layoutOf(name, [
        p('ladder-1', 'ladder', 3, 6),
        p('heatmap-1', 'heatmap', 6, 4),
        p('trades-1', 'trades', 3, 6),
        p('flow-1', 'flow', 6, 2),
      ]);
    case 'overview':
      return layoutOf(name, [
        p('watchlist-1', 'watchlist', 7, 3),
        p('consolidated-1', 'consolidated', 5, 6),
        p('candles-1', 'candles', 7, 3),
      ]);
    case 'research':
      return layoutOf(name, [
        p('history-1', 'history', 12, 4),
        p('flow-1', 'flow', 6, 2),
        p('candles-1', 'candles', 6, 2),
      ]);
    case 'venues': {
      const ids = instruments.length > 0 ? instruments.slice(0, 4) : [null];
      const w = Math.max(3, Math.floor(GRID_COLS / ids.length));
      const panels: DeskPanel[] = [];
      ids.forEach((id, i) => panels.push(p(`ladder-${i + 1}`, 'ladder', w, 2, id)));
      ids.forEach((id, i) => panels.push(p(`heatmap-${i + 1}`, 'heatmap', w, 2, id)));
      ids.forEach((id, i) => panels.push(p(`depth-${i + 1}`, 'depth', w, 2, id)));
      return layoutOf(name, panels);
    }
  }
}

/** A layout of the current version. */
function layoutOf(preset: PresetName, panels: DeskPanel[]): DeskLayout {
  return { version: 1, preset, panels };
}

const isKind = (v: unknown): v is PanelKind =>
  typeof v === 'string' && (PANEL_KINDS as readonly string[]).includes(v);
const isPreset = (v: unknown): v is PresetName => PRESETS.some((x) => x.value === v);
const intIn = (v: unknown, lo: number, hi: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** Type guard: a well-formed layout (unique ids, known kinds, sizes in range). */
export function isDeskLayout(v: unknown): v is DeskLayout {
  if (typeof v !== 'object' || v === null) return false;
  const l = v as Partial<DeskLayout>;
  if (l.version !== 1 || !(l.preset === null || isPreset(l.preset)) || !Array.isArray(l.panels)) return false;
  const ids = new Set<string>();
  for (const x of l.panels as unknown[]) {
    if (typeof x !== 'object' || x === null) return false;
    const q = x as Partial<DeskPanel>;
    if (typeof q.id !== 'string' || ids.has(q.id) || !isKind(q.kind)) return false;
    if (!(q.instrument === null || typeof q.instrument === 'string')) return false;
    if (!intIn(q.w, 1, GRID_COLS) || !intIn(q.h, 1, MAX_H)) return false;
    if (q.group !== undefined && !intIn(q.group, 1, 1000)) return false;
    ids.add(q.id);
  }
  return true;
}

/** Move panel `id` to the position of panel `beforeId` (the panels between shift by one). */
export function movePanel(l: DeskLayout, id: string, beforeId: string): DeskLayout {
  const from = l.panels.findIndex((x) => x.id === id);
  const to = l.panels.findIndex((x) => x.id === beforeId);
  if (from < 0 || to < 0 || from === to) return l;
  const panels = l.panels.slice();
  const [moved] = panels.splice(from, 1);
  panels.splice(to, 0, moved!);
  return { ...l, panels };
}

/** Resize panel `id` to `w` × `h`, clamped to the grid. */
export function resizePanel(l: DeskLayout, id: string, w: number, h: number): DeskLayout {
  const cw = Math.min(GRID_COLS, Math.max(1, Math.round(w)));
  const ch = Math.min(MAX_H, Math.max(1, Math.round(h)));
  return { ...l, panels: l.panels.map((x) => (x.id === id ? { ...x, w: cw, h: ch } : x)) };
}

/** Change one panel's fields (instrument, group). */
export function updatePanel(l: DeskLayout, id: string, patch: Partial<Omit<DeskPanel, 'id'>>): DeskLayout {
  return { ...l, panels: l.panels.map((x) => (x.id === id ? { ...x, ...patch } : x)) };
}

/** Add a panel of `kind` (4 × 2, following the focus) at the end, with a fresh id. */
export function addPanel(l: DeskLayout, kind: PanelKind): DeskLayout {
  let n = 1;
  while (l.panels.some((x) => x.id === `${kind}-${n}`)) n++;
  return { ...l, panels: l.panels.concat([p(`${kind}-${n}`, kind, 4, 2)]) };
}

/** Remove panel `id`. */
export function removePanel(l: DeskLayout, id: string): DeskLayout {
  return { ...l, panels: l.panels.filter((x) => x.id !== id) };
}
