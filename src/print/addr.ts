/**
 * Address text as tcpdump prints it with `-n`: MAC addresses as six lowercase two-digit hex
 * groups, IPv4 dotted quads, and IPv6 in the compressed form of glibc's inet_ntop: the longest
 * run (first on a tie) of two or more zero 16-bit words becomes `::`, groups drop leading zeros,
 * and an address whose first 96 bits are zero (other than `::` and `::1`-style short forms) or
 * that is IPv4-mapped (`::ffff:a.b.c.d`) ends in a dotted quad.
 */

const HEX2: string[] = [];
for (let b = 0; b < 256; b++) HEX2.push(b.toString(16).padStart(2, '0'));

export function macAt(p: Uint8Array, off: number): string {
  return `${HEX2[p[off]!]}:${HEX2[p[off + 1]!]}:${HEX2[p[off + 2]!]}:${HEX2[p[off + 3]!]}:${HEX2[p[off + 4]!]}:${HEX2[p[off + 5]!]}`;
}

/** Colon-separated hex of `len` bytes (link addresses that are not 6 bytes long). */
export function hexColonAt(p: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += (i ? ':' : '') + HEX2[p[off + i]!];
  return s;
}

export function ipv4At(p: Uint8Array, off: number): string {
  return `${p[off]}.${p[off + 1]}.${p[off + 2]}.${p[off + 3]}`;
}

export function ipv6At(p: Uint8Array, off: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((p[off + 2 * i]! << 8) | p[off + 2 * i + 1]!);
  // Longest run of zero words; compress only runs of two or more.
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else curLen++;
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
    } else curBase = -1;
  }
  if (bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    // Embedded IPv4: ::a.b.c.d (IPv4-compatible) or ::ffff:a.b.c.d (IPv4-mapped).
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      s += ipv4At(p, off + 12);
      break;
    }
    s += w[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) s += ':';
  return s;
}
