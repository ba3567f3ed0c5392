/**
 * The filter suite: ns per packet of every subject (src/bench/subjects.ts) and of libpcap's C
 * `bpf_filter` (src/bench/libpcap-helper.ts) on each filter of the set, in two regimes reported
 * apart —
 *   hot     the first 1,024 packets as one block, looped (the data stays in the CPU caches);
 *   stream  the capture's blocks one after another from a per-subject cursor (the whole file is
 *           far larger than the caches), as the command walks a file.
 *
 * Technique: one warm-up round (five windows per cell), then R interleaved rounds — every round measures every filter,
 * regime and subject once for `ms` milliseconds (A B C A B C …, the subject order rotated each
 * round), so slow drifts of a shared machine hit every subject alike. Each cell reports the
 * median and spread of its R samples and the ratio of its median to libpcap's.
 *
 * Correctness is checked while timing: every hot loop must accept the reference count of the
 * cBPF interpreter on those packets, and every stream block (for libpcap, every packet range)
 * the reference count of that range, computed afterwards, outside the timed windows. A mismatch
 * is reported loudly and makes `tsdump bench` exit non-zero.
 */
import { performance } from 'node:perf_hooks';
import { createInterpreter } from '../cbpf/index.ts';
import { compileExpression } from '../cli/engine.ts';
import type { CbpfProgram } from '../isa/cbpf/types.ts';
import type { PacketBlock } from '../runtime/batch.ts';
import { FILTER_SET, type BenchFilter } from './filter-set.ts';
import { buildLibpcapTimer, LibpcapTimer } from './libpcap-helper.ts';
import type { BenchPackets } from './packets.ts';
import type { Progress } from './progress.ts';
import { spread, type Spread } from './stats.ts';
import { BENCH_HOOK, DEFAULT_ENGINE, listSubjects, type PreparedFilter } from './subjects.ts';

export type Regime = 'hot' | 'stream';
/** Measurement windows each cell runs in the warm-up round. */
export const WARMUP_WINDOWS = 5;
export const REGIMES: readonly Regime[] = ['hot', 'stream'];
export const LIBPCAP_ID = 'libpcap/c';

export interface SubjectInfo {
  id: string;
  label: string;
  engine: string;
  path: string;
}

export interface FilterCell {
  subject: string;
  /** Instructions of the program this subject runs. */
  insns?: number;
  hot?: Spread;
  stream?: Spread;
  /** Why this subject has no figures for this filter. */
  error?: string;
  /**
   * Set when one hot loop would take longer than 20 measurement windows (and 1 s): the subject
   * was timed once on a probe of a few packets (that figure is in `hot`) and left out of the rounds.
   */
  tooSlow?: string;
}

export interface FilterRow {
  label: string;
  expression: string;
  cbpfInsns: number;
  /** Packets of the hot block the reference accepts. */
  hotMatches: number;
  cells: FilterCell[];
}

export interface Mismatch {
  filter: string;
  subject: string;
  regime: Regime;
  where: string;
  got: number;
  want: number;
}

export interface FiltersResult {
  capture: { path: string; packets: number; bytes: number; linkType: number; snaplen: number; blocks: number; generated: boolean; seed?: number };
  hotPackets: number;
  rounds: number;
  ms: number;
  /** cpu: the process's CPU time per packet (preemption on a shared machine not counted); wall: elapsed time. */
  clock: BenchClock;
  libpcap: { available: boolean; reason?: string; program: string };
  /** Where the eBPF subjects run, and what `--engine auto` is. */
  hook: string;
  defaultEngine: string;
  subjects: SubjectInfo[];
  rows: FilterRow[];
  mismatches: Mismatch[];
}

/** What one subject does per filter: one measurement per call. */
interface Measurer {
  hot(ms: number): Promise<number> | number;
  stream(ms: number): Promise<number> | number;
}

