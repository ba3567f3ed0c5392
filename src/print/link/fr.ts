/**
 * Frame Relay captures (LINKTYPE_FRELAY, 107) as tcpdump 4.99.3 prints them: the Q.922 address
 * (2 to 4 bytes: DLCI and the C/R, FECN, BECN, DE flags), then either Cisco-style encapsulation
 * (an ethertype right after the address) or RFC 2427's UI control byte, an optional pad and an
 * NLPID that selects IPv4, IPv6, the OSI protocols (./isis.ts) or FRF.15 fragments. With -e the
 * header is spelled out: `Q.922, hdr-len 3, DLCI 1, Flags [BECN, FECN], NLPID IS-IS (0x83),
 * length 262144: `; frames that are not UI print `UI 22! ` as tcpdump warns.
 *
 * Technique: the address is parsed like tcpdump's parse_q922_header (the EA bit ends it), each
 * step checked against both the captured bytes and the length on the wire; the carried protocol
 * is handed on (`next`) or decoded here. Cisco-style frames with an ethertype tcpdump decodes,
 * SNAP, Q.933 and PPP payloads are not reproduced (marked approximate).
 */
import { hexAsciiDump } from '../hexdump.ts';
import { osi } from './isis.ts';
import { NLPID_NAMES } from './isis-verbose.ts';
import { ETHERTYPE_NAMES } from './ethertypes.ts';
import { bitNames, hex, type L2Options, type L2Result } from './l2.ts';

const FLAGS: ReadonlyArray<readonly [number, string]> = [[0x02000000, 'C!'], [0x00020000, 'DE'], [0x00040000, 'BECN'], [0x00080000, 'FECN'], [0x00000002, 'sdlcore']];

/** Ethertypes tcpdump's ethertype_print decodes (a Cisco-style frame with one is not "UI xx!"). */
const ETHERTYPE_PRINTED: ReadonlySet<number> = new Set([
  0x0800, 0x86dd, 0x0806, 0x8035, 0x6003, 0x809b, 0x80f3, 0x8137, 0xfefe, 0x8863, 0x8864, 0x3c12, 0x3c13, 0x888e, 0x8899, 0x880b,
  0x8808, 0x8809, 0x8902, 0xabcd, 0x88cc, 0x894f, 0x9000, 0x8847, 0x8848, 0x88ca, 0x886f, 0x0707, 0x8947, 0x1111, 0x88a2, 0x88f7,
  0x6004, 0x6007, 0x6002, 0x6001, 0x893a,
]);

const FRF_FLAGS: ReadonlyArray<readonly [number, string]> = [[0x80, 'Begin'], [0x40, 'End'], [0x20, 'Control']];

