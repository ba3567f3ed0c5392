/**
 * IS-IS with -v and -vv, as tcpdump 4.99.3 prints it: `IS-IS, length N`, then the common header
 * (`L2 LSP, hlen: 27, v: 1, pdu-v: 1, sys-id-len: 6 (0), max-area: 3 (0)`), the PDU type's own
 * header (source and LAN IDs, LSP ID with its Fletcher checksum verified, CSNP ranges), and
 * every TLV by name with its contents (area addresses, neighbours, IPv4/IPv6 reachability with
 * sub-TLVs, hostnames, restart signalling, point-to-point adjacency, router capability, …).
 * Unknown TLVs and sub-TLVs are shown as hex; -vv adds the raw header and TLV bytes.
 *
 * Technique: a cursor over the captured bytes whose reads throw when a field lies beyond the
 * capture, which ends the text with tcpdump's ` [|isis]` as its bounds-checked reads do. The
 * decoding follows the same order and the same (sometimes surprising) length rules as tcpdump,
 * e.g. the point-to-point adjacency TLV reads its fields at fixed offsets. TLVs whose decoders
 * depend on tables not reproduced here (vendor OUIs, SPB sub-TLVs, HMAC-MD5 signatures, GMPLS
 * switching capabilities) mark the packet approximate.
 */
import { ipv4At, ipv6At } from '../addr.ts';
import { be16, be32, bitNames, hex, hexPrint, safeChar, type L2Options } from './l2.ts';

class Truncated extends Error {}

const PDU_NAMES: ReadonlyMap<number, string> = new Map([
  [15, 'L1 Lan IIH'], [16, 'L2 Lan IIH'], [17, 'p2p IIH'], [18, 'L1 LSP'], [20, 'L2 LSP'],
  [24, 'L1 CSNP'], [25, 'L2 CSNP'], [26, 'L1 PSNP'], [27, 'L2 PSNP'],
]);

const TLV_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'Area address(es)'], [2, 'IS Reachability'], [3, 'ES Neighbor(s)'], [4, 'Partition DIS'], [5, 'Prefix Neighbors'],
  [6, 'IS Neighbor(s)'], [7, 'Instance Identifier'], [8, 'Padding'], [9, 'LSP entries'], [10, 'Authentication'],
  [12, 'Checksum'], [13, 'Purge Originator Identifier'], [14, 'LSP Buffersize'], [22, 'Extended IS Reachability'],
  [24, 'IS Alias ID'], [42, 'DECnet Phase IV'], [66, 'Lucent Proprietary'], [128, 'IPv4 Internal Reachability'],
  [129, 'Protocols supported'], [130, 'IPv4 External Reachability'], [131, 'Inter-Domain Information Type'],
  [132, 'IPv4 Interface address(es)'], [133, 'IPv4 authentication (deprecated)'], [134, 'Traffic Engineering Router ID'],
  [135, 'Extended IPv4 Reachability'], [138, 'Shared Risk Link Group'], [143, 'Multi-Topology-Aware Port Capability'],
  [144, 'Multi-Topology Capability'], [176, 'Nortel Proprietary'], [177, 'Nortel Proprietary'], [137, 'Hostname'],
  [211, 'Restart Signaling'], [222, 'Multi Topology IS Reachability'], [229, 'Multi Topology'],
  [232, 'IPv6 Interface address(es)'], [235, 'Multi-Topology IPv4 Reachability'], [236, 'IPv6 reachability'],
  [237, 'Multi-Topology IP6 Reachability'], [240, 'Point-to-point Adjacency State'], [241, 'Hello PDU Sequence Number'],
  [242, 'IS-IS Router Capability'], [250, 'Vendor Private'],
]);

export const NLPID_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'NULL'], [0x08, 'Q.933'], [0x09, 'LMI'], [0x80, 'SNAP'], [0x81, 'CLNP'], [0x82, 'ES-IS'], [0x83, 'IS-IS'],
  [0x84, 'CONS'], [0x85, 'IDRP'], [0xc1, 'ISIS_SPB'], [0xb1, 'FRF.15'], [0xcc, 'IPv4'], [0xcf, 'PPP'],
  [0x8a, 'X25 ES-IS'], [0x8e, 'IPv6'],
]);

const CIRCUIT_TYPES = ['', 'Level 1 only', 'Level 2 only', 'Level 1, Level 2'];
const LSP_IS_TYPES = ['Unused 0x0 (invalid)', 'L1 IS', 'Unused 0x2 (invalid)', 'L2 IS'];
const PTP_ADJ = ['Up', 'Initializing', 'Down'];
const RESTART_FLAGS: ReadonlyArray<readonly [number, string]> = [[1, 'Restart Request'], [2, 'Restart Acknowledgement'], [4, 'Suppress adjacency advertisement']];
const ROUTER_CAP_FLAGS: ReadonlyArray<readonly [number, string]> = [[1, 'S bit'], [2, 'D bit']];
const SR_CAP_FLAGS: ReadonlyArray<readonly [number, string]> = [[0x80, 'ipv4'], [0x40, 'ipv6']];
const PREFIX_SID_FLAGS: ReadonlyArray<readonly [number, string]> = [[0x80, 'Readvertisement'], [0x40, 'Node'], [0x20, 'No-PHP'], [0x10, 'Explicit NULL'], [0x08, 'Value'], [0x04, 'Local']];
const LAN_ADJ_SID_FLAGS: ReadonlyArray<readonly [number, string]> = [[0x80, 'Address family IPv6'], [0x40, 'Backup'], [0x20, 'Value'], [0x10, 'Local significance'], [0x08, 'Set of adjacencies'], [0x04, 'Persistent']];
const LINK_ATTR_FLAGS: ReadonlyArray<readonly [number, string]> = [[1, 'Local Protection Available'], [2, 'Link excluded from local protection path'], [4, 'Local maintenance required']];
const LINK_PROT_FLAGS: ReadonlyArray<readonly [number, string]> = [[1, 'Extra Traffic'], [2, 'Unprotected'], [4, 'Shared'], [8, 'Dedicated 1:1'], [0x10, 'Dedicated 1+1'], [0x20, 'Enhanced'], [0x40, 'Reserved'], [0x80, 'Reserved']];
const MT_FLAGS: ReadonlyArray<readonly [number, string]> = [[0x4000, 'ATT bit set'], [0x8000, 'Overload bit set']];
const MT_NAMES: ReadonlyMap<number, string> = new Map([[0, 'IPv4 unicast'], [1, 'In-Band Management'], [2, 'IPv6 unicast'], [3, 'Multicast'], [4095, 'Development, Experimental or Proprietary']]);
const BC_MODELS: ReadonlyMap<number, string> = new Map([[0, 'Russian dolls'], [1, 'Maximum allocation'], [254, 'Maximum allocation with E-LSP support']]);
const AUTH_NAMES: ReadonlyMap<number, string> = new Map([[1, 'simple text password'], [3, 'Generic Crypto key-id'], [54, 'HMAC-MD5 password'], [255, 'Routing Domain private password']]);
const IDRP_NAMES: ReadonlyMap<number, string> = new Map([[0, 'Reserved'], [1, 'Routing-Domain Specific'], [2, 'AS Number Tag']]);

