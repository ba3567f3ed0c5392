/**
 * tcpdump's packet dumps: `-x` (hex), `-X` (hex and ASCII) and `-A` (ASCII), each appended after
 * the one-line summary. With one flag the dump starts after the link-layer header; doubled
 * (`-xx`, `-XX`, `-AA`) it starts at byte 0.
 *
 * Layout (matches tcpdump byte for byte): each line is `\n\t0x%04x: ` followed by 16 bytes as
 * 2-byte groups, each group preceded by a space (an odd final byte is a lone group). `-X` pads
 * the hex column to 40 characters and adds two spaces and the bytes 0x21..0x7e as themselves,
 * everything else as `.`. `-A` starts a new line and prints printable bytes, tabs, spaces and
 * newlines as themselves, drops a carriage return that ends a line, and shows other bytes as `.`.
 *
 * Technique: the text is assembled as bytes in one reusable scratch buffer (lookup tables give
 * each byte's two hex digits and its ASCII-column character) and turned into a string with a
 * single native latin1 decode, instead of thousands of small string concatenations.
 */

const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** Byte → its ASCII-column character code for -X. */
const GRAPH = Uint8Array.from({ length: 256 }, (_, b) => (b >= 0x21 && b <= 0x7e ? b : 0x2e));

let scratch = Buffer.alloc(1 << 16);

/** Makes sure the scratch buffer holds `n` bytes (grows by doubling, never shrinks). */
function room(n: number): Buffer {
  if (scratch.length < n) scratch = Buffer.alloc(Math.max(n, scratch.length * 2));
  return scratch;
}

/** Writes `\n\t0x%04x: ` at `o`; returns the new offset. */
function label(b: Buffer, o: number, off: number): number {
  b[o++] = 0x0a;
  b[o++] = 0x09;
  b[o++] = 0x30;
  b[o++] = 0x78;
  // %04x: at least four digits, more when the offset needs them.
  let digits = 4;
  while (digits < 8 && off >>> (digits * 4) !== 0) digits++;
  for (let d = digits - 1; d >= 0; d--) b[o++] = HEX_DIGITS[(off >>> (d * 4)) & 0xf]!;
  b[o++] = 0x3a;
  b[o++] = 0x20;
  return o;
}

/** Writes the hex groups of `bytes[line..stop)` at `o`; returns the new offset. */
function hexGroups(b: Buffer, o: number, bytes: Uint8Array, line: number, stop: number): number {
  for (let i = line; i < stop; i++) {
    if (((i - line) & 1) === 0) b[o++] = 0x20;
    const v = bytes[i]!;
    b[o++] = HEX_DIGITS[v >> 4]!;
    b[o++] = HEX_DIGITS[v & 0xf]!;
  }
  return o;
}

/** `-x`: hex only. `bytes[start..end)`; offsets in the dump count from `start`. */
export function hexDump(bytes: Uint8Array, start: number, end: number): string {
  const lines = Math.ceil((end - start) / 16);
  const b = room(lines * (14 + 40));
  let o = 0;
  for (let line = start; line < end; line += 16) {
    o = label(b, o, line - start);
    o = hexGroups(b, o, bytes, line, Math.min(line + 16, end));
  }
  return b.toString('latin1', 0, o);
}

/** `-X`: hex padded to 40 columns, two spaces, then the ASCII column. */
export function hexAsciiDump(bytes: Uint8Array, start: number, end: number): string {
  const lines = Math.ceil((end - start) / 16);
  const b = room(lines * (14 + 40 + 2 + 16));
  let o = 0;
  for (let line = start; line < end; line += 16) {
    o = label(b, o, line - start);
    const stop = Math.min(line + 16, end);
    const col = o;
    o = hexGroups(b, o, bytes, line, stop);
    while (o < col + 40) b[o++] = 0x20;
    b[o++] = 0x20;
    b[o++] = 0x20;
    for (let i = line; i < stop; i++) b[o++] = GRAPH[bytes[i]!]!;
  }
  return b.toString('latin1', 0, o);
}

/** `-A`: the bytes as text on new lines. */
export function asciiDump(bytes: Uint8Array, start: number, end: number): string {
  const b = room(end - start + 1);
  let o = 0;
  b[o++] = 0x0a;
  for (let i = start; i < end; i++) {
    const v = bytes[i]!;
    if (v === 0x0d) {
      // A CR right before LF is dropped (the LF ends the line); a CR elsewhere shows as '.'.
      const remaining = end - i - 1;
      if (remaining > 1 && bytes[i + 1] !== 0x0a) b[o++] = 0x2e;
    } else if ((v >= 0x21 && v <= 0x7e) || v === 0x09 || v === 0x20 || v === 0x0a) {
      b[o++] = v;
    } else {
      b[o++] = 0x2e;
    }
  }
  return b.toString('latin1', 0, o);
}

/** How many times each dump flag was given (`-x` → hex 1, `-XX` → hexAscii 2, …). */
export interface DumpFlags { hex: number; hexAscii: number; ascii: number }

/**
 * The dump after a packet's summary: `-X`, else `-x`, else `-A` (tcpdump's precedence), from the
 * end of the link-layer header (`hdrlen`), or from byte 0 when the flag is doubled; '' for none.
 */
export function packetDump(flags: DumpFlags, data: Uint8Array, caplen: number, hdrlen: number): string {
  const from = (fn: (b: Uint8Array, start: number, end: number) => string, doubled: boolean): string => {
    const start = doubled ? 0 : hdrlen;
    return start < caplen ? fn(data, start, caplen) : '';
  };
  if (flags.hexAscii > 0) return from(hexAsciiDump, flags.hexAscii > 1);
  if (flags.hex > 0) return from(hexDump, flags.hex > 1);
  if (flags.ascii > 0) return from(asciiDump, flags.ascii > 1);
  return '';
}
