/**
 * IPv6 extension headers as tcpdump 4.99.3 prints them while it walks the header chain:
 * hop-by-hop (`HBH `, with `(rtalert: 0x0000) (padn) ` under -v), destination options
 * (`DSTOPT `), fragment (`frag (0|1448) `), routing (`RT6 (len=2, type=0 [Deprecated],
 * segleft=1, [0]2001:db8::1) `), the mobility header (`mobility: BU seq#=3 lifetime=…`, which ends
 * the chain) and AH (`AH(spi=0x…,seq=0x…,icv=0x…): `, used after IPv4 too).
 *
 * Technique: each function reads one header at `off`, bounded by `end` (the captured bytes, cut
 * at the IPv6 payload length as tcpdump's snapshot is), and returns its text with `advance`, the
 * header's length, or `advance: -1` when tcpdump stops there (truncated, invalid, a later
 * fragment); `ok: false` marks text we do not reproduce exactly.
 */
import { ipv6At } from '../addr.ts';
import { be16, be32 } from './bytes.ts';

export interface ExtResult {
  text: string;
  /** Bytes to skip to the next header; -1 ends the dissection after `text`. */
  advance: number;
  /** False when the text is not tcpdump's exactly (options we do not render). */
  ok: boolean;
  /** Hop-by-hop: a Jumbo Payload option's length, when one was found. */
  jumbo?: number;
}

/** The option list of a hop-by-hop or destination options header (tcpdump's ip6_opt_process). */
function options(p: Uint8Array, off: number, len: number, verbose: number, hbh: boolean, plenZero: boolean): { text: string; ok: boolean; trunc: boolean; jumbo?: number } {
  let s = '';
  let ok = true;
  let jumbo: number | undefined;
  if (len === 0) return { text: '', ok, trunc: false };
  for (let i = 0; i < len; ) {
    const t = p[off + i]!;
    let optlen: number;
    if (t === 0) optlen = 1;
    else if (i + 1 < len) optlen = p[off + i + 1]! + 2;
    else return { text: s, ok, trunc: true };
    if (i + optlen > len) return { text: s, ok, trunc: true };
    if (t === 0) {
      if (verbose) s += '(pad1)';
    } else if (t === 1) {
      if (len - i < 2) return { text: `${s}(padn: trunc)`, ok, trunc: true };
      if (verbose) s += '(padn)';
    } else if (t === 5) {
      if (len - i < 4) return { text: `${s}(rtalert: trunc)`, ok, trunc: true };
      if (p[off + i + 1] !== 2) return { text: `${s}(rtalert: invalid len ${p[off + i + 1]})`, ok, trunc: true };
      if (verbose) s += `(rtalert: 0x${be16(p, off + i + 2).toString(16).padStart(4, '0')}) `;
    } else if (t === 0xc2) {
      if (len - i < 6) return { text: `${s}(jumbo: trunc)`, ok, trunc: true };
      if (p[off + i + 1] !== 4) return { text: `${s}(jumbo: invalid len ${p[off + i + 1]})`, ok, trunc: true };
      const j = be32(p, off + i + 2);
      if (jumbo !== undefined) {
        if (verbose) s += `(jumbo: ${j} - already seen) `;
      } else {
        jumbo = j;
        if (verbose) {
          if (!hbh) s += `(jumbo: ${j} - not a hop-by-hop option) `;
          else if (!plenZero) s += `(jumbo: ${j} - payload len != 0) `;
          else s += j < 65536 ? `(jumbo: ${j} - < 65536) ` : `(jumbo: ${j}) `;
        }
      }
    } else if (t === 0xc9) {
      // Home address option: not reproduced.
      ok = false;
      if (verbose) s += '(homeaddr)';
    } else {
      if (len - i < 2) return { text: `${s}(type ${t}: trunc)`, ok, trunc: true };
      if (verbose) s += `(opt_type 0x${t.toString(16).padStart(2, '0')}: len=${p[off + i + 1]})`;
    }
    i += optlen;
  }
  if (verbose) s += ' ';
  return { text: s, ok, trunc: false, ...(jumbo !== undefined ? { jumbo } : {}) };
}

