/**
 * OSPF in tcpdump 4.99.3's -v/-vv forms. OSPFv3 (print-ospf6.c): after `OSPFv3, Hello, length
 * 36` the router and area ids, the Hello fields or Database Description header, with -vv the
 * neighbor list, LSA headers, LS-Request entries and LS-Update's LSAs, then the LLS and
 * authentication trailers. OSPFv2 (print-ospf.c): the header's ids and authentication, Hello,
 * DD with LSA headers, LS-Request, LS-Update's LSAs (opaque TE, grace and router-information
 * TLVs included), LS-Ack, and the LLS block.
 *
 * Technique: reads through `Bytes` (a read beyond the capture throws `Truncated`, tcpdump's
 * longjmp); tcpdump's local `goto trunc` paths are mirrored by early returns, so each packet
 * ends where tcpdump's does, with ` [|ospf2]` / ` [|ospf3]` as it prints them.
 */
import { ipv4At, ipv6At } from '../addr.ts';
import { Bytes, Truncated, hex, printChar, unknownData, be16, be32 } from './bytes.ts';

const OPTIONS: ReadonlyArray<[number, string]> = [
  [0x01, 'V6'], [0x02, 'External'], [0x04, 'Deprecated'], [0x08, 'NSSA'], [0x10, 'Router'], [0x20, 'Demand Circuit'],
  [0x100, 'AFs Support'], [0x200, 'LLS'], [0x400, 'Authentication Trailer'],
];
const DD_FLAGS: ReadonlyArray<[number, string]> = [[0x04, 'Init'], [0x02, 'More'], [0x01, 'Master'], [0x10, 'IPv6 MTU']];

function bits(v: number, table: ReadonlyArray<[number, string]>, none = 'none'): string {
  const n = table.filter(([b]) => b !== 0 && (v & b) === b).map(([, s]) => s);
  return n.length ? n.join(', ') : none;
}

const LSA6_TYPES = new Map([
  [1, 'Router'], [2, 'Network'], [3, 'Inter-Area Prefix'], [4, 'Inter-Area Router'], [5, 'External'], [6, 'Deprecated'], [7, 'NSSA'],
  [8, 'Link'], [9, 'Intra-Area Prefix'], [10, 'Intra-Area TE'], [11, 'Grace'], [12, 'Router Information'], [13, 'Inter-AS-TE'], [14, 'Layer 1 VPN'],
]);
const LS6_SCOPE = new Map([[0, 'Link Local'], [0x2000, 'Area Local'], [0x4000, 'Domain Wide']]);
const RLA6_FLAGS: ReadonlyArray<[number, string]> = [[0x01, 'ABR'], [0x02, 'External'], [0x04, 'Virtual-Link Endpoint'], [0x08, 'Deprecated'], [0x10, 'NSSA Translator']];
const ASLA6_FLAGS: ReadonlyArray<[number, string]> = [[0x04000000, 'External Type 2'], [0x02000000, 'Forwarding'], [0x01000000, 'Tag']];
const PREFIX6_OPTS: ReadonlyArray<[number, string]> = [[0x01, 'No Unicast'], [0x02, 'Local address'], [0x04, 'Deprecated'], [0x08, 'Propagate'], [0x10, 'Down'], [0x20, 'N-bit']];

/** tcpdump's OSPFv3 walk (print-ospf6.c); `LocalTrunc` is its `goto trunc` (` [|ospf3]`, no longjmp). */
class LocalTrunc extends Error {}

class Ospf3 {
  s = '';
  constructor(private readonly b: Bytes, private readonly v: number, private readonly dataend: number) {}

  lsType(type: number, idOff: number): void {
    this.s += `\n\t    ${LSA6_TYPES.get(type & 0x1fff) ?? 'Unknown'} LSA (${type & 0x1fff}), ${LS6_SCOPE.get(type & 0x6000) ?? 'Unknown'} Scope${type & 0x8000 ? ', transitive' : ''}, LSA-ID ${this.b.ipv4(idOff)}`;
  }

  lshdr(o: number): void {
    if (o + 20 > this.dataend) throw new LocalTrunc();
    const b = this.b;
    // tcpdump prints length - 20 with %zu: a shorter length wraps around 2^64.
    const l = b.u16(o + 18) - 20;
    this.s += `\n\t  Advertising Router ${b.ipv4(o + 8)}, seq 0x${hex(b.u32(o + 12), 8)}, age ${b.u16(o)}s, length ${l < 0 ? (1n << 64n) + BigInt(l) : l}`;
    this.lsType(b.u16(o + 2), o + 4);
  }

  /** ospf6_print_lsaprefix: bytes used (a failure is tcpdump's `goto trunc`). */
  prefix(o: number, lsaLen: number): number {
    const b = this.b;
    if (lsaLen < 4) throw new LocalTrunc();
    lsaLen -= 4;
    if (!b.has(o, 4)) throw new LocalTrunc();
    const plen = b.u8(o);
    const words = Math.floor((plen + 31) / 32);
    if (words * 4 > 16) {
      this.s += ` bogus prefixlen /${plen}`;
      throw new LocalTrunc();
    }
    if (lsaLen < words * 4) throw new LocalTrunc();
    b.need(o + 4, words * 4);
    const a = new Uint8Array(16);
    a.set(b.p.subarray(o + 4, o + 4 + words * 4));
    this.s += `\n\t\t${ipv6At(a, 0)}/${plen}`;
    const opt = b.u8(o + 1);
    if (opt) this.s += `, Options [${bits(opt, PREFIX6_OPTS)}]`;
    this.s += `, metric ${b.u16(o + 2)}`;
    return 4 + words * 4;
  }