const EXT_IS_SUBTLVS: ReadonlyMap<number, string> = new Map([
  [3, 'Administrative groups'], [4, 'Link Local/Remote Identifier'], [5, 'Link Remote Identifier'], [6, 'IPv4 interface address'],
  [8, 'IPv4 neighbor address'], [9, 'Maximum link bandwidth'], [10, 'Reservable link bandwidth'], [11, 'Unreserved bandwidth'],
  [18, 'Traffic Engineering Metric'], [19, 'Link Attribute'], [20, 'Link Protection Type'], [21, 'Interface Switching Capability'],
  [12, 'Bandwidth Constraints (old)'], [22, 'Bandwidth Constraints'], [32, 'LAN Adjacency Segment Identifier'], [29, 'SPB Metric'],
  [250, 'Reserved for cisco specific extensions'], [251, 'Reserved for cisco specific extensions'], [252, 'Reserved for cisco specific extensions'],
  [253, 'Reserved for cisco specific extensions'], [254, 'Reserved for cisco specific extensions'], [255, 'Reserved for future expansion'],
]);
const EXT_IP_SUBTLVS: ReadonlyMap<number, string> = new Map([[1, '32-Bit Administrative tag'], [2, '64-Bit Administrative tag'], [3, 'Prefix SID'], [117, 'Management Prefix Color']]);

/** tcpdump's OSI Fletcher checksum (ISO 8473-1 Annex C) over `len` bytes with the field at `ck`. */
export function osiChecksum(p: Uint8Array, off: number, ck: number, len: number): number {
  let c0 = 0;
  let c1 = 0;
  for (let i = 0; i < len; i++) {
    if (i !== ck && i !== ck + 1) c0 += p[off + i]!;
    c1 += c0;
  }
  c0 %= 255;
  c1 %= 255;
  const mul = Math.imul(len - ck, c0) >>> 0;
  let x = (mul - c0 - c1) | 0;
  let y = (c1 - mul - 1) | 0;
  if (y >= 0) y++;
  if (x < 0) x--;
  x %= 255;
  y %= 255;
  if (x === 0) x = 255;
  if (y === 0) y = 255;
  return ((x << 8) | (y & 0xff)) & 0xffff;
}

/** A float32 bandwidth (bytes/s) as tcpdump's `%.3f Mbps`. */
function mbps(bits: number): string {
  const f = new DataView(new Uint32Array([bits]).buffer).getFloat32(0, true);
  return `${Math.fround(Math.fround(f * 8) / 1000000).toFixed(3)} Mbps`;
}

function mask2plen(mask: number): number {
  for (let n = 32; n >= 0; n--) if ((n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0) === mask) return n;
  return -1;
}

/** The printer: `s` accumulates the text; reads throw Truncated past the capture. */
class Isis {
  s = '';
  approx = false;

  constructor(
    private readonly p: Uint8Array,
    private readonly end: number,
    private readonly vflag: number,
  ) {}

  need(off: number, len: number): void {
    if (off < 0 || off + len > this.end) throw new Truncated();
  }
  u8(o: number): number {
    this.need(o, 1);
    return this.p[o]!;
  }
  u16(o: number): number {
    this.need(o, 2);
    return be16(this.p, o);
  }
  u24(o: number): number {
    this.need(o, 3);
    return (this.p[o]! << 16) | be16(this.p, o + 1);
  }
  u32(o: number): number {
    this.need(o, 4);
    return be32(this.p, o);
  }
  ip4(o: number): string {
    this.need(o, 4);
    return ipv4At(this.p, o);
  }

  /** isis_print_id: 6-byte system ID, `.nn` pseudonode (7), `-nn` fragment (8). */
  id(o: number, len: number): string {
    this.need(o, len);
    let s = '';
    for (let i = 1; i <= Math.min(6, len); i++) {
      s += hex(this.p[o + i - 1]!, 2);
      if (i === 2 || i === 4) s += '.';
    }
    if (len >= 7) s += `.${hex(this.p[o + 6]!, 2)}`;
    if (len === 8) s += `-${hex(this.p[o + 7]!, 2)}`;
    return s;
  }

  nsap(o: number, len: number): string {
    this.need(o, len);
    if (len < 1 || len > 20) return 'isonsap_string: illegal length';
    let s = '';
    for (let i = 0; i < len; i++) {
      s += hex(this.p[o + i]!, 2);
      if ((i & 1) === 0 && i + 1 < len) s += '.';
    }
    return s;
  }

  unknown(o: number, len: number, indent: string): void {
    this.s += hexPrint(this.p, o, len, this.end, indent);
  }

