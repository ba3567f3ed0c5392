/**
 * The pieces tcpdump's -v adds to the IP, TCP, UDP and ICMP lines: the IPv4 header in
 * parentheses (tos with its ECN code point, ttl, id, offset, flags, protocol name, length,
 * options, a wrong header checksum), the IPv6 header (class, flow label, hop limit, next header,
 * payload length), and the transport checksums tcpdump verifies ("cksum 0x1c46 (correct)",
 * "[udp sum ok]", "[bad udp cksum 0x0000 -> 0x3a5f!]").
 *
 * Technique: the Internet checksum is the ones'-complement sum of big-endian 16-bit words (an
 * odd last byte is padded with zero), over a pseudo-header of the addresses, protocol and length
 * for TCP, UDP and ICMPv6. When it does not verify, tcpdump prints the value the field should
 * have held: the stored value plus the complement of the computed sum, folded (RFC 1624).
 */

/** tcpdump's names for IP protocol numbers in "-v" headers ("proto UDP (17)"). */
const IPPROTO_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'Options'], [1, 'ICMP'], [2, 'IGMP'], [4, 'IPIP'], [6, 'TCP'], [8, 'EGP'], [9, 'IGRP'], [17, 'UDP'],
  [33, 'DCCP'], [41, 'IPv6'], [43, 'Routing'], [44, 'Fragment'], [46, 'RSVP'], [47, 'GRE'], [50, 'ESP'],
  [51, 'AH'], [55, 'Mobile IP'], [58, 'ICMPv6'], [62, 'Mobile IP (old)'], [88, 'EIGRP'], [89, 'OSPF'],
  [103, 'PIM'], [108, 'Compressed IP'], [112, 'VRRP'], [113, 'PGM'], [132, 'SCTP'], [135, 'Mobility'],
]);

function ipProtoName(proto: number): string {
  return IPPROTO_NAMES.get(proto) ?? 'unknown';
}

/** Ones'-complement sum of big-endian 16-bit words of p[from, to), added to `sum` (not folded). */
export function sum16(p: Uint8Array, from: number, to: number, sum = 0): number {
  let i = from;
  for (; i + 1 < to; i += 2) sum += (p[i]! << 8) | p[i + 1]!;
  if (i < to) sum += p[i]! << 8;
  return sum;
}

/** Folds a sum and complements it: 0 when the data (checksum field included) verifies. */
export function finish(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** The value a checksum field should hold, given the stored one and the computed result. */
export function shouldBe(stored: number, computed: number): number {
  let s = stored + computed;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** Checksum over an upper-layer segment with the IPv4 or IPv6 pseudo-header (0 = correct). */
export function pseudoChecksum(p: Uint8Array, ver: number, addrOff: number, proto: number, off: number, len: number): number {
  let sum = ver === 4 ? sum16(p, addrOff, addrOff + 8) : sum16(p, addrOff, addrOff + 32);
  sum += proto + (len & 0xffff) + Math.floor(len / 0x10000);
  return finish(sum16(p, off, off + len, sum));
}

const ECN = ['', ',ECT(1)', ',ECT(0)', ',CE'];

/**
 * The "(tos …, length N)" part of an IPv4 -v line, or null when the options are ones we do
 * not render. `off` is the header; `hl` its length.
 */
export function ipv4VerboseHeader(p: Uint8Array, off: number, hl: number, captured: number): string | null {
  const tos = p[off + 1]!;
  const len = (p[off + 2]! << 8) | p[off + 3]!;
  const id = (p[off + 4]! << 8) | p[off + 5]!;
  const frag = (p[off + 6]! << 8) | p[off + 7]!;
  const ttl = p[off + 8]!;
  const proto = p[off + 9]!;
  const flags: string[] = [];
  // tcpdump's ip_frag_values order and names: MF is "+", the reserved bit "rsvd".
  if (frag & 0x2000) flags.push('+');
  if (frag & 0x4000) flags.push('DF');
  if (frag & 0x8000) flags.push('rsvd');
  let s = `(tos 0x${tos.toString(16)}${ECN[tos & 3]}${ttl >= 1 ? `, ttl ${ttl}` : ''}, id ${id}, offset ${(frag & 0x1fff) * 8}, flags [${flags.length ? flags.join(', ') : 'none'}], proto ${ipProtoName(proto)} (${proto}), length ${len}`;
  if (hl > 20) {
    const opts = ipv4Options(p, off + 20, off + hl);
    if (opts === null) return null;
    s += `, options (${opts})`;
  }
  if (captured >= off + hl) {
    const sum = finish(sum16(p, off, off + hl));
    if (sum !== 0) {
      const stored = (p[off + 10]! << 8) | p[off + 11]!;
      s += `, bad cksum ${stored.toString(16)} (->${shouldBe(stored, sum).toString(16)})!`;
    }
  }
  return `${s})`;
}

/** IPv4 options tcpdump names simply (EOL, NOP, router alert); null for any other. */
function ipv4Options(p: Uint8Array, off: number, end: number): string | null {
  const parts: string[] = [];
  while (off < end) {
    const t = p[off]!;
    if (t === 0) {
      parts.push('EOL');
      off++;
      continue;
    }
    if (t === 1) {
      parts.push('NOP');
      off++;
      continue;
    }
    const l = off + 1 < end ? p[off + 1]! : 0;
    if (t === 148 && l === 4) {
      const v = (p[off + 2]! << 8) | p[off + 3]!;
      parts.push(v === 0 ? 'RA' : `RA value ${v}`);
      off += 4;
      continue;
    }
    return null;
  }
  return parts.join(',');
}

/** The "(class …, payload length: N)" part of an IPv6 -v line. */
export function ipv6VerboseHeader(p: Uint8Array, off: number): string {
  const w = ((p[off]! << 24) | (p[off + 1]! << 16) | (p[off + 2]! << 8) | p[off + 3]!) >>> 0;
  const cls = (w >>> 20) & 0xff;
  const flow = w & 0xfffff;
  const plen = (p[off + 4]! << 8) | p[off + 5]!;
  const nh = p[off + 6]!;
  let s = '(';
  if (cls !== 0) s += `class 0x${cls.toString(16).padStart(2, '0')}, `;
  if (flow !== 0) s += `flowlabel 0x${flow.toString(16).padStart(5, '0')}, `;
  return `${s}hlim ${p[off + 7]}, next-header ${ipProtoName(nh)} (${nh}) payload length: ${plen})`;
}
