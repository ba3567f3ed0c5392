/**
 * OpenFlow (TCP 6633/6653) as tcpdump 4.99.3 prints it (print-openflow.c, print-openflow-1.0.c):
 * `: OpenFlow` then per message `\n\tversion 1.0, type T, length N, xid 0x…`; with -v the
 * OpenFlow 1.0 message bodies: features and ports, switch config, flow mods with their match
 * and actions, flow removed, port status/mod, packet in/out, errors, statistics requests and
 * replies (desc, flow, aggregate, table, port, queue, vendor), queue configs, vendor messages
 * with Big Switch Networks' subtypes; -vv adds port details, queue properties and data dumps.
 * Other versions print their message headers only (as tcpdump does for all but 1.3, whose
 * messages, like -vvv's decoding of carried frames, are not reproduced: null).
 *
 * Technique: a cursor over the payload (`cp`, `len` as in tcpdump's OF_FWD) whose reads throw
 * `Truncated` beyond the capture, which ends the text with ` [|openflow]` (tcpdump's longjmp:
 * the caller then dumps from the frame start). Message walking follows openflow_print: a body
 * is decoded even when it runs past the segment, and then the walk stops.
 */
import { Bytes, Truncated, printChar, hex, bitNames } from './bytes.ts';
import { hexAsciiDump } from '../hexdump.ts';

type Tok = ReadonlyMap<number, string>;
const tok = (entries: Array<[number, string]>): Tok => new Map(entries);
const tok2str = (t: Tok, v: number, dflt: (v: number) => string): string => t.get(v) ?? dflt(v);

const OF_VERSIONS = tok([[1, '1.0'], [2, '1.1'], [3, '1.2'], [4, '1.3'], [5, '1.4'], [6, '1.5']]);

const OUI = tok([
  [0x000000, 'Ethernet'], [0x00000c, 'Cisco'], [0x00005e, 'IANA'], [0x000081, 'Nortel Networks SONMP'], [0x0000f8, 'Cisco bridged'],
  [0x0080c2, 'Ethernet bridged'], [0x00a03e, 'ATM Forum'], [0x00e02f, 'DOCSIS Spanning Tree'], [0x080007, 'Appletalk'],
  [0x009069, 'Juniper'], [0x080009, 'Hewlett-Packard'], [0x00120f, 'IEEE 802.3 Private'], [0x0012bb, 'ANSI/TIA'],
  [0x001b21, 'DCBX'], [0x002320, 'Nicira Networks'], [0x5c16c7, 'Big Switch Networks'], [0xb0d2f5, 'Vello Systems'], [0x002481, 'HP'],
  [0x0004ea, 'HP-Labs'], [0x748771, 'Infoblox Inc'], [0xa42305, 'Open Networking Lab'], [0x00049f, 'Freescale'],
  [0x0015ad, 'Netronome'], [0x001018, 'Broadcom'], [0x00e004, 'PMC-Sierra'], [0xd0f0db, 'Ericsson'],
]);
const ONF_EXP = tok([
  [0x4f4e4600, 'ONF Extensions'], [0xff000001, 'Budapest University of Technology and Economics'], [0xff000002, 'NoviFlow'],
  [0xff000003, 'L3+ Extensions, Vendor Neutral'], [0xff000004, 'L4-L7 Extensions'], [0xff000005, 'Wireless and Mobility Extensions'],
  [0xff000006, 'Forwarding Abstractions Extensions'], [0xff000007, 'Optical Transport Extensions'],
  [0xff000008, 'Network Benchmarking Lab, NCTU'], [0xff000009, 'Mobile Packet Core Extensions'],
  [0xff00000a, 'MPLS-TP OpenFlow Extensions for SPTN'],
]);
const OUI_BSN = 0x5c16c7;
function vendorName(v: number): string {
  return ((v & 0xff000000) === 0 ? OUI : ONF_EXP).get(v) ?? 'unknown';
}

