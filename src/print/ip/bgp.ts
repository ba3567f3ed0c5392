/**
 * BGP (TCP 179) as tcpdump 4.99.3's print-bgp.c prints it: `: BGP`, and with -v every message
 * found by its marker: OPEN with optional parameters and capabilities, UPDATE with withdrawn
 * routes, path attributes (origin, AS path, next hop, MED, local preference, aggregator,
 * communities, originator, cluster list, multiprotocol reach/unreach NLRI for IPv4/IPv6
 * unicast, multicast, labeled, VPN and route-target membership, extended and large communities,
 * PMSI tunnel, AIGP, attribute sets) and NLRI, NOTIFICATION with its codes, KEEPALIVE, ROUTE
 * REFRESH; -vv adds the hex of capabilities and attributes. Address families tcpdump decodes
 * that are not reproduced here (multicast VPN, MDT, L2VPN, NSAP) give null.
 *
 * Technique: reads through `Bytes` throw `Truncated` (tcpdump's GET_* longjmp: ` [|bgp]` ends
 * the text); tcpdump's local `goto trunc` paths print ` [|bgp]` and carry on as it does, which
 * these functions mirror by returning early.
 */
import { Bytes, Truncated, AF_NAMES, bitNames, decodePrefix, hex, printChar, unknownData, hexPrint } from './bytes.ts';
import { ipv6At } from '../addr.ts';

class NotReproduced extends Error {}

const MSG = new Map([[1, 'Open'], [2, 'Update'], [3, 'Notification'], [4, 'Keepalive'], [5, 'Route Refresh']]);
const ATTR = new Map([
  [1, 'Origin'], [2, 'AS Path'], [17, 'AS4 Path'], [3, 'Next Hop'], [4, 'Multi Exit Discriminator'], [5, 'Local Preference'],
  [6, 'Atomic Aggregate'], [7, 'Aggregator'], [18, 'Aggregator4'], [8, 'Community'], [9, 'Originator ID'], [10, 'Cluster List'],
  [11, 'DPA'], [12, 'Advertisers'], [13, 'RCID Path / Cluster ID'], [14, 'Multi-Protocol Reach NLRI'],
  [15, 'Multi-Protocol Unreach NLRI'], [16, 'Extended Community'], [22, 'PMSI Tunnel'], [23, 'Tunnel Encapsulation'],
  [24, 'Traffic Engineering'], [25, 'IPv6 Extended Community'], [26, 'Accumulated IGP Metric'], [27, 'PE Distinguisher Label'],
  [28, 'Entropy Label'], [32, 'Large Community'], [128, 'Attribute Set'], [255, 'Reserved for development'],
]);
const SEG_OPEN = new Map([[2, ''], [1, '{ '], [3, '( '], [4, '({ ']]);
const SEG_CLOSE = new Map([[2, ''], [1, '}'], [3, ')'], [4, '})']]);
const OPT = new Map([[1, 'Authentication Information'], [2, 'Capabilities Advertisement']]);
const CAP = new Map([
  [1, 'Multiprotocol Extensions'], [2, 'Route Refresh'], [3, 'Cooperative Route Filtering'], [4, 'Multiple Routes to a Destination'],
  [5, 'Extended Next Hop Encoding'], [8, 'Multiple Labels'], [64, 'Graceful Restart'], [65, '32-Bit AS Number'],
  [67, 'Dynamic Capability'], [68, 'Multisession BGP'], [69, 'Multiple Paths'], [70, 'Enhanced Route Refresh'],
  [71, 'Long-lived Graceful Restart'], [128, 'Route Refresh (Cisco)'],
]);
const NOTIFY_MAJOR = new Map([
  [1, 'Message Header Error'], [2, 'OPEN Message Error'], [3, 'UPDATE Message Error'], [4, 'Hold Timer Expired'],
  [5, 'Finite State Machine Error'], [6, 'Cease'], [7, 'Capability Message Error'],
]);
const seq = (from: number, ...n: string[]) => new Map(n.map((s, i) => [from + i, s]));
const NOTIFY_MINOR: Record<number, [ReadonlyMap<number, string>, string]> = {
  1: [seq(1, 'Connection Not Synchronized', 'Bad Message Length', 'Bad Message Type'), ', '],
  2: [seq(1, 'Unsupported Version Number', 'Bad Peer AS', 'Bad BGP Identifier', 'Unsupported Optional Parameter', 'Authentication Failure', 'Unacceptable Hold Time', 'Capability Message Error'), ', '],
  3: [seq(1, 'Malformed Attribute List', 'Unrecognized Well-known Attribute', 'Missing Well-known Attribute', 'Attribute Flags Error', 'Attribute Length Error', 'Invalid ORIGIN Attribute', 'AS Routing Loop', 'Invalid NEXT_HOP Attribute', 'Optional Attribute Error', 'Invalid Network Field', 'Malformed AS_PATH'), ', '],
  5: [seq(0, 'Unspecified Error', 'In OpenSent State', 'In OpenConfirm State', 'In Established State'), ' '],
  7: [seq(1, 'Invalid Action Value', 'Invalid Capability Length', 'Malformed Capability Value', 'Unsupported Capability Code'), ' '],
  6: [seq(1, 'Maximum Number of Prefixes Reached', 'Administrative Shutdown', 'Peer Unconfigured', 'Administrative Reset', 'Connection Rejected', 'Other Configuration Change', 'Connection Collision Resolution'), ', '],
};
const ORIGIN = seq(0, 'IGP', 'EGP', 'Incomplete');
const PMSI_TUNNEL = seq(1, 'RSVP-TE P2MP LSP', 'LDP P2MP LSP', 'PIM-SSM Tree', 'PIM-SM Tree', 'PIM-Bidir Tree', 'Ingress Replication', 'LDP MP2MP LSP');
const SAFI = new Map([
  [0, 'Reserved'], [1, 'Unicast'], [2, 'Multicast'], [3, 'Unicast+Multicast'], [4, 'labeled Unicast'], [64, 'Tunnel'], [65, 'VPLS'],
  [66, 'MDT'], [70, 'EVPN'], [128, 'labeled VPN Unicast'], [129, 'labeled VPN Multicast'], [130, 'labeled VPN Unicast+Multicast'],
  [132, 'Route Target Routing Information'], [5, 'Multicast VPN'],
]);
const EXT_COMM = new Map([
  [0x0002, 'target'], [0x0102, 'target'], [0x0202, 'target'], [0x0003, 'origin'], [0x0103, 'origin'], [0x0203, 'origin'],
  [0x4004, 'link-BW'], [0x0005, 'ospf-domain'], [0x0105, 'ospf-domain'], [0x0205, 'ospf-domain'], [0x8005, 'ospf-domain'],
  [0x0306, 'ospf-route-type'], [0x8000, 'ospf-route-type'], [0x030c, 'encapsulation'], [0x0107, 'ospf-router-id'],
  [0x8001, 'ospf-router-id'], [0x800a, 'layer2-info'], [0x8800, 'eigrp-general-route (flag, tag)'],
  [0x8801, 'eigrp-route-metric (AS, delay)'], [0x8802, 'eigrp-route-metric (reliability, nexthop, bandwidth)'],
  [0x8803, 'eigrp-route-metric (load, MTU)'], [0x8804, 'eigrp-external-route (remote-AS, remote-ID)'],
  [0x8805, 'eigrp-external-route (remote-proto, remote-metric)'], [0x0009, 'source-AS'], [0x010b, 'vrf-route-import'],
  [0x000a, 'l2vpn-id'], [0xf10a, 'l2vpn-id'],
]);
const EXT_COMM_FLAGS: Array<[number, string]> = [[0x8000, 'vendor-specific'], [0x4000, 'non-transitive']];
const ENCAP_TUNNEL = seq(1, 'L2TPv3 over IP', 'GRE', 'Transmit Tunnel', 'IPsec', 'IP in IP with IPsec', 'MPLS in IP with IPsec', 'IP in IP', 'VXLAN', 'NVGRE', 'MPLS', 'MPLS in GRE', 'VXLAN GPE', 'MPLS in UDP', 'IPv6', 'SR TE', 'Bare', 'SR');
const OSPF_RTYPE = new Map([[1, 'Router'], [2, 'Network'], [3, 'Summary'], [5, 'External'], [7, 'NSSA External'], [129, 'MPLS-VPN Sham']]);
const L2VPN_ENCAPS = new Map([
  [0, 'Reserved'], [1, 'Frame Relay'], [2, 'ATM AAL5 SDU VCC transport'], [3, 'ATM transparent cell transport'],
  [4, 'Ethernet (VLAN) Tagged Mode'], [5, 'Ethernet Raw Mode'], [6, 'Cisco HDLC'], [7, 'PPP'], [8, 'SONET/SDH Circuit Emulation Service over MPLS'],
  [9, 'ATM n-to-one VCC cell transport'], [10, 'ATM n-to-one VPC cell transport'], [11, 'IP layer 2 transport'], [15, 'Frame Relay Port mode'],
  [17, 'Structure-agnostic E1 over packet'], [18, 'Structure-agnostic T1 (DS1) over packet'], [19, 'VPLS'],
  [20, 'Structure-agnostic T3 (DS3) over packet'], [21, 'Nx64kbit/s Basic Service using Structure-aware'], [25, 'Frame Relay DLCI'],
  [40, 'Structure-agnostic E3 over packet'], [41, 'Octet-aligned playload for Structure-agnostic DS1 circuits'],
  [42, 'E1 Nx64kbit/s with CAS using Structure-aware'], [43, 'DS1 (ESF) Nx64kbit/s with CAS using Structure-aware'],
  [44, 'DS1 (SF) Nx64kbit/s with CAS using Structure-aware'],
]);
const ADD_PATH = new Map([[1, 'Receive'], [2, 'Send'], [3, 'Both']]);