  /**
   * count prefixes from o (all while LSA bytes are left when count is omitted), len being the
   * LSA bytes left; each one's bytes are taken from len.
   */
  prefixes(o: number, len: number, count = -1): void {
    for (let n = count; count < 0 ? len !== 0 : n > 0; n--) {
      const used = this.prefix(o, len);
      len -= used;
      o += used;
    }
  }

  /** ospf6_print_lsa: false where tcpdump reports a truncation. */
  lsa(o: number): boolean {
    const b = this.b;
    this.lshdr(o);
    const length = b.u16(o + 18);
    if (length < 20 || o + length > this.dataend) return false;
    let len = length - 20;
    let t = o + 20;
    const type = b.u16(o + 2);
    switch (type) {
      case 0x2001: {
        if (len < 4) return false;
        len -= 4;
        this.s += `\n\t      Options [${bits(b.u32(t), OPTIONS)}], RLA-Flags [${bits(b.u8(t), RLA6_FLAGS)}]`;
        let l = t + 4;
        while (len !== 0) {
          if (len < 16) return false;
          len -= 16;
          if (!b.has(l, 16)) return false;
          const lt = b.u8(l);
          const ids = `\n\t      Neighbor Interface-ID ${b.ipv4(l + 8)}, Interface ${b.ipv4(l + 4)}`;
          if (lt === 4) this.s += `\n\t      Virtual Link: Neighbor Router-ID ${b.ipv4(l + 12)}${ids}`;
          else if (lt === 1) this.s += `\n\t      Neighbor Router-ID ${b.ipv4(l + 12)}${ids}`;
          else if (lt === 2) this.s += `\n\t      Neighbor Network-ID ${b.ipv4(l + 12)}${ids}`;
          else {
            this.s += `\n\t      Unknown Router Links Type 0x${hex(lt, 2)}`;
            return true;
          }
          this.s += `, metric ${b.u16(l + 2)}`;
          l += 16;
        }
        return true;
      }
      case 0x2002: {
        if (len < 4) return false;
        len -= 4;
        this.s += `\n\t      Options [${bits(b.u32(t), OPTIONS)}]\n\t      Connected Routers:`;
        for (let a = t + 4; len !== 0; a += 4) {
          if (len < 4) return false;
          len -= 4;
          this.s += `\n\t\t${b.ipv4(a)}`;
        }
        return true;
      }
      case 0x2003: {
        if (len < 4) return false;
        len -= 4;
        this.s += `, metric ${b.u32(t) & 0xffffff}`;
        this.prefixes(t + 4, len);
        return true;
      }
      case 0x4005: {
        if (len < 4) return false;
        len -= 4;
        const f = b.u32(t);
        this.s += `\n\t     Flags [${bits(f, ASLA6_FLAGS)}] metric ${f & 0xffffff}`;
        const pfx = t + 4;
        const n = this.prefix(pfx, len);
        len -= n;
        let p = pfx + n;
        if (f & 0x02000000) {
          if (len < 16) return false;
          len -= 16;
          b.need(p, 16);
          this.s += ` forward ${ipv6At(b.p, p)}`;
          p += 16;
        }
        if (f & 0x01000000) {
          if (len < 4) return false;
          len -= 4;
          this.s += ` tag ${b.ipv4(p)}`;
          p += 4;
        }
        if (b.u8(pfx + 2)) {
          if (len < 4) return false;
          len -= 4;
          this.s += ` RefLSID: ${b.ipv4(p)}`;
        }
        return true;
      }
      case 0x0008: {
        if (len < 4) return false;
        len -= 4;
        if (!b.has(t, 4)) return false;
        this.s += `\n\t      Options [${bits(b.u32(t), OPTIONS)}]`;
        if (len < 20) return false;
        len -= 20;
        const n = b.u32(t + 20);
        b.need(t + 4, 16);
        this.s += `\n\t      Priority ${b.u8(t)}, Link-local address ${ipv6At(b.p, t + 4)}, Prefixes ${n}:`;
        this.prefixes(t + 24, len, n);
        return true;
      }
      case 0x2009: {
        if (len < 4) return false;
        len -= 4;
        if (!b.has(t + 8, 4)) return false;
        this.lsType(b.u16(t + 2), t + 4);
        if (len < 2) return false;
        len -= 2;
        const n = b.u16(t);
        this.s += `\n\t      Prefixes ${n}:`;
        this.prefixes(t + 12, len, n);
        return true;
      }
      case 0x000b:
      case 0x000a: {
        const o2 = new Ospf2(b, this.v);
        o2.s = this.s;
        const ok = type === 0x000b ? o2.grace(t, len) : o2.te(t, len);
        this.s = o2.s;
        return ok;
      }
      default:
        if (t > b.end) {
          this.s += unknownData(b, t, len, '\n\t      ');
          return false;
        }
        this.s += unknownData(b, t, len, '\n\t      ');
        return true;
    }
  }
}

