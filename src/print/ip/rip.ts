/**
 * RIP (UDP 520) as tcpdump 4.99.3 prints it (print-rip.c): `RIPv2, Response, length: 160`, and
 * with -v (on a line of its own) the route entries: v1 "10.0.0.0, metric: 1", v2
 * "AFI IPv4,        10.7.0.0/24, tag 0x0000, metric: 1, next-hop: self", authentication
 * entries, unknown families in hex; -vv adds the whole message in hex.
 *
 * Technique: entries are read in 20-byte steps over what was both captured and announced;
 * tcpdump's " [|rip]" ends a cut entry, " (invalid)" a short last one.
 */
import { Bytes, unknownData, printChar } from './bytes.ts';

const COMMANDS = ['', 'Request', 'Response', 'Trace on', 'Trace off', 'Poll', 'Poll Entry'];
const BSD_AF: ReadonlyMap<number, string> = new Map([[2, 'IPv4'], [6, 'NS'], [7, 'ISO'], [16, 'Appletalk'], [23, 'IPX'], [24, 'IPv6'], [28, 'IPv6'], [30, 'IPv6']]);

/** mask2plen: the prefix length of a contiguous mask, -1 otherwise. */
function maskLen(m: number): number {
  for (let bits = 0; bits <= 32; bits++) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if (mask === m >>> 0) return bits;
  }
  return -1;
}

export function rip(p: Uint8Array, off: number, length: number, end: number, verbose: number, host4: (o: number) => string): string {
  const b = new Bytes(p, end);
  if (end < off) return ' [|rip]';
  let len = Math.min(end - off, length);
  if (len < 4) return ' [|rip]';
  len -= 4;
  const vers = p[off + 1]!;
  let s = `${verbose >= 1 ? '\n\t' : ''}RIPv${vers}`;
  if (vers === 0) return s + unknownData(b, off, length, '\n\t');
  const cmd = p[off]!;
  s += `, ${COMMANDS[cmd] || `unknown command (${cmd})`}, length: ${length}`;
  if (verbose < 1) return s;
  const u16 = (o: number): number => (p[o]! << 8) | p[o + 1]!;
  const u32 = (o: number): number => ((p[o]! << 24) | (p[o + 1]! << 16) | (p[o + 2]! << 8) | p[o + 3]!) >>> 0;
  const v1 = (e: number, left: number): number => {
    if (left < 20 || e + 20 > end) return 0;
    const family = u16(e);
    if (family !== 2 && family !== 0) {
      s += `\n\t AFI ${BSD_AF.get(family) ?? `Unknown (${family})`}, ` + unknownData(b, e + 4, 16, '\n\t  ');
      return 20;
    }
    if (u16(e + 2) || u32(e + 8) || u32(e + 12)) {
      s += unknownData(b, e, 20, '\n\t  ');
      return 20;
    }
    s += `\n\t  ${family === 0 ? 'AFI 0, ' : ''}${host4(e + 4)}, metric: ${u32(e + 16)}`;
    return 20;
  };
  const v2 = (e: number, left: number): number => {
    if (left < 4 || e + 4 > end) return 0;
    const family = u16(e);
    if (family === 0xffff) {
      const type = u16(e + 2);
      const a = e + 4;
      left -= 4;
      if (type === 2) {
        s += '\n\t  Simple Text Authentication data: ';
        for (let i = a; i < a + 16; i++) {
          if (i >= end) throw new RangeError('cut');
          if (p[i] === 0) break;
          s += printChar(p[i]!);
        }
      } else if (type === 3) {
        if (a + 16 > end || left < 16) return 0;
        s += `\n\t  Auth header: Packet Len ${u16(a)}, Key-ID ${p[a + 2]}, Auth Data Len ${p[a + 3]}, SeqNo ${u32(a + 4)}, MBZ ${u32(a + 8)}, MBZ ${u32(a + 12)}`;
      } else {
        s += type === 1 ? '\n\t  Auth trailer:' : `\n\t  Unknown (${type}) Authentication data:`;
        s += unknownData(b, a, left, '\n\t  ');
        return 4 + left;
      }
    } else if (family !== 2 && family !== 0) {
      s += `\n\t  AFI ${BSD_AF.get(family) ?? `Unknown (${family})`}` + unknownData(b, e + 4, 16, '\n\t  ');
    } else {
      if (e + 20 > end || left < 20) return 0;
      const plen = String(maskLen(u32(e + 8))).padEnd(2);
      s += `\n\t  AFI ${BSD_AF.get(family) ?? `${family}`}, ${host4(e + 4).padStart(15)}/${plen}, tag 0x${u16(e + 2).toString(16).padStart(4, '0')}, metric: ${u32(e + 16)}, next-hop: `;
      s += u32(e + 12) ? host4(e + 12) : 'self';
    }
    return 20;
  };
  try {
    if (cmd === 1 || cmd === 2) {
      if (vers === 1 || vers === 2) {
        s += `, routes: ${Math.floor(length / 20)}${vers === 2 ? ' or less' : ''}`;
        let e = off + 4;
        while (len !== 0) {
          const size = (vers === 1 ? v1 : v2)(e, len);
          if (size === 0) {
            s += ' [|rip]';
            break;
          }
          if (len < size) {
            s += ` [remaining entries length ${len} < ${size}] (invalid)`;
            break;
          }
          e += size;
          len -= size;
        }
      } else s += ', unknown version';
    } else if (cmd !== 4 && cmd !== 5 && cmd !== 6 && verbose <= 1) {
      if (off > end) return s;
      s += unknownData(b, off, length, '\n\t');
    }
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return `${s} [|rip]`;
  }
  if (verbose > 1) s += unknownData(b, off, length, '\n\t');
  return s;
}
