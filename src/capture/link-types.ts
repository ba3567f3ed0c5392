/**
 * The one link-type table: every link-layer header type tsdump knows, with its DLT_* number (what
 * the running libpcap and the filter compiler use), its LINKTYPE_* number (what is stored in
 * pcap/pcapng files), tcpdump's `-y` name and libpcap's description.
 *
 * Technique: a single literal table (one row per type, sorted by DLT number) from which every
 * lookup is derived once at module load: by name (case-insensitive, with the historical aliases
 * libpcap accepts), by DLT and by LINKTYPE. The rows were taken from libpcap 1.10.3's name table
 * (queried through pcap_datalink_val_to_name/_description on the reference host, `libpcap1103:
 * true`) plus the names later libpcap versions added, whose numbers come from the public
 * tcpdump.org LINKTYPE registry (`libpcap1103: false`; 1.10.3's `tcpdump -y` rejects them).
 *
 * DLT and LINKTYPE numbers are equal except for the few types whose DLT value differs between
 * operating systems; files always carry the LINKTYPE value. On Linux (what we mirror):
 *   DLT_ATM_RFC1483 11 ↔ LINKTYPE 100, DLT_RAW 12 ↔ 101, DLT_SLIP_BSDOS 15 ↔ 102,
 *   DLT_PPP_BSDOS 16 ↔ 103, DLT_ATM_CLIP 19 ↔ 106.
 * `linkTypeToDlt` follows libpcap: the remapped values above map back (LINKTYPE_ATM_CLIP 106
 * too, although it lies in the "matching" range 104..289), everything else is unchanged.
 * `dltToLinkType` returns -1 for a DLT that cannot be stored in a savefile (libpcap refuses it).
 *
 * The pcap header's link-type field also carries FCS information in its upper bits
 * (`LT_FCS_LENGTH_PRESENT` = 0x04000000, FCS length in 16-bit words in bits 28..31): see
 * `splitLinkTypeField`.
 */

export interface LinkTypeInfo {
  /** tcpdump's `-y` name, without the DLT_ prefix (e.g. "EN10MB"). */
  readonly name: string;
  /** DLT_* value (Linux numbering). */
  readonly dlt: number;
  /** LINKTYPE_* value stored in files. */
  readonly linkType: number;
  /** libpcap's description ("Ethernet", "Linux cooked v1", ...). */
  readonly description: string;
  /** True when libpcap 1.10.3 (tcpdump 4.99.3's `-y`) knows this name. */
  readonly libpcap1103: boolean;
}

/** First DLT/LINKTYPE of the range where both numberings agree by definition. */
export const DLT_MATCHING_MIN = 104;
/** Last value of that range in libpcap 1.10.3 (the bound its messages quote). */
export const DLT_MATCHING_MAX = 289;

/** Bit set in the pcap header's link-type field when an FCS length is recorded. */
const LT_FCS_LENGTH_PRESENT = 0x04000000;

type Row = readonly [name: string, dlt: number, linkType: number, description: string, libpcap1103: boolean];

