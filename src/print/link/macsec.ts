/**
 * IEEE 802.1AE MACsec (ethertype 0x88e5) as tcpdump 4.99.3 prints it. The SecTAG is shown only
 * with -e (`an 0, pn 66, flags I, sl 34, sci caf9df4f509a0064, `) and then the protected frame's
 * own ethertype and payload as usual; an encrypted payload cannot be dissected, so tcpdump prints
 * the addresses (`src > dst 802.1AE MACsec, ` and the SecTAG without -e) and the bytes as hex.
 *
 * Technique: the 6- or 14-byte SecTAG (the SC bit says whether the 8-byte SCI is present), then
 * for an unencrypted frame the 16-byte ICV is removed from the end and, when the short length is
 * set, the secure data is cut to it; the packet printer carries on from the inner ethertype with
 * those lengths (`ether`).
 */
import { hexAsciiDump } from '../hexdump.ts';
import { be32, hex, macText, type L2Options, type L2Result } from './l2.ts';

/** What the packet printer continues with: the inner ethertype field's value and position. */
export interface MacsecResult extends L2Result {
  inner?: { etherType: number; off: number; frame: number; cap: number };
}

const ICV_LEN = 16;

/**
 * MACsec at `off` (just after the 0x88e5 type field) of a frame `frame` bytes long (the Ethernet
 * header at 0), captured up to `cap`.
 */
export function macsec(p: Uint8Array, off: number, frame: number, cap: number, o: L2Options): MacsecResult {
  const trunc = { text: ' [|macsec]', hdrlen: cap };
  const length = frame - off;
  if (cap - off < 6 || length < 6) return trunc;
  const tci = p[off]!;
  const sectag = tci & 0x20 ? 14 : 6;
  if (cap - off < sectag || length < sectag) return trunc;
  const slField = p[off + 1]!;
  if ((slField & ~0x3f) !== 0 || tci & 0x80) return { text: ' (invalid)', hdrlen: cap };
  const sl = slField & 0x3f;
  let flags = '';
  for (const [bit, c] of [[0x08, 'E'], [0x04, 'C'], [0x40, 'S'], [0x10, 'B'], [0x20, 'I']] as const) if (tci & bit) flags += c;
  let header = `an ${tci & 3}, pn ${be32(p, off + 2)}, flags ${flags || 'none'}`;
  if (sl !== 0) header += `, sl ${sl}`;
  if (tci & 0x20) header += `, sci ${hex(be32(p, off + 6), 8)}${hex(be32(p, off + 10), 8)}`;
  header += ', ';
  let text = o.linkHeader ? header : '';
  const inner = off + sectag;
  if (tci & 0x0c) {
    // Encrypted: the addresses and the SecTAG (when -e has not shown them), then the bytes.
    let exact = true;
    if (!o.linkHeader) {
      const src = macText(p, 6, o.names);
      const dst = macText(p, 0, o.names);
      exact = src.exact && dst.exact;
      text += `${src.text} > ${dst.text} 802.1AE MACsec, ${header}`;
    }
    if (!o.quiet && !o.dumps && inner < cap) text += hexAsciiDump(p, inner, cap);
    return { text, approx: !exact, hdrlen: inner };
  }
  let f = frame - ICV_LEN;
  let c = cap - ICV_LEN;
  if (f - inner < 0 || c - inner < 0) return { text: text + ' [|macsec]', hdrlen: cap };
  if (sl !== 0) {
    if (sl > f - inner || sl > c - inner) return { text: text + ' [|macsec]', hdrlen: cap };
    f = Math.min(f, inner + sl);
    c = Math.min(c, inner + sl);
  }
  if (c - inner < 2) return { text: text + ' (invalid)', hdrlen: cap };
  return { text, hdrlen: inner + 2, inner: { etherType: (p[inner]! << 8) | p[inner + 1]!, off: inner + 2, frame: f, cap: c } };
}