const INET = 1;
const INET6 = 2;
/** AFI/SAFI pairs bgp_mp_af_print accepts. */
const MP_KNOWN = new Set([
  ...[1, 2, 3, 4, 132, 128, 129, 130, 5, 66].map((s) => (INET << 8) | s),
  ...[1, 2, 3, 4, 128, 129, 130].map((s) => (INET6 << 8) | s),
  ...[1, 2, 3, 128, 129, 130].map((s) => (3 << 8) | s),
  ...[128, 129, 130].map((s) => (196 << 8) | s),
  (25 << 8) | 65,
]);

const ipv4 = (a: Uint8Array): string => `${a[0]}.${a[1]}.${a[2]}.${a[3]}`;

class Bgp {
  s = '';
  constructor(private readonly b: Bytes, private readonly v: number) {}

  private trunc(): void {
    this.s += ' [|bgp]';
  }

  private afi(af: number): string {
    return AF_NAMES.get(af) ?? 'Unknown';
  }

  private capabilities(opt: number, capsLen: number): void {
    const b = this.b;
    let i = 0;
    while (i < capsLen) {
      if (!b.has(opt + i, 2)) return this.trunc();
      const type = b.u8(opt + i);
      const len = b.u8(opt + i + 1);
      this.s += `\n\t      ${CAP.get(type) ?? 'Unknown'} (${type}), length: ${len}`;
      if (!b.has(opt + i + 2, len)) return this.trunc();
      const c = opt + i + 2;
      switch (type) {
        case 1:
          if (len < 4) {
            this.s += ' (too short, < 4)';
            return;
          }
          this.s += `\n\t\tAFI ${this.afi(b.u16(c))} (${b.u16(c)}), SAFI ${SAFI.get(b.u8(c + 3)) ?? 'Unknown'} (${b.u8(c + 3)})`;
          break;
        case 8:
          for (let o = 0, t = len; t >= 4; t -= 4, o += 4) {
            this.s += `\n\t\tAFI ${this.afi(b.u16(c + o))} (${b.u16(c + o)}), SAFI ${SAFI.get(b.u8(c + o + 2)) ?? 'Unknown'} (${b.u8(c + o + 2)}), Count: ${b.u8(c + o + 3)}`;
          }
          break;
        case 64:
          if (len < 2) {
            this.s += ' (too short, < 2)';
            return;
          }
          this.s += `\n\t\tRestart Flags: [${b.u8(c) & 0x80 ? 'R' : 'none'}], Restart Time ${b.u16(c) & 0xfff}s`;
          for (let o = 2, t = len - 2; t >= 4; t -= 4, o += 4) {
            this.s += `\n\t\t  AFI ${this.afi(b.u16(c + o))} (${b.u16(c + o)}), SAFI ${SAFI.get(b.u8(c + o + 2)) ?? 'Unknown'} (${b.u8(c + o + 2)}), Forwarding state preserved: ${b.u8(c + o + 3) & 0x80 ? 'yes' : 'no'}`;
          }
          break;
        case 2:
        case 71:
        case 128:
          break;
        case 65:
          if (len < 4) {
            this.s += ' (too short, < 4)';
            return;
          }
          this.s += `\n\t\t 4 Byte AS ${b.u32(c)}`;
          break;
        case 69:
          if (len === 0) {
            this.s += ' (bogus)';
            break;
          }
          for (let o = 0, t = len; t !== 0; t -= 4, o += 4) {
            if (t < 4) {
              this.s += ' (invalid)';
              break;
            }
            const rs = b.u8(c + o + 3);
            this.s += `\n\t\tAFI ${this.afi(b.u16(c + o))} (${b.u16(c + o)}), SAFI ${SAFI.get(b.u8(c + o + 2)) ?? 'Unknown'} (${b.u8(c + o + 2)}), Send/Receive: ${ADD_PATH.get(rs) ?? `Bogus (0x${hex(rs, 2)})`}`;
          }
          break;
        default:
          this.s += `\n\t\tno decoder for Capability ${type}`;
          if (this.v <= 1) this.s += unknownData(b, c, len, '\n\t\t');
      }
      if (this.v > 1 && len !== 0) this.s += unknownData(b, c, len, '\n\t\t');
      i += 2 + len;
    }
  }

