/**
 * Link-layer descriptions for the filter compiler: for each supported LINKTYPE_ value, where
 * the network layer starts, how "the next protocol is P" is tested (an Ethernet type field, a
 * PPP protocol field, a BSD address family, the IP version nibble, or nothing at all), where
 * MAC addresses are, and whether a packet direction is recorded. Lowering asks these
 * descriptions instead of switching on link types everywhere.
 */
import { linkTypeByLinkType, linkTypeByName } from '../../capture/link-types.ts';
import type { GeneveSlots } from './context.ts';

/** The LINKTYPE_ value of a link-type name, from the capture module's table (one table). */
function lt(name: string): number {
  const t = linkTypeByName(name);
  if (!t) throw new Error(`link type ${name} missing from capture/link-types.ts`);
  return t.linkType;
}

/** LINKTYPE_ numbers (the values stored in capture files) of the link types described here. */
export const LINKTYPE = {
  NULL: lt('NULL'),
  EN10MB: lt('EN10MB'),
  IEEE802: lt('IEEE802'),
  SLIP: lt('SLIP'),
  PPP: lt('PPP'),
  FDDI: lt('FDDI'),
  RAW: lt('RAW'),
  C_HDLC: lt('C_HDLC'),
  IEEE802_11: lt('IEEE802_11'),
  LOOP: lt('LOOP'),
  LINUX_SLL: lt('LINUX_SLL'),
  PFLOG: lt('PFLOG'),
  IEEE802_11_RADIO: lt('IEEE802_11_RADIO'),
  PPP_ETHER: lt('PPP_ETHER'),
  IPV4: lt('IPV4'),
  IPV6: lt('IPV6'),
  LINUX_SLL2: lt('LINUX_SLL2'),
  IP_OVER_FC: lt('IP_OVER_FC'),
  MTP2: lt('MTP2'),
  MTP2_WITH_PHDR: lt('MTP2_WITH_PHDR'),
  SUNATM: lt('SUNATM'),
  APPLE_IP_OVER_IEEE1394: lt('APPLE_IP_OVER_IEEE1394'),
  IEEE802_11_RADIO_AVS: lt('IEEE802_11_RADIO_AVS'),
  PPI: lt('PPI'),
  PRISM_HEADER: lt('PRISM_HEADER'),
  NETANALYZER: lt('NETANALYZER'),
  SYMANTEC_FIREWALL: lt('SYMANTEC_FIREWALL'),
  PPP_BSDOS: lt('PPP_BSDOS'),
  IPNET: lt('IPNET'),
  ARCNET: lt('ARCNET'),
  ARCNET_LINUX: lt('ARCNET_LINUX'),
  BACNET_MS_TP: lt('BACNET_MS_TP'),
  JUNIPER_MFR: lt('JUNIPER_MFR'),
} as const;

/** How a link layer announces the protocol it carries. */
export type LinkKind =
  | 'ether'     // 2-byte Ethernet type (or 802.3 length) at `typeOff`, LLC after it
  | 'sll'       // Linux cooked: 2-byte protocol (Ethernet type or small LINUX_SLL_P_ value)
  | 'ppp'       // 2-byte PPP protocol number
  | 'af-host'   // 4-byte BSD address family in little-endian order (LINKTYPE_NULL, as libpcap writes it)
  | 'af-net'    // 4-byte BSD address family in network order (LINKTYPE_LOOP)
  | 'af-byte'   // 1-byte address family (pflog)
  | 'ipver'     // no link header: look at the IP version nibble (RAW, SLIP)
  | 'ipv4'      // always IPv4
  | 'ipv6'      // always IPv6
  | 'mpls'      // after `mpls`: bottom-of-stack bit then the IP version nibble
  | 'llc'       // an 802.2 LLC/SNAP header at `typeOff` (FDDI, token ring, 802.11, IP over FC)
  | 'chdlc'     // Cisco HDLC: 2-byte Ethernet type, 0xfefe for OSI
  | 'atm'       // SunATM: LLC-encapsulated traffic when (pkt[0] & 0xf) == 2, LLC at `typeOff`
  | 'arcnet'    // ARCnet: 1-byte protocol ids (IP is 0xd4 or 0xf0, ARP 0xd5 or 0xf1)
  | 'ppp-bsdos' // BSD/OS PPP: PPP protocol with the compressed-TCP variants for IP
  | 'fr'        // Frame Relay: the 2-byte control + NLPID after the Q.922 address (0x03cc IPv4, 0x038e IPv6)
  | 'none'      // no network layer at all (MTP2): protocol primitives never match
  | 'magic'     // every protocol test is the same header check (`magic`): BACnet MS/TP, Juniper
  | 'opaque';   // libpcap cannot filter on this link layer's protocols (errors, like libpcap)

