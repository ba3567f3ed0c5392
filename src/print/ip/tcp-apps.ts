/**
 * tcpdump 4.99.3's TCP port dispatch: which printer it runs after a segment's summary (`…,
 * length N`). `tcpDecoder` is tcpdump's port order written down (the first match wins, on either
 * port); the printers live in their own modules (resp.ts, openflow.ts, ldp.ts, bgp.ts, …) and
 * return tcpdump's text, or null where it is not reproduced (the caller then marks the line).
 */

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

export { ldp } from './ldp.ts';

/** RPKI-RTR (TCP 323) without -v: only a marker. */
export function rpkiRtr(verbose: number): string | null {
  return verbose > 0 ? null : ', RPKI-RTR';
}
