#!/usr/bin/env node
/**
 * The installed `tsdump` command's first file (dist/bin/tsdump.cjs): it runs the bundled command
 * (dist/bin/tsdump-bundle.cjs, built from ./tsdump.ts) through a V8 code cache, so a run does not
 * parse and compile half a megabyte of JavaScript again.
 *
 * Technique: Node 22 has `module.enableCompileCache()`; Node 20, which we support, does not, so
 * this does by hand what it does. The bundle's source is compiled with `vm.Script` and the
 * `cachedData` a previous run left (V8 then deserializes the compiled functions instead of
 * parsing and compiling them; it refuses data made by another V8 version or with other flags,
 * `cachedDataRejected`), and run as a CommonJS module wrapper with a real `require`. When there
 * was no usable cache, the run writes one at exit with `script.createCachedData()`, which then
 * holds every function compiled so far (those the cache brought and those this run compiled
 * lazily), unless it exits with a non-zero status (it then likely stopped early).
 *
 * One cache per shape of command line: the set of its option words without their values (`-r
 * --count`, `-r -w`, `-nn -r`, a subcommand such as `bench`), hashed into the file name. Runs of
 * one shape take the same paths through the code (a filter, printing or not, a subcommand), so
 * each cache holds what its runs use and no more: a `--count` run does not deserialize the
 * printers a printing run compiled, and a filter run after `--version` does not find a cache
 * without the filter compiler. (An earlier version kept one cache and rewrote it when a run
 * ended with 10% more bytecode on the heap, but reading that figure needs `node:v8`, whose
 * loading cost ~5 ms of every run's CPU.) The newest KEEP_SHAPES caches of this build are kept.
 *
 * The cache lives in a private per-user folder under the system temp directory (mode 0700,
 * refused unless it is a directory owned by the user and writable by nobody else: compiled code
 * is code), per bundle build (its size and mtime) and Node version, the newest few other builds
 * kept; writes go through a temporary file and a rename, so concurrent runs never read half a
 * file. TSDUMP_NO_COMPILE_CACHE=1 turns the cache off (the bundle is then compiled as usual).
 * Any problem with the cache is silent: it only ever costs the time it was meant to save.
 * TSDUMP_TIMING=1 records the launcher's phases for the table ./timing.ts prints at exit.
 */
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';

/** TSDUMP_TIMING=1: the launcher's phases, handed to the bundle's table (./timing.ts). */
const marks: [string, number, number, number][] | undefined = process.env.TSDUMP_TIMING === '1' ? [] : undefined;
function mark(name: string): void {
  if (marks === undefined) return;
  const u = process.resourceUsage();
  marks.push([name, process.uptime() * 1000, (u.userCPUTime + u.systemCPUTime) / 1000, u.minorPageFault]);
}
mark('node start-up (to the launcher)');
if (marks !== undefined) (globalThis as Record<symbol, unknown>)[Symbol.for('tsdump.launchMarks')] = marks;

const bundle = join(__dirname, 'tsdump-bundle.cjs');
/** Cache files of other bundle builds or Node versions kept besides this one's. */
const KEEP_OTHER_BUILDS = 3;
/** Caches of this build kept, one per command-line shape. */
const KEEP_SHAPES = 8;
const source = readFileSync(bundle, 'latin1');
mark('launcher: read the bundle');

/**
 * The bundle as built (package.json `build:bin`) is its own CommonJS wrapper: `(function
 * (exports, require, module, __filename, __dirname) {…\n}).call(this, exports, require, module,
 * __filename, __dirname);`, which Node runs directly too. The text up to the end of the function
 * expression, a slice (V8 reads a slice in place), is then the script, and nothing is
 * concatenated: wrapping the
 * text as `module.wrap` does makes V8 flatten a second copy of half a megabyte or more (~240 more
 * pages touched). Any other CommonJS file is wrapped as Node wraps it.
 */
const HEAD = '(function (exports, require, module, __filename, __dirname) {';
const TAIL = '\n}).call(this, exports, require, module, __filename, __dirname);';
function scriptSource(text: string): string {
  // A first `#!` line stays (V8 takes it at the start of a script), so lines are the file's.
  const start = text.startsWith('#!') ? text.indexOf('\n') + 1 : 0;
  let end = text.length;
  while (end > start && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
  if (text.startsWith(HEAD, start) && text.endsWith(TAIL, end)) return text.slice(0, end - TAIL.length + 3);
  return wrap(start > 0 ? `//${text.slice(2)}` : text);
}

/** The private cache folder, created if needed; undefined when it cannot be trusted or made. */
function cacheDir(): string | undefined {
  if (process.env.TSDUMP_NO_COMPILE_CACHE === '1') return undefined;
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  const dir = join(tmpdir(), `tsdump-compile-cache-${uid < 0 ? 'user' : uid}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || (uid >= 0 && st.uid !== uid) || (process.platform !== 'win32' && (st.mode & 0o022) !== 0)) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * The command line's shape (see the file header): its option words up to `--`, without values
 * (`--skip=3` → `--skip`), and a first word that is not an option (a subcommand), as a sorted
 * set hashed with 32-bit FNV-1a.
 */
function argvShape(args: readonly string[]): string {
  const words = new Set<string>();
  if (args.length > 0 && !args[0]!.startsWith('-')) words.add(args[0]!);
  for (const a of args) {
    if (a === '--') break;
    if (a.length > 1 && a[0] === '-') words.add(a.split('=', 1)[0]!);
  }
  let h = 0x811c9dc5;
  for (const c of [...words].sort().join(' ')) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

const dir = cacheDir();
let key = '';
let cacheName = '';
let cached: Buffer | undefined;
if (dir !== undefined) {
  const st = statSync(bundle);
  key = `bundle-${st.size}-${Math.trunc(st.mtimeMs)}-${process.version}-${process.arch}`;
  cacheName = `${key}.s${argvShape(process.argv.slice(2))}.cache`;
  try {
    cached = readFileSync(join(dir, cacheName));
  } catch {
    cached = undefined;
  }
}

mark('launcher: read the code cache');
const script = new Script(scriptSource(source), { filename: bundle, cachedData: cached });
if (dir !== undefined) {
  process.once('exit', (code) => {
    try {
      // A failed run (a missing file, a bad filter) ran less than its shape's runs do: the next
      // successful run writes the cache instead.
      if (code !== 0 || (cached !== undefined && script.cachedDataRejected !== true)) return;
      const data = script.createCachedData();
      const tmp = join(dir, `${cacheName}.${process.pid}.tmp`);
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, data);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, join(dir, cacheName));
      // The newest few shapes of this build, and of other builds (two installed versions would
      // otherwise remove each other's at every run), stay.
      const all = readdirSync(dir)
        .filter((f) => f.startsWith('bundle-') && !f.endsWith('.tmp'))
        .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs, mine: f.startsWith(`${key}.`) }))
        .sort((a, b) => b.t - a.t);
      const stale = [...all.filter((c) => c.mine).slice(KEEP_SHAPES), ...all.filter((c) => !c.mine).slice(KEEP_OTHER_BUILDS)];
      for (const { f } of stale) rmSync(join(dir, f), { force: true });
    } catch {
      // a cache that cannot be written is no cache
    }
  });
}
mark(cached !== undefined && script.cachedDataRejected !== true ? 'launcher: compile (code cache used)' : 'launcher: compile (no code cache)');
const mod = { exports: {} as unknown, filename: bundle, id: bundle, loaded: false };
(script.runInThisContext() as (...a: unknown[]) => void).call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, __dirname);
