/**
 * The dashboard's view switch, kept in the URL hash (`#/history`, `#/system`, `#/live`; anything else is
 * the live view) so a reload stays on the view without a router.
 */
import { onBeforeUnmount, ref, watch, type Ref } from 'vue';

/** The dashboard's views. */
export const VIEWS = [
  { value: 'live', label: 'Live' },
  { value: 'history', label: 'History' },
  { value: 'system', label: 'System' },
] as const;

/** A view name. */
export type ViewName = (typeof VIEWS)[number]['value'];

/** The view a URL hash names (`#/history`, `#history`); the live view for any other hash. */
export function viewFromHash(hash: string): ViewName {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return VIEWS.find((v) => v.value === name)?.value ?? 'live';
}

/**
 * The current view as a ref bound to `location.hash` both ways (a hash change, e.g. the back button,
 * switches the view; setting the ref writes the hash). Call inside a component's setup.
 */
export function useHashView(): Ref<ViewName> {
  const view = ref<ViewName>(viewFromHash(location.hash));
  const onHash = () => (view.value = viewFromHash(location.hash));
  window.addEventListener('hashchange', onHash);
  onBeforeUnmount(() => window.removeEventListener('hashchange', onHash));
  watch(view, (v) => {
    if (viewFromHash(location.hash) !== v) location.hash = `#/${v}`;
  });
  return view;
}
