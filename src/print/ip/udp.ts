/**
 * Which application printer tcpdump 4.99.3 hands a UDP payload to, and the text of the ones
 * reproduced here (ISAKMP/IKE with its NAT-traversal framing, DHCPv6, …). tcpdump tries the ports
 * in one fixed order and the first match wins, whichever side (source or destination) it is on,
 * so `udpDecoder` is that order written down as a table; the caller prints "UDP, length N" only
 * when no entry matches.
 *
 * Technique: each printer is a pure function of the packet bytes (payload offset, length on the
 * wire, end of the captured bytes) returning tcpdump's text, or null when the packet is one it
 * does not reproduce exactly. IKEv1's initiator/responder letter needs the one piece of state
 * tcpdump keeps across packets, a small ring of initiator cookies with the addresses of the
 * exchange that started them (class IsakmpState).
 */

import { isakmpPayloads } from './isakmp.ts';
import { Bytes, be16, be32, hexBytes, unknownData, printChar } from './bytes.ts';
import { macAt } from '../addr.ts';
import { dhcp6Verbose } from './dhcp6.ts';

export type UdpDecoder =
  | 'domain' | 'mdns' | 'timed' | 'tftp' | 'bootp' | 'rip' | 'aodv' | 'isakmp' | 'isakmp-natt' | 'snmp' | 'ntp'
  | 'krb' | 'l2tp' | 'vat' | 'zephyr' | 'rx' | 'ripng' | 'dhcp6' | 'ahcp' | 'babel' | 'hncp' | 'wb' | 'autorp'
  | 'radius' | 'hsrp' | 'lwres' | 'ldp' | 'olsr' | 'lspping' | 'bcm-li' | 'bfd' | 'lmp' | 'vqp' | 'sflow'
  | 'lwapp-control' | 'lwapp-data' | 'sip' | 'syslog' | 'otv' | 'vxlan' | 'geneve' | 'lisp' | 'vxlan-gpe' | 'zep'
  | 'mpls' | 'llap' | 'ptp' | 'someip';

/** Decoders chosen when either port matches, in tcpdump's order (up to RX, whose test is a range). */
const EITHER_FIRST: ReadonlyArray<[UdpDecoder, readonly number[]]> = [
  ['domain', [53]], ['mdns', [5353]], ['timed', [525]], ['tftp', [69]], ['bootp', [68, 67]], ['rip', [520]],
  ['aodv', [654]], ['isakmp', [500]], ['isakmp-natt', [4500]], ['isakmp', [7500, 8500]], ['snmp', [161, 162]],
  ['ntp', [123]], ['krb', [88, 750]], ['l2tp', [1701]],
];

/** tcpdump's UDP port dispatch: the printer it picks for these ports, or null for "UDP, length N". */
export function udpDecoder(sport: number, dport: number, p: Uint8Array, off: number, end: number): UdpDecoder | null {
  const either = (...ports: number[]): boolean => ports.includes(sport) || ports.includes(dport);
  for (const [name, ports] of EITHER_FIRST) if (either(...ports)) return name;
  // (NetBIOS over UDP is decoded only when tcpdump is built with SMB support; Debian's is not.)
  if (dport === 3456) return 'vat';
  if (either(2103, 2104)) return 'zephyr';
  if ((sport >= 7000 && sport <= 7009) || (dport >= 7000 && dport <= 7009)) return 'rx';
  if (either(521)) return 'ripng';
  if (either(546, 547)) return 'dhcp6';
  if (either(5359)) return 'ahcp';
  if (either(6696, 6697)) return 'babel';
  if (either(8231)) return 'hncp';
  if (dport === 4567) return 'wb';
  if (either(496)) return 'autorp';
  if (either(1645, 1812, 1646, 1813, 1700, 3799)) return 'radius';
  if (dport === 1985) return 'hsrp';
  if (either(921)) return 'lwres';
  if (either(646)) return 'ldp';
  if (either(698)) return 'olsr';
  if (either(3503)) return 'lspping';
  if (sport === 49152) return 'bcm-li';
  if (dport === 3784 || dport === 4784 || dport === 6784 || dport === 3785) return 'bfd';
  if (either(701)) return 'lmp';
  if (either(1589)) return 'vqp';
  if (either(6343)) return 'sflow';
  if (dport === 12223 || sport === 12223) return 'lwapp-control';
  if (either(12222)) return 'lwapp-data';
  if (either(5060)) return 'sip';
  if (either(514)) return 'syslog';
  if (either(8472)) return 'otv';
  if (either(4789)) return 'vxlan';
  if (either(6081)) return 'geneve';
  if (either(4342)) return 'lisp';
  if (either(4790)) return 'vxlan-gpe';
  if (either(17754)) return 'zep';
  if (either(6635)) return 'mpls';
  // AppleTalk DDP in UDP ("kip"): a LAP header of type DDP (2) on an AppleTalk port (200-207? see atalkPort).
  if (end >= off + 3 && p[off + 2] === 2 && (atalkPort(sport) || atalkPort(dport))) return 'llap';
  if (either(319, 320)) return 'ptp';
  if (either(30490)) return 'someip';
  return null;
}

