/**
 * 802.11 with a radiotap header (LINKTYPE_IEEE802_11_RADIO, 127) as tcpdump 4.99.3 prints it: the
 * radiotap fields it knows, in bit order (`1.0 Mb/s 2412 MHz 11b 100 sq antenna 0 57dB signal `),
 * then the 802.11 frame — here the management frames that carry a reason or an authentication
 * step (`DeAuthentication (SA): <reason>`, `Authentication (Open System)-2: `), with -e the
 * `BSSID:… DA:… SA:… ` header first. Other frames and radiotap fields are printed as far as they
 * are known and the line is marked approximate.
 *
 * Technique: radiotap is a little-endian bitmap of present fields, each aligned to its natural
 * size from the start of the header; the fields are walked in bit order with that alignment.
 * The reason texts are the ones tcpdump 4.99.3 prints for codes 0-66, as recorded from the
 * corpus captures reason_code-N.pcap (`tcpdump -nn -r`): code N's frame carries code N.
 */
import { hex, le16, le32, macText, type L2Options, type L2Result } from './l2.ts';

/** Radiotap fields by bit: [alignment, size]. */
const FIELDS: ReadonlyArray<readonly [number, number]> = [
  [8, 8], [1, 1], [1, 1], [2, 4], [1, 2], [1, 1], [1, 1], [2, 2], [2, 2], [2, 2], [1, 1], [1, 1], [1, 1], [1, 1], [2, 2],
];

const REASONS: readonly string[] = [
  'Reserved',
  'Unspecified reason',
  'Previous authentication no longer valid',
  'Deauthenticated because sending STA is leaving (or has left) IBSS or ESS',
  'Disassociated due to inactivity',
  'Disassociated because AP is unable to handle all currently  associated STAs',
  'Class 2 frame received from nonauthenticated STA',
  'Class 3 frame received from nonassociated STA',
  'Disassociated because sending STA is leaving (or has left) BSS',
  'STA requesting (re)association is not authenticated with responding STA',
  'Disassociated because the information in the Power Capability element is unacceptable',
  'Disassociated because the information in the Supported Channels element is unacceptable',
  'Disassociated due to BSS transition management',
  'Invalid element, i.e., an element defined in this standard for which the content does not meet the specifications in Clause 9',
  'Message integrity code (MIC) failure',
  '4-Way Handshake timeout',
  'Group key handshake timeout',
  'Information element in 4-Way Handshake different from (Re)AssociationRequest/Probe Response/Beacon frame',
  'Invalid group cipher',
  'Invalid pairwise cipher',
  'Invalid AKMP',
  'Unsupported RSNE version',
  'Invalid RSNE capabilities',
  'IEEE 802.1X authentication failed',
  'Cipher suite rejected because of the security policy',
  'TDLS direct-link teardown due to TDLS peer STA unreachable via the TDLS direct link',
  'TDLS direct-link teardown for unspecified reason',
  'Disassociated because session terminated by SSP request',
  'Disassociated because of lack of SSP roaming agreement',
  'Requested service rejected because of SSP cipher suite or AKM requirement',
  'Requested service not authorized in this location',
  'TS deleted because QoS AP lacks sufficient bandwidth for this QoS STA due to a change in BSS service characteristics or operational mode (e.g. an HT BSS change from 40 MHz channel to 20 MHz channel)',
  'Disassociated for unspecified, QoS-related reason',
  'Disassociated because QoS AP lacks sufficient bandwidth for this QoS STA',
  'Disassociated because of excessive number of frames that need to be acknowledged, but are not acknowledged due to AP transmissions and/or poor channel conditions',
  'Disassociated because STA is transmitting outside the limits of its TXOPs',
  'Requested from peer STA as the STA is leaving the BSS (or resetting)',
  'Requested from peer STA as it does not want to use the mechanism',
  'Requested from peer STA as the STA received frames using the mechanism for which a set up is required',
  'Requested from peer STA due to time out',
  'Reserved',
  'Reserved',
  'Reserved',
  'Reserved',
  'Reserved',
  'Peer STA does not support the requested cipher suite',
  'In a DLS Teardown frame: The teardown was initiated by the DLS peer. In a Disassociation frame: Disassociated because authorized access limit reached',
  'In a DLS Teardown frame: The teardown was initiated by the AP. In a Disassociation frame: Disassociated due to external service requirements',
  'Invalid FT Action frame count',
  'Invalid pairwise master key identifier (PMKID)',
  'Invalid MDE',
  'Invalid FTE',
  'Mesh peering canceled for unknown reasons',
  'The mesh STA has reached the supported maximum number of peer mesh STAs',
  'The received information violates the Mesh Configuration policy configured in the mesh STA profile',
  'The mesh STA has received a Mesh Peering Close frame requesting to close the mesh peering',
  'The mesh STA has resent dot11MeshMaxRetries Mesh Peering Open frames, without receiving a Mesh Peering Confirm frame',
  'The confirmTimer for the mesh peering instance times out',
  'The mesh STA fails to unwrap the GTK or the values in the wrapped contents do not match',
  'The mesh STA receives inconsistent information about the mesh parameters between mesh peering Management frames',
  'The mesh STA fails the authenticated mesh peering exchange because due to failure in selecting either the pairwise ciphersuite or group ciphersuite',
  'The mesh STA does not have proxy information for this external destination',
  'The mesh STA does not have forwarding information for this destination',
  'The mesh STA determines that the link to the next hop of an active path in its forwarding information is no longer usable',
  'The Deauthentication frame was sent because the MAC address of the STA already exists in the mesh BSS',
  'The mesh STA performs channel switch to meet regulatory requirements',
  'The mesh STA performs channel switching with unspecified reason',
];