/** The cBPF interpreter's verdicts, filled block by block when a check needs them. */
class Reference {
  private readonly bits: Uint8Array;
  private readonly blockCount: Int32Array;
  private readonly f: (pkt: Uint8Array, caplen: number, wirelen: number, offset?: number) => number;
  constructor(prog: CbpfProgram, private readonly packets: BenchPackets) {
    this.f = createInterpreter(prog);
    this.bits = new Uint8Array(packets.total);
    this.blockCount = new Int32Array(packets.blocks.length).fill(-1);
  }
  block(bi: number): number {
    if (this.blockCount[bi]! < 0) {
      const b = this.packets.blocks[bi]!;
      const base = this.packets.first[bi]!;
      let m = 0;
      for (let i = 0; i < b.count; i++) {
        const v = this.f(b.buf, b.caplens[i]!, b.wirelens[i]!, b.offsets[i]!) !== 0 ? 1 : 0;
        this.bits[base + i] = v;
        m += v;
      }
      this.blockCount[bi] = m;
    }
    return this.blockCount[bi]!;
  }
  /** Accepted packets among `count` packets from index `first`, wrapping at the end. */
  range(first: number, count: number): number {
    const total = this.packets.total;
    let m = 0;
    let bi = 0;
    for (let k = 0; k < count; k++) {
      const i = (first + k) % total;
      if (k === 0 || i === 0 || i === this.packets.first[bi + 1]) {
        bi = blockOf(this.packets, i);
        this.block(bi);
      }
      m += this.bits[i]!;
    }
    return m;
  }
  hot(): number {
    let m = 0;
    const h = this.packets.hot;
    for (let i = 0; i < h.count; i++) m += this.f(h.buf, h.caplens[i]!, h.wirelens[i]!, h.offsets[i]!) !== 0 ? 1 : 0;
    return m;
  }
}

function blockOf(p: BenchPackets, i: number): number {
  let lo = 0;
  let hi = p.first.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (p.first[mid]! <= i) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function wallNs(): number {
  return performance.now() * 1e6;
}

/** The process's CPU time (user + system) in ns: time spent preempted on a shared machine is not counted. */
function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1e3;
}

export type BenchClock = 'cpu' | 'wall';
let clock: () => number = cpuNs;

/** The JavaScript measurer of a prepared filter. */
function jsMeasurer(p: PreparedFilter, packets: BenchPackets, ref: Reference, onMismatch: (regime: Regime, where: string, got: number, want: number) => void): Measurer {
  const hot: PacketBlock = packets.hot;
  const wantHot = ref.hot();
  let cursor = 0;
  return {
    hot(ms) {
      // The clock is read every k loops, k chosen from one timed loop so that reading it (a
      // system call for CPU time) costs under 0.5 %.
      let loops = 0;
      let bad = -1;
      let k = 1;
      const w0 = wallNs();
      const t0 = clock();
      let t: number;
      do {
        for (let j = 0; j < k; j++) {
          const m = p.countBlock(hot);
          if (m !== wantHot) bad = m;
        }
        loops += k;
        if (loops === 1) {
          const per = wallNs() - w0;
          k = per > 0 && per < 200e3 ? Math.floor(200e3 / per) + 1 : 1;
        }
        t = clock();
      } while (t - t0 < ms * 1e6);
      if (bad >= 0) onMismatch('hot', `first ${hot.count} packets`, bad, wantHot);
      return (t - t0) / (loops * hot.count);
    },
    stream(ms) {
      const seen: number[] = [];
      let n = 0;
      const t0 = clock();
      let t: number;
      do {
        // Blocks hold thousands of packets: one clock read per 4 blocks costs well under 0.5 %.
        for (let j = 0; j < 4; j++) {
          const b = packets.blocks[cursor]!;
          seen.push(cursor, p.countBlock(b));
          n += b.count;
          cursor = cursor + 1 === packets.blocks.length ? 0 : cursor + 1;
        }
        t = clock();
      } while (t - t0 < ms * 1e6);
      for (let k = 0; k < seen.length; k += 2) {
        const want = ref.block(seen[k]!);
        if (seen[k + 1] !== want) onMismatch('stream', `block ${seen[k]} (packets ${packets.first[seen[k]!]}…)`, seen[k + 1]!, want);
      }
      return (t - t0) / n;
    },
  };
}

