/**
 * Keeps `npm run bench` working: every suite's setup runs and every case runs a few times, and
 * every suite's notes render. Numbers are not checked here (performance is measured by the
 * benchmarks themselves, never by timed tests); the capture suite runs on a 5,000-packet file.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BenchResult, BenchSuite } from './harness.ts';

process.env.BENCH_PACKETS = '5000';
const dir = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('-bench.ts')).sort();

describe('benchmark suites run', () => {
  it('finds the suites', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });
  for (const f of files) {
    it(f, async () => {
      const { suite } = (await import(pathToFileURL(join(dir, f)).href)) as { suite: BenchSuite };
      const cases = await suite.setup();
      expect(cases.length).toBeGreaterThan(0);
      const results: BenchResult[] = [];
      for (const c of cases) {
        c.run(2);
        results.push({ name: c.name, nsPerOp: 1, opsPerSec: 1e9 });
      }
      for (const line of suite.notes?.(results) ?? []) expect(typeof line).toBe('string');
    });
  }
});