  private open(dat: number, length: number): void {
    const b = this.b;
    if (!b.has(dat, 29) || length < 29) return this.trunc();
    this.s += `\n\t  Version ${b.u8(dat + 19)}, my AS ${b.u16(dat + 20)}, Holdtime ${b.u16(dat + 22)}s, ID ${b.ipv4(dat + 24)}`;
    const optslen = b.u8(dat + 28);
    this.s += `\n\t  Optional parameters, length: ${optslen}`;
    const opt = dat + 29;
    length -= 29;
    let i = 0;
    while (i < optslen) {
      if (!b.has(opt + i, 2) || length < 2 + i) return this.trunc();
      const type = b.u8(opt + i);
      const len = b.u8(opt + i + 1);
      if (2 + i + len > optslen) {
        this.s += `\n\t     Option ${type}, length: ${len}, goes past the end of the options`;
        break;
      }
      this.s += `\n\t    Option ${OPT.get(type) ?? 'Unknown'} (${type}), length: ${len}`;
      if (type === 2) this.capabilities(opt + 2 + i, len);
      else this.s += `\n\t      no decoder for option ${type}`;
      i += 2 + len;
    }
  }

  /** check_add_path: whether the NLRI at [p, p+length) looks like it carries path ids. */
  private checkAddPath(p: number, length: number, max: number): boolean {
    const b = this.b;
    if (length < 5) return false;
    let off = 0;
    while (off < length) {
      off += 4;
      if (!b.has(p + off, 1)) break;
      const pl = b.u8(p + off);
      if (pl > max) return false;
      off += 1 + Math.floor((pl + 7) / 8);
    }
    if (off > length) return false;
    for (off = 0; off < length; ) {
      if (!b.has(p + off, 1)) break;
      const pl = b.u8(p + off);
      if (pl < 1 || pl > max) return true;
      off += 1 + Math.floor((pl + 7) / 8);
    }
    return off > length;
  }

  private update(dat: number, length: number): void {
    const b = this.b;
    if (!b.has(dat, 19) || length < 19) return this.trunc();
    let p = dat + 19;
    length -= 19;
    if (!b.has(p, 2) || length < 2) return this.trunc();
    let wlen = b.u16(p);
    p += 2;
    length -= 2;
    if (wlen > 1) {
      if (!b.has(p, wlen) || length < wlen) return this.trunc();
      this.s += '\n\t  Withdrawn routes:';
      const addPath = this.checkAddPath(p, wlen, 32);
      let pathId = 0;
      while (wlen !== 0) {
        if (addPath) {
          if (wlen < 4) {
            p += wlen;
            length -= wlen;
            break;
          }
          pathId = b.u32(p);
          p += 4;
          length -= 4;
          wlen -= 4;
        }
        const n = this.route(p, wlen, addPath, pathId);
        if (n === 0) break;
        if (n < 0) return this.trunc();
        p += n;
        length -= n;
        wlen -= n;
      }
    } else {
      if (!b.has(p, wlen) || length < wlen) return this.trunc();
      p += wlen;
      length -= wlen;
    }
    if (!b.has(p, 2) || length < 2) return this.trunc();
    let len = b.u16(p);
    p += 2;
    length -= 2;
    if (wlen === 0 && len === 0 && length === 0) {
      this.s += '\n\t  End-of-Rib Marker (empty NLRI)';
      return;
    }
    if (len) {
      if (length < len) return this.trunc();
      while (len) {
        if (!b.has(p, 2) || length < 2) return this.trunc();
        if (len < 2) {
          this.s += '\n\t  [path attrs too short]';
          p += len;
          length -= len;
          break;
        }
        const aflags = b.u8(p);
        const atype = b.u8(p + 1);
        p += 2;
        len -= 2;
        length -= 2;
        const alenlen = aflags & 0x10 ? 2 : 1;
        if (!b.has(p, alenlen) || length < alenlen) return this.trunc();
        if (len < alenlen) {
          this.s += '\n\t  [path attrs too short]';
          p += len;
          length -= len;
          break;
        }
        const alen = alenlen === 2 ? b.u16(p) : b.u8(p);
        p += alenlen;
        len -= alenlen;
        length -= alenlen;
        this.s += `\n\t  ${ATTR.get(atype) ?? 'Unknown Attribute'} (${atype}), length: ${alen}`;
        if (aflags) this.s += `, Flags [${this.flags(aflags)}]: `;
        if (len < alen) {
          this.s += ' [path attrs too short]';
          p += len;
          length -= len;
          break;
        }
        if (length < alen) return this.trunc();
        if (!this.attr(atype, p, alen, 0)) return this.trunc();
        p += alen;
        len -= alen;
        length -= alen;
      }
    }
    if (length) {
      const addPath = this.checkAddPath(p, length, 32);
      this.s += '\n\t  Updated routes:';
      let pathId = 0;
      while (length !== 0) {
        if (addPath) {
          if (!b.has(p, 4) || length < 4) return this.trunc();
          pathId = b.u32(p);
          p += 4;
          length -= 4;
        }
        const n = this.route(p, length, addPath, pathId);
        if (n === 0) break;
        if (n < 0) return this.trunc();
        p += n;
        length -= n;
      }
    }
  }

