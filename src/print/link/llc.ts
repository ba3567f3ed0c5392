/**
 * IEEE 802.2 LLC, what follows an 802.3 length field (or a VLAN tag carrying a length): the
 * DSAP/SSAP pair picks the protocol — spanning tree (0x42), IPX (0xe0), OSI/IS-IS (0xfe), SNAP
 * (0xaa, an OUI and an ethertype) — and anything else prints tcpdump 4.99.3's generic LLC line
 * (`src SSAP > dst DSAP Unnumbered, ui, Flags [Command], length N` and the rest as hex). With
 * -e the LLC header itself is spelled out first: `LLC, dsap STP (0x42) Individual, ssap STP
 * (0x42) Command, ctrl 0x03: `.
 *
 * Technique: the control field is one byte for unnumbered frames (low two bits set) and two
 * (little-endian) for information and supervisory frames; the header length that results is
 * where -x dumps begin. Two SAPs of 0xff are Novell's "raw 802.3": IPX directly, no LLC.
 */
import { hexAsciiDump } from '../hexdump.ts';
import { ipx } from './ipx.ts';
import { osi } from './isis.ts';
import { stp } from './stp.ts';
import { be16, hex, macText, type L2Options, type L2Result } from './l2.ts';

const SAP_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'Null'], [0x02, '802.1B I'], [0x03, '802.1B G'], [0x04, 'SNA'], [0x06, 'IP'], [0x0e, 'ProWay NM'],
  [0x42, 'STP'], [0x4e, 'RS511'], [0x7e, 'ISO8208'], [0x8e, 'ProWay'], [0xaa, 'SNAP'], [0xe0, 'IPX'],
  [0xf0, 'NetBeui'], [0xfe, 'OSI'], [0xff, 'Global'],
]);

/** Unnumbered command names by the control byte without its poll/final bit. */
const U_COMMANDS: ReadonlyMap<number, string> = new Map([
  [0x03, 'ui'], [0xe3, 'test'], [0xaf, 'xid'], [0x6f, 'sabme'], [0x43, 'disc'], [0x63, 'ua'], [0x0f, 'dm'], [0x87, 'frmr'],
]);

/**
 * LLC at `off`, `length` bytes on the wire (the 802.3 length), captured up to `end`. `macs` is
 * the Ethernet header's offset, for the generic line without -e.
 */
