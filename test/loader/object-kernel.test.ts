/**
 * The example objects run by tsdump and by the Linux kernel must agree: for each example
 * (object-examples.ts) and each capture, the same object file is loaded by libbpf
 * (test/tools/elf-object-kernel-run.c, built here with gcc -lbpf), its maps preloaded the same
 * way, and every packet run with BPF_PROG_TEST_RUN; tsdump runs the same packets through
 * `attachObject`. Per packet r0 and the output bytes (the frame after the program's rewrites)
 * must be equal, then the ring-buffer and perf-event records (in order, tagged by packet) and the final contents
 * of every map. Where bpftool is present, the maps dumped by `bpftool map dump -j` from the
 * kernel must equal tsdump's dump element for element, `formatted` (BTF) included.
 *
 * Needs root, gcc, libbpf (libbpf-dev) and a kernel with bpf(); elsewhere each test says why it
 * is skipped, and under CI=true it fails instead. Packets the kernel refuses to run (shorter
 * than an Ethernet header) are left out of both runs; what else is left out and why is below.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attachObject } from '../../src/loader/attach.ts';
import { dumpObjectMaps, jsonText } from '../../src/loader/btf-format.ts';
import { PerfEventArray } from '../../src/maps/perf-event-array.ts';
import { RingBuf } from '../../src/maps/ringbuf.ts';
import { kernelOrSkip, mustNotSkip } from '../tools/kernel-oracle.ts';
import { capturePackets, EXAMPLES, exampleCaptures, fixtures, preloadJson, repo } from './object-examples.ts';

const work = mkdtempSync(join(tmpdir(), 'tsdump-object-kernel-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let built: { bin?: string; reason?: string } | undefined;

/** The libbpf runner, built once; or why it cannot be. */
function runner(skip: (why: string) => never): string {
  kernelOrSkip(skip);
  built ??= (() => {
    const bin = join(work, 'elf-object-kernel-run');
    const cc = spawnSync('gcc', ['-O2', '-Wall', '-o', bin, join(repo, 'test', 'tools', 'elf-object-kernel-run.c'), '-lbpf'], { encoding: 'utf8' });
    if (cc.error) return { reason: `gcc not available (${cc.error.message})` };
    if (cc.status !== 0) return { reason: `cannot build the libbpf runner (install libbpf-dev): ${cc.stderr.split('\n')[0]}` };
    return { bin };
  })();
  if (built.bin) return built.bin;
  const why = `libbpf runner unavailable: ${built.reason}`;
  if (mustNotSkip) throw new Error(`${why} (CI=true, so this fails instead of skipping)`);
  console.warn(`SKIPPED: ${why}`);
  return skip(why);
}

