/**
 * Access to the shared libpcap corpus for the filter tests: finds `../shared/corpus` relative
 * to the repository root, loads the 1.10.3-compiled TSV and groups corpus captures by link type.
 * Tests skip (with a message) when the corpus is absent, except under CI=true where they fail.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPcap } from './vm.ts';
import type { Pkt } from './vm.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
export const corpusDir = resolve(repoRoot, '../shared/corpus');
export const haveCorpus = existsSync(join(corpusDir, 'libpcap/compiled-by-libpcap-1.10.3.tsv'));

export function requireCorpus(): boolean {
  if (haveCorpus) return true;
  if (process.env.CI === 'true') throw new Error(`shared corpus not found at ${corpusDir} (CI=true: failing instead of skipping)`);
  console.warn(`SKIP: shared corpus not found at ${corpusDir}`);
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

/** LINKTYPE_ values by the names the corpus uses. */
export const LINKTYPE_BY_NAME: Record<string, number> = {
  NULL: 0, EN10MB: 1, IEEE802: 6, SLIP: 8, PPP: 9, FDDI: 10, PPP_ETHER: 51, RAW: 101, C_HDLC: 104,
  IEEE802_11: 105, LOOP: 108, LINUX_SLL: 113, PFLOG: 117, IEEE802_11_RADIO: 127, IPV4: 228, IPV6: 229, IP_OVER_FC: 122,
  MTP2: 140, SUNATM: 123, APPLE_IP_OVER_IEEE1394: 138, NETANALYZER: 240, SYMANTEC_FIREWALL: 99, PPP_BSDOS: 103,
  IPNET: 226, ARCNET: 7, ARCNET_LINUX: 129, IEEE802_11_RADIO_AVS: 163, PPI: 192, PRISM_HEADER: 119,
  LINUX_SLL2: 276,
};

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