  /**
   * One withdrawn or updated IPv4 route at p that may take left bytes, with its path id when
   * addPath: the bytes it took, 0 after an illegal prefix length (the list ends there), -1 when
   * the capture ends first.
   */
  private route(p: number, left: number, addPath: boolean, pathId: number): number {
    const r = decodePrefix(this.b, p, left, false);
    if (r === -1) {
      this.s += '\n\t    (illegal prefix length)';
      return 0;
    }
    if (r === -2) return -1;
    this.s += `\n\t    ${r}`;
    if (addPath) this.s += `   Path Id: ${pathId}`;
    return 1 + Math.ceil(this.b.u8(p) / 8);
  }

  private flags(aflags: number): string {
    return `${aflags & 0x80 ? 'O' : ''}${aflags & 0x40 ? 'T' : ''}${aflags & 0x20 ? 'P' : ''}${aflags & 0x10 ? 'E' : ''}${aflags & 0xf ? `+${(aflags & 0xf).toString(16)}` : ''}`;
  }

  private asSize(atype: number, p: number, len: number): number {
    if (atype === 17) return 4;
    const b = this.b;
    let t = p;
    while (t < p + len) {
      if (!b.has(t, 2)) return 4;
      const seg = b.p[t]!;
      if (seg < 1 || seg > 4) return 4;
      t += 2 + b.p[t + 1]! * 2;
    }
    return t === p + len ? 2 : 4;
  }

  private rd(o: number): string {
    const b = this.b;
    switch (b.u16(o)) {
      case 0:
        return `${b.u16(o + 2)}:${b.u32(o + 4)} (= ${b.ipv4(o + 4)})`;
      case 1:
        return `${b.ipv4(o + 2)}:${b.u16(o + 6)}`;
      case 2:
        return `${b.u32(o + 2)}:${b.u16(o + 6)} (${b.ipv4(o + 2)}:${b.u16(o + 6)})`;
      default:
        return 'unknown RD format';
    }
  }

  private extCommunity(o: number): string {
    const b = this.b;
    const t = b.u16(o);
    switch (t) {
      case 0x0002:
      case 0x0003:
      case 0x000a:
        return `${b.u16(o + 2)}:${b.u32(o + 4)} (= ${b.ipv4(o + 4)})`;
      case 0x0102:
      case 0x0103:
      case 0xf10a:
      case 0x010b:
        return `${b.ipv4(o + 2)}:${b.u16(o + 6)}`;
      case 0x0202:
      case 0x0203:
        return `${b.u32(o + 2)}:${b.u16(o + 6)}`;
      case 0x4004: {
        const f = new DataView(new ArrayBuffer(4));
        f.setUint32(0, b.u32(o + 4));
        const bw = Math.fround(Math.fround(f.getFloat32(0) * 8) / 1000000);
        return `bandwidth: ${bw.toFixed(3)} Mbps`;
      }
      case 0x0005:
      case 0x0105:
      case 0x0205:
      case 0x8005:
      case 0x0107:
      case 0x8001:
        return b.ipv4(o + 2);
      case 0x0306:
      case 0x8000: {
        const rt = b.u8(o + 6);
        return `area:${b.ipv4(o + 2)}, router-type:${OSPF_RTYPE.get(rt) ?? `unknown (0x${hex(rt, 2)})`}, metric-type:${b.u8(o + 7) & 1 ? 'E2' : ''}${rt === 5 || rt === 7 ? 'E1' : ''}`;
      }
      case 0x800a:
        return `${L2VPN_ENCAPS.get(b.u8(o + 2)) ?? 'unknown encaps'} Control Flags [0x${hex(b.u8(o + 3), 2)}]:MTU ${b.u16(o + 4)}`;
      case 0x0009:
        return `AS ${b.u16(o + 2)}`;
      case 0x030c:
        return `Tunnel type: ${ENCAP_TUNNEL.get(b.u16(o + 6)) ?? 'unknown encaps'}`;
      default: {
        let s = '';
        for (let i = 2; i < 8; i++) s += hex(b.u8(o + i), 2);
        return s;
      }
    }
  }

