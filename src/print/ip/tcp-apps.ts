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
