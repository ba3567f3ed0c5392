/**
 * Inputs shared by the packet-filter benchmarks: the packets (afs.pcap from the reference corpus,
 * or the committed EN10MB verdict packets when the corpus is absent) and tcpdump's own EN10MB
 * programs for a list of expressions (from the committed listings golden).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCapture } from '../../src/capture/index.ts';
import { parseProgram } from '../../src/isa/cbpf/parse.ts';
import type { CbpfProgram } from '../../src/isa/cbpf/types.ts';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = join(root, 'test', 'corpus');

export interface Pkt { data: Uint8Array; caplen: number; wirelen: number }

export function loadPackets(): { name: string; packets: Pkt[] } {
  const fromCorpus = join(corpus, 'tcpdump-captures', 'afs.pcap');
  const path = existsSync(fromCorpus) ? fromCorpus : join(root, 'filters', 'verdicts', 'packets', 'EN10MB.pcap');
  const r = openCapture(path);
  const packets: Pkt[] = [];
  for (let rec = r.next(); rec; rec = r.next()) packets.push({ data: rec.data.slice(0, rec.caplen), caplen: rec.caplen, wirelen: rec.wirelen });
  r.close();
  return { name: path.replace(/^.*\//, ''), packets };
}

/** tcpdump's optimized EN10MB program for each expression that has one in the golden listings. */
export function loadPrograms(expressions: readonly string[]): { expr: string; prog: CbpfProgram; line: string }[] {
  const listings = readFileSync(join(root, 'test', 'golden', 'cbpf', 'tcpdump-listings.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as { dlt: string; expr: string; optimize: boolean | 'both'; tsv: string });
  return expressions.flatMap((expr) => {
    const l = listings.find((x) => x.dlt === 'EN10MB' && x.expr === expr && x.optimize !== false);
    return l ? [{ expr, prog: parseProgram(l.tsv), line: l.tsv }] : [];
  });
}