  private rtPrefix(rt: Uint8Array, plen: number): string {
    if (plen === 0) return 'route-target: 0:0/0';
    const octets = Math.floor((plen + 7) / 8);
    let h = '';
    for (let i = 0; i < octets; i++) h += hex(rt[i]!, 2) + (i % 2 === 1 && i < octets - 1 ? ' ' : '');
    if (plen < 16) return `route-target: partial-type: (${h}/${plen})`;
    const dv = new DataView(rt.buffer);
    const type = dv.getUint16(0);
    switch (type) {
      case 0x0002:
        return `route-target: ${dv.getUint16(2)}:${dv.getUint32(4)}/${plen} (${h})`;
      case 0x0102:
        return `route-target: ${rt[2]}.${rt[3]}.${rt[4]}.${rt[5]}:${dv.getUint16(6)}/${plen} (${h})`;
      case 0x0202:
        return `route-target: ${dv.getUint32(2)}:${dv.getUint16(6)}/${plen} (${h})`;
      default:
        return `route target: unknown-type(${hex(type, 4)}) (${h}/${plen})`;
    }
  }

  private rtRoutingInfo(o: number): number {
    const b = this.b;
    let plen = b.u8(o);
    if (plen === 0) {
      this.s += '\n\t      default route target';
      return 1;
    }
    if (plen < 32) {
      this.s += '\n\t      (illegal prefix length)';
      return -1;
    }
    const as = b.u32(o + 1);
    plen -= 32;
    if (plen > 64) {
      this.s += '\n\t      (illegal prefix length)';
      return -1;
    }
    const rt = new Uint8Array(8);
    const n = Math.floor((plen + 7) / 8);
    b.need(o + 5, n);
    rt.set(b.p.subarray(o + 5, o + 5 + n));
    if (plen % 8) rt[n - 1]! &= (0xff00 >> (plen % 8)) & 0xff;
    this.s += `\n\t      origin AS: ${as}, ${this.rtPrefix(rt, plen)}`;
    return 5 + n;
  }

  /** An address of `bytes` bytes from `plen` bits at `o` (masked), as text. */
  private addr(o: number, plen: number, v6: boolean): string {
    const n = Math.floor((plen + 7) / 8);
    this.b.need(o, n);
    const a = new Uint8Array(v6 ? 16 : 4);
    a.set(this.b.p.subarray(o, o + n));
    if (plen % 8) a[n - 1]! &= (0xff00 >> (plen % 8)) & 0xff;
    return v6 ? ipv6At(a, 0) : ipv4(a);
  }

  private label(o: number): string {
    return `label:${this.b.u24(o + 1) >> 4} ${(this.b.u8(o + 3) & 1) === 0 ? '(BOGUS: Bottom of Stack NOT set!)' : '(bottom)'}`;
  }

  /** decode_labeled_prefix4/6: -1 illegal, -2 not captured, -3 item too short. */
  private labeledPrefix(o: number, itemlen: number, v6: boolean): string | number {
    if (!this.b.has(o, 4)) return -2;
    if (itemlen < 4) return -3;
    let plen = this.b.u8(o);
    if (plen < 24) return -1;
    plen -= 24;
    if (plen > (v6 ? 128 : 32)) return -1;
    itemlen -= 4;
    const n = Math.floor((plen + 7) / 8);
    if (!v6 && itemlen < n) return -3;
    this.lastAdvance = 4 + n;
    return `${this.addr(o + 4, plen, v6)}/${plen}, ${this.label(o)}`;
  }
  private lastAdvance = 0;

  private labeledVpnPrefix(o: number, v6: boolean): string | number {
    let plen = this.b.u8(o);
    if (plen < 24 + 64) return -1;
    plen -= 24 + 64;
    if (plen > (v6 ? 128 : 32)) return -1;
    const a = this.addr(o + 12, plen, v6);
    this.lastAdvance = 12 + Math.floor((plen + 7) / 8);
    return `RD: ${this.rd(o + 4)}, ${a}/${plen}, ${this.label(o)}`;
  }

  private nlri(af: number, safi: number, t: number, len: number, ap4: boolean, ap6: boolean): number {
    const b = this.b;
    const key = (af << 8) | safi;
    const simple = (v6: boolean, addPath: boolean): number => {
      let pathId = 0;
      if (addPath) {
        pathId = b.u32(t);
        t += 4;
      }
      const r = decodePrefix(b, t, len, v6);
      let advance: number;
      if (r === -1) {
        this.s += '\n\t    (illegal prefix length)';
        advance = -1;
      } else if (r === -2) return -2;
      else {
        this.s += `\n\t      ${r}`;
        advance = 1 + Math.ceil(b.u8(t) / 8);
      }
      if (addPath) {
        this.s += `   Path Id: ${pathId}`;
        advance += 4;
      }
      return advance;
    };
    const labeled = (v6: boolean): number => {
      const r = this.labeledPrefix(t, len, v6);
      if (r === -1) {
        this.s += '\n\t    (illegal prefix length)';
        return -1;
      }
      if (r === -2) return -2;
      if (r === -3) return -3;
      this.s += `\n\t      ${r as string}`;
      return this.lastAdvance;
    };
    const vpn = (v6: boolean): number => {
      const r = this.labeledVpnPrefix(t, v6);
      if (r === -1) {
        this.s += '\n\t    (illegal prefix length)';
        return -1;
      }
      this.s += `\n\t      ${r as string}`;
      return this.lastAdvance;
    };
    switch (key) {
      case (INET << 8) | 1:
      case (INET << 8) | 2:
      case (INET << 8) | 3:
        return simple(false, ap4);
      case (INET << 8) | 4:
        return labeled(false);
      case (INET << 8) | 128:
      case (INET << 8) | 129:
      case (INET << 8) | 130:
        return vpn(false);
      case (INET << 8) | 132:
        return this.rtRoutingInfo(t);
      case (INET6 << 8) | 1:
      case (INET6 << 8) | 2:
      case (INET6 << 8) | 3:
        return simple(true, ap6);
      case (INET6 << 8) | 4:
        return labeled(true);
      case (INET6 << 8) | 128:
      case (INET6 << 8) | 129:
      case (INET6 << 8) | 130:
        return vpn(true);
      default:
        throw new NotReproduced();
    }
  }