/** tcpdump's atalk_port: the UDP ports of AppleTalk-in-UDP (kip): 200 + DDP socket numbers 1, 2, 4, 6. */
function atalkPort(port: number): boolean {
  return port === 201 || port === 202 || port === 204 || port === 206;
}

// ------------------------------------------------------------------------------ ISAKMP / IKE

const ETYPES: ReadonlyMap<number, string> = new Map([
  [0, 'none'], [1, 'base'], [2, 'ident'], [3, 'auth'], [4, 'agg'], [5, 'inf'], [32, 'oakley-quick'], [33, 'oakley-newgroup'],
  [34, 'ikev2_init'], [35, 'ikev2_auth'], [36, 'child_sa'], [37, 'inf2'],
]);

/** The IKEv1 initiator cookies tcpdump remembers (20, reused in a ring), with the exchange's addresses. */
export class IsakmpState {
  // tcpdump's table starts zeroed: an all-zero cookie is "found" with no addresses (side '?').
  private readonly cache: Array<{ cookie: string; iaddr: string; raddr: string }> = Array.from({ length: 20 }, () => ({ cookie: '0000000000000000', iaddr: '', raddr: '' }));
  private next = 0;

  find(cookie: string): number {
    for (let i = 0; i < this.cache.length; i++) if (this.cache[i]?.cookie === cookie) return i;
    return -1;
  }

  record(cookie: string, src: string, dst: string): void {
    const i = this.find(cookie);
    if (i >= 0) {
      this.next = (i + 1) % this.cache.length;
      return;
    }
    this.cache[this.next] = { cookie, iaddr: src, raddr: dst };
    this.next = (this.next + 1) % this.cache.length;
  }

  side(i: number, src: string): 'I' | 'R' | '?' {
    const e = this.cache[i]!;
    if (e.iaddr === '') return '?';
    return e.iaddr === src ? 'I' : e.raddr === src ? 'R' : '?';
  }
}

/**
 * ISAKMP (UDP 500): `isakmp: phase 1 I ident` (IKEv1), `isakmp: parent_sa ikev2_init[I]` (IKEv2).
 * `src`/`dst` are the raw address bytes (hex) of the IP header, for IKEv1's cookie cache. With -v
 * the version and message id follow the name (-vv: the cookies too), and the payload chain
 * follows the exchange (./isakmp.ts); null when a payload there is not reproduced.
 */
export function isakmp(p: Uint8Array, off: number, len: number, end: number, verbose: number, state: IsakmpState, src: string, dst: string, numeric = true): string | null {
  if (end < off + 28) return ' [|isakmp]';
  const major = p[off + 17]! >> 4;
  let s = 'isakmp';
  if (verbose > 0) s += ` ${major}.${p[off + 17]! & 15} msgid ${hexBytes(p, off + 20, off + 24)}`;
  if (verbose > 1) s += ` cookie ${hexBytes(p, off, off + 8)}->${hexBytes(p, off + 8, off + 16)}`;
  s += ':';
  const msgid = be32(p, off + 20);
  const etype = p[off + 18]!;
  const flags = p[off + 19]!;
  const ename = ETYPES.get(etype) ?? `#${etype}`;
  if (major === 1) {
    s += msgid === 0 ? ' phase 1' : ' phase 2/others';
    const cookie = hexBytes(p, off, off + 8);
    const i = state.find(cookie);
    if (i < 0) {
      let zero = true;
      for (let k = off + 8; k < off + 16; k++) if (p[k] !== 0) zero = false;
      if (zero) {
        s += ' I';
        state.record(cookie, src, dst);
      } else s += ' ?';
    } else s += ` ${state.side(i, src)}`;
    s += ` ${ename}`;
    if (flags) s += `[${flags & 1 ? 'E' : ''}${flags & 2 ? 'C' : ''}]`;
  } else if (major === 2) {
    s += msgid === 0 ? ' parent_sa' : ' child_sa ';
    s += ` ${ename}`;
    if (flags) s += `[${flags & 0x08 ? 'I' : ''}${flags & 0x10 ? 'V' : ''}${flags & 0x20 ? 'R' : ''}]`;
  } else return s;
  if (verbose > 0) {
    const rest = isakmpPayloads(p, off, len, end, verbose, numeric);
    if (rest === null) return null;
    s += rest;
  }
  return s;
}