const OFPP = tok([[0xff00, 'MAX'], [0xfff8, 'IN_PORT'], [0xfff9, 'TABLE'], [0xfffa, 'NORMAL'], [0xfffb, 'FLOOD'], [0xfffc, 'ALL'], [0xfffd, 'CONTROLLER'], [0xfffe, 'LOCAL'], [0xffff, 'NONE']]);
const port = (v: number): string => tok2str(OFPP, v, String);
const OFPPC: Array<[number, string]> = [[1, 'PORT_DOWN'], [2, 'NO_STP'], [4, 'NO_RECV'], [8, 'NO_RECV_STP'], [16, 'NO_FLOOD'], [32, 'NO_FWD'], [64, 'NO_PACKET_IN']];
const OFPPS_STP = tok([[0, 'STP_LISTEN'], [0x100, 'STP_LEARN'], [0x200, 'STP_FORWARD'], [0x300, 'STP_BLOCK']]);
const OFPPF: Array<[number, string]> = ['10MB_HD', '10MB_FD', '100MB_HD', '100MB_FD', '1GB_HD', '1GB_FD', '10GB_FD', 'COPPER', 'FIBER', 'AUTONEG', 'PAUSE', 'PAUSE_ASYM'].map((n, i) => [1 << i, n]);
const OFPQT = tok([[0, 'NONE'], [1, 'MIN_RATE']]);
const OFPFW: Array<[number, string]> = [[1, 'IN_PORT'], [2, 'DL_VLAN'], [4, 'DL_SRC'], [8, 'DL_DST'], [16, 'DL_TYPE'], [32, 'NW_PROTO'], [64, 'TP_SRC'], [128, 'TP_DST'], [1 << 20, 'DL_VLAN_PCP'], [1 << 21, 'NW_TOS']];
const OFPAT_NAMES = ['OUTPUT', 'SET_VLAN_VID', 'SET_VLAN_PCP', 'STRIP_VLAN', 'SET_DL_SRC', 'SET_DL_DST', 'SET_NW_SRC', 'SET_NW_DST', 'SET_NW_TOS', 'SET_TP_SRC', 'SET_TP_DST', 'ENQUEUE'];
const OFPAT = tok([...OFPAT_NAMES.map((n, i): [number, string] => [i, n]), [0xffff, 'VENDOR']]);
const OFPAT_BM: Array<[number, string]> = OFPAT_NAMES.map((n, i) => [1 << i, n]);
const OFPC: Array<[number, string]> = [[1, 'FLOW_STATS'], [2, 'TABLE_STATS'], [4, 'PORT_STATS'], [8, 'STP'], [16, 'RESERVED'], [32, 'IP_REASM'], [64, 'QUEUE_STATS'], [128, 'ARP_MATCH_IP']];
const OFP_CONFIG = tok([[0, 'FRAG_NORMAL'], [1, 'FRAG_DROP'], [2, 'FRAG_REASM']]);
const OFPFC = tok([[0, 'ADD'], [1, 'MODIFY'], [2, 'MODIFY_STRICT'], [3, 'DELETE'], [4, 'DELETE_STRICT']]);
const OFPFF: Array<[number, string]> = [[1, 'SEND_FLOW_REM'], [2, 'CHECK_OVERLAP'], [4, 'EMERG']];
const OFPST = tok([[0, 'DESC'], [1, 'FLOW'], [2, 'AGGREGATE'], [3, 'TABLE'], [4, 'PORT'], [5, 'QUEUE'], [0xffff, 'VENDOR']]);
const TABLEID = tok([[0xfe, 'EMERG'], [0xff, 'ALL']]);
const OFPQ = tok([[0xffffffff, 'ALL']]);
const OFPSF_REPLY: Array<[number, string]> = [[1, 'MORE']];
const OFPR = tok([[0, 'NO_MATCH'], [1, 'ACTION']]);
const OFPRR = tok([[0, 'IDLE_TIMEOUT'], [1, 'HARD_TIMEOUT'], [2, 'DELETE']]);
const OFPPR = tok([[0, 'ADD'], [1, 'DELETE'], [2, 'MODIFY']]);
const OFPET = tok([[0, 'HELLO_FAILED'], [1, 'BAD_REQUEST'], [2, 'BAD_ACTION'], [3, 'FLOW_MOD_FAILED'], [4, 'PORT_MOD_FAILED'], [5, 'QUEUE_OP_FAILED']]);
const names = (...n: string[]): Tok => tok(n.map((s, i) => [i, s]));
const OFPET_CODES: Tok[] = [
  names('INCOMPATIBLE', 'EPERM'),
  names('BAD_VERSION', 'BAD_TYPE', 'BAD_STAT', 'BAD_VENDOR', 'BAD_SUBTYPE', 'EPERM', 'BAD_LEN', 'BUFFER_EMPTY', 'BUFFER_UNKNOWN'),
  names('BAD_TYPE', 'BAD_LEN', 'BAD_VENDOR', 'BAD_VENDOR_TYPE', 'BAD_OUT_PORT', 'BAD_ARGUMENT', 'EPERM', 'TOO_MANY', 'BAD_QUEUE'),
  names('ALL_TABLES_FULL', 'OVERLAP', 'EPERM', 'BAD_EMERG_TIMEOUT', 'BAD_COMMAND', 'UNSUPPORTED'),
  names('BAD_PORT', 'BAD_HW_ADDR'),
  names('BAD_PORT', 'BAD_QUEUE', 'EPERM'),
];
const BSN_SUBTYPES = tok([
  ...['SET_IP_MASK', 'GET_IP_MASK_REQUEST', 'GET_IP_MASK_REPLY', 'SET_MIRRORING', 'GET_MIRRORING_REQUEST', 'GET_MIRRORING_REPLY',
    'SHELL_COMMAND', 'SHELL_OUTPUT', 'SHELL_STATUS', 'GET_INTERFACES_REQUEST', 'GET_INTERFACES_REPLY', 'SET_PKTIN_SUPPRESSION_REQUEST',
    'SET_L2_TABLE_REQUEST', 'GET_L2_TABLE_REQUEST', 'GET_L2_TABLE_REPLY', 'VIRTUAL_PORT_CREATE_REQUEST', 'VIRTUAL_PORT_CREATE_REPLY',
    'VIRTUAL_PORT_REMOVE_REQUEST', 'BW_ENABLE_SET_REQUEST', 'BW_ENABLE_GET_REQUEST', 'BW_ENABLE_GET_REPLY', 'BW_CLEAR_DATA_REQUEST',
    'BW_CLEAR_DATA_REPLY', 'BW_ENABLE_SET_REPLY', 'SET_L2_TABLE_REPLY', 'SET_PKTIN_SUPPRESSION_REPLY', 'VIRTUAL_PORT_REMOVE_REPLY',
    'HYBRID_GET_REQUEST', 'HYBRID_GET_REPLY'].map((n, i): [number, string] => [i, n]),
  [31, 'PDU_TX_REQUEST'], [32, 'PDU_TX_REPLY'], [33, 'PDU_RX_REQUEST'], [34, 'PDU_RX_REPLY'], [35, 'PDU_RX_TIMEOUT'],
]);
const BSN_ACTION = tok([[1, 'MIRROR'], [2, 'SET_TUNNEL_DST'], [4, 'CHECKSUM']]);
const BSN_COPY_STAGE = tok([[0, 'INGRESS'], [1, 'EGRESS']]);
const ONOFF = tok([[0, 'OFF'], [1, 'ON']]);