  /** bgp_mp_af_print: 0 known, -1 no decoder (printed), -2 truncated. */
  private mpAf(t: number, tlen: number): [number, number, number] {
    const b = this.b;
    const af = b.u16(t);
    const safi = b.u8(t + 2);
    this.s += `\n\t    AFI: ${AF_NAMES.get(af) ?? 'Unknown AFI'} (${af}), ${safi > 128 ? 'vendor specific ' : ''}SAFI: ${SAFI.get(safi) ?? 'Unknown SAFI'} (${safi})`;
    if (MP_KNOWN.has((af << 8) | safi)) return [0, af, safi];
    if (!b.has(t, tlen)) return [-2, af, safi];
    this.s += `\n\t    no AFI ${af} / SAFI ${safi} decoder`;
    if (this.v <= 1) this.s += unknownData(b, t, tlen, '\n\t    ');
    return [-1, af, safi];
  }

  private nexthop(af: number, safi: number, t: number, n: number): [number, boolean] {
    const b = this.b;
    const key = (af << 8) | safi;
    const v4 = [1, 2, 3, 4, 132, 5, 66].map((s) => (INET << 8) | s);
    const v4vpn = [128, 129, 130].map((s) => (INET << 8) | s);
    const v6 = [1, 2, 3, 4].map((s) => (INET6 << 8) | s);
    const v6vpn = [128, 129, 130].map((s) => (INET6 << 8) | s);
    const l2 = [(25 << 8) | 65, ...[128, 129, 130].map((s) => (196 << 8) | s)];
    if (v4.includes(key) || l2.includes(key)) {
      if (n < 4) {
        this.s += 'invalid len';
        return [n, false];
      }
      this.s += b.ipv4(t);
      return [4, false];
    }
    if (v4vpn.includes(key)) {
      if (n < 12) {
        this.s += 'invalid len';
        return [n, false];
      }
      this.s += `RD: ${this.rd(t)}, ${b.ipv4(t + 8)}`;
      return [12, false];
    }
    if (v6.includes(key)) {
      if (n < 16) {
        this.s += 'invalid len';
        return [n, false];
      }
      b.need(t, 16);
      this.s += ipv6At(b.p, t);
      return [16, false];
    }
    if (v6vpn.includes(key)) {
      if (n < 24) {
        this.s += 'invalid len';
        return [n, false];
      }
      b.need(t + 8, 16);
      this.s += `RD: ${this.rd(t)}, ${ipv6At(b.p, t + 8)}`;
      return [24, false];
    }
    if ((af === 3 && [1, 2, 3, 128, 129, 130].includes(safi))) throw new NotReproduced();
    this.s += `ERROR: no AFI ${af}/SAFI ${safi} nexthop decoder`;
    return [n, true];
  }