/** ESP's first two fields: `ESP(spi=0x00001234,seq=0x5), length 100`, or the truncation mark. */
export function espText(p: Uint8Array, off: number, len: number, end: number): string {
  if (end < off + 8) return ' [|esp]';
  return `ESP(spi=0x${be32(p, off).toString(16).padStart(8, '0')},seq=0x${be32(p, off + 4).toString(16)}), length ${len}`;
}

/** IKE and ESP over UDP 4500 (RFC 3948): keep-alive, non-ESP marker then IKE, or ESP. */
export function isakmpNatT(p: Uint8Array, off: number, len: number, end: number, verbose: number, state: IsakmpState, src: string, dst: string, numeric = true): string | null {
  if (len === 1 && end > off && p[off] === 0xff) return 'isakmp-nat-keep-alive';
  if (len < 4) return ' [|isakmp_rfc3948]';
  if (end < off + 4) return ' [|isakmp_rfc3948]';
  if (be32(p, off) === 0) {
    const t = isakmp(p, off + 4, len - 4, end, verbose, state, src, dst, numeric);
    return t === null ? null : `NONESP-encap: ${t}`;
  }
  return `UDP-encap: ${espText(p, off, len, end)}`;
}

// ------------------------------------------------------------------------------ DHCPv6

const DHCP6_TYPES = ['', 'solicit', 'advertise', 'request', 'confirm', 'renew', 'rebind', 'reply', 'release', 'decline',
  'reconfigure', 'inf-req', 'relay-fwd', 'relay-reply', 'leasequery', 'leasequery-reply'];

/** DHCPv6 (UDP 546/547): `dhcp6 solicit`; with -v the options follow (./dhcp6.ts). */
export function dhcp6(p: Uint8Array, off: number, len: number, end: number, verbose: number, host6?: (o: number) => string): string | null {
  if (end < off + 4) return 'dhcp6 [|dhcp6]';
  const type = p[off]!;
  const name = DHCP6_TYPES[type] || `msgtype-${type}`;
  if (verbose > 0) return dhcp6Verbose(p, off, len, end, host6);
  return `dhcp6 ${name}`;
}

// ------------------------------------------------------------------------------ LWAPP

const LWAPP_MSG_TYPES: ReadonlyMap<number, string> = new Map([
  [1, 'Discovery req'], [2, 'Discovery resp'], [3, 'Join req'], [4, 'Join resp'], [5, 'Join ack'], [6, 'Join confirm'],
  [10, 'Configure req'], [11, 'Configure resp'], [12, 'Update req'], [13, 'Update resp'], [14, 'WTP event req'],
  [15, 'WTP event resp'], [16, 'Change state event req'], [17, 'Change state event resp'], [22, 'Echo req'], [23, 'Echo resp'],
  [24, 'Image data req'], [25, 'Image data resp'], [26, 'Channel status req'], [27, 'Channel status resp'], [30, 'Key update req'],
  [31, 'Key update resp'], [32, 'Primary discovery req'], [33, 'Primary discovery resp'], [34, 'Data transfer req'],
  [35, 'Data transfer resp'], [36, 'Clear config ind'], [37, 'Wlan config req'], [38, 'Wlan config resp'],
  [39, 'Mobile config req'], [40, 'Mobile config resp'],
]);

/**
 * LWAPP (UDP 12222 data, 12223 control): `LWAPPv0, Data frame, Flags [none], length 30`. A
 * control message sent to 12223 starts with the 6-byte AP identity. With -v: the transport
 * header's radio id, fragment id and length, then for control frames each message header
 * ("Msg type: Update req (12), Seqnum: 150, Msg len: 82, Session: 0x52cc56e6") and for data
 * frames the 802.11 frame in hex.
 */