// prettier-ignore
const ROWS: readonly Row[] = [
  ["NULL", 0, 0, "BSD loopback", true],
  ["EN10MB", 1, 1, "Ethernet", true],
  ["EN3MB", 2, 2, "Experimental Ethernet (3Mb)", false],
  ["AX25", 3, 3, "Amateur Radio AX.25", false],
  ["PRONET", 4, 4, "Proteon ProNET Token Ring", false],
  ["CHAOS", 5, 5, "Chaos", false],
  ["IEEE802", 6, 6, "Token ring", true],
  ["ARCNET", 7, 7, "BSD ARCNET", true],
  ["SLIP", 8, 8, "SLIP", true],
  ["PPP", 9, 9, "PPP", true],
  ["FDDI", 10, 10, "FDDI", true],
  ["ATM_RFC1483", 11, 100, "RFC 1483 LLC-encapsulated ATM", true],
  ["RAW", 12, 101, "Raw IP", true],
  ["SLIP_BSDOS", 15, 102, "BSD/OS SLIP", true],
  ["PPP_BSDOS", 16, 103, "BSD/OS PPP", true],
  ["ATM_CLIP", 19, 106, "Linux Classical IP over ATM", true],
  ["REDBACK_SMARTEDGE", 32, 32, "Redback SmartEdge 400/800", false],
  ["PPP_SERIAL", 50, 50, "PPP over serial", true],
  ["PPP_ETHER", 51, 51, "PPPoE", true],
  ["SYMANTEC_FIREWALL", 99, 99, "Symantec Firewall", true],
  ["C_HDLC", 104, 104, "Cisco HDLC", true],
  ["IEEE802_11", 105, 105, "802.11", true],
  ["FRELAY", 107, 107, "Frame Relay", true],
  ["LOOP", 108, 108, "OpenBSD loopback", true],
  ["ENC", 109, 109, "OpenBSD encapsulated IP", true],
  ["LINUX_SLL", 113, 113, "Linux cooked v1", true],
  ["LTALK", 114, 114, "Localtalk", true],
  ["ECONET", 115, 115, "Acorn Econet", false],
  ["IPFILTER", 116, 116, "OpenBSD IPFilter", false],
  ["PFLOG", 117, 117, "OpenBSD pflog file", true],
  ["CISCO_IOS", 118, 118, "Cisco internal", false],
  ["PRISM_HEADER", 119, 119, "802.11 plus Prism header", true],
  ["AIRONET_HEADER", 120, 120, "802.11 plus Aironet header", false],
  ["HHDLC", 121, 121, "Siemens HiPath HDLC", false],
  ["IP_OVER_FC", 122, 122, "RFC 2625 IP-over-Fibre Channel", true],
  ["SUNATM", 123, 123, "Sun raw ATM", true],
  ["RIO", 124, 124, "RapidIO", false],
  ["PCI_EXP", 125, 125, "PCI Express", false],
  ["AURORA", 126, 126, "Xilinx Aurora", false],
  ["IEEE802_11_RADIO", 127, 127, "802.11 plus radiotap header", true],
  ["TZSP", 128, 128, "Tazmen Sniffer Protocol", false],
  ["ARCNET_LINUX", 129, 129, "Linux ARCNET", true],
  ["JUNIPER_MLPPP", 130, 130, "Juniper Multi-Link PPP", true],
  ["JUNIPER_MLFR", 131, 131, "Juniper Multi-Link Frame Relay", true],
  ["JUNIPER_ES", 132, 132, "Juniper Encryption Services PIC", true],
  ["JUNIPER_GGSN", 133, 133, "Juniper GGSN PIC", true],
  ["JUNIPER_MFR", 134, 134, "Juniper FRF.16 Frame Relay", true],
  ["JUNIPER_ATM2", 135, 135, "Juniper ATM2 PIC", true],
  ["JUNIPER_SERVICES", 136, 136, "Juniper Advanced Services PIC", true],
  ["JUNIPER_ATM1", 137, 137, "Juniper ATM1 PIC", true],
  ["APPLE_IP_OVER_IEEE1394", 138, 138, "Apple IP-over-IEEE 1394", true],
  ["MTP2_WITH_PHDR", 139, 139, "SS7 MTP2 with Pseudo-header", true],
  ["MTP2", 140, 140, "SS7 MTP2", true],
  ["MTP3", 141, 141, "SS7 MTP3", true],
  ["SCCP", 142, 142, "SS7 SCCP", true],
  ["DOCSIS", 143, 143, "DOCSIS", true],
  ["LINUX_IRDA", 144, 144, "Linux IrDA", true],
  ["IBM_SP", 145, 145, "IBM Series Processor switch", false],
  ["IBM_SN", 146, 146, "IBM Series Processor network", false],
  ["USER0", 147, 147, "User-defined link type 0", false],
  ["USER1", 148, 148, "User-defined link type 1", false],
  ["USER2", 149, 149, "User-defined link type 2", false],
  ["USER3", 150, 150, "User-defined link type 3", false],
  ["USER4", 151, 151, "User-defined link type 4", false],
  ["USER5", 152, 152, "User-defined link type 5", false],
  ["USER6", 153, 153, "User-defined link type 6", false],
  ["USER7", 154, 154, "User-defined link type 7", false],
  ["USER8", 155, 155, "User-defined link type 8", false],
  ["USER9", 156, 156, "User-defined link type 9", false],
  ["USER10", 157, 157, "User-defined link type 10", false],
  ["USER11", 158, 158, "User-defined link type 11", false],
  ["USER12", 159, 159, "User-defined link type 12", false],
  ["USER13", 160, 160, "User-defined link type 13", false],
  ["USER14", 161, 161, "User-defined link type 14", false],
  ["USER15", 162, 162, "User-defined link type 15", false],
  ["IEEE802_11_RADIO_AVS", 163, 163, "802.11 plus AVS radio information header", true],
  ["JUNIPER_MONITOR", 164, 164, "Juniper Passive Monitor PIC", true],
  ["BACNET_MS_TP", 165, 165, "BACnet MS/TP", true],
  ["PPP_PPPD", 166, 166, "PPP for pppd, with direction flag", true],
  ["JUNIPER_PPPOE", 167, 167, "Juniper PPPoE", true],
  ["JUNIPER_PPPOE_ATM", 168, 168, "Juniper PPPoE/ATM", true],
  ["GPRS_LLC", 169, 169, "GPRS LLC", true],
  ["GPF_T", 170, 170, "GPF-T", true],
  ["GPF_F", 171, 171, "GPF-F", true],
  ["GCOM_T1E1", 172, 172, "Gcom T1/E1 line monitoring", false],
  ["GCOM_SERIAL", 173, 173, "Gcom serial line monitoring", false],
  ["JUNIPER_PIC_PEER", 174, 174, "Juniper PIC Peer", true],
  ["ERF_ETH", 175, 175, "Ethernet with Endace ERF header", true],
  ["ERF_POS", 176, 176, "Packet-over-SONET with Endace ERF header", true],
  ["LINUX_LAPD", 177, 177, "Linux vISDN LAPD", true],
  ["JUNIPER_ETHER", 178, 178, "Juniper Ethernet", true],
  ["JUNIPER_PPP", 179, 179, "Juniper PPP", true],
  ["JUNIPER_FRELAY", 180, 180, "Juniper Frame Relay", true],
  ["JUNIPER_CHDLC", 181, 181, "Juniper C-HDLC", true],
  ["MFR", 182, 182, "FRF.16 Frame Relay", true],
  ["JUNIPER_VP", 183, 183, "Juniper Voice PIC", true],
  ["A429", 184, 184, "Arinc 429", true],
  ["A653_ICM", 185, 185, "Arinc 653 Interpartition Communication", true],
  ["USB_FREEBSD", 186, 186, "USB with FreeBSD header", true],
  ["BLUETOOTH_HCI_H4", 187, 187, "Bluetooth HCI UART transport layer", true],
  ["IEEE802_16_MAC_CPS", 188, 188, "IEEE 802.16 MAC Common Part Sublayer", true],
  ["USB_LINUX", 189, 189, "USB with Linux header", true],
  ["CAN20B", 190, 190, "Controller Area Network (CAN) v. 2.0B", true],
  ["IEEE802_15_4_LINUX", 191, 191, "IEEE 802.15.4 with Linux padding", true],
  ["PPI", 192, 192, "Per-Packet Information", true],
  ["IEEE802_16_MAC_CPS_RADIO", 193, 193, "IEEE 802.16 MAC Common Part Sublayer plus radiotap header", true],
  ["JUNIPER_ISM", 194, 194, "Juniper Integrated Service Module", true],
  ["IEEE802_15_4", 195, 195, "IEEE 802.15.4 with FCS", true],
  ["SITA", 196, 196, "SITA pseudo-header", true],
  ["ERF", 197, 197, "Endace ERF header", true],
  ["RAIF1", 198, 198, "Ethernet with u10 Networks pseudo-header", true],
  ["IPMB_KONTRON", 199, 199, "IPMB with Kontron pseudo-header", true],
  ["JUNIPER_ST", 200, 200, "Juniper Secure Tunnel", true],
  ["BLUETOOTH_HCI_H4_WITH_PHDR", 201, 201, "Bluetooth HCI UART transport layer plus pseudo-header", true],
  ["AX25_KISS", 202, 202, "AX.25 with KISS header", true],
  ["LAPD", 203, 203, "LAPD", false],
  ["PPP_WITH_DIR", 204, 204, "PPP with direction", false],
  ["C_HDLC_WITH_DIR", 205, 205, "Cisco HDLC with direction", false],
  ["FRELAY_WITH_DIR", 206, 206, "Frame Relay with direction", false],
  ["LAPB_WITH_DIR", 207, 207, "LAPB with direction", false],
  ["IPMB_LINUX", 209, 209, "IPMB with Linux/Pigeon Point pseudo-header", true],
  ["FLEXRAY", 210, 210, "FlexRay", false],
  ["MOST", 211, 211, "Media Oriented Systems Transport", false],
  ["LIN", 212, 212, "Local Interconnect Network", false],
  ["X2E_SERIAL", 213, 213, "X2E serial", false],
  ["X2E_XORAYA", 214, 214, "X2E Xoraya", false],
  ["IEEE802_15_4_NONASK_PHY", 215, 215, "IEEE 802.15.4 with non-ASK PHY data", true],
  ["LINUX_EVDEV", 216, 216, "Linux evdev events", true],
  ["GSMTAP_UM", 217, 217, "GSMTAP Um", false],
  ["GSMTAP_ABIS", 218, 218, "GSMTAP Abis", false],
  ["MPLS", 219, 219, "MPLS with label as link-layer header", true],
  ["USB_LINUX_MMAPPED", 220, 220, "USB with padded Linux header", true],
  ["DECT", 221, 221, "DECT", true],
  ["AOS", 222, 222, "AOS Space Data Link protocol", true],
  ["WIHART", 223, 223, "Wireless HART", true],
  ["FC_2", 224, 224, "Fibre Channel FC-2", true],
  ["FC_2_WITH_FRAME_DELIMS", 225, 225, "Fibre Channel FC-2 with frame delimiters", true],
  ["IPNET", 226, 226, "Solaris ipnet", true],
  ["CAN_SOCKETCAN", 227, 227, "CAN-bus with SocketCAN headers", true],
  ["IPV4", 228, 228, "Raw IPv4", true],
  ["IPV6", 229, 229, "Raw IPv6", true],
  ["IEEE802_15_4_NOFCS", 230, 230, "IEEE 802.15.4 without FCS", true],
  ["DBUS", 231, 231, "D-Bus", true],
  ["JUNIPER_VS", 232, 232, "Juniper Virtual Server", true],
  ["JUNIPER_SRX_E2E", 233, 233, "Juniper SRX E2E", true],
  ["JUNIPER_FIBRECHANNEL", 234, 234, "Juniper Fibre Channel", true],
  ["DVB_CI", 235, 235, "DVB-CI", true],
  ["MUX27010", 236, 236, "MUX27010", true],
  ["STANAG_5066_D_PDU", 237, 237, "STANAG 5066 D_PDUs", true],
  ["JUNIPER_ATM_CEMIC", 238, 238, "Juniper ATM CEMIC", true],
  ["NFLOG", 239, 239, "Linux netfilter log messages", true],
  ["NETANALYZER", 240, 240, "Ethernet with Hilscher netANALYZER pseudo-header", true],
  ["NETANALYZER_TRANSPARENT", 241, 241, "Ethernet with Hilscher netANALYZER pseudo-header and with preamble and SFD", true],
  ["IPOIB", 242, 242, "RFC 4391 IP-over-Infiniband", true],
  ["MPEG_2_TS", 243, 243, "MPEG-2 transport stream", true],
  ["NG40", 244, 244, "ng40 protocol tester Iub/Iur", true],
  ["NFC_LLCP", 245, 245, "NFC LLCP PDUs with pseudo-header", true],
  ["PFSYNC", 246, 246, "Packet filter state syncing", true],
  ["INFINIBAND", 247, 247, "InfiniBand", true],
  ["SCTP", 248, 248, "SCTP", true],
  ["USBPCAP", 249, 249, "USB with USBPcap header", true],
  ["RTAC_SERIAL", 250, 250, "Schweitzer Engineering Laboratories RTAC packets", true],
  ["BLUETOOTH_LE_LL", 251, 251, "Bluetooth Low Energy air interface", true],
  ["WIRESHARK_UPPER_PDU", 252, 252, "Wireshark upper PDU", false],
  ["NETLINK", 253, 253, "Linux netlink", true],
  ["BLUETOOTH_LINUX_MONITOR", 254, 254, "Bluetooth Linux Monitor", true],
  ["BLUETOOTH_BREDR_BB", 255, 255, "Bluetooth Basic Rate/Enhanced Data Rate baseband packets", true],
  ["BLUETOOTH_LE_LL_WITH_PHDR", 256, 256, "Bluetooth Low Energy air interface with pseudo-header", true],
  ["PROFIBUS_DL", 257, 257, "PROFIBUS data link layer", true],
  ["PKTAP", 258, 258, "Apple DLT_PKTAP", true],
  ["EPON", 259, 259, "Ethernet with 802.3 Clause 65 EPON preamble", true],
  ["IPMI_HPM_2", 260, 260, "IPMI trace packets", true],
  ["ZWAVE_R1_R2", 261, 261, "Z-Wave RF profile R1 and R2 packets", true],
  ["ZWAVE_R3", 262, 262, "Z-Wave RF profile R3 packets", true],
  ["WATTSTOPPER_DLM", 263, 263, "WattStopper Digital Lighting Management (DLM) and Legrand Nitoo Open protocol", true],
  ["ISO_14443", 264, 264, "ISO 14443 messages", true],
  ["RDS", 265, 265, "IEC 62106 Radio Data System groups", true],
  ["USB_DARWIN", 266, 266, "USB with Darwin header", true],
  ["OPENFLOW", 267, 267, "OpenBSD DLT_OPENFLOW", true],
  ["SDLC", 268, 268, "IBM SDLC frames", true],
  ["TI_LLN_SNIFFER", 269, 269, "TI LLN sniffer frames", true],
  ["LORATAP", 270, 270, "LoRaTap", false],
  ["VSOCK", 271, 271, "Linux vsock", true],
  ["NORDIC_BLE", 272, 272, "Nordic Semiconductor Bluetooth LE sniffer frames", true],
  ["DOCSIS31_XRA31", 273, 273, "Excentis XRA-31 DOCSIS 3.1 RF sniffer frames", true],
  ["ETHERNET_MPACKET", 274, 274, "802.3br mPackets", true],
  ["DISPLAYPORT_AUX", 275, 275, "DisplayPort AUX channel monitoring data", true],
  ["LINUX_SLL2", 276, 276, "Linux cooked v2", true],
  ["SERCOS_MONITOR", 277, 277, "SERCOS monitor", false],
  ["OPENVIZSLA", 278, 278, "OpenVizsla USB", true],
  ["EBHSCR", 279, 279, "Elektrobit High Speed Capture and Replay (EBHSCR)", true],
  ["VPP_DISPATCH", 280, 280, "VPP graph dispatch tracer", true],
  ["DSA_TAG_BRCM", 281, 281, "Broadcom tag", true],
  ["DSA_TAG_BRCM_PREPEND", 282, 282, "Broadcom tag (prepended)", true],
  ["IEEE802_15_4_TAP", 283, 283, "IEEE 802.15.4 with pseudo-header", true],
  ["DSA_TAG_DSA", 284, 284, "Marvell DSA", true],
  ["DSA_TAG_EDSA", 285, 285, "Marvell EDSA", true],
  ["ELEE", 286, 286, "ELEE lawful intercept packets", true],
  ["Z_WAVE_SERIAL", 287, 287, "Z-Wave serial frames between host and chip", true],
  ["USB_2_0", 288, 288, "USB 2.0/1.1/1.0 as transmitted over the cable", true],
  ["ATSC_ALP", 289, 289, "ATSC Link-Layer Protocol packets", true],
  ["ETW", 290, 290, "Windows Event Tracing", false],
  ["NETANALYZER_NG", 291, 291, "Hilscher netANALYZER NG", false],
  ["ZBOSS_NCP", 292, 292, "ZBOSS NCP protocol", false],
  ["USB_2_0_LOW_SPEED", 293, 293, "Low-Speed USB 2.0", false],
  ["USB_2_0_FULL_SPEED", 294, 294, "Full-Speed USB 2.0", false],
  ["USB_2_0_HIGH_SPEED", 295, 295, "High-Speed USB 2.0", false],
  ["AUERSWALD_LOG", 296, 296, "Auerswald Logger Protocol", false],
  ["ZWAVE_TAP", 297, 297, "Z-Wave packets with a TAP header", false],
  ["SILABS_DEBUG_CHANNEL", 298, 298, "Silicon Labs debug channel", false],
  ["FIRA_UCI", 299, 299, "Ultra-wideband controller interface (UCI)", false],
  ["MDB", 300, 300, "Multi-Drop Bus", false],
  ["DECT_NR", 301, 301, "DECT-2020 New Radio MAC", false],
];

