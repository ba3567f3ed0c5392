/**
 * RPKI-RTR (TCP 323) as tcpdump 4.99.3's print-rpki-rtr.c prints it: `, RPKI-RTR` without -v;
 * with -v every PDU (`RPKI-RTRv0, Serial Notify PDU (0), length: 12` and its session id, serial,
 * prefixes, error reports with one level of encapsulated PDU and the error text; hex for unknown
 * PDUs and with -vv), a version other than 0 as `RPKI-RTRv177 (unknown)` for the rest.
 *
 * Technique: reads through `Bytes`; a read beyond the capture ends the text with ` [|rpki_rtr]`.
 */
import { Bytes, Truncated, hex, printChar, unknownData } from './bytes.ts';
import { ipv6At } from '../addr.ts';

const PDUS = new Map([
  [0, 'Serial Notify'], [1, 'Serial Query'], [2, 'Reset Query'], [3, 'Cache Response'], [4, 'IPV4 Prefix'], [6, 'IPV6 Prefix'],
  [7, 'End of Data'], [8, 'Cache Reset'], [10, 'Error Report'],
]);
const ERRORS = ['Corrupt Data', 'Internal Error', 'No Data Available', 'Invalid Request', 'Unsupported Protocol Version',
  'Unsupported PDU Type', 'Withdrawal of Unknown Record', 'Duplicate Announcement Received'];

/** tcpdump's indent_string: a newline, a tab per 8, spaces for the rest. */
function indent(n: number): string {
  return `\n${'\t'.repeat(Math.floor(n / 8))}${' '.repeat(n % 8)}`;
}

class Rpki {
  s = '';
  constructor(private readonly b: Bytes, private readonly v: number) {}

  pdu(t: number, len: number, recurse: boolean, ind: number): number {
    const b = this.b;
    const version = b.u8(t);
    if (version !== 0) {
      this.s += `${indent(8)}RPKI-RTRv${version} (unknown)`;
      return len;
    }
    const invalid = (): number => {
      this.s += ' (invalid)';
      b.need(t, len);
      return len;
    };
    if (len < 8) {
      this.s += `(${len} bytes is too few to decode)`;
      return invalid();
    }
    b.need(t, 8);
    const type = b.u8(t + 1);
    const plen = b.u32(t + 4);
    let dump = false;
    this.s += `${indent(8)}RPKI-RTRv${version}, ${PDUS.get(type) ?? 'Unknown'} PDU (${type}), length: ${plen}`;
    if (plen < 8 || plen > len) return invalid();
    switch (type) {
      case 0:
      case 1:
      case 7:
        if (plen !== 12) return invalid();
        this.s += `${indent(ind + 2)}Session ID: 0x${hex(b.u16(t + 2), 4)}, Serial: ${b.u32(t + 8)}`;
        break;
      case 2:
      case 8:
        if (plen !== 8) return invalid();
        break;
      case 3:
        if (plen !== 8) return invalid();
        this.s += `${indent(ind + 2)}Session ID: 0x${hex(b.u16(t + 2), 4)}`;
        break;
      case 4:
        if (plen !== 20) return invalid();
        this.s += `${indent(ind + 2)}IPv4 Prefix ${b.ipv4(t + 12)}/${b.u8(t + 9)}-${b.u8(t + 10)}, origin-as ${b.u32(t + 16)}, flags 0x${hex(b.u8(t + 8), 2)}`;
        break;
      case 6:
        if (plen !== 32) return invalid();
        b.need(t + 12, 16);
        this.s += `${indent(ind + 2)}IPv6 Prefix ${ipv6At(b.p, t + 12)}/${b.u8(t + 9)}-${b.u8(t + 10)}, origin-as ${b.u32(t + 28)}, flags 0x${hex(b.u8(t + 8), 2)}`;
        break;
      case 10: {
        let tlen = 8;
        if (plen < tlen + 4) return invalid();
        b.need(t, tlen + 4);
        const encLen = b.u32(t + 8);
        tlen += 4;
        const code = b.u16(t + 2);
        this.s += `${indent(ind + 2)}Error code: ${ERRORS[code] ?? 'Unknown'} (${code}), Encapsulated PDU length: ${encLen}`;
        if (encLen) {
          if (plen < tlen + encLen) return invalid();
          if (!recurse) b.need(t, tlen + encLen);
          else {
            this.s += `${indent(ind + 4)}-----encapsulated PDU-----`;
            this.pdu(t + tlen, encLen, false, ind + 2);
          }
          tlen += encLen;
        }
        if (plen < tlen + 4) return invalid();
        b.need(t, tlen + 4);
        const textLen = b.u32(t + tlen);
        tlen += 4;
        if (textLen) {
          if (plen < tlen + textLen) return invalid();
          this.s += `${indent(ind + 2)}Error text: `;
          for (let i = 0; i < textLen; i++) this.s += printChar(b.u8(t + tlen + i));
        }
        break;
      }
      default:
        b.need(t, plen);
        dump = true;
    }
    if (this.v > 1 || (this.v && dump)) this.s += unknownData(b, t, plen, '\n\t  ');
    return plen;
  }
}

/** What tcpdump prints for RPKI-RTR data (`len` bytes at `off`, captured up to `end`). */
export function rpkiRtr(p: Uint8Array, off: number, len: number, end: number, verbose: number): { text: string; jumped: boolean } {
  if (!verbose) return { text: ', RPKI-RTR', jumped: false };
  const r = new Rpki(new Bytes(p, end), verbose);
  try {
    while (len) {
      const n = r.pdu(off, len, true, 8);
      len -= n;
      off += n;
    }
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    return { text: `${r.s} [|rpki_rtr]`, jumped: true };
  }
  return { text: r.s, jumped: false };
}
