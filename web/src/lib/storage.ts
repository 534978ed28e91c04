/**
 * Per-browser preferences in localStorage (favorites, last selected instrument, chart window). Storage
 * that is unavailable or holds garbage yields the default, never an exception.
 */

const PREFIX = 'depthwatch.';

/** Read a JSON value, or `fallback` when missing, unreadable, or failing `valid`. */
export function loadPref<T>(key: string, fallback: T, valid: (v: unknown) => v is T): T {
  try {
    const raw = window.localStorage.getItem(PREFIX + key);
    if (raw === null) return fallback;
    const v: unknown = JSON.parse(raw);
    return valid(v) ? v : fallback;
  } catch {
    return fallback;
  }
}

/** Write a JSON value; silently skipped when storage is unavailable (private mode, quota). */
export function savePref(key: string, value: unknown): void {
  try {
    window.localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Preferences are a convenience: losing them must not break the dashboard.
  }
}

/** Type guard: an array of strings. */
export function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Type guard: a string. */
export function isString(v: unknown): v is string {
  return typeof v === 'string';
}

/** Type guard: a finite number. */
export function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