export interface LinkInfo {
  name: string;
  kind: LinkKind;
  /** Absolute offset of the protocol field (for ether/sll/ppp/af kinds). */
  typeOff: number;
  /** Absolute offset of the network-layer header. */
  nlOff: number;
  /** Offsets of the destination / source MAC addresses, when the link has them. */
  mac?: { dst: number; src: number };
  /** How the packet direction is recorded: Linux packet type field (2 bytes at off, or 1 byte). */
  direction?: { off: number; size: 1 | 2 };
  /** Statements computing the link-header length into A (run once, stored in VAR_SLOT). */
  prologue?: Array<{ code: number; k: number }>;
  /** 802.11 frame control at offset 0: only data frames carry the protocols above. */
  wlan?: boolean;
  /** 802.11 behind a variable-length radio header (built by lower/prologue.ts). */
  radio?: 'radiotap' | 'ppi' | 'avs' | 'prism';
  /** For kind 'magic': (pkt[0:4] & mask) == value marks a frame of this link type. */
  magic?: { mask: number; value: number };
  /** libpcap's description of the link type (for error messages). */
  description?: string;
  /** Offset of the MTP2 header (MTP2_WITH_PHDR has a 4-byte pseudo-header). */
  mtp2?: number;
  /** Where `link[]` / `ether[]` start (default 0). */
  linkOff?: number;
  /** LANE-encapsulated Ethernet inside SunATM (after `lane`): ATM fields stay valid. */
  lane?: boolean;
  /**
   * libpcap 1.10.3 compares the protocol field with the protocol's value and nothing else (no
   * 802.3/LLC/SNAP alternatives), and reads OSI's NLPID at the network-layer offset: Linux
   * cooked v2, Symantec firewall, Apple IP over IEEE 1394.
   */
  plainType?: boolean;
  /** Kind 'ipver': where the IP version nibble is read, when not at nlOff (BSD/OS SLIP reads byte 0). */
  verOff?: number;
  /**
   * The frame inside Geneve (after `geneve`): offsets are slot-relative, and Ethernet-address
   * tests first check that the payload is an Ethernet frame (Transparent Ethernet Bridging).
   */
  geneve?: GeneveSlots;
  /**
   * Inside Geneve: where OSI's NLPID is read, relative to the inner payload. libpcap 1.10.3
   * keeps the outer link type's "network layer without SNAP" offset there (3 behind an 802.2
   * header on Ethernet, FDDI, token ring, 802.11, ATM; 0 on links without one; unset — a load
   * that always fails — on Juniper, MTP2, IPNET and the like).
   */
  nosnap?: number;
  /** Kind 'magic': where libpcap 1.10.3 reads OSI's NLPID (may be negative: see JUNIPER_OFFSETS). */
  nlpid?: number;
}

