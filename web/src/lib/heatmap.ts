/**
 * Pure helpers of the liquidity heatmap panel (no DOM, no Vue): the client-side grid of resting size per
 * (time bin, price bucket) built from `GET /api/v1/history/heatmap` answers and refreshed in place, its
 * rasterisation to RGBA pixels on a log-like colour scale (capped at one cell per pixel), the current book
 * bucketed for the right-edge bars, and trades aggregated into bubbles.
 * Units: prices quote currency, sizes base units, times ms since epoch UTC. Buckets are keyed by their
 * integer index `round(price / bucketSize)` (the bucket is `[index × bucketSize, (index + 1) × bucketSize)`).
 */
import type { HeatmapGap, HeatmapResponse, Level, TradeSide } from '../api/types.ts';
import type { BookView } from './book.ts';

/** Resting size per bucket index of one time bin, per side; best buckets cached (NaN when a side is empty). */
export interface HeatColumn {
  bid: Map<number, number>;
  ask: Map<number, number>;
  /** Highest bid bucket index. */
  bestBid: number;
  /** Lowest ask bucket index. */
  bestAsk: number;
}

/** Bucket index of a price (tolerant of float noise such as 0.1 × 3). */
export function bucketIndex(price: number, bucketSize: number): number {
  return Math.floor(price / bucketSize + 1e-9);
}

/** Most bins one run may expand to (a run longer than its answer's range is bad input and is clipped). */
const MAX_RUN_BINS = 100_000;

/**
 * The heatmap as a grid of columns (one per time bin), filled from server answers. An answer replaces
 * every bin of its range (`[from, to)`), so a refresh of the recent range (open runs grown, new bins) is
 * exact; older bins stay. Answers with another bucket size or bin width reset the grid.
 */
export class HeatmapGrid {
  /** Price bucket width, quote (NaN before the first answer). */
  bucketSize = NaN;
  /** Time bin width, ms (NaN before the first answer). */
  binMs = NaN;
  /** Columns by bin start (ms). */
  readonly columns = new Map<number, HeatColumn>();
  /** Ranges the book was not live, oldest first. */
  gaps: HeatmapGap[] = [];
  /** End (exclusive, server time) of the newest answer applied, ms; NaN before the first. */
  to = NaN;
  /** Start of the oldest answer range still held, ms; NaN before the first. */
  from = NaN;
  /** Newest bin start held, ms (-Infinity when empty). */
  newestBin = -Infinity;
  /** Answers applied; bumps on every change (for redraw scheduling). */
  version = 0;
  /** Runs of the answers applied that were malformed (non-finite fields, `to < from`) and skipped. */
  badRuns = 0;

  /** Forget everything (e.g. on an instrument change). */
  reset(): void {
    this.bucketSize = NaN;
    this.binMs = NaN;
    this.columns.clear();
    this.gaps = [];
    this.to = NaN;
    this.from = NaN;
    this.newestBin = -Infinity;
    this.version++;
  }

  /** Apply an answer: every bin in `[r.from, r.to)` is replaced by the answer's runs. */
  apply(r: HeatmapResponse): void {
    if (r.bucketSize !== this.bucketSize || r.binMs !== this.binMs) {
      this.reset();
      this.bucketSize = r.bucketSize;
      this.binMs = r.binMs;
    }
    const bin = r.binMs;
    const first = Math.ceil(r.from / bin) * bin;
    for (const t of [...this.columns.keys()]) if (t >= first && t < r.to) this.columns.delete(t);
    for (const run of r.runs) {
      if (
        !Number.isFinite(run.from) ||
        !Number.isFinite(run.to) ||
        !Number.isFinite(run.price) ||
        !Number.isFinite(run.size) ||
        run.to < run.from ||
        (run.side !== 'bid' && run.side !== 'ask')
      ) {
        this.badRuns++;
        continue;
      }
      const b = bucketIndex(run.price, r.bucketSize);
      const start = Math.max(run.from, first);
      const end = Math.min(run.to, r.to - 1, start + MAX_RUN_BINS * bin);
      for (let t = start; t <= end; t += bin) {
        let col = this.columns.get(t);
        if (!col) {
          col = { bid: new Map(), ask: new Map(), bestBid: NaN, bestAsk: NaN };
          this.columns.set(t, col);
        }
        const m = run.side === 'bid' ? col.bid : col.ask;
        m.set(b, (m.get(b) ?? 0) + run.size);
        if (run.side === 'bid') {
          if (!(col.bestBid >= b)) col.bestBid = b;
        } else if (!(col.bestAsk <= b)) col.bestAsk = b;
      }
    }
    const kept = this.gaps.filter((g) => g.from < first).map((g) => ({ ...g, to: Math.min(g.to, first) }));
    this.gaps = kept.concat(r.gaps.filter((g) => g.to > first));
    this.to = Number.isFinite(this.to) ? Math.max(this.to, r.to) : r.to;
    this.from = Number.isFinite(this.from) ? Math.min(this.from, r.from) : r.from;
    this.newestBin = -Infinity;
    for (const t of this.columns.keys()) if (t > this.newestBin) this.newestBin = t;
    this.version++;
  }