/**
 * The text after `OSPFv3, <type>, length N` with -v/-vv (`len` is the length on the wire, `end`
 * the captured end): router and area ids, the Hello fields and Database Description header, with
 * -vv the neighbor list, LSA headers (DD, LS-Ack), LS-Request entries and LS-Update's LSAs
 * (router, network, inter-area prefix, external, link, intra-area prefix, grace, TE; others as
 * hex); then the trailer: link-local signalling and the authentication trailer. Null only when
 * the header itself was not captured.
 */
export function ospf3Verbose(p: Uint8Array, off: number, len: number, end: number, verbose: number): string | null {
  if (end < off + 16) return null;
  const type = p[off + 1]!;
  if (type < 1 || type > 5) return '';
  const datalen = be16(p, off + 2);
  if (datalen > len) return ` [len ${datalen}]`;
  const dataend = off + datalen;
  const b = new Bytes(p, end);
  const o3 = new Ospf3(b, verbose, dataend);
  o3.s = `\n\tRouter-ID ${ipv4At(p, off + 4)}`;
  o3.s += be32(p, off + 8) !== 0 ? `, Area ${ipv4At(p, off + 8)}` : ', Backbone Area';
  if (p[off + 14]) o3.s += `, Instance ${p[off + 14]}`;
  const body = off + 16;
  try {
    switch (type) {
      case 1: {
        o3.s += `\n\tOptions [${bits(b.u32(body + 4), OPTIONS)}]`;
        o3.s += `\n\t  Hello Timer ${b.u16(body + 8)}s, Dead Timer ${b.u16(body + 10)}s, Interface-ID ${b.ipv4(body)}, Priority ${b.u8(body + 4)}`;
        if (b.u32(body + 12) !== 0) o3.s += `\n\t  Designated Router ${b.ipv4(body + 12)}`;
        if (b.u32(body + 16) !== 0) o3.s += `, Backup Designated Router ${b.ipv4(body + 16)}`;
        if (verbose > 1) {
          o3.s += '\n\t  Neighbor List:';
          for (let a = body + 20; a < dataend; a += 4) o3.s += `\n\t    ${b.ipv4(a)}`;
        }
        break;
      }
      case 2:
        o3.s += `\n\tOptions [${bits(b.u32(body), OPTIONS)}], DD Flags [${bits(b.u8(body + 7), DD_FLAGS)}], MTU ${b.u16(body + 4)}, DD-Sequence 0x${hex(b.u32(body + 8), 8)}`;
        if (verbose > 1) for (let o = body + 12; o < dataend; o += 20) o3.lshdr(o);
        break;
      case 3:
        if (verbose > 1) {
          for (let o = body; o < dataend; o += 12) {
            if (!b.has(o, 12)) throw new LocalTrunc();
            o3.s += `\n\t  Advertising Router ${b.ipv4(o + 8)}`;
            o3.lsType(b.u16(o + 2), o + 4);
          }
        }
        break;
      case 4:
        if (verbose > 1) {
          let n = b.u32(body);
          for (let o = body + 4; o < dataend && n-- !== 0; o += b.u16(o + 18)) {
            if (!o3.lsa(o)) throw new LocalTrunc();
          }
        }
        break;
      case 5:
        if (verbose > 1) for (let o = body; o < dataend; o += 20) o3.lshdr(o);
        break;
    }
    // The trailer: link-local signalling (Hello/DD with the L option), then the authentication trailer.
    let rest = len - datalen;
    let cp = dataend;
    const opts = type === 1 ? b.u32(body + 4) : type === 2 ? b.u32(body) : 0;
    if (opts & 0x200 && rest !== 0) {
      if (rest < 4) throw new LocalTrunc();
      o3.s += `\n\tLLS Checksum 0x${hex(b.u16(cp), 4)}`;
      const lls = b.u16(cp + 2);
      o3.s += `, Data Length ${lls}`;
      if (lls < 4 || lls > rest) throw new LocalTrunc();
      if (!b.has(cp + 4, lls - 4)) throw new LocalTrunc();
      cp += lls;
      rest -= lls;
    }
    if (rest !== 0) {
      if (rest < 16) throw new LocalTrunc();
      const at = b.u16(cp);
      o3.s += `\n\tAuthentication Type ${at === 1 ? 'HMAC' : `unknown (0x${hex(at, 4)})`}`;
      const alen = b.u16(cp + 2);
      o3.s += `, Length ${alen}`;
      if (alen < 16 || alen > rest) throw new LocalTrunc();
      o3.s += `, SAID ${b.u16(cp + 6)}, CSN 0x${hex(b.u32(cp + 8), 8)}:${hex(b.u32(cp + 12), 8)}`;
      if (!b.has(cp + 16, alen - 16)) throw new LocalTrunc();
      if (verbose > 1) o3.s += unknownData(b, cp + 16, alen - 16, '\n\tAuthentication Data ');
    }
  } catch (e) {
    if (e instanceof LocalTrunc || e instanceof Truncated) return `${o3.s} [|ospf3]`;
    throw e;
  }
  return o3.s;
}