/** libpcap 1.10.3's off_nl_nosnap of a link type (see LinkInfo.nosnap); UNREACHABLE when unset. */
export function nlNosnap(link: LinkInfo): number {
  if (link.geneve) return link.nosnap ?? 0;
  const llc3 = ['EN10MB', 'FDDI', 'IEEE802', 'IEEE802_11', 'IEEE802_11_RADIO', 'IEEE802_11_RADIO_AVS', 'PRISM_HEADER', 'PPI',
    'ATM_RFC1483', 'ATM_CLIP', 'SUNATM', 'IP_OVER_FC', 'NETANALYZER', 'NETANALYZER_TRANSPARENT'];
  if (llc3.includes(link.name)) return 3;
  if (link.name === 'JUNIPER_ATM1' || link.name === 'JUNIPER_ATM2') return 10;
  if (link.name === 'JUNIPER_ETHER' || link.name === 'JUNIPER_PPPOE') return 21;
  const zero = ['SLIP', 'SLIP_BSDOS', 'NULL', 'LOOP', 'ENC', 'PPP', 'PPP_PPPD', 'C_HDLC', 'PPP_SERIAL', 'PPP_ETHER', 'PPP_BSDOS', 'RAW',
    'IPV4', 'IPV6', 'LINUX_SLL', 'LINUX_SLL2', 'LTALK', 'FRELAY', 'MFR', 'APPLE_IP_OVER_IEEE1394', 'SYMANTEC_FIREWALL', 'PFLOG', 'PFSYNC'];
  return zero.includes(link.name) ? 0 : UNREACHABLE;
}

/**
 * After `lane` on SunATM, libpcap 1.10.3 treats the rest of the expression as Ethernet that
 * starts after the 4-byte SunATM header and the 2-byte LE header: link header at 6, type at
 * 18, network layer at 20 (it assumes LANE carries Ethernet, never token ring).
 */
export const LANE_LINK: LinkInfo = { name: 'EN10MB', kind: 'ether', typeOff: 18, nlOff: 20, mac: { dst: 6, src: 12 }, linkOff: 6, lane: true };

/**
 * 802.11 header length without branches: 24 bytes, plus 2 for QoS data frames (type data
 * and the QoS subtype bit: (fc & 0x8c) == 0x88). A = ((fc & 0x8c) ^ 0x88) is 0 exactly for
 * QoS data; ((A + 0xff) >> 8) is then 0, else 1; flip it, double it, add 24.
 */
const WLAN_HDRLEN = [
  { code: 0x30, k: 0 },          // ldb [0]
  { code: 0x54, k: 0x8c },       // and #0x8c
  { code: 0xa4, k: 0x88 },       // xor #0x88
  { code: 0x04, k: 0xff },       // add #0xff
  { code: 0x74, k: 8 },          // rsh #8
  { code: 0xa4, k: 1 },          // xor #1
  { code: 0x64, k: 1 },          // lsh #1
  { code: 0x04, k: 24 },         // add #24
];

/** pflog header length: pkt[0] rounded up to a multiple of 4. */
const PFLOG_HDRLEN = [
  { code: 0x30, k: 0 },          // ldb [0]
  { code: 0x04, k: 3 },          // add #3
  { code: 0x54, k: 0xfffffffc }, // and #0xfffffffc
];

/**
 * Juniper pseudo-headers (and BACnet MS/TP): every protocol test is the magic check (kind
 * 'magic'); the network layer and OSI's NLPID are where libpcap 1.10.3 puts them per type:
 * link payload + network-layer offset, and link payload + "no SNAP" offset. Where 1.10.3 has no
 * value it uses OFFSET_NOT_SET (-1) in that unsigned 32-bit sum, so the sum wraps: with neither
 * offset set the network layer is at -2, and `host 10.0.0.1` reads the source address at
 * byte 10 (-2 + 12) while fields at 0 and 1 are past any packet. Offsets here keep that
 * arithmetic (negative numbers; the instruction constructors store k modulo 2^32).
 */
