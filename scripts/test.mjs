#!/usr/bin/env node
// The project's test command (`npm test`): typecheck, lint, then vitest, and finally the plain closing
// line CI reads ("vitest: N passed, N failed"), since CI does not parse vitest's own summary.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;
let failed = false;
for (const [name, cmd, args] of [
  ['typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['lint', 'npx', ['eslint', '.']],
  // One-way layers and no import circles (.dependency-cruiser.cjs).
  ['imports', 'npx', ['depcruise', 'src', 'web/src', '--config', '.dependency-cruiser.cjs']],
  ['format', 'npx', ['prettier', '--check', '.']],
  // The dashboard's own typecheck (Vue single-file components and web unit tests).
  ['typecheck:web', 'npx', ['vue-tsc', '--noEmit', '-p', 'web/tsconfig.json']],
  // The dashboard is built before the tests: the browser test opens the real built app.
  ['build:web', 'npm', ['run', 'build:web']],
]) {
  console.log(`\n== ${name}`);
  if (run(cmd, args) !== 0) {
    console.log(`${name} failed`);
    failed = true;
  }
}
console.log('\n== vitest');
rmSync('vitest.json', { force: true });
const status = run('npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  '--outputFile=vitest.json',
  ...process.argv.slice(2),
]);
let passed = 0;
let failedTests = 0;
try {
  const r = JSON.parse(readFileSync('vitest.json', 'utf8'));
  passed = r.numPassedTests;
  failedTests = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
} catch {
  failedTests = Math.max(failedTests, 1);
}
console.log(`vitest: ${passed} passed, ${failedTests} failed`);
process.exit(failed || status !== 0 || failedTests > 0 ? 1 : 0);
