/**
 * A small harness for the micro-benchmark suites (runtime, capture, maps, printers): each case
 * is an operation run `n` times; the harness calibrates a batch of about 10 ms, then times
 * batches until the budget is spent and reports the median ns per operation with the spread
 * (fastest and slowest batch) — the median is what a typical batch costs, the spread shows how
 * noisy the shared machine was.
 */
import { performance } from 'node:perf_hooks';
import { spread } from '../stats.ts';

export interface BenchCase {
  name: string;
  /** Runs the operation `n` times; returns a value so V8 cannot drop the work. */
  run(n: number): unknown;
  /** Bytes per op, for a MB/s column. */
  bytesPerOp?: number;
}

export interface MicroContext {
  /** Milliseconds of measuring per case. */
  ms: number;
  /** Packets for suites that generate captures. */
  packets: number;
  quick: boolean;
}

export interface MicroSuite {
  name: string;
  setup(ctx: MicroContext): BenchCase[] | Promise<BenchCase[]>;
  /** Lines printed after the table (comparisons, one-off figures). */
  notes?(results: MicroResult[]): string[];
  /** Removes what setup created (temporary files). */
  teardown?(): void;
}

export interface MicroResult {
  name: string;
  nsPerOp: number;
  minNs: number;
  maxNs: number;
  mbPerSec?: number;
}

let sink: unknown;

export function measure(c: BenchCase, budgetMs: number): MicroResult {
  let n = 1;
  const target = Math.min(10, Math.max(0.5, budgetMs / 10));
  for (;;) {
    const t0 = performance.now();
    sink = c.run(n);
    const dt = performance.now() - t0;
    if (dt > target || n >= 1 << 30) break;
    n *= dt < target / 10 ? 10 : 2;
  }
  const samples: number[] = [];
  const end = performance.now() + budgetMs;
  do {
    const t0 = performance.now();
    sink = c.run(n);
    samples.push(((performance.now() - t0) * 1e6) / n);
  } while (performance.now() < end || samples.length < 3);
  void sink;
  const s = spread(samples);
  const r: MicroResult = { name: c.name, nsPerOp: s.median, minNs: s.min, maxNs: s.max };
  if (c.bytesPerOp) r.mbPerSec = (c.bytesPerOp / s.median) * 1e3;
  return r;
}