/** A Frame Relay frame: `caplen` bytes captured of `length` on the wire. */
export function frelay(p: Uint8Array, caplen: number, length: number, o: L2Options): L2Result {
  const trunc = (text: string, hdrlen = caplen): L2Result => ({ text: `${text} [|fr]`, hdrlen });
  if (caplen < 4) return trunc('');
  // parse_q922_header
  if (p[0]! & 1) return { text: 'Q.922, invalid address', hdrlen: 0 };
  if (length < 2) return trunc('');
  let addrLen = 2;
  let dlci = ((p[0]! & 0xfc) << 2) | ((p[1]! & 0xf0) >> 4);
  let flags = ((p[0]! & 0x02) << 24) | ((p[1]! & 0x0e) << 16);
  if (!(p[1]! & 1)) {
    let i = 2;
    if (caplen < 3 || length < 3) return trunc('');
    addrLen++;
    if ((p[i]! & 1) === 0) {
      dlci = (dlci << 7) | (p[i]! >> 1);
      addrLen++;
      i++;
    }
    if (caplen < i + 1 || length < i + 1) return trunc('');
    if ((p[i]! & 1) === 0) return { text: 'Q.922, invalid address', hdrlen: 0 };
    flags |= p[i]! & 0x02;
    dlci = (dlci << 6) | (p[i]! >> 2);
  }
  const header = (len: number, hlen: number, nlpid: number): string => {
    if (o.quiet) return `Q.922, DLCI ${dlci}, length ${len}: `;
    const f = bitNames(FLAGS, flags, 'none');
    if (nlpid <= 0xff) return `Q.922, hdr-len ${hlen}, DLCI ${dlci}, Flags [${f}], NLPID ${NLPID_NAMES.get(nlpid) ?? 'unknown'} (0x${hex(nlpid, 2)}), length ${len}: `;
    return `Q.922, hdr-len ${hlen}, DLCI ${dlci}, Flags [${f}], cisco-ethertype ${ETHERTYPE_NAMES.get(nlpid) ?? 'unknown'} (0x${hex(nlpid, 4)}), length ${len}: `;
  };
  let s = '';
  let approx = false;
  if (caplen < addrLen + 1 || length < addrLen + 1) return trunc(s);
  const control = p[addrLen]!;
  if (control !== 0x03 && dlci !== 0) {
    if (caplen < addrLen + 2 || length < addrLen + 2) s += `UI ${hex(control, 2)}! `;
    else {
      const type = (p[addrLen]! << 8) | p[addrLen + 1]!;
      if (o.linkHeader) s += header(length, addrLen, type);
      // (an ethertype tcpdump decodes: the frame is that protocol; not reproduced here)
      if (ETHERTYPE_PRINTED.has(type)) return { text: `${s}cisco-ethertype 0x${hex(type, 4)}`, approx: true, hdrlen: addrLen + 2 };
      s += `UI ${hex(control, 2)}! `;
    }
  }
  if (caplen < addrLen + 2 || length < addrLen + 2) return trunc(s);
  let hdrLen: number;
  if (p[addrLen + 1] === 0) {
    if (addrLen !== 3) s += 'Pad! ';
    hdrLen = addrLen + 3;
  } else {
    if (addrLen === 3) s += 'No pad! ';
    hdrLen = addrLen + 2;
  }
  if (caplen < hdrLen || length < hdrLen) return trunc(s);
  const nlpid = p[hdrLen - 1]!;
  if (o.linkHeader) s += header(length, addrLen, nlpid);
  const rest = length - hdrLen;
  switch (nlpid) {
    case 0xcc:
      return { text: s, approx, hdrlen: hdrLen, next: { type: 0x0800, off: hdrLen, len: rest, end: caplen } };
    case 0x8e:
      return { text: s, approx, hdrlen: hdrLen, next: { type: 0x86dd, off: hdrLen, len: rest, end: caplen } };
    case 0x81:
    case 0x82:
    case 0x83: {
      // The OSI printers start at the NLPID.
      const r = osi(p, hdrLen - 1, rest + 1, caplen, o);
      return { text: s + r.text, approx: r.approx, hdrlen: hdrLen };
    }
    case 0xb1: {
      if (rest < 2) return trunc(s, hdrLen);
      if (caplen < hdrLen + 2) return trunc(s, hdrLen);
      const b = p[hdrLen]!;
      const seq = ((b & 0x1e) << 7) | p[hdrLen + 1]!;
      s += `FRF.15, seq 0x${hex(seq, 3)}, Flags [${bitNames(FRF_FLAGS, b & 0xe0, 'none')}],${b & 1 ? 'Interface' : 'End-to-End'} Fragmentation, length ${rest}`;
      return { text: s, approx, hdrlen: hdrLen };
    }
    case 0x80:
    case 0x08:
    case 0xcf:
      return { text: `${s}NLPID 0x${hex(nlpid, 2)}, length ${rest}`, approx: true, hdrlen: hdrLen };
    default:
      if (!o.linkHeader) s += header(length, addrLen, nlpid);
      if (!o.dumps && hdrLen < caplen) s += hexAsciiDump(p, hdrLen, caplen);
      // (-q: whether tcpdump's default print shows the bytes is not confirmed)
      return { text: s, approx: approx || o.quiet, hdrlen: hdrLen };
  }
}