  metricBlock(o: number): void {
    const m = (b: number): string => `${b & 0x3f}, ${b & 0x40 ? 'External' : 'Internal'}`;
    this.s += `, Default Metric: ${m(this.u8(o))}`;
    if (!(this.u8(o + 1) & 0x80)) this.s += `\n\t\t  Delay Metric: ${m(this.p[o + 1]!)}`;
    if (!(this.u8(o + 2) & 0x80)) this.s += `\n\t\t  Expense Metric: ${m(this.p[o + 2]!)}`;
    if (!(this.u8(o + 3) & 0x80)) this.s += `\n\t\t  Error Metric: ${m(this.p[o + 3]!)}`;
  }

  /**
   * Old-style IS or ES neighbors (TLVs 2 and 3): each the four metric bytes then an ID of idLen
   * bytes; a short tail ends the list unprinted.
   */
  neighbors(t: number, tlen: number, kind: 'IS' | 'ES', idLen: number): void {
    const size = 4 + idLen;
    while (tlen !== 0) {
      if (tlen < size) return;
      this.need(t, size);
      this.s += `\n\t      ${kind} Neighbor: ${this.id(t + 4, idLen)}`;
      this.metricBlock(t);
      tlen -= size;
      t += size;
    }
  }

  /**
   * The entries of an extended reachability TLV (after its multi-topology ID when withMtid), each
   * printed by entry, which returns the bytes it took (0: truncated); an entry longer than the
   * TLV's rest is marked invalid and ends the list.
   */
  reachEntries(t: number, tlen: number, withMtid: boolean, entry: (o: number, left: number) => number): void {
    if (withMtid) {
      const m = this.mtid(t, tlen, '\n\t      ');
      if (m === 0) throw new Truncated();
      t += m;
      tlen -= m;
    }
    while (tlen !== 0) {
      const n = entry(t, tlen);
      if (n === 0) throw new Truncated();
      if (tlen < n) {
        this.s += ` [remaining tlv length ${tlen} < ${n}] (invalid)`;
        break;
      }
      tlen -= n;
      t += n;
    }
  }

  /** Old-style IP reachability (TLVs 128/130): false when the TLV is short (printing stops). */
  ipReach(o: number, len: number, ident: string): boolean {
    while (len > 0) {
      if (len < 12) {
        this.s += `short IPv4 Reachability (${len} vs 12)`;
        return false;
      }
      this.need(o, 12);
      const plen = mask2plen(be32(this.p, o + 8));
      if (plen === -1) this.s += `${ident}IPv4 prefix: ${ipv4At(this.p, o + 4)} mask ${ipv4At(this.p, o + 8)}`;
      else this.s += `${ident}IPv4 prefix: ${ipv4At(this.p, o + 4).padStart(15)}/${plen}`;
      const d = this.p[o]!;
      this.s += `, Distribution: ${d & 0x80 ? 'down' : 'up'}, Metric: ${d & 0x3f}, ${d & 0x40 ? 'External' : 'Internal'}`;
      const names = ['Delay', 'Expense', 'Error'];
      for (let i = 1; i <= 3; i++) {
        const b = this.p[o + i]!;
        if (!(b & 0x80)) this.s += `${ident}  ${names[i - 1]} Metric: ${b & 0x3f}, ${b & 0x40 ? 'External' : 'Internal'}`;
      }
      len -= 12;
      o += 12;
    }
    return true;
  }

  mtid(o: number, remaining: number, ident: string): number {
    if (remaining < 2) return 0;
    const v = this.u16(o);
    this.s += `${ident}${MT_NAMES.get(v & 0xfff) ?? 'Reserved for IETF Consensus'} Topology (0x${hex(v & 0xfff, 3)}), Flags: [${bitNames(MT_FLAGS, v & 0xf000, 'none')}]`;
    return 2;
  }