/** Hop-by-hop options header (next header 0). `plenZero`: the IPv6 payload length was 0. */
export function hopByHop(p: Uint8Array, off: number, end: number, verbose: number, plenZero: boolean): ExtResult {
  if (end < off + 2) return { text: ' [|hbhopt]', advance: -1, ok: true };
  const hlen = (p[off + 1]! + 1) * 8;
  if (end < off + hlen) return { text: ' [|hbhopt]', advance: -1, ok: true };
  const o = options(p, off + 2, hlen - 2, verbose, true, plenZero);
  const text = `HBH ${o.text}`;
  if (o.trunc) return { text: `${text} [|hbhopt]`, advance: -1, ok: o.ok };
  return { text, advance: hlen, ok: o.ok, ...(o.jumbo !== undefined ? { jumbo: o.jumbo } : {}) };
}

/** Destination options header (next header 60). */
export function destOptions(p: Uint8Array, off: number, end: number, verbose: number): ExtResult {
  if (end < off + 2) return { text: ' [|dstopt]', advance: -1, ok: true };
  const hlen = (p[off + 1]! + 1) * 8;
  if (end < off + hlen) return { text: ' [|dstopt]', advance: -1, ok: true };
  let text = 'DSTOPT ';
  if (verbose) {
    const o = options(p, off + 2, hlen - 2, verbose, false, false);
    text += o.text;
    if (o.trunc) return { text: `${text} [|dstopt]`, advance: -1, ok: o.ok };
    return { text, advance: hlen, ok: o.ok };
  }
  return { text, advance: hlen, ok: true };
}

/**
 * Fragment header (44): `frag (offset|length) ` where length is what follows this header within
 * the payload length; a later fragment ends the dissection. `ip6` is the IPv6 header's offset.
 */
export function fragment(p: Uint8Array, off: number, end: number, verbose: number, ip6: number): ExtResult {
  if (end < off + (verbose ? 8 : 4)) return { text: ' [|frag6]', advance: -1, ok: true };
  const fo = be16(p, off + 2) & 0xfff8;
  // (computed by tcpdump as an unsigned size: a header past the payload length wraps around)
  const restN = 40 + be16(p, ip6 + 4) - (off - ip6) - 8;
  const rest = restN >= 0 ? `${restN}` : (BigInt(restN) + (1n << 64n)).toString();
  const text = verbose ? `frag (0x${be32(p, off + 4).toString(16).padStart(8, '0')}:${fo}|${rest})` : `frag (${fo}|${rest})`;
  if (fo !== 0) return { text, advance: -1, ok: true };
  return { text: `${text} `, advance: 8, ok: true };
}

/** Routing header (43): types 0 and 2 (addresses) and 4 (segment routing). */
export function routing(p: Uint8Array, off: number, end: number, verbose: number): ExtResult {
  if (end < off + 4) return { text: 'RT6 [|rt6]', advance: -1, ok: true };
  let len = p[off + 1]!;
  const type = p[off + 2]!;
  let s = `RT6 (len=${len}, type=${type}${type === 0 ? ' [Deprecated]' : ''}, segleft=${p[off + 3]}`;
  let addrs: number;
  if (type === 0 || type === 2) {
    if (end < off + 8) return { text: `${s} [|rt6]`, advance: -1, ok: true };
    const rsv = be32(p, off + 4);
    if (rsv || verbose) s += `, rsv=0x${rsv.toString(16)}`;
    addrs = off + 8;
  } else if (type === 4) {
    if (end < off + 8) return { text: `${s} [|rt6]`, advance: -1, ok: true };
    s += `, last-entry=${p[off + 4]}`;
    const flags = p[off + 5]!;
    if (flags || verbose) s += `, flags=0x${flags.toString(16)}`;
    s += `, tag=${be16(p, off + 6).toString(16)}`;
    addrs = off + 8;
  } else {
    return { text: `${s} (unknown type) (invalid)`, advance: -1, ok: true };
  }
  if (len % 2 === 1) return { text: `${s} (invalid length ${len}) (invalid)`, advance: -1, ok: true };
  len >>= 1;
  for (let i = 0; i < len; i++) {
    if (end < addrs + 16) return { text: `${s} [|rt6]`, advance: -1, ok: true };
    s += `, [${i}]${ipv6At(p, addrs)}`;
    addrs += 16;
  }
  return { text: `${s}) `, advance: (p[off + 1]! + 1) * 8, ok: true };
}

