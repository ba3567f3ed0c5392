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
 * Technique: lookup tables for byte → two hex digits and byte → ASCII column character.
 */

const HEX2: string[] = [];
const GRAPH: string[] = [];
for (let b = 0; b < 256; b++) {
  HEX2.push(b.toString(16).padStart(2, '0'));
  GRAPH.push(b >= 0x21 && b <= 0x7e ? String.fromCharCode(b) : '.');
}

function offsetLabel(off: number): string {
  return `\n\t0x${off.toString(16).padStart(4, '0')}: `;
}

/** `-x`: hex only. `bytes[start..end)`; offsets in the dump count from `start`. */
export function hexDump(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let line = start; line < end; line += 16) {
    out += offsetLabel(line - start);
    const stop = Math.min(line + 16, end);
    for (let i = line; i < stop; i += 2) {
      out += i + 1 < stop ? ` ${HEX2[bytes[i]!]}${HEX2[bytes[i + 1]!]}` : ` ${HEX2[bytes[i]!]}`;
    }
  }
  return out;
}

/** `-X`: hex padded to 40 columns, two spaces, then the ASCII column. */
export function hexAsciiDump(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let line = start; line < end; line += 16) {
    out += offsetLabel(line - start);
    const stop = Math.min(line + 16, end);
    let hex = '';
    let ascii = '';
    for (let i = line; i < stop; i += 2) {
      hex += i + 1 < stop ? ` ${HEX2[bytes[i]!]}${HEX2[bytes[i + 1]!]}` : ` ${HEX2[bytes[i]!]}`;
    }
    for (let i = line; i < stop; i++) ascii += GRAPH[bytes[i]!];
    out += hex.padEnd(40, ' ') + '  ' + ascii;
  }
  return out;
}

/** `-A`: the bytes as text on new lines. */
export function asciiDump(bytes: Uint8Array, start: number, end: number): string {
  let out = '\n';
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b === 0x0d) {
      // A CR right before LF is dropped (the LF ends the line); a CR elsewhere shows as '.'.
      const remaining = end - i - 1;
      if (remaining > 1 && bytes[i + 1] !== 0x0a) out += '.';
    } else if ((b >= 0x21 && b <= 0x7e) || b === 0x09 || b === 0x20 || b === 0x0a) {
      out += String.fromCharCode(b);
    } else {
      out += '.';
    }
  }
  return out;
}
