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
];

export function exceptionFor(c: ParityCase, kind: string): string | undefined {
  return PARITY_EXCEPTIONS.find((e) => e.matches(c, kind))?.reason;
}