  /** Drop bins and gaps that end before `before` (ms). */
  trim(before: number): void {
    let dropped = false;
    for (const t of [...this.columns.keys()])
      if (t + this.binMs <= before) {
        this.columns.delete(t);
        dropped = true;
      }
    const n = this.gaps.length;
    this.gaps = this.gaps.filter((g) => g.to > before);
    if (Number.isFinite(this.from) && this.from < before) this.from = before;
    if (dropped || this.gaps.length !== n) this.version++;
  }

  /** The newest column, or null when none is held. */
  newest(): HeatColumn | null {
    return this.columns.get(this.newestBin) ?? null;
  }

  /** Oldest time held (bin or gap start), ms; Infinity when nothing is held. */
  oldest(): number {
    let t = Infinity;
    for (const k of this.columns.keys()) if (k < t) t = k;
    for (const g of this.gaps) if (g.from < t) t = g.from;
    return t;
  }

  /** The gap containing `t` (ms), or null. */
  gapAt(t: number): HeatmapGap | null {
    for (const g of this.gaps) if (g.from <= t && t < g.to) return g;
    return null;
  }

  /**
   * Lowest best-bid and highest best-ask price (quote, bucket lower bounds) over the bins in `[from, to)`,
   * or null when no bin there has both sides.
   */
  priceRange(from: number, to: number): { lo: number; hi: number } | null {
    let lo = Infinity;
    let hi = -Infinity;
    for (const [t, c] of this.columns) {
      if (t < from || t >= to || Number.isNaN(c.bestBid) || Number.isNaN(c.bestAsk)) continue;
      if (c.bestBid < lo) lo = c.bestBid;
      if (c.bestAsk > hi) hi = c.bestAsk;
    }
    return lo <= hi ? { lo: lo * this.bucketSize, hi: hi * this.bucketSize } : null;
  }
}

/** The visible window of the heatmap: time `[t0, t1)` ms, price `[p0, p1)` quote. */
export interface HeatView {
  t0: number;
  t1: number;
  p0: number;
  p1: number;
}

/** What {@link rasterize} drew. */
export interface RasterStats {
  /** Distinct (bin, bucket) cells with size > 0 drawn. */
  cells: number;
  /** Pixels painted with a size colour. */
  painted: number;
  /** Pixels hatched as gap. */
  gapPixels: number;
  /** Colour scale used: sizes at the bottom (`lo`) and top (`hi`) of the ramp (quantiles of visible cells). */
  lo: number;
  hi: number;
}

/** Colour stops of the size scale, low to high: [position 0..1, r, g, b]. */
const STOPS: readonly [number, number, number, number][] = [
  [0, 22, 38, 74],
  [0.3, 28, 86, 160],
  [0.55, 0, 166, 186],
  [0.8, 236, 196, 48],
  [1, 255, 248, 226],
];

/** Pack RGBA into one little-endian ImageData word. */
function rgba(r: number, g: number, b: number, a: number): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** 256-entry colour ramp (ImageData words, little-endian RGBA) of the size scale, low to high. */
export function colorRamp(): Uint32Array {
  const lut = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const x = i / 255;
    let k = 0;
    while (k < STOPS.length - 2 && x > STOPS[k + 1]![0]) k++;
    const [x0, r0, g0, b0] = STOPS[k]!;
    const [x1, r1, g1, b1] = STOPS[k + 1]!;
    const f = (x - x0) / (x1 - x0);
    lut[i] = rgba(
      Math.round(r0 + (r1 - r0) * f),
      Math.round(g0 + (g1 - g0) * f),
      Math.round(b0 + (b1 - b0) * f),
      255,
    );
  }
  return lut;
}

/** Gap hatching colours (stripe, between stripes). */
const HATCH = rgba(110, 118, 129, 150);
const HATCH_BG = rgba(110, 118, 129, 40);

/** Quantiles of the visible cells' sizes at the bottom and top of the colour ramp. */
const LOW_Q = 0.1;
const HIGH_Q = 0.995;
/** > 1 keeps most of the book dark so large resting sizes stand out. */
const GAMMA = 1.35;

/**
 * Most values sorted for the colour scale's quantiles: above this many visible cells an even sample of
 * them is sorted instead (the quantiles of 500 bins × 600 buckets move by less than a colour step, and a
 * full sort of 300k values would take most of a frame).
 */
const QUANTILE_SAMPLE = 16_384;

