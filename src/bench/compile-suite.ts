/**
 * Compile latency per stage, for every filter of the set: expression → parse (AST) → cBPF
 * (lowering, optimizer, emit) → eBPF (translation for the default path's hook) → verified (the
 * verifier under that hook's spec) → ready (loaded on the default engine, bound to the hook, and
 * its first verdict given on a one-packet block: what the command waits for before its first
 * packet). Each stage is timed alone, repeated until a few milliseconds are spent,
 * and its median kept; "ready" is measured as the library's createPacketFilter from the cBPF
 * program minus the translation and verification it repeats. The total — the latency a user
 * waits between an expression and the first verdict — is timed whole, as one operation repeated
 * (a sum of stage medians would add each stage's timing overhead and noise); the suite also
 * reports the median over the filter set per stage and of the total. The rows are the steady
 * state: the whole path runs over the set first until V8 has optimized tsdump's own code (as the
 * filters suite warms its engines); the very first expression of the process, before that, is
 * reported apart as the cold latency (wall time).
 */
import { performance } from 'node:perf_hooks';
import { assertValid } from '../cbpf/index.ts';
import { compileExpression } from '../cli/engine.ts';
import { convert } from '../convert/index.ts';
import { parse } from '../filter/index.ts';
import { PACKET_HOOKS } from '../hooks/packet-hooks.ts';
import { createPacketFilter } from '../pipeline.ts';
import type { PacketBlock } from '../runtime/batch.ts';
import { verify } from '../runtime/verifier/index.ts';
import { FILTER_SET } from './filter-set.ts';
import type { Progress } from './progress.ts';
import { spread } from './stats.ts';
import { BENCH_HOOK, DEFAULT_ENGINE } from './subjects.ts';

export const STAGES = ['parse', 'cbpf', 'ebpf', 'verified', 'ready'] as const;
export type Stage = (typeof STAGES)[number];

export interface CompileRow {
  label: string;
  /** Median ms of each stage alone. */
  stageMs: Record<Stage, number>;
  /** Expression to a runnable filter's first verdict, timed whole (median of its own repeats). */
  totalMs: number;
  cbpfInsns: number;
  ebpfInsns: number;
}

export interface CompileResult {
  engine: string;
  /** cpu: the process's CPU time (µs resolution); wall: elapsed time. */
  clock: 'cpu' | 'wall';
  hook: string;
  rows: CompileRow[];
  /** Median over the set, per stage and of the total. */
  medianMs: Record<Stage | 'total', number>;
  /** Wall ms of the very first expression → first verdict in the process (coldFilter), before any warm-up. */
  coldMs: number;
  coldFilter: string;
}

/** The process's CPU time in ms (time spent preempted on a shared machine is not counted). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
}

let clock: () => number = cpuMs;

/** The first block a filter runs on in the ready stage: one 64-byte packet of zeros. */
const FIRST_BLOCK: PacketBlock = { buf: new Uint8Array(64), count: 1, offsets: Int32Array.of(0), caplens: Int32Array.of(64), wirelens: Int32Array.of(64) };
const FIRST_VERDICT = new Int32Array(1);

/** Median ms of `fn` after one untimed call, repeated for about `budgetMs` (at least 3 times). */
function timeIt(fn: () => unknown, budgetMs: number): number {
  fn();
  const samples: number[] = [];
  const end = performance.now() + budgetMs;
  while (samples.length < 3 || (performance.now() < end && samples.length < 1000)) {
    const t0 = clock();
    fn();
    samples.push(clock() - t0);
  }
  return spread(samples).median;
}

/** Expression → cBPF → the default path's filter → its first verdict, as the command does it. */
function firstVerdict(expression: string, linkType: number, snaplen: number): string {
  const prog = compileExpression(expression, { linkType, snaplen, optimize: true });
  const pf = createPacketFilter({ program: prog, linkType, snaplen, engine: 'auto' });
  pf.runBatch(FIRST_BLOCK, FIRST_VERDICT);
  return pf.engine;
}

