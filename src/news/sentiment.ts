/**
 * VADER sentiment of news text, from vader-sentiment (the vaderSentiment project's maintained JavaScript
 * port: Hutto & Gilbert, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of Social Media
 * Text", ICWSM 2014). Scores are passed through untouched (no rounding), so they equal the library's own
 * `polarity_scores` on the same text. Pure.
 */
import vader from 'vader-sentiment';
import type { NewsSentiment } from './types.ts';
import { sentimentText } from './text.ts';

/** VADER's conventional thresholds on `compound`: ≥ 0.05 positive, ≤ −0.05 negative, else neutral. */
export const POSITIVE_THRESHOLD = 0.05;
export const NEGATIVE_THRESHOLD = -0.05;

/** VADER scores of a text (`compound` in [-1, 1]; `pos`/`neu`/`neg` proportions). Empty text scores 0/1/0. */
export function scoreText(text: string): NewsSentiment {
  const s = vader.SentimentIntensityAnalyzer.polarity_scores(text);
  return { compound: s.compound, pos: s.pos, neu: s.neu, neg: s.neg };
}

/** VADER scores of an item's title and summary (see text.ts sentimentText for the exact text). */
export function scoreItem(title: string, summary: string): NewsSentiment {
  return scoreText(sentimentText(title, summary));
}

/** `positive`, `negative` or `neutral` by VADER's thresholds on the compound score. */
export function sentimentLabel(compound: number): 'positive' | 'negative' | 'neutral' {
  if (compound >= POSITIVE_THRESHOLD) return 'positive';
  if (compound <= NEGATIVE_THRESHOLD) return 'negative';
  return 'neutral';
}
