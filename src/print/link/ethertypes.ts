/**
 * Ethertypes other than IP and ARP that tcpdump 4.99.3 decodes, for the ones real captures
 * carry: MPLS label stacks (then IPv4/IPv6/OSI by the label or the payload's first byte),
 * Arista's timestamp header (then the inner ethertype, printed like an Ethernet header's), LLDP
 * (./lldp.ts), PTP (./ptp.ts), the Ethernet configuration-testing "Loopback" protocol,
 * GeoNetworking and CALM FAST, MS NLB heartbeats, EAPOL frame headers, slow protocols, OSI over
 * 0xfefe (./isis.ts) and DECnet (./decnet.ts). The names tcpdump gives ethertypes in `-e`
 * headers are here too. (MACsec is ./macsec.ts, handled before VLAN tags by the packet printer.)
 *
 * Technique: each decoder reads its header at fixed offsets after checking it was captured and
 * returns its text plus, when an encapsulated layer follows, where it starts (`next`), so the
 * packet printer continues with IPv4, IPv6 or another Ethernet type field exactly as it would
 * after an Ethernet header. Forms not reproduced (verbose TLV listings, unusual variants) are
 * returned with `approx` set.
 */
import { decnet } from './decnet.ts';
import { ptp } from './ptp.ts';
import { lldp } from './lldp.ts';
import { osi } from './isis.ts';
import { ipv4At } from '../addr.ts';
import { hexAsciiDump } from '../hexdump.ts';
import { be16, be32, hex, hexPrint, le16, le32, macText, type L2Options, type L2Result } from './l2.ts';

/** Ethertype names as tcpdump prints them (`ethertype NAME (0xNNNN)` with -e, `NAME` with -e -q). */
export const ETHERTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0800, 'IPv4'], [0x86dd, 'IPv6'], [0x0806, 'ARP'], [0x8035, 'Reverse ARP'], [0x8100, '802.1Q'], [0x88a8, '802.1Q-QinQ'],
  [0x9100, '802.1Q-9100'], [0x8847, 'MPLS unicast'], [0x8848, 'MPLS multicast'], [0x88cc, 'LLDP'], [0x9000, 'Loopback'],
  [0x8947, 'GeoNet'], [0x0707, 'GeoNet (old)'], [0x6003, 'DN'], [0x88f7, 'PTP'], [0xd28b, 'Arista Vendor Specific Protocol'], [0x88e5, '802.1AE MACsec'],
  [0x886f, 'MS NLB heartbeat'], [0x8809, 'Slow Protocols'], [0x888e, 'EAPOL'], [0x1111, 'CALM FAST'], [0xfefe, 'OSI'],
  [0x8863, 'PPPoE D'], [0x8864, 'PPPoE S'],
]);

/** Where an Ethernet-style type field continues: `len` is then the whole frame's length. */
export interface EtherContinue {
  etherType: number;
  off: number;
}

export type EtherResult = L2Result & { ether?: EtherContinue };

/**
 * The payload of ethertype `type` at `off` (the frame's wire length `frame`, captured up to
 * `end`, the Ethernet header at 0), or null when it is not one decoded here.
 */
export function etherPayload(type: number, p: Uint8Array, off: number, frame: number, end: number, o: L2Options): EtherResult | null {
  const len = frame - off;
  switch (type) {
    case 0x8847:
    case 0x8848:
      return early(mpls(p, off, len, end, o));
    case 0xd28b:
      return arista(p, off, frame, end, o);
    case 0x88cc:
      return lldp(p, off, len, end, o);
    case 0x9000:
      return loopback(p, off, len, end, o);
    case 0x8947:
    case 0x0707:
      return geonet(p, off, len, end, o);
    case 0x1111:
      return early(calmFast(p, off, len, end, o));
    case 0x888e:
      return eapol(p, off, end, o);
    case 0x8809:
      return early(slow(p, off, len, end, o));
    case 0x6003:
      return decnet(p, off, len, end, o);
    case 0x88f7:
      return early(ptp(p, off, len, end));
    case 0x886f:
      return early(msnlb(p, off, end, o));
    case 0xfefe:
      // OSI over an ethertype: one byte tcpdump skips, then the NLPID.
      if (len === 0 || end <= off + 1) return { text: ' [|isoclns]', hdrlen: 0 };
      return osi(p, off + 1, len - 1, end, o);
    default:
      return null;
  }
}

/**
 * A result whose text ends with a truncation mark from a field beyond the capture: tcpdump's
 * printer stopped early there, and its -x/-X/-A dumps then start at the frame.
 */
function early(r: EtherResult): EtherResult {
  return / \[\|[a-z_0-9]+\]$/.test(r.text) && r.next === undefined ? { ...r, hdrlen: 0 } : r;
}

