/**
 * One-line summaries of the application and routing protocols tcpdump decodes by port or
 * protocol number, in its non-verbose form: HSRP, BFD, BOOTP/DHCP, RADIUS, LDP (UDP hellos),
 * IGMP, OSPF and BGP (HTTP and the other text protocols: ip/txtproto.ts). Each function gets
 * the packet, where its payload starts, its length on the wire and where the captured bytes
 * end, and returns tcpdump's text, or null when the packet is one it does not reproduce exactly
 * (the caller then marks the line approximate).
 *
 * Technique: fixed-offset reads after an explicit captured-length check per field, the way
 * tcpdump's printers stop at "[|proto]" when a field they need was not captured.
 */
import { ipv4At, macAt } from './addr.ts';
import { bootpVerbose } from './ip/bootp.ts';
import { radiusText } from './ip/radius.ts';
import { be16, be32 } from './ip/bytes.ts';

const HSRP_OPS = ['hello', 'coup', 'resign'];
const HSRP_STATES: ReadonlyMap<number, string> = new Map([[0, 'initial'], [1, 'learn'], [2, 'listen'], [4, 'speak'], [8, 'standby'], [16, 'active']]);

/** HSRP (UDP 1985): `HSRPv0-hello 20: state=active group=1 addr=192.168.0.1`. */
export function hsrp(p: Uint8Array, off: number, len: number, end: number, host4: (o: number) => string, verbose = 0): string | null {
  if (end < off + 8) return null;
  const op = p[off + 1]!;
  const state = HSRP_STATES.get(p[off + 2]!);
  if (state === undefined) return null;
  let s = `HSRPv${p[off]}-${HSRP_OPS[op] ?? `unknown (${op})`} ${len}: state=${state} group=${p[off + 6]} `;
  if (p[off + 7] !== 0) s += `[reserved=${p[off + 7]}!] `;
  if (end < off + 20) return `${s} [|hsrp]`;
  s += `addr=${host4(off + 16)}`;
  if (verbose > 0) {
    // -v: timers, priority and the 8-byte authentication text (up to its first NUL).
    let auth = '';
    for (let i = off + 8; i < off + 16; i++) {
      const c = p[i]!;
      if (c === 0) break;
      if (c < 0x20 || c > 0x7e) return null;
      auth += String.fromCharCode(c);
    }
    if (p[off + 3]! >= 60 || p[off + 4]! >= 60) return null;
    s += ` hellotime=${p[off + 3]}s holdtime=${p[off + 4]}s priority=${p[off + 5]} auth="${auth}"`;
  }
  return s;
}

const BFD_STATES = ['AdminDown', 'Down', 'Init', 'Up'];
const BFD_FLAGS: ReadonlyArray<[number, string]> = [[0x20, 'Poll'], [0x10, 'Final'], [0x08, 'Control Plane Independent'], [0x04, 'Authentication Present'], [0x02, 'Demand'], [0x01, 'Multipoint']];

const BFD_DIAG = ['No Diagnostic', 'Control Detection Time Expired', 'Echo Function Failed', 'Neighbor Signaled Session Down',
  'Forwarding Plane Reset', 'Path Down', 'Concatenated Path Down', 'Administratively Down', 'Reverse Concatenated Path Down'];

/**
 * BFD control (UDP 3784), multihop (4784) and LAG (6784), version 1: `BFDv1, Control, State Up,
 * Flags: [none], length: 24`; with -v the header's fields on four more lines (an authentication
 * section is not reproduced: null).
 */