/** Historical alternative names that libpcap (or its headers) also accept, mapped to the row name. */
const ALIASES: Readonly<Record<string, string>> = {
  CHDLC: 'C_HDLC',
  PPP_WITH_DIRECTION: 'PPP_PPPD',
  LINUX_PPP_WITHDIRECTION: 'PPP_PPPD',
  IEEE802_15_4_WITHFCS: 'IEEE802_15_4',
  USB: 'USB_FREEBSD',
  I2C_LINUX: 'IPMB_LINUX',
};

/** Every row, sorted by DLT number. */
export const LINK_TYPES: readonly LinkTypeInfo[] = ROWS.map(([name, dlt, linkType, description, libpcap1103]) =>
  Object.freeze({ name, dlt, linkType, description, libpcap1103 }),
);

const byName = new Map<string, LinkTypeInfo>();
const byDlt = new Map<number, LinkTypeInfo>();
const byLinkType = new Map<number, LinkTypeInfo>();
for (const t of LINK_TYPES) {
  byName.set(t.name, t);
  // When two names share a number, the first row (libpcap's canonical name) wins.
  if (!byDlt.has(t.dlt)) byDlt.set(t.dlt, t);
  if (!byLinkType.has(t.linkType)) byLinkType.set(t.linkType, t);
}
for (const [alias, target] of Object.entries(ALIASES)) byName.set(alias, byName.get(target)!);