const OPTIONS2: ReadonlyArray<[number, string]> = [
  [0x01, 'MultiTopology'], [0x02, 'External'], [0x04, 'Multicast'], [0x08, 'NSSA'], [0x10, 'LLS'], [0x20, 'Demand Circuit'],
  [0x40, 'Opaque'], [0x80, 'Up/Down'],
];
const DD2_FLAGS: ReadonlyArray<[number, string]> = [[0x04, 'Init'], [0x02, 'More'], [0x01, 'Master'], [0x08, 'OOBResync']];
const LSA_TYPES = ['', 'Router', 'Network', 'Summary', 'ASBR Summary', 'External', 'Multicast Group', 'NSSA', '', 'Link Local Opaque', 'Area Local Opaque', 'Domain Wide Opaque'];

const RLA_FLAGS: ReadonlyArray<[number, string]> = [[0x01, 'ABR'], [0x02, 'ASBR'], [0x04, 'Virtual'], [0x08, 'Wildcard'], [0x10, 'Nt'], [0x80, 'Host']];
const OPAQUE = new Map([[1, 'Traffic Engineering'], [3, 'Graceful restart'], [4, 'Router Information']]);
const TOPOLOGY = new Map([[0, 'default'], [1, 'multicast'], [2, 'management']]);
const TE_TLV = new Map([[1, 'Router Address'], [2, 'Link']]);
const TE_SUBTLV = new Map([
  [1, 'Link Type'], [2, 'Link ID'], [3, 'Local Interface IP address'], [4, 'Remote Interface IP address'], [5, 'Traffic Engineering Metric'],
  [6, 'Maximum Bandwidth'], [7, 'Maximum Reservable Bandwidth'], [8, 'Unreserved Bandwidth'], [9, 'Administrative Group'],
  [11, 'Link Local/Remote Identifier'], [14, 'Link Protection Type'], [15, 'Interface Switching Capability'], [16, 'Shared Risk Link Group'],
  [17, 'Bandwidth Constraints'],
]);
const GRACE_TLV = new Map([[1, 'Grace Period'], [2, 'Graceful restart Reason'], [3, 'IPv4 interface address']]);
const GRACE_REASON = new Map([[0, 'Unknown'], [1, 'Software Restart'], [2, 'Software Reload/Upgrade'], [3, 'Control Processor Switch']]);
const LINK_TYPE = new Map([[1, 'Point-to-point'], [2, 'Multi-Access']]);
const RI_CAP: ReadonlyArray<[number, string]> = [
  [1, 'Reserved'], [2, 'Reserved'], [4, 'Reserved'], [8, 'Reserved'], [16, 'graceful restart capable'], [32, 'graceful restart helper'],
  [64, 'Stub router support'], [128, 'Traffic engineering'], [256, 'p2p over LAN'], [512, 'path computation server'],
];
const GMPLS_LINK_PROT: ReadonlyArray<[number, string]> = [[0x01, 'Extra Traffic'], [0x02, 'Unprotected'], [0x04, 'Shared'], [0x08, 'Dedicated 1:1'], [0x10, 'Dedicated 1+1'], [0x20, 'Enhanced'], [0x40, 'Reserved'], [0x80, 'Reserved']];
const GMPLS_SWITCH_CAP = new Map([[1, 'Packet-Switch Capable-1'], [2, 'Packet-Switch Capable-2'], [3, 'Packet-Switch Capable-3'], [4, 'Packet-Switch Capable-4'], [51, 'Layer-2 Switch Capable'], [100, 'Time-Division-Multiplex'], [150, 'Lambda-Switch Capable'], [200, 'Fiber-Switch Capable']]);
const GMPLS_ENCODING = new Map([[1, 'Packet'], [2, 'Ethernet V2/DIX'], [3, 'ANSI/ETSI PDH'], [4, 'Reserved'], [5, 'SDH ITU-T G.707/SONET ANSI T1.105'], [6, 'Reserved'], [7, 'Digital Wrapper'], [8, 'Lambda (photonic)'], [9, 'Fiber'], [10, 'Reserved'], [11, 'FiberChannel']]);
const BC_MODEL = new Map([[0, 'Russian dolls'], [1, 'Maximum allocation'], [254, 'Maximum allocation with E-LSP support']]);

const lsaName = (t: number): string => LSA_TYPES[t] || 'unknown';
/** A float's bits as tcpdump prints bandwidths: `%.3f` of f * 8 / 1000000. */
function mbps(bits: number): string {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, bits);
  return Math.fround(Math.fround(dv.getFloat32(0) * 8) / 1000000).toFixed(3);
}

/** OSPFv2 -v decoding with tcpdump's reads: a read beyond the capture throws Truncated. */
class Ospf2 {
  s = '';
  constructor(private readonly b: Bytes, private readonly v: number) {}

  /** ospf_print_lshdr: the LSA length, or -1 for a bogus one. */
  lshdr(o: number): number {
    const b = this.b;
    const len = b.u16(o + 18);
    if (len < 20) {
      this.s += `\n\t    Bogus length ${len} < header (20)`;
      return -1;
    }
    this.s += `\n\t  Advertising Router ${b.ipv4(o + 8)}, seq 0x${hex(b.u32(o + 12), 8)}, age ${b.u16(o)}s, length ${len - 20}`;
    const type = b.u8(o + 3);
    if (type >= 9 && type <= 11) {
      const ot = b.u8(o + 4);
      this.s += `\n\t    ${lsaName(type)} LSA (${type}), Opaque-Type ${OPAQUE.get(ot) ?? 'unknown'} LSA (${ot}), Opaque-ID ${b.u24(o + 5)}`;
    } else this.s += `\n\t    ${lsaName(type)} LSA (${type}), LSA-ID: ${b.ipv4(o + 4)}`;
    this.s += `\n\t    Options: [${bits(b.u8(o + 2), OPTIONS2)}]`;
    return len;
  }