const UNREACHABLE = 0xf00000;
const NOT_SET = -1;
/** [name, link payload offset, network layer from there, NLPID from there] (libpcap 1.10.3). */
const JUNIPER_OFFSETS: ReadonlyArray<[string, number, number, number]> = [
  ['JUNIPER_MFR', 4, 0, NOT_SET], ['JUNIPER_MLFR', 4, 0, NOT_SET], ['JUNIPER_MLPPP', 4, 0, NOT_SET], ['JUNIPER_PPP', 4, 0, NOT_SET],
  ['JUNIPER_CHDLC', 4, 0, NOT_SET], ['JUNIPER_FRELAY', 4, 0, NOT_SET], ['JUNIPER_ATM1', 4, 0, 10], ['JUNIPER_ATM2', 8, 0, 10],
  ['JUNIPER_PPPOE', 14, 18, 21], ['JUNIPER_ETHER', 14, 18, 21], ['JUNIPER_PPPOE_ATM', 6, 0, NOT_SET], ['JUNIPER_GGSN', 12, 0, NOT_SET],
  ['JUNIPER_ES', NOT_SET, NOT_SET, NOT_SET], ['JUNIPER_MONITOR', 12, 0, NOT_SET], ['JUNIPER_SERVICES', NOT_SET, NOT_SET, NOT_SET],
  ['JUNIPER_VP', NOT_SET, NOT_SET, NOT_SET], ['JUNIPER_ST', NOT_SET, NOT_SET, NOT_SET], ['JUNIPER_ISM', NOT_SET, NOT_SET, NOT_SET],
  ['JUNIPER_VS', NOT_SET, NOT_SET, NOT_SET], ['JUNIPER_SRX_E2E', NOT_SET, NOT_SET, NOT_SET],
  ['JUNIPER_FIBRECHANNEL', NOT_SET, NOT_SET, NOT_SET], ['JUNIPER_ATM_CEMIC', NOT_SET, NOT_SET, NOT_SET],
];
const JUNIPER_LINKS: ReadonlyArray<[number, LinkInfo]> = JUNIPER_OFFSETS.map(([name, pl, nl, nosnap]) => [lt(name),
  { name, kind: 'magic', typeOff: 0, nlOff: pl + nl, nlpid: pl + nosnap, magic: { mask: 0xffffff00, value: 0x4d474300 }, direction: { off: 3, size: 1 } }]);

