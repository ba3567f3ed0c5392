/**
 * The installed command's launcher (src/cli/launcher.ts → dist/bin/tsdump.cjs): it runs the
 * bundle next to it through a V8 code cache kept in a private per-user folder under the temp
 * directory. Built here with esbuild as the package build does, next to a small stand-in bundle
 * (and once next to the real bundle), then run as child processes with TMPDIR pointing at a
 * fresh folder: the bundle's output, arguments, exit status and strict mode are unchanged; the
 * first successful run of a command-line shape (its option words) writes that shape's cache, later runs of
 * the shape leave it, a run that compiles much more code (here `--more`) has a bigger one, the
 * newest eight shapes stay; a garbage cache is refused by V8 and rewritten, an untrusted folder
 * and TSDUMP_NO_COMPILE_CACHE=1 mean no cache at all.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './golden-helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'tsdump-launcher-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const STAND_IN = `#!/usr/bin/env node
'use strict';
const path = require('node:path');
function sum(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }
// A large function compiled (lazily) only with --more: the cache grows when a run needs it.
function more() { let s = 0; ${Array.from({ length: 4000 }, (_, i) => `s = (s + ${i}) & 0xffff;`).join(' ')} return s; }
if (process.argv.includes('--more')) more();
const strict = (function () { return this === undefined; })();
process.stdout.write(JSON.stringify({ file: path.basename(__filename), args: process.argv.slice(2), sum: sum(10), strict }) + '\\n');
process.exitCode = process.argv.includes('--fail') && process.env.TSDUMP_STAND_IN_OK !== '1' ? 3 : 0;
`;

/** A bin folder: the launcher built from source plus `bundle` as tsdump-bundle.cjs. */
function binDir(name: string, bundle: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  buildSync({ entryPoints: [join(repoRoot, 'src/cli/launcher.ts')], bundle: true, format: 'cjs', platform: 'node', target: 'node20', outfile: join(dir, 'tsdump.cjs'), logLevel: 'warning' });
  writeFileSync(join(dir, 'tsdump-bundle.cjs'), bundle);
  return dir;
}

function run(dir: string, tmp: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(dir, 'tsdump.cjs'), ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, TMPDIR: tmp, ...env } });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** The cache files (name → mtime) in the per-user folder under `tmp`. */
function caches(tmp: string): Map<string, number> {
  const dir = join(tmp, `tsdump-compile-cache-${process.getuid?.() ?? 'user'}`);
  const m = new Map<string, number>();
  try {
    for (const f of readdirSync(dir)) m.set(f, statSync(join(dir, f)).mtimeMs);
  } catch {
    // no folder: no cache
  }
  return m;
}

function freshTmp(name: string): string {
  const t = join(work, `tmp-${name}`);
  mkdirSync(t, { recursive: true });
  return t;
}

