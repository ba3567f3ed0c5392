/**
 * Apple's PKTAP captures (LINKTYPE_PKTAP, 149) as tcpdump 4.99.3 prints them: a little-endian
 * metadata header whose first fields are its own length, a record type and the DLT of the packet
 * that follows; the packet is then printed by that link type's printer (the packet printer does
 * the dispatch), with -e preceded by `DLT PPP_SERIAL (50) len 1024, length N: `. Headers whose
 * length is impossible print tcpdump's complaint and `(invalid)`.
 */
import { le32, type L2Options, type L2Result } from './l2.ts';

const HEADER_LEN = 108;

/** libpcap's names for the DLTs a PKTAP header may announce (others are not reproduced). */
const DLT_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'NULL'], [1, 'EN10MB'], [8, 'SLIP'], [9, 'PPP'], [50, 'PPP_SERIAL'], [51, 'PPP_ETHER'], [101, 'RAW'], [104, 'C_HDLC'],
  [105, 'IEEE802_11'], [107, 'FRELAY'], [108, 'LOOP'], [113, 'LINUX_SLL'], [127, 'IEEE802_11_RADIO'], [228, 'IPV4'], [229, 'IPV6'],
]);

export interface PktapResult extends L2Result {
  /** The packet after the header: its DLT and where it starts. */
  inner?: { dlt: number; off: number };
}

export function pktap(p: Uint8Array, caplen: number, length: number, o: L2Options): PktapResult {
  if (length < HEADER_LEN) return { text: ` (packet too short, ${length} < ${HEADER_LEN}) (invalid)`, hdrlen: 0 };
  if (caplen < 12) return { text: ' [|pktap]', hdrlen: caplen };
  const hdrlen = le32(p, 0);
  const dlt = le32(p, 8);
  if (hdrlen < HEADER_LEN) return { text: ` (pkt_len too small, ${hdrlen} < ${HEADER_LEN}) (invalid)`, hdrlen: 0 };
  if (hdrlen > length) return { text: ` (pkt_len too big, ${hdrlen} > ${length}) (invalid)`, hdrlen: 0 };
  if (caplen < hdrlen) return { text: ' [|pktap]', hdrlen: caplen };
  const name = DLT_NAMES.get(dlt);
  const header = `${o.quiet ? (name ?? 'UNKNOWN') : `DLT ${name ?? 'UNKNOWN'} (${dlt}) len ${hdrlen}`}, length ${length}: `;
  const approx = name === undefined && o.linkHeader;
  const text = o.linkHeader ? header : '';
  const rectype = le32(p, 4);
  if (rectype === 0) return { text: `${text}no data`, approx, hdrlen };
  // (other record types: tcpdump prints nothing after the header; a placeholder here)
  if (rectype !== 1) return { text: `${text}pktap record type ${rectype}`, approx: true, hdrlen };
  return { text, approx, hdrlen, inner: { dlt, off: hdrlen } };
}