export function lwapp(p: Uint8Array, off: number, len: number, end: number, verbose: number, kind: 'data' | 'control' | 'control-ap', mac: (o: number) => string = (o) => macAt(p, o)): string | null {
  const proto = kind === 'data' ? 'lwapp_data' : 'lwapp_control';
  if (kind !== 'control' && end < off + 6) return ` [|${proto}]`;
  const h = kind === 'control-ap' ? off + 6 : off;
  if (end < h + 6) return ` [|${proto}]`;
  const v = p[h]!;
  if (v >> 6 !== 0) return `LWAPP version ${v >> 6} packet not supported`;
  const names = ([[1, 'Last Fragment Bit'], [2, 'Fragment Bit'], [4, 'Control Bit']] as const).filter(([b]) => v & b).map(([, n]) => n);
  const flags = names.length ? names.join(', ') : 'none';
  const frame = v & 4 ? 'Control' : 'Data';
  if (verbose < 1) return `LWAPPv0, ${frame} frame, Flags [${flags}], length ${len}`;
  let tlen = be16(p, h + 2);
  const rid = (v >> 3) & 7;
  if (kind === 'data') {
    if (tlen < 6) return `LWAPPv0, ${frame} frame, Radio-id  ${rid}, Flags [${flags}], length ${tlen} < transport header length`;
    const head = `LWAPPv0, ${frame} frame, Radio-id  ${rid}, Flags [${flags}], Frag-id  ${p[h + 1]}, length ${tlen}`;
    const b = new Bytes(p, end);
    return head + unknownData(b, h + 6, tlen - 6, '\n\t');
  }
  let s = `LWAPPv0, ${frame} frame, Radio-id ${rid}, Flags [${flags}], Frag-id ${p[h + 1]}, length ${tlen}`;
  if (kind === 'control-ap') s += `\n\tAP identity: ${mac(off)}`;
  let t = h + 6;
  while (tlen !== 0) {
    if (end < t + 8) return `${s} [|${proto}]`;
    const mlen = be16(p, t + 2);
    if (tlen < 8 || tlen < 8 + mlen) {
      s += '\n\t  Msg goes past end of PDU';
      break;
    }
    const type = p[t]!;
    s += `\n\t  Msg type: ${LWAPP_MSG_TYPES.get(type) ?? 'Unknown'} (${type}), Seqnum: ${p[t + 1]}, Msg len: ${mlen}, Session: 0x${be32(p, t + 4).toString(16).padStart(8, '0')}`;
    // (tcpdump checks that the message's length, counted from its header, was captured)
    if (end < t + mlen) return `${s} [|${proto}]`;
    t += 8 + mlen;
    tlen -= 8 + mlen;
  }
  return s;
}

// ------------------------------------------------------------------------------ timed, SOME/IP

const TSP_TYPES = ['TSP_ANY', 'TSP_ADJTIME', 'TSP_ACK', 'TSP_MASTERREQ', 'TSP_MASTERACK', 'TSP_SETTIME', 'TSP_MASTERUP', 'TSP_SLAVEUP',
  'TSP_ELECTION', 'TSP_ACCEPT', 'TSP_REFUSE', 'TSP_CONFLICT', 'TSP_RESOLVE', 'TSP_QUIT', 'TSP_DATE', 'TSP_DATEREQ', 'TSP_DATEACK',
  'TSP_TRACEON', 'TSP_TRACEOFF', 'TSP_MSITE', 'TSP_MSITEREQ', 'TSP_TEST', 'TSP_SETDATE', 'TSP_SETDATEREQ', 'TSP_LOOP'];

/**
 * The BSD time daemon's protocol (UDP 525): `TSP_LOOP vers 1 seq 15498 hopcnt 10 name OTTO`,
 * the same in every verbosity; a field beyond the capture ends it with " [|timed]".
 */