const LINKS: ReadonlyMap<number, LinkInfo> = new Map<number, LinkInfo>([
  [LINKTYPE.EN10MB, { name: 'EN10MB', kind: 'ether', typeOff: 12, nlOff: 14, mac: { dst: 0, src: 6 } }],
  [LINKTYPE.LINUX_SLL, { name: 'LINUX_SLL', kind: 'sll', typeOff: 14, nlOff: 16, direction: { off: 0, size: 2 } }],
  [LINKTYPE.LINUX_SLL2, { name: 'LINUX_SLL2', kind: 'sll', typeOff: 0, nlOff: 20, direction: { off: 10, size: 1 } , plainType: true }],
  [LINKTYPE.RAW, { name: 'RAW', kind: 'ipver', typeOff: 0, nlOff: 0 }],
  [LINKTYPE.SLIP, { name: 'SLIP', kind: 'ipver', typeOff: 0, nlOff: 16, verOff: 0 }], // 1.10.3 reads the version at 0, before the 16-byte header
  [LINKTYPE.IPV4, { name: 'IPV4', kind: 'ipv4', typeOff: 0, nlOff: 0 }],
  [LINKTYPE.IPV6, { name: 'IPV6', kind: 'ipv6', typeOff: 0, nlOff: 0 }],
  [LINKTYPE.NULL, { name: 'NULL', kind: 'af-host', typeOff: 0, nlOff: 4 }],
  [LINKTYPE.LOOP, { name: 'LOOP', kind: 'af-net', typeOff: 0, nlOff: 4 }],
  [LINKTYPE.PPP, { name: 'PPP', kind: 'ppp', typeOff: 2, nlOff: 4 }],
  [LINKTYPE.PPP_ETHER, { name: 'PPP_ETHER', kind: 'ppp', typeOff: 6, nlOff: 8 }],
  [LINKTYPE.C_HDLC, { name: 'C_HDLC', kind: 'chdlc', typeOff: 2, nlOff: 4 }],
  [LINKTYPE.FDDI, { name: 'FDDI', kind: 'llc', typeOff: 13, nlOff: 21, mac: { dst: 1, src: 7 } }],
  [LINKTYPE.IEEE802, { name: 'IEEE802', kind: 'llc', typeOff: 14, nlOff: 22, mac: { dst: 2, src: 8 } }],
  [LINKTYPE.IP_OVER_FC, { name: 'IP_OVER_FC', kind: 'llc', typeOff: 16, nlOff: 24, mac: { dst: 2, src: 10 } }],
  [LINKTYPE.MTP2, { name: 'MTP2', kind: 'none', typeOff: 0, nlOff: 0, mtp2: 0 }],
  [LINKTYPE.MTP2_WITH_PHDR, { name: 'MTP2_WITH_PHDR', kind: 'none', typeOff: 0, nlOff: 0, mtp2: 4 }],
  [LINKTYPE.SUNATM, { name: 'SUNATM', kind: 'atm', typeOff: 4, nlOff: 12 }],
  [LINKTYPE.APPLE_IP_OVER_IEEE1394, { name: 'APPLE_IP_OVER_IEEE1394', kind: 'ether', typeOff: 16, nlOff: 18 , plainType: true }],
  [LINKTYPE.NETANALYZER, { name: 'NETANALYZER', kind: 'ether', typeOff: 16, nlOff: 18, mac: { dst: 4, src: 10 }, linkOff: 4 }],
  [LINKTYPE.SYMANTEC_FIREWALL, { name: 'SYMANTEC_FIREWALL', kind: 'ether', typeOff: 6, nlOff: 44 , plainType: true }],
  [LINKTYPE.PPP_BSDOS, { name: 'PPP_BSDOS', kind: 'ppp-bsdos', typeOff: 5, nlOff: 24 }],
  [LINKTYPE.IPNET, { name: 'IPNET', kind: 'af-byte', typeOff: 1, nlOff: 24 }],
  [LINKTYPE.ARCNET, { name: 'ARCNET', kind: 'arcnet', typeOff: 2, nlOff: 6 }],
  [LINKTYPE.ARCNET_LINUX, { name: 'ARCNET_LINUX', kind: 'arcnet', typeOff: 4, nlOff: 8 }],
  [LINKTYPE.BACNET_MS_TP, { name: 'BACNET_MS_TP', kind: 'magic', typeOff: 0, nlOff: NOT_SET + NOT_SET, nlpid: NOT_SET + NOT_SET, magic: { mask: 0xffff0000, value: 0x55ff0000 } }],
  [LINKTYPE.PFLOG, { name: 'PFLOG', kind: 'af-byte', typeOff: 1, nlOff: 0, prologue: PFLOG_HDRLEN }],
  [LINKTYPE.IEEE802_11_RADIO, { name: 'IEEE802_11_RADIO', kind: 'llc', typeOff: 0, nlOff: 8, wlan: true, radio: 'radiotap' }],
  [LINKTYPE.IEEE802_11_RADIO_AVS, { name: 'IEEE802_11_RADIO_AVS', kind: 'llc', typeOff: 0, nlOff: 8, wlan: true, radio: 'avs' }],
  [LINKTYPE.PPI, { name: 'PPI', kind: 'llc', typeOff: 0, nlOff: 8, wlan: true, radio: 'ppi' }],
  [LINKTYPE.PRISM_HEADER, { name: 'PRISM_HEADER', kind: 'llc', typeOff: 0, nlOff: 8, wlan: true, radio: 'prism' }],
  [LINKTYPE.IEEE802_11, { name: 'IEEE802_11', kind: 'llc', typeOff: 0, nlOff: 8, prologue: WLAN_HDRLEN, wlan: true }],
  // RFC 1483 LLC-encapsulated ATM and Classical IP over ATM: an LLC/SNAP header at 0.
  [lt('ATM_RFC1483'), { name: 'ATM_RFC1483', kind: 'llc', typeOff: 0, nlOff: 8 }],
  [lt('ATM_CLIP'), { name: 'ATM_CLIP', kind: 'llc', typeOff: 0, nlOff: 8 }],
  // PPP in HDLC-like framing, and PPP with a direction byte (pppd): protocol at 2.
  [lt('PPP_SERIAL'), { name: 'PPP_SERIAL', kind: 'ppp', typeOff: 2, nlOff: 4 }],
  [lt('PPP_PPPD'), { name: 'PPP_PPPD', kind: 'ppp', typeOff: 2, nlOff: 4 }],
  // BSD/OS SLIP: a 24-byte pseudo-header; libpcap 1.10.3 reads the IP version at byte 0.
  [lt('SLIP_BSDOS'), { name: 'SLIP_BSDOS', kind: 'ipver', typeOff: 0, nlOff: 24, verOff: 0 }],
  // Frame Relay: the network layer is addressed from 0 by libpcap 1.10.3 (it does not skip the
  // variable-length Q.922 address), the protocol is the control byte + NLPID at 2.
  [lt('FRELAY'), { name: 'FRELAY', kind: 'fr', typeOff: 2, nlOff: 0 }],
  // OpenBSD enc(4): a 12-byte header starting with the address family in host byte order.
  [lt('ENC'), { name: 'ENC', kind: 'af-host', typeOff: 0, nlOff: 12 }],
  // LocalTalk: no protocol libpcap can name is ever carried.
  [lt('LTALK'), { name: 'LTALK', kind: 'none', typeOff: 0, nlOff: 0 }],
  [lt('NETANALYZER_TRANSPARENT'), { name: 'NETANALYZER_TRANSPARENT', kind: 'ether', typeOff: 24, nlOff: 26, mac: { dst: 12, src: 18 }, linkOff: 12 }],
  ...JUNIPER_LINKS,
  // Endace ERF: no protocol field libpcap knows, but MTP2 fields 20 bytes in (ERF's MTP2 records).
  [lt('ERF'), { name: 'ERF', kind: 'opaque', typeOff: 0, nlOff: 0, mtp2: 20, description: linkTypeByLinkType(lt('ERF'))?.description }],
]);

