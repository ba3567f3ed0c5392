/**
 * LISP control messages (UDP 4342) as tcpdump 4.99.3 prints them (print-lisp.c): the type, and
 * for Map-Register and Map-Notify the EID records with their locators, then the xTR and site
 * ids (or the rest as hex). With -v the header flags, the authentication data in hex, each
 * record's TTL, action, version and each locator's priorities and flags, on lines of their own.
 *
 * Technique: a field beyond the capture ends the text with " [|lisp]"; the hex dumps are
 * tcpdump's hex_print (./bytes.ts).
 */
import { Bytes, hexPrint } from './bytes.ts';

const TYPES: ReadonlyMap<number, string> = new Map([
  [0, 'LISP-Reserved'], [1, 'LISP-Map-Request'], [2, 'LISP-Map-Reply'], [3, 'LISP-Map-Register'], [4, 'LISP-Map-Notify'],
  [8, 'LISP-Encapsulated-Contol-Message'],
]);
const REGISTER_FLAGS: ReadonlyArray<[number, string]> = [
  [0x08000000, 'P-Proxy-Map-Reply'], [0x04000000, 'S-LISP-SEC-Capable'], [0x02000000, 'I-xTR-ID-Present'], [0x01000000, 'R-Build-For-RTR'],
  [0x00000100, 'M-Want-Map-Notify'],
];
const NOTIFY_FLAGS: ReadonlyArray<[number, string]> = [[0x08000000, 'I-xTR-ID-Present'], [0x04000000, 'R-Build-For-RTR']];
const AUTH = ['None', 'SHA1', 'SHA256'];
const ACTIONS = ['No-Action', 'Natively-Forward', 'Send-Map-Request', 'Drop'];
const LOC_FLAGS: ReadonlyArray<[number, string]> = [[0x0004, 'Local-Locator'], [0x0002, 'RLoc-Probed'], [0x0001, 'Reachable']];

class Trunc extends Error {}

function bits(table: ReadonlyArray<[number, string]>, v: number): string {
  const n = table.filter(([b]) => (v & b) >>> 0 === b).map(([, s]) => s);
  return n.length ? n.join(', ') : 'none';
}

export function lisp(p: Uint8Array, off: number, length: number, end: number, verbose: number, host4: (o: number) => string, host6: (o: number) => string): string {
  const b = new Bytes(p, end);
  let s = '';
  const need = (o: number, n: number): void => {
    if (o + n > end) throw new Trunc();
  };
  const hex = (o: number, n: number, ident: string): void => {
    const h = hexPrint(b, o, n, ident);
    s += h.text;
    if (h.truncated) throw new Trunc();
  };
  try {
    need(off, 16);
    const tf = p[off]!;
    const type = tf >> 4;
    s += `${TYPES.get(type) ?? `unknown-type-${type}`},`;
    const w = b.u32(off);
    if (verbose) {
      if (type === 3) s += ` flags [${bits(REGISTER_FLAGS, w)}],`;
      else if (type === 4) s += ` flags [${bits(NOTIFY_FLAGS, w)}],`;
    }
    if (type !== 3 && type !== 4) return s;
    const xtr = type === 3 ? tf & 2 : tf & 8;
    const authLen = b.u16(off + 14);
    let records = p[off + 3]!;
    let o = 16;
    if (verbose) {
      s += `\n    ${records} record(s), Authentication ${AUTH[b.u16(off + 12)] ?? 'unknown-type'},`;
      hex(off + o, authLen, '\n    Authentication-Data: ');
    } else s += ` ${records} record(s),`;
    o = (o + authLen) & 0xffff;
    if (records === 0) return `${s} (invalid)`;
    while (length > o && records !== 0) {
      records--;
      need(off + o, 12);
      s += '\n';
      const e = off + o;
      o += 12;
      const mask = p[e + 5]!;
      const afi = b.u16(e + 10);
      let locs = p[e + 4]!;
      if (verbose) {
        const a = p[e + 6]!;
        s += `      Record TTL ${b.u32(e)},${(a >> 4) & 1 ? ' Authoritative,' : ' Non-Authoritative,'} ${ACTIONS[a >> 5] ?? 'unknown'},`;
        s += ` Map Version: ${b.u16(e + 8) & 0x0fff},`;
      }
      if (afi === 1) {
        need(off + o, 4);
        s += ` EID ${host4(off + o)}/${mask},`;
        o += 4;
      } else if (afi === 2) {
        need(off + o, 16);
        s += ` EID ${host6(off + o)}/${mask},`;
        o += 16;
      } else return s;
      s += ` ${locs} locator(s)`;
      while (locs !== 0) {
        locs--;
        need(off + o, 8);
        const l = off + o;
        o += 8;
        const lafi = b.u16(l + 6);
        if (verbose) s += '\n       ';
        if (lafi === 1) {
          need(off + o, 4);
          s += ` LOC ${host4(l + 8)}`;
          o += 4;
        } else if (lafi === 2) {
          need(off + o, 16);
          s += ` LOC ${host6(l + 8)}`;
          o += 16;
        }
        if (verbose) {
          s += `\n          Priority/Weight ${p[l]}/${p[l + 1]}, Multicast Priority/Weight ${p[l + 2]}/${p[l + 3]},`;
          s += ` flags [${bits(LOC_FLAGS, b.u16(l + 4))}],`;
        }
      }
    }
    if (xtr) {
      if (off + o + 24 > end) return `${s} (invalid)`;
      hex(off + o, 16, '\n    xTR-ID: ');
      s += `\n    SITE-ID: ${b.u64(off + o + 16)}`;
    } else if (off + o < end) hex(off + o, end - (off + o), '\n    Data: ');
  } catch (e) {
    if (!(e instanceof Trunc)) throw e;
    s += ' [|lisp]';
  }
  return s;
}
