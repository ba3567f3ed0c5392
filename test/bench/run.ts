/**
 * Runs every benchmark suite (test/bench/*-bench.ts). `npm run bench [-- NAME...]` or
 * `tsdump bench [NAME...]` select suites whose name contains one of the words.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatResults, measure, type BenchSuite } from './harness.ts';
import os from 'node:os';

export async function runBenchmarks(filters: string[]): Promise<number> {
  const dir = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('-bench.ts')).sort();
  const budget = Number(process.env.BENCH_MS ?? 1000);
  let failed = 0;
  console.log(`tsdump bench — node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.cpus().length}`);
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { suite: BenchSuite };
    const s = mod.suite;
    if (filters.length && !filters.some((w) => s.name.includes(w) || f.includes(w))) continue;
    try {
      const cases = await s.setup();
      const results = cases.map((c) => measure(c, budget));
      console.log(formatResults(s.name, results));
      for (const line of s.notes?.(results) ?? []) console.log(line);
    } catch (e) {
      // One broken suite must not hide the others' numbers; the exit status still says so.
      console.log(`== ${s.name}: FAILED: ${(e as Error).message}`);
      failed++;
    }
    console.log('');
  }
  return failed ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runBenchmarks(process.argv.slice(2));
}
