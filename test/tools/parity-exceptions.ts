/**
 * Documented exceptions of the parity harness: places where libpcap 1.10.3 has a bug that tsdump
 * deliberately does not copy. Each entry says which rows it covers and why; the harness counts
 * them apart from real disagreements. Keep this list short.
 */
import type { ParityCase } from './parity-harness.ts';

export interface ParityException { reason: string; matches(c: ParityCase, kind: string): boolean }

export const PARITY_EXCEPTIONS: readonly ParityException[] = [
  {
    // Not a libpcap bug but a different place of evaluation: tcpdump -i attaches libpcap's
    // program to the kernel socket, where Linux has taken the outer VLAN tag out of the packet
    // data (libpcap reads it with the SKF_AD_VLAN_TAG_PRESENT ancillary load); tsdump filters
    // the packets as the capture delivers them, with the tag back in the data, so it compiles
    // `vlan` in the in-data form — selecting the same packets tcpdump -i selects. libpcap's
    // userland bpf_filter cannot answer the ancillary load, so its verdicts here differ. (The
    // ancillary form also makes libpcap's later offsets variable, so it refuses `protochain`
    // after `vlan` there; with fixed offsets tsdump compiles it.)
    reason: 'live: vlan read from the packet data (tag restored on delivery), libpcap reads the kernel\'s VLAN metadata',
    matches: (c, kind) => c.ctx === 'live' && /\bvlan\b/.test(c.expr) && (kind === 'verdict' || (kind === 'we-accept' && /protochain/.test(c.expr))),
  },
  {
    // A libpcap 1.10.3 bug, the same one that makes its programs read scratch memory they never
    // wrote (those packets the harness skips): on a link type whose header length is computed at
    // run time (pflog, 802.11 and its radio headers), `geneve`/`pppoes` replace the register that
    // holds the link payload's offset, and the prologue libpcap inserts at the end stores the
    // header length into the new register only. The code generated before the push keeps reading
    // the old one. When an arithmetic relation before the push (`link[1:2] > 3 and geneve ...`)
    // had used that register as a temporary, it is written — with the relation's operand (3),
    // so libpcap reads the inner headers at that offset. tsdump uses the header length.
    reason: 'libpcap reads the link payload offset from a register an earlier arithmetic relation used as a temporary (variable-length link header, then geneve/pppoes)',
    matches: (c, kind) => kind === 'verdict' && VARIABLE_HEADER.has(c.linkType) && /^(.*)\b(geneve|pppoes)\b/.test(c.expr)
      && /\]\s*(?:[-+*\/%&|^]|<<|>>|[<>]=?|!?=)/.test(c.expr.slice(0, c.expr.search(/\b(geneve|pppoes)\b/))),
  },
];

/** LINKTYPEs whose link header length libpcap computes at run time (a prologue stores it). */
const VARIABLE_HEADER = new Set([105, 117, 119, 127, 163, 192]);

export function exceptionFor(c: ParityCase, kind: string): string | undefined {
  return PARITY_EXCEPTIONS.find((e) => e.matches(c, kind))?.reason;
}