const AUTH_ALGS: readonly string[] = ['Open System', 'Shared Key'];

function s8(b: number): number {
  return b >= 128 ? b - 256 : b;
}

/** The channel: frequency and the band/modulation tcpdump derives from its flags. */
function channel(freq: number, flags: number): string | null {
  let s = `${freq} MHz`;
  // Half/quarter-rate, turbo, FHSS and GSM channels print extra words: not reproduced.
  if (flags & 0xf810 || flags & 0x0010) return null;
  const is5 = (flags & 0x0100) !== 0;
  const is2 = (flags & 0x0080) !== 0;
  if (is5 && flags & 0x0040) s += ' 11a';
  if (is2 && flags & (0x0040 | 0x0400)) s += ' 11g';
  if (is2 && flags & 0x0020) s += ' 11b';
  return `${s} `;
}

/** One radiotap link-layer packet: the radiotap text, then the 802.11 frame. */
export function radiotap(p: Uint8Array, caplen: number, length: number, o: L2Options): L2Result {
  if (caplen < 8) return { text: ' [|802.11_radio]', approx: true, hdrlen: caplen };
  const hlen = le16(p, 2);
  if (caplen < hlen || hlen < 8) return { text: ' [|802.11_radio]', approx: true, hdrlen: caplen };
  const present = le32(p, 4);
  // Extended bitmaps (bit 31) and vendor namespaces: not reproduced.
  if (present & 0xe0000000) return { text: ' [|802.11_radio]', approx: true, hdrlen: hlen };
  let s = '';
  let approx = false;
  let off = 8;
  let flags = 0;
  for (let bit = 0; bit < 29; bit++) {
    if (!(present & (1 << bit))) continue;
    const f = FIELDS[bit];
    if (f === undefined) {
      // Fields beyond the basic set (MCS, A-MPDU, VHT …): their layout is not walked here.
      s += `[bit ${bit}] `;
      approx = true;
      break;
    }
    off = Math.ceil(off / f[0]) * f[0];
    if (off + f[1] > hlen) return { text: `${s} [|802.11_radio]`, approx: true, hdrlen: hlen };
    switch (bit) {
      case 0: {
        const v = BigInt(le32(p, off)) | (BigInt(le32(p, off + 4)) << 32n);
        s += `${v}us tsft `;
        break;
      }
      case 1:
        flags = p[off]!;
        if (flags & 0x01) s += 'cfp ';
        if (flags & 0x02) s += 'short preamble ';
        if (flags & 0x04) s += 'wep ';
        if (flags & 0x08) s += 'fragmented ';
        if (flags & 0x40) s += 'bad-fcs ';
        break;
      case 2: {
        const r = p[off]!;
        if (r >= 0x80) approx = true; // an MCS index in the rate field
        s += `${(r / 2).toFixed(1)} Mb/s `;
        break;
      }
      case 3: {
        const c = channel(le16(p, off), le16(p, off + 2));
        if (c === null) {
          approx = true;
          s += `${le16(p, off)} MHz `;
        } else s += c;
        break;
      }
      case 4:
        s += `fhset ${p[off]} fhpat ${p[off + 1]} `;
        break;
      case 5:
        s += `${s8(p[off]!)}dBm signal `;
        break;
      case 6:
        s += `${s8(p[off]!)}dBm noise `;
        break;
      case 7:
        s += `${le16(p, off)} sq `;
        break;
      case 10:
        s += `${s8(p[off]!)}dBm tx power `;
        break;
      case 11:
        s += `antenna ${p[off]} `;
        break;
      case 12:
        s += `${p[off]}dB signal `;
        break;
      case 13:
        s += `${p[off]}dB noise `;
        break;
      case 14:
        if (le16(p, off) !== 0) approx = true;
        break;
      default:
        approx = true;
    }
    off += f[1];
  }
  // A frame check sequence at the end (flag 0x10) is not part of the frame.
  const fcs = flags & 0x10 ? 4 : 0;
  const r = ieee80211(p, hlen, length - hlen - fcs, Math.min(caplen, length - fcs), o);
  return { text: s + r.text, approx: approx || r.approx, hdrlen: hlen };
}

