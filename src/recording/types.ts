/**
 * Recorded traffic, whatever the file format: one frame as it came off the wire with its local receive
 * time. Readers (hftbacktest `.gz`, cryptofeed raw files, depthwatch's own recordings) all yield this;
 * readers of already-normalized data (Tardis.dev CSV) yield `event` frames carrying the event itself.
 */
import type { MarketEvent } from '../core/model.ts';

/** One recorded frame. */
export interface RecordedFrame {
  /** Local receive time, ms since epoch UTC (fractional allowed). */
  localTs: number;
  /**
   * `ws`: a WebSocket frame received; `rest`: a REST response body (e.g. a depth snapshot); `event`: an
   * already-normalized event (imported data such as Tardis CSV), in `event`.
   */
  kind: 'ws' | 'rest' | 'event';
  /** Venue id when the format tells it (depthwatch recordings, cryptofeed file names). */
  venue?: string;
  /** Connection the frame belongs to (file or connection id), so multi-connection captures stay apart. */
  connection?: string;
  /** For `rest`: the request URL (carries the symbol of a depth snapshot). */
  url?: string;
  /** For `rest` from sources that know it: the instrument the body is for. */
  instrument?: string;
  /** Raw text exactly as received (for `event`: the source line(s) the event was made from). */
  text: string;
  /** For `event` frames: the normalized event, handed to the engine as is. */
  event?: MarketEvent;
}
