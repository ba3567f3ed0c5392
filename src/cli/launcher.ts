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
 * lazily). The file name records the heap's bytecode size at that moment; a later run that ends
 * with 10% more bytecode (it took a path the cache lacks: a filter after `--version`, printing
 * after `--count`) writes the cache again, so it grows to what the runs use and then stays.
 *
 * The cache lives in a private per-user folder under the system temp directory (mode 0700,
 * refused unless it is a directory owned by the user and writable by nobody else: compiled code
 * is code), one file per bundle build (its size and mtime) and Node version, the newest few kept;
 * writes go through a temporary file and a rename, so concurrent runs never read half a file.
 * TSDUMP_NO_COMPILE_CACHE=1 turns the cache off (the bundle is then compiled as usual). Any
 * problem with the cache is silent: it only ever costs the time it was meant to save.
 */
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { getHeapCodeStatistics } from 'node:v8';
import { createRequire, wrap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';

const bundle = join(__dirname, 'tsdump-bundle.cjs');
/** Caches of other bundle builds or Node versions kept besides this one's. */
const KEEP_OTHER_BUILDS = 3;
const source = readFileSync(bundle, 'latin1');

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

const dir = cacheDir();
let key = '';
let cachedName: string | undefined;
let cached: Buffer | undefined;
/** Heap bytecode size when the cache in use was written. */
let recorded = 0;
if (dir !== undefined) {
  const st = statSync(bundle);
  key = `bundle-${st.size}-${Math.trunc(st.mtimeMs)}-${process.version}-${process.arch}`;
  try {
    cachedName = readdirSync(dir).find((f) => f.startsWith(`${key}.b`) && f.endsWith('.cache'));
    if (cachedName !== undefined) {
      recorded = Number(cachedName.slice(key.length + 2, -'.cache'.length)) || 0;
      cached = readFileSync(join(dir, cachedName));
    }
  } catch {
    cached = undefined;
  }
}

const script = new Script(wrap(source.startsWith('#!') ? `//${source.slice(2)}` : source), { filename: bundle, cachedData: cached });
if (dir !== undefined) {
  process.once('exit', () => {
    try {
      const bytecode = getHeapCodeStatistics().bytecode_and_metadata_size;
      if (cached !== undefined && script.cachedDataRejected !== true && bytecode <= recorded * 1.1) return;
      const data = script.createCachedData();
      const name = `${key}.b${bytecode}.cache`;
      const tmp = join(dir, `${name}.${process.pid}.tmp`);
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, data);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, join(dir, name));
      if (cachedName !== undefined && cachedName !== name) rmSync(join(dir, cachedName), { force: true });
      // Other builds' caches stay (two installed versions would otherwise remove each other's at
      // every run), but only the newest few.
      const others = readdirSync(dir)
        .filter((f) => f.startsWith('bundle-') && !f.startsWith(`${key}.`) && !f.endsWith('.tmp'))
        .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
        .sort((a, b) => b.t - a.t);
      for (const { f } of others.slice(KEEP_OTHER_BUILDS)) rmSync(join(dir, f), { force: true });
    } catch {
      // a cache that cannot be written is no cache
    }
  });
}
const mod = { exports: {} as unknown, filename: bundle, id: bundle, loaded: false };
(script.runInThisContext() as (...a: unknown[]) => void).call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, __dirname);