export function runCompileSuite(linkType: number, snaplen: number, budgetMs: number, progress: Progress, clockKind: 'cpu' | 'wall' = 'cpu'): CompileResult {
  clock = clockKind === 'cpu' ? cpuMs : () => performance.now();
  const hook = PACKET_HOOKS[BENCH_HOOK];
  let engine = DEFAULT_ENGINE;
  const rows: CompileRow[] = [];
  // Cold: the first filter of the set once, before anything else has run the compiler in this
  // process (V8 still interprets tsdump's own code: what a one-shot command pays, wall time).
  progress.update('compile latency: cold first filter');
  const c0 = performance.now();
  firstVerdict(FILTER_SET[0]!.expression, linkType, snaplen);
  const coldMs = performance.now() - c0;
  // Warm-up: every short filter of the set through the whole path until V8 has optimized the
  // compiler, translator, verifier and code generator (the steady state the rows measure, as
  // the filters suite warms its engines): 50 budgets long (1 s by default), so that V8's
  // background compiler is done too (the CPU clock counts its threads).
  progress.update('compile latency: warm-up');
  const warmEnd = performance.now() + budgetMs * 50;
  for (let k = 0; k < 1000 && (k < 3 || performance.now() < warmEnd); k++) {
    for (const f of FILTER_SET) if (!f.label.startsWith('1,000')) firstVerdict(f.expression, linkType, snaplen);
  }
  for (const f of FILTER_SET) {
    progress.update(`compile latency: ${f.label}`);
    const opts = { linkType, snaplen, optimize: true };
    const cbpf = compileExpression(f.expression, opts);
    assertValid(cbpf, { strict: false });
    const conv = convert(cbpf, { hook: BENCH_HOOK });
    const parseMs = timeIt(() => parse(f.expression), budgetMs);
    const compileMs = timeIt(() => compileExpression(f.expression, opts), budgetMs);
    const convertMs = timeIt(() => convert(cbpf, { hook: BENCH_HOOK }), budgetMs);
    const spec = hook.spec(() => undefined, 'budget');
    const verifyMs = spec ? timeIt(() => verify(conv.prog, spec), budgetMs) : 0;
    // createPacketFilter translates and verifies again, then loads and binds; ready is the rest,
    // up to the first verdict: one block of one packet through runBatch, as the command's file
    // loop hands its first block (a form compiled on first use is counted here).
    const pfMs = timeIt(() => {
      const pf = createPacketFilter({ program: cbpf, linkType, snaplen, engine: 'auto' });
      pf.runBatch(FIRST_BLOCK, FIRST_VERDICT);
      engine = pf.engine;
    }, budgetMs);
    // The total is timed as one operation (expression → cBPF → createPacketFilter → first
    // verdict), not summed from the stage medians, with more repeats than a stage.
    const totalMs = timeIt(() => firstVerdict(f.expression, linkType, snaplen), budgetMs * 5);
    const stageMs: Record<Stage, number> = {
      parse: parseMs,
      cbpf: Math.max(0, compileMs - parseMs),
      ebpf: convertMs,
      verified: verifyMs,
      ready: Math.max(0, pfMs - convertMs - verifyMs),
    };
    rows.push({ label: f.label, stageMs, totalMs, cbpfInsns: cbpf.length, ebpfInsns: conv.prog.length });
  }
  progress.done();
  const med = (xs: number[]) => spread(xs).median;
  const medianMs = Object.fromEntries([...STAGES.map((s) => [s, med(rows.map((r) => r.stageMs[s]))]), ['total', med(rows.map((r) => r.totalMs))]]) as Record<Stage | 'total', number>;
  return { engine: `${engine} (auto)`, clock: clockKind, hook: BENCH_HOOK, rows, medianMs, coldMs, coldFilter: FILTER_SET[0]!.label };
}