  /** Extended IS reachability entry (TLVs 22, 24, 222): bytes used, 0 on error. */
  extIsReach(o: number, ident: string, tlvType: number, remaining: number): number {
    this.need(o, 7);
    if (remaining < 7) return 0;
    this.s += `${ident}IS Neighbor: ${this.id(o, 7)}`;
    o += 7;
    remaining -= 7;
    let proc = 7;
    if (tlvType !== 24) {
      const m = this.u24(o);
      if (remaining < 3) return 0;
      this.s += `, Metric: ${m}`;
      o += 3;
      remaining -= 3;
      proc += 3;
    }
    let sum = this.u8(o);
    if (remaining < 1) return 0;
    o++;
    remaining--;
    proc++;
    this.s += `, ${sum ? '' : 'no '}sub-TLVs present`;
    if (sum === 0) return proc;
    this.s += ` (${sum})`;
    ident += '  ';
    while (sum !== 0) {
      this.need(o, 2);
      if (remaining < 2) {
        this.s += `${ident}Remaining data in TLV shorter than a subTLV header`;
        proc += remaining;
        break;
      }
      if (sum < 2) {
        this.s += `${ident}Remaining data in subTLVs shorter than a subTLV header`;
        proc += sum;
        break;
      }
      const st = this.p[o]!;
      let sl = this.p[o + 1]!;
      o += 2;
      remaining -= 2;
      sum -= 2;
      proc += 2;
      this.s += `${ident}${EXT_IS_SUBTLVS.get(st) ?? 'unknown'} subTLV #${st}, length: ${sl}`;
      if (sum < sl) {
        this.s += ' (remaining data in subTLVs shorter than the current subTLV)';
        proc += sum;
        break;
      }
      if (remaining < sl) {
        this.s += ' (> remaining tlv length)';
        proc += remaining;
        break;
      }
      this.need(o, sl);
      switch (st) {
        case 3:
        case 4:
        case 5:
          if (sl >= 4) {
            this.s += `, 0x${hex(be32(this.p, o), 8)}`;
            if (sl === 8) this.s += `, 0x${hex(be32(this.p, o + 4), 8)}`;
          }
          break;
        case 6:
        case 8:
          if (sl >= 4) this.s += `, ${ipv4At(this.p, o)}`;
          break;
        case 9:
        case 10:
          if (sl >= 4) this.s += `, ${mbps(be32(this.p, o))}`;
          break;
        case 11:
          if (sl >= 32) {
            for (let c = 0; c < 8; c++) {
              this.s += `${ident}  TE-Class ${c}: ${mbps(be32(this.p, o))}`;
              o += 4;
              sl -= 4;
              sum -= 4;
              proc += 4;
            }
          }
          break;
        case 12:
        case 22:
          if (sl === 0) break;
          this.s += `${ident}Bandwidth Constraints Model ID: ${BC_MODELS.get(this.p[o]!) ?? 'unknown'} (${this.p[o]})`;
          o++;
          sl--;
          sum--;
          proc++;
          for (let c = 0; sl !== 0; c++) {
            if (sl < 4) break;
            this.s += `${ident}  Bandwidth constraint CT${c}: ${mbps(be32(this.p, o))}`;
            o += 4;
            sl -= 4;
            sum -= 4;
            proc += 4;
          }
          break;
        case 18:
          if (sl >= 3) this.s += `, ${this.u24(o)}`;
          break;
        case 19:
          if (sl === 2) this.s += `, [ ${bitNames(LINK_ATTR_FLAGS, be16(this.p, o), 'Unknown')} ] (0x${hex(be16(this.p, o), 4)})`;
          break;
        case 20:
          if (sl >= 2) this.s += `, ${bitNames(LINK_PROT_FLAGS, this.p[o]!, 'none')}, Priority ${this.p[o + 1]}`;
          break;
        case 29:
          if (sl >= 6) {
            this.s += `, LM: ${this.u24(o)}, P: ${this.p[o + 3]}, P-ID: ${be16(this.p, o + 4)}`;
            o += 4;
            sl -= 4;
            sum -= 4;
            proc += 4;
          }
          break;
        case 21:
          if (sl >= 36) this.approx = true;
          else break;
          this.unknown(o, sl, '\n\t\t    ');
          break;
        case 32:
          if (sl >= 8) {
            const f = this.p[o]!;
            this.s += `${ident}  Flags: [${bitNames(LAN_ADJ_SID_FLAGS, f, 'none')}]${ident}  Weight: ${this.p[o + 1]}`;
            o += 2;
            sl -= 2;
            sum -= 2;
            proc += 2;
            if (sl >= 6) this.s += `${ident}  Neighbor System-ID: ${this.id(o, 6)}`;
            const v = f & 0x20;
            const l = f & 0x10;
            if (v && l) this.s += `${ident}  Label: ${this.u24(o + 6)}`;
            else if (!v && !l) this.s += `${ident}  Index: ${this.u32(o + 6)}`;
            else this.s += ' (invalid)';
          }
          break;
        default:
          this.unknown(o, sl, '\n\t\t    ');
      }
      o += sl;
      remaining -= sl;
      sum -= sl;
      proc += sl;
    }
    return proc;
  }

  /** Extended IPv4 / IPv6 reachability entry (TLVs 135, 235, 236, 237): bytes used, 0 on error. */
  extdIpReach(o: number, ident: string, v6: boolean): number {
    const metric = this.u32(o);
    o += 4;
    let processed = 4;
    let status: number;
    let bits: number;
    if (!v6) {
      status = this.u8(o);
      o++;
      bits = status & 0x3f;
      if (bits > 32) {
        this.s += `${ident}IPv4 prefix: bad bit length ${bits}`;
        return 0;
      }
      processed++;
    } else {
      status = this.u8(o);
      bits = this.u8(o + 1);
      if (bits > 128) {
        this.s += `${ident}IPv6 prefix: bad bit length ${bits}`;
        return 0;
      }
      o += 2;
      processed += 2;
    }
    const bytes = Math.floor((bits + 7) / 8);
    this.need(o, bytes);
    const prefix = new Uint8Array(16);
    prefix.set(this.p.subarray(o, o + bytes));
    o += bytes;
    processed += bytes;
    if (!v6) this.s += `${ident}IPv4 prefix: ${ipv4At(prefix, 0).padStart(15)}/${bits}`;
    else this.s += `${ident}IPv6 prefix: ${ipv6At(prefix, 0)}/${bits}`;
    this.s += `, Distribution: ${status & 0x80 ? 'down' : 'up'}, Metric: ${metric}`;
    const sub = v6 ? status & 0x20 : status & 0x40;
    if (!v6 && sub) this.s += ', sub-TLVs present';
    else if (v6) this.s += `, ${status & 0x40 ? 'External' : 'Internal'}${sub ? ', sub-TLVs present' : ''}`;
    if (sub) {
      let sublen = this.u8(o);
      o++;
      processed += sublen + 1;
      this.s += ` (${sublen})`;
      while (sublen > 0) {
        const st = this.u8(o);
        const sl = this.u8(o + 1);
        o += 2;
        if (!this.ipReachSubtlv(o, st, sl, `${ident}  `)) return 0;
        o += sl;
        sublen = (sublen - (sl + 2)) >>> 0;
      }
    }
    return processed;
  }

  ipReachSubtlv(o: number, st: number, sl: number, ident: string): boolean {
    this.s += `${ident}${EXT_IP_SUBTLVS.get(st) ?? 'unknown'} subTLV #${st}, length: ${sl}`;
    if (o + sl > this.end) {
      this.s += ' [|isis]';
      return false;
    }
    switch (st) {
      case 117:
      case 1:
        while (sl >= 4) {
          const v = be32(this.p, o);
          this.s += `, 0x${hex(v, 8)} (=${v})`;
          o += 4;
          sl -= 4;
        }
        break;
      case 2:
        while (sl >= 8) {
          this.s += `, 0x${hex(be32(this.p, o), 8)}${hex(be32(this.p, o + 4), 8)}`;
          o += 8;
          sl -= 8;
        }
        break;
      case 3: {
        const flags = this.u8(o);
        const algo = this.u8(o + 1);
        let sid: number;
        if (flags & 0x08) {
          if (sl < 5) {
            this.s += ' [|isis]';
            return false;
          }
          sid = this.u24(o + 2);
        } else {
          if (sl < 6) {
            this.s += ' [|isis]';
            return false;
          }
          sid = this.u32(o + 2);
        }
        this.s += `, Flags [${bitNames(PREFIX_SID_FLAGS, flags, 'None')}], Algo ${['SPF', 'strict-SPF'][algo] ?? 'Unknown'} (${algo}), ${flags & 0x08 ? 'label' : 'index'} ${sid}`;
        break;
      }
      default:
        this.unknown(o, sl, '\n\t\t    ');
    }
    return true;
  }

