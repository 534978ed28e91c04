/**
 * Vitest global setup: the tests read real recordings from ../shared/data (never copied into the
 * repository). When that folder is missing, under `CI=true` the run fails at once with one clear line
 * (tests must never skip silently for lack of data); elsewhere a warning says the recording tests will
 * fail with ENOENT.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The shared data folder the tests read (relative to the project root, as the README says). */
export const SHARED_DATA = resolve('../shared/data');

export default function setup(): void {
  if (existsSync(resolve(SHARED_DATA, 'README.md'))) return;
  const msg = `${SHARED_DATA} is missing: the recording tests need ../shared/data beside the repository`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`warning: ${msg}`);
}
