/**
 * OSPFv3 (IPv6, protocol 89) in tcpdump 4.99.3's -v form: after `OSPFv3, Hello, length 36` the
 * router and area ids, then per packet type the Hello fields (options, timers, interface id,
 * priority, designated routers; the neighbor list with -vv) or the Database Description header
 * (options, flags, MTU, sequence). LS-Request, LS-Update and LS-Ack add nothing at -v; at -vv
 * (their LSA lists, a DD's LSA headers) and with an LLS or authentication trailer this module
 * returns null and the caller marks the line approximate.
 *
 * Technique: fixed offsets in the 16-byte OSPFv3 header and the Hello / DD bodies, each read
 * only after checking it was captured; option bits named from tcpdump's table in its order.
 */
import { ipv4At } from '../addr.ts';

function be16(p: Uint8Array, o: number): number {
  return (p[o]! << 8) | p[o + 1]!;
}
function be32(p: Uint8Array, o: number): number {
  return ((p[o]! << 24) | (p[o + 1]! << 16) | (p[o + 2]! << 8) | p[o + 3]!) >>> 0;
}

const OPTIONS: ReadonlyArray<[number, string]> = [
  [0x01, 'V6'], [0x02, 'External'], [0x04, 'Deprecated'], [0x08, 'NSSA'], [0x10, 'Router'], [0x20, 'Demand Circuit'],
  [0x100, 'AFs Support'], [0x200, 'LLS'], [0x400, 'Authentication Trailer'],
];
const DD_FLAGS: ReadonlyArray<[number, string]> = [[0x04, 'Init'], [0x02, 'More'], [0x01, 'Master'], [0x10, 'IPv6 MTU']];

function bits(v: number, table: ReadonlyArray<[number, string]>): string {
  const n = table.filter(([b]) => v & b).map(([, s]) => s);
  return n.length ? n.join(', ') : 'none';
}

/**
 * The text after `OSPFv3, <type>, length N` with -v (`len` is the length on the wire, `end` the
 * captured end), or null when not reproduced.
 */
export function ospf3Verbose(p: Uint8Array, off: number, len: number, end: number, verbose: number): string | null {
  if (end < off + 16) return null;
  const type = p[off + 1]!;
  if (type < 1 || type > 5) return '';
  const datalen = be16(p, off + 2);
  if (datalen > len) return ` [len ${datalen}]`;
  // An LLS block or authentication trailer after the packet: not reproduced.
  if (datalen !== len) return null;
  const dataend = off + datalen;
  let s = `\n\tRouter-ID ${ipv4At(p, off + 4)}`;
  s += be32(p, off + 8) !== 0 ? `, Area ${ipv4At(p, off + 8)}` : ', Backbone Area';
  if (p[off + 14]) s += `, Instance ${p[off + 14]}`;
  const b = off + 16;
  switch (type) {
    case 1: {
      if (end < b + 20) return null;
      const opts = be32(p, b + 4);
      if (opts & 0x600) return null;
      s += `\n\tOptions [${bits(opts, OPTIONS)}]`;
      s += `\n\t  Hello Timer ${be16(p, b + 8)}s, Dead Timer ${be16(p, b + 10)}s, Interface-ID ${ipv4At(p, b)}, Priority ${p[b + 4]}`;
      if (be32(p, b + 12) !== 0) s += `\n\t  Designated Router ${ipv4At(p, b + 12)}`;
      if (be32(p, b + 16) !== 0) s += `, Backup Designated Router ${ipv4At(p, b + 16)}`;
      if (verbose > 1) {
        s += '\n\t  Neighbor List:';
        for (let a = b + 20; a < dataend; a += 4) {
          if (end < a + 4) return null;
          s += `\n\t    ${ipv4At(p, a)}`;
        }
      }
      return s;
    }
    case 2: {
      if (end < b + 12) return null;
      const opts = be32(p, b);
      if (opts & 0x600) return null;
      s += `\n\tOptions [${bits(opts, OPTIONS)}], DD Flags [${bits(p[b + 7]!, DD_FLAGS)}], MTU ${be16(p, b + 4)}, DD-Sequence 0x${be32(p, b + 8).toString(16).padStart(8, '0')}`;
      // -vv lists the LSA headers that follow (not reproduced).
      if (verbose > 1 && dataend > b + 12) return null;
      return s;
    }
    default:
      return verbose > 1 ? null : s;
  }
}

