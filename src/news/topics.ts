/** Bus topics of the news layer (published by the news service of roles `all` and `analyzer`). */
import type { NewsItem } from './types.ts';

/** Topics the news service publishes (its alerts go to the alert layer's `alert` topic). */
export interface NewsTopics {
  /** Every news item new to depthwatch (after de-duplication), with its scores and assets. */
  news: NewsItem;
}
