/**
 * Locates the reference corpus for the cBPF tests: `test/corpus` relative to the
 * repository root. When it is absent the caller skips with a message — except under CI=true,
 * where a missing corpus is a failure (the tests that need it must run in CI).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** TSDUMP_CORPUS_DIR overrides the location (e.g. to check how tests behave without it). */
export const corpusDir = process.env.TSDUMP_CORPUS_DIR ?? join(repoRoot, 'test', 'corpus');
export const goldenDir = join(repoRoot, 'test', 'golden', 'cbpf');
export const inCI = process.env.CI === 'true';

/** Returns the absolute path of a corpus file, or null (after a console note) if the corpus is absent. */
export function corpusFile(rel: string): string | null {
  const p = join(corpusDir, rel);
  if (existsSync(p)) return p;
  if (inCI) throw new Error(`CI=true but the reference corpus file ${rel} is missing (expected under test/corpus)`);
  console.warn(`SKIP: reference corpus file ${rel} not found under test/corpus`);
  return null;
}