  private unknown(o: number, len: number, ident: string): boolean {
    if (o > this.b.end) {
      this.s += unknownData(this.b, o, len, ident);
      return false;
    }
    this.s += unknownData(this.b, o, len, ident);
    return true;
  }

  /**
   * The type and length of the grace or TE TLV at t with lsLen LSA bytes left, after printing its
   * name from names and what rest writes; null where tcpdump stops (the header not captured, or
   * the LSA too short for it or for the TLV, said in the text; a zero type or length).
   */
  private tlvHead(t: number, lsLen: number, names: ReadonlyMap<number, string>, rest: (type: number, tl: number) => string): { type: number; tl: number } | null {
    const b = this.b;
    if (!b.has(t, 4)) return null; // ND_TCHECK here returns -1, no longjmp
    if (lsLen < 4) {
      this.s += `\n\t    Remaining LS length ${lsLen} < 4`;
      return null;
    }
    const type = b.u16(t);
    const tl = b.u16(t + 2);
    this.s += `\n\t    ${names.get(type) ?? 'unknown'}${rest(type, tl)}`;
    if (tl > lsLen - 4) {
      this.s += `\n\t    Bogus length ${tl} > ${lsLen - 4}`;
      return null;
    }
    if (type === 0 || tl === 0) return null;
    return { type, tl };
  }

  grace(t: number, lsLen: number): boolean {
    const b = this.b;
    while (lsLen > 0) {
      const h = this.tlvHead(t, lsLen, GRACE_TLV, (type, tl) => ` TLV (${type}), length ${tl}, value: `);
      if (!h) return false;
      const type = h.type;
      let tl = h.tl;
      t += 4;
      lsLen -= 4;
      if (!b.has(t, tl)) return false;
      switch (type) {
        case 1:
          if (tl !== 4) {
            this.s += `\n\t    Bogus length ${tl} != 4`;
            return false;
          }
          this.s += `${b.u32(t)}s`;
          break;
        case 2:
          if (tl !== 1) {
            this.s += `\n\t    Bogus length ${tl} != 1`;
            return false;
          }
          this.s += `${GRACE_REASON.get(b.u8(t)) ?? 'Unknown'} (${b.u8(t)})`;
          break;
        case 3:
          if (tl !== 4) {
            this.s += `\n\t    Bogus length ${tl} != 4`;
            return false;
          }
          this.s += b.ipv4(t);
          break;
        default:
          if (this.v <= 1 && !this.unknown(t, tl, '\n\t      ')) return false;
      }
      if (tl % 4) tl += 4 - (tl % 4);
      lsLen -= tl;
      t += tl;
    }
    return true;
  }