  /** bgp_attr_print: false where tcpdump returns 0 (the caller prints the truncation). */
  private attr(atype: number, p: number, len: number, level: number): boolean {
    const b = this.b;
    let t = p;
    let tlen = len;
    switch (atype) {
      case 1:
        if (len !== 1) this.s += 'invalid len';
        else this.s += ORIGIN.get(b.u8(t)) ?? 'Unknown Origin Typecode';
        break;
      case 17:
      case 2: {
        if (len % 2) {
          this.s += 'invalid len';
          break;
        }
        if (!len) {
          this.s += 'empty';
          break;
        }
        const size = this.asSize(atype, p, len);
        while (t < p + len) {
          const seg = b.u8(t);
          this.s += SEG_OPEN.get(seg) ?? '?';
          const count = b.u8(t + 1);
          for (let i = 0; i < count * size; i += size) {
            if (!b.has(t + 2 + i, size)) return false;
            this.s += `${size === 2 ? b.u16(t + i + 2) : b.u32(t + i + 2)} `;
          }
          this.s += SEG_CLOSE.get(seg) ?? '?';
          t += 2 + b.u8(t + 1) * size;
        }
        break;
      }
      case 3:
        if (len !== 4) this.s += 'invalid len';
        else this.s += b.ipv4(t);
        break;
      case 4:
      case 5:
        if (len !== 4) this.s += 'invalid len';
        else this.s += `${b.u32(t)}`;
        break;
      case 6:
        if (len !== 0) this.s += 'invalid len';
        break;
      case 7:
        if (len !== 6 && len !== 8) {
          this.s += 'invalid len';
          break;
        }
        if (!b.has(t, len)) return false;
        if (len === 6) this.s += ` AS #${b.u16(t)}, origin ${b.ipv4(t + 2)}`;
        else this.s += ` AS #${b.u32(t)}, origin ${b.ipv4(t + 4)}`;
        break;
      case 18:
        if (len !== 8) {
          this.s += 'invalid len';
          break;
        }
        this.s += ` AS #${b.u32(t)}, origin ${b.ipv4(t + 4)}`;
        break;
      case 8:
        if (len % 4) {
          this.s += 'invalid len';
          break;
        }
        while (tlen !== 0) {
          if (!b.has(t, 4)) return false;
          const c = b.u32(t);
          if (c === 0xffffff01) this.s += ' NO_EXPORT';
          else if (c === 0xffffff02) this.s += ' NO_ADVERTISE';
          else if (c === 0xffffff03) this.s += ' NO_EXPORT_SUBCONFED';
          else this.s += `${c >>> 16}:${c & 0xffff}${tlen > 4 ? ', ' : ''}`;
          tlen -= 4;
          t += 4;
        }
        break;
      case 9:
        if (len !== 4) {
          this.s += 'invalid len';
          break;
        }
        this.s += b.ipv4(t);
        break;
      case 10:
        if (len % 4) {
          this.s += 'invalid len';
          break;
        }
        for (; tlen !== 0; tlen -= 4, t += 4) this.s += `${b.ipv4(t)}${tlen > 4 ? ', ' : ''}`;
        break;
      case 14: {
        if (!b.has(t, 3) || tlen < 3) return false;
        const [ret, af, safi] = this.mpAf(t, tlen);
        if (ret === -2) return false;
        if (ret < 0) break;
        t += 3;
        tlen -= 3;
        if (!b.has(t, 1) || tlen < 1) return false;
        const nhlen = b.u8(t);
        t++;
        tlen--;
        if (nhlen) {
          if (tlen < nhlen) return false;
          this.s += '\n\t    nexthop: ';
          let n = nhlen;
          let count = 0;
          while (n !== 0) {
            if (count++ > 0) this.s += ', ';
            const [used, stop] = this.nexthop(af, safi, t, n);
            t += used;
            tlen -= used;
            n -= used;
            if (stop) return this.attrDone(p, len);
          }
        }
        this.s += `, nh-length: ${nhlen}`;
        if (tlen < 1) return false;
        let snpa = b.u8(t);
        t++;
        tlen--;
        if (snpa) {
          this.s += `\n\t    ${snpa} SNPA`;
          for (; snpa !== 0; snpa--) {
            if (tlen < 1) return false;
            const sl = b.u8(t);
            this.s += `\n\t      ${sl} bytes`;
            t++;
            tlen--;
            if (tlen < sl || !b.has(t, sl)) return false;
            t += sl;
            tlen -= sl;
          }
        } else this.s += ', no SNPA';
        if (!this.nlris(af, safi, t, p, len)) return false;
        break;
      }
      case 15: {
        if (!b.has(t, 3)) return false;
        const [ret, af, safi] = this.mpAf(t, tlen);
        if (ret === -2) return false;
        if (ret < 0) break;
        if (len === 3) this.s += '\n\t      End-of-Rib Marker (empty NLRI)';
        if (!this.nlris(af, safi, t + 3, p, len)) return false;
        break;
      }
      case 16:
        if (len % 8) {
          this.s += 'invalid len';
          break;
        }
        while (tlen !== 0) {
          if (!b.has(t, 2) || tlen < 2) return false;
          const ec = b.u16(t);
          this.s += `\n\t    ${EXT_COMM.get(ec) ?? 'unknown extd community typecode'} (0x${hex(ec, 4)}), Flags [${bitNames(EXT_COMM_FLAGS, ec)}]`;
          if (!b.has(t, 8) || tlen < 8) return false;
          this.s += `: ${this.extCommunity(t)}`;
          tlen -= 8;
          t += 8;
        }
        break;
      case 22: {
        if (!b.has(t, 5) || tlen < 5) return false;
        const flags = b.u8(t);
        const tt = b.u8(t + 1);
        this.s += `\n\t    Tunnel-type ${PMSI_TUNNEL.get(tt) ?? 'Unknown'} (${tt}), Flags [${bitNames([[1, 'Leaf Information required']], flags)}], MPLS Label ${b.u24(t + 2) >> 4}`;
        t += 5;
        tlen -= 5;
        switch (tt) {
          case 4:
          case 5:
            this.s += `\n\t      Sender ${b.ipv4(t)}, P-Group ${b.ipv4(t + 4)}`;
            break;
          case 3:
            this.s += `\n\t      Root-Node ${b.ipv4(t)}, P-Group ${b.ipv4(t + 4)}`;
            break;
          case 6:
            this.s += `\n\t      Tunnel-Endpoint ${b.ipv4(t)}`;
            break;
          case 2:
          case 7:
            this.s += `\n\t      Root-Node ${b.ipv4(t)}, LSP-ID 0x${hex(b.u32(t + 4), 8)}`;
            break;
          case 1:
            this.s += `\n\t      Extended-Tunnel-ID ${b.ipv4(t)}, P2MP-ID 0x${hex(b.u32(t + 4), 8)}`;
            break;
          default:
            if (this.v <= 1) this.s += unknownData(b, t, tlen, '\n\t      ');
        }
        break;
      }
      case 26:
        while (tlen >= 3) {
          const type = b.u8(t);
          let length = b.u16(t + 1);
          t += 3;
          tlen -= 3;
          this.s += `\n\t    ${type === 1 ? 'AIGP' : 'Unknown'} TLV (${type}), length ${length}`;
          if (length < 3) return false;
          length -= 3;
          if (tlen < length) return false;
          if (type === 1) {
            if (length < 8) return false;
            this.s += `, metric ${b.u64(t)}`;
          } else if (this.v <= 1) this.s += unknownData(b, t, length, '\n\t      ');
          t += length;
          tlen -= length;
        }
        break;
      case 128: {
        if (!b.has(t, 4) || len < 4) return false;
        this.s += `\n\t    Origin AS: ${b.u32(t)}`;
        t += 4;
        len -= 4;
        while (len) {
          if (!b.has(t, 2)) return false;
          if (len < 2) {
            this.s += ' [path attr too short]';
            t += len;
            break;
          }
          const aflags = b.u8(t);
          const at = b.u8(t + 1);
          t += 2;
          len -= 2;
          const alenlen = aflags & 0x10 ? 2 : 1;
          if (!b.has(t, alenlen)) return false;
          if (len < alenlen) {
            this.s += ' [path attr too short]';
            t += len;
            break;
          }
          const alen = alenlen === 2 ? b.u16(t) : b.u8(t);
          t += alenlen;
          len -= alenlen;
          this.s += `\n\t      ${ATTR.get(at) ?? 'Unknown Attribute'} (${at}), length: ${alen}`;
          if (aflags) this.s += `, Flags [${this.flags(aflags)}]`;
          this.s += ': ';
          if (len < alen) {
            this.s += ' [path attr too short]';
            t += len;
            break;
          }
          if (level === 10) this.s += '(too many nested levels, not recursing)';
          else if (!this.attr(at, t, alen, level + 1)) return false;
          t += alen;
          len -= alen;
        }
        break;
      }
      case 32:
        if (len === 0 || len % 12) {
          this.s += 'invalid len';
          break;
        }
        this.s += '\n\t    ';
        for (; len !== 0; t += 12, len -= 12) this.s += `${b.u32(t)}:${b.u32(t + 4)}:${b.u32(t + 8)}${len > 12 ? ', ' : ''}`;
        break;
      default:
        if (!b.has(p, len)) return false;
        this.s += `\n\t    no Attribute ${atype} decoder`;
        if (this.v <= 1) this.s += unknownData(b, p, len, '\n\t    ');
    }
    return this.attrDone(p, len);
  }

