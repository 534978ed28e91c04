#!/usr/bin/env node
// CLI entry: loads the TypeScript sources through tsx (a runtime dependency), so `npx depthwatch` and
// `npm start` work straight after `npm ci` with no build step for the server side.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