export function timed(p: Uint8Array, off: number, end: number): string {
  let s = '';
  const need = (n: number): boolean => off + n <= end;
  if (!need(1)) return ' [|timed]';
  const type = p[off]!;
  s += TSP_TYPES[type] ?? `(tsp_type 0x${type.toString(16)})`;
  if (!need(2)) return `${s} [|timed]`;
  s += ` vers ${p[off + 1]}`;
  if (!need(4)) return `${s} [|timed]`;
  s += ` seq ${be16(p, off + 2)}`;
  if (type === 24) {
    if (!need(5)) return `${s} [|timed]`;
    s += ` hopcnt ${p[off + 4]}`;
  } else if (type === 5 || type === 1 || type === 22 || type === 23) {
    if (!need(12)) return `${s} [|timed]`;
    let sec = be32(p, off + 4) | 0;
    let usec = be32(p, off + 8) | 0;
    if (usec < 0) return s;
    s += ' time ';
    if (sec < 0 && usec !== 0) {
      sec++;
      if (sec === 0) s += '-';
      usec = 1000000 - usec;
    }
    s += `${sec}.${String(usec).padStart(6, '0')}`;
  }
  s += ' name ';
  for (let i = off + 12; i < off + 12 + 256; i++) {
    if (i >= end) return `${s} [|timed]`;
    if (p[i] === 0) break;
    s += printChar(p[i]!);
  }
  return s;
}

const SOMEIP_TYPES: ReadonlyMap<number, string> = new Map([
  [0x00, 'REQUEST'], [0x01, 'REQUEST_NO_RETURN'], [0x02, 'NOTIFICATION'], [0x80, 'RESPONSE'], [0x81, 'ERROR'], [0x20, 'TP_REQUEST'],
  [0x21, 'TP_REQUEST_NO_RETURN'], [0x22, 'TP_NOTIFICATION'], [0xa0, 'TP_RESPONSE'], [0xa1, 'TP_ERROR'],
]);
const SOMEIP_CODES = ['E_OK', 'E_NOT_OK', 'E_UNKNOWN_SERVICE', 'E_UNKNOWN_METHOD', 'E_NOT_READY', 'E_NOT_REACHABLE', 'E_TIMEOUT',
  'E_WRONG_PROTOCOL_VERSION', 'E_WRONG_INTERFACE_VERSION', 'E_MALFORMED_MESSAGE', 'E_WRONG_MESSAGE_TYPE', 'E_E2E_REPEATED',
  'E_E2E_WRONG_SEQUENCE', 'E_E2E', 'E_E2E_NOT_AVAILABLE', 'E_E2E_NO_NEW_DATA'];

/**
 * SOME/IP (UDP 30490): `SOMEIP, service 1, method 2, len 8, client 8, session 5, pver 1, iver 1,
 * msgtype REQUEST, retcode E_OK` and the empty line tcpdump's trailing newline makes.
 */
export function someip(p: Uint8Array, off: number, len: number, end: number): string {
  let s = 'SOMEIP';
  if (len < 16) return `${s} (invalid)`;
  if (end < off + 4) return `${s} [|someip]`;
  const id = be32(p, off);
  s += `, service ${id >>> 16}, ${id & 0x8000 ? 'event' : 'method'} ${id & 0x7fff}`;
  if (end < off + 8) return `${s} [|someip]`;
  s += `, len ${be32(p, off + 4)}`;
  if (end < off + 12) return `${s} [|someip]`;
  s += `, client ${be16(p, off + 8)}, session ${be16(p, off + 10)}`;
  const fields: Array<(b: number) => string> = [
    (b) => `, pver ${b}`, (b) => `, iver ${b}`, (b) => `, msgtype ${SOMEIP_TYPES.get(b) ?? 'Unknown'}`, (b) => `, retcode ${SOMEIP_CODES[b] ?? 'Unknown'}\n`,
  ];
  for (let i = 0; i < 4; i++) {
    if (end < off + 13 + i) return `${s} [|someip]`;
    s += fields[i]!(p[off + 12 + i]!);
  }
  return s;
}

// ------------------------------------------------------------------------------ VXLAN, OTV

/**
 * VXLAN (UDP 4789): `VXLAN, flags [I] (0x08), vni 5001`, and OTV (UDP 8472): `OTV, flags [I]
 * (0x08), overlay 0, instance 100`, each with a newline; the encapsulated Ethernet frame (at
 * `inner`) follows on the next line. Too short: " (invalid)".
 */
