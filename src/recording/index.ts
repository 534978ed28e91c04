/**
 * Recording readers and writer: `openRecording(paths)` for every format, `RecordingWriter` for
 * depthwatch's own format. See open.ts, native.ts, hftbacktest.ts, cryptofeed.ts.
 */
export type { RecordedFrame } from './types.ts';
export { openRecording, mergeByTime } from './open.ts';
export type { Recording, RecordingFile, RecordingFormat, OpenRecordingOptions } from './open.ts';
export {
  RecordingWriter,
  NATIVE_FORMAT,
  NATIVE_VERSION,
  parseNativeHeader,
  parseNativeLine,
} from './native.ts';
export type { RecordingWriterOptions, NativeHeader } from './native.ts';
export { RecordingError } from './lines.ts';
export type { ReaderStats } from './stats.ts';
export { cryptofeedVenue, CRYPTOFEED_VENUES } from './cryptofeed.ts';