const MPLS_LABEL_NAMES = ['IPv4 explicit NULL', 'router alert', 'IPv6 explicit NULL', 'implicit NULL'];

/**
 * MPLS label stack entries (each on its own line with -v, the reserved labels named), then the
 * payload: IPv4/IPv6 by an explicit/implicit NULL label or else by its first byte, OSI for
 * 0x81-0x83, and anything else as hex and ASCII, as tcpdump's mpls_print.
 */
export function mpls(p: Uint8Array, off: number, len: number, end: number, o: L2Options): EtherResult {
  let s = 'MPLS';
  let e = 0;
  for (let depth = 0; ; depth++) {
    if (len < 4) {
      s += ' (invalid)';
      return { text: end < off + len ? `${s} [|mpls]` : s };
    }
    if (end < off + 4) return { text: `${s} [|mpls]` };
    e = be32(p, off);
    const label = e >>> 12;
    s += `${depth && o.verbose ? '\n\t' : ' '}(label ${label}`;
    if (o.verbose && label < 16) s += ` (${MPLS_LABEL_NAMES[label] ?? 'rsvd'})`;
    s += `, tc ${(e >> 9) & 7}${e & 0x100 ? ', [S]' : ''}, ttl ${e & 0xff})`;
    off += 4;
    len -= 4;
    if (e & 0x100) break;
  }
  const label = e >>> 12;
  let pt: 'v4' | 'v6' | 'osi' | 'unknown';
  if (label === 0 || label === 3) pt = 'v4';
  else if (label === 2) pt = 'v6';
  else {
    if (len < 1) return { text: s };
    if (end < off + 1) return { text: `${s} [|mpls]` };
    const first = p[off]!;
    pt = first >= 0x45 && first <= 0x4f ? 'v4' : first >= 0x60 && first <= 0x6f ? 'v6' : first >= 0x81 && first <= 0x83 ? 'osi' : 'unknown';
  }
  const sep = o.verbose > 0 ? '\n\t' : ' ';
  if (pt === 'v4') return { text: s + sep, next: { type: 0x0800, off, len, end } };
  if (pt === 'v6') return { text: s + sep, next: { type: 0x86dd, off, len, end } };
  if (pt === 'osi') {
    const r = osi(p, off, len, end, o);
    return { text: s + sep + r.text, approx: r.approx };
  }
  if (o.quiet || o.dumps) return { text: s };
  const stop = Math.min(end, off + len);
  return { text: s + hexAsciiDump(p, off, stop) + (stop < off + len ? ' [|mpls]' : '') };
}

/**
 * Microsoft NLB heartbeats: `MS NLB heartbeat, host priority: 2, cluster IP: …, host IP: …`
 * (the priority little-endian at 8, the two addresses after it; the rest is undocumented).
 */
function msnlb(p: Uint8Array, off: number, end: number, o: L2Options): EtherResult {
  let s = 'MS NLB heartbeat';
  if (end < off + 12) return { text: `${s} [|msnlb]` };
  s += `, host priority: ${le32(p, off + 8)}`;
  if (end < off + 16) return { text: `${s} [|msnlb]` };
  s += `, cluster IP: ${ipv4At(p, off + 12)}`;
  if (end < off + 20) return { text: `${s} [|msnlb]` };
  // (with names on tcpdump would look the addresses up)
  return { text: `${s}, host IP: ${ipv4At(p, off + 16)}`, approx: o.names };
}

/**
 * Slow protocols (0x8809): `LACPv1, length 110`, `MARKERv1, …`, `OAM, length N`, and for other
 * subtypes `unknown (N), length N` with the bytes as hex. (-v's LACP/marker/OAM bodies: not
 * reproduced, marked approximate.)
 */
function slow(p: Uint8Array, off: number, len: number, end: number, o: L2Options): EtherResult {
  const short = o.verbose ? '\n\t\t packet is too short' : ' (packet is too short)';
  if (len < 1) return { text: short };
  if (end < off + 1) return { text: ' [|slow]' };
  const sub = p[off]!;
  const name = ['', 'LACP', 'MARKER', 'OAM'][sub] || `unknown (${sub})`;
  if (sub === 1 || sub === 2) {
    if (len < 2) return { text: short };
    if (end < off + 2) return { text: ' [|slow]' };
    if (p[off + 1] !== 1) return { text: `${name} version ${p[off + 1]} packet not supported` };
    return { text: `${name}v1, length ${len}`, approx: o.verbose > 0 };
  }
  if (sub === 3) return { text: `${name}, length ${len}`, approx: o.verbose > 0 };
  return { text: `${name}, length ${len}${hexPrint(p, off, len, end, '\n\t')}` };
}

const EAPOL_TYPES = ['EAP packet', 'EAPOL start', 'EAPOL logoff', 'EAPOL key', 'Encapsulated ASF alert'];

