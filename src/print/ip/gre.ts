/**
 * GRE (IP protocol 47) header text as tcpdump 4.99.3 prints it: `GREv0, key=0x1, seq 5, length
 * 88: ` then the carried packet, with `-v` adding `, Flags [key present, …]` and the checksum,
 * `-e` the carried protocol's ethertype name, and version 1 (PPTP's enhanced GRE) showing the call
 * id, sequence and acknowledgment numbers. The caller prints the payload: IPv4 and IPv6 it
 * dissects itself; for other protocols tcpdump either decodes them (MPLS, IPX, AppleTalk, OSI,
 * bridged Ethernet: not reproduced here) or prints `gre-proto-0xNNNN`.
 *
 * Technique: walk the optional fields in the order the flag bits announce them (checksum and
 * offset, key, sequence, then source-route entries), checking both the captured bytes and the
 * length on the wire before each, as tcpdump does; a missing field ends the text with `[|gre]`.
 */
import { be16, be32 } from './bytes.ts';

const GRE_CP = 0x8000;
const GRE_RP = 0x4000;
const GRE_KP = 0x2000;
const GRE_SP = 0x1000;
const GRE_sP = 0x0800;
const GRE_AP = 0x0080;

const FLAG_NAMES: ReadonlyArray<[number, string]> = [
  [GRE_CP, 'checksum present'], [GRE_RP, 'routing present'], [GRE_KP, 'key present'],
  [GRE_SP, 'sequence# present'], [GRE_sP, 'source routing present'], [GRE_AP, 'ack present'],
];

/** tcpdump's names for ethertypes (its ethertype_values table), used by `-e`. */
const ETHERTYPE_TOK: ReadonlyMap<number, string> = new Map([
  [0x0800, 'IPv4'], [0x8847, 'MPLS unicast'], [0x8848, 'MPLS multicast'], [0x86dd, 'IPv6'], [0x8100, '802.1Q'],
  [0x9100, '802.1Q-9100'], [0x88a8, '802.1Q-QinQ'], [0x9200, '802.1Q-9200'], [0x88e5, '802.1AE MACsec'],
  [0x9100, '802.1Q-9100'], [0x0200, 'PUP'], [0x0806, 'ARP'], [0x8035, 'Reverse ARP'], [0x0600, 'NS'],
  [0x0500, 'Sprite'], [0x1000, 'Trail'], [0x6001, 'MOP DL'], [0x6002, 'MOP RC'], [0x6003, 'DN'], [0x6004, 'LAT'],
  [0x6007, 'SCA'], [0x6558, 'TEB'], [0x8038, 'Lanbridge'], [0x803c, 'DEC DNS'], [0x803e, 'DEC DTS'],
  [0x805b, 'VEXP'], [0x805c, 'VPROD'], [0x809b, 'Appletalk'], [0x80f3, 'Appletalk ARP'], [0x8137, 'IPX'],
  [0x880b, 'PPP'], [0x8808, 'MPCP'], [0x8809, 'Slow Protocols'], [0x8863, 'PPPoE D'], [0x8864, 'PPPoE S'],
  [0x888e, 'EAPOL'], [0x8899, 'Realtek protocols'], [0x886f, 'MS NLB heartbeat'], [0x8870, 'Jumbo'],
  [0x894f, 'NSH'], [0x9000, 'Loopback'], [0x7ffe, 'OSI'], [0x00fe, 'GRE-OSI'], [0xabcd, 'CFM (old)'],
  [0x8902, 'CFM'], [0x893a, 'IEEE1905.1'], [0x88cc, 'LLDP'], [0x88ca, 'TIPC'], [0x0707, 'GeoNet (old)'],
  [0x8947, 'GeoNet'], [0x1111, 'CALM FAST'], [0x88a2, 'AoE'], [0x88f7, 'PTP'], [0xd28b, 'Arista Vendor Specific Protocol'],
]);

/** Whether tcpdump 4.99.3 decodes a GRE payload of this protocol (else it prints gre-proto-0xNNNN). */
export function greDecodes(version: number, proto: number): boolean {
  if (version === 1) return proto === 0x880b; // PPP
  return proto === 0x0800 || proto === 0x86dd || proto === 0x8847 || proto === 0x8137 || proto === 0x809b || proto === 0x00fe || proto === 0x6558;
}

export interface GreHeader {
  /** Text up to and including the separator before the payload (`: ` or `\n\t`), or the whole text. */
  text: string;
  /** GRE version (0, or 1 for PPTP), the carried protocol, where the payload starts and its length; absent when nothing follows. */
  version?: number;
  proto?: number;
  payload?: number;
  payloadLen?: number;
  /** The header was cut short (the text ends with `[|gre]`) or is one we do not reproduce. */
  truncated?: boolean;
  approx?: boolean;
}