const MH_TYPES = ['BRR', 'HoTI', 'CoTI', 'HoT', 'CoT', 'BU', 'BA', 'BE'];
const MH_MINLEN = [8, 16, 16, 24, 24, 12, 12, 24];

/** Mobility header (135, old 62): `mobility: BU seq#=1 A lifetime=4`; the chain ends after it. */
export function mobility(p: Uint8Array, off: number, end: number, verbose: number): ExtResult {
  const trunc = (s: string): ExtResult => ({ text: `${s} [|mobility]`, advance: -1, ok: true });
  if (end < off + 2) return trunc('');
  const mhlen = (p[off + 1]! + 1) * 8;
  if (end < off + 3) return trunc('');
  const type = p[off + 2]!;
  if (type <= 7 && mhlen < MH_MINLEN[type]!) return trunc(`(header length ${mhlen} is too small for type ${type})`);
  let s = `mobility: ${MH_TYPES[type] ?? `type-#${type}`}`;
  const need = (n: number): boolean => end >= off + n;
  let hlen = 8;
  switch (type) {
    case 0:
      break;
    case 1:
    case 2:
      if (verbose) {
        if (!need(16)) return trunc(s);
        s += ` ${type === 1 ? 'Home' : 'Care-of'} Init Cookie=${hex8(be32(p, off + 8))}:${hex8(be32(p, off + 12))}`;
      }
      hlen = 16;
      break;
    case 3:
    case 4:
      if (!need(8)) return trunc(s);
      s += ` nonce id=0x${be16(p, off + 6).toString(16)}`;
      if (verbose) {
        if (!need(24)) return trunc(s);
        const w = type === 3 ? 'Home' : 'Care-of';
        s += ` ${w} Init Cookie=${hex8(be32(p, off + 8))}:${hex8(be32(p, off + 12))}`;
        s += ` ${w} Keygen Token=${hex8(be32(p, off + 16))}:${hex8(be32(p, off + 20))}`;
      }
      hlen = 24;
      break;
    case 5: {
      if (!need(8)) return trunc(s);
      s += ` seq#=${be16(p, off + 6)}`;
      if (!need(9)) return trunc(s);
      const bits = p[off + 8]! >> 4;
      if (bits) {
        const names = ([[8, 'A'], [4, 'H'], [2, 'L'], [1, 'K']] as const).filter(([b]) => bits & b).map(([, n]) => n);
        s += ` ${names.join('')}`;
      }
      if (!need(12)) return trunc(s);
      s += ` lifetime=${be16(p, off + 10) << 2}`;
      hlen = 12;
      break;
    }
    case 6:
      if (!need(7)) return trunc(s);
      s += ` status=${p[off + 6]}`;
      if (!need(8)) return trunc(s);
      if (p[off + 7]! & 0x80) s += ' K';
      if (!need(10)) return trunc(s);
      s += ` seq#=${be16(p, off + 8)}`;
      if (!need(12)) return trunc(s);
      s += ` lifetime=${be16(p, off + 10) << 2}`;
      hlen = 12;
      break;
    case 7:
      if (!need(24)) return trunc(s);
      s += ` status=${p[off + 6]} homeaddr ${ipv6At(p, off + 8)}`;
      hlen = 24;
      break;
    default:
      return { text: `${s} len=${p[off + 1]}`, advance: mhlen, ok: true };
  }
  if (verbose) {
    const o = mobilityOptions(p, off + hlen, mhlen - hlen, end);
    s += o.text;
    if (o.trunc) return trunc(s);
  }
  return { text: s, advance: mhlen, ok: true };
}