/**
 * Looks a link type up by its `-y` name: case-insensitive, an optional "DLT_" or "LINKTYPE_"
 * prefix is ignored. Returns undefined when unknown.
 */
export function linkTypeByName(name: string): LinkTypeInfo | undefined {
  let n = name.trim().toUpperCase();
  if (n.startsWith('DLT_')) n = n.slice(4);
  else if (n.startsWith('LINKTYPE_')) n = n.slice(9);
  return byName.get(n);
}

/** The row for a DLT_* value, or undefined. */
export function linkTypeByDlt(dlt: number): LinkTypeInfo | undefined {
  return byDlt.get(dlt);
}

/** The row for a LINKTYPE_* value (as found in a file), or undefined. */
export function linkTypeByLinkType(linkType: number): LinkTypeInfo | undefined {
  return byLinkType.get(linkType);
}

/**
 * DLT → LINKTYPE for writing a savefile; -1 when the DLT has no savefile encoding. The remapped
 * rows are consulted first: DLT_ATM_CLIP's LINKTYPE (106) lies inside the matching range.
 */
export function dltToLinkType(dlt: number): number {
  const t = byDlt.get(dlt);
  if (t) return t.linkType;
  if ((dlt >= 0 && dlt <= 10) || (dlt >= DLT_MATCHING_MIN && dlt <= DLT_MATCHING_MAX)) return dlt;
  return -1;
}

