/**
 * LLDP (ethertype 0x88cc) as tcpdump 4.99.3 prints it. Without -v: `LLDP, length N` and the
 * system name when the frame carries one. With -v every TLV by name and length, then its
 * contents: chassis and port IDs by subtype, TTL, descriptions, capabilities, management
 * addresses, and the organisation-specific TLVs of IEEE 802.1 (VLANs, link aggregation, ETS,
 * PFC, application priority, EVB, CDCP), IEEE 802.3 (MAC/PHY, power via MDI, aggregation, MTU)
 * and IANA (MUD URL); other TLVs as hex. -vv adds every TLV's bytes as hex.
 *
 * Technique: a walk over the TLVs (7-bit type, 9-bit length) whose reads throw past the
 * capture, which ends the text with ` [|lldp]` like tcpdump's bounds-checked reads. The TIA
 * (LLDP-MED) and DCBX decoders are not reproduced: frames with those TLVs are marked
 * approximate under -v.
 */
import { ipv4At, ipv6At } from '../addr.ts';
import { be16, be32, bitNames, hex, hexPrint, macText, OUI_NAMES, safeChar, type L2Options, type L2Result } from './l2.ts';

class Truncated extends Error {}

const TLV_NAMES = ['End', 'Chassis ID', 'Port ID', 'Time to Live', 'Port Description', 'System Name', 'System Description', 'System Capabilities', 'Management Address'];
const CHASSIS_SUBTYPES = ['', 'Chassis component', 'Interface alias', 'Port component', 'MAC address', 'Network address', 'Interface name', 'Local'];
const PORT_SUBTYPES = ['', 'Interface alias', 'Port component', 'MAC address', 'Network Address', 'Interface Name', 'Agent circuit ID', 'Local'];
const CAPS: ReadonlyArray<readonly [number, string]> = [[1, 'Other'], [2, 'Repeater'], [4, 'Bridge'], [8, 'WLAN AP'], [0x10, 'Router'], [0x20, 'Telephone'], [0x40, 'Docsis'], [0x80, 'Station Only']];
const SUB_8021: ReadonlyMap<number, string> = new Map([
  [1, 'Port VLAN Id'], [2, 'Port and Protocol VLAN ID'], [3, 'VLAN name'], [4, 'Protocol Identity'], [7, 'Link aggregation'],
  [8, 'Congestion Notification'], [9, 'ETS Configuration'], [10, 'ETS Recommendation'], [11, 'Priority Flow Control Configuration'],
  [12, 'Application Priority'], [13, 'EVB'], [14, 'CDCP'],
]);
const SUB_8023: ReadonlyMap<number, string> = new Map([[1, 'MAC/PHY configuration/status'], [2, 'Power via MDI'], [3, 'Link aggregation'], [4, 'Max frame size']]);
const PPVID_FLAGS: ReadonlyArray<readonly [number, string]> = [[2, 'supported'], [4, 'enabled']];
const AGGREGATION: ReadonlyArray<readonly [number, string]> = [[1, 'supported'], [2, 'enabled']];
const AUTONEG: ReadonlyArray<readonly [number, string]> = [[1, 'supported'], [2, 'enabled']];
const PMD: ReadonlyArray<readonly [number, string]> = [
  [1 << 14, '10BASE-T hdx'], [1 << 13, '10BASE-T fdx'], [1 << 12, '100BASE-T4'], [1 << 11, '100BASE-TX hdx'], [1 << 10, '100BASE-TX fdx'],
  [1 << 9, '100BASE-T2 hdx'], [1 << 8, '100BASE-T2 fdx'], [1 << 7, 'Pause for fdx links'], [1 << 6, 'Asym PAUSE for fdx'], [1 << 5, 'Sym PAUSE for fdx'],
  [1 << 4, 'Asym and Sym PAUSE for fdx'], [1 << 3, '1000BASE-{X LX SX CX} hdx'], [1 << 2, '1000BASE-{X LX SX CX} fdx'], [1 << 1, '1000BASE-T hdx'], [1, '1000BASE-T fdx'],
];
const MAU_TYPES = [
  'Unknown', 'AUI', '10BASE_5', 'FOIRL', '10BASE2', '10BASET duplex mode unknown', '10BASEFP', '10BASEFB', '10BASEFL duplex mode unknown', '10BROAD36',
  '10BASET hdx', '10BASET fdx', '10BASEFL hdx', '10BASEFL fdx', '100BASET4', '100BASETX hdx', '100BASETX fdx', '100BASEFX hdx', '100BASEFX fdx',
  '100BASET2 hdx', '100BASET2 fdx', '1000BASEX hdx', '1000BASEX fdx', '1000BASELX hdx', '1000BASELX fdx', '1000BASESX hdx', '1000BASESX fdx',
  '1000BASECX hdx', '1000BASECX fdx', '1000BASET hdx', '1000BASET fdx', '10GBASEX', '10GBASELX4', '10GBASER', '10GBASEER', '10GBASELR', '10GBASESR',
  '10GBASEW', '10GBASEEW', '10GBASELW', '10GBASESW',
];
const MDI: ReadonlyArray<readonly [number, string]> = [[1, 'PSE'], [2, 'supported'], [4, 'enabled'], [8, 'can be controlled']];
const AF_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'Reserved'], [1, 'IPv4'], [2, 'IPv6'], [3, 'NSAP'], [4, 'HDLC'], [5, 'BBN 1822'], [6, '802'], [7, 'E.163'], [8, 'E.164'], [9, 'F.69'],
  [10, 'X.121'], [11, 'Novell IPX'], [12, 'Appletalk'], [13, 'Decnet IV'], [14, 'Banyan Vines'], [15, 'E.164 with NSAP subaddress'], [196, 'Layer-2 VPN'], [25, 'VPLS'],
]);
const EVB_MODES = ['Not Supported', 'EVB Bridge', 'EVB Station', 'Reserved for future Standardization'];

