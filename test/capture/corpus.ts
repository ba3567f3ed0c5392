/**
 * Test helpers for the capture tests: where the reference corpus and the golden data live, and the
 * skip rule (absent corpus → skip with a message, except under CI=true where it is a failure).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const corpusDir = resolve(repoRoot, 'test/corpus');
export const goldenDir = resolve(repoRoot, 'test/golden/capture');

/** True when the corpus is present; otherwise logs why the caller skips (or throws under CI). */
export function haveCorpus(what: string): boolean {
  if (existsSync(resolve(corpusDir, 'tcpdump-captures'))) return true;
  const msg = `${what}: reference corpus not found at test/corpus (relative to the repository root)`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI=true forbids skipping`);
  console.warn(`SKIP ${msg}`);
  return false;
}

/** Undoes the generator's escaping of tabs, newlines and backslashes. */
export function unescapeField(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

export interface GoldenRow {
  set: string;
  file: string;
  wExit: number;
  wSha256: string;
  wSize: string;
  wStderr: string;
  countExit: number;
  countStdout: string;
  countStderr: string;
}

/** Parses test/golden/capture/tcpdump-rewrite.tsv. */
export function parseGolden(text: string): GoldenRow[] {
  const rows: GoldenRow[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('set\t')) continue;
    const f = line.split('\t');
    if (f.length !== 9) throw new Error(`bad golden row: ${line}`);
    rows.push({
      set: f[0]!,
      file: f[1]!,
      wExit: Number(f[2]),
      wSha256: f[3]!,
      wSize: f[4]!,
      wStderr: unescapeField(f[5]!),
      countExit: Number(f[6]),
      countStdout: unescapeField(f[7]!),
      countStderr: unescapeField(f[8]!),
    });
  }
  return rows;
}

/** The same cut lengths as test/tools/gen-capture-golden.mjs. */
export function truncationCuts(size: number): number[] {
  return [0, 3, 10, 23, 24, 30, 45, Math.floor(size / 2), size - 1];
}