/** LINKTYPE (from a file) → DLT; unknown values pass through unchanged, as in libpcap. */
export function linkTypeToDlt(linkType: number): number {
  const t = byLinkType.get(linkType);
  return t ? t.dlt : linkType;
}

/** libpcap's name for a DLT ("EN10MB"), or undefined when it has none. */
export function dltName(dlt: number): string | undefined {
  return byDlt.get(dlt)?.name;
}

/**
 * tcpdump's "link-type" phrase for a DLT, as in "reading from file F, link-type EN10MB
 * (Ethernet), snapshot length 262144": "NAME (description)", or the bare number when libpcap
 * 1.10.3 has no name for it.
 */
export function describeDlt(dlt: number): string {
  const t = byDlt.get(dlt);
  return t && t.libpcap1103 ? `${t.name} (${t.description})` : String(dlt);
}

/**
 * The largest snapshot length libpcap allows for a DLT (max_snaplen_for_dlt): a few link types
 * carry very large packets; everything else is capped at 262144.
 */
export function maxSnaplenForDlt(dlt: number): number {
  switch (dlt) {
    case 231: // DBUS
      return 128 * 1024 * 1024;
    case 279: // EBHSCR
      return 8 * 1024 * 1024;
    case 220: // USB_LINUX_MMAPPED
    case 249: // USBPCAP
      return 1024 * 1024;
    default:
      return 262144;
  }
}

/**
 * Splits a pcap header link-type field: the low 26 bits are the LINKTYPE (libpcap 1.10.3 keeps
 * the reserved bits 16..25 in it), the top 6 bits the FCS extension that is copied verbatim
 * when the file is rewritten.
 */
export function splitLinkTypeField(field: number): { linkType: number; ext: number; fcsLength: number | null } {
  const linkType = field & 0x03ffffff;
  const ext = (field & 0xfc000000) >>> 0;
  const fcsLength = field & LT_FCS_LENGTH_PRESENT ? (field >>> 28) * 2 : null;
  return { linkType, ext, fcsLength };
}
