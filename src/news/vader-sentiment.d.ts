/** Typings for `vader-sentiment` (the vaderSentiment project's JavaScript port; no bundled types). */
declare module 'vader-sentiment' {
  /** Scores of `polarity_scores` (see the vaderSentiment README, "Scoring"). */
  export interface PolarityScores {
    neg: number;
    neu: number;
    pos: number;
    compound: number;
  }
  const vader: {
    SentimentIntensityAnalyzer: {
      /** Sentiment of a text: proportions and the normalised compound score in [-1, 1]. */
      polarity_scores(text: string): PolarityScores;
    };
  };
  export default vader;
}