const pad3 = (n: number): string => String(n).padEnd(3);

/** LLDP at `off`: `len` bytes on the wire, captured up to `end`. */
export function lldp(p: Uint8Array, off: number, len: number, end: number, o: L2Options): L2Result {
  const v = o.verbose;
  let s = `LLDP, length ${len}`;
  let approx = false;
  const need = (at: number, n: number): void => {
    if (at + n > end) throw new Truncated();
  };
  const u8 = (at: number): number => (need(at, 1), p[at]!);
  const u16 = (at: number): number => (need(at, 2), be16(p, at));
  const u32 = (at: number): number => (need(at, 4), be32(p, at));
  const jnp = (at: number, n: number): string => {
    let t = '';
    for (let i = 0; i < n; i++) {
      const c = u8(at + i);
      if (c === 0) break;
      t += safeChar(c);
    }
    return t;
  };
  const mac = (at: number): string => {
    need(at, 6);
    const m = macText(p, at, o.names);
    if (!m.exact) approx = true;
    return m.text;
  };
  /** lldp_network_addr_print: null when too short. */
  const netAddr = (at: number, n: number): string | null => {
    if (n < 1) return null;
    n--;
    const af = u8(at);
    const name = `AFI ${AF_NAMES.get(af) ?? 'Unknown'} (${af})`;
    if (af === 1) {
      if (n < 4) return null;
      need(at + 1, 4);
      if (o.names) approx = true;
      return `${name}: ${ipv4At(p, at + 1)}`;
    }
    if (af === 2) {
      if (n < 16) return null;
      need(at + 1, 16);
      if (o.names) approx = true;
      return `${name}: ${ipv6At(p, at + 1)}`;
    }
    if (af === 6) {
      if (n < 6) return null;
      return `${name}: ${mac(at + 1)}`;
    }
    return `${name}, no AF printer !`;
  };
  const idTlv = (t: number, tl: number, names: string[], macSub: number, netSub: number, strSubs: number[]): boolean | null => {
    if (tl < 2) return null;
    const st = u8(t);
    s += `\n\t  Subtype ${names[st] || 'Unknown'} (${st}): `;
    if (st === macSub) {
      if (tl < 7) return null;
      s += mac(t + 1);
    } else if (strSubs.includes(st)) s += jnp(t + 1, tl - 1);
    else if (st === netSub) {
      const a = netAddr(t + 1, tl - 1);
      if (a === null) return null;
      s += a;
    } else return true;
    return false;
  };
  const ets = (t: number): void => {
    const row = (at: number, n: number): number[] => Array.from({ length: n }, (_, i) => u8(at + i));
    s += '\n\t    Priority Assignment Table\n\t     Priority : 0   1   2   3   4   5   6   7';
    s += `\n\t     Value    : ${row(t + 5, 4).flatMap((x) => [x >> 4, x & 15]).map(pad3).join(' ')}`;
    s += '\n\t    TC Bandwidth Table\n\t     TC%   : 0   1   2   3   4   5   6   7';
    s += `\n\t     Value : ${row(t + 9, 8).map(pad3).join(' ')}`;
    s += '\n\t    TSA Assignment Table\n\t     Traffic Class: 0   1   2   3   4   5   6   7';
    s += `\n\t     Value        : ${row(t + 17, 8).map(pad3).join(' ')}`;
  };
  const bitsRow = (x: number): string => [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `${String((x >> i) & 1).padEnd(2)} `).join('');
  const p8021 = (t: number, tl: number): boolean => {
    if (tl < 4) return false;
    const st = u8(t + 3);
    s += `\n\t  ${SUB_8021.get(st) ?? 'unknown'} Subtype (${st})`;
    switch (st) {
      case 1:
        if (tl < 6) return false;
        s += `\n\t    port vlan id (PVID): ${u16(t + 4)}`;
        return false;
      case 2:
        if (tl < 7) return false;
        s += `\n\t    port and protocol vlan id (PPVID): ${u16(t + 5)}, flags [${bitNames(PPVID_FLAGS, u8(t + 4), 'none')}] (0x${hex(u8(t + 4), 2)})`;
        return false;
      case 3: {
        if (tl < 6) return false;
        s += `\n\t    vlan id (VID): ${u16(t + 4)}`;
        if (tl < 7) return false;
        const n = u8(t + 6);
        if (tl < 7 + n) return false;
        s += '\n\t    vlan name: ';
        s += jnp(t + 7, n);
        return false;
      }
      case 4: {
        if (tl < 5) return false;
        const n = u8(t + 4);
        if (tl < 5 + n) return false;
        s += '\n\t    protocol identity: ';
        s += jnp(t + 5, n);
        return false;
      }
      case 7:
        if (tl < 9) return false;
        s += `\n\t    aggregation status [${bitNames(AGGREGATION, u8(t + 4), 'none')}], aggregation port ID ${u32(t + 5)}`;
        return false;
      case 8: {
        if (tl < 6) return false;
        const a = u8(t + 4);
        s += `\n\t    Pre-Priority CNPV Indicator\n\t     Priority : 0  1  2  3  4  5  6  7\n\t     Value    : ${bitsRow(a)}`;
        const b = u8(t + 5);
        s += `\n\t    Pre-Priority Ready Indicator\n\t     Priority : 0  1  2  3  4  5  6  7\n\t     Value    : ${bitsRow(b)}`;
        return false;
      }
      case 9: {
        if (tl < 25) return false;
        const x = u8(t + 4);
        s += `\n\t    Willing:${x >> 7}, CBS:${(x >> 6) & 2}, RES:${(x >> 3) & 7}, Max TCs:${x & 7}`;
        ets(t);
        return false;
      }
      case 10:
        if (tl < 25) return false;
        s += `\n\t    RES: ${u8(t + 4)}`;
        ets(t);
        return false;
      case 11: {
        if (tl < 6) return false;
        const x = u8(t + 4);
        s += `\n\t    Willing: ${x >> 7}, MBC: ${(x >> 6) & 1}, RES: ${(x >> 4) & 3}, PFC cap:${x & 15} `;
        s += '\n\t    PFC Enable';
        const y = u8(t + 5);
        s += `\n\t     Priority : 0  1  2  3  4  5  6  7\n\t     Value    : ${bitsRow(y)}`;
        return false;
      }
      case 12: {
        if (tl < 5) return false;
        s += `\n\t    RES: ${u8(t + 4)}`;
        if (tl <= 5) return false;
        const n = tl - 5;
        if (n % 3 !== 0) return false;
        s += '\n\t    Application Priority Table';
        for (let i = 0; i < n; i += 3) {
          const x = u8(t + i + 5);
          s += `\n\t      Priority: ${x >> 5}, RES: ${(x >> 3) & 3}, Sel: ${x & 7}, Protocol ID: ${u16(t + i + 6)}`;
        }
        return false;
      }
      case 13: {
        if (tl < 9) return false;
        let x = u8(t + 4);
        s += `\n\t    EVB Bridge Status\n\t      RES: ${x >> 3}, BGID: ${(x >> 2) & 1}, RRCAP: ${(x >> 1) & 1}, RRCTR: ${x & 1}`;
        x = u8(t + 5);
        s += `\n\t    EVB Station Status\n\t      RES: ${x >> 4}, SGID: ${(x >> 3) & 1}, RRREQ: ${(x >> 2) & 1},RRSTAT: ${x & 3}`;
        x = u8(t + 6);
        s += `\n\t    R: ${x >> 5}, RTE: ${x & 0x1f}, `;
        x = u8(t + 7);
        s += `EVB Mode: ${EVB_MODES[x >> 6]} [${x >> 6}]`;
        s += `\n\t    ROL: ${(x >> 5) & 1}, RWD: ${x & 0x1f}, `;
        x = u8(t + 8);
        s += `RES: ${x >> 6}, ROL: ${(x >> 5) & 1}, RKA: ${x & 0x1f}`;
        return false;
      }
      case 14: {
        if (tl < 8) return false;
        const x = u8(t + 4);
        s += `\n\t    Role: ${x >> 7}, RES: ${(x >> 4) & 7}, Scomp: ${(x >> 3) & 1} `;
        s += `ChnCap: ${u16(t + 6) & 0x0fff}`;
        const n = tl - 8;
        if (n % 3 !== 0) return false;
        for (let i = 0; i < n; i += 3) {
          const y = (u16(t + i + 8) << 8) | u8(t + i + 10);
          s += `\n\t    SCID: ${y >> 12}, SVID: ${y & 0xfff}`;
        }
        return false;
      }
      default:
        return true;
    }
  };
  const p8023 = (t: number, tl: number): boolean => {
    if (tl < 4) return false;
    const st = u8(t + 3);
    s += `\n\t  ${SUB_8023.get(st) ?? 'unknown'} Subtype (${st})`;
    switch (st) {
      case 1: {
        if (tl < 9) return false;
        const a = u8(t + 4);
        s += `\n\t    autonegotiation [${bitNames(AUTONEG, a, 'none')}] (0x${hex(a, 2)})`;
        const c = u16(t + 5);
        s += `\n\t    PMD autoneg capability [${bitNames(PMD, c, 'unknown')}] (0x${hex(c, 4)})`;
        const m = u16(t + 7);
        s += `\n\t    MAU type ${MAU_TYPES[m] ?? 'unknown'} (0x${hex(m, 4)})`;
        return false;
      }
      case 2:
        if (tl < 7) return false;
        s += `\n\t    MDI power support [${bitNames(MDI, u8(t + 4), 'none')}], power pair ${['', 'signal', 'spare'][u8(t + 5)] || 'unknown'}, power class ${['', 'class0', 'class1', 'class2', 'class3', 'class4'][u8(t + 6)] || 'unknown'}`;
        return false;
      case 3:
        if (tl < 9) return false;
        s += `\n\t    aggregation status [${bitNames(AGGREGATION, u8(t + 4), 'none')}], aggregation port ID ${u32(t + 5)}`;
        return false;
      case 4:
        if (tl < 6) return false;
        s += `\n\t    MTU size ${u16(t + 4)}`;
        return false;
      default:
        return true;
    }
  };
  const iana = (t: number, tl: number): boolean => {
    if (tl < 8) return false;
    const st = u8(t + 3);
    s += `\n\t  ${st === 1 ? 'MUD-URL' : 'unknown'} Subtype (${st})`;
    if (st !== 1) return true;
    s += '\n\t  MUD-URL=';
    for (let i = 4; i < tl; i++) s += safeChar(u8(t + i));
    return false;
  };
  try {
    let t = off;
    let tlen = len;
    while (tlen >= 2) {
      const tlv = u16(t);
      const type = tlv >> 9;
      const tl = tlv & 0x1ff;
      let hexdump = false;
      tlen -= 2;
      t += 2;
      if (v) s += `\n\t${type === 127 ? 'Organization specific' : (TLV_NAMES[type] ?? 'Unknown')} TLV (${type}), length ${tl}`;
      if (type === 0 || tl === 0) break;
      need(t, tl);
      if (tlen < tl) throw new Truncated();
      switch (type) {
        case 1:
        case 2:
          if (v) {
            const r = type === 1 ? idTlv(t, tl, CHASSIS_SUBTYPES, 4, 5, [6, 7, 1, 2, 3]) : idTlv(t, tl, PORT_SUBTYPES, 3, 4, [5, 7, 6, 1, 2]);
            if (r === null) throw new Truncated();
            hexdump = r;
          }
          break;
        case 3:
          if (v) {
            if (tl < 2) throw new Truncated();
            s += `: TTL ${u16(t)}s`;
          }
          break;
        case 4:
          if (v) s += `: ${jnp(t, tl)}`;
          break;
        case 5:
          s += ': ';
          s += jnp(t, tl);
          break;
        case 6:
          if (v) s += `\n\t  ${jnp(t, tl)}`;
          break;
        case 7:
          if (v) {
            if (tl < 4) throw new Truncated();
            const cap = u16(t);
            const ena = u16(t + 2);
            s += `\n\t  System  Capabilities [${bitNames(CAPS, cap, 'none')}] (0x${hex(cap, 4)})`;
            s += `\n\t  Enabled Capabilities [${bitNames(CAPS, ena, 'none')}] (0x${hex(ena, 4)})`;
          }
          break;
        case 8:
          if (v && !mgmtAddr(t, tl)) throw new Truncated();
          break;
        case 127:
          if (v) {
            if (tl < 3) throw new Truncated();
            const oui = (u16(t) << 8) | u8(t + 2);
            s += `: OUI ${OUI_NAMES.get(oui) ?? 'Unknown'} (0x${hex(oui, 6)})`;
            if (oui === 0x0080c2) hexdump = p8021(t, tl);
            else if (oui === 0x00120f) hexdump = p8023(t, tl);
            else if (oui === 0x00005e) hexdump = iana(t, tl);
            else if (oui === 0x0012bb || oui === 0x001b21) {
              // LLDP-MED and DCBX: not reproduced.
              approx = true;
              hexdump = true;
            } else hexdump = true;
          }
          break;
        default:
          hexdump = true;
      }
      if (v > 1 || (v && hexdump)) s += hexPrint(p, t, tl, end, '\n\t  ');
      tlen -= tl;
      t += tl;
    }
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    s += ' [|lldp]';
  }
  return { text: s, approx };

  function mgmtAddr(t: number, tl: number): boolean {
    if (tl < 1) return false;
    const alen = u8(t);
    t++;
    tl--;
    if (tl < alen) return false;
    const a = netAddr(t, alen);
    if (a === null) return false;
    s += `\n\t  Management Address length ${alen}, ${a}`;
    t += alen;
    tl -= alen;
    if (tl < 5) return false;
    const sub = u8(t);
    s += `\n\t  ${['', '', 'Interface Index', 'System Port Number'][sub] || 'Unknown'} Interface Numbering (${sub}): ${u32(t + 1)}`;
    t += 5;
    tl -= 5;
    if (tl) {
      const oidLen = u8(t);
      if (tl < 1 + oidLen) return false;
      if (oidLen) {
        s += `\n\t  OID length ${oidLen}`;
        s += jnp(t + 1, oidLen);
      }
    }
    return true;
  }
}
