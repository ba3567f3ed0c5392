/**
 * Bounds-checked reads for the application printers that follow tcpdump's GET_* macros: a read
 * past the captured bytes throws `Truncated`, which the printer's entry point turns into
 * tcpdump's ` [|proto]` (and, like tcpdump's longjmp, a -x dump from the frame start).
 */
import { ipv6At } from '../addr.ts';

/** Big-endian 16-bit read of bytes the caller has checked were captured. */
export function be16(p: Uint8Array, o: number): number {
  return (p[o]! << 8) | p[o + 1]!;
}

/** Big-endian unsigned 32-bit read of bytes the caller has checked were captured. */
export function be32(p: Uint8Array, o: number): number {
  return ((p[o]! << 24) | (p[o + 1]! << 16) | (p[o + 2]! << 8) | p[o + 3]!) >>> 0;
}

/** Bytes [from, to) as lowercase hex, two digits a byte. */
export function hexBytes(p: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += p[i]!.toString(16).padStart(2, '0');
  return s;
}

export class Truncated extends Error {
  constructor() {
    super('truncated');
  }
}

export class Bytes {
  constructor(readonly p: Uint8Array, readonly end: number) {}

  /** Throw unless bytes [o, o+n) were captured. */
  need(o: number, n: number): void {
    if (o < 0 || n < 0 || o + n > this.end) throw new Truncated();
  }
  has(o: number, n: number): boolean {
    return o >= 0 && n >= 0 && o + n <= this.end;
  }
  u8(o: number): number {
    this.need(o, 1);
    return this.p[o]!;
  }
  u16(o: number): number {
    this.need(o, 2);
    return (this.p[o]! << 8) | this.p[o + 1]!;
  }
  u24(o: number): number {
    this.need(o, 3);
    return (this.p[o]! << 16) | (this.p[o + 1]! << 8) | this.p[o + 2]!;
  }
  u32(o: number): number {
    this.need(o, 4);
    return ((this.p[o]! << 24) | (this.p[o + 1]! << 16) | (this.p[o + 2]! << 8) | this.p[o + 3]!) >>> 0;
  }
  u64(o: number): bigint {
    return (BigInt(this.u32(o)) << 32n) | BigInt(this.u32(o + 4));
  }
  ipv4(o: number): string {
    this.need(o, 4);
    return `${this.p[o]}.${this.p[o + 1]}.${this.p[o + 2]}.${this.p[o + 3]}`;
  }
  mac(o: number): string {
    this.need(o, 6);
    return Array.from(this.p.subarray(o, o + 6), (b) => b.toString(16).padStart(2, '0')).join(':');
  }
}

/** tcpdump's fn_print_char: M- for bytes above 0x7f, ^X for control characters. */
export function printChar(c: number): string {
  let s = '';
  if (c > 0x7f) {
    c &= 0x7f;
    s += 'M-';
  }
  if (c < 0x20 || c === 0x7f) {
    c ^= 0x40;
    s += '^';
  }
  return s + String.fromCharCode(c);
}

export function hex(v: number, width: number): string {
  return v.toString(16).padStart(width, '0');
}

/** tcpdump's bittok2str: the names of the set bits joined by `sep`, or `dflt` when none is known. */
export function bitNames(table: ReadonlyArray<[number, string]>, v: number, sep = ', ', dflt = 'none'): string {
  const names: string[] = [];
  for (const [bit, name] of table) if (bit !== 0 && (v & bit) === bit) names.push(name);
  return names.length > 0 ? names.join(sep) : dflt;
}

/**
 * tcpdump's hex_print (print_unknown_data): `ident0x0000: ` then 2-byte groups, 16 bytes a
 * line, over the captured part of [o, o+len); `truncated` tells whether bytes were missing
 * (hex_print then longjmps; print_unknown_data clips first and never does).
 */
export function hexPrint(b: Bytes, o: number, len: number, ident: string): { text: string; truncated: boolean } {
  let n = len;
  let truncated = false;
  const avail = Math.max(0, b.end - o);
  if (n > avail) {
    n = avail;
    truncated = true;
  }
  let s = '';
  let i = 0;
  for (; i + 1 < n; i += 2) {
    if (i % 16 === 0) s += `${ident}0x${hex(i, 4)}: `;
    s += ` ${hex(b.p[o + i]!, 2)}${hex(b.p[o + i + 1]!, 2)}`;
  }
  if (n & 1) {
    if (i % 16 === 0) s += `${ident}0x${hex(i, 4)}: `;
    s += ` ${hex(b.p[o + i]!, 2)}`;
  }
  return { text: s, truncated };
}

/** print_unknown_data: the hex of what was captured of [o, o+len). */
export function unknownData(b: Bytes, o: number, len: number, ident: string): string {
  if (o > b.end) return `${ident}Dissector error: print_unknown_data called with pointer past end of packet`;
  return hexPrint(b, o, len, ident).text;
}

/** Address family numbers (af.c). */
export const AF_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'Reserved'], [1, 'IPv4'], [2, 'IPv6'], [3, 'NSAP'], [4, 'HDLC'], [5, 'BBN 1822'], [6, '802'], [7, 'E.163'], [8, 'E.164'],
  [9, 'F.69'], [10, 'X.121'], [11, 'Novell IPX'], [12, 'Appletalk'], [13, 'Decnet IV'], [14, 'Banyan Vines'],
  [15, 'E.164 with NSAP subaddress'], [196, 'Layer-2 VPN'], [25, 'VPLS'],
]);

/**
 * decode_prefix4/6 (print-bgp.c): `addr/len` from a length octet and the prefix bytes, or -1
 * (length too long), -2 (item too short). The bytes must be captured (else Truncated).
 */
export function decodePrefix(b: Bytes, o: number, itemlen: number, v6: boolean): string | -1 | -2 {
  if (itemlen < 1) return -2;
  const plen = b.u8(o);
  if (plen > (v6 ? 128 : 32)) return -1;
  itemlen -= 1;
  const bytes = Math.ceil(plen / 8);
  if (itemlen < bytes) return -2;
  b.need(o + 1, bytes);
  const addr = new Uint8Array(v6 ? 16 : 4);
  addr.set(b.p.subarray(o + 1, o + 1 + bytes));
  if (plen % 8) addr[bytes - 1]! &= (0xff00 >> (plen % 8)) & 0xff;
  const text = v6 ? ipv6At(addr, 0) : `${addr[0]}.${addr[1]}.${addr[2]}.${addr[3]}`;
  return `${text}/${plen}`;
}