export function vxlan(p: Uint8Array, off: number, len: number, end: number, kind: 'vxlan' | 'otv' = 'vxlan'): { text: string; inner?: number } {
  const u24 = (o: number): number => (p[o]! << 16) | (p[o + 1]! << 8) | p[o + 2]!;
  const cut = ` [|${kind}]`;
  if (kind === 'otv') {
    let s = 'OTV, ';
    if (len < 8) return { text: `${s}[length ${len} < 8] (invalid)${end < off + len ? cut : ''}` };
    if (end < off + 1) return { text: s + cut };
    const flags = p[off]!;
    s += `flags [${flags & 0x08 ? 'I' : '.'}] (0x${flags.toString(16).padStart(2, '0')}), `;
    if (end < off + 4) return { text: s + cut };
    s += `overlay ${u24(off + 1)}, `;
    if (end < off + 7) return { text: s + cut };
    s += `instance ${u24(off + 4)}\n`;
    if (end < off + 8) return { text: s + cut };
    return { text: s, inner: off + 8 };
  }
  let s = 'VXLAN';
  if (len < 8) return { text: `${s} (invalid)` };
  if (end < off + 1) return { text: s + cut };
  const flags = p[off]!;
  s += `, flags [${flags & 0x08 ? 'I' : 'invalid'}] (0x${flags.toString(16).padStart(2, '0')}), `;
  if (end < off + 7) return { text: s + cut };
  s += `vni ${u24(off + 4)}\n`;
  if (end < off + 8) return { text: s + cut };
  return { text: s, inner: off + 8 };
}

// ------------------------------------------------------------------------------ sFlow

/**
 * sFlow (UDP 6343) without -v: `sFlowv5, IPv4 agent 10.0.0.1, agent-id 1, length 100`; a
 * datagram shorter than its header, or another version, as tcpdump says it. With -v tcpdump
 * decodes every sample (not reproduced: null).
 */
export function sflow(p: Uint8Array, off: number, len: number, end: number, verbose: number, host4: (o: number) => string, host6: (o: number) => string): string | null {
  if (end < off + 8) return ' [|sflow]';
  const version = be32(p, off);
  const ipv = be32(p, off + 4);
  if ((len < 28 && ipv === 1) || (len < 40 && ipv === 2)) return `sFlowv${version} [length ${len} < 28] (invalid)`;
  if (end < off + 28) return ' [|sflow]';
  if (version !== 5) return `sFlow version ${version} packet not supported`;
  if (verbose > 0) return null;
  if (ipv === 1) return `sFlowv5, IPv4 agent ${host4(off + 8)}, agent-id ${be32(p, off + 12)}, length ${len}`;
  if (end < off + 28 + 12) return ' [|sflow]';
  return `sFlowv5, IPv6 agent ${host6(off + 8)}, agent-id ${be32(p, off + 24)}, length ${len}`;
}

// ------------------------------------------------------------------------------ RIPng

/**
 * RIPng (UDP 521): ` ripng-resp 2: 2001:db8::/64 (1) ...`, ` ripng-req dump`; -vv puts each
 * entry on a line of its own. A field beyond the capture ends it with " [|ripng]".
 */
export function ripng(p: Uint8Array, off: number, len: number, end: number, verbose: number, host6: (o: number) => string): string {
  if (end < off + 2) return ' [|ripng]';
  const vers = p[off + 1]!;
  if (vers !== 1) return ` [vers ${vers}] (invalid)`;
  const cmd = p[off]!;
  if (cmd !== 1 && cmd !== 2) return ` ripng-${cmd} ?? ${len} (invalid)`;
  if (len < 4) return ' (invalid)';
  let left = len - 4;
  const j = Math.floor(left / 20);
  const ni = off + 4;
  if (cmd === 1 && j === 1) {
    if (end < ni + 20) return ' [|ripng]';
    let unspecified = true;
    for (let i = ni; i < ni + 16; i++) if (p[i] !== 0) unspecified = false;
    if (p[ni + 19] === 16 && unspecified) return ' ripng-req dump';
  }
  let s = ` ripng-${cmd === 1 ? 'req' : 'resp'} ${j}${j * 20 !== left ? `[${len}]` : ''}:`;
  for (let e = ni; left >= 20; left -= 20, e += 20) {
    s += verbose > 1 ? '\n\t' : ' ';
    if (end < e + 16) return `${s} [|ripng]`;
    s += host6(e);
    if (end < e + 20) return `${s} [|ripng]`;
    s += `/${p[e + 18]}`;
    const tag = be16(p, e + 16);
    if (tag) s += ` [${tag}]`;
    const metric = p[e + 19]!;
    if (metric && cmd === 2) s += ` (${metric})`;
  }
  return left !== 0 ? `${s} (invalid)` : s;
}

