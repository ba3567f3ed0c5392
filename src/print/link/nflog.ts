/**
 * Linux NFLOG captures (LINKTYPE_NFLOG, 239: what `-i nflog:N` records) as tcpdump 4.99.3 prints
 * them: the logged packet itself (IPv4 or IPv6), with -e preceded by `version 0, resource ID 20,
 * family IPv4 (2), length 180: `.
 *
 * Technique: a 4-byte header (address family, version, resource ID big-endian), then TLVs whose
 * length and type are in the host's (little-endian here) byte order, each padded to 4 bytes; the
 * payload TLV (type 9) holds the packet.
 */
import { be16, le16, type L2Options, type L2Result } from './l2.ts';

const FAMILIES: ReadonlyMap<number, [string, number]> = new Map([[2, ['IPv4', 0x0800]], [10, ['IPv6', 0x86dd]]]);

export function nflog(p: Uint8Array, caplen: number, length: number, o: L2Options): L2Result {
  if (caplen < 4) return { text: '[|nflog]', approx: true, hdrlen: caplen };
  const fam = FAMILIES.get(p[0]!);
  let s = o.linkHeader ? `version ${p[1]}, resource ID ${be16(p, 2)}, family ${fam?.[0] ?? 'Unknown'} (${p[0]}), length ${length}: ` : '';
  if (fam === undefined || p[1] !== 0) return { text: `${s}NFLOG, length ${length}`, approx: true, hdrlen: 4 };
  for (let t = 4; t + 4 <= caplen; ) {
    const tlen = le16(p, t);
    const type = le16(p, t + 2);
    if (tlen < 4) break;
    if (type === 9) {
      const end = Math.min(caplen, t + tlen);
      return { text: s, hdrlen: t + 4, next: { type: fam[1], off: t + 4, len: Math.min(tlen, length - t) - 4, end } };
    }
    t += (tlen + 3) & ~3;
  }
  s += `NFLOG, length ${length}`;
  return { text: s, approx: true, hdrlen: 4 };
}
