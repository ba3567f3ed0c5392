#!/usr/bin/env node
/**
 * The `tsdump` command as one file. The build bundles this file with everything it imports into
 * one CommonJS file, dist/bin/tsdump-bundle.cjs (esbuild), which the installed command
 * (dist/bin/tsdump.cjs, ./launcher.ts) runs through a V8 code cache. One file instead of a hundred modules, and
 * CommonJS because Node starts a CommonJS entry without its ES-module loader (measured here:
 * an empty .mjs file starts about 30 ms slower than an empty .cjs one). Code reached only through
 * dynamic `import()` (subcommands, the benchmark, live capture, -d listings) is kept in the bundle
 * as modules that are initialized on first use. `import.meta.url` is defined by the build as the
 * bundle's own file URL. During development src/cli/bin.mjs runs the same `main` from source.
 */
import { main } from './main.ts';
import { mark } from './timing.ts';

mark('bundle: run its first modules');
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