// ------------------------------------------------------------------------------ VXLAN-GPE, NSH

export interface InnerPacket {
  /** 4: IPv4, 6: IPv6, 0: Ethernet. */
  kind: 4 | 6 | 0;
  off: number;
  len: number;
}

/**
 * VXLAN-GPE (UDP 4790): `VXLAN-GPE, flags [IP], vni 16777215` then, after ": " (-v: a new
 * line), the next protocol: an IPv4/IPv6 packet or Ethernet frame (`inner`, printed by the
 * caller) or a Network Service Header, `NSH, flags [O], service-path-id 0xffffff,
 * service-index 0xff` (-vv adds the version and next protocol), and what it carries. Null for
 * -vvv (NSH context headers are not reproduced).
 */
export function vxlanGpe(p: Uint8Array, off: number, len: number, end: number, verbose: number): { text: string; inner?: InnerPacket } | null {
  if (verbose > 2) return null;
  let s = 'VXLAN-GPE, ';
  if (len < 8) return { text: `${s} (len ${len} < 8) (invalid)` };
  if (end < off + 8) return { text: `${s} [|vxlan_gpe]` };
  const f = p[off]!;
  const names = ([[0x08, 'I'], [0x04, 'P'], [0x02, 'B'], [0x01, 'O']] as const).filter(([b]) => f & b).map(([, n]) => n);
  s += `flags [${names.length ? names.join('') : 'none'}], `;
  const next = p[off + 3]!;
  s += `vni ${(p[off + 4]! << 16) | (p[off + 5]! << 8) | p[off + 6]!}`;
  s += verbose ? '\n    ' : ': ';
  return nextProtocol(p, next, off + 8, len - 8, end, verbose, s, 'vxlan_gpe');
}

function nextProtocol(p: Uint8Array, next: number, off: number, len: number, end: number, verbose: number, s: string, proto: string): { text: string; inner?: InnerPacket } | null {
  switch (next) {
    case 1:
      return { text: s, inner: { kind: 4, off, len } };
    case 2:
      return { text: s, inner: { kind: 6, off, len } };
    case 3:
      return { text: s, inner: { kind: 0, off, len } };
    default:
      if (next === 4 && proto === 'vxlan_gpe') return nsh(p, off, len, end, verbose, s);
      // (tcpdump's NSH printer takes no NSH after itself)
      return proto === 'vxlan_gpe' ? { text: `${s}ERROR: unknown-next-protocol (invalid)` } : { text: `${s}ERROR: unknown-next-protocol` };
  }
}

const NSH_NEXT = ['', 'IPv4', 'IPv6', 'Ethernet', 'NSH', 'MPLS'];

function nsh(p: Uint8Array, off: number, len: number, end: number, verbose: number, s: string): { text: string; inner?: InnerPacket } | null {
  if (len < 8) return { text: `${s} (packet length ${len} < 8) (invalid)` };
  if (end < off + 4) return { text: `${s} [|nsh]` };
  const base = be32(p, off);
  const ver = base >>> 30;
  const length = (base >> 16) & 0x3f;
  const next = base & 0xff;
  s += 'NSH, ';
  if (verbose > 1) s += `ver ${ver}, `;
  if (ver !== 0) return { text: s };
  s += `flags [${((base >> 28) & 3) & 2 ? 'O' : 'none'}], `;
  if (verbose > 1) s += `next-protocol ${NSH_NEXT[next] || (next === 0xfe ? 'Experiment 1' : next === 0xff ? 'Experiment 2' : `unknown (0x${next.toString(16).padStart(2, '0')})`)}, `;
  if (len < length * 4) return { text: `${s} (too many headers for packet length ${len}) (invalid)` };
  if (end < off + 8) return { text: `${s} [|nsh]` };
  s += `service-path-id 0x${((p[off + 4]! << 16) | (p[off + 5]! << 8) | p[off + 6]!).toString(16).padStart(6, '0')}, service-index 0x${p[off + 7]!.toString(16)}`;
  if (length < 2) return { text: `${s} (less than two headers) (invalid)` };
  if (end < off + length * 4) return { text: `${s} [|nsh]` };
  s += verbose ? '\n    ' : ': ';
  return nextProtocol(p, next, off + length * 4, len - length * 4, end, verbose, s, 'nsh');
}