describe('launcher with the code cache', () => {
  const dir = binDir('stand-in', STAND_IN);
  const want = (args: string[]) => `${JSON.stringify({ file: 'tsdump-bundle.cjs', args, sum: 45, strict: true })}\n`;

  it('runs the bundle unchanged; the first run of a command-line shape writes its cache, later runs use it', () => {
    const tmp = freshTmp('a');
    expect(run(dir, tmp, ['--version'])).toEqual({ status: 0, out: want(['--version']), err: '' });
    const first = caches(tmp);
    expect([...first.keys()]).toEqual([expect.stringMatching(/^bundle-\d+-\d+-v\d+\.\d+\.\d+-\w+\.s[0-9a-f]{8}\.cache$/)]);
    // Accepted: nothing is rewritten.
    expect(run(dir, tmp, ['--version'])).toEqual({ status: 0, out: want(['--version']), err: '' });
    expect(caches(tmp)).toEqual(first);
    // Another shape (option words without their values) gets its own cache, written by a run
    // that succeeds (a failed run likely stopped early) ...
    expect(run(dir, tmp, ['-nnr', 'x.pcap', '--fail'])).toEqual({ status: 3, out: want(['-nnr', 'x.pcap', '--fail']), err: '' });
    expect(caches(tmp)).toEqual(first);
    expect(run(dir, tmp, ['-nnr', 'w.pcap', '--fail'], { TSDUMP_STAND_IN_OK: '1' })).toEqual({ status: 0, out: want(['-nnr', 'w.pcap', '--fail']), err: '' });
    const two = caches(tmp);
    expect(two.size).toBe(2);
    // ... which other values and expression words of that shape use as it is.
    expect(run(dir, tmp, ['-nnr', 'y.pcap', '--fail', 'tcp', 'port', '80']).out).toBe(want(['-nnr', 'y.pcap', '--fail', 'tcp', 'port', '80']));
    expect(caches(tmp)).toEqual(two);
    // A run that compiles much more code keeps it in its own cache, so it is bigger.
    expect(run(dir, tmp, ['--more']).out).toBe(want(['--more']));
    const three = caches(tmp);
    expect(three.size).toBe(3);
    const dirOf = join(tmp, `tsdump-compile-cache-${process.getuid?.() ?? 'user'}`);
    const [moreCache] = [...three.keys()].filter((f) => !two.has(f));
    const [versionCache] = [...first.keys()];
    expect(statSync(join(dirOf, moreCache!)).size).toBeGreaterThan(statSync(join(dirOf, versionCache!)).size + 4000);
    for (const args of [['--more'], ['-nnr', 'z.pcap'], ['--version'], ['--version', '--', '--more']]) expect(run(dir, tmp, args).out).toBe(want(args));
    // `-nnr z.pcap` without --fail is a new shape; `--version -- --more` is --version's shape.
    expect(caches(tmp).size).toBe(4);
    for (const [f, t] of three) expect(caches(tmp).get(f)).toBe(t);
  });

  it('a bundle that is its own wrapper (as build:bin makes it) runs the same, with and without the cache, and directly', () => {
    // The stand-in also reports the line its stack trace names: the file's own line numbering.
    const body = `${STAND_IN.replace(/^#![^\n]*\n/, '')}process.stderr.write(new Error().stack.split('\\n')[1].replace(/.*:(\\d+):\\d+\\)?$/, '$1'));`;
    const wrapped = `#!/usr/bin/env node\n(function (exports, require, module, __filename, __dirname) {${body}\n}).call(this, exports, require, module, __filename, __dirname);\n`;
    const line = String(wrapped.split('\n').findIndex((l) => l.includes('new Error().stack')) + 1);
    const wdir = binDir('wrapped', wrapped);
    const tmp = freshTmp('g');
    const envs: Record<string, string>[] = [{ TSDUMP_NO_COMPILE_CACHE: '1' }, {}, {}];
    for (const env of envs) {
      expect(run(wdir, tmp, ['-r', 'x.pcap'], env)).toEqual({ status: 0, out: want(['-r', 'x.pcap']), err: line });
    }
    expect(caches(tmp).size).toBe(1);
    const direct = spawnSync(process.execPath, [join(wdir, 'tsdump-bundle.cjs'), '-r', 'x.pcap'], { encoding: 'utf8' });
    expect([direct.stdout, direct.stderr]).toEqual([want(['-r', 'x.pcap']), line]);
  });

  it('keeps the newest eight shapes of a build', () => {
    const tmp = freshTmp('f');
    for (let k = 0; k < 10; k++) expect(run(dir, tmp, [`--opt${k}`]).out).toBe(want([`--opt${k}`]));
    expect(caches(tmp).size).toBe(8);
  });

  it('a cache V8 refuses is replaced; a new build of the bundle gets its own', () => {
    const tmp = freshTmp('b');
    run(dir, tmp, ['-r', 'x.pcap']);
    const [name] = [...caches(tmp).keys()];
    const path = join(tmp, `tsdump-compile-cache-${process.getuid?.() ?? 'user'}`, name!);
    writeFileSync(path, Buffer.alloc(4096, 0x5a));
    expect(run(dir, tmp, ['-r', 'x.pcap'])).toEqual({ status: 0, out: want(['-r', 'x.pcap']), err: '' });
    // Refused, so written again.
    const [rewritten] = [...caches(tmp).keys()];
    expect(caches(tmp).size).toBe(1);
    const cacheDirOf = join(tmp, `tsdump-compile-cache-${process.getuid?.() ?? 'user'}`);
    expect(statSync(join(cacheDirOf, rewritten!)).size).not.toBe(4096);
    // Other bundles (another size and mtime) get their own cache files; the newest four are kept.
    const names = [rewritten!];
    for (let k = 2; k <= 5; k++) {
      const other = binDir(`stand-in-${k}`, `${STAND_IN}${'//'.repeat(k)}\n`);
      expect(run(other, tmp, ['-r', 'x.pcap']).out).toBe(want(['-r', 'x.pcap']));
      names.push([...caches(tmp).entries()].sort((a, b) => b[1] - a[1])[0]![0]);
    }
    expect(new Set(names).size).toBe(5);
    expect([...caches(tmp).keys()].sort()).toEqual(names.slice(1).sort());
  });

  it('no cache when turned off or when the folder is not private', () => {
    const off = freshTmp('c');
    expect(run(dir, off, ['-r', 'x.pcap'], { TSDUMP_NO_COMPILE_CACHE: '1' }).out).toBe(want(['-r', 'x.pcap']));
    expect(caches(off).size).toBe(0);
    if (process.platform === 'win32') return;
    const open = freshTmp('d');
    const folder = join(open, `tsdump-compile-cache-${process.getuid?.() ?? 'user'}`);
    mkdirSync(folder);
    chmodSync(folder, 0o777);
    expect(run(dir, open, ['-r', 'x.pcap']).out).toBe(want(['-r', 'x.pcap']));
    expect(caches(open).size).toBe(0);
  });

  it('runs the real bundle: the same output with and without the cache', () => {
    const real = join(work, 'real');
    mkdirSync(real, { recursive: true });
    // Exactly as package.json's build:bin builds it (its wrapper banner and footer, its aliases).
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const esbuild = `"${join(repoRoot, 'node_modules', '.bin', 'esbuild')}"`;
    const cmd = pkg.scripts['build:bin']!.split(' && ')[0]!.replace(/^esbuild /, `${esbuild} `).replace('dist/bin/tsdump-bundle.cjs', join(real, 'tsdump-bundle.cjs'));
    const built = spawnSync(cmd, { cwd: repoRoot, shell: true, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    copyFileSync(join(dir, 'tsdump.cjs'), join(real, 'tsdump.cjs'));
    const tmp = freshTmp('e');
    const args = ['-nnr', 'captures/http.pcap', 'tcp port 80'];
    const plain = run(real, tmp, args, { TSDUMP_NO_COMPILE_CACHE: '1' });
    expect(plain.status).toBe(0);
    expect(plain.out.split('\n').length).toBeGreaterThan(5);
    const writing = run(real, tmp, args);
    const cached = run(real, tmp, args);
    expect(caches(tmp).size).toBe(1);
    expect(writing).toEqual(plain);
    expect(cached).toEqual(plain);
    // The bundle is its own wrapper: Node runs it directly too.
    const direct = spawnSync(process.execPath, [join(real, 'tsdump-bundle.cjs'), ...args], { cwd: repoRoot, encoding: 'utf8' });
    expect({ status: direct.status, out: direct.stdout, err: direct.stderr }).toEqual(plain);
    const bad = run(real, tmp, ['-r', 'captures/http.pcap', 'tcp port']);
    expect(bad.status).toBe(1);
    expect(bad.err).toMatch(/expected a port number/);
  }, 60_000);
});
