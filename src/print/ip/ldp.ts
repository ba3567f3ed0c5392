/**
 * LDP (TCP and UDP 646) as tcpdump 4.99.3's print-ldp.c prints it: each PDU's header
 * (`LDP, Label-Space-ID: a.b.c.d:n, pdu-length: N`; without -v only the first), and with -v
 * every message with its TLVs: common hello and session parameters, transport addresses,
 * address lists, FECs (prefix, Martini VC with interface parameters), labels, status,
 * fault-tolerant session, MTU, the rest as hex (and all message bodies again as hex with -vv).
 *
 * Technique: reads through `Bytes`; a read beyond the capture ends the text with ` [|ldp]`
 * (tcpdump's longjmp, so a -x dump starts at the frame).
 */
import { Bytes, Truncated, AF_NAMES, bitNames, decodePrefix, hex, printChar, unknownData } from './bytes.ts';
import { ipv6At } from '../addr.ts';

const MSG = new Map([
  [0x0001, 'Notification'], [0x0100, 'Hello'], [0x0200, 'Initialization'], [0x0201, 'Keepalive'], [0x0300, 'Address'],
  [0x0301, 'Address Withdraw'], [0x0400, 'Label Mapping'], [0x0401, 'Label Request'], [0x0402, 'Label Withdraw'],
  [0x0403, 'Label Release'], [0x0404, 'Label Abort Request'],
]);
const TLV = new Map([
  [0x0100, 'FEC'], [0x0101, 'Address List'], [0x0103, 'Hop Count'], [0x0104, 'Path Vector'], [0x0200, 'Generic Label'],
  [0x0201, 'ATM Label'], [0x0202, 'Frame-Relay Label'], [0x0300, 'Status'], [0x0301, 'Extended Status'], [0x0302, 'Returned PDU'],
  [0x0303, 'Returned Message'], [0x0400, 'Common Hello Parameters'], [0x0401, 'IPv4 Transport Address'],
  [0x0402, 'Configuration Sequence Number'], [0x0403, 'IPv6 Transport Address'], [0x0500, 'Common Session Parameters'],
  [0x0501, 'ATM Session Parameters'], [0x0502, 'Frame-Relay Session Parameters'], [0x0503, 'Fault-Tolerant Session Parameters'],
  [0x0600, 'Label Request Message ID'], [0x0601, 'MTU'],
]);
const FEC = new Map([[0x01, 'Wildcard'], [0x02, 'Prefix'], [0x03, 'Host address'], [0x80, 'Martini VC']]);
const IFPARM = new Map([[0x01, 'MTU'], [0x03, 'Description'], [0x0c, 'VCCV']]);
const VCCV_CC: Array<[number, string]> = [[0x01, 'PWE3 control word'], [0x02, 'MPLS Router Alert Label'], [0x04, 'MPLS inner label TTL = 1']];
const VCCV_CV: Array<[number, string]> = [[0x01, 'ICMP Ping'], [0x02, 'LSP Ping'], [0x04, 'BFD']];
/** MPLS pseudowire types (l2vpn.c). */
const MPLS_PW_TYPES: ReadonlyMap<number, string> = new Map([
  [0x0000, 'Reserved'], [0x0001, 'Frame Relay DLCI (Martini Mode)'], [0x0002, 'ATM AAL5 SDU VCC transport'],
  [0x0003, 'ATM transparent cell transport'], [0x0004, 'Ethernet VLAN'], [0x0005, 'Ethernet'], [0x0006, 'Cisco-HDLC'], [0x0007, 'PPP'],
  [0x0008, 'SONET/SDH Circuit Emulation Service over MPLS'], [0x0009, 'ATM n-to-one VCC cell transport'],
  [0x000a, 'ATM n-to-one VPC cell transport'], [0x000b, 'IP Layer2 Transport'], [0x000c, 'ATM one-to-one VCC Cell Mode'],
  [0x000d, 'ATM one-to-one VPC Cell Mode'], [0x000e, 'ATM AAL5 PDU VCC transport'], [0x000f, 'Frame-Relay Port mode'],
  [0x0010, 'SONET/SDH Circuit Emulation over Packet'], [0x0011, 'Structure-agnostic E1 over Packet'],
  [0x0012, 'Structure-agnostic T1 (DS1) over Packet'], [0x0013, 'Structure-agnostic E3 over Packet'],
  [0x0014, 'Structure-agnostic T3 (DS3) over Packet'], [0x0015, 'CESoPSN basic mode'], [0x0016, 'TDMoIP basic mode'],
  [0x0017, 'CESoPSN TDM with CAS'], [0x0018, 'TDMoIP TDM with CAS'], [0x0019, 'Frame Relay DLCI'], [0x0040, 'IP-interworking'],
]);

class Ldp {
  s = '';
  constructor(private readonly b: Bytes, private readonly v: number) {}