const x2 = (v: number) => `0x${hex(v, 2)}`;
const x4 = (v: number) => `0x${hex(v, 4)}`;
const x8 = (v: number) => `0x${hex(v, 8)}`;

/** OpenFlow 1.0 message types: name, body length rule (after the 8-byte header), decoder. */
type Decoder = 'data' | 'error' | 'vendor' | 'features' | 'config' | 'packetIn' | 'flowRemoved' | 'portStatus' | 'packetOut' | 'flowMod' | 'portMod' | 'statsReq' | 'statsReply' | 'qgcReq' | 'qgcReply' | null;
const OF10_TYPES: ReadonlyArray<[string, 'fix' | 'min', number, Decoder]> = [
  ['HELLO', 'min', 0, 'data'], ['ERROR', 'min', 4, 'error'], ['ECHO_REQUEST', 'min', 0, 'data'], ['ECHO_REPLY', 'min', 0, 'data'],
  ['VENDOR', 'min', 4, 'vendor'], ['FEATURES_REQUEST', 'fix', 0, null], ['FEATURES_REPLY', 'min', 24, 'features'],
  ['GET_CONFIG_REQUEST', 'fix', 0, null], ['GET_CONFIG_REPLY', 'fix', 4, 'config'], ['SET_CONFIG', 'fix', 4, 'config'],
  ['PACKET_IN', 'min', 10, 'packetIn'], ['FLOW_REMOVED', 'fix', 80, 'flowRemoved'], ['PORT_STATUS', 'fix', 56, 'portStatus'],
  ['PACKET_OUT', 'min', 8, 'packetOut'], ['FLOW_MOD', 'min', 64, 'flowMod'], ['PORT_MOD', 'fix', 24, 'portMod'],
  ['STATS_REQUEST', 'min', 4, 'statsReq'], ['STATS_REPLY', 'min', 4, 'statsReply'], ['BARRIER_REQUEST', 'fix', 0, null],
  ['BARRIER_REPLY', 'fix', 0, null], ['QUEUE_GET_CONFIG_REQUEST', 'fix', 4, 'qgcReq'], ['QUEUE_GET_CONFIG_REPLY', 'min', 8, 'qgcReply'],
];

/** Thrown where tcpdump's decoding would need what is not reproduced (the caller prints a prefix). */
class NotReproduced extends Error {}

class Of10 {
  s = '';
  constructor(private readonly b: Bytes, private readonly v: number) {}

  private bitmap(t: Array<[number, string]>, v: number, assigned: number): void {
    if (v & assigned) this.s += ` (${bitNames(t, v, ', ', '')})`;
    if ((v & ~assigned) >>> 0) this.s += ' (bogus)';
  }
  private mask(t: Array<[number, string]>): number {
    return t.reduce((m, [b]) => m | b, 0);
  }
  private bm(t: Array<[number, string]>, v: number, assigned = this.mask(t)): void {
    this.bitmap(t, v, assigned);
  }