// ------------------------------------------------------------------------------ VQP

const VQP_MSG: ReadonlyMap<number, string> = new Map([[1, 'Request, Join Port'], [2, 'Response, VLAN'], [3, 'Request, Reconfirm'], [4, 'Response, Reconfirm']]);
const VQP_ERR: ReadonlyMap<number, string> = new Map([[0, 'No error'], [3, 'Access denied'], [4, 'Shutdown port'], [5, 'Wrong VTP domain']]);
const VQP_OBJ: ReadonlyMap<number, string> = new Map([
  [0x0c01, 'Client IP Address'], [0x0c02, 'Port Name'], [0x0c03, 'VLAN Name'], [0x0c04, 'VTP Domain'], [0x0c05, 'Ethernet Packet'],
  [0x0c06, 'MAC Null'], [0x0c08, 'MAC Address'],
]);

/**
 * Cisco's VLAN Query Protocol (UDP 1589): `VQPv1 Request, Join Port Message, error-code No error
 * (0), length 18`; with -v the sequence number and each object (addresses, names, MACs, the rest
 * in hex). A field beyond the capture ends it with " [|vqp]".
 */
export function vqp(p: Uint8Array, off: number, len: number, end: number, verbose: number, host4: (o: number) => string, mac: (o: number) => string): string {
  if (end < off + 8) return ' [|vqp]';
  if (len < 8) return ' (invalid)';
  const version = p[off]!;
  if (version !== 1) return `VQP version ${version} packet not supported`;
  const type = p[off + 1]!;
  const err = p[off + 2]!;
  const head = `VQPv1${verbose ? ',' : ''} ${VQP_MSG.get(type) ?? `unknown (${type})`} Message, error-code ${VQP_ERR.get(err) ?? 'unknown'} (${err})`;
  if (verbose < 1) return `${head}, length ${len}`;
  let items = p[off + 3]!;
  let s = `\n\t${head}, seq 0x${be32(p, off + 4).toString(16).padStart(8, '0')}, items ${items}, length ${len}`;
  let t = off + 8;
  let left = len - 8;
  const b = new Bytes(p, end);
  while (items !== 0 && left !== 0) {
    if (end < t + 6) return `${s} [|vqp]`;
    if (left < 6) return `${s} (invalid)`;
    const otype = be32(p, t);
    const olen = be16(p, t + 4);
    t += 6;
    left -= 6;
    s += `\n\t  ${VQP_OBJ.get(otype) ?? 'Unknown'} Object (0x${otype.toString(16).padStart(8, '0')}), length ${olen}, value: `;
    if (otype === 0 || olen === 0) return s;
    if (end < t + olen) return `${s} [|vqp]`;
    if (olen > left) return `${s} (invalid)`;
    if (otype === 0x0c01) {
      if (olen !== 4) return `${s} (invalid)`;
      s += `${host4(t)} (0x${be32(p, t).toString(16).padStart(8, '0')})`;
    } else if (otype >= 0x0c02 && otype <= 0x0c05) {
      for (let i = t; i < t + olen && p[i] !== 0; i++) s += printChar(p[i]!);
    } else if (otype === 0x0c06 || otype === 0x0c08) {
      if (olen !== 6) return `${s} (invalid)`;
      s += mac(t);
    } else if (verbose <= 1) s += unknownData(b, t, olen, '\n\t    ');
    t += olen;
    left -= olen;
    items--;
  }
  return s;
}

// ------------------------------------------------------------------------------ OLSR

/**
 * OLSR (UDP 698) without -v: `OLSRv4, seq 0x0202, length 33` (the length is the smaller of
 * the UDP one and the packet's own). With -v tcpdump decodes every message (not reproduced: null).
 */
export function olsr(p: Uint8Array, off: number, len: number, end: number, verbose: number, v6: boolean): string | null {
  let s = `OLSRv${v6 ? 6 : 4}`;
  if (len < 4 || end < off + 4) return `${s} [|olsr]`;
  s += `, seq 0x${be16(p, off + 2).toString(16).padStart(4, '0')}, length ${Math.min(len, be16(p, off))}`;
  return verbose < 1 ? s : null;
}
