/**
 * What tcpdump 4.99.3 prints after a TCP segment's summary (`…, length N`) for the ports it
 * decodes, and the text of the ones reproduced here: OpenFlow's message headers, LDP's PDU header
 * (also used over UDP), RPKI-RTR's marker. `tcpDecoder` is tcpdump's port order written down (the
 * first match wins, on either port); the caller appends the text, or marks the line approximate
 * for a decoder not reproduced.
 *
 * Technique: as the UDP printers (ip/udp.ts): pure functions of the payload bytes returning
 * tcpdump's text or null when not reproduced; OpenFlow walks the messages of a segment by their
 * length fields the way tcpdump does, stopping at a partial header or a message that runs past
 * the segment.
 */
import { ipv4At } from '../addr.ts';

export type TcpDecoder =
  | 'telnet' | 'smtp' | 'whois' | 'bgp' | 'pptp' | 'resp' | 'ssh' | 'beep' | 'openflow' | 'ftp' | 'http'
  | 'rtsp' | 'domain' | 'msdp' | 'rpki-rtr' | 'ldp' | 'nfs';

const ORDER: ReadonlyArray<[TcpDecoder, readonly number[]]> = [
  ['telnet', [23]], ['smtp', [25]], ['whois', [43]], ['bgp', [179]], ['pptp', [1723]], ['resp', [6379]], ['ssh', [22]],
  ['beep', [10288]], ['openflow', [6633, 6653]], ['ftp', [21]], ['http', [80, 8080]], ['rtsp', [554, 8554]],
  ['domain', [53]], ['msdp', [639]], ['rpki-rtr', [323]], ['ldp', [646]], ['nfs', [2049]],
];

/** tcpdump's TCP port dispatch: the printer it picks for a segment with data, or null. */
export function tcpDecoder(sport: number, dport: number): TcpDecoder | null {
  for (const [name, ports] of ORDER) if (ports.includes(sport) || ports.includes(dport)) return name;
  return null;
}

function be16(p: Uint8Array, o: number): number {
  return (p[o]! << 8) | p[o + 1]!;
}
function be32(p: Uint8Array, o: number): number {
  return ((p[o]! << 24) | (p[o + 1]! << 16) | (p[o + 2]! << 8) | p[o + 3]!) >>> 0;
}

const OF_VERSIONS: ReadonlyMap<number, string> = new Map([[1, '1.0'], [2, '1.1'], [3, '1.2'], [4, '1.3'], [5, '1.4'], [6, '1.5']]);

/** OpenFlow 1.0 message types: name, and the body length rule (fixed or minimum, after the 8-byte header). */
const OF10_TYPES: ReadonlyArray<[string, 'fix' | 'min', number]> = [
  ['HELLO', 'min', 0], ['ERROR', 'min', 4], ['ECHO_REQUEST', 'min', 0], ['ECHO_REPLY', 'min', 0], ['VENDOR', 'min', 4],
  ['FEATURES_REQUEST', 'fix', 0], ['FEATURES_REPLY', 'min', 24], ['GET_CONFIG_REQUEST', 'fix', 0], ['GET_CONFIG_REPLY', 'fix', 4],
  ['SET_CONFIG', 'fix', 4], ['PACKET_IN', 'min', 10], ['FLOW_REMOVED', 'fix', 80], ['PORT_STATUS', 'fix', 56],
  ['PACKET_OUT', 'min', 8], ['FLOW_MOD', 'min', 64], ['PORT_MOD', 'fix', 24], ['STATS_REQUEST', 'min', 4],
  ['STATS_REPLY', 'min', 4], ['BARRIER_REQUEST', 'fix', 0], ['BARRIER_REPLY', 'fix', 0],
  ['QUEUE_GET_CONFIG_REQUEST', 'fix', 4], ['QUEUE_GET_CONFIG_REPLY', 'min', 8],
];

/**
 * OpenFlow (TCP 6633/6653) without -v: `: OpenFlow` then one `\n\tversion 1.0, type HELLO, length
 * 8, xid 0x00000001` line per message. Other versions than 1.0 and -v (message bodies) are not
 * reproduced (null).
 */
export function openflow(p: Uint8Array, off: number, len: number, end: number, verbose: number): string | null {
  if (verbose > 0) return null;
  let s = ': OpenFlow';
  let o = off;
  let rest = len;
  while (rest > 0) {
    if (end < o + 1) return `${s} [|openflow]`;
    const version = p[o]!;
    if (version !== 1) return null;
    s += `\n\tversion ${OF_VERSIONS.get(version)}`;
    o++;
    rest--;
    if (rest < 1) return `${s} (end of TCP payload)`;
    if (end < o + 1) return `${s} [|openflow]`;
    const type = p[o]!;
    const info = OF10_TYPES[type];
    s += info ? `, type ${info[0]}` : `, type unknown (0x${type.toString(16).padStart(2, '0')})`;
    o++;
    rest--;
    if (rest < 2) return `${s} (end of TCP payload)`;
    if (end < o + 2) return `${s} [|openflow]`;
    const length = be16(p, o);
    s += `, length ${length}${length < 8 ? ' (too short!)' : ''}`;
    o += 2;
    rest -= 2;
    if (rest < 4) return `${s} (end of TCP payload)`;
    if (end < o + 4) return `${s} [|openflow]`;
    s += `, xid 0x${be32(p, o).toString(16).padStart(8, '0')}`;
    o += 4;
    rest -= 4;
    if (length < 8) return `${s} (invalid)`;
    const body = length - 8;
    if (info && ((info[1] === 'fix' && body !== info[2]) || (info[1] === 'min' && body < info[2]))) return `${s} (invalid)`;
    // tcpdump checks that the body was captured (as far as the segment goes) before moving on.
    if (end < o + Math.min(body, rest)) return `${s} [|openflow]`;
    if (body > rest) break;
    o += body;
    rest -= body;
  }
  return s;
}

/**
 * LDP (TCP and UDP 646) without -v: the first PDU's header, `LDP, Label-Space-ID:
 * 192.168.0.2:0, pdu-length: 28` (nothing at all for a payload of 18 bytes or less). With -v
 * tcpdump decodes every message (null).
 */
export function ldp(p: Uint8Array, off: number, len: number, end: number, verbose: number): string | null {
  if (len <= 18) return '';
  if (verbose > 0) return null;
  if (end < off + 10) return ' [|ldp]';
  const version = be16(p, off);
  if (version !== 1) return `LDP version ${version} packet not supported`;
  const pdu = be16(p, off + 2);
  if (pdu < 6) return `LDP, pdu-length: ${pdu} (too short, < 6)`;
  return `LDP, Label-Space-ID: ${ipv4At(p, off + 4)}:${be16(p, off + 8)}, pdu-length: ${pdu}`;
}

/** RPKI-RTR (TCP 323) without -v: only a marker. */
export function rpkiRtr(verbose: number): string | null {
  return verbose > 0 ? null : ', RPKI-RTR';
}