/** A bpffs directory to pin maps in for bpftool, when bpftool and a bpf mount are there. */
function pinDir(): string | undefined {
  const v = spawnSync('bpftool', ['version'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) return undefined;
  const mounts = existsSync('/proc/mounts') ? readFileSync('/proc/mounts', 'utf8') : '';
  const bpffs = mounts.split('\n').map((l) => l.split(' ')).find((f) => f[2] === 'bpf')?.[1];
  if (bpffs === undefined) return undefined;
  const dir = join(bpffs, `tsdump-test-${process.pid}-${Date.now()}`);
  mkdirSync(dir);
  return dir;
}

interface KernelRun {
  /** Per packet: r0 and output hex, or null when the kernel refused to run it. */
  runs: ({ r0: number; out: string } | null)[];
  /** Ring records: packet index and hex. */
  rings: { at: number; map: string; hex: string }[];
  /** Perf-event records: packet index and hex (padded by the kernel: see the runner). */
  perf: { at: number; map: string; hex: string }[];
  /** Map name → sorted `key=value` hex entries, or '-' when not readable by key. */
  maps: Map<string, string[] | '-'>;
}

function kernelRun(bin: string, object: string, program: string, lines: string[], pins?: string): KernelRun {
  const args = [join(fixtures, object), program, ...(pins ? [pins] : [])];
  const r = spawnSync(bin, args, { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
  const out = r.stdout.trim().split('\n');
  if (out[0] !== 'ok') throw new Error(`kernel runner: ${out.join(' | ')} ${r.stderr}`);
  const res: KernelRun = { runs: [], rings: [], perf: [], maps: new Map() };
  for (const l of out.slice(1)) {
    const f = l.split(' ');
    if (f[0] === 'run') res.runs.push({ r0: Number(f[1]), out: f[2] ?? '' });
    else if (f[0] === 'err') res.runs.push(null);
    else if (f[0] === 'ring') res.rings.push({ at: res.runs.length - 1, map: f[1]!, hex: f[2]! });
    else if (f[0] === 'perf') res.perf.push({ at: res.runs.length - 1, map: f[1]!, hex: f[2]! });
    else if (f[0] === 'map') res.maps.set(f[1]!, f[2] === '-' ? '-' : (f[2] ?? '').split(';').filter((x) => x !== '').sort());
    else throw new Error(`kernel runner: ${l}`);
  }
  return res;
}

/** bpftool's view of the pinned maps: name → entries sorted by key. */
function bpftoolMaps(pins: string, names: string[]): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const n of names) {
    const r = spawnSync('bpftool', ['map', 'dump', '-j', 'pinned', join(pins, n.replace(/^\./, '_'))], { encoding: 'utf8' });
    if (r.status !== 0) continue; // ring buffers cannot be dumped
    out.set(n, sortByKey(JSON.parse(r.stdout) as { key: string[] }[]));
  }
  return out;
}

const sortByKey = <T>(entries: T[]): T[] => [...entries].sort((a, b) => ((a as { key: string[] }).key.join() < (b as { key: string[] }).key.join() ? -1 : 1));

/**
 * Left out, with the reason:
 * - socket filters: BPF_PROG_TEST_RUN hands a socket filter the skb after eth_type_trans, so
 *   its LD_ABS offsets count from the network header, while a packet socket (what tcpdump and
 *   tsdump's socket hook model) shows the filter the whole frame;
 * - XDP frames over 3,520 bytes: the kernel's test run keeps only a page minus head- and
 *   tailroom linear and puts the rest in fragments, which direct packet access cannot see;
 *   tsdump's XDP frame is one buffer.
 */
const XDP_LINEAR_MAX = 4096 - 256 - 320;
const keep = (hook: string, p: Uint8Array) => hook !== 'xdp' || p.length <= XDP_LINEAR_MAX;

const cases = EXAMPLES.filter((ex) => ex.hook !== 'socket').flatMap((ex) => exampleCaptures().map((cap) => [`${ex.object}:${ex.program} (${ex.hook}) over ${basename(cap)}`, ex, cap] as const));

describe('example objects: tsdump equals the kernel (libbpf + BPF_PROG_TEST_RUN)', () => {
  it.for(cases)('%s', ([, ex, cap], ctx) => {
    const bin = runner((why) => ctx.skip(why) as never);
    const packets = capturePackets(cap).filter((p) => keep(ex.hook, p));
    const pins = pinDir();
    try {
      const lines = [...ex.preload.map((p) => `map ${p.map} ${p.key} ${p.value}`), ...packets.map((p) => `pkt ${Buffer.from(p).toString('hex')}`)];
      const k = kernelRun(bin, ex.object, ex.program, lines, pins);
      expect(k.runs.length).toBe(packets.length);

      const byMap = new Map<string, string>();
      for (const p of ex.preload) byMap.set(p.map, preloadJson(ex.preload.filter((q) => q.map === p.map)));
      const ours = attachObject(readFileSync(join(fixtures, ex.object)), ex.hook, {
        program: ex.program, engine: 'interp', maps: [...byMap].map(([map, json]) => ({ map, json })),
      });
      const rings = ours.object.registry.list().filter((m): m is RingBuf => m instanceof RingBuf);
      const perfs = ours.object.registry.list().filter((m): m is PerfEventArray => m instanceof PerfEventArray);
      const ourRings: { at: number; map: string; hex: string }[] = [];
      const ourPerf: { at: number; map: string; hex: string }[] = [];
      let ran = 0;
      packets.forEach((pkt, i) => {
        const kr = k.runs[i];
        if (kr === null || kr === undefined) return;
        ran++;
        const r0 = ours.run(pkt);
        // A socket filter cannot change the packet (its output is r0 bytes of it); the kernel's
        // data_out for one is the skb after its own header handling, so only r0 is compared.
        const out = ex.hook === 'socket' ? '' : Buffer.from(ours.output(pkt, r0)).toString('hex');
        expect({ i, r0, out }).toEqual({ i, r0: kr.r0, out: ex.hook === 'socket' ? '' : kr.out });
        for (const rb of rings) rb.consume((rec) => void ourRings.push({ at: i, map: rb.name, hex: Buffer.from(rec).toString('hex') }));
        // The kernel pads a perf sample with zeros until its size + 4 is a multiple of 8.
        for (const pa of perfs) for (const r of pa.drain()) ourPerf.push({ at: i, map: pa.name, hex: Buffer.from(r.data).toString('hex').padEnd(2 * ((((r.data.length + 4 + 7) & ~7)) - 4), '0') });
      });
      expect(ran).toBeGreaterThan(0);
      expect(ourRings).toEqual(k.rings);
      expect(ourPerf).toEqual(k.perf);

      for (const m of ours.object.registry.list()) {
        const want = k.maps.get(m.name);
        expect(want, `kernel has map ${m.name}`).toBeDefined();
        if (want === '-') continue;
        const got = ours.object.registry.entries(m).map((e) => `${Buffer.from(e.key).toString('hex')}=${Buffer.from(e.value).toString('hex')}`).sort();
        expect(got, `map ${m.name}`).toEqual(want);
      }
      if (pins) {
        const dump = JSON.parse(jsonText(dumpObjectMaps(ours.object))) as Record<string, unknown[]>;
        // Program and perf event arrays: bpftool prints the kernel's program ids and perf event
        // fds, which mean nothing here (tsdump dumps them as []).
        const theirs = bpftoolMaps(pins, ours.object.registry.list().filter((m) => m.kind !== 'prog_array' && m.kind !== 'perf_event_array').map((m) => m.name));
        for (const [name, entries] of theirs) expect(sortByKey(dump[name] as { key: string[] }[]), `bpftool map dump -j of ${name}`).toEqual(entries);
      }
    } finally {
      if (pins) rmSync(pins, { recursive: true, force: true });
    }
  });
});
