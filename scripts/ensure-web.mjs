#!/usr/bin/env node
// Build the dashboard (web/dist) when it is missing, so `npm start` serves it on a fresh clone.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!existsSync(new URL('../web/dist/index.html', import.meta.url))) {
  console.log('building the dashboard (web/dist)...');
  const r = spawnSync('npm', ['run', 'build:web'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