export function bfd(p: Uint8Array, off: number, len: number, end: number, port: number, verbose = 0): string | null {
  if (end < off + 24) return null;
  const version = p[off]! >> 5;
  if (version !== 1) return null;
  const flags = p[off + 1]! & 0x3f;
  const names = BFD_FLAGS.filter(([b]) => flags & b).map(([, n]) => n);
  const kind = port === 4784 ? 'Multihop' : port === 6784 ? 'Lag' : 'Control';
  const state = BFD_STATES[p[off + 1]! >> 6];
  const fl = names.length ? names.join(', ') : 'none';
  if (verbose < 1) return `BFDv1, ${kind}, State ${state}, Flags: [${fl}], length: ${len}`;
  if (flags & 0x04) return null;
  const diag = p[off]! & 0x1f;
  const mult = p[off + 2]!;
  const tx = be32(p, off + 12);
  const ms = (n: number): string => `${Math.floor(n / 1000)}`.padStart(4);
  return `BFDv1, length: ${len}\n\t${kind}, State ${state}, Flags: [${fl}], Diagnostic: ${BFD_DIAG[diag] ?? 'unknown'} (0x${diag.toString(16).padStart(2, '0')})` +
    `\n\tDetection Timer Multiplier: ${mult} (${Math.floor((Math.imul(mult, tx) >>> 0) / 1000)} ms Detection time), BFD Length: ${p[off + 3]}` +
    `\n\tMy Discriminator: 0x${be32(p, off + 4).toString(16).padStart(8, '0')}, Your Discriminator: 0x${be32(p, off + 8).toString(16).padStart(8, '0')}` +
    `\n\t  Desired min Tx Interval:    ${ms(tx)} ms\n\t  Required min Rx Interval:   ${ms(be32(p, off + 16))} ms\n\t  Required min Echo Interval: ${ms(be32(p, off + 20))} ms`;
}

/**
 * BOOTP/DHCP (UDP 67/68): `BOOTP/DHCP, Request from 08:00:27:46:e8:84, length 300`; with -v the
 * header fields and options follow (./ip/bootp.ts).
 */
export function bootp(p: Uint8Array, off: number, len: number, end: number, mac: (o: number) => string = (o) => macAt(p, o), verbose = 0, host4: (o: number) => string = (o) => ipv4At(p, o)): string | null {
  if (end < off + 1) return null;
  const op = p[off]!;
  let s = `BOOTP/DHCP, ${op === 1 ? 'Request' : op === 2 ? 'Reply' : `unknown (0x${op.toString(16).padStart(2, '0')})`}`;
  if (op === 1) {
    if (end < off + 3) return null;
    if (p[off + 1] === 1 && p[off + 2] === 6) {
      if (end < off + 34) return null;
      s += ` from ${mac(off + 28)}`;
    }
  }
  s += `, length ${len}`;
  return verbose > 0 ? s + bootpVerbose(p, off, end, verbose, host4, mac) : s;
}

/** RADIUS (UDP 1645/1646/1812/1813/1700/3799): `RADIUS, Access-Request (1), id: 0x05 length: 139` (./ip/radius.ts). */
export function radius(p: Uint8Array, off: number, len: number, end: number, verbose = 0, host4?: (o: number) => string, host6?: (o: number) => string): string | null {
  return radiusText(p, off, len, end, verbose, host4, host6);
}

/** IGMP v1/v2 messages: `igmp v2 report 225.1.1.4`, `igmp query v2 [max resp time 10] [gaddr …]`, `igmp leave …`. */
export function igmp(p: Uint8Array, off: number, len: number, end: number, host4: (o: number) => string): string | null {
  if (end < off + 8 || len !== 8) return null;
  const type = p[off]!;
  const mrt = p[off + 1]!;
  const group = be32(p, off + 4);
  switch (type) {
    case 0x11: {
      let s = `igmp query v${mrt === 0 ? 1 : 2}`;
      if (mrt !== 0 && mrt !== 100) s += ` [max resp time ${mrt}]`;
      if (group !== 0) s += ` [gaddr ${host4(off + 4)}]`;
      return s;
    }
    case 0x12:
      return `igmp v1 report ${host4(off + 4)}`;
    case 0x16:
      return `igmp v2 report ${host4(off + 4)}`;
    case 0x17:
      return `igmp leave ${host4(off + 4)}`;
    default:
      return null;
  }
}

const OSPF_TYPES = ['', 'Hello', 'Database Description', 'LS-Request', 'LS-Update', 'LS-Ack'];

/**
 * OSPF without -v: `OSPFv2, Hello, length 44`. Over IPv4 (`v6` false) an MD5 trailer (auth type
 * 2) is not counted in the length tcpdump prints; over IPv6 the header has no auth field.
 */
export function ospf(p: Uint8Array, off: number, len: number, end: number, v6 = false): string | null {
  if (end < off + 2) return null;
  const version = p[off]!;
  const type = p[off + 1]!;
  if (!v6) {
    if (end < off + 16) return null;
    if (be16(p, off + 14) === 2) len -= 16;
  }
  const name = OSPF_TYPES[type];
  if (name === undefined || type === 0) return `OSPFv${version}, ${v6 ? `unknown packet type (${type})` : `unknown LS-type ${type}`}, length ${len}`;
  return `OSPFv${version}, ${name}, length ${len}`;
}

