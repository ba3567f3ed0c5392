#!/usr/bin/env node
/**
 * The installed `tsdump` command. The build bundles this file with everything it imports into
 * dist/bin/ (esbuild, ES modules, code splitting): one file to load for an ordinary run instead
 * of a hundred modules, while the parts a run may not need (subcommands, the eBPF translation
 * and runtime, live capture) stay in chunks loaded by dynamic `import()` only when asked for.
 * During development src/cli/bin.mjs runs the same `main` from the TypeScript sources.
 */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