const PROBE_PACKETS = 16;

/**
 * ns/packet over the first PROBE_PACKETS hot packets: the fastest of up to 7 runs after a first
 * one (V8 compiles and the machine is shared: one run can catch a compile or a GC pause).
 */
function probe(p: PreparedFilter, packets: BenchPackets, ref: Reference, onMismatch: (regime: Regime, where: string, got: number, want: number) => void): number {
  const h = packets.hot;
  const n = Math.min(PROBE_PACKETS, h.count);
  const block: PacketBlock = { buf: h.buf, count: n, offsets: h.offsets.subarray(0, n), caplens: h.caplens.subarray(0, n), wirelens: h.wirelens.subarray(0, n) };
  const want = ref.range(0, n);
  const got = p.countBlock(block);
  if (got !== want) onMismatch('hot', `first ${n} packets`, got, want);
  let best = Infinity;
  const start = wallNs();
  for (let k = 0; k < 7 && (k < 2 || wallNs() - start < 300e6); k++) {
    const t0 = wallNs();
    p.countBlock(block);
    best = Math.min(best, (wallNs() - t0) / n);
  }
  return best;
}

export async function runFiltersSuite(packets: BenchPackets, opts: { rounds: number; ms: number; clock: BenchClock; generated: boolean; seed?: number; filters?: readonly BenchFilter[] }, progress: Progress): Promise<FiltersResult> {
  clock = opts.clock === 'cpu' ? cpuNs : wallNs;
  const filters = opts.filters ?? FILTER_SET;
  const subjects = listSubjects();
  const mismatches: Mismatch[] = [];
  const result: FiltersResult = {
    capture: { path: packets.path, packets: packets.total, bytes: packets.bytes, linkType: packets.linkType, snaplen: packets.snaplen, blocks: packets.blocks.length, generated: opts.generated, seed: opts.seed },
    hotPackets: packets.hot.count,
    rounds: opts.rounds,
    ms: opts.ms,
    clock: opts.clock,
    libpcap: { available: false, program: "libpcap's own program: pcap_compile(optimize 1, netmask unknown) on the capture's pcap_open_offline handle, as tcpdump -r compiles it" },
    hook: BENCH_HOOK,
    defaultEngine: DEFAULT_ENGINE,
    subjects: [],
    rows: [],
    mismatches,
  };

  // libpcap's C helper, when gcc and libpcap-dev are here.
  let timer: LibpcapTimer | undefined;
  progress.update('building the libpcap bpf_filter helper');
  const built = buildLibpcapTimer();
  if ('path' in built) {
    progress.update('loading the capture into the libpcap helper');
    const t = await LibpcapTimer.start(built.path, packets.path, packets.hot.count, packets.total, opts.clock);
    if (typeof t === 'string') result.libpcap.reason = t;
    else { timer = t; result.libpcap.available = true; }
  } else {
    result.libpcap.reason = built.unavailable;
  }
  if (!timer) progress.note(`tsdump bench: no libpcap comparison: ${result.libpcap.reason}`);

  try {
    // Prepare every (filter, subject) pair; record what cannot run.
    type Entry = { subject: string; m: Measurer; samples: Record<Regime, number[]> };
    const grid: Entry[][] = [];
    const used = new Set<string>();
    for (const [fi, f] of filters.entries()) {
      progress.update(`compiling ${f.label} (${fi + 1}/${filters.length})`);
      const prog = compileExpression(f.expression, { linkType: packets.linkType, snaplen: packets.snaplen, optimize: true });
      const ref = new Reference(prog, packets);
      const row: FilterRow = { label: f.label, expression: f.expression, cbpfInsns: prog.length, hotMatches: ref.hot(), cells: [] };
      const entries: Entry[] = [];
      const mismatch = (subject: string) => (regime: Regime, where: string, got: number, want: number): void => {
        mismatches.push({ filter: f.label, subject, regime, where, got, want });
        progress.note(`tsdump bench: MISMATCH ${subject} on '${f.label}' (${regime}, ${where}): ${got} packets accepted, the cBPF interpreter accepts ${want}`);
      };
      if (timer) {
        const c = await timer.compile(fi, f.expression, packets.linkType, packets.snaplen);
        if ('error' in c) row.cells.push({ subject: LIBPCAP_ID, error: `pcap_compile: ${c.error}` });
        else {
          row.cells.push({ subject: LIBPCAP_ID, insns: c.insns });
          used.add(LIBPCAP_ID);
          const tm = timer;
          const on = mismatch(LIBPCAP_ID);
          entries.push({
            subject: LIBPCAP_ID,
            samples: { hot: [], stream: [] },
            m: {
              async hot(ms) {
                const r = await tm.hot(fi, ms);
                if (r.matches !== row.hotMatches) on('hot', `first ${packets.hot.count} packets`, r.matches, row.hotMatches);
                return r.ns;
              },
              async stream(ms) {
                const r = await tm.stream(fi, ms);
                const want = ref.range(r.first, r.packets);
                if (r.matches !== want) on('stream', `packets ${r.first}+${r.packets}`, r.matches, want);
                return r.ns;
              },
            },
          });
        }
      }
      for (const s of subjects) {
        let p: PreparedFilter;
        try {
          p = s.prepare(prog, packets.linkType, packets.snaplen);
        } catch (e) {
          row.cells.push({ subject: s.id, error: (e as Error).message.split('\n')[0] });
          progress.note(`tsdump bench: ${s.id} cannot run '${f.label}': ${(e as Error).message.split('\n')[0]}`);
          continue;
        }
        used.add(s.id);
        const cell: FilterCell = { subject: s.id, insns: p.insns };
        row.cells.push(cell);
        const probeNs = probe(p, packets, ref, mismatch(s.id));
        if (probeNs * packets.hot.count > Math.max(1000, 20 * opts.ms) * 1e6) {
          cell.hot = spread([probeNs]);
          cell.tooSlow = `${Math.round(probeNs / 1000).toLocaleString('en-US')} µs/packet on a ${PROBE_PACKETS}-packet probe: not measured in the rounds`;
          progress.note(`tsdump bench: ${s.id} on '${f.label}': ${cell.tooSlow}`);
          continue;
        }
        entries.push({ subject: s.id, samples: { hot: [], stream: [] }, m: jsMeasurer(p, packets, ref, mismatch(s.id)) });
      }
      result.rows.push(row);
      grid.push(entries);
    }
    if (timer) result.subjects.push({ id: LIBPCAP_ID, label: 'libpcap C', engine: 'libpcap', path: 'bpf_filter' });
    for (const s of subjects) if (used.has(s.id)) result.subjects.push({ id: s.id, label: s.label, engine: s.engine, path: s.path });

    // Warm-up round, then the measured rounds, interleaved.
    for (let round = 0; round <= opts.rounds; round++) {
      const warm = round === 0;
      for (const [fi, entries] of grid.entries()) {
        for (const regime of REGIMES) {
          for (let k = 0; k < entries.length; k++) {
            const e = entries[(k + round) % entries.length]!;
            progress.update(`${warm ? 'warm-up' : `round ${round}/${opts.rounds}`}: ${filters[fi]!.label} · ${regime} · ${e.subject}`);
            // The warm-up runs each cell for five windows: long enough for V8 to finish its
            // optimizing compiles (TurboFan for a large wasm module or JS segments takes a few
            // hundred ms), so the rounds measure the steady state.
            const ns = await e.m[regime](warm ? opts.ms * WARMUP_WINDOWS : opts.ms);
            if (!warm) e.samples[regime].push(ns);
          }
        }
      }
    }
    for (const [fi, entries] of grid.entries()) {
      const row = result.rows[fi]!;
      for (const e of entries) {
        const cell = row.cells.find((c) => c.subject === e.subject)!;
        cell.hot = spread(e.samples.hot);
        cell.stream = spread(e.samples.stream);
      }
    }
  } finally {
    timer?.close();
    progress.done();
  }
  return result;
}