/**
 * 802.1X EAPOL (0x888e): `EAP packet (0) v1, len 5`; with -v an EAP packet's contents follow
 * (not reproduced: marked approximate) or, when its length is zero, the truncation mark.
 */
function eapol(p: Uint8Array, off: number, end: number, o: L2Options): EtherResult {
  if (end < off + 4) return { text: ' [|eap]' };
  const type = p[off + 1]!;
  const len = be16(p, off + 2);
  const s = `${EAPOL_TYPES[type] ?? 'unknown'} (${type}) v${p[off]}, len ${len}`;
  if (o.verbose < 1 || type !== 0) return { text: s };
  if (len === 0) return { text: `${s} [|eap]` };
  return { text: `${s}, `, approx: true };
}

const ARISTA_HW: readonly string[] = ['R/R2', 'R3'];

/** Arista's vendor header: a timestamp (64-bit seconds+ns or 48-bit), then another ethertype. */
function arista(p: Uint8Array, off: number, frame: number, end: number, o: L2Options): EtherResult {
  // Without -e tcpdump names the ethertype itself before the header.
  let s = o.linkHeader ? '' : o.quiet ? `Arista Vendor Specific Protocol, length ${frame}: ` : `ethertype Arista Vendor Specific Protocol (0xd28b), length ${frame}: `;
  if (end < off + 4) return { text: `${s}[|arista]`, approx: true };
  const subtype = be16(p, off);
  const version = be16(p, off + 2);
  const scale = (version >> 8) & 0xff;
  const format = (version >> 4) & 0xf;
  const hw = version & 0xf;
  if (subtype !== 1 || scale > 1 || (format !== 1 && format !== 2) || hw > 1) return { text: `${s}SubType 0x${hex(subtype, 4)}`, approx: true };
  s += `SubType Timestamp (0x0001), Timescale ${scale === 0 ? 'TAI' : 'UTC'} (${scale}), Format ${format === 1 ? '64-bit' : '48-bit'} (${format}), HwInfo ${ARISTA_HW[hw]} (${hw}), Timestamp `;
  let t = off + 4;
  if (format === 1) {
    if (end < t + 8) return { text: `${s}[|arista]`, approx: true };
    const d = new Date(be32(p, t) * 1000);
    const two = (n: number): string => String(n).padStart(2, '0');
    s += `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(be32(p, t + 4)).padStart(9, '0')}`;
    t += 8;
  } else {
    if (end < t + 6) return { text: `${s}[|arista]`, approx: true };
    s += `${be16(p, t)}.${String(be32(p, t + 2)).padStart(9, '0')}`;
    t += 6;
  }
  if (end < t + 2) return { text: `${s}: [|ether]`, approx: true };
  return { text: `${s}: `, ether: { etherType: be16(p, t), off: t + 2 } };
}

/** Ethernet configuration testing ("Loopback", 0x9000): skip count, then reply or forward. */
function loopback(p: Uint8Array, off: number, len: number, end: number, o: L2Options): EtherResult {
  let s = 'Loopback';
  if (end < off + 2) return { text: `${s}[|loopback]`, approx: true };
  const skip = le16(p, off);
  s += `, skipCount ${skip}`;
  if (skip % 8 !== 0) return { text: `${s} (bogus)`, approx: true };
  const f = off + 2 + skip;
  if (end < f + 2) return { text: `${s}[|loopback]`, approx: true };
  const fn = le16(p, f);
  const rest = len - (f - off);
  if (fn === 1) {
    if (end < f + 4) return { text: `${s}, Reply[|loopback]`, approx: true };
    return { text: `${s}, Reply, receipt number ${le16(p, f + 2)}, data (${rest - 4} octets)` };
  }
  if (fn === 2) {
    if (end < f + 8) return { text: `${s}, Forward Data[|loopback]`, approx: true };
    const m = macText(p, f + 2, o.names);
    return { text: `${s}, Forward Data, forwarding address ${m.text}, data (${rest - 8} octets)`, approx: !m.exact };
  }
  return { text: `${s}, unknown function ${fn}`, approx: true };
}

const GN_NEXT: readonly string[] = ['Any', 'BTP-A', 'BTP-B', 'IPv6'];
const GN_TYPES: Readonly<Record<number, readonly string[] | string>> = {
  0: 'Any', 1: 'Beacon', 2: 'GeoUnicast', 3: ['GeoAnycastCircle', 'GeoAnycastRect', 'GeoAnycastElipse'],
  4: ['GeoBroadcastCircle', 'GeoBroadcastRect', 'GeoBroadcastElipse'], 5: ['TopoScopeBcast-SH', 'TopoScopeBcast-MH'],
  6: ['LocService-Request', 'LocService-Reply'],
};
const ITS_MSG_TYPES: ReadonlyMap<number, string> = new Map([
  [0, 'CAM'], [1, 'DENM'], [101, 'TPEGM'], [102, 'TSPDM'], [103, 'VPM'], [104, 'SRM'], [105, 'SLAM'], [106, 'ecoCAM'], [107, 'ITM'], [150, 'SA'],
]);

