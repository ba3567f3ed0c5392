#!/usr/bin/env node
// Development launcher: registers the TypeScript loader (tsx, a dev dependency) and runs the CLI
// from source, so tests and `node src/cli/bin.mjs` never depend on a stale dist/. The installed
// command is the bundle the build makes from ./tsdump.ts (package.json "bin").
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
