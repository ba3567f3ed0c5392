/**
 * Compile latency per stage, for every filter of the set: expression → parse (AST) → cBPF
 * (lowering, optimizer, emit) → eBPF (translation for the benchmark's hook) → verified (the
 * verifier for that hook) → ready (loaded on the JIT: a function to call). Each stage is timed
 * alone, repeated until a few milliseconds are spent, and its median kept; "ready" is the sum,
 * the latency a user waits between typing an expression and the first packet. The suite also
 * reports the median over the filter set per stage.
 */
import { performance } from 'node:perf_hooks';
import { assertValid } from '../cbpf/index.ts';
import { compileExpression } from '../cli/engine.ts';
import { convert, loadConverted } from '../convert/index.ts';
import { parse } from '../filter/index.ts';
import { verify, xdpHook } from '../runtime/verifier/index.ts';
import { FILTER_SET } from './filter-set.ts';
import type { Progress } from './progress.ts';
import { spread } from './stats.ts';
import { BENCH_HOOK } from './subjects.ts';

export const STAGES = ['parse', 'cbpf', 'ebpf', 'verified', 'ready'] as const;
export type Stage = (typeof STAGES)[number];

export interface CompileRow {
  label: string;
  /** Median ms of each stage alone. */
  stageMs: Record<Stage, number>;
  /** parse + cbpf + ebpf + verified + ready: expression to a runnable filter. */
  totalMs: number;
  cbpfInsns: number;
  ebpfInsns: number;
}

export interface CompileResult {
  engine: string;
  hook: string;
  rows: CompileRow[];
  /** Median over the set, per stage and of the total. */
  medianMs: Record<Stage | 'total', number>;
}

/** Median ms of `fn`, repeated for about `budgetMs` (at least 3 times). */
function timeIt(fn: () => unknown, budgetMs: number): number {
  const samples: number[] = [];
  const end = performance.now() + budgetMs;
  while (samples.length < 3 || (performance.now() < end && samples.length < 1000)) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return spread(samples).median;
}

export function runCompileSuite(linkType: number, snaplen: number, budgetMs: number, progress: Progress): CompileResult {
  const engine = 'jit';
  const rows: CompileRow[] = [];
  for (const f of FILTER_SET) {
    progress.update(`compile latency: ${f.label}`);
    const opts = { linkType, snaplen, optimize: true };
    const cbpf = compileExpression(f.expression, opts);
    assertValid(cbpf, { strict: false });
    const conv = convert(cbpf, { hook: BENCH_HOOK });
    const parseMs = timeIt(() => parse(f.expression), budgetMs);
    const compileMs = timeIt(() => compileExpression(f.expression, opts), budgetMs);
    const convertMs = timeIt(() => convert(cbpf, { hook: BENCH_HOOK }), budgetMs);
    const verifyMs = timeIt(() => verify(conv.prog, xdpHook(() => undefined, 'budget')), budgetMs);
    // loadConverted verifies again, then loads: the load stage is the difference.
    const loadMs = timeIt(() => loadConverted(conv, BENCH_HOOK, { engine }), budgetMs);
    const stageMs: Record<Stage, number> = {
      parse: parseMs,
      cbpf: Math.max(0, compileMs - parseMs),
      ebpf: convertMs,
      verified: verifyMs,
      ready: Math.max(0, loadMs - verifyMs),
    };
    rows.push({ label: f.label, stageMs, totalMs: compileMs + convertMs + loadMs, cbpfInsns: cbpf.length, ebpfInsns: conv.prog.length });
  }
  progress.done();
  const med = (xs: number[]) => spread(xs).median;
  const medianMs = Object.fromEntries([...STAGES.map((s) => [s, med(rows.map((r) => r.stageMs[s]))]), ['total', med(rows.map((r) => r.totalMs))]]) as Record<Stage | 'total', number>;
  return { engine: `ebpf-${engine}`, hook: BENCH_HOOK, rows, medianMs };
}
