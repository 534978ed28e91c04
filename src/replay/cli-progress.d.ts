/** Minimal typings for the parts of `cli-progress` (v3, no bundled types) the replay command uses. */
declare module 'cli-progress' {
  /** Options of a single progress bar (see cli-progress README, "Options"). */
  export interface BarOptions {
    format?: string;
    stream?: NodeJS.WritableStream;
    clearOnComplete?: boolean;
    hideCursor?: boolean | null;
    etaBuffer?: number;
    fps?: number;
  }
  /** One progress bar. */
  export class SingleBar {
    constructor(opts: BarOptions, preset?: object);
    start(total: number, value: number, payload?: Record<string, unknown>): void;
    update(value: number, payload?: Record<string, unknown>): void;
    stop(): void;
  }
  export const Presets: { shades_classic: object; legacy: object; rect: object };
}
