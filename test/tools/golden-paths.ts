/**
 * Where golden generators and tests find things: the repository root (from this file's
 * location), the reference corpus (`test/corpus` next to the repository), and a
 * helper that decides between skipping and failing when an external resource is absent — tests
 * skip with a printed reason locally, but must fail under CI=true.
 */
import { existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CORPUS_DIR = resolve(REPO_ROOT, 'test', 'corpus');
export const FILTERS_DIR = join(REPO_ROOT, 'filters');

export function corpusAvailable(): boolean {
  return existsSync(join(CORPUS_DIR, 'libpcap', 'compiled-by-libpcap-1.10.3.tsv'));
}

/** True under CI=true: absent prerequisites are failures there, not skips. */
export const IN_CI = process.env.CI === 'true';

/** Reads the tsv of libpcap 1.10.3 compilations as records keyed by header names. */
export interface TsvRow {
  index: number;
  dlt: string;
  expression: string;
  snaplen: number;
  netmask: string;
  needsLinuxExt: boolean;
  fields: Record<string, string>;
}

export function parseTsv(text: string): TsvRow[] {
  const lines = text.split('\n');
  const header = lines[0]!.split('\t');
  const rows: TsvRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const cols = lines[i]!.split('\t');
    const fields: Record<string, string> = {};
    header.forEach((h, j) => (fields[h] = cols[j] ?? ''));
    rows.push({
      index: rows.length,
      dlt: fields.dlt!,
      expression: fields.expression!,
      snaplen: Number(fields.snaplen || 262144),
      netmask: fields.netmask || '0xffffffff',
      needsLinuxExt: fields.needs_linux_ext === 'yes',
      fields,
    });
  }
  return rows;
}
