/**
 * Text helpers of the news path (pure): HTML descriptions to plain text (html-to-text), the canonical
 * form of a link and of a title (the de-duplication keys), and the text VADER scores.
 */
import { convert } from 'html-to-text';

/** Longest summary kept, characters (feeds' descriptions are a sentence or two; some carry whole articles). */
export const SUMMARY_MAX_CHARS = 600;

/** html-to-text options: one line of text, no image alt text, no link targets, no layout. */
const HTML_OPTIONS = {
  wordwrap: false as const,
  preserveNewlines: false,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'figure', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
};

/**
 * Plain text of an HTML fragment (tags removed, entities decoded, images and link targets dropped),
 * whitespace collapsed to single spaces and trimmed. Text without markup comes back trimmed/collapsed.
 */
export function htmlToPlainText(html: string): string {
  if (!html) return '';
  const text = /[<&]/.test(html) ? convert(html, HTML_OPTIONS) : html;
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Cut `text` to at most `max` characters at a word boundary, ending with `…` when cut.
 */
export function truncateText(text: string, max = SUMMARY_MAX_CHARS): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '') + '…';
}

/** Query parameters that only track the click (dropped from canonical links). */
const TRACKING = /^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|source|cmpid|_ga)$/i;

/**
 * Canonical form of an article link, so the same article from two feeds or two polls has one key:
 * `https` for `http`, lower-case host without `www.`, tracking parameters (`utm_*`, `fbclid`, ...) and the
 * fragment removed, remaining parameters sorted, trailing slash removed. '' for a missing or non-http(s)
 * link. The stored `link` is this canonical URL too (it still opens the article).
 */
export function canonicalLink(link: string | null | undefined): string {
  if (!link) return '';
  let u: URL;
  try {
    u = new URL(link.trim());
  } catch {
    return '';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return '';
  u.protocol = 'https:';
  u.hostname = u.hostname.toLowerCase().replace(/^www\./, '');
  u.hash = '';
  const kept = [...u.searchParams.entries()].filter(([k]) => !TRACKING.test(k));
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  u.search = kept.length ? '?' + new URLSearchParams(kept).toString() : '';
  if (u.port === '443' || u.port === '80') u.port = '';
  if (u.pathname.length > 1 && u.pathname.endsWith('/')) u.pathname = u.pathname.replace(/\/+$/, '');
  const s = u.toString();
  return u.pathname === '/' && !u.search ? s.slice(0, -1) : s;
}

/**
 * Normalized title, the second de-duplication key: Unicode NFKD without diacritics, lower case, curly
 * quotes and every run of non-letters/digits as one space, trimmed. "Bitcoin’s ETF — Approved!" and
 * "bitcoin's etf: approved" give the same key.
 */
export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’‘`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The text VADER scores for an item: the title, then the summary, as two sentences (`". "` between them
 * unless the title already ends with `.`, `!` or `?`, then a space); the title alone when there is no
 * summary. Scoring the exact same string with vader-sentiment's `polarity_scores` gives the item's scores.
 */
export function sentimentText(title: string, summary: string): string {
  const t = title.trim();
  const s = summary.trim();
  if (!s) return t;
  if (!t) return s;
  return /[.!?]$/.test(t) ? `${t} ${s}` : `${t}. ${s}`;
}
