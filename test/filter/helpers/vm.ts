/**
 * The filter tests' view of the cBPF machine and of capture files, as thin adapters over the
 * project's own modules: `runCbpf` is the reference interpreter (src/cbpf, libpcap bpf_filter
 * semantics, itself checked against libpcap's verdicts), `readPcap` the capture reader, and
 * `parseDdd` the `-ddd` parser.
 */
import { interpret } from '../../../src/cbpf/interpret.ts';
import { openCapture } from '../../../src/capture/index.ts';
import { parseProgram } from '../../../src/isa/cbpf/parse.ts';
import type { CbpfProgram } from '../../../src/isa/cbpf/types.ts';

/** The verdict of `prog` on a packet (all of `pkt` captured, `wirelen` on the wire). */
export function runCbpf(prog: CbpfProgram, pkt: Uint8Array, wirelen: number): number {
  return interpret(prog, pkt, wirelen);
}

export interface Pkt { data: Uint8Array; wirelen: number }

/** Reads a classic pcap file; undefined for pcapng or anything unreadable. */
export function readPcap(path: string): { linkType: number; packets: Pkt[] } | undefined {
  let r;
  try {
    r = openCapture(path);
  } catch {
    return undefined;
  }
  try {
    if (r.info.format !== 'pcap') return undefined;
    const packets: Pkt[] = [];
    try {
      for (let rec = r.next(); rec; rec = r.next()) packets.push({ data: rec.data.slice(0, rec.caplen), wirelen: rec.wirelen });
    } catch {
      // A truncated or corrupt file: the intact packets before the damage.
    }
    return { linkType: r.info.linkType, packets };
  } finally {
    r.close();
  }
}

/** Parses the tsv's `N,code jt jf k,...` form of `tcpdump -ddd`. */
export function parseDdd(s: string): CbpfProgram {
  return parseProgram(s, 'ddd-line');
}
