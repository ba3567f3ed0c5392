/**
 * A tiny benchmark harness: warm up, then time batches with process.hrtime.bigint until a time
 * budget is spent, and report the best batch's ns/op (the least disturbed by GC and the other
 * core). Suites are files test/bench/<area>-bench.ts exporting `suite: BenchSuite`.
 */
export interface BenchCase {
  name: string;
  /** Runs the operation `n` times; returns a value so V8 cannot drop the work. */
  run(n: number): unknown;
  /** Optional units per op for a throughput column (e.g. bytes per op → MB/s). */
  bytesPerOp?: number;
}

export interface BenchSuite {
  name: string;
  /** Prepares inputs (generate captures, compile programs) and returns the cases. */
  setup(): Promise<BenchCase[]> | BenchCase[];
  /** Optional lines printed after the table (comparisons, notes). */
  notes?(results: BenchResult[]): string[];
}

export interface BenchResult {
  name: string;
  nsPerOp: number;
  opsPerSec: number;
  mbPerSec?: number;
}

let sink: unknown;

export function measure(c: BenchCase, budgetMs = 1000): BenchResult {
  // Calibrate a batch size that takes ~20 ms.
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    sink = c.run(n);
    const dt = Number(process.hrtime.bigint() - t0) / 1e6;
    if (dt > 20 || n >= 1 << 30) break;
    n *= dt < 1 ? 10 : 2;
  }
  let best = Infinity;
  const end = Date.now() + budgetMs;
  do {
    const t0 = process.hrtime.bigint();
    sink = c.run(n);
    const ns = Number(process.hrtime.bigint() - t0) / n;
    if (ns < best) best = ns;
  } while (Date.now() < end);
  void sink;
  const r: BenchResult = { name: c.name, nsPerOp: best, opsPerSec: 1e9 / best };
  if (c.bytesPerOp) r.mbPerSec = (c.bytesPerOp / best) * 1e3;
  return r;
}

export function formatResults(title: string, results: BenchResult[]): string {
  const w = Math.max(10, ...results.map((r) => r.name.length));
  const lines = [`== ${title}`, `${'case'.padEnd(w)}  ${'ns/op'.padStart(10)}  ${'ops/s'.padStart(12)}  ${'MB/s'.padStart(8)}`];
  for (const r of results) {
    lines.push(
      `${r.name.padEnd(w)}  ${r.nsPerOp.toFixed(1).padStart(10)}  ${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(12)}  ${(r.mbPerSec !== undefined ? r.mbPerSec.toFixed(0) : '').padStart(8)}`,
    );
  }
  return lines.join('\n');
}