  /** nd_printjnp: up to n bytes, stopping at a NUL. */
  private jnp(o: number, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) {
      const c = this.b.u8(o + i);
      if (c === 0) break;
      s += printChar(c);
    }
    return s;
  }

  private invalid(cp: number, len: number): void {
    this.s += ' (invalid)';
    this.b.need(cp, len);
  }

  data(cp: number, len: number): void {
    if (len === 0) return;
    this.s += `\n\t data (${len} octets)`;
    if (this.v >= 2) this.hexAscii(cp, len);
    else this.b.need(cp, len);
  }

  private hexAscii(cp: number, len: number): void {
    const stop = Math.min(cp + len, this.b.end);
    this.s += hexAsciiDump(this.b.p, cp, stop).replaceAll('\n\t0x', '\n\t  0x');
    if (stop < cp + len) throw new Truncated();
  }

  private packetData(cp: number, len: number): void {
    if (len === 0) return;
    this.s += `\n\t data (${len} octets)`;
    if (this.v < 3) {
      this.b.need(cp, len);
      return;
    }
    throw new NotReproduced();
  }

  private vlan(vid: number): string {
    if (vid === 0xffff) return 'NONE';
    return `${vid}${vid > 0 && vid < 0x0fff ? '' : ' (bogus)'}`;
  }
  private pcp(v: number): string {
    return `${v}${v <= 7 ? '' : ' (bogus)'}`;
  }

  private bsnMessage(cp: number, len: number): void {
    if (len < 4) return this.invalid(cp, len);
    const subtype = this.b.u32(cp);
    cp += 4;
    len -= 4;
    this.s += `\n\t subtype ${tok2str(BSN_SUBTYPES, subtype, (v) => `unknown (${x8(v)})`)}`;
    switch (subtype) {
      case 1:
        if (len !== 8) return this.invalid(cp, len);
        this.s += `, index ${this.b.u8(cp)}`;
        this.b.need(cp + 1, 7);
        break;
      case 0:
      case 2:
        if (len !== 8) return this.invalid(cp, len);
        this.s += `, index ${this.b.u8(cp)}`;
        this.s += `, mask ${this.b.ipv4(cp + 4)}`;
        break;
      case 3:
      case 4:
      case 5:
        if (len !== 4) return this.invalid(cp, len);
        this.s += `, report_mirror_ports ${tok2str(ONOFF, this.b.u8(cp), (v) => `bogus (${v})`)}`;
        this.b.need(cp + 1, 3);
        break;
      case 9:
      case 13:
      case 19:
      case 21:
      case 27:
        if (len) return this.invalid(cp, len);
        break;
      case 17:
        if (len !== 4) return this.invalid(cp, len);
        this.s += `, vport_no ${this.b.u32(cp)}`;
        break;
      case 6:
        if (len < 4) return this.invalid(cp, len);
        this.s += `, service ${this.b.u32(cp)}`;
        cp += 4;
        len -= 4;
        this.s += ", data '";
        this.printn(cp, len);
        this.s += "'";
        break;
      case 7:
        this.s += ", data '";
        this.printn(cp, len);
        this.s += "'";
        break;
      case 8:
        if (len !== 4) return this.invalid(cp, len);
        this.s += `, status ${x8(this.b.u32(cp))}`;
        break;
      default:
        this.b.need(cp, len);
    }
  }

  /** nd_printn without an end: the characters up to where the capture stops. */
  private printn(cp: number, len: number): void {
    for (let i = 0; i < len; i++) this.s += printChar(this.b.u8(cp + i));
  }

  private bsnAction(cp: number, len: number): void {
    if (len < 4) return this.invalid(cp, len);
    const subtype = this.b.u32(cp);
    cp += 4;
    len -= 4;
    this.s += `\n\t  subtype ${tok2str(BSN_ACTION, subtype, (v) => `unknown (${x8(v)})`)}`;
    if (subtype !== 1) {
      this.b.need(cp, len);
      return;
    }
    if (len !== 12) return this.invalid(cp, len);
    this.s += `, dest_port ${this.b.u32(cp)}`;
    const tag = this.b.u32(cp + 4);
    const tpid = tag >>> 16;
    if (tpid === 0) this.s += ', vlan_tag none';
    else if (tpid === 0x8100) {
      const tci = tag & 0xffff;
      this.s += `, vlan_tag 802.1Q (vlan ${tci & 0xfff}, p ${tci >> 13}${tci & 0x1000 ? ', DEI' : ''})`;
    } else this.s += `, vlan_tag unknown (${x4(tpid)})`;
    this.s += `, copy_stage ${tok2str(BSN_COPY_STAGE, this.b.u8(cp + 8), (v) => `unknown (${v})`)}`;
    this.b.need(cp + 9, 3);
  }

  private vendorAction(cp: number, len: number): void {
    if (len < 4) return this.invalid(cp, len);
    const vendor = this.b.u32(cp);
    this.s += `, vendor ${x8(vendor)} (${vendorName(vendor)})`;
    if (vendor === OUI_BSN) this.bsnAction(cp + 4, len - 4);
    else this.data(cp + 4, len - 4);
  }

  private vendorMessage(cp: number, len: number): void {
    const vendor = this.b.u32(cp);
    this.s += `, vendor ${x8(vendor)} (${vendorName(vendor)})`;
    if (vendor === OUI_BSN) this.bsnMessage(cp + 4, len - 4);
    else this.data(cp + 4, len - 4);
  }

  private vendorData(cp: number, len: number): void {
    if (len < 4) return this.invalid(cp, len);
    const vendor = this.b.u32(cp);
    this.s += `, vendor ${x8(vendor)} (${vendorName(vendor)})`;
    this.data(cp + 4, len - 4);
  }

  private phyPort(cp: number): void {
    this.s += `\n\t  port_no ${port(this.b.u16(cp))}`;
    this.s += `, hw_addr ${this.b.mac(cp + 2)}`;
    this.s += `, name '${this.jnp(cp + 8, 16)}'`;
    cp += 24;
    if (this.v < 2) {
      this.b.need(cp, 24);
      return;
    }
    this.s += `\n\t   config ${x8(this.b.u32(cp))}`;
    this.bm(OFPPC, this.b.u32(cp));
    const state = this.b.u32(cp + 4);
    this.s += `\n\t   state ${x8(state)} (${OFPPS_STP.get(state & 0x300) ?? ''}${state & 1 ? ', LINK_DOWN' : ''})${state & ~0x301 ? ' (bogus)' : ''}`;
    for (const [i, name] of ['curr', 'advertised', 'supported', 'peer'].entries()) {
      const v = this.b.u32(cp + 8 + 4 * i);
      this.s += `\n\t   ${name} ${x8(v)}`;
      this.bm(OFPPF, v);
    }
  }

  private queueProps(cp: number, len: number): void {
    while (len) {
      if (len < 8) return this.invalid(cp, len);
      const property = this.b.u16(cp);
      this.s += `\n\t   property ${tok2str(OFPQT, property, (v) => `invalid (${x4(v)})`)}`;
      const plen = this.b.u16(cp + 2);
      cp += 4;
      len -= 4;
      this.s += `, len ${plen}`;
      if (plen < 8 || plen > len + 4) return this.invalid(cp, len);
      this.b.need(cp, 4);
      cp += 4;
      len -= 4;
      let skip = false;
      let bogus = false;
      if (property === 0) bogus = plen !== 8;
      else if (property === 1) bogus = plen !== 16;
      else skip = true;
      if (bogus) {
        this.s += ' (bogus)';
        skip = true;
      }
      if (skip) {
        this.b.need(cp, plen - 8);
        cp += plen - 8;
        len -= plen - 8;
        continue;
      }
      if (property === 1) {
        const rate = this.b.u16(cp);
        cp += 2;
        len -= 2;
        this.s += rate > 1000 ? ', rate disabled' : `, rate ${Math.floor(rate / 10)}.${rate % 10}%`;
        this.b.need(cp, 6);
        cp += 6;
        len -= 6;
      }
    }
  }

  private queues(cp: number, len: number): void {
    while (len) {
      if (len < 8) return this.invalid(cp, len);
      this.s += `\n\t  queue_id ${this.b.u32(cp)}`;
      const desclen = this.b.u16(cp + 4);
      cp += 6;
      len -= 6;
      this.s += `, len ${desclen}`;
      if (desclen < 8 || desclen > len + 6) return this.invalid(cp, len);
      this.b.need(cp, 2);
      cp += 2;
      len -= 2;
      if (this.v >= 2) this.queueProps(cp, desclen - 8);
      else this.b.need(cp, desclen - 8);
      cp += desclen - 8;
      len -= desclen - 8;
    }
  }

  private match(pfx: string, cp: number): void {
    const b = this.b;
    const w = b.u32(cp);
    if (w & ~((1 << 22) - 1)) this.s += `${pfx}wildcards ${x8(w)} (bogus)`;
    if (!(w & 1)) this.s += `${pfx}match in_port ${port(b.u16(cp + 4))}`;
    if (!(w & 4)) this.s += `${pfx}match dl_src ${b.mac(cp + 6)}`;
    if (!(w & 8)) this.s += `${pfx}match dl_dst ${b.mac(cp + 12)}`;
    if (!(w & 2)) this.s += `${pfx}match dl_vlan ${this.vlan(b.u16(cp + 18))}`;
    if (!(w & (1 << 20))) this.s += `${pfx}match dl_vlan_pcp ${this.pcp(b.u8(cp + 20))}`;
    const dlType = b.u16(cp + 22);
    if (!(w & 16)) this.s += `${pfx}match dl_type ${x4(dlType)}`;
    if (!(w & (1 << 21))) this.s += `${pfx}match nw_tos ${x2(b.u8(cp + 24))}`;
    const nwProto = b.u8(cp + 25);
    if (!(w & 32)) this.s += `${pfx}match ${!(w & 16) && dlType === 0x0806 ? 'arp_opcode' : 'nw_proto'} ${nwProto}`;
    let bits = (w >> 8) & 0x3f;
    if (bits < 32) this.s += `${pfx}match nw_src ${b.ipv4(cp + 28)}/${32 - bits}`;
    bits = (w >> 14) & 0x3f;
    if (bits < 32) this.s += `${pfx}match nw_dst ${b.ipv4(cp + 32)}/${32 - bits}`;
    const icmp = !(w & 16) && dlType === 0x0800 && !(w & 32) && nwProto === 1;
    if (!(w & 64)) this.s += `${pfx}match ${icmp ? 'icmp_type' : 'tp_src'} ${b.u16(cp + 36)}`;
    if (!(w & 128)) this.s += `${pfx}match ${icmp ? 'icmp_code' : 'tp_dst'} ${b.u16(cp + 38)}`;
    else b.need(cp + 38, 2);
  }

  private actions(pfx: string, cp: number, len: number): void {
    const b = this.b;
    while (len) {
      if (len < 8) return this.invalid(cp, len);
      const type = b.u16(cp);
      this.s += `${pfx}action type ${tok2str(OFPAT, type, (v) => `invalid (${x4(v)})`)}`;
      const alen = b.u16(cp + 2);
      cp += 4;
      len -= 4;
      this.s += `, len ${alen}`;
      if (alen < 8 || alen > len + 4) return this.invalid(cp, len);
      let skip = false;
      let bogus = false;
      if ([0, 1, 2, 3, 6, 7, 8, 9, 10].includes(type)) bogus = alen !== 8;
      else if ([4, 5, 11].includes(type)) bogus = alen !== 16;
      else if (type === 0xffff) bogus = alen % 8 !== 0;
      else skip = true;
      if (bogus) {
        this.s += ' (bogus)';
        skip = true;
      }
      if (skip) {
        b.need(cp, alen - 4);
        cp += alen - 4;
        len -= alen - 4;
        continue;
      }
      const fwd = (n: number, check = false): void => {
        if (check) b.need(cp, n);
        cp += n;
        len -= n;
      };
      switch (type) {
        case 0: {
          const out = b.u16(cp);
          this.s += `, port ${port(out)}`;
          if (out === 0xfffd) this.s += `, max_len ${b.u16(cp + 2)}`;
          else b.need(cp + 2, 2);
          fwd(4);
          break;
        }
        case 1:
          this.s += `, vlan_vid ${this.vlan(b.u16(cp))}`;
          fwd(2);
          fwd(2, true);
          break;
        case 2:
          this.s += `, vlan_pcp ${this.pcp(b.u8(cp))}`;
          fwd(1);
          fwd(3, true);
          break;
        case 4:
        case 5:
          this.s += `, dl_addr ${b.mac(cp)}`;
          fwd(6);
          fwd(6, true);
          break;
        case 6:
        case 7:
          this.s += `, nw_addr ${b.ipv4(cp)}`;
          fwd(4);
          break;
        case 8:
          this.s += `, nw_tos ${x2(b.u8(cp))}`;
          fwd(1);
          fwd(3, true);
          break;
        case 9:
        case 10:
          this.s += `, tp_port ${b.u16(cp)}`;
          fwd(2);
          fwd(2, true);
          break;
        case 11:
          this.s += `, port ${port(b.u16(cp))}`;
          fwd(8);
          this.s += `, queue_id ${tok2str(OFPQ, b.u32(cp), String)}`;
          fwd(4);
          break;
        case 0xffff:
          this.vendorAction(cp, alen - 4);
          fwd(alen - 4);
          break;
        case 3:
          fwd(4, true);
          break;
      }
    }
  }

  private features(cp: number, len: number): void {
    const b = this.b;
    this.s += `\n\t dpid 0x${b.u64(cp).toString(16).padStart(16, '0')}`;
    this.s += `, n_buffers ${b.u32(cp + 8)}`;
    this.s += `, n_tables ${b.u8(cp + 12)}`;
    this.s += `\n\t capabilities ${x8(b.u32(cp + 16))}`;
    this.bm(OFPC, b.u32(cp + 16), this.mask(OFPC) & ~16);
    this.s += `\n\t actions ${x8(b.u32(cp + 20))}`;
    this.bm(OFPAT_BM, b.u32(cp + 20));
    cp += 24;
    len -= 24;
    while (len) {
      if (len < 48) return this.invalid(cp, len);
      this.phyPort(cp);
      cp += 48;
      len -= 48;
    }
  }

  private switchConfig(cp: number): void {
    this.s += `\n\t flags ${tok2str(OFP_CONFIG, this.b.u16(cp), (v) => `invalid (${x4(v)})`)}`;
    this.s += `, miss_send_len ${this.b.u16(cp + 2)}`;
  }

  private flowMod(cp: number, len: number): void {
    const b = this.b;
    this.match('\n\t ', cp);
    cp += 40;
    len -= 40;
    this.s += `\n\t cookie 0x${b.u64(cp).toString(16).padStart(16, '0')}`;
    const command = b.u16(cp + 8);
    this.s += `, command ${tok2str(OFPFC, command, (v) => `invalid (${x4(v)})`)}`;
    if (b.u16(cp + 10)) this.s += `, idle_timeout ${b.u16(cp + 10)}`;
    if (b.u16(cp + 12)) this.s += `, hard_timeout ${b.u16(cp + 12)}`;
    if (b.u16(cp + 14)) this.s += `, priority ${b.u16(cp + 14)}`;
    if (command <= 2) {
      const id = b.u32(cp + 16);
      this.s += `, buffer_id ${id === 0xffffffff ? 'NONE' : x8(id)}`;
    }
    if (command === 3 || command === 4) this.s += `, out_port ${port(b.u16(cp + 20))}`;
    const flags = b.u16(cp + 22);
    this.s += `, flags ${x4(flags)}`;
    this.bm(OFPFF, flags);
    this.actions('\n\t ', cp + 24, len - 24);
  }

  private portMod(cp: number): void {
    const b = this.b;
    this.s += `\n\t port_no ${port(b.u16(cp))}`;
    this.s += `, hw_addr ${b.mac(cp + 2)}`;
    this.s += `\n\t config ${x8(b.u32(cp + 8))}`;
    this.bm(OFPPC, b.u32(cp + 8));
    this.s += `\n\t mask ${x8(b.u32(cp + 12))}`;
    this.bm(OFPPC, b.u32(cp + 12));
    this.s += `\n\t advertise ${x8(b.u32(cp + 16))}`;
    this.bm(OFPPF, b.u32(cp + 16));
    b.need(cp + 20, 4);
  }

  private statsRequest(cp: number, len: number): void {
    const b = this.b;
    const type = b.u16(cp);
    this.s += `\n\t type ${tok2str(OFPST, type, (v) => `invalid (${x4(v)})`)}`;
    const flags = b.u16(cp + 2);
    this.s += `, flags ${x4(flags)}${flags ? ' (bogus)' : ''}`;
    cp += 4;
    len -= 4;
    switch (type) {
      case 0:
      case 3:
        if (len) this.invalid(cp, len);
        return;
      case 1:
      case 2:
        if (len !== 44) return this.invalid(cp, len);
        this.match('\n\t ', cp);
        this.s += `\n\t table_id ${tok2str(TABLEID, b.u8(cp + 40), String)}`;
        this.s += `, out_port ${port(b.u16(cp + 42))}`;
        return;
      case 4:
        if (len !== 8) return this.invalid(cp, len);
        this.s += `\n\t port_no ${port(b.u16(cp))}`;
        b.need(cp + 2, 6);
        return;
      case 5:
        if (len !== 8) return this.invalid(cp, len);
        this.s += `\n\t port_no ${port(b.u16(cp))}`;
        this.s += `, queue_id ${tok2str(OFPQ, b.u32(cp + 4), String)}`;
        return;
      case 0xffff:
        this.vendorData(cp, len);
        return;
    }
  }

  private descStats(cp: number, len: number): void {
    if (len !== 1056) return this.invalid(cp, len);
    this.s += `\n\t  mfr_desc '${this.jnp(cp, 256)}'`;
    this.s += `\n\t  hw_desc '${this.jnp(cp + 256, 256)}'`;
    this.s += `\n\t  sw_desc '${this.jnp(cp + 512, 256)}'`;
    this.s += `\n\t  serial_num '${this.jnp(cp + 768, 32)}'`;
    this.s += `\n\t  dp_desc '${this.jnp(cp + 800, 256)}'`;
  }

  private flowStats(cp: number, len: number): void {
    const b = this.b;
    while (len) {
      if (len < 88) return this.invalid(cp, len);
      const entry = b.u16(cp);
      this.s += `\n\t length ${entry}`;
      if (entry < 88 || entry > len) return this.invalid(cp, len);
      this.s += `, table_id ${tok2str(TABLEID, b.u8(cp + 2), String)}`;
      this.match('\n\t  ', cp + 4);
      const o = cp + 44;
      this.s += `\n\t  duration_sec ${b.u32(o)}, duration_nsec ${b.u32(o + 4)}, priority ${b.u16(o + 8)}`;
      this.s += `, idle_timeout ${b.u16(o + 10)}, hard_timeout ${b.u16(o + 12)}`;
      this.s += `, cookie 0x${b.u64(o + 20).toString(16).padStart(16, '0')}, packet_count ${b.u64(o + 28)}, byte_count ${b.u64(o + 36)}`;
      this.actions('\n\t  ', cp + 88, entry - 88);
      cp += entry;
      len -= entry;
    }
  }

  private aggregateStats(cp: number, len: number): void {
    if (len !== 24) return this.invalid(cp, len);
    this.s += `\n\t packet_count ${this.b.u64(cp)}, byte_count ${this.b.u64(cp + 8)}, flow_count ${this.b.u32(cp + 16)}`;
    this.b.need(cp + 20, 4);
  }

  private tableStats(cp: number, len: number): void {
    const b = this.b;
    while (len) {
      if (len < 64) return this.invalid(cp, len);
      this.s += `\n\t table_id ${tok2str(TABLEID, b.u8(cp), String)}`;
      this.s += `, name '${this.jnp(cp + 4, 32)}'`;
      this.s += `\n\t  wildcards ${x8(b.u32(cp + 36))}`;
      this.bm(OFPFW, b.u32(cp + 36), (1 << 22) - 1);
      this.s += `\n\t  max_entries ${b.u32(cp + 40)}, active_count ${b.u32(cp + 44)}, lookup_count ${b.u64(cp + 48)}, matched_count ${b.u64(cp + 56)}`;
      cp += 64;
      len -= 64;
    }
  }

  private portStats(cp: number, len: number): void {
    const b = this.b;
    const fields = ['rx_packets', 'tx_packets', 'rx_bytes', 'tx_bytes', 'rx_dropped', 'tx_dropped', 'rx_errors', 'tx_errors', 'rx_frame_err', 'rx_over_err', 'rx_crc_err', 'collisions'];
    while (len) {
      if (len < 104) return this.invalid(cp, len);
      this.s += `\n\t  port_no ${port(b.u16(cp))}`;
      if (this.v < 2) {
        b.need(cp + 2, 102);
      } else {
        fields.forEach((f, i) => (this.s += `, ${f} ${b.u64(cp + 8 + 8 * i)}`));
      }
      cp += 104;
      len -= 104;
    }
  }

  private queueStats(cp: number, len: number): void {
    const b = this.b;
    while (len) {
      if (len < 32) return this.invalid(cp, len);
      this.s += `\n\t  port_no ${port(b.u16(cp))}, queue_id ${b.u32(cp + 4)}`;
      this.s += `, tx_bytes ${b.u64(cp + 8)}, tx_packets ${b.u64(cp + 16)}, tx_errors ${b.u64(cp + 24)}`;
      cp += 32;
      len -= 32;
    }
  }

  private statsReply(cp: number, len: number): void {
    const type = this.b.u16(cp);
    this.s += `\n\t type ${tok2str(OFPST, type, (v) => `invalid (${x4(v)})`)}`;
    const flags = this.b.u16(cp + 2);
    this.s += `, flags ${x4(flags)}`;
    this.bm(OFPSF_REPLY, flags);
    cp += 4;
    len -= 4;
    switch (type) {
      case 0: return this.descStats(cp, len);
      case 1: return this.flowStats(cp, len);
      case 2: return this.aggregateStats(cp, len);
      case 3: return this.tableStats(cp, len);
      case 4: return this.portStats(cp, len);
      case 5: return this.queueStats(cp, len);
      case 0xffff: return this.vendorData(cp, len);
    }
    this.b.need(cp, len);
  }

  private packetOut(cp: number, len: number): void {
    const b = this.b;
    this.s += `\n\t buffer_id ${x8(b.u32(cp))}`;
    this.s += `, in_port ${port(b.u16(cp + 4))}`;
    const alen = b.u16(cp + 6);
    cp += 8;
    len -= 8;
    if (alen > len) return this.invalid(cp, len);
    this.actions('\n\t ', cp, alen);
    this.packetData(cp + alen, len - alen);
  }

  private packetIn(cp: number, len: number): void {
    const b = this.b;
    const id = b.u32(cp);
    this.s += `\n\t buffer_id ${id === 0xffffffff ? 'NONE' : x8(id)}`;
    this.s += `, total_len ${b.u16(cp + 4)}`;
    this.s += `, in_port ${port(b.u16(cp + 6))}`;
    this.s += `, reason ${tok2str(OFPR, b.u8(cp + 8), (v) => `invalid (${x2(v)})`)}`;
    b.need(cp + 9, 1);
    this.packetData(cp + 10, len - 10);
  }

  private flowRemoved(cp: number): void {
    const b = this.b;
    this.match('\n\t ', cp);
    cp += 40;
    this.s += `\n\t cookie 0x${b.u64(cp).toString(16).padStart(16, '0')}`;
    if (b.u16(cp + 8)) this.s += `, priority ${b.u16(cp + 8)}`;
    this.s += `, reason ${tok2str(OFPRR, b.u8(cp + 10), (v) => `unknown (${x2(v)})`)}`;
    this.s += `, duration_sec ${b.u32(cp + 12)}, duration_nsec ${b.u32(cp + 16)}`;
    if (b.u16(cp + 20)) this.s += `, idle_timeout ${b.u16(cp + 20)}`;
    this.s += `, packet_count ${b.u64(cp + 24)}, byte_count ${b.u64(cp + 32)}`;
  }

  private portStatus(cp: number): void {
    this.s += `\n\t reason ${tok2str(OFPPR, this.b.u8(cp), (v) => `invalid (${x2(v)})`)}`;
    this.phyPort(cp + 8);
  }

  private error(cp: number, len: number): void {
    const type = this.b.u16(cp);
    this.s += `\n\t type ${tok2str(OFPET, type, (v) => `invalid (${x4(v)})`)}`;
    const code = this.b.u16(cp + 2);
    const codes = OFPET_CODES[type];
    this.s += `, code ${codes ? tok2str(codes, code, (v) => `invalid (${x4(v)})`) : `invalid (${x4(code)})`}`;
    this.data(cp + 4, len - 4);
  }

  body(d: Decoder, cp: number, len: number): void {
    switch (d) {
      case 'data': return this.data(cp, len);
      case 'error': return this.error(cp, len);
      case 'vendor': return this.vendorMessage(cp, len);
      case 'features': return this.features(cp, len);
      case 'config': return this.switchConfig(cp);
      case 'packetIn': return this.packetIn(cp, len);
      case 'flowRemoved': return this.flowRemoved(cp);
      case 'portStatus': return this.portStatus(cp);
      case 'packetOut': return this.packetOut(cp, len);
      case 'flowMod': return this.flowMod(cp, len);
      case 'portMod': return this.portMod(cp);
      case 'statsReq': return this.statsRequest(cp, len);
      case 'statsReply': return this.statsReply(cp, len);
      case 'qgcReq':
        this.s += `\n\t port ${port(this.b.u16(cp))}`;
        this.b.need(cp + 2, 2);
        return;
      case 'qgcReply':
        this.s += `\n\t port ${port(this.b.u16(cp))}`;
        this.b.need(cp + 2, 6);
        return this.queues(cp + 8, len - 8);
      case null:
        this.b.need(cp, len);
    }
  }
}

