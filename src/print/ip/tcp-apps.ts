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

import { printChar, be32 } from './bytes.ts';

export { ldp } from './ldp.ts';
export { rpkiRtr } from './rpki-rtr.ts';

/**
 * SSH (TCP 22) as tcpdump's ssh_print: only a version line (`SSH-2.0-…` up to its end of line)
 * prints, as `: SSH: SSH-2.0-OpenSSH_8.9`; other data prints nothing. A byte tcpdump reads beyond
 * the capture ends the line with ` [|ssh]` (`jumped`).
 */
export function ssh(p: Uint8Array, off: number, len: number, end: number): { text: string; jumped: boolean } {
  const at = (i: number): number | null => (off + i < end ? p[off + i]! : null);
  for (let i = 0; i < 4; i++) {
    const c = at(i);
    if (c === null) return { text: ' [|ssh]', jumped: true };
    if (c !== 'SSH-'.charCodeAt(i)) return { text: '', jumped: false };
  }
  for (let i = 4; i < len; i++) {
    const c = at(i);
    if (c === null) return { text: ' [|ssh]', jumped: true };
    let eol = c === 0x0a;
    if (c === 0x0d) {
      if (i + 1 >= len) return { text: '', jumped: false };
      const n = at(i + 1);
      if (n === null) return { text: ' [|ssh]', jumped: true };
      if (n !== 0x0a) return { text: '', jumped: false };
      eol = true;
    } else if (!eol && (c < 0x20 || c > 0x7e)) return { text: '', jumped: false };
    if (eol) return { text: `: SSH: ${String.fromCharCode(...p.subarray(off, off + i))}`, jumped: false };
  }
  return { text: '', jumped: false };
}

/**
 * The data of a RST segment with -v, as tcpdump's print_tcp_rst_data: ` [RST text]` (` [!RST`
 * when not all of it was captured; at most 30 bytes, `+` when there were more), characters as
 * fn_print_char prints them.
 */
export function rstData(p: Uint8Array, off: number, len: number, end: number): string {
  let s = off + len <= end ? ' [RST' : ' [!RST';
  if (len > 30) {
    len = 30;
    s += '+';
  }
  s += ' ';
  for (let i = 0; i < len && off + i < end; i++) s += printChar(p[off + i]!);
  return `${s}]`;
}

const AUTH_STAT = ['OK', 'Bogus Credentials (seal broken)', 'Rejected Credentials (client should begin new session)',
  'Bogus Verifier (seal broken)', 'Verifier expired or was replayed', 'Credentials are too weak', 'Bogus response verifier', 'Unknown failure'];

/**
 * An RPC reply from the NFS port over TCP as tcpdump's nfsreply_noaddr_print, for replies whose
 * call it has not seen (those print only the status): `: NFS reply xid N reply ok LEN`, a denial
 * with its reason, ` [|nfs]` when the status was not captured. `pay` is the record mark.
 */
export function nfsReply(p: Uint8Array, pay: number, dlen: number, end: number): string {
  let frag = be32(p, pay) & 0x7fffffff;
  if (frag > dlen - 4) frag = dlen - 4;
  const rp = pay + 4;
  let s = `: NFS reply xid ${be32(p, rp)} `;
  if (end < rp + 12) return `${s} [|nfs]`;
  const stat = be32(p, rp + 8);
  if (stat === 0) return `${s}reply ok ${frag}`;
  if (stat !== 1) return `${s}reply Unknown rpc response code=${stat} ${frag}`;
  s += `reply ERR ${frag}: `;
  if (end < rp + 16) return `${s} [|nfs]`;
  const r = be32(p, rp + 12);
  if (r === 0) {
    if (end < rp + 24) return `${s} [|nfs]`;
    return `${s}RPC Version mismatch (${be32(p, rp + 16)}-${be32(p, rp + 20)})`;
  }
  if (r === 1) {
    if (end < rp + 20) return `${s} [|nfs]`;
    const why = be32(p, rp + 16);
    return `${s}Auth ${AUTH_STAT[why] ?? `Invalid failure code ${why}`}`;
  }
  return `${s}Unknown reason for rejecting rpc message ${r}`;
}