export function llc(p: Uint8Array, off: number, length: number, end: number, macs: number, o: L2Options): L2Result {
  if (end < off + 3) return { text: '[|llc]', approx: true, hdrlen: end };
  const dsapField = p[off]!;
  const ssapField = p[off + 1]!;
  if (dsapField === 0xff && ssapField === 0xff) {
    // Novell raw 802.3: IPX with no LLC header.
    const r = ipx(p, off, end, o);
    return { text: (o.linkHeader ? 'IPX 802.3: ' : '') + r.text, approx: !r.exact, hdrlen: off };
  }
  let control = p[off + 2]!;
  let hlen = 3;
  const unnumbered = (control & 3) === 3;
  if (!unnumbered) {
    if (end < off + 4) return { text: '[|llc]', approx: true, hdrlen: end };
    control = p[off + 2]! | (p[off + 3]! << 8);
    hlen = 4;
  }
  const dsap = dsapField & 0xfe;
  const ssap = ssapField & 0xfe;
  let s = '';
  if (o.linkHeader) {
    s += `LLC, dsap ${SAP_NAMES.get(dsap) ?? 'Unknown'} (0x${hex(dsap, 2)}) ${dsapField & 1 ? 'Group' : 'Individual'}, `;
    s += `ssap ${SAP_NAMES.get(ssap) ?? 'Unknown'} (0x${hex(ssap, 2)}) ${ssapField & 1 ? 'Response' : 'Command'}, `;
    s += unnumbered ? `ctrl 0x${hex(control, 2)}: ` : `ctrl 0x${hex(control, 4)}: `;
  }
  const hdrlen = off + hlen;
  const ui = control === 0x03;
  if (ui && dsap === 0x42 && ssap === 0x42) {
    const t = stp(p, off + 3, length - 3, end, o.verbose);
    // A field beyond the capture ends tcpdump's printer early: its dumps then start at the frame.
    return { text: s + t, hdrlen: t.endsWith(' [|stp]') ? 0 : hdrlen };
  }
  if (ui && dsap === 0xe0 && ssap === 0xe0) {
    const r = ipx(p, off + 3, end, o);
    return { text: s + (o.linkHeader ? 'IPX 802.2: ' : '') + r.text, approx: !r.exact, hdrlen };
  }
  if (ui && dsap === 0xfe && ssap === 0xfe) {
    const r = osi(p, off + 3, length - 3, end, o);
    return { ...r, text: s + r.text, hdrlen };
  }
  if (ui && dsap === 0xaa && ssap === 0xaa) {
    // SNAP: an OUI of zero carries an ethertype (RFC 1042); others are vendor protocols.
    if (end < off + 8) return { text: `${s}[|snap]`, approx: true, hdrlen };
    const oui = (p[off + 3]! << 16) | (p[off + 4]! << 8) | p[off + 5]!;
    const type = be16(p, off + 6);
    if (oui === 0 && type > 1500 && !o.linkHeader) return { text: s, hdrlen: off + 8, next: { type, off: off + 8, len: length - 8, end } };
    return { text: `${s}SNAP oui 0x${hex(oui, 6)} type 0x${hex(type, 4)}, length ${length}`, approx: true, hdrlen: off + 8 };
  }
  if (ui && (dsap === 0x06 || dsap === 0xf0)) return { text: `${s}LLC ${SAP_NAMES.get(dsap)}, length ${length}`, approx: true, hdrlen };
  // The generic line: addresses with the SAP names (without -e), the frame kind, flags, length.
  let exact = true;
  if (!o.linkHeader) {
    const src = macText(p, macs + 6, o.names);
    const dst = macText(p, macs, o.names);
    exact = src.exact && dst.exact;
    const dname = SAP_NAMES.get(dsap) ?? `Unknown DSAP 0x${hex(dsap, 2)}`;
    if (ssap === dsap) s += `${src.text} > ${dst.text} ${dname} `;
    else s += `${src.text} ${SAP_NAMES.get(ssap) ?? `Unknown SSAP 0x${hex(ssap, 2)}`} > ${dst.text} ${dname} `;
  }
  if (unnumbered) {
    const cmd = U_COMMANDS.get(control & ~0x10);
    if (cmd === undefined || cmd === 'xid' || cmd === 'test' || cmd === 'ui') exact = false;
    const flags = (ssapField & 1) | (control & 0x10);
    s += `Unnumbered, ${cmd ?? hex(control & ~0x10, 2)}, Flags [${['Command', 'Response'][flags & 1]}${flags & 0x10 ? (flags & 1 ? ', Final' : ', Poll') : ''}], length ${length}`;
    exact = false;
  } else {
    const flags = ssapField & 1 ? 'Response' : 'Command';
    if (control & 0x0100) exact = false;
    if ((control & 3) === 1) {
      s += `Supervisory, ${['Receiver Ready', 'Receiver not Ready', 'Reject', '?'][(control >> 2) & 3]}, rcv seq ${control >> 9}, Flags [${flags}], length ${length}`;
      exact = false;
    } else s += `Information, send seq ${(control >> 1) & 0x7f}, rcv seq ${control >> 9}, Flags [${flags}], length ${length}`;
  }
  // tcpdump's default print: the bytes from the LLC header on (not with -q, -x, -X, -A).
  if (off < end && !o.quiet && !o.dumps) s += hexAsciiDump(p, off, end);
  if (o.verbose > 0) exact = false;
  return { text: s, approx: !exact, hdrlen };
}
