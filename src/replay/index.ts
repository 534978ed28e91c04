/** Replay: recordings through the engine. See replay.ts and summary.ts. */
export { Replay, symbolFromUrl } from './replay.ts';
export type { ReplayOptions, ReplayProgress, ReplayResult, ReplaySpeed } from './replay.ts';
export { summarize, finiteOrNull } from './summary.ts';
export type { InstrumentSummary, ReplaySummary } from './summary.ts';