  /** One TLV of a message with `msgLen` bytes left; returns the bytes it used (0: stop). */
  private tlv(o: number, msgLen: number): number {
    const b = this.b;
    b.need(o, 4);
    const tlvLen = b.u16(o + 2);
    if (tlvLen + 4 > msgLen) {
      this.s += '\n\t\t TLV contents go past end of message';
      return 0;
    }
    let tlen = tlvLen;
    const raw = b.u16(o);
    const type = raw & 0x3fff;
    this.s += `\n\t    ${TLV.get(type) ?? 'Unknown'} TLV (0x${hex(type, 4)}), length: ${tlvLen}, Flags: [${raw & 0x8000 ? 'continue processing' : 'ignore'} and ${raw & 0x4000 ? 'do' : "don't"} forward if unknown]`;
    let t = o + 4;
    const done = tlvLen + 4;
    const check = (min: number): boolean => {
      if (tlen >= min) return true;
      this.s += ` [tlv length ${tlen} < ${min}] (invalid)`;
      return false;
    };
    switch (type) {
      case 0x0400:
        if (!check(4)) return done;
        this.s += `\n\t      Hold Time: ${b.u16(t)}s, Flags: [${b.u16(t + 2) & 0x8000 ? 'Targeted' : 'Link'} Hello${b.u16(t + 2) & 0x4000 ? ', Request for targeted Hellos' : ''}]`;
        break;
      case 0x0401:
        if (!check(4)) return done;
        this.s += `\n\t      IPv4 Transport Address: ${b.ipv4(t)}`;
        break;
      case 0x0403:
        if (!check(16)) return done;
        b.need(t, 16);
        this.s += `\n\t      IPv6 Transport Address: ${ipv6At(b.p, t)}`;
        break;
      case 0x0402:
        if (!check(4)) return done;
        this.s += `\n\t      Sequence Number: ${b.u32(t)}`;
        break;
      case 0x0101: {
        if (!check(2)) return done;
        const af = b.u16(t);
        t += 2;
        tlen -= 2;
        this.s += `\n\t      Address Family: ${AF_NAMES.get(af) ?? `Unknown (${af})`}, addresses`;
        if (af === 1) {
          for (; tlen >= 4; tlen -= 4, t += 4) this.s += ` ${b.ipv4(t)}`;
        } else if (af === 2) {
          for (; tlen >= 16; tlen -= 16, t += 16) {
            b.need(t, 16);
            this.s += ` ${ipv6At(b.p, t)}`;
          }
        }
        break;
      }
      case 0x0500:
        if (!check(8)) return done;
        this.s += `\n\t      Version: ${b.u16(t)}, Keepalive: ${b.u16(t + 2)}s, Flags: [Downstream ${b.u16(t + 6) & 0x8000 ? 'On Demand' : 'Unsolicited'}, Loop Detection ${b.u16(t + 6) & 0x4000 ? 'Enabled' : 'Disabled'}]`;
        break;
      case 0x0100: {
        if (!check(1)) return done;
        const fec = b.u8(t);
        this.s += `\n\t      ${FEC.get(fec) ?? 'Unknown'} FEC (0x${hex(fec, 2)})`;
        t += 1;
        tlen -= 1;
        if (fec === 0x02) {
          if (!check(2)) return done;
          const af = b.u16(t);
          t += 2;
          tlen -= 2;
          if (af === 1 || af === 2) {
            const r = decodePrefix(b, t, tlen, af === 2);
            if (r === -2) throw new Truncated();
            if (r === -1) this.s += `: IPv${af === 1 ? 4 : 6} prefix (invalid length)`;
            else this.s += `: IPv${af === 1 ? 4 : 6} prefix ${r}`;
          } else this.s += `: Address family ${af} prefix`;
        } else if (fec === 0x80) {
          if (!check(7)) return done;
          let vcInfo = b.u8(t + 2);
          const pw = b.u16(t);
          const pwText = `${MPLS_PW_TYPES.get(pw & 0x7fff) ?? 'Unknown'}, ${pw & 0x8000 ? '' : 'no '}control word`;
          if (vcInfo === 0) {
            this.s += `: ${pwText}, group-ID ${b.u32(t + 3)}, VC-info-length: ${vcInfo}`;
            break;
          }
          if (!check(11)) return done;
          this.s += `: ${pwText}, group-ID ${b.u32(t + 3)}, VC-ID ${b.u32(t + 7)}, VC-info-length: ${vcInfo}`;
          if (vcInfo < 4) {
            this.s += ' (invalid, < 4';
            return done;
          }
          vcInfo -= 4;
          t += 11;
          tlen -= 11;
          if (!check(vcInfo)) return done;
          while (vcInfo > 2) {
            const pt = b.u8(t);
            const pl = b.u8(t + 1);
            if (pl < 2 || vcInfo < pl) break;
            this.s += `\n\t\tInterface Parameter: ${IFPARM.get(pt) ?? 'Unknown'} (0x${hex(pt, 2)}), len ${pl}`;
            if (pt === 0x01) this.s += `: ${b.u16(t + 2)}`;
            else if (pt === 0x03) {
              this.s += ': ';
              for (let i = 2; i < pl; i++) this.s += printChar(b.u8(t + i));
            } else if (pt === 0x0c) {
              const cc = b.u8(t + 2);
              const cv = b.u8(t + 3);
              this.s += `\n\t\t  Control Channels (0x${hex(cc, 2)}) = [${bitNames(VCCV_CC, cc)}]`;
              this.s += `\n\t\t  CV Types (0x${hex(cv, 2)}) = [${bitNames(VCCV_CV, cv)}]`;
            } else this.s += unknownData(b, t + 2, pl - 2, '\n\t\t  ');
            vcInfo -= pl;
            t += pl;
          }
        }
        break;
      }
      case 0x0200:
        if (!check(4)) return done;
        this.s += `\n\t      Label: ${b.u32(t) & 0xfffff}`;
        break;
      case 0x0300: {
        if (!check(8)) return done;
        const st = b.u32(t);
        this.s += `\n\t      Status: 0x${hex(st & 0x3fffffff, 2)}, Flags: [${st & 0x80000000 ? 'Fatal error' : 'Advisory Notification'} and ${st & 0x40000000 ? 'do' : "don't"} forward]`;
        const id = b.u32(t + 4);
        if (id) this.s += `, causing Message ID: 0x${hex(id, 8)}`;
        break;
      }
      case 0x0503: {
        if (!check(12)) return done;
        const f = b.u16(t);
        this.s += `\n\t      Flags: [${f & 0x8000 ? '' : 'No '}Reconnect, ${f & 0x8 ? '' : "Don't "}Save State, ${f & 0x4 ? '' : 'No '}All-Label Protection, ${f & 0x2 ? 'Sequence Numbered Label' : 'All Labels'} Checkpoint, ${f & 0x1 ? '' : "Don't "}Re-Learn State]`;
        const rt = b.u32(t + 4);
        if (rt) this.s += `, Reconnect Timeout: ${rt}ms`;
        const rec = b.u32(t + 8);
        if (rec) this.s += `, Recovery Time: ${rec}ms`;
        break;
      }
      case 0x0601:
        if (!check(2)) return done;
        this.s += `\n\t      MTU: ${b.u16(t)}`;
        break;
      default:
        if (this.v <= 1) this.s += unknownData(b, t, tlen, '\n\t      ');
    }
    return done;
  }

