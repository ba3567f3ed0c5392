/**
 * Protocols carried directly over IP that tcpdump 4.99.3 summarises on one line (PIM is in
 * pim.ts): VRRP (`VRRPv2, Advertisement, vrid 1, prio 100, authtype none, intvl 1s,
 * length 20`, with `-v` its checksum and addresses) and DCCP (`DCCP-Request (service=0) `, with
 * `-v` the CCVal/CsCov fields and the checksum over the covered part, with `-vv` the sequence
 * number and the options).
 *
 * Technique: fixed-offset reads; a field beyond the captured bytes ends the text with tcpdump's
 * `[|proto]` mark, as its GET_ macros do. Each function returns the text and whether it is
 * tcpdump's exactly (`ok`), so the caller can mark forms not reproduced as approximate.
 */
import { ipv4At, ipv6At } from '../addr.ts';
import { sum16, finish, shouldBe } from '../verbose.ts';
import { be16, be32 } from './bytes.ts';

export interface ProtoText {
  text: string;
  ok: boolean;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/**
 * VRRP (112). `ttl` is the IP TTL / hop limit (tcpdump notes any other than 255), `ver` the IP
 * version, `addrOff` the IP source address (for VRRPv3's pseudo-header checksum).
 */
export function vrrp(p: Uint8Array, off: number, len: number, end: number, verbose: number, ttl: number, ver: number, addrOff: number): ProtoText {
  const trunc = (s: string): ProtoText => ({ text: `${s} [|vrrp]`, ok: true });
  let s = 'VRRP';
  if (end <= off) return trunc(s);
  const version = p[off]! >> 4;
  const type = p[off]! & 15;
  s += `v${version}, ${type === 1 ? 'Advertisement' : `unknown type (${type})`}`;
  if (ttl !== 255) s += `, (ttl ${ttl})`;
  if (version < 2 || version > 3 || type !== 1) return { text: s, ok: true };
  if (end < off + 3) return trunc(s);
  s += `, vrid ${p[off + 1]}, prio ${p[off + 2]}`;
  if (end < off + 6) return trunc(s);
  const auth = p[off + 4]!;
  if (version === 2) s += `, authtype ${['none', 'simple', 'ah'][auth] ?? `#${auth}`}, intvl ${p[off + 5]}s, length ${len}`;
  else s += `, intvl ${((p[off + 4]! & 0x0f) << 8) | p[off + 5]!}cs, length ${len}`;
  if (!verbose) return { text: s, ok: true };
  if (end < off + 4) return trunc(s);
  const naddrs = p[off + 3]!;
  if (end >= off + len) {
    let bad: boolean;
    if (version === 2) bad = finish(sum16(p, off, off + len)) !== 0;
    else {
      const alen = ver === 4 ? 8 : 32;
      bad = finish(sum16(p, off, off + len, sum16(p, addrOff, addrOff + alen) + 112 + len)) !== 0;
    }
    if (bad) s += `, (bad vrrp cksum ${be16(p, off + 6).toString(16)})`;
  }
  s += ', addrs';
  if (naddrs > 1) s += `(${naddrs})`;
  s += ':';
  let c = ' ';
  let o = off + 8;
  for (let i = 0; i < naddrs; i++) {
    const n = ver === 4 ? 4 : 16;
    if (end < o + n) return trunc(s);
    s += c + (ver === 4 ? ipv4At(p, o) : ipv6At(p, o));
    o += n;
    c = ',';
  }
  if (version === 2 && auth === 1) {
    if (end < o + 8) return trunc(s);
    let a = '';
    for (let i = o; i < o + 8 && p[i] !== 0; i++) {
      const ch = p[i]!;
      // (tcpdump's nd_printjnp escapes non-printing bytes: not reproduced)
      if (ch < 0x20 || ch > 0x7e) return { text: s, ok: false };
      a += String.fromCharCode(ch);
    }
    s += ` auth "${a}"`;
  }
  return { text: s, ok: true };
}

const DCCP_TYPES = ['DCCP-Request', 'DCCP-Response', 'DCCP-Data', 'DCCP-Ack', 'DCCP-DataAck', 'DCCP-CloseReq',
  'DCCP-Close', 'DCCP-Reset', 'DCCP-Sync', 'DCCP-SyncAck'];
const DCCP_RESET_CODES = ['unspecified', 'closed', 'aborted', 'no_connection', 'packet_error', 'option_error',
  'mandatory_error', 'connection_refused', 'bad_service_code', 'too_busy', 'bad_init_cookie', 'aggression_penalty'];
/** Bytes each packet type adds after the generic header (acknowledgment, service code, reset code). */
const DCCP_EXTRA = [4, 12, 0, 8, 8, 8, 8, 12, 8, 8];

/**
 * DCCP (33), after "src > dst" addresses that this function prints itself with the ports (as TCP
 * and UDP do): `src` and `dst` are the address texts, `addrOff`/`ver` locate the IP addresses for
 * the checksum's pseudo-header.
 */
export function dccp(p: Uint8Array, off: number, len: number, end: number, verbose: number, quiet: boolean, src: string, dst: string, ver: number, addrOff: number): ProtoText {
  if (end < off + 12) return { text: `${src} > ${dst}:  [|dccp]`, ok: true };
  if (len < 12) return { text: `${src} > ${dst}: truncated-dccp - ${12 - len} bytes missing!`, ok: true };
  const x = p[off + 8]! & 1;
  let fixed = x ? 16 : 12;
  if (len < fixed) return { text: `${src} > ${dst}: truncated-dccp - ${fixed - len} bytes missing!`, ok: true };
  if (end < off + fixed) return { text: `${src} > ${dst}:  [|dccp]`, ok: true };
  const sport = be16(p, off);
  const dport = be16(p, off + 2);
  const hlen = p[off + 4]! * 4;
  let s = `${src}.${sport} > ${dst}.${dport}: DCCP`;
  if (quiet) {
    s += ` ${len - hlen}`;
    if (hlen > len) s += ` [bad hdr length ${hlen} - too long, > ${len}]`;
    return { text: s, ok: true };
  }
  const cscov = p[off + 5]! & 15;
  if (verbose) s += ` (CCVal ${p[off + 5]! >> 4}, CsCov ${cscov}`;
  if (verbose && end >= off + len) {
    const stored = be16(p, off + 6);
    s += `, cksum 0x${hex4(stored)} `;
    let cov = len;
    if (cscov !== 0) cov = Math.min(len, (p[off + 4]! + cscov - 1) * 4);
    const alen = ver === 4 ? 8 : 32;
    const sum = finish(sum16(p, off, off + cov, sum16(p, addrOff, addrOff + alen) + 33 + (len & 0xffff) + Math.floor(len / 0x10000)));
    s += sum !== 0 ? `(incorrect -> 0x${hex4(shouldBe(stored, sum))})` : '(correct)';
  }
  if (verbose) s += ')';
  s += ' ';
  const type = (p[off + 8]! >> 1) & 15;
  const name = DCCP_TYPES[type];
  if (name === undefined) s += `unknown-type-${type} `;
  else {
    fixed += DCCP_EXTRA[type]!;
    if (len < fixed) return { text: `${s}truncated-${name} - ${fixed - len} bytes missing!`, ok: true };
    if (type === 0 || type === 1) {
      const so = type === 0 ? fixed - 4 : fixed - 4;
      if (end < off + fixed) return { text: `${s} [|dccp]`, ok: true };
      s += `${name} (service=${be32(p, off + so)}) `;
    } else if (type === 7) {
      if (end < off + fixed) return { text: `${s} [|dccp]`, ok: true };
      const code = p[off + fixed - 4]!;
      s += `${name} (code=${DCCP_RESET_CODES[code] ?? 'invalid'}) `;
    } else s += `${name} `;
  }
  if (type !== 2 && type !== 0) {
    // The acknowledgment number: 24 or 48 bits after the generic header.
    const a = off + (x ? 16 : 12);
    if (x) {
      if (end < a + 8) return { text: `${s} [|dccp]`, ok: true };
      s += `(ack=${be16(p, a + 2) * 0x100000000 + be32(p, a + 4)}) `;
    } else {
      if (end < a + 4) return { text: `${s} [|dccp]`, ok: true };
      s += `(ack=${(p[a + 1]! << 16) | be16(p, a + 2)}) `;
    }
  }
  if (verbose < 2) return { text: s, ok: true };
  const seq = x ? be16(p, off + 10) * 0x100000000 + be32(p, off + 12) : (p[off + 9]! << 16) | be16(p, off + 10);
  s += `seq ${seq}`;
  if (hlen > fixed) {
    s += ' <';
    let cp = off + fixed;
    let rest = hlen - fixed;
    for (;;) {
      const r = dccpOption(p, cp, rest, end);
      s += r.text;
      if (r.jumped) return { text: `${s} [|dccp]`, ok: true };
      if (!r.len || rest <= r.len) break;
      rest -= r.len;
      cp += r.len;
      s += ', ';
    }
    s += '>';
  }
  return { text: s, ok: true };
}

const DCCP_OPTIONS = new Map([
  [0, 'nop'], [1, 'mandatory'], [2, 'slowreceiver'], [32, 'change_l'], [33, 'confirm_l'], [34, 'change_r'], [35, 'confirm_r'],
  [36, 'initcookie'], [37, 'ndp_count'], [38, 'ack_vector0'], [39, 'ack_vector1'], [40, 'data_dropped'], [41, 'timestamp'],
  [42, 'timestamp_echo'], [43, 'elapsed_time'], [44, 'data_checksum'],
]);
const DCCP_FEATURES = ['reserved', 'ccid', 'allow_short_seqno', 'sequence_window', 'ecn_incapable', 'ack_ratio', 'send_ack_vector',
  'send_ndp_count', 'minimum checksum coverage', 'check data checksum'];

/**
 * One DCCP option as tcpdump's dccp_print_option (-vv): its text and length (0: stop); `jumped`
 * when a read went beyond the capture (tcpdump's longjmp).
 */
function dccpOption(p: Uint8Array, o: number, hlen: number, end: number): { text: string; len: number; jumped: boolean } {
  const jump = (text: string) => ({ text, len: 0, jumped: true });
  if (end < o + 1) return jump('');
  const t = p[o]!;
  const name = DCCP_OPTIONS.get(t) ?? `Option ${t}`;
  let optlen = 1;
  if (t >= 32) {
    if (end < o + 2) return jump('');
    optlen = p[o + 1]!;
    if (optlen < 2) return { text: t >= 128 ? `CCID option ${t} optlen too short` : `${name} optlen too short`, len: 0, jumped: false };
  }
  if (hlen < optlen) return { text: t >= 128 ? `CCID option ${t} optlen goes past header length` : `${name} optlen goes past header length`, len: 0, jumped: false };
  if (end < o + optlen) return { text: ' [|dccp]', len: 0, jumped: false };
  const hexBytes = (from: number, n: number): string => Array.from(p.subarray(from, from + n), (b) => b.toString(16).padStart(2, '0')).join('');
  let s: string;
  if (t >= 128) {
    s = `CCID option ${t}`;
    if (optlen === 4) s += ` ${be16(p, o + 2)}`;
    else if (optlen === 6) s += ` ${be32(p, o + 2)}`;
    return { text: s, len: optlen, jumped: false };
  }
  s = name;
  switch (t) {
    case 32:
    case 33:
    case 34:
    case 35:
      if (optlen < 3) return { text: `${s} optlen too short`, len: optlen, jumped: false };
      if (p[o + 2]! < 10) {
        s += ` ${DCCP_FEATURES[p[o + 2]!]}`;
        for (let i = 0; i < optlen - 3; i++) s += ` ${p[o + 3 + i]}`;
      }
      break;
    case 36:
    case 38:
    case 39:
    case 40:
      if (optlen > 2) s += ` 0x${hexBytes(o + 2, optlen - 2)}`;
      break;
    case 37:
      for (let i = 0; i < optlen - 2; i++) s += ` ${p[o + 2 + i]}`;
      break;
    case 41:
      s += optlen === 6 ? ` ${be32(p, o + 2)}` : ' [optlen != 6]';
      break;
    case 42:
      if (optlen === 6) s += ` ${be32(p, o + 2)}`;
      else if (optlen === 8) s += ` ${be32(p, o + 2)} (elapsed time ${be16(p, o + 6)})`;
      else if (optlen === 10) s += ` ${be32(p, o + 2)} (elapsed time ${be32(p, o + 6)})`;
      else s += ' [optlen != 6 or 8 or 10]';
      break;
    case 43:
      if (optlen === 6) s += ` ${be32(p, o + 2)}`;
      else if (optlen === 4) s += ` ${be16(p, o + 2)}`;
      else s += ' [optlen != 4 or 6]';
      break;
    case 44:
      if (optlen > 2) s += ` ${hexBytes(o + 2, optlen - 2)}`;
      break;
  }
  return { text: s, len: optlen, jumped: false };
}

const RSVP_MSGS = new Map([
  [1, 'Path'], [2, 'Resv'], [3, 'PathErr'], [4, 'ResvErr'], [5, 'PathTear'], [6, 'ResvTear'], [7, 'ResvConf'], [12, 'Bundle'],
  [13, 'Acknowledgement'], [14, 'Hello (Old)'], [15, 'Refresh'], [20, 'Hello'],
]);

/** RSVP (46) without -v as tcpdump's rsvp_print: `RSVPv1 Path Message, length: 244`; null with -v (not reproduced). */
export function rsvp(p: Uint8Array, off: number, len: number, end: number, verbose: number): ProtoText | null {
  if (end < off + 8) return { text: ' [|rsvp]', ok: true };
  const version = p[off]! >> 4;
  if (version !== 1) return { text: `ERROR: RSVP version ${version} packet not supported`, ok: true };
  if (verbose) return null;
  const t = p[off + 1]!;
  return { text: `RSVPv${version} ${RSVP_MSGS.get(t) ?? `unknown (${t})`} Message, length: ${len}`, ok: true };
}

const EIGRP_OPCODES = new Map([[1, 'Update'], [3, 'Query'], [4, 'Reply'], [5, 'Hello'], [6, 'IPX SAP'], [7, 'Probe']]);

/** EIGRP (88) without -v as tcpdump's eigrp_print: `EIGRP Hello, length: 40`; null with -v (not reproduced). */
export function eigrp(p: Uint8Array, off: number, len: number, end: number, verbose: number): ProtoText | null {
  if (end < off + 20) return { text: ' [|eigrp]', ok: true };
  if (p[off] !== 2) return { text: `EIGRP version ${p[off]} packet not supported`, ok: true };
  if (verbose) return null;
  const op = p[off + 1]!;
  return { text: `EIGRP ${EIGRP_OPCODES.get(op) ?? `unknown (${op})`}, length: ${len}`, ok: true };
}

/**
 * IGRP (9) as tcpdump's igrp_print: `igrp: update V1 edit=… AS=… (interior/system/exterior)`,
 * -v's checksum, then the routes (`*.a.b.c` interior, `a.b.c.0` system, `Xa.b.c.0` exterior) with
 * delay, bandwidth, reliability, load, metric, MTU and hops; ` (invalid)` when counts and length
 * disagree, ` [|igrp]` where the capture ends.
 */
export function igrp(p: Uint8Array, off: number, len: number, end: number, verbose: number): ProtoText {
  let s = 'igrp:';
  const need = (o: number, n: number): boolean => end >= o + n;
  if (!need(off, 12)) {
    // tcpdump reads the counts first; a partial header prints nothing more.
    return { text: `${s} [|igrp]`, ok: true };
  }
  let nint = be16(p, off + 4);
  let nsys = be16(p, off + 6);
  let next = be16(p, off + 8);
  const vop = p[off]!;
  const op = vop & 15;
  s += ` ${op === 1 ? 'update' : op === 2 ? 'request' : `op-#${op}`} V${vop >> 4} edit=${p[off + 1]} AS=${be16(p, off + 2)} (${nint}/${nsys}/${next})`;
  if (verbose) s += ` checksum=0x${hex4(be16(p, off + 10))}`;
  let length = (len - 12) >>> 0;
  let cp = off + 12;
  while (length >= 14) {
    if (!need(cp, 3)) return { text: `${s} [|igrp]`, ok: true };
    const net = `${p[cp]}.${p[cp + 1]}.${p[cp + 2]}`;
    if (nint > 0) {
      s += ` *.${net}`;
      nint--;
    } else if (nsys > 0) {
      s += ` ${net}.0`;
      nsys--;
    } else if (next > 0) {
      s += ` X${net}.0`;
      next--;
    } else {
      s += ` [extra bytes ${length}]`;
      break;
    }
    if (!need(cp + 3, 11)) return { text: `${s} [|igrp]`, ok: true };
    const delay = (p[cp + 3]! << 16) | be16(p, cp + 4);
    const bw = (p[cp + 6]! << 16) | be16(p, cp + 7);
    s += ` d=${10 * delay} b=${bw === 0 ? 0 : Math.floor(10000000 / bw)} r=${p[cp + 11]} l=${p[cp + 12]} M=${Math.min(bw + delay, 0xffffff)} mtu=${be16(p, cp + 9)} in ${p[cp + 13]} hops`;
    cp += 14;
    length -= 14;
  }
  if (nint || nsys || next || length) s += ' (invalid)';
  return { text: s, ok: true };
}

/**
 * PGM (113) without -v as tcpdump's pgm_print: the endpoints with their ports
 * (`a.1 > b.2: PGM, length N`, N from the PGM header; only the ports when the packet is not
 * directly in its IP header) and ` [|pgm]` where the capture stops; null with -v (not reproduced).
 */
export function pgm(p: Uint8Array, off: number, end: number, verbose: number, src: string, dst: string, direct: boolean): ProtoText | null {
  if (end < off + 4) return { text: `${src} > ${dst}: [|pgm]`, ok: true };
  const sport = be16(p, off);
  const dport = be16(p, off + 2);
  let s = direct ? `${src}.${sport} > ${dst}.${dport}: ` : `${sport} > ${dport}: `;
  if (end < off + 16) return { text: `${s} [|pgm]`, ok: true };
  s += `PGM, length ${be16(p, off + 14)}`;
  return verbose ? null : { text: s, ok: true };
}