/**
 * The description of a link type: ours when we know its layout; otherwise, for link types
 * libpcap 1.10.3 knows (from the capture module's table), an opaque link on which only
 * link-level loads and direction work, as in libpcap.
 */
export function linkInfo(linkType: number): LinkInfo | undefined {
  const known = LINKS.get(linkType);
  if (known) return known;
  const t = linkTypeByLinkType(linkType);
  if (!t || !t.libpcap1103) return undefined;
  return { name: t.name, kind: 'opaque', typeOff: 0, nlOff: 0, description: t.description };
}

export const ETHERTYPE = {
  IP: 0x0800, IPV6: 0x86dd, ARP: 0x0806, REVARP: 0x8035, ATALK: 0x809b, AARP: 0x80f3, DN: 0x6003,
  LAT: 0x6004, SCA: 0x6007, MOPRC: 0x6002, MOPDL: 0x6001, IPX: 0x8137, VLAN: 0x8100, QINQ: 0x88a8,
  QINQ_OLD: 0x9100, MPLS: 0x8847, MPLS_MULTI: 0x8848, PPPOED: 0x8863, PPPOES: 0x8864,
} as const;

/** LLC SAP values libpcap accepts as "protocols" (pseudo ethertypes below 1500). */
export const LLCSAP = { IP: 0x06, ISONS: 0xfe, NETBEUI: 0xf0, IPX: 0xe0, STP: 0x42, SNAP: 0xaa } as const;

/** PPP protocol numbers for the Ethernet types PPP can carry. */
export const PPP_PROTO: ReadonlyMap<number, number> = new Map([
  [ETHERTYPE.IP, 0x0021], [ETHERTYPE.IPV6, 0x0057], [ETHERTYPE.DN, 0x0027], [ETHERTYPE.ATALK, 0x0029],
  [LLCSAP.IPX, 0x002b], [LLCSAP.ISONS, 0x0023], [LLCSAP.STP, 0x0031], [ETHERTYPE.MPLS, 0x0281],
  [ETHERTYPE.MPLS_MULTI, 0x0283],
]);