const MGMT_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'Assoc Request'], [1, 'Assoc Response'], [2, 'ReAssoc Request'], [3, 'ReAssoc Response'], [4, 'Probe Request'],
  [5, 'Probe Response'], [8, 'Beacon'], [9, 'ATIM'], [10, 'Disassociation'], [11, 'Authentication'], [12, 'DeAuthentication'], [13, 'Action'],
]);

/** An 802.11 frame at `off` (wire length `len`, captured up to `end`). */
export function ieee80211(p: Uint8Array, off: number, len: number, end: number, o: L2Options): L2Result {
  if (end < off + 2) return { text: '[|802.11]', approx: true };
  const fc = le16(p, off);
  const type = (fc >> 2) & 3;
  const subtype = (fc >> 4) & 0xf;
  if (type !== 0) return { text: `802.11 frame type ${type} subtype ${subtype}, length ${len}`, approx: true };
  // Management frames: 24-byte header (frame control, duration, DA, SA, BSSID, sequence).
  if (end < off + 24) return { text: '[|802.11]', approx: true };
  let s = '';
  let exact = true;
  const mac = (at: number): string => {
    const m = macText(p, at, o.names);
    if (!m.exact) exact = false;
    return m.text;
  };
  // -v and -e together add the frame-control flags and the duration: not reproduced.
  if (o.linkHeader) {
    if (o.verbose > 0) exact = false;
    s += `BSSID:${mac(off + 16)} DA:${mac(off + 4)} SA:${mac(off + 10)} `;
  } else if ((fc >> 8) & 0xfc) exact = false;
  const name = MGMT_NAMES.get(subtype);
  if (name === undefined) return { text: `${s}Unhandled Management subtype(${hex(subtype, 1)})`, approx: true };
  s += name;
  const b = off + 24;
  if (subtype === 12) {
    if (end < b + 2) return { text: `${s}[|802.11]`, approx: true };
    const code = le16(p, b);
    const reason = REASONS[code];
    if (reason === undefined) exact = false;
    s += o.linkHeader ? `: ${reason ?? 'Reserved'}` : ` (${mac(off + 10)}): ${reason ?? 'Reserved'}`;
    return { text: s, approx: !exact };
  }
  if (subtype === 11) {
    if (end < b + 6) return { text: `${s}[|802.11]`, approx: true };
    const alg = le16(p, b);
    const seq = le16(p, b + 2);
    // Odd steps carry a status code, and shared-key steps 2-3 a challenge: not reproduced.
    if (alg >= AUTH_ALGS.length || seq % 2 === 1 || (alg === 1 && seq === 2)) exact = false;
    s += ` (${AUTH_ALGS[alg] ?? alg})-${hex(seq, 1)}: `;
    return { text: s, approx: !exact };
  }
  return { text: s, approx: true };
}