const OPTIONS2: ReadonlyArray<[number, string]> = [
  [0x01, 'MultiTopology'], [0x02, 'External'], [0x04, 'Multicast'], [0x08, 'NSSA'], [0x10, 'LLS'], [0x20, 'Demand Circuit'],
  [0x40, 'Opaque'], [0x80, 'Up/Down'],
];
const DD2_FLAGS: ReadonlyArray<[number, string]> = [[0x04, 'Init'], [0x02, 'More'], [0x01, 'Master'], [0x08, 'OOBResync']];
const LSA_TYPES = ['', 'Router', 'Network', 'Summary', 'ASBR Summary', 'External', 'Multicast Group', 'NSSA', '', 'Link Local Opaque', 'Area Local Opaque', 'Domain Wide Opaque'];

/** One OSPFv2 LSA header (20 bytes); null for the opaque types (not reproduced) or a bogus length. */
function lsaHeader2(p: Uint8Array, o: number, end: number): string | null {
  if (end < o + 20) return null;
  const len = be16(p, o + 18);
  const type = p[o + 3]!;
  if (len < 20 || type >= 9) return null;
  return `\n\t  Advertising Router ${ipv4At(p, o + 8)}, seq 0x${be32(p, o + 12).toString(16).padStart(8, '0')}, age ${be16(p, o)}s, length ${len - 20}` +
    `\n\t    ${LSA_TYPES[type] || 'unknown'} LSA (${type}), LSA-ID: ${ipv4At(p, o + 4)}\n\t    Options: [${bits(p[o + 2]!, OPTIONS2)}]`;
}

/**
 * The text after `OSPFv2, <type>, length N` with -v (`len` is that printed length: the MD5
 * trailer already left out), or null when not reproduced (LS-Update's LSAs, simple passwords,
 * opaque LSAs).
 */
export function ospf2Verbose(p: Uint8Array, off: number, len: number, end: number): string | null {
  if (end < off + 24) return null;
  const type = p[off + 1]!;
  if (type < 1 || type > 5) return '';
  const auth = be16(p, off + 14);
  // The MD5 trailer is outside what tcpdump decodes.
  if (auth === 2) end = Math.min(end, off + len + 16) - 16;
  const olen = be16(p, off + 2);
  let s = olen !== len ? ` [len ${olen}]` : '';
  const dataend = off + Math.min(len, olen);
  s += `\n\tRouter-ID ${ipv4At(p, off + 4)}`;
  s += be32(p, off + 8) !== 0 ? `, Area ${ipv4At(p, off + 8)}` : ', Backbone Area';
  s += `, Authentication Type: ${['none', 'simple', 'MD5'][auth] ?? 'unknown'} (${auth})`;
  if (auth === 1 || auth > 2) return null;
  if (auth === 2) s += `\n\tKey-ID: ${p[off + 18]}, Auth-Length: ${p[off + 19]}, Crypto Sequence Number: 0x${be32(p, off + 20).toString(16).padStart(8, '0')}`;
  const b = off + 24;
  let opts = 0;
  switch (type) {
    case 1: {
      if (end < b + 20) return null;
      opts = p[b + 6]!;
      s += `\n\tOptions [${bits(opts, OPTIONS2)}]`;
      s += `\n\t  Hello Timer ${be16(p, b + 4)}s, Dead Timer ${be32(p, b + 8)}s, Mask ${ipv4At(p, b)}, Priority ${p[b + 7]}`;
      if (be32(p, b + 12) !== 0) s += `\n\t  Designated Router ${ipv4At(p, b + 12)}`;
      if (be32(p, b + 16) !== 0) s += `, Backup Designated Router ${ipv4At(p, b + 16)}`;
      if (b + 20 < dataend) s += '\n\t  Neighbor List:';
      for (let a = b + 20; a < dataend; a += 4) {
        if (end < a + 4) return null;
        s += `\n\t    ${ipv4At(p, a)}`;
      }
      break;
    }
    case 2: {
      if (end < b + 8) return null;
      opts = p[b + 2]!;
      s += `\n\tOptions [${bits(opts, OPTIONS2)}], DD Flags [${bits(p[b + 3]!, DD2_FLAGS)}]`;
      if (be16(p, b)) s += `, MTU: ${be16(p, b)}`;
      s += `, Sequence: 0x${be32(p, b + 4).toString(16).padStart(8, '0')}`;
      for (let o = b + 8; o < dataend; o += 20) {
        const h = lsaHeader2(p, o, end);
        if (h === null) return null;
        s += h;
      }
      break;
    }
    case 3:
      for (let o = b; o < dataend; o += 12) {
        if (end < o + 12) return null;
        const t = be32(p, o);
        if (t >= 9) return null;
        s += `\n\t  Advertising Router: ${ipv4At(p, o + 8)}, ${LSA_TYPES[t] || 'unknown'} LSA (${t}), LSA-ID: ${ipv4At(p, o + 4)}`;
      }
      break;
    default:
      // LS-Update (every LSA decoded) and LS-Ack (headers read until the capture ends): not reproduced.
      return null;
  }
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