  routerCapSubtlv(o: number, tlen: number): void {
    while (tlen >= 2) {
      const st = this.u8(o);
      const sl = this.u8(o + 1);
      tlen -= 2;
      o += 2;
      this.s += `\n\t\t${st === 2 ? 'SR-Capabilities' : 'unknown'} subTLV #${st}, length: ${sl}`;
      if (sl > tlen) break;
      this.need(o, sl);
      if (st === 2) {
        const flags = this.u8(o);
        this.s += `, Flags [${bitNames(SR_CAP_FLAGS, flags, 'None')}], Range ${this.u24(o + 1)}`;
        let sp = o + 4;
        let stl = (sl - 4) & 0xff;
        while (stl >= 5) {
          const type = this.u8(sp);
          const len = this.u8(sp + 1);
          stl -= 2;
          sp += 2;
          if (len > stl) break;
          if (type === 1) {
            if (len === 3) this.s += `, SID value ${this.u24(sp)}`;
            else if (len === 4) this.s += `, SID value ${this.u32(sp)}`;
            else this.s += `, Unknown SID length${len}`;
          } else this.unknown(sp, len, '\n\t\t  ');
          sp += len;
          stl -= len;
        }
      } else this.unknown(o, sl, '\n\t\t');
      tlen -= sl;
      o += sl;
    }
  }

  checksum(base: number, stored: number, ckOff: number, length: number): void {
    if (stored === 0 || ckOff < 0 || base + ckOff + 2 > this.end || ckOff > length || base + length > this.end) this.s += ' (unverified)';
    else {
      const c = osiChecksum(this.p, base, ckOff, length);
      this.s += c === stored ? ' (correct)' : ` (incorrect should be 0x${hex(c, 4)})`;
    }
  }

  /** isis_print from the fixed header on: false when tcpdump's printer returns 0 (hex dump follows). */
  print(off: number, length: number, eflag: boolean): boolean {
    const p = this.p;
    const vv = this.vflag > 1;
    if (off + 8 > this.end || length < 8) {
      throw new Truncated();
    }
    if (!eflag) this.s += 'IS-IS';
    const version = p[off + 2]!;
    if (version !== 1) {
      this.s += `version ${version} packet not supported`;
      return false;
    }
    const idLen = p[off + 3]!;
    if (idLen !== 6 && idLen !== 0) {
      this.s += `system ID length of ${idLen} is not supported`;
      return false;
    }
    const pduVersion = p[off + 5]!;
    if (pduVersion !== 1) {
      this.s += `version ${pduVersion} packet not supported`;
      return false;
    }
    const fixed = p[off + 1]!;
    if (length < fixed) {
      this.s += `fixed header length ${fixed} > packet length ${length}`;
      return false;
    }
    if (fixed < 8) {
      this.s += `fixed header length ${fixed} < minimum header size 8`;
      return false;
    }
    const pduMaxArea = p[off + 7]!;
    if (pduMaxArea === 255) {
      this.s += 'bad packet -- 255 areas';
      return false;
    }
    const maxArea = pduMaxArea === 0 ? 3 : pduMaxArea;
    const type = p[off + 4]!;
    this.s += `${eflag ? '' : ', '}length ${length}`;
    this.s += `\n\t${PDU_NAMES.get(type) ?? `unknown, type ${type}`}, hlen: ${fixed}, v: ${version}, pdu-v: ${pduVersion}, sys-id-len: 6 (${idLen}), max-area: ${maxArea} (${pduMaxArea})`;
    if (vv) this.unknown(off, 8, '\n\t');
    const h = off + 8;
    let packetLen = length;
    let hsize: number;
    const bogus = (size: number, shown = size, dash = false): boolean => {
      if (fixed === size) return false;
      this.s += `${dash ? '-' : ','} bogus fixed header length ${fixed} should be ${shown}`;
      return true;
    };
    const clip = (pduLen: number): void => {
      if (packetLen > pduLen) {
        packetLen = pduLen;
        length = pduLen;
      }
    };
    switch (type) {
      case 15:
      case 16: {
        hsize = 27;
        if (bogus(27)) return false;
        this.need(h, 19);
        if (length < 27) throw new Truncated();
        const pduLen = be16(p, h + 9);
        clip(pduLen);
        this.s += `\n\t  source-id: ${this.id(h + 1, 6)},  holding time: ${be16(p, h + 7)}s, Flags: [${CIRCUIT_TYPES[p[h]!] || `unknown circuit type 0x${hex(p[h]!, 2)}`}]`;
        this.s += `\n\t  lan-id:    ${this.id(h + 12, 7)}, Priority: ${p[h + 11]! & 0x7f}, PDU length: ${pduLen}`;
        break;
      }
      case 17: {
        hsize = 20;
        if (bogus(20)) return false;
        this.need(h, 12);
        if (length < 20) throw new Truncated();
        const pduLen = be16(p, h + 9);
        clip(pduLen);
        this.s += `\n\t  source-id: ${this.id(h + 1, 6)}, holding time: ${be16(p, h + 7)}s, Flags: [${CIRCUIT_TYPES[p[h]!] || `unknown circuit type 0x${hex(p[h]!, 2)}`}]`;
        this.s += `\n\t  circuit-id: 0x${hex(p[h + 11]!, 2)}, PDU length: ${pduLen}`;
        break;
      }
      case 18:
      case 20: {
        hsize = 27;
        if (bogus(27, 19)) return false;
        this.need(h, 19);
        if (length < 27) throw new Truncated();
        const pduLen = be16(p, h);
        clip(pduLen);
        const ck = be16(p, h + 16);
        this.s += `\n\t  lsp-id: ${this.id(h + 4, 8)}, seq: 0x${hex(be32(p, h + 12), 8)}, lifetime: ${String(be16(p, h + 2)).padStart(5)}s\n\t  chksum: 0x${hex(ck, 4)}`;
        this.checksum(h + 4, ck, 12, length - 12);
        const tb = p[h + 18]!;
        this.s += `, PDU length: ${pduLen}, Flags: [ ${tb & 4 ? 'Overload bit set, ' : ''}`;
        if (tb & 0x78) {
          this.s += `${tb & 8 ? 'default ' : ''}${tb & 0x10 ? 'delay ' : ''}${tb & 0x20 ? 'expense ' : ''}${tb & 0x40 ? 'error ' : ''}ATT bit set, `;
        }
        this.s += `${tb & 0x80 ? 'P bit set, ' : ''}${LSP_IS_TYPES[tb & 3]} ]`;
        break;
      }
      case 24:
      case 25: {
        hsize = 33;
        if (bogus(33)) return false;
        this.need(h, 25);
        if (length < 33) throw new Truncated();
        const pduLen = be16(p, h);
        clip(pduLen);
        this.s += `\n\t  source-id:    ${this.id(h + 2, 7)}, PDU length: ${pduLen}`;
        this.s += `\n\t  start lsp-id: ${this.id(h + 9, 8)}`;
        this.s += `\n\t  end lsp-id:   ${this.id(h + 17, 8)}`;
        break;
      }
      case 26:
      case 27: {
        hsize = 17;
        if (bogus(17, 17, true)) return false;
        this.need(h, 9);
        if (length < 17) throw new Truncated();
        const pduLen = be16(p, h);
        clip(pduLen);
        this.s += `\n\t  source-id:    ${this.id(h + 2, 7)}, PDU length: ${pduLen}`;
        break;
      }
      default:
        this.unknown(h, length, '\n\t  ');
        return false;
    }
    if (vv) this.unknown(h, hsize - 8, '\n\t  ');
    if (packetLen < hsize) {
      this.s += ` [packet length ${packetLen} < ${hsize}] (invalid)`;
      return true;
    }
    packetLen -= hsize;
    let pp = off + hsize;
    while (packetLen > 0) {
      this.need(pp, 2);
      if (packetLen < 2) throw new Truncated();
      const tt = p[pp]!;
      const tl = p[pp + 1]!;
      pp += 2;
      packetLen -= 2;
      this.s += `\n\t    ${TLV_NAMES.get(tt) ?? 'unknown'} TLV #${tt}, length: ${tl}`;
      if (packetLen < tl) throw new Truncated();
      const r = this.tlv(tt, pp, tl, off, length, type);
      if (r === 'stop') return true;
      if (r === 'fail') return false;
      if (vv) this.unknown(pp, tl, '\n\t      ');
      pp += tl;
      packetLen -= tl;
    }
    if (packetLen !== 0) this.s += `\n\t      ${packetLen} straggler bytes`;
    return true;
  }