/**
 * The text tcpdump appends for an OpenFlow segment (`len` payload bytes at `off`, captured up
 * to `end`), or null where it is not reproduced. `jumped`: the text ends in a truncation that
 * makes tcpdump dump from the frame start.
 */
export function openflow(p: Uint8Array, off: number, len: number, end: number, verbose: number): { text: string; jumped: boolean } | null {
  const b = new Bytes(p, end);
  const of = new Of10(b, verbose);
  of.s = ': OpenFlow';
  let cp = off;
  try {
    while (len > 0) {
      const version = b.u8(cp);
      cp++;
      len--;
      // OpenFlow 1.3's message types are not reproduced; other versions print the header only.
      if (version === 4) return null;
      of.s += `\n\tversion ${OF_VERSIONS.get(version) ?? `unknown (${x2(version)})`}`;
      if (len < 1) return partial();
      const type = b.u8(cp);
      cp++;
      len--;
      const info = version === 1 ? OF10_TYPES[type] : undefined;
      of.s += info ? `, type ${info[0]}` : `, type unknown (${x2(type)})`;
      if (len < 2) return partial();
      const length = b.u16(cp);
      cp += 2;
      len -= 2;
      of.s += `, length ${length}${length < 8 ? ' (too short!)' : ''}`;
      if (len < 4) return partial();
      of.s += `, xid ${x8(b.u32(cp))}`;
      cp += 4;
      len -= 4;
      if (length < 8) {
        of.s += ' (invalid)';
        b.need(cp, len);
        return { text: of.s, jumped: false };
      }
      const body = length - 8;
      if (!info) b.need(cp, body);
      else if ((info[1] === 'fix' && body !== info[2]) || (info[1] === 'min' && body < info[2])) {
        of.s += ' (invalid)';
        b.need(cp, body);
      } else if (verbose === 0 || info[3] === null) b.need(cp, body);
      else of.body(info[3], cp, body);
      if (body > len) break;
      cp += body;
      len -= body;
    }
  } catch (e) {
    if (e instanceof NotReproduced) return null;
    if (!(e instanceof Truncated)) throw e;
    return { text: `${of.s} [|openflow]`, jumped: true };
  }
  return { text: of.s, jumped: false };

  function partial(): { text: string; jumped: boolean } {
    of.s += ' (end of TCP payload)';
    if (!b.has(cp, len)) return { text: `${of.s} [|openflow]`, jumped: true };
    return { text: of.s, jumped: false };
  }
}