/** The q-quantile (0..1) of the positive values. */
function quantile(sorted: Float32Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Colour scale of the heat layer: sizes (base) at the bottom (`lo`) and top (`hi`) of the ramp. */
export interface HeatScale {
  lo: number;
  hi: number;
}

/**
 * The colour scale of a cell matrix holding `n` positive cells (0 = no size): the LOW_Q and HIGH_Q
 * quantiles of its positive values, or of an even sample of them (every `step`-th in matrix order) when
 * there are more than QUANTILE_SAMPLE; `hi` at least twice `lo`.
 */
function scaleOf(sizes: Float32Array, n: number): HeatScale {
  const step = Math.max(1, Math.ceil(n / QUANTILE_SAMPLE));
  const positive = new Float32Array(Math.ceil(n / step));
  let j = 0;
  let seen = 0;
  for (let k = 0; k < sizes.length; k++) {
    const s = sizes[k]!;
    if (s > 0 && seen++ % step === 0) positive[j++] = s;
  }
  positive.sort();
  const lo = Math.max(quantile(positive, LOW_Q), 1e-12);
  return { lo, hi: Math.max(quantile(positive, HIGH_Q), lo * 2) };
}

/** Ramp colour of a positive size `s` on the scale whose bottom is `lnLo` (ln size) and log span `span`. */
function cellColor(s: number, lnLo: number, span: number, lut: Uint32Array): number {
  const v = Math.min(1, Math.max(0, (Math.log(s) - lnLo) / span));
  return lut[Math.round(Math.pow(v, GAMMA) * 255)]!;
}

/**
 * Gap hatching at pixel (x, y), x counted from `xOff` (the image's left edge in pixels of the time axis
 * since the epoch, mod 8), so the stripes stay on their time as the image scrolls.
 */
function hatchAt(xOff: number, x: number, y: number): number {
  return (xOff + x + y) % 8 < 2 ? HATCH : HATCH_BG;
}

/** Left edge of a `width`-px image of `[t0, t1)` in pixels since the epoch, mod 8 (see hatchAt). */
function hatchOffset(t0: number, t1: number, width: number): number {
  return ((Math.round((t0 * width) / (t1 - t0)) % 8) + 8) % 8;
}

/** Size per visible bucket row (`out`, length `nRows`, added to) of one column; returns positive cells. */
function columnSizes(c: HeatColumn, b0: number, nRows: number, out: Float32Array, base: number): number {
  let n = 0;
  for (const m of [c.bid, c.ask]) {
    if (m.size <= nRows) {
      for (const [b, s] of m) {
        const r = b - b0;
        if (r >= 0 && r < nRows && s > 0) {
          if (out[base + r] === 0) n++;
          out[base + r] = out[base + r]! + s;
        }
      }
    } else
      for (let r = 0; r < nRows; r++) {
        const s = m.get(b0 + r);
        if (s !== undefined && s > 0) {
          if (out[base + r] === 0) n++;
          out[base + r] = out[base + r]! + s;
        }
      }
  }
  return n;
}

/** Pixel row → bucket row (0 = bucket of `p0`) for a `height`-px image of `[p0, p1)`. */
function rowMap(p0: number, p1: number, bucketSize: number, b0: number, height: number): Int32Array {
  const rowOf = new Int32Array(height);
  for (let y = 0; y < height; y++) {
    const p = p1 - ((y + 0.5) / height) * (p1 - p0);
    rowOf[y] = bucketIndex(p, bucketSize) - b0;
  }
  return rowOf;
}

/**
 * Rasterise the grid over `view` into `out` (`width × height` ImageData words, row-major, top row =
 * highest price; little-endian RGBA). Each pixel column samples the bin at its centre time and each pixel
 * row the bucket at its centre price, so at most one bin per pixel column is read, however many are held.
 * Cells with size are coloured on a log scale, `((ln s − ln lo) / (ln hi − ln lo))^1.35` clamped to
 * [0, 1] (lo, hi = `scale` when given, else the 10th and 99.5th percentiles of the visible cells) through
 * `lut`; bins inside a gap are hatched (stripes anchored to the time axis); the rest is left transparent
 * (0). Bins up to `holdMs` after the newest one held (not yet fetched) show the newest bin, so the live
 * edge does not flicker between refreshes. {@link HeatRaster} keeps such an image and redraws only what
 * changed; this function is the full redraw it is checked against.
 * @throws {RangeError} when `out` is smaller than `width × height`
 */
export function rasterize(
  grid: HeatmapGrid,
  view: HeatView,
  width: number,
  height: number,
  out: Uint32Array,
  lut: Uint32Array,
  holdMs = 0,
  scale?: HeatScale,
): RasterStats {
  if (out.length < width * height) throw new RangeError('rasterize: output buffer too small');
  out.fill(0, 0, width * height);
  const stats: RasterStats = { cells: 0, painted: 0, gapPixels: 0, lo: NaN, hi: NaN };
  const w = grid.bucketSize;
  const bin = grid.binMs;
  if (!(w > 0) || !(bin > 0) || width <= 0 || height <= 0 || !(view.t1 > view.t0) || !(view.p1 > view.p0))
    return stats;
  // Pixel rows → bucket index, and the distinct buckets in view (row r of the cell matrix).
  const b0 = bucketIndex(view.p0, w);
  const nRows = bucketIndex(view.p1, w) - b0 + 1;
  const rowOf = rowMap(view.p0, view.p1, w, b0, height);
  // Pixel columns → cell column (distinct bins), -1 none, -2 gap.
  const colOf = new Int32Array(width);
  const cols: HeatColumn[] = [];
  // One cell column per (bin, column drawn): pixel columns of one bin share it, whether or not a gap
  // covers some of them (a held newest column is drawn only outside gaps, pixel column by pixel column).
  let lastBin = NaN;
  let lastCol: HeatColumn | undefined;
  for (let x = 0; x < width; x++) {
    const t = view.t0 + ((x + 0.5) / width) * (view.t1 - view.t0);
    const bt = Math.floor(t / bin) * bin;
    const own = grid.columns.get(bt);
    const held = !own && bt > grid.newestBin && bt <= grid.newestBin + holdMs ? grid.newest() : null;
    const c = own ?? (held && !grid.gapAt(t) ? held : undefined);
    if (!c) {
      colOf[x] = grid.gapAt(t) ? -2 : -1;
      continue;
    }
    if (bt !== lastBin || c !== lastCol) {
      lastBin = bt;
      lastCol = c;
      cols.push(c);
    }
    colOf[x] = cols.length - 1;
  }
  // The visible cell matrix (bid + ask size per bucket), and the colour scale from its positive cells.
  // Per column, look the visible buckets up, or walk the column's entries when it holds fewer.
  const sizes = new Float32Array(cols.length * nRows);
  let n = 0;
  for (let i = 0; i < cols.length; i++) n += columnSizes(cols[i]!, b0, nRows, sizes, i * nRows);
  stats.cells = n;
  const { lo, hi } = scale ?? scaleOf(sizes, n);
  stats.lo = lo;
  stats.hi = hi;
  const lnLo = Math.log(lo);
  const span = Math.log(hi) - lnLo;
  // One colour per cell, stored row-major (bucket row × cell column) so the pixel rows below read and
  // write memory in order; pixels copy their cell's colour (a cell spans several pixels when zoomed in).
  const nCols = cols.length;
  const colors = new Uint32Array(sizes.length);
  for (let i = 0; i < nCols; i++)
    for (let r = 0; r < nRows; r++) {
      const s = sizes[i * nRows + r]!;
      if (s > 0) colors[r * nCols + i] = cellColor(s, lnLo, span, lut);
    }
  const xOff = hatchOffset(view.t0, view.t1, width);
  let gapCols = 0;
  for (let x = 0; x < width; x++) if (colOf[x] === -2) gapCols++;
  for (let y = 0; y < height; y++) {
    const r = rowOf[y]!;
    const o = y * width;
    const inRows = r >= 0 && r < nRows;
    const rowBase = r * nCols;
    for (let x = 0; x < width; x++) {
      const ci = colOf[x]!;
      if (ci >= 0) {
        if (!inRows) continue;
        const color = colors[rowBase + ci]!;
        if (color === 0) continue;
        out[o + x] = color;
        stats.painted++;
      } else if (ci === -2) out[o + x] = hatchAt(xOff, x, y);
    }
  }
  stats.gapPixels = gapCols * height;
  return stats;
}

/**
 * Placement of a {@link HeatRaster} image: whole bins `[t0, t0 + nBins × bin)` (ms, `t0` a multiple of the
 * grid's bin) across `nBins × colW` pixel columns, and the price band `[p0, p1)` (quote, multiples of the
 * bucket size) across `rows × rowPx` pixel rows (`rows = round((p1 − p0) / bucketSize)`), top row = p1.
 */
export interface RasterLayout {
  t0: number;
  nBins: number;
  /** Pixel columns per bin, ≥ 1. */
  colW: number;
  p0: number;
  p1: number;
  /** Pixel rows per bucket, ≥ 1. */
  rowPx: number;
  /** Bins up to this many ms after the newest one held show it (see {@link rasterize}). */
  holdMs: number;
}

/** What one {@link HeatRaster.sync} changed in the kept image. */
export interface RasterChange {
  /** Every pixel may have changed (new layout or colour scale, first draw): copy the whole image. */
  full: boolean;
  /** The image scrolled left by this many pixel columns (already applied to `pixels`). */
  shifted: number;
  /** Pixel columns `[x0, x1)` redrawn (x0 = x1: none); with `shifted` > 0 everything moved. */
  x0: number;
  x1: number;
  /** Bins redrawn (read from the grid). */
  bins: number;
  /** The colour scale was checked against the visible cells' quantiles (and kept or replaced). */
  scaleChecked: boolean;
}

/**
 * The heat layer kept as one image that follows the grid incrementally (issue 17: a 500 × 600 grid at
 * 60 fps with live updates). {@link HeatRaster.sync} compares each bin in view with what was drawn for it
 * (the grid's column object — a refresh replaces the columns it covers —, the held newest column, the gaps
 * over the bin) and reads and paints only the bins that differ; when the window scrolls by whole bins the
 * kept pixels and cell sizes move left instead of being redrawn. The colour scale ({@link HeatScale}) is
 * kept while the visible cells' quantiles stay within `hysteresis` (fraction of the scale's log span) of
 * it (checked after every 1/32 of the bins in view was redrawn), so one changed bin does not recolour
 * the image; past that, or on a new layout (price window, size,
 * bins in view), everything is redrawn from the kept cell sizes or the grid. The pixels equal
 * {@link rasterize} of the same grid, view and scale (tested).
 */
export class HeatRaster {
  /** Image size, px. */
  width = 0;
  height = 0;
  /** The image: `width × height` ImageData words (little-endian RGBA), row-major, top row = highest price. */
  pixels = new Uint32Array(0);
  /** Colour scale the image is drawn with (null before the first cells). */
  scale: HeatScale | null = null;
  private key = '';
  private t0 = NaN;
  private t1 = NaN;
  private nBins = 0;
  private colW = 1;
  private nRows = 0;
  private b0 = 0;
  private rowOf: Int32Array = new Int32Array(0);
  /** Cell sizes per bin slot (bin-major: slot × nRows + bucket row). */
  private sizes = new Float32Array(0);
  /** Cell colours, row-major (bucket row × nBins + slot); 0 = none. Set for the slots painted. */
  private colors = new Uint32Array(0);
  /** What each bin slot was drawn from: its column, the held newest column, the gaps over it. */
  private drawnCol: (HeatColumn | null | undefined)[] = [];
  private drawnHeld: (HeatColumn | null)[] = [];
  private drawnGaps: string[] = [];
  /** Per pixel column: 1 drawn from a column, 2 gap, 0 empty. */
  private mode = new Uint8Array(0);
  /** Per slot: positive cells, painted pixels. */
  private cellsOf = new Int32Array(0);
  private paintedOf = new Int32Array(0);
  private xOff = 0;
  /** Bins redrawn since the colour scale was last checked. */
  private binsSinceScale = 0;

  /**
   * @param lut colour ramp ({@link colorRamp})
   * @param hysteresis how far (fraction of the log span) the visible quantiles may drift from the kept
   *   scale before the image is recoloured
   */
  constructor(
    readonly lut: Uint32Array,
    readonly hysteresis = 0.08,
  ) {}

  /** Counts of the image as drawn (as {@link rasterize} returns them). */
  stats(): RasterStats {
    let cells = 0;
    let painted = 0;
    for (let k = 0; k < this.nBins; k++) {
      cells += this.cellsOf[k]!;
      painted += this.paintedOf[k]!;
    }
    let gapCols = 0;
    for (let x = 0; x < this.width; x++) if (this.mode[x] === 2) gapCols++;
    return {
      cells,
      painted,
      gapPixels: gapCols * this.height,
      lo: this.scale?.lo ?? NaN,
      hi: this.scale?.hi ?? NaN,
    };
  }

  /**
   * Bring the image up to date with `grid` over `layout`. Work is proportional to the bins that changed
   * (plus one pass over the kept cell sizes for the colour scale), except on a new layout or scale.
   * @throws {RangeError} when the layout is not whole positive bins, columns and rows
   */
  sync(grid: HeatmapGrid, layout: RasterLayout): RasterChange {
    const { t0, nBins, colW, p0, p1, rowPx, holdMs } = layout;
    if (!(nBins >= 1 && colW >= 1 && rowPx >= 1) || ![nBins, colW, rowPx].every(Number.isInteger))
      throw new RangeError('HeatRaster.sync: layout needs whole positive bins, columns and rows');
    const bin = grid.binMs;
    const w = grid.bucketSize;
    const change: RasterChange = { full: false, shifted: 0, x0: 0, x1: 0, bins: 0, scaleChecked: false };
    const rows = w > 0 && p1 > p0 ? Math.max(1, Math.round((p1 - p0) / w)) : 1;
    const width = nBins * colW;
    const height = rows * rowPx;
    const key = `${width}x${height}|${nBins}|${p0}|${p1}|${w}|${bin}|${holdMs}`;
    if (key !== this.key) {
      this.key = key;
      this.reset(width, height, nBins, colW);
      this.t0 = t0;
      this.t1 = t0 + nBins * bin;
      if (w > 0 && bin > 0 && p1 > p0) {
        this.b0 = bucketIndex(p0, w);
        this.nRows = bucketIndex(p1, w) - this.b0 + 1;
        this.rowOf = rowMap(p0, p1, w, this.b0, height);
      } else this.nRows = 0;
      this.sizes = new Float32Array(nBins * this.nRows);
      this.colors = new Uint32Array(nBins * this.nRows);
      this.xOff = hatchOffset(this.t0, this.t1, width);
      change.full = true;
    } else if (t0 !== this.t0) {
      const d = (t0 - this.t0) / bin;
      const scroll = Number.isInteger(d) && d > 0 && d < nBins;
      if (scroll) this.shift(d);
      else this.reset(width, height, nBins, colW);
      change.full = !scroll;
      change.shifted = scroll ? d * colW : 0;
      this.t0 = t0;
      this.t1 = t0 + nBins * bin;
      this.xOff = hatchOffset(this.t0, this.t1, width);
    }
    if (this.nRows === 0) return { ...change, full: true };
    // Which bins differ from what was drawn; read those from the grid.
    let first = nBins;
    let last = -1;
    const gaps = grid.gaps;
    const newest = grid.newest();
    for (let k = 0; k < nBins; k++) {
      const bt = Math.floor((this.t0 + ((k * colW + 0.5) / width) * (this.t1 - this.t0)) / bin) * bin;
      const col = grid.columns.get(bt) ?? null;
      const held = !col && bt > grid.newestBin && bt <= grid.newestBin + holdMs ? newest : null;
      let gk = '';
      if (gaps.length > 0)
        for (const g of gaps) if (g.from < bt + bin && g.to > bt) gk += `${g.from}:${g.to},`;
      if (col === this.drawnCol[k] && held === this.drawnHeld[k] && gk === this.drawnGaps[k]) continue;
      this.drawnCol[k] = col;
      this.drawnHeld[k] = held;
      this.drawnGaps[k] = gk;
      this.readBin(grid, k, col, held);
      if (k < first) first = k;
      last = k;
      change.bins++;
    }
    // The colour scale: kept while the visible quantiles stay near it; checked (a pass over the kept
    // cells) on a new layout and once 1/32 of the bins in view were redrawn since the last check.
    let recolour = false;
    this.binsSinceScale += change.bins;
    if (change.full || !this.scale || this.binsSinceScale >= Math.max(1, nBins >> 5)) {
      this.binsSinceScale = 0;
      change.scaleChecked = true;
      let n = 0;
      for (let k = 0; k < nBins; k++) n += this.cellsOf[k]!;
      if (n > 0) {
        const want = scaleOf(this.sizes, n);
        const cur = this.scale;
        const span = cur ? Math.log(cur.hi / cur.lo) : 0;
        if (
          !cur ||
          Math.abs(Math.log(want.lo / cur.lo)) > this.hysteresis * span ||
          Math.abs(Math.log(want.hi / cur.hi)) > this.hysteresis * span
        ) {
          this.scale = want;
          recolour = true;
        }
      }
    }
    if (recolour || change.full) {
      for (let k = 0; k < nBins; k++) this.colorBin(k);
      this.paint(0, width);
      change.full = true;
    } else if (last >= first) {
      for (let k = first; k <= last; k++) this.colorBin(k);
      this.paint(first * colW, (last + 1) * colW);
      change.x0 = first * colW;
      change.x1 = (last + 1) * colW;
    }
    return change;
  }

  /** New, empty image and slots (nothing drawn yet). */
  private reset(width: number, height: number, nBins: number, colW: number): void {
    if (this.width !== width || this.height !== height) this.pixels = new Uint32Array(width * height);
    else this.pixels.fill(0);
    this.width = width;
    this.height = height;
    this.nBins = nBins;
    this.colW = colW;
    this.drawnCol = new Array<HeatColumn | null | undefined>(nBins).fill(undefined);
    this.drawnHeld = new Array<HeatColumn | null>(nBins).fill(null);
    this.drawnGaps = new Array<string>(nBins).fill('');
    this.mode = new Uint8Array(width);
    this.cellsOf = new Int32Array(nBins);
    this.paintedOf = new Int32Array(nBins);
    this.sizes.fill(0);
    this.colors.fill(0);
  }

  /** Scroll left by `d` bins: pixels, sizes and slots move; the `d` newest slots are to draw. */
  private shift(d: number): void {
    const { width, height, nBins, nRows } = this;
    const px = d * this.colW;
    for (let y = 0; y < height; y++) {
      const o = y * width;
      this.pixels.copyWithin(o, o + px, o + width);
      this.pixels.fill(0, o + width - px, o + width);
    }
    this.sizes.copyWithin(0, d * nRows);
    this.sizes.fill(0, (nBins - d) * nRows);
    this.mode.copyWithin(0, px);
    this.mode.fill(0, width - px);
    for (const a of [this.cellsOf, this.paintedOf]) {
      a.copyWithin(0, d);
      a.fill(0, nBins - d);
    }
    this.drawnCol.splice(0, d);
    this.drawnHeld.splice(0, d);
    this.drawnGaps.splice(0, d);
    for (let i = 0; i < d; i++) {
      this.drawnCol.push(undefined);
      this.drawnHeld.push(null);
      this.drawnGaps.push('');
    }
  }

  /** Read slot `k`'s cell sizes from its column (or the held one) and set its pixel columns' modes. */
  private readBin(grid: HeatmapGrid, k: number, col: HeatColumn | null, held: HeatColumn | null): void {
    const { nRows, colW, width } = this;
    this.sizes.fill(0, k * nRows, (k + 1) * nRows);
    let src: HeatColumn | null = col;
    for (let x = k * colW; x < (k + 1) * colW; x++) {
      const t = this.t0 + ((x + 0.5) / width) * (this.t1 - this.t0);
      const c = col ?? (held && !grid.gapAt(t) ? held : null);
      if (c) src = c;
      this.mode[x] = c ? 1 : grid.gapAt(t) ? 2 : 0;
    }
    this.cellsOf[k] = src ? columnSizes(src, this.b0, nRows, this.sizes, k * nRows) : 0;
  }

  /** Colours of slot `k`'s cells on the current scale. */
  private colorBin(k: number): void {
    const { nRows, nBins, scale, lut } = this;
    const lnLo = scale ? Math.log(scale.lo) : 0;
    const span = scale ? Math.log(scale.hi) - lnLo : 1;
    for (let r = 0; r < nRows; r++) {
      const s = this.sizes[k * nRows + r]!;
      this.colors[r * nBins + k] = s > 0 && scale ? cellColor(s, lnLo, span, lut) : 0;
    }
  }

  /** Paint pixel columns `[x0, x1)` from the slots' colours and modes (row-major). */
  private paint(x0: number, x1: number): void {
    const { width, height, nRows, nBins, colW, rowOf, mode, colors, pixels, xOff } = this;
    const k0 = Math.floor(x0 / colW);
    const k1 = Math.ceil(x1 / colW);
    this.paintedOf.fill(0, k0, k1);
    for (let y = 0; y < height; y++) {
      const r = rowOf[y]!;
      const inRows = r >= 0 && r < nRows;
      const o = y * width;
      const rowBase = r * nBins;
      for (let x = x0; x < x1; x++) {
        const m = mode[x]!;
        let v = 0;
        if (m === 1) {
          if (inRows) {
            const k = (x / colW) | 0;
            v = colors[rowBase + k]!;
            if (v !== 0) this.paintedOf[k]!++;
          }
        } else if (m === 2) v = hatchAt(xOff, x, y);
        pixels[o + x] = v;
      }
    }
  }
}

/** What the heatmap holds at one (time, price) point: see {@link cellAt}. */
export interface HeatCell {
  /** Bin start, ms, and bucket lower bound, quote. */
  t: number;
  price: number;
  /** Resting size there per side, base (0 when none). */
  bid: number;
  ask: number;
  /** The book was not live then (sizes are 0). */
  gap: boolean;
}

/**
 * The cell under a point (time ms, price quote), for the hover readout: the bin holding `t` (or, up to
 * `holdMs` after the newest bin, the newest one, as drawn by {@link rasterize}). Null when nothing is held
 * there and it is not a gap.
 */
export function cellAt(grid: HeatmapGrid, t: number, price: number, holdMs = 0): HeatCell | null {
  const bin = grid.binMs;
  const w = grid.bucketSize;
  if (!(bin > 0) || !(w > 0) || !Number.isFinite(t) || !Number.isFinite(price)) return null;
  const bt = Math.floor(t / bin) * bin;
  const b = bucketIndex(price, w);
  const gap = grid.gapAt(t) !== null;
  const c =
    grid.columns.get(bt) ??
    (!gap && bt > grid.newestBin && bt <= grid.newestBin + holdMs ? grid.newest() : null);
  if (!c && !gap) return null;
  return { t: bt, price: b * w, bid: c?.bid.get(b) ?? 0, ask: c?.ask.get(b) ?? 0, gap: gap && !c };
}

/** One right-edge book bar: resting size (base) of a side in one price bucket (index, see bucketIndex). */
export interface BookBar {
  side: 'bid' | 'ask';
  bucket: number;
  size: number;
}

function sumLevels(levels: readonly Level[], w: number, into: Map<number, number>): void {
  for (const [p, s] of levels) {
    const b = bucketIndex(p, w);
    into.set(b, (into.get(b) ?? 0) + s);
  }
}

/**
 * The current book per price bucket for the right-edge bars: the live book's levels (fresh, but only a
 * few dollars deep) summed per bucket wherever the live book covers the whole bucket, and the newest
 * heatmap bin (up to a refresh old, but as deep as the heatmap's band) for the other buckets.
 * Either input may be null. Sorted by bucket.
 */
export function bookBars(book: BookView | null, newest: HeatColumn | null, bucketSize: number): BookBar[] {
  if (!(bucketSize > 0)) return [];
  const bars = new Map<string, BookBar>();
  for (const side of ['bid', 'ask'] as const) {
    const m = newest?.[side];
    if (m) for (const [b, s] of m) if (s > 0) bars.set(`${side}${b}`, { side, bucket: b, size: s });
  }
  if (book) {
    const live = { bid: new Map<number, number>(), ask: new Map<number, number>() };
    sumLevels(book.bids, bucketSize, live.bid);
    sumLevels(book.asks, bucketSize, live.ask);
    const worstBid = book.bids[book.bids.length - 1]?.[0];
    const worstAsk = book.asks[book.asks.length - 1]?.[0];
    // A bid bucket is wholly known when the book reaches its lower bound; an ask bucket its upper bound.
    for (const [b, s] of live.bid)
      if (worstBid !== undefined && b * bucketSize >= worstBid - 1e-9)
        bars.set(`bid${b}`, { side: 'bid', bucket: b, size: s });
    for (const [b, s] of live.ask)
      if (worstAsk !== undefined && (b + 1) * bucketSize <= worstAsk + 1e-9)
        bars.set(`ask${b}`, { side: 'ask', bucket: b, size: s });
    // The best buckets are always drawn from the live book, even when only partly covered.
    const bb = book.bids[0] ? bucketIndex(book.bids[0][0], bucketSize) : NaN;
    const ba = book.asks[0] ? bucketIndex(book.asks[0][0], bucketSize) : NaN;
    if (!bars.has(`bid${bb}`) && live.bid.has(bb))
      bars.set(`bid${bb}`, { side: 'bid', bucket: bb, size: live.bid.get(bb)! });
    if (!bars.has(`ask${ba}`) && live.ask.has(ba))
      bars.set(`ask${ba}`, { side: 'ask', bucket: ba, size: live.ask.get(ba)! });
    // Drop stale heatmap buckets the live book shows crossed (bids at or above the best ask and vice versa).
    for (const [k, bar] of bars)
      if ((bar.side === 'bid' && bar.bucket > ba) || (bar.side === 'ask' && bar.bucket < bb)) bars.delete(k);
  }
  return [...bars.values()].sort((a, b) => a.bucket - b.bucket || (a.side === 'bid' ? -1 : 1));
}

/** Trades aggregated per time slot and taker side: VWAP price (quote), summed size (base). */
export interface Bubble {
  /** Slot start, ms. */
  t: number;
  side: TradeSide;
  price: number;
  size: number;
  /** Trades merged. */
  count: number;
}

/**
 * Trades as bubbles: trades of one taker side within one `slotMs` slot merge into one bubble (a sweep
 * through several levels is one print), so the bubbles drawn stay bounded (at most 3 per slot) however
 * busy the tape is. Holds at most `maxBubbles` (oldest dropped first).
 */
export class TradeBubbles {
  private readonly bySlot = new Map<string, Bubble>();
  /** Trades rejected for a non-finite or non-positive price or size. */
  rejected = 0;
  /** Changes since construction (for redraw scheduling). */
  version = 0;

  constructor(
    readonly slotMs = 250,
    readonly maxBubbles = 6000,
  ) {}

  /** Number of bubbles held. */
  get size(): number {
    return this.bySlot.size;
  }

  /**
   * Add one trade. @param t local time, ms; price quote; size base.
   * @returns false (and counts it in `rejected`) when price or size is not a positive finite number
   */
  add(t: number, price: number, size: number, side: TradeSide): boolean {
    if (
      !(price > 0) ||
      !(size > 0) ||
      !Number.isFinite(price) ||
      !Number.isFinite(size) ||
      !Number.isFinite(t)
    ) {
      this.rejected++;
      return false;
    }
    const slot = Math.floor(t / this.slotMs) * this.slotMs;
    const key = `${slot}${side}`;
    const b = this.bySlot.get(key);
    if (b) {
      b.price = (b.price * b.size + price * size) / (b.size + size);
      b.size += size;
      b.count++;
    } else {
      this.bySlot.set(key, { t: slot, side, price, size, count: 1 });
      if (this.bySlot.size > this.maxBubbles) this.dropOldest(this.bySlot.size - this.maxBubbles);
    }
    this.version++;
    return true;
  }

  private dropOldest(n: number): void {
    const oldest = [...this.bySlot.entries()].sort((a, b) => a[1].t - b[1].t).slice(0, n);
    for (const [k] of oldest) this.bySlot.delete(k);
  }

  /** Drop bubbles older than `before` (ms). */
  trim(before: number): void {
    for (const [k, b] of this.bySlot)
      if (b.t < before) {
        this.bySlot.delete(k);
        this.version++;
      }
  }

  /** Oldest bubble time, ms; Infinity when none. */
  oldest(): number {
    let t = Infinity;
    for (const b of this.bySlot.values()) if (b.t < t) t = b.t;
    return t;
  }

  /** Forget everything. */
  clear(): void {
    this.bySlot.clear();
    this.version++;
  }

  /** Bubbles in `[from, to)` ms, oldest first. */
  list(from = -Infinity, to = Infinity): Bubble[] {
    const out: Bubble[] = [];
    for (const b of this.bySlot.values()) if (b.t >= from && b.t < to) out.push(b);
    return out.sort((a, b) => a.t - b.t);
  }
}

/** One best bid/ask point: time ms, prices quote (null when that side is unknown). */
export type BboPoint = [t: number, bid: number | null, ask: number | null];

/**
 * Best bid and ask over time for the lines drawn through the heatmap, kept in time order at least
 * `minStepMs` apart (later samples within the step replace the last point), at most `maxPoints`.
 */
export class BboSeries {
  /** Points, oldest first. */
  readonly points: BboPoint[] = [];
  /** Changes since construction (for redraw scheduling). */
  version = 0;

  constructor(
    readonly minStepMs = 500,
    readonly maxPoints = 4000,
  ) {}

  /**
   * Add a sample; one older than the last point is ignored (history arriving after live samples is
   * merged with {@link BboSeries.prepend}). Non-finite prices become null.
   */
  add(t: number, bid: number | null, ask: number | null): void {
    if (!Number.isFinite(t)) return;
    const p: BboPoint = [t, known(bid), known(ask)];
    const last = this.points[this.points.length - 1];
    if (last && t < last[0]) return;
    if (last && t - last[0] < this.minStepMs && this.points.length > 1)
      this.points[this.points.length - 1] = p;
    else this.points.push(p);
    if (this.points.length > this.maxPoints) this.points.splice(0, this.points.length - this.maxPoints);
    this.version++;
  }

  /** Put older samples (oldest first) before the first point held, thinned to `minStepMs`. */
  prepend(samples: readonly BboPoint[]): void {
    const first = this.points[0]?.[0] ?? Infinity;
    const older: BboPoint[] = [];
    for (const [t, b, a] of samples) {
      if (!(t < first)) break;
      const prev = older[older.length - 1];
      if (prev && t - prev[0] < this.minStepMs) continue;
      older.push([t, known(b), known(a)]);
    }
    if (older.length === 0) return;
    this.points.unshift(...older.slice(Math.max(0, older.length + this.points.length - this.maxPoints)));
    this.version++;
  }

  /** Drop points older than `before` (ms), keeping the last one before it so the lines reach the edge. */
  trim(before: number): void {
    let i = 0;
    while (i + 1 < this.points.length && this.points[i + 1]![0] < before) i++;
    if (i > 0) {
      this.points.splice(0, i);
      this.version++;
    }
  }

  /** Forget everything. */
  clear(): void {
    this.points.length = 0;
    this.version++;
  }
}

function known(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