  /** One TLV's contents. 'stop' ends the PDU quietly, 'fail' makes tcpdump's printer return 0. */
  tlv(type: number, t: number, tlen: number, optr: number, length: number, pduType: number): 'ok' | 'stop' | 'fail' {
    const p = this.p;
    switch (type) {
      case 1:
        while (tlen !== 0) {
          const alen = this.u8(t);
          t++;
          tlen--;
          if (tlen < alen) return 'ok';
          this.s += `\n\t      Area address (length: ${alen}): ${this.nsap(t, alen)}`;
          t += alen;
          tlen -= alen;
        }
        return 'ok';
      case 6:
        while (tlen !== 0) {
          if (tlen < 6) return 'ok';
          this.s += `\n\t      SNPA: ${this.id(t, 6)}`;
          tlen -= 6;
          t += 6;
        }
        return 'ok';
      case 7: {
        if (tlen < 4) return 'ok';
        const n = (tlen - 2) >> 1;
        this.s += `\n\t      Instance ID: ${this.u16(t)}, ITIDs(${n})${n ? ':' : ''} `;
        t += 2;
        for (let i = 0; i < n; i++) {
          this.s += `${this.u16(t)}${i < n - 1 ? ', ' : ''}`;
          t += 2;
        }
        return 'ok';
      }
      case 8:
        return 'ok';
      case 222:
      case 24:
      case 22: {
        this.reachEntries(t, tlen, type === 222, (o, left) => this.extIsReach(o, '\n\t      ', type, left));
        return 'ok';
      }
      case 2: {
        if (tlen < 1) return 'ok';
        const v = this.u8(t);
        this.s += `\n\t      ${['IsNotVirtual', 'IsVirtual'][v] ?? `bogus virtual flag 0x${hex(v, 2)}`}`;
        t++;
        tlen--;
        this.neighbors(t, tlen, 'IS', 7);
        return 'ok';
      }
      case 3:
        this.neighbors(t, tlen, 'ES', 6);
        return 'ok';
      case 128:
      case 130:
        return this.ipReach(t, tlen, '\n\t      ') ? 'ok' : 'stop';
      case 135:
      case 235:
      case 236:
      case 237: {
        this.reachEntries(t, tlen, type === 235 || type === 237, (o) => this.extdIpReach(o, '\n\t      ', type === 236 || type === 237));
        return 'ok';
      }
      case 232:
        while (tlen !== 0) {
          if (tlen < 16) return 'ok';
          this.need(t, 16);
          this.s += `\n\t      IPv6 interface address: ${ipv6At(p, t)}`;
          t += 16;
          tlen -= 16;
        }
        return 'ok';
      case 10: {
        if (tlen < 1) return 'ok';
        const at = this.u8(t);
        t++;
        tlen--;
        this.s += `\n\t      ${AUTH_NAMES.get(at) ?? `unknown Authentication type 0x${hex(at, 2)}`}: `;
        if (at === 1) this.jnp(t, tlen);
        else if (at === 54) {
          this.approx = true; // the signature check's text depends on how tcpdump was built
          for (let i = 0; i < tlen; i++) this.s += hex(this.u8(t + i), 2);
        } else if (at === 3) {
          if (tlen < 2) return 'ok';
          this.s += `${this.u16(t)}, password: `;
          for (let i = 2; i < tlen; i++) this.s += hex(this.u8(t + i), 2);
        } else this.unknown(t, tlen, '\n\t\t  ');
        return 'ok';
      }
      case 240: {
        if (tlen >= 1) {
          const st = this.u8(t);
          this.s += `\n\t      Adjacency State: ${PTP_ADJ[st] ?? 'unknown'} (${st})`;
          tlen--;
        }
        // (the fields are read at their fixed offsets, whatever the TLV's length)
        if (tlen > 4) {
          this.s += `\n\t      Extended Local circuit-ID: 0x${hex(this.u32(t + 1), 8)}`;
          tlen -= 4;
        }
        if (tlen >= 6) {
          this.s += `\n\t      Neighbor System-ID: ${this.id(t + 5, 6)}`;
          tlen -= 6;
        }
        if (tlen >= 4) this.s += `\n\t      Neighbor Extended Local circuit-ID: 0x${hex(this.u32(t + 11), 8)}`;
        return 'ok';
      }
      case 129: {
        this.s += '\n\t      NLPID(s): ';
        while (tlen !== 0) {
          const n = this.u8(t);
          this.s += `${NLPID_NAMES.get(n) ?? 'unknown'} (0x${hex(n, 2)})${tlen > 1 ? ', ' : ''}`;
          t++;
          tlen--;
        }
        return 'ok';
      }
      case 143:
        if (tlen < 2) return 'ok';
        this.s += `\n\t       RES: ${this.u16(t) >> 12}, MTID(s): ${this.u16(t) & 0x0fff}`;
        if (tlen > 2) this.mtPortCap(t + 2, tlen - 2);
        return 'ok';
      case 144:
      case 250:
        // SPB sub-TLVs and vendor OUI names: not reproduced.
        this.approx = true;
        this.unknown(t, tlen, '\n\t\t');
        return 'ok';
      case 134:
        if (tlen < 4) return 'ok';
        this.s += `\n\t      Traffic Engineering Router ID: ${this.ip4(t)}`;
        return 'ok';
      case 132:
        while (tlen !== 0) {
          if (tlen < 4) return 'ok';
          this.s += `\n\t      IPv4 interface address: ${this.ip4(t)}`;
          t += 4;
          tlen -= 4;
        }
        return 'ok';
      case 137:
        this.s += '\n\t      Hostname: ';
        this.jnp(t, tlen);
        return 'ok';
      case 138: {
        if (tlen < 7) return 'ok';
        this.s += `\n\t      IS Neighbor: ${this.id(t, 7)}`;
        t += 7;
        tlen -= 7;
        if (tlen < 1) return 'ok';
        this.s += `, Flags: [${this.u8(t) & 1 ? 'numbered' : 'unnumbered'}]`;
        t++;
        tlen--;
        if (tlen < 4) return 'ok';
        this.s += `\n\t      IPv4 interface address: ${this.ip4(t)}`;
        t += 4;
        tlen -= 4;
        if (tlen < 4) return 'ok';
        this.s += `\n\t      IPv4 neighbor address: ${this.ip4(t)}`;
        t += 4;
        tlen -= 4;
        while (tlen !== 0) {
          if (tlen < 4) return 'ok';
          this.s += `\n\t      Link-ID: 0x${hex(this.u32(t), 8)}`;
          t += 4;
          tlen -= 4;
        }
        return 'ok';
      }
      case 9:
        while (tlen !== 0) {
          if (tlen < 16) return 'ok';
          this.need(t, 16);
          this.s += `\n\t      lsp-id: ${this.id(t + 2, 8)}, seq: 0x${hex(be32(p, t + 10), 8)}, lifetime: ${String(be16(p, t)).padStart(5)}s, chksum: 0x${hex(be16(p, t + 14), 4)}`;
          tlen -= 16;
          t += 16;
        }
        return 'ok';
      case 12: {
        if (tlen < 2) return 'ok';
        const ck = this.u16(t);
        this.s += `\n\t      checksum: 0x${hex(ck, 4)} `;
        this.checksum(optr, ck, t - optr, length);
        return 'ok';
      }
      case 13: {
        if (tlen < 1) return 'ok';
        const n = this.u8(t);
        t++;
        tlen--;
        if (n === 0) this.s += ' No system IDs supplied';
        else {
          if (tlen < 6) return 'ok';
          this.s += `\n\t      Purge Originator System-ID: ${this.id(t, 6)}`;
          t += 6;
          tlen -= 6;
          if (n > 1) {
            if (tlen < 6) return 'ok';
            this.need(t, 13);
            this.s += `\n\t      Received from System-ID: ${this.id(t, 6)}`;
          }
        }
        return 'ok';
      }
      case 229:
        while (tlen !== 0) {
          if (tlen !== 1) {
            const m = this.mtid(t, tlen, '\n\t      ');
            if (m === 0) throw new Truncated();
            t += m;
            tlen -= m;
          } else {
            this.s += '\n\t      invalid MT-ID';
            break;
          }
        }
        return 'ok';
      case 211: {
        if (tlen < 1) return 'ok';
        this.s += `\n\t      Flags [${bitNames(RESTART_FLAGS, this.u8(t), 'none')}]`;
        t++;
        tlen--;
        if (tlen < 2) return 'ok';
        this.s += `, Remaining holding time ${this.u16(t)}s`;
        t += 2;
        tlen -= 2;
        if (tlen === 6) this.s += `, for ${this.id(t, 6)}`;
        return 'ok';
      }
      case 131: {
        if (tlen < 1) return 'ok';
        const it = this.u8(t);
        this.s += `\n\t      Inter-Domain Information Type: ${IDRP_NAMES.get(it) ?? `Unknown (0x${hex(it, 2)})`}`;
        t++;
        tlen--;
        if (it === 2) {
          if (tlen < 2) return 'ok';
          this.s += `AS Number: ${this.u16(t)}`;
        } else this.unknown(t, tlen, '\n\t      ');
        return 'ok';
      }
      case 14:
        if (tlen < 2) return 'ok';
        this.s += `\n\t      LSP Buffersize: ${this.u16(t)}`;
        return 'ok';
      case 4:
        while (tlen !== 0) {
          if (tlen < 6) return 'ok';
          this.s += `\n\t      ${this.id(t, 6)}`;
          t += 6;
          tlen -= 6;
        }
        return 'ok';
      case 5: {
        if (tlen < 4) return 'ok';
        this.need(t, 4);
        this.s += '\n\t      Metric Block';
        this.metricBlock(t);
        t += 4;
        tlen -= 4;
        while (tlen !== 0) {
          const pl = this.u8(t);
          t++;
          tlen--;
          if (pl < 2) {
            this.s += `\n\t\tAddress: prefix length ${pl} < 2`;
            break;
          }
          if (tlen < pl >> 1) break;
          this.s += `\n\t\tAddress: ${this.nsap(t, pl >> 1)}/${pl * 4}`;
          t += pl >> 1;
          tlen -= pl >> 1;
        }
        return 'ok';
      }
      case 241:
        if (tlen < 4) return 'ok';
        this.s += `\n\t      Sequence number: ${this.u32(t)}`;
        return 'ok';
      case 242:
        if (tlen < 5) {
          this.s += ` [object length ${tlen} < 5] (invalid)`;
          return 'ok';
        }
        this.s += `\n\t      Router-ID ${this.ip4(t)}, Flags [${bitNames(ROUTER_CAP_FLAGS, this.u8(t + 4), 'none')}]`;
        if (tlen > 5) this.routerCapSubtlv(t + 5, tlen - 5);
        return 'ok';
      default:
        if (this.vflag <= 1) this.unknown(t, tlen, '\n\t\t');
        return 'ok';
    }
    void pduType;
  }

