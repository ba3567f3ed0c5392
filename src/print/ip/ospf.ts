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