  /** One PDU at `o`; returns its length, or 0 to stop. */
  pdu(o: number): number {
    const b = this.b;
    const pfx = this.v < 1 ? '' : '\n\t';
    b.need(o, 10);
    const version = b.u16(o);
    if (version !== 1) {
      this.s += `${pfx}LDP version ${version} packet not supported`;
      return 0;
    }
    const pduLen = b.u16(o + 2);
    if (pduLen < 6) {
      this.s += `${pfx}LDP, pdu-length: ${pduLen} (too short, < 6)`;
      return 0;
    }
    this.s += `${pfx}LDP, Label-Space-ID: ${b.ipv4(o + 4)}:${b.u16(o + 8)}, pdu-length: ${pduLen}`;
    if (this.v < 1) return 0;
    let t = o + 10;
    let tlen = pduLen - 6;
    while (tlen > 0) {
      b.need(t, 8);
      const msgLen = b.u16(t + 2);
      const msgType = b.u16(t) & 0x7fff;
      const name = MSG.get(msgType) ?? 'Unknown';
      if (msgLen < 4) {
        this.s += `\n\t  ${name} Message (0x${hex(msgType, 4)}), length: ${msgLen} (too short, < 4)`;
        return 0;
      }
      this.s += `\n\t  ${name} Message (0x${hex(msgType, 4)}), length: ${msgLen}, Message ID: 0x${hex(b.u32(t + 4), 8)}, Flags: [${b.u16(t) & 0x8000 ? 'continue processing' : 'ignore'} if unknown]`;
      let m = t + 8;
      let mlen = msgLen - 4;
      b.need(t, msgLen);
      switch (msgType) {
        case 0x0001:
        case 0x0100:
        case 0x0200:
        case 0x0201:
        case 0x0300:
        case 0x0400:
        case 0x0301:
        case 0x0402:
          while (mlen >= 4) {
            const n = this.tlv(m, mlen);
            if (n === 0) break;
            mlen -= n;
            m += n;
          }
          break;
        default:
          if (this.v <= 1) this.s += unknownData(b, m, mlen, '\n\t  ');
      }
      if (this.v > 1) this.s += unknownData(b, t + 8, msgLen, '\n\t  ');
      t += msgLen + 4;
      tlen = (tlen - (msgLen + 4)) & 0xffff;
    }
    return pduLen + 4;
  }
}

/** What tcpdump prints for LDP data (`len` bytes at `off`, captured up to `end`). */
export function ldp(p: Uint8Array, off: number, len: number, end: number, verbose: number): string {
  const l = new Ldp(new Bytes(p, end), verbose);
  try {
    while (len > 18) {
      const n = l.pdu(off);
      if (n === 0) break;
      if (len < n) {
        l.s += ` [remaining length ${len} < ${n}] (invalid)`;
        break;
      }
      len -= n;
      off += n;
    }
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    return `${l.s} [|ldp]`;
  }
  return l.s;
}
