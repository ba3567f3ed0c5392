/**
 * SLIP captures (LINKTYPE_SLIP, 8) as tcpdump 4.99.3 prints them: a 16-byte pseudo-header (the
 * direction and the first bytes of the possibly compressed header), then IPv4 or IPv6 by the
 * version nibble (`ip vN` otherwise). With -e the direction (`I `, `O `) and the header kind
 * (`ip 84: `, `slip-0!: `) come first; Van Jacobson compressed TCP headers (tcpdump keeps state
 * across packets for them) are not reproduced and marked approximate.
 */
import type { L2Options, L2Result } from './l2.ts';

const HDRLEN = 16;

export function slip(p: Uint8Array, caplen: number, length: number, o: L2Options): L2Result {
  if (caplen < HDRLEN) return { text: ' [|slip]', hdrlen: caplen };
  let s = '';
  let approx = false;
  const len = length - HDRLEN;
  if (o.linkHeader) {
    const dir = p[0]!;
    s += dir === 0 ? 'I ' : dir === 1 ? 'O ' : `Invalid direction ${dir} `;
    const kind = p[1]! & 0xf0;
    if (kind === 0x40) s += `ip ${len + HDRLEN}: `;
    else if (kind === 0x70 || (dir <= 1 && p[1]! & 0x80)) approx = true;
    else if (dir <= 1) s += `slip-${p[1]}!: `;
  }
  if (caplen <= HDRLEN) return { text: `${s} [|slip]`, approx, hdrlen: HDRLEN };
  const v = p[HDRLEN]! >> 4;
  if (v === 4) return { text: s, approx, hdrlen: HDRLEN, next: { type: 0x0800, off: HDRLEN, len, end: caplen } };
  if (v === 6) return { text: s, approx, hdrlen: HDRLEN, next: { type: 0x86dd, off: HDRLEN, len, end: caplen } };
  return { text: `${s}ip v${v}`, approx, hdrlen: HDRLEN };
}
