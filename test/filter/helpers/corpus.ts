/**
 * Access to the libpcap reference corpus for the filter tests: finds `test/corpus` relative
 * to the repository root, loads the 1.10.3-compiled TSV and groups corpus captures by link type.
 * Tests skip (with a message) when the corpus is absent, except under CI=true where they fail.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LINK_TYPES } from '../../../src/capture/index.ts';
import { readPcap } from './vm.ts';
import type { Pkt } from './vm.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
export const corpusDir = resolve(repoRoot, 'test/corpus');
export const haveCorpus = existsSync(join(corpusDir, 'libpcap/compiled-by-libpcap-1.10.3.tsv'));

export function requireCorpus(): boolean {
  if (haveCorpus) return true;
  if (process.env.CI === 'true') throw new Error(`reference corpus not found at ${corpusDir} (CI=true: failing instead of skipping)`);
  console.warn(`SKIP: reference corpus not found at ${corpusDir}`);
  return false;
}

export interface TsvRow { [col: string]: string }

export function loadTsv(): TsvRow[] {
  const text = readFileSync(join(corpusDir, 'libpcap/compiled-by-libpcap-1.10.3.tsv'), 'utf8');
  const [head, ...lines] = text.split('\n').filter((l) => l.length > 0);
  const cols = head!.split('\t');
  return lines.map((l) => {
    const f = l.split('\t');
    const row: TsvRow = {};
    cols.forEach((c, i) => { row[c] = f[i] ?? ''; });
    return row;
  });
}

/** LINKTYPE_ values by the names the corpus uses (tcpdump's -y names), from the one link-type table. */
export const LINKTYPE_BY_NAME: Record<string, number> = Object.fromEntries(LINK_TYPES.map((t) => [t.name, t.linkType]));

/** Up to `max` packets of the corpus captures with a given link type (pcap files only). */
export function packetsFor(linkType: number, max = 4000): Pkt[] {
  const dir = join(corpusDir, 'tcpdump-captures');
  const out: Pkt[] = [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.pcap')).sort();
  for (const f of files) {
    const r = readPcap(join(dir, f));
    if (!r || r.linkType !== linkType) continue;
    for (const p of r.packets) { out.push(p); if (out.length >= max) return out; }
  }
  return out;
}