  private attrDone(p: number, len: number): boolean {
    if (this.v > 1 && len) {
      if (!this.b.has(p, len)) return false;
      this.s += unknownData(this.b, p, len, '\n\t    ');
    }
    return true;
  }

  private nlris(af: number, safi: number, t: number, p: number, len: number): boolean {
    const ap4 = this.checkAddPath(t, len - (t - p), 32);
    const ap6 = this.checkAddPath(t, len - (t - p), 128);
    while (t < p + len) {
      const adv = this.nlri(af, safi, t, len, ap4, ap6);
      if (adv === -2) return false;
      if (adv < 0) break;
      t += adv;
    }
    return true;
  }

  private notification(dat: number, length: number): void {
    const b = this.b;
    if (!b.has(dat, 21)) return this.trunc();
    if (length < 21) return;
    const major = b.u8(dat + 19);
    const minor = b.u8(dat + 20);
    this.s += `, ${NOTIFY_MAJOR.get(major) ?? 'Unknown Error'} (${major})`;
    const m = NOTIFY_MINOR[major];
    if (!m) return;
    this.s += `${m[1]}subcode ${m[0].get(minor) ?? 'Unknown'} (${minor})`;
    if (major !== 6) return;
    const t = dat + 21;
    if (minor === 1 && length >= 28) {
      this.s += `, AFI ${this.afi(b.u16(t))} (${b.u16(t)}), SAFI ${SAFI.get(b.u8(t + 2)) ?? 'Unknown'} (${b.u8(t + 2)}), Max Prefixes: ${b.u32(t + 3)}`;
    }
    if ((minor === 2 || minor === 4) && length >= 22) {
      const clen = b.u8(t);
      let rem = 0;
      if (clen > length - 22) this.s += ', invalid Shutdown Communication length';
      else if (clen === 0) {
        this.s += ', empty Shutdown Communication';
        rem += 1;
      } else {
        this.s += `, Shutdown Communication (length: ${clen}): "`;
        for (let i = 0; i < clen; i++) this.s += printChar(b.u8(t + 1 + i));
        this.s += '"';
        rem += clen + 1;
      }
      if (length - (rem + 21) > 0) {
        this.s += `, Data: (length: ${length - (rem + 21)})`;
        const h = hexPrint(b, t + rem, length - (rem + 21), '\n\t\t');
        this.s += h.text;
        if (h.truncated) throw new Truncated();
      }
    }
  }

  private routeRefresh(p: number, len: number): void {
    const b = this.b;
    if (!b.has(p, 23)) return this.trunc();
    if (len < 23) return;
    this.s += `\n\t  AFI ${this.afi(b.u16(p + 19))} (${b.u16(p + 19)}), SAFI ${SAFI.get(b.u8(p + 22)) ?? 'Unknown'} (${b.u8(p + 22)})`;
    if (this.v > 1) {
      if (!b.has(p, len)) return this.trunc();
      this.s += unknownData(b, p, len, '\n\t  ');
    }
  }

  /** bgp_pdu_print: false when it gave up. */
  pdu(dat: number, length: number): boolean {
    const b = this.b;
    if (!b.has(dat, 19)) {
      this.trunc();
      return false;
    }
    const type = b.u8(dat + 18);
    this.s += `\n\t${MSG.get(type) ?? 'Unknown'} Message (${type}), length: ${length}`;
    switch (type) {
      case 1:
        this.open(dat, length);
        break;
      case 2:
        this.update(dat, length);
        break;
      case 3:
        this.notification(dat, length);
        break;
      case 4:
        break;
      case 5:
        this.routeRefresh(dat, length);
        break;
      default:
        if (!b.has(dat, length)) {
          this.trunc();
          return false;
        }
        this.s += `\n\t  no Message ${type} decoder`;
        this.s += unknownData(b, dat, length, '\n\t  ');
    }
    return true;
  }
}

/** What tcpdump prints for BGP data at `off` (captured up to `end`), or null where not reproduced. */
export function bgp(p: Uint8Array, off: number, end: number, verbose: number): { text: string; jumped: boolean } | null {
  if (verbose < 1) return { text: ': BGP', jumped: false };
  const b = new Bytes(p, end);
  const g = new Bgp(b, verbose);
  g.s = ': BGP';
  let o = off;
  let start = o;
  try {
    while (o < end) {
      if (p[o] !== 0xff) {
        o++;
        continue;
      }
      if (!b.has(o, 16)) break;
      let marker = true;
      for (let i = 0; i < 16; i++) if (p[o + i] !== 0xff) marker = false;
      if (!marker) {
        o++;
        continue;
      }
      if (!b.has(o, 19)) {
        g.s += ' [|bgp]';
        break;
      }
      if (start !== o) g.s += ' [|bgp]';
      const hlen = b.u16(o + 16);
      if (hlen < 19) {
        g.s += `\nmessage length ${hlen} < 19 (invalid)`;
        break;
      }
      if (b.has(o, hlen)) {
        if (!g.pdu(o, hlen)) break;
        o += hlen;
        start = o;
      } else {
        g.s += `\n[|BGP ${MSG.get(b.u8(o + 18)) ?? 'Unknown Message Type'}]`;
        break;
      }
    }
  } catch (e) {
    if (e instanceof NotReproduced) return null;
    if (!(e instanceof Truncated)) throw e;
    return { text: `${g.s} [|bgp]`, jumped: true };
  }
  return { text: g.s, jumped: false };
}