/** One source-route entry as tcpdump's gre_sre_print (IP addresses or AS numbers, `*` at the offset). */
function greSre(p: Uint8Array, o: number, rest: number, end: number, af: number, sreoff: number, srelen: number): { text: string; ok: boolean } {
  const unit = af === 0x0800 ? 4 : af === 0xfffe ? 2 : 0;
  if (unit === 0) return { text: `, (rtaf=0x${af.toString(16)})`, ok: true };
  let s = `, (rtaf=${unit === 4 ? 'ip' : 'asn'}`;
  if (sreoff & (unit - 1)) return { text: `${s}, badoffset=${sreoff})`, ok: true };
  if (srelen & (unit - 1)) return { text: `${s}, badlength=${srelen})`, ok: true };
  if (sreoff >= srelen) return { text: `${s}, badoff/len=${sreoff}/${srelen})`, ok: true };
  for (let i = 0; srelen !== 0; i += unit, srelen -= unit) {
    if (end < o + i + unit || rest - i < unit) return { text: `${s})`, ok: false };
    const v = unit === 4 ? `${p[o + i]}.${p[o + i + 1]}.${p[o + i + 2]}.${p[o + i + 3]}` : be16(p, o + i).toString(16);
    s += ` ${i === sreoff ? '*' : ''}${v}`;
  }
  return { text: `${s})`, ok: true };
}

/** The GRE header at `off` (`len` bytes on the wire, captured up to `end`). */
export function greHeader(p: Uint8Array, off: number, len: number, end: number, verbose: number, linkHeader: boolean): GreHeader {
  if (end < off + 2 || len < 2) return { text: '[|gre]', truncated: true };
  const flags = be16(p, off);
  const vers = flags & 7;
  let s = `GREv${vers}`;
  if (vers > 1) return { text: `${s} ERROR: unknown-version` };
  if (verbose > 0) {
    const names = FLAG_NAMES.filter(([b]) => flags & b).map(([, n]) => n);
    s += `, Flags [${names.length ? names.join(', ') : 'none'}]`;
  }
  let o = off + 2;
  let rest = len - 2;
  const need = (n: number): boolean => end >= o + n && rest >= n;
  const trunc = (): GreHeader => ({ text: `${s} [|gre]`, truncated: true });
  /** Appends the 2- or 4-byte field at o as show writes it and steps over it; false when it is not all there. */
  const field = (n: 2 | 4, show: (v: number) => string): boolean => {
    if (!need(n)) return false;
    s += show(n === 2 ? be16(p, o) : be32(p, o));
    o += n;
    rest -= n;
    return true;
  };
  if (!need(2)) return trunc();
  const proto = be16(p, o);
  o += 2;
  rest -= 2;
  if (vers === 0) {
    if (flags & (GRE_CP | GRE_RP)) {
      if (!field(2, (v) => (verbose > 0 ? `, sum 0x${v.toString(16)}` : ''))) return trunc();
      if (!field(2, (v) => `, off 0x${v.toString(16)}`)) return trunc();
    }
    if ((flags & GRE_KP) && !field(4, (v) => `, key=0x${v.toString(16)}`)) return trunc();
    if ((flags & GRE_SP) && !field(4, (v) => `, seq ${v}`)) return trunc();
    // Source-route entries (RFC 1701), until the null entry.
    if (flags & GRE_RP) {
      for (;;) {
        if (!need(4)) return trunc();
        const af = be16(p, o);
        const sreoff = p[o + 2]!;
        const srelen = p[o + 3]!;
        o += 4;
        rest -= 4;
        if (af === 0 && srelen === 0) break;
        const sre = greSre(p, o, rest, end, af, sreoff, srelen);
        s += sre.text;
        if (!sre.ok || rest < srelen) return trunc();
        o += srelen;
        rest -= srelen;
      }
    }
  } else {
    if ((flags & GRE_KP) && !field(4, (v) => `, call ${v & 0xffff}`)) return trunc();
    if ((flags & GRE_SP) && !field(4, (v) => `, seq ${v}`)) return trunc();
    if ((flags & GRE_AP) && !field(4, (v) => `, ack ${v}`)) return trunc();
    if (!(flags & GRE_SP)) s += ', no-payload';
  }
  if (linkHeader) s += `, proto ${ETHERTYPE_TOK.get(proto) ?? 'unknown'} (0x${proto.toString(16).padStart(4, '0')})`;
  s += `, length ${len}`;
  if (vers === 1 && !(flags & GRE_SP)) return { text: s };
  s += verbose > 0 ? '\n\t' : ': ';
  return { text: s, version: vers, proto, payload: o, payloadLen: rest };
}