/**
 * The mobility options (-v). tcpdump checks that the byte after each option was captured before
 * printing it, so a packet that ends with its last option ends in "[|mobility]".
 */
function mobilityOptions(p: Uint8Array, off: number, len: number, end: number): { text: string; trunc: boolean } {
  let s = '';
  for (let i = 0; i < len; ) {
    const t = p[off + i]!;
    let optlen: number;
    if (t === 0) optlen = 1;
    else if (i + 1 < len) optlen = p[off + i + 1]! + 2;
    else return { text: s, trunc: true };
    if (i + optlen > len || end < off + i + optlen + 1) return { text: s, trunc: true };
    const rest = len - i;
    if (t === 0) s += '(pad1)';
    else if (t === 1) {
      if (rest < 2) return { text: `${s}(padn: trunc)`, trunc: true };
      s += '(padn)';
    } else if (t === 2) {
      if (rest < 4) return { text: `${s}(refresh: trunc)`, trunc: true };
      s += `(refresh: ${be16(p, off + i + 2) << 2})`;
    } else if (t === 3) {
      if (rest < 18) return { text: `${s}(altcoa: trunc)`, trunc: true };
      s += `(alt-CoA: ${ipv6At(p, off + i + 2)})`;
    } else if (t === 4) {
      if (rest < 6) return { text: `${s}(ni: trunc)`, trunc: true };
      s += `(ni: ho=0x${be16(p, off + i + 2).toString(16).padStart(4, '0')} co=0x${be16(p, off + i + 4).toString(16).padStart(4, '0')})`;
    } else if (t === 5) {
      if (rest < 12) return { text: `${s}(auth: trunc)`, trunc: true };
      s += '(auth)';
    } else {
      if (rest < 2) return { text: `${s}(sopt_type ${t}: trunc)`, trunc: true };
      s += `(type-0x${t.toString(16).padStart(2, '0')}: len=${p[off + i + 1]})`;
    }
    i += optlen;
  }
  return { text: s, trunc: false };
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** AH (51): `AH(spi=0x00000100,seq=0x13,icv=0x…): `, with `length=4(24-bytes),` under -v. */
export function ah(p: Uint8Array, off: number, end: number, verbose: number): ExtResult {
  if (end < off + 2) return { text: 'AH( [|ah]', advance: -1, ok: true };
  const alen = p[off + 1]!;
  const hlen = (alen + 2) * 4;
  let s = 'AH(';
  if (verbose) s += `length=${alen}(${hlen}-bytes),`;
  if (end < off + 4) return { text: `${s} [|ah]`, advance: -1, ok: true };
  const rsv = be16(p, off + 2);
  if (rsv) s += `reserved=0x${rsv.toString(16)}[MustBeZero],`;
  if (end < off + 8) return { text: `${s} [|ah]`, advance: -1, ok: true };
  s += `spi=0x${hex8(be32(p, off + 4))},`;
  if (end < off + 12) return { text: `${s} [|ah]`, advance: -1, ok: true };
  s += `seq=0x${be32(p, off + 8).toString(16)},icv=0x`;
  for (let i = off + 12; i < off + hlen; i++) {
    if (i >= end) return { text: `${s} [|ah]`, advance: -1, ok: true };
    s += p[i]!.toString(16).padStart(2, '0');
  }
  return { text: `${s}): `, advance: hlen, ok: true };
}