  /** SPB sub-TLVs of the MT-aware port capability TLV (their errors end only this TLV). */
  mtPortCap(t: number, len: number): void {
    const names = ['', '', '', '', 'SPB MCID', 'SPB Digest', 'SPB BVID'];
    const mcid = (o: number): void => {
      this.need(o, 51);
      this.s += `ID: ${this.p[o]}, Name: `;
      this.jnp(o + 1, 32);
      this.s += `\n\t              Lvl: ${be16(this.p, o + 33)}, Digest: `;
      for (let i = 0; i < 16; i++) this.s += `${hex(this.p[o + 35 + i]!, 2)} `;
    };
    while (len > 2) {
      const st = this.u8(t);
      let sl = this.u8(t + 1);
      this.s += `\n\t       ${names[st] || 'unknown'} subTLV #${st}, length: ${sl}`;
      t += 2;
      len -= 2;
      if (len < sl) {
        this.s += ' (> containing TLV length)';
        return;
      }
      if (t + sl > this.end) {
        this.s += ' [|isis]';
        return;
      }
      if (st === 4) {
        if (sl < 102) {
          this.s += ' (too short)';
          return;
        }
        this.s += '\n\t         MCID: ';
        mcid(t);
        this.s += '\n\t         AUX-MCID: ';
        mcid(t + 51);
        t += 102;
        len -= 102;
        sl -= 102;
      } else if (st === 5) {
        if (sl < 33) {
          this.s += ' (too short)';
          return;
        }
        const b = this.p[t]!;
        this.s += `\n\t        RES: ${b >> 5} V: ${(b >> 4) & 1} A: ${(b >> 2) & 3} D: ${b & 3}`;
        t++;
        this.s += '\n\t         Digest: ';
        for (let i = 1; i <= 8; i++) {
          this.s += `${hex(be32(this.p, t), 8)} `;
          if (i % 4 === 0 && i !== 8) this.s += '\n\t                 ';
          t += 4;
        }
        len -= 33;
        sl -= 33;
      } else if (st === 6) {
        while (sl !== 0) {
          if (sl < 4) {
            this.s += ' (too short)';
            return;
          }
          this.s += `\n\t           ECT: ${hex(be32(this.p, t), 8)}`;
          t += 4;
          len -= 4;
          sl -= 4;
          if (sl < 2) {
            this.s += ' (too short)';
            return;
          }
          const v = be16(this.p, t);
          this.s += ` BVID: ${v >> 4}, U:${(v >> 3) & 1} M:${(v >> 2) & 1} `;
          t += 2;
          len -= 2;
          sl -= 2;
        }
      }
      t += sl;
      len -= sl;
    }
  }

  /** nd_printjnp: up to `n` bytes, stopping at a NUL. */
  jnp(o: number, n: number): void {
    for (let i = 0; i < n; i++) {
      const c = this.u8(o + i);
      if (c === 0) break;
      this.s += safeChar(c);
    }
  }
}

/**
 * IS-IS at `off` (its NLPID byte), `length` bytes on the wire, captured up to `end`, with -v or
 * -vv: the text tcpdump prints after the link layer (after `OSI NLPID IS-IS (0x83): ` with -e).
 */
export function isisVerbose(p: Uint8Array, off: number, length: number, end: number, o: L2Options): { text: string; approx: boolean } {
  const r = new Isis(p, end, o.verbose);
  try {
    // A header tcpdump rejects: its message, then the whole PDU as hex.
    if (!r.print(off, length, o.linkHeader)) r.unknown(off, length, '\n\t');
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    r.s += ' [|isis]';
  }
  return { text: r.s, approx: r.approx || o.names };
}
