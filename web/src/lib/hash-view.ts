/** The dashboard's view switch bound to the URL hash (browser only; names in lib/view.ts). */
import { onBeforeUnmount, ref, watch, type Ref } from 'vue';
import { viewFromHash, type ViewName } from './view.ts';

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
