/**
 * What the built command does before and after its work (issue 7, end-to-end time): the bundle
 * built exactly as package.json's `build:bin` builds it (into a temporary folder), run through
 * its launcher with TMPDIR pointing at a fresh folder.
 *
 * - A filter run with `--count` and one with `-w` load none of the Node built-ins whose loading
 *   cost the most start-up time: `net` and `child_process` (the bundle's aliases,
 *   src/cli/bundle-shims), `v8` (the launcher's old cache heuristic), the streams they pull in,
 *   and `perf_hooks` (`performance.now()`);
 *   the output equals the sources' (src/cli/bin.mjs).
 * - TSDUMP_TIMING=1 prints the phase table (src/cli/timing.ts) with every phase, in order.
 * - The shims: `isIPv4`/`isIPv6`/`isIP` answer as `node:net` on the running Node (fixed cases
 *   and random strings), and the child_process shim's functions reach the real module.
 */
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as netShim from '../../src/cli/bundle-shims/net.ts';
import * as cpShim from '../../src/cli/bundle-shims/child-process.ts';
import { repoRoot } from './golden-helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'tsdump-startup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** package.json's build:bin with dist/bin/ replaced by `out`/: the real build's options. */
function buildBin(out: string): void {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const cmd = pkg.scripts['build:bin']!.replaceAll('dist/bin/', `${out}/`).replace(/(^|&& )esbuild /g, `$1"${join(repoRoot, 'node_modules', '.bin', 'esbuild')}" `);
  const r = spawnSync(cmd, { cwd: repoRoot, shell: true, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build:bin failed: ${r.stderr}`);
}

describe('the built command at start-up', () => {
  const bin = join(work, 'bin');
  mkdirSync(bin);
  buildBin(bin);
  const probe = join(work, 'probe.cjs');
  const loaded = join(work, 'loaded.json');
  writeFileSync(probe, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loaded)}, JSON.stringify(process.moduleLoadList)));\n`);
  const tmp = join(work, 'tmp');
  mkdirSync(tmp);

  function run(args: string[], env: Record<string, string> = {}) {
    const r = spawnSync(process.execPath, [join(bin, 'tsdump.cjs'), ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, TMPDIR: tmp, ...env } });
    return { status: r.status, out: r.stdout, err: r.stderr };
  }
  function fromSources(args: string[]) {
    const r = spawnSync(process.execPath, [join(repoRoot, 'src/cli/bin.mjs'), ...args], { cwd: repoRoot, encoding: 'utf8' });
    return { status: r.status, out: r.stdout, err: r.stderr };
  }

  it('a filter run loads neither net, child_process, v8 nor streams; same output as the sources', () => {
    const expr = 'tcp port 80 and host 192.168.1.1 or ip6 host ::1 or ip6 host fe80::1';
    const out = join(work, 'out.pcap');
    for (const args of [['-r', 'captures/http.pcap', '--count', expr], ['-r', 'captures/http.pcap', '-w', out, 'tcp'], ['-nnr', 'captures/http.pcap', 'tcp port 80']]) {
      rmSync(loaded, { force: true });
      const r = run(args, { NODE_OPTIONS: `--require ${probe}` });
      const want = fromSources(args);
      expect(r, args.join(' ')).toEqual(want);
      expect(r.status).toBe(0);
      const builtins = (JSON.parse(readFileSync(loaded, 'utf8')) as string[]).filter((m) => m.startsWith('NativeModule '));
      expect(builtins.length).toBeGreaterThan(10);
      for (const m of ['net', 'child_process', 'v8', 'stream', 'perf_hooks']) expect(builtins, `${args.join(' ')}: ${m}`).not.toContain(`NativeModule ${m}`);
    }
  }, 120_000);

  it('TSDUMP_TIMING=1 prints every phase in order, after the output', () => {
    const r = run(['-r', 'captures/http.pcap', '--count', 'tcp port 80'], { TSDUMP_TIMING: '1' });
    expect(r.status).toBe(0);
    expect(r.out).toBe('10 packets\n');
    const table = r.err.slice(r.err.indexOf('tsdump timing'));
    const phases = [...table.matchAll(/^ {2}(.+?) +(-?\d+\.\d) +(-?\d+\.\d) +(-?\d+)$/gm)].map((m) => m[1]!.replace(/ \(.*\)$/, ''));
    expect(phases).toEqual([
      'node start-up', 'launcher: read the bundle', 'launcher: read the code cache', 'launcher: compile',
      'bundle: run its first modules', 'command modules initialized', 'arguments parsed', 'capture opened',
      'filter compiled', 'filter engine built', 'output opened', 'read loop', 'output closed', 'exit handlers', 'total',
    ]);
    // Without the variable: nothing of it.
    expect(run(['-r', 'captures/http.pcap', '--count', 'tcp port 80']).err).not.toMatch(/timing/);
  }, 60_000);
});

describe('bundle shims', () => {
  it('isIPv4, isIPv6 and isIP answer as node:net', () => {
    const fixed = ['1.2.3.4', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '::', '::1', '1::', 'fe80::1%eth0', 'fe80::1%', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', ':1', '1:', '1:2:3:4:5:6:1.2.3.4', '::1.2.3.4.5', '', ' 1.2.3.4', '1.2.3.4 ', 'ABCD::EF01', '12345::'];
    for (const s of fixed) {
      expect(netShim.isIPv4(s), s).toBe(net.isIPv4(s));
      expect(netShim.isIPv6(s), s).toBe(net.isIPv6(s));
      expect(netShim.isIP(s), s).toBe(net.isIP(s));
    }
    const piece = fc.constantFrom('0', '1', '9', '25', '255', '256', '00', 'a', 'F', 'ffff', '12345', ':', '::', '.', '%', 'eth0', '-', 'g', ' ', '1.2.3.4');
    fc.assert(fc.property(fc.array(piece, { maxLength: 14 }).map((a) => a.join('')), (s) => {
      expect(netShim.isIPv4(s)).toBe(net.isIPv4(s));
      expect(netShim.isIPv6(s)).toBe(net.isIPv6(s));
    }), { numRuns: 20_000 });
  });

  it('the child_process shim reaches the real module', () => {
    const r = cpShim.spawnSync(process.execPath, ['-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
    expect(r.stdout).toBe('ok');
    expect(cpShim.execFileSync(process.execPath, ['-e', 'process.stdout.write("yes")'], { encoding: 'utf8' })).toBe('yes');
  });
});