  te(t: number, lsLen: number): boolean {
    const b = this.b;
    while (lsLen !== 0) {
      const h = this.tlvHead(t, lsLen, TE_TLV, (type, tl) => ` TLV (${type}), length: ${tl}`);
      if (!h) return false;
      const type = h.type;
      let tl = h.tl;
      t += 4;
      lsLen -= 4;
      if (type === 2) {
        let st = t;
        let rest = tl;
        while (rest !== 0) {
          if (rest < 4) {
            this.s += `\n\t    Remaining TLV length ${rest} < 4`;
            return false;
          }
          const sub = b.u16(st);
          let sl = b.u16(st + 2);
          st += 4;
          rest -= 4;
          if (sub === 0 || sl === 0) {
            this.s += ' (invalid)';
            return false;
          }
          this.s += `\n\t      ${TE_SUBTLV.get(sub) ?? 'unknown'} subTLV (${sub}), length: ${sl}`;
          if (rest < sl) {
            this.s += `\n\t    Remaining TLV length ${rest + 4} < ${sl + 4}`;
            return false;
          }
          if (!b.has(st, sl)) return false;
          const bad = (why: string): boolean => {
            this.s += `${why} (invalid)`;
            return false;
          };
          switch (sub) {
            case 9:
              if (sl !== 4) return bad(' != 4');
              this.s += `, 0x${hex(b.u32(st), 8)}`;
              break;
            case 2:
            case 11:
              if (sl !== 4 && sl !== 8) return bad(' != 4 && != 8');
              this.s += `, ${b.ipv4(st)} (0x${hex(b.u32(st), 8)})`;
              if (sl === 8) this.s += `, ${b.ipv4(st + 4)} (0x${hex(b.u32(st + 4), 8)})`;
              break;
            case 3:
            case 4:
              if (sl !== 4) return bad(' != 4');
              this.s += `, ${b.ipv4(st)}`;
              break;
            case 6:
            case 7:
              if (sl !== 4) return bad(' != 4');
              this.s += `, ${mbps(b.u32(st))} Mbps`;
              break;
            case 8:
              if (sl !== 32) return bad(' != 32');
              for (let c = 0; c < 8; c++) this.s += `\n\t\tTE-Class ${c}: ${mbps(b.u32(st + c * 4))} Mbps`;
              break;
            case 17:
              if (sl < 4) return bad(' < 4');
              this.s += `\n\t\tBandwidth Constraints Model ID: ${BC_MODEL.get(b.u8(st)) ?? 'unknown'} (${b.u8(st)})`;
              if (sl % 4 !== 0) return bad(`\n\t\tlength ${sl} != N x 4`);
              if (sl > 36) return bad(`\n\t\tlength ${sl} > 36`);
              for (let c = 0; c < (sl - 4) / 4; c++) this.s += `\n\t\t  Bandwidth constraint CT${c}: ${mbps(b.u32(st + 4 + c * 4))} Mbps`;
              break;
            case 5:
              if (sl !== 4) return bad(' != 4');
              this.s += `, Metric ${b.u32(st)}`;
              break;
            case 14:
              if (sl !== 4) return bad(' != 4');
              this.s += `, ${bits(b.u8(st), GMPLS_LINK_PROT)}`;
              break;
            case 15:
              if (sl < 36) return bad(' < 36');
              this.s += `\n\t\tInterface Switching Capability: ${GMPLS_SWITCH_CAP.get(b.u8(st)) ?? 'Unknown'}`;
              this.s += `\n\t\tLSP Encoding: ${GMPLS_ENCODING.get(b.u8(st + 1)) ?? 'Unknown'}\n\t\tMax LSP Bandwidth:`;
              for (let l = 0; l < 8; l++) this.s += `\n\t\t  priority level ${l}: ${mbps(b.u32(st + 4 + l * 4))} Mbps`;
              break;
            case 1:
              if (sl !== 1) return bad(' != 1');
              this.s += `, ${LINK_TYPE.get(b.u8(st)) ?? 'unknown'} (${b.u8(st)})`;
              break;
            case 16: {
              if (sl % 4 !== 0) return bad(' != N x 4');
              let n = sl / 4;
              if (n !== 0) this.s += '\n\t\t  Shared risk group: ';
              // tcpdump advances its pointer over the groups and then again by the length.
              let g = st;
              while (n > 0) {
                this.s += `${b.u32(g)}`;
                g += 4;
                n--;
                if (n > 0) this.s += ', ';
              }
              st = g;
              break;
            }
            default:
              if (this.v <= 1 && !this.unknown(st, sl, '\n\t\t')) return false;
          }
          if (sl % 4) sl += 4 - (sl % 4);
          if (rest < sl) {
            this.s += `\n\t    Remaining TLV length ${rest + 4} < ${sl + 4}`;
            return false;
          }
          rest -= sl;
          st += sl;
        }
        // tcpdump walks the sub-TLVs with the TLV's own pointer and length, so after them
        // it steps over nothing more while the LSA length still counts the whole TLV.
        t = st;
        tl = 0;
      } else if (type === 1) {
        if (tl < 4) {
          this.s += `\n\t    TLV length ${tl} < 4`;
          return false;
        }
        this.s += `, ${b.ipv4(t)}`;
      } else if (this.v <= 1 && !this.unknown(t, tl, '\n\t      ')) return false;
      if (tl % 4) tl += 4 - (tl % 4);
      if (tl > lsLen) {
        this.s += `\n\t    Bogus padded length ${tl} > ${lsLen}`;
        return false;
      }
      lsLen -= tl;
      t += tl;
    }
    return true;
  }

  private tosMetrics(o: number): void {
    const b = this.b;
    let count = b.u8(o + 9) + 1;
    let n = 0;
    let t = o + 8;
    while (count !== 0) {
      const type = n ? b.u8(t) : 0;
      this.s += `\n\t\ttopology ${TOPOLOGY.get(type) ?? 'Unknown'} (${type}), metric ${b.u16(t + 2)}`;
      n++;
      t += 4;
      count--;
    }
  }

