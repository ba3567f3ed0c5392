#!/usr/bin/env node
// Runs the whole vitest suite and closes with one plain line, "N passed, N failed[, N skipped]",
// computed from vitest's JSON report (CI reads that line; vitest's own summary is not parsed).
// Just before it, the files that skipped tests are named (their reasons are in the log).
// Extra arguments are passed to vitest (e.g. a file filter).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, mkdirSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(root, 'build');
mkdirSync(outDir, { recursive: true });
const report = join(outDir, 'vitest-report.json');
rmSync(report, { force: true });
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const r = spawnSync(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: root },
);
let passed = 0, failed = 0, skipped = 0;
try {
  const j = JSON.parse(readFileSync(report, 'utf8'));
  passed = j.numPassedTests ?? 0;
  failed = (j.numFailedTests ?? 0);
  skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  // A test file that fails to load has no tests but is a failure.
  for (const f of j.testResults ?? []) if (f.status === 'failed' && (f.assertionResults ?? []).length === 0) failed++;
  // Where the skips are (each skipping test prints its reason in the log above).
  const skippedIn = [];
  for (const f of j.testResults ?? []) {
    const n = (f.assertionResults ?? []).filter((a) => a.status === 'pending' || a.status === 'skipped' || a.status === 'todo').length;
    if (n > 0) skippedIn.push(`${relative(root, f.name)} (${n})`);
  }
  if (skippedIn.length > 0) console.log(`skipped tests in: ${skippedIn.join(', ')}`);
} catch (e) {
  console.error(`run-tests: no vitest JSON report (${e.message})`);
  failed = Math.max(failed, 1);
}
const code = r.status !== 0 || failed > 0 ? 1 : 0;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code);
