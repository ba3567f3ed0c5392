/**
 * Bounds-checked reads for the application printers that follow tcpdump's GET_* macros: a read
 * past the captured bytes throws `Truncated`, which the printer's entry point turns into
 * tcpdump's ` [|proto]` (and, like tcpdump's longjmp, a -x dump from the frame start).
 */
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