  /** ospf_print_lsa: the end of the LSA, or -1 where tcpdump gives up (truncation). */
  lsa(o: number): number {
    const b = this.b;
    const r = this.lshdr(o);
    if (r < 0) return -1;
    const lsEnd = o + r;
    const lsLen = r - 20;
    const body = o + 20;
    const need = (at: number, n: number): void => {
      if (!b.has(at, n)) throw new Truncated();
    };
    switch (b.u8(o + 3)) {
      case 1: {
        this.s += `\n\t    Router LSA Options: [${bits(b.u8(body), RLA_FLAGS)}]`;
        const count = b.u16(body + 2);
        need(body + 4, 12);
        let rl = body + 4;
        for (let i = count; i !== 0; i--) {
          need(rl, 12);
          const lt = b.u8(rl + 8);
          const id = b.ipv4(rl);
          const data = b.ipv4(rl + 4);
          if (lt === 4) this.s += `\n\t      Virtual Link: Neighbor Router-ID: ${id}, Interface Address: ${data}`;
          else if (lt === 1) this.s += `\n\t      Neighbor Router-ID: ${id}, Interface Address: ${data}`;
          else if (lt === 2) this.s += `\n\t      Neighbor Network-ID: ${id}, Interface Address: ${data}`;
          else if (lt === 3) this.s += `\n\t      Stub Network: ${id}, Mask: ${data}`;
          else {
            this.s += `\n\t      Unknown Router Link Type (${lt})`;
            return lsEnd;
          }
          this.tosMetrics(rl);
          rl += 12 + b.u8(rl + 9) * 4;
        }
        break;
      }
      case 2:
        this.s += `\n\t    Mask ${b.ipv4(body)}\n\t    Connected Routers:`;
        for (let a = body + 4; a < lsEnd; a += 4) this.s += `\n\t      ${b.ipv4(a)}`;
        break;
      case 3:
      case 4: {
        if (b.u8(o + 3) === 3) {
          need(body, 4);
          this.s += `\n\t    Mask ${b.ipv4(body)}`;
        }
        need(body + 4, 4);
        for (let l = body + 4; l < lsEnd; l += 4) {
          const ul = b.u32(l);
          const top = (ul & 0x7f000000) >>> 24;
          this.s += `\n\t\ttopology ${TOPOLOGY.get(top) ?? 'Unknown'} (${top}) metric ${ul & 0xffffff}`;
        }
        break;
      }
      case 5:
      case 7: {
        need(body, 4);
        this.s += `\n\t    Mask ${b.ipv4(body)}`;
        need(body + 4, 4);
        for (let a = body + 4; a < lsEnd; a += 12) {
          const ul = b.u32(a);
          const top = (ul & 0x7f000000) >>> 24;
          this.s += `\n\t\ttopology ${TOPOLOGY.get(top) ?? 'Unknown'} (${top}), type ${ul & 0x80000000 ? 2 : 1}, metric`;
          this.s += (ul & 0xffffff) === 0xffffff ? ' infinite' : ` ${ul & 0xffffff}`;
          if (b.u32(a + 4) !== 0) this.s += `, forward ${b.ipv4(a + 4)}`;
          if (b.u32(a + 8) !== 0) this.s += `, tag ${b.ipv4(a + 8)}`;
        }
        break;
      }
      case 6:
        for (let m = body; m < lsEnd; m += 8) {
          const vt = b.u32(m);
          if (vt === 1) this.s += `\n\t    Router Router-ID ${b.ipv4(m + 4)}`;
          else if (vt === 2) this.s += `\n\t    Network Designated Router ${b.ipv4(m + 4)}`;
          else this.s += `\n\t    unknown VertexType (${vt})`;
        }
        break;
      case 9:
      case 10:
      case 11:
        switch (b.u8(o + 4)) {
          case 4: {
            let t = body;
            let rest = lsLen;
            while (rest !== 0) {
              need(t, 4);
              if (rest < 4) {
                this.s += `\n\t    Remaining LS length ${rest} < 4`;
                return lsEnd;
              }
              const type = b.u16(t);
              const tl = b.u16(t + 2);
              t += 4;
              rest -= 4;
              this.s += `\n\t    ${type === 1 ? 'Router Capabilities' : 'unknown'} TLV (${type}), length: ${tl}, value: `;
              if (tl > rest) {
                this.s += `\n\t    Bogus length ${tl} > remaining LS length ${rest}`;
                return lsEnd;
              }
              need(t, tl);
              if (type === 1) {
                if (tl !== 4) {
                  this.s += `\n\t    Bogus length ${tl} != 4`;
                  return lsEnd;
                }
                this.s += `Capabilities: ${bits(b.u32(t), RI_CAP, 'Unknown')}`;
              } else if (this.v <= 1 && !this.unknown(t, tl, '\n\t      ')) return lsEnd;
              t += tl;
              rest -= tl;
            }
            break;
          }
          case 3:
            if (!this.grace(body, lsLen)) return lsEnd;
            break;
          case 1:
            if (!this.te(body, lsLen)) return lsEnd;
            break;
          default:
            if (this.v <= 1 && !this.unknown(body, lsLen, '\n\t    ')) return lsEnd;
        }
    }
    if (this.v > 1 && !this.unknown(body, lsLen, '\n\t    ')) return lsEnd;
    return lsEnd;
  }
}

/**
 * The text after `OSPFv2, <type>, length N` with -v (`len` is that printed length: the MD5
 * trailer already left out): the header's ids and authentication, then Hello, Database
 * Description (with its LSA headers), LS-Request, LS-Update (every LSA: router, network,
 * summary, external/NSSA, multicast group, opaque router information, grace and traffic
 * engineering TLVs; -vv adds each LSA's hex) and LS-Ack (headers read until the capture ends,
 * as tcpdump does, so it ends in ` [|ospf2]`), and the LLS block. A read beyond the capture
 * ends the text with ` [|ospf2]` (the caller dumps from the frame start then).
 */