/**
 * GeoNetworking (ETSI ITS, ethertypes 0x8947 and the old 0x0707): the common header, the
 * sender's long position vector, the extended header skipped by type, then BTP ports and the
 * ITS PDU header; with -v the rest as hex and ASCII.
 */
function geonet(p: Uint8Array, off: number, len: number, end: number, o: L2Options): EtherResult {
  const src = macText(p, 6, o.names);
  let s = `GeoNet src:${src.text}; `;
  // (a field beyond the capture ends tcpdump's printer early: its dumps then start at the frame)
  const r = (text: string, approx = false): EtherResult => ({ text, approx: approx || !src.exact, ...(text.endsWith(' [|geonet]') ? { hdrlen: 0 } : {}) });
  if (len < 36) return r(`${s} (common header length ${len} < 36) (invalid)`);
  if (end < off + 8) return r(`${s} [|geonet]`);
  const version = p[off]! >> 4;
  const nh = p[off]! & 0xf;
  const ht = p[off + 1]! >> 4;
  const hst = p[off + 1]! & 0xf;
  const t = GN_TYPES[ht];
  const typeName = t === undefined ? 'Unknown' : typeof t === 'string' ? t : (t[hst] ?? 'Unknown');
  s += `v:${version} NH:${nh}-${GN_NEXT[nh] ?? 'Unknown'} HT:${ht}-${hst}-${typeName} HopLim:${p[off + 7]} Payload:${be16(p, off + 4)} `;
  if (end < off + 16) return r(`${s} [|geonet]`);
  let gn = '';
  for (let i = 0; i < 8; i++) gn += (i ? ':' : '') + hex(p[off + 8 + i]!, 2);
  s += `GN_ADDR:${gn} `;
  if (end < off + 24) return r(`${s} [|geonet]`);
  s += `lat:${be32(p, off + 20)} `;
  if (end < off + 28) return r(`${s} [|geonet]`);
  s += `lon:${be32(p, off + 24)}`;
  if (end < off + 36) return r(`${s} [|geonet]`);
  let b = off + 36;
  let rest = len - 36;
  const size = ht === 0 || ht === 1 || (ht === 5 && hst === 0) ? 0 : ht === 5 && hst === 1 ? 32 : -1;
  if (size >= 0) {
    if (rest < size) return r(`${s} (header size ${size} > ${rest}) (invalid)`);
    if (end < b + size) return r(`${s} [|geonet]`);
    rest -= size;
    b += size;
    if (nh === 1 || nh === 2) {
      if (rest < 4) return r(`${s} (BTP length ${rest} < 4) (invalid)`);
      if (end < b + 2) return r(`${s} [|geonet]`);
      s += `; BTP Dst:${be16(p, b)}`;
      if (end < b + 4) return r(`${s} [|geonet]`);
      s += ` Src:${be16(p, b + 2)}`;
      rest -= 4;
      b += 4;
      if (rest >= 2) {
        if (end < b + 1) return r(`${s} [|geonet]`);
        s += `; ItsPduHeader v:${p[b]}`;
        if (end < b + 2) return r(`${s} [|geonet]`);
        const mt = p[b + 1]!;
        s += ` t:${mt}-${ITS_MSG_TYPES.get(mt) ?? `unknown (${mt})`}`;
      }
    }
  }
  if (o.verbose > 0 && !o.dumps) s += hexAsciiDump(p, b, Math.min(end, b + rest));
  return r(s);
}

/** CALM FAST (ISO 29281, ethertype 0x1111): the two network references, then with -v the data. */
function calmFast(p: Uint8Array, off: number, len: number, end: number, o: L2Options): EtherResult {
  const src = macText(p, 6, o.names);
  let s = `CALM FAST src:${src.text}; `;
  if (len < 2) {
    s += ` (length ${len} < 2) (invalid)`;
    return { text: end < off + len ? `${s} [|calm_fast]` : s, approx: !src.exact };
  }
  if (end < off + 1) return { text: `${s} [|calm_fast]`, approx: !src.exact };
  s += `SrcNwref:${p[off]}; `;
  if (end < off + 2) return { text: `${s} [|calm_fast]`, approx: !src.exact };
  s += `DstNwref:${p[off + 1]}; `;
  if (o.verbose > 0 && !o.dumps) s += hexAsciiDump(p, off + 2, Math.min(end, off + len));
  return { text: s, approx: !src.exact };
}

