/**
 * The dashboard's views and their names in the URL hash (`#/desk`, `#/history`, `#/news`, `#/market`, `#/system`, `#/live`; anything
 * else is the live view), so a reload stays on the view without a router (see lib/hash-view.ts).
 */
/** The dashboard's views. */
export const VIEWS = [
  { value: 'live', label: 'Live' },
  { value: 'desk', label: 'Desk' },
  { value: 'history', label: 'History' },
  { value: 'news', label: 'News' },
  { value: 'market', label: 'Market' },
  { value: 'system', label: 'System' },
] as const;

/** A view name. */
export type ViewName = (typeof VIEWS)[number]['value'];

/** The view a URL hash names (`#/history`, `#history`); the live view for any other hash. */
export function viewFromHash(hash: string): ViewName {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return VIEWS.find((v) => v.value === name)?.value ?? 'live';
}