export function ospf2Verbose(p: Uint8Array, off: number, len: number, end: number, verbose = 1): string | null {
  if (end < off + 24) return null;
  const type = p[off + 1]!;
  if (type < 1 || type > 5) return '';
  const auth = be16(p, off + 14);
  // The MD5 trailer is outside what tcpdump decodes.
  if (auth === 2) end = Math.min(end, off + len + 16) - 16;
  const b = new Bytes(p, end);
  const o2 = new Ospf2(b, verbose);
  const olen = be16(p, off + 2);
  let s = olen !== len ? ` [len ${olen}]` : '';
  const dataend = off + Math.min(len, olen);
  s += `\n\tRouter-ID ${ipv4At(p, off + 4)}`;
  s += be32(p, off + 8) !== 0 ? `, Area ${ipv4At(p, off + 8)}` : ', Backbone Area';
  s += `, Authentication Type: ${['none', 'simple', 'MD5'][auth] ?? 'unknown'} (${auth})`;
  if (auth > 2) return s;
  if (auth === 1) {
    s += '\n\tSimple text password: ';
    for (let i = 0; i < 8 && p[off + 16 + i] !== 0; i++) s += printChar(p[off + 16 + i]!);
  }
  if (auth === 2) s += `\n\tKey-ID: ${p[off + 18]}, Auth-Length: ${p[off + 19]}, Crypto Sequence Number: 0x${be32(p, off + 20).toString(16).padStart(8, '0')}`;
  const body = off + 24;
  let opts = 0;
  o2.s = s;
  try {
    switch (type) {
      case 1: {
        opts = b.u8(body + 6);
        o2.s += `\n\tOptions [${bits(opts, OPTIONS2)}]`;
        o2.s += `\n\t  Hello Timer ${b.u16(body + 4)}s, Dead Timer ${b.u32(body + 8)}s, Mask ${b.ipv4(body)}, Priority ${b.u8(body + 7)}`;
        if (b.u32(body + 12) !== 0) o2.s += `\n\t  Designated Router ${b.ipv4(body + 12)}`;
        if (b.u32(body + 16) !== 0) o2.s += `, Backup Designated Router ${b.ipv4(body + 16)}`;
        if (body + 20 < dataend) o2.s += '\n\t  Neighbor List:';
        for (let a = body + 20; a < dataend; a += 4) o2.s += `\n\t    ${b.ipv4(a)}`;
        break;
      }
      case 2: {
        opts = b.u8(body + 2);
        o2.s += `\n\tOptions [${bits(opts, OPTIONS2)}]`;
        o2.s += `, DD Flags [${bits(b.u8(body + 3), DD2_FLAGS)}]`;
        if (b.u16(body)) o2.s += `, MTU: ${b.u16(body)}`;
        o2.s += `, Sequence: 0x${hex(b.u32(body + 4), 8)}`;
        for (let o = body + 8; o < dataend && o2.lshdr(o) !== -1; o += 20);
        break;
      }
      case 3:
        for (let o = body; o < dataend; o += 12) {
          b.need(o, 12);
          const t = b.u32(o);
          o2.s += `\n\t  Advertising Router: ${b.ipv4(o + 8)}, ${lsaName(t)} LSA (${t})`;
          if (t >= 9 && t <= 11) o2.s += `, Opaque-Type: ${OPAQUE.get(b.u8(o + 4)) ?? 'unknown'} LSA (${b.u8(o + 4)}), Opaque-ID: ${b.u24(o + 5)}`;
          else o2.s += `, LSA-ID: ${b.ipv4(o + 4)}`;
        }
        break;
      case 4: {
        const count = b.u32(body);
        o2.s += `, ${count} LSA${count === 1 ? '' : 's'}`;
        let o = body + 4;
        for (let i = 1; i <= count; i++) {
          o2.s += `\n\t  LSA #${i}`;
          const next = o2.lsa(o);
          if (next < 0) throw new Truncated();
          o = next;
        }
        break;
      }
      case 5:
        for (let o = body; o2.lshdr(o) !== -1; o += 20);
        break;
    }
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    return `${o2.s} [|ospf2]`;
  }
  s = o2.s;
  if (len > olen) {
    // Link-local signalling (RFC 4813) after the packet, for Hello and DD with the L option.
    if (!(opts & 0x10)) return s;
    let d = off + olen;
    let l2 = olen;
    const de = off + len;
    if (auth === 2) {
      d += p[off + 19]!;
      l2 += p[off + 19]!;
    }
    if (l2 >= len) return `${s}\n\t[LLS truncated]`;
    if (end < d + 4) return null;
    s += `\n\t  LLS: checksum: 0x${be16(p, d).toString(16).padStart(4, '0')}, length: ${be16(p, d + 2)}`;
    d += 4;
    while (d < de) {
      if (end < d + 4) return null;
      const t = be16(p, d);
      let l = be16(p, d + 2);
      s += `\n\t    ${t === 1 ? 'Extended Options' : t === 2 ? 'MD5 Authentication' : 'Unknown TLV'} (${t}), length: ${l}`;
      d += 4;
      if (t === 1) {
        if (l !== 4) {
          s += ' [should be 4]';
          l = 4;
        }
        if (end < d + 4) return null;
        const f = be32(p, d);
        const n = ([[1, 'LSDB resync'], [2, 'Restart']] as const).filter(([bit]) => f & bit).map(([, x]) => x);
        s += `\n\t      Options: 0x${f.toString(16).padStart(8, '0')} [${n.length ? n.join(', ') : '?'}]`;
      } else if (t === 2) {
        if (l !== 20) {
          s += ' [should be 20]';
          l = 20;
        }
        if (end < d + 4) return null;
        s += `\n\t      Sequence number: 0x${be32(p, d).toString(16).padStart(8, '0')}`;
      }
      d += l;
    }
  }
  return s;
}
