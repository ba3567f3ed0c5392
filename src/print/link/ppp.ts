/**
 * PPP and PPPoE as tcpdump 4.99.3 prints them (print-ppp.c, print-pppoe.c): the PPP link types
 * (LINKTYPE_PPP 9, PPP over serial/HDLC 50, PPPoE frames without their Ethernet header 51) and
 * the PPPoE ethertypes (0x8863 discovery, 0x8864 session) behind Ethernet.
 *
 * What is reproduced: the PPP header (address/control, In/Out of pppd, protocol field with or
 * without compression) and `-e`'s `NAME (0xNNNN), length N: `; the control protocols (LCP, IPCP,
 * IP6CP, CCP, BACP, OSICP, MPLSCP) with code, id and length, and under -v their encoded length,
 * LCP options (MRU, ACCM, authentication protocol, quality protocol, magic number, PFC, ACFC,
 * MRRU, link discriminator), IPCP address options and the magic number of echo/discard
 * requests; CHAP and PAP messages; multilink fragments; IPv4, IPv6 and MPLS payloads handed back
 * to the packet printer; PPPoE discovery codes and tags, and session headers before PPP.
 * Everything else (HDLC-escaped frames, IPX and OSI payloads, other options, -vv's hex of each
 * option) prints tcpdump's leading text and is marked approximate.
 *
 * Technique: like the other link decoders here, pure functions of (bytes, offset, wire length,
 * captured end) returning text and the next layer, with `approx` where a form is not verified.
 */
import { be16, be32, hex, type L2Options, type L2Result } from './l2.ts';
import { mpls } from './ethertypes.ts';
import { osi } from './isis.ts';
import { hexDump } from '../hexdump.ts';
import { printChar as fnChar } from '../ip/bytes.ts';
import { ipx } from './ipx.ts';

/** tcpdump's print_unknown_data: hex lines, each starting with `indent`, of the captured part. */
function unknownData(p: Uint8Array, off: number, len: number, end: number, indent: string): string {
  const stop = Math.min(off + Math.max(len, 0), end);
  return stop > off ? hexDump(p, off, stop).replaceAll('\n\t', indent) : '';
}

/** tcpdump's ppptype2str. */
const PPP_TYPES: ReadonlyMap<number, string> = new Map([
  [0x0021, 'IP'], [0x0023, 'OSI'], [0x0025, 'NS'], [0x0027, 'DECNET'], [0x0029, 'APPLE'], [0x002b, 'IPX'],
  [0x002d, 'VJC IP'], [0x002f, 'VJNC IP'], [0x0031, 'BRPDU'], [0x0033, 'STII'], [0x0035, 'VINES'],
  [0x0281, 'MPLS'], [0x0283, 'MPLS'], [0x00fd, 'Compressed'], [0x003d, 'MLPPP'], [0x0057, 'IP6'],
  [0x0201, 'HELLO'], [0x0231, 'LUXCOM'], [0x0233, 'SNS'], [0x8021, 'IPCP'], [0x8023, 'OSICP'], [0x8025, 'NSCP'],
  [0x8027, 'DECNETCP'], [0x8029, 'APPLECP'], [0x802b, 'IPXCP'], [0x8033, 'STIICP'], [0x8035, 'VINESCP'],
  [0x8057, 'IP6CP'], [0x8281, 'MPLSCP'], [0xc021, 'LCP'], [0xc023, 'PAP'], [0xc025, 'LQM'], [0xc223, 'CHAP'],
  [0xc227, 'EAP'], [0xc027, 'SPAP'], [0xc123, 'Old-SPAP'], [0xc02b, 'BACP'], [0xc02d, 'BAP'], [0xc03d, 'MLPPP-CP'],
  [0x80fd, 'CCP'],
]);

const CP_CODES: readonly string[] = [
  'Vendor-Extension', 'Conf-Request', 'Conf-Ack', 'Conf-Nack', 'Conf-Reject', 'Term-Request', 'Term-Ack', 'Code-Reject',
  'Prot-Reject', 'Echo-Request', 'Echo-Reply', 'Disc-Req', 'Ident', 'Time-Rem', 'Reset-Req', 'Reset-Ack',
];

const LCP_OPTS: readonly string[] = [
  'Vend-Ext', 'MRU', 'ACCM', 'Auth-Prot', 'Qual-Prot', 'Magic-Num', 'deprecated(6)', 'PFC', 'ACFC', 'FCS-Alt', 'SDP',
  'Num-Mode', 'deprecated(12)', 'Call-Back', 'deprecated(14)', 'deprecated(15)', 'deprecated(16)', 'MRRU',
  '12-Bit seq #', 'End-Disc', 'Proprietary', 'DCE-Id', 'MP+', 'Link-Disc', 'LCP-Auth-Opt', 'COBS', 'Prefix-elision',
  'Multilink-header-Form', 'I18N', 'SDL-over-SONET/SDH', 'PPP-Muxing',
];

const IPCP_OPTS: ReadonlyMap<number, string> = new Map([
  [1, 'IP-Addrs'], [2, 'IP-Comp'], [3, 'IP-Addr'], [4, 'Home-Addr'], [129, 'Pri-DNS'], [130, 'Pri-NBNS'], [131, 'Sec-DNS'], [132, 'Sec-NBNS'],
]);

const AUTH_ALGS: ReadonlyMap<number, string> = new Map([[5, 'MD5'], [128, 'MS-CHAPv1'], [129, 'MS-CHAPv2']]);

const CONTROL_PROTOCOLS: ReadonlySet<number> = new Set([0xc021, 0x8021, 0x8023, 0x8281, 0x8057, 0x80fd, 0xc02b]);

const PPPOE_CODES: ReadonlyMap<number, string> = new Map([[0x09, 'PADI'], [0x07, 'PADO'], [0x19, 'PADR'], [0x65, 'PADS'], [0xa7, 'PADT'], [0, '']]);

const PPPOE_TAGS: ReadonlyMap<number, string> = new Map([
  [0, 'EOL'], [0x0101, 'Service-Name'], [0x0102, 'AC-Name'], [0x0103, 'Host-Uniq'], [0x0104, 'AC-Cookie'],
  [0x0105, 'Vendor-Specific'], [0x0110, 'Relay-Session-ID'], [0x0120, 'PPP-Max-Payload'],
  [0x0201, 'Service-Name-Error'], [0x0202, 'AC-System-Error'], [0x0203, 'Generic-Error'],
]);

const ipv4 = (p: Uint8Array, o: number): string => `${p[o]}.${p[o + 1]}.${p[o + 2]}.${p[o + 3]}`;

/** A payload handed on: text before it, and where it starts. */
function next(text: string, type: number, off: number, len: number, end: number, hdrlen?: number): L2Result {
  return { text, next: { type, off, len, end }, hdrlen };
}

/**
 * tcpdump's handle_ppp: protocol `proto` at `off` (length `len` on the wire, captured to `end`).
 * `prefix` is the text already printed for the link.
 */
function handlePpp(proto: number, p: Uint8Array, off: number, len: number, end: number, o: L2Options, prefix: string): PppResult {
  if ((proto & 0xff00) === 0x7e00) return hdlcEscaped(p, off - 1, end, o, prefix);
  if (CONTROL_PROTOCOLS.has(proto)) return controlProtocol(proto, p, off, len, end, o, prefix);
  switch (proto) {
    case 0x003d: {
      let s = prefix + (o.linkHeader ? '' : 'MLPPP, ');
      if (len < 2 || end < off + 2) return { text: `${s}[|mlppp]` };
      const f = p[off]! & 0xc0;
      const flags = [f & 0x80 ? 'begin' : '', f & 0x40 ? 'end' : ''].filter((x) => x !== '').join(', ');
      s += `seq 0x${hex(be16(p, off) & 0x0fff, 3)}, Flags [${flags === '' ? 'none' : flags}], length ${len}`;
      return { text: s };
    }
    case 0xc223:
      return chap(p, off, len, end, prefix);
    case 0xc023:
      return pap(p, off, len, end, prefix);
    case 0xc02d:
      return { text: prefix };
    case 0x0800:
    case 0x002f:
    case 0x0021:
      return next(prefix, 0x0800, off, len, end);
    case 0x86dd:
    case 0x0057:
      return next(prefix, 0x86dd, off, len, end);
    case 0x0281:
    case 0x0283: {
      const r = mpls(p, off, len, end, o);
      return { ...r, text: prefix + r.text };
    }
    case 0x00fd:
      return { text: `${prefix}compressed PPP data` };
    case 0x0023: {
      // OSI: the NLPID and what follows, as after Cisco HDLC or LLC (./isis.ts).
      const r = osi(p, off, len, end, o);
      return { ...r, text: prefix + r.text };
    }
    default:
      // IPX, OSI and unknown protocols (tcpdump: the name and a hex print of the payload).
      if (proto === 0x002b || proto === 0x8137) {
        const r = ipx(p, off, end, o);
        return { text: prefix + r.text, approx: !r.exact };
      }
      return { text: `${prefix}${PPP_TYPES.get(proto) ?? `unknown PPP protocol (0x${hex(proto, 4)})`} ${unknownData(p, off, len, end, '\n\t')}` };
  }
}

/**
 * tcpdump's ppp_hdlc: a frame still in HDLC's byte stuffing (0x7d escapes) from `start` to the
 * capture's end. The bytes are unescaped into a copy of the packet (the layers after it are read
 * from that copy, `data`), then the protocol is guessed: one byte (IPv4 0x21, IPv6 0x57), an
 * address/control pair and a protocol, or a two-byte protocol.
 */
function hdlcEscaped(p: Uint8Array, start: number, end: number, o: L2Options, prefix: string): PppResult {
  const out: number[] = [];
  for (let i = start; i < end; i++) {
    let c = p[i]!;
    if (c === 0x7d) {
      if (i + 1 >= end) break;
      c = p[++i]! ^ 0x20;
    }
    out.push(c);
  }
  const b = new Uint8Array(start + out.length);
  b.set(p.subarray(0, start));
  b.set(out, start);
  const stop = b.length;
  const length = out.length;
  // (what tcpdump's truncation mark says here is not confirmed)
  if (length < 1) return { text: prefix, approx: true };
  const first = b[start]!;
  if (first === 0x21) return { text: prefix, data: b, next: { type: 0x0800, off: start + 1, len: length - 1, end: stop } };
  if (first === 0x57) return { text: prefix, data: b, next: { type: 0x86dd, off: start + 1, len: length - 1, end: stop } };
  if (length < 2) return { text: prefix, approx: true };
  let proto = be16(b, start);
  let at = start + 2;
  if (proto === 0xff03) {
    if (length < 4) return { text: prefix, approx: true };
    proto = be16(b, start + 2);
    at = start + 4;
  }
  if ((proto & 0xff00) === 0x7e00) return { text: `${prefix}(protocol 0x${hex(proto, 4)} invalid)` };
  const r = handlePpp(proto, b, at, length - (at - start), stop, o, prefix);
  return { ...r, data: b };
}

/** A decoder's result; `data`, when set, is the packet the following layers are read from. */
export type PppResult = L2Result & { data?: Uint8Array };

/** LCP, IPCP, CCP …: code, id, length; -v the encoded length and (some of) the options. */
function controlProtocol(proto: number, p: Uint8Array, off: number, len: number, end: number, o: L2Options, prefix: string): L2Result {
  const name = PPP_TYPES.get(proto) ?? `unknown ctrl-proto (0x${hex(proto, 4)})`;
  let s = `${prefix}${name}, `;
  if (len < 4) return { text: `${s}[|${name}]` };
  if (end < off + 2) return { text: s, approx: true };
  const code = p[off]!;
  s += `${CP_CODES[code] ?? 'Unknown Opcode'} (0x${hex(code, 2)}), id ${p[off + 1]}, length ${len + 2}`;
  if (o.verbose === 0) return { text: s };
  if (end < off + 4) return { text: s, approx: true };
  const enc = be16(p, off + 2);
  if (enc < 4) return { text: `${s}\n\tencoded length ${enc} (< 4))` };
  if (enc > len) return { text: `${s}\n\tencoded length ${enc} (> packet length ${len}))` };
  s += `\n\tencoded length ${enc} (=Option(s) length ${enc - 4})`;
  if (enc === 4) return { text: s };
  let approx = false;
  const body = off + 4;
  if (end < off + enc) return { text: s, approx: true };
  // -vv: the protocol field and the message header in hex.
  if (o.verbose > 1) s += unknownData(p, off - 2, 6, end, '\n\t');
  switch (code) {
    case 1:
    case 2:
    case 3:
    case 4: {
      if (proto !== 0xc021 && proto !== 0x8021) return { text: s, approx: true };
      let t = body;
      let left = enc - 4;
      while (left !== 0) {
        const r = proto === 0xc021 ? lcpOption(p, t, enc, o.verbose) : ipcpOption(p, t, enc, o);
        s += r.text;
        if (r.approx) approx = true;
        if (r.advance === 0) break;
        if (left < r.advance) {
          s += ` [remaining options length ${left} < ${r.advance}] (invalid)`;
          break;
        }
        left -= r.advance;
        t += r.advance;
      }
      return { text: s, approx };
    }
    case 5:
    case 6:
    case 7:
      return { text: s, approx };
    case 9:
    case 10:
    case 11:
      if (enc < 8) return { text: s, approx };
      s += `\n\t  Magic-Num 0x${hex(be32(p, body), 8)}`;
      if (enc > 8) s += `\n\t  -----trailing data-----${unknownData(p, body + 4, enc - 8, end, '\n\t  ')}`;
      return { text: s, approx };
    default:
      return { text: s, approx: true };
  }
}

interface OptionText { text: string; advance: number; approx?: boolean; /** false: no -vv hex dump follows */ dump?: boolean }

/** One LCP option as print_lcp_config_options prints it (`length` is the encoded length). */
function lcpOption(p: Uint8Array, t: number, length: number, verbose: number): OptionText {
  const r = lcpOptionText(p, t, length, verbose);
  // -vv: every option's value in hex too (not after a length complaint).
  if (verbose > 1 && r.dump !== false && r.advance > 0) r.text += unknownData(p, t + 2, p[t + 1]! - 2, t + r.advance, '\n\t    ');
  return r;
}

function lcpOptionText(p: Uint8Array, t: number, length: number, verbose: number): OptionText {
  if (length < 2) return { text: '', advance: 0 };
  const opt = p[t]!;
  const len = p[t + 1]!;
  if (length < len) return { text: '', advance: 0 };
  const name = LCP_OPTS[opt];
  if (len < 2) {
    return { text: name !== undefined ? `\n\t  ${name} Option (0x${hex(opt, 2)}), length ${len} (length bogus, should be >= 2)` : `\n\tunknown LCP option 0x${hex(opt, 2)}`, advance: 0 };
  }
  if (name === undefined) return { text: `\n\tunknown LCP option 0x${hex(opt, 2)}`, advance: len, dump: false };
  let s = `\n\t  ${name} Option (0x${hex(opt, 2)}), length ${len}`;
  const bogus = (want: string, advance: number): OptionText => ({ text: `${s} (length bogus, should be ${want})`, advance, dump: false });
  switch (opt) {
    case 1: // MRU
    case 17: // MRRU
      if (len !== 4) return bogus('= 4', len);
      return { text: `${s}: ${be16(p, t + 2)}`, advance: len };
    case 2: // ACCM
      if (len !== 6) return bogus('= 6', len);
      return { text: `${s}: 0x${hex(be32(p, t + 2), 8)}`, advance: len };
    case 3: { // Auth-Prot
      if (len < 4) return bogus('>= 4', len);
      const ap = be16(p, t + 2);
      s += `: ${PPP_TYPES.get(ap) ?? 'Unknown Auth Proto (0x04x)'}`;
      if (ap === 0xc223) {
        const alg = p[t + 4]!;
        s += `, ${AUTH_ALGS.get(alg) ?? `Unknown Auth Alg ${alg}`}`;
        return { text: s, advance: len };
      }
      if (ap === 0xc023 || ap === 0xc227 || ap === 0xc027 || ap === 0xc123) return { text: s, advance: len };
      return { text: s + unknownData(p, t, len, t + len, '\n\t'), advance: len };
    }
    case 4: // Qual-Prot
      if (len < 4) return bogus('>= 4', 0);
      return { text: `${s}: ${be16(p, t + 2) === 0xc025 ? 'LQR' : 'unknown'}`, advance: len };
    case 5: // Magic-Num
      if (len !== 6) return bogus('= 6', 0);
      return { text: `${s}: 0x${hex(be32(p, t + 2), 8)}`, advance: len };
    case 7:
    case 8:
      return { text: s, advance: len };
    case 23: // Link-Disc
      if (len !== 4) return bogus('= 4', 0);
      return { text: `${s}: 0x${hex(be16(p, t + 2), 4)}`, advance: len };
    case 0: // Vend-Ext (vendor names), Call-Back, End-Disc: not reproduced
    case 13:
    case 19:
      return { text: s, advance: len, approx: true };
    default:
      // Options tcpdump does not decode: their value in hex (once, also with -vv).
      return { text: verbose < 2 ? s + unknownData(p, t + 2, len - 2, t + len, '\n\t    ') : s, advance: len };
  }
}

/** One IPCP option as print_ipcp_config_options prints it. */
function ipcpOption(p: Uint8Array, t: number, length: number, o: L2Options): OptionText {
  if (length < 2) return { text: '', advance: 0 };
  const opt = p[t]!;
  const len = p[t + 1]!;
  if (length < len) return { text: '', advance: 0 };
  const s = `\n\t  ${IPCP_OPTS.get(opt) ?? 'unknown'} Option (0x${hex(opt, 2)}), length ${len}`;
  if (len < 2) return { text: `${s} (length bogus, should be >= 2)`, advance: 0 };
  const r = ipcpOptionText(p, t, len, s, o);
  if (o.verbose > 1 && r.dump !== false) r.text += unknownData(p, t + 2, len - 2, t + len, '\n\t    ');
  return r;
}

function ipcpOptionText(p: Uint8Array, t: number, len: number, s: string, o: L2Options): OptionText {
  const opt = p[t]!;
  switch (opt) {
    case 1:
      if (len !== 10) return { text: `${s} (length bogus, should be = 10)`, advance: len, dump: false };
      return { text: `${s}: src ${ipv4(p, t + 2)}, dst ${ipv4(p, t + 6)}`, advance: len, approx: o.names };
    case 3:
    case 4:
    case 129:
    case 130:
    case 131:
    case 132:
      if (len !== 6) return { text: `${s} (length bogus, should be = 6)`, advance: 0, dump: false };
      // (with names on, tcpdump may print a host name from the hosts file)
      return { text: `${s}: ${ipv4(p, t + 2)}`, advance: len, approx: o.names };
    case 2: // IP-Comp: not reproduced
      return { text: s, advance: len, approx: true };
    default:
      return { text: o.verbose < 2 ? s + unknownData(p, t + 2, len - 2, t + len, '\n\t    ') : s, advance: len };
  }
}

function chap(p: Uint8Array, off: number, length: number, end: number, prefix: string): L2Result {
  if (length < 1) return { text: `${prefix}[|chap]` };
  if (end <= off) return { text: prefix, approx: true };
  if (length < 4) return { text: `${prefix}[|chap 0x${hex(p[off]!, 2)}]` };
  if (end < off + Math.max(4, length)) return { text: prefix, approx: true };
  const code = p[off]!;
  const names = ['', 'Challenge', 'Response', 'Success', 'Fail'];
  let s = `${prefix}CHAP, ${names[code] || 'unknown'} (0x${hex(code, 2)}), id ${p[off + 1]}`;
  const len = be16(p, off + 2);
  let q = off + 4;
  if (code === 1 || code === 2) {
    if (length - (q - off) < 1) return { text: s };
    const vs = p[q++]!;
    if (length - (q - off) < vs) return { text: s };
    s += ', Value ';
    for (let i = 0; i < vs; i++) s += hex(p[q++]!, 2);
    const ns = len - (q - off);
    if (q + ns > end || ns < 0) return { text: s, approx: true };
    s += ', Name ';
    for (let i = 0; i < ns; i++) s += fnChar(p[q++]!);
  } else if (code === 3 || code === 4) {
    const ms = len - (q - off);
    if (q + ms > end || ms < 0) return { text: s, approx: true };
    s += ', Msg ';
    for (let i = 0; i < ms; i++) s += fnChar(p[q++]!);
  }
  return { text: s };
}

function pap(p: Uint8Array, off: number, length: number, end: number, prefix: string): L2Result {
  if (length < 1) return { text: `${prefix}[|pap]` };
  if (end <= off) return { text: prefix, approx: true };
  if (length < 4) return { text: `${prefix}[|pap 0x${hex(p[off]!, 2)}]` };
  if (end < off + 4) return { text: prefix, approx: true };
  const code = p[off]!;
  const names = ['', 'Auth-Req', 'Auth-ACK', 'Auth-NACK'];
  let s = `${prefix}PAP, ${names[code] || 'unknown'} (0x${hex(code, 2)}), id ${p[off + 1]}`;
  const len = be16(p, off + 2);
  if (len > length) return { text: `${s}, length ${len} > packet size` };
  if (len < 4) return { text: `${s}, length ${len} < PAP header length` };
  if (end < off + len) return { text: s, approx: true };
  let q = off + 4;
  const field = (label: string): boolean => {
    if (len - (q - off) < 1) return false;
    const n = p[q++]!;
    if (len - (q - off) < n) return false;
    s += `, ${label} `;
    for (let i = 0; i < n; i++) s += fnChar(p[q++]!);
    return true;
  };
  if (code === 1) {
    if (len < 6) return { text: `${s}[|pap]` };
    if (field('Peer')) field('Name');
  } else if (code === 2 || code === 3) {
    if (len < 5) return { text: `${s}[|pap]` };
    field('Msg');
  }
  return { text: s };
}

/**
 * tcpdump's ppp_print: address/control (or pppd's In/Out), the protocol field, then handle_ppp.
 * `hdrBase` is where the PPP frame starts in the packet (for the -x dumps' start).
 */
export function pppFrame(p: Uint8Array, off: number, length: number, end: number, o: L2Options, prefix = ''): PppResult {
  const olen = length;
  let s = prefix;
  if (length < 2) return { text: `${s} [|ppp]`, approx: end < off + 2 };
  if (end < off + 2) return { text: `${s} [|ppp]`, approx: true };
  const h = be16(p, off);
  if (h === 0x0003 || h === 0x0103 || h === 0xff03) {
    if (o.linkHeader && h === 0x0003) s += 'In  ';
    if (o.linkHeader && h === 0x0103) s += 'Out ';
    off += 2;
    length -= 2;
  }
  if (length < 2) return { text: `${s} [|ppp]` };
  if (end < off + 2) return { text: `${s} [|ppp]`, approx: true };
  let proto: number;
  if (p[off]! % 2) {
    proto = p[off]!;
    off++;
    length--;
  } else {
    proto = be16(p, off);
    off += 2;
    length -= 2;
  }
  const hdrlen = off;
  if (o.linkHeader) {
    const name = PPP_TYPES.get(proto);
    s += `${name ?? 'unknown'} (0x${hex(proto, 4)}), length ${olen}`;
    if (name === undefined) return { text: s, hdrlen };
    s += ': ';
  }
  const r = handlePpp(proto, p, off, length, end, o, s);
  return { ...r, hdrlen: r.hdrlen ?? hdrlen };
}

/** LINKTYPE_PPP (9): at least the 4-byte header captured, then ppp_print. */
export function pppLink(p: Uint8Array, cap: number, length: number, o: L2Options): PppResult {
  if (cap < 4) return { text: ' [|ppp]', hdrlen: cap };
  const r = pppFrame(p, 0, length, cap, o);
  return { ...r, hdrlen: 4 };
}

/** LINKTYPE_PPP_HDLC / PPP_SERIAL (50): RFC 1662 framing (Cisco HDLC framing is printed by the caller's C-HDLC printer). */
export function pppSerial(p: Uint8Array, cap: number, length: number, o: L2Options): PppResult {
  if (cap < 2) return { text: ' [|ppp_hdlc]', hdrlen: cap };
  const a = p[0]!;
  if (a === 0x0f || a === 0x8f) return { text: '', approx: true, hdrlen: 4 }; // Cisco HDLC framing
  if (cap < 4) return { text: ' [|ppp_hdlc]', hdrlen: cap };
  const e = o.linkHeader ? `${hex(a, 2)} ${hex(p[1]!, 2)} ${length} ` : '';
  if (a !== 0xff) return { text: `${e}unknown addr ${hex(p[2]!, 2)}; ctrl ${hex(p[3]!, 2)}`, hdrlen: 2 };
  const proto = be16(p, 2);
  const r = handlePpp(proto, p, 4, length - 4, cap, o, `${e}${PPP_TYPES.get(proto) ?? `unknown PPP protocol (0x${hex(proto, 4)})`}: `);
  return { ...r, hdrlen: 4 };
}

/** LINKTYPE_PPP_ETHER (51): a PPPoE header and what it carries, without an Ethernet header. */
export function pppoeLink(p: Uint8Array, cap: number, length: number, o: L2Options): PppResult {
  const r = pppoe(p, 0, length, cap, o);
  return { ...r, hdrlen: r.hdrlen ?? Math.min(6, cap) };
}

/** tcpdump's pppoe_print: a PPPoE header at `off` (discovery tags, or a session's PPP frame). */
export function pppoe(p: Uint8Array, off: number, length: number, end: number, o: L2Options): PppResult {
  if (length < 6) return { text: ` (length ${length} < 6) (invalid)` };
  if (end < off + 6) return { text: ' [|pppoe]', approx: true };
  length -= 6;
  const ver = p[off]! >> 4;
  const type = p[off]! & 0xf;
  const code = p[off + 1]!;
  const session = be16(p, off + 2);
  let plen = be16(p, off + 4);
  const payload = off + 6;
  let s = '';
  if (ver !== 1) s += ` [ver ${ver}]`;
  if (type !== 1) s += ` [type ${type}]`;
  s += `PPPoE ${PPPOE_CODES.get(code) ?? `PAD-${code.toString(16)}`}`;
  if (code === 0x09 && plen > 1484 - 6) s += ` [len ${plen}!]`;
  if (plen > length) {
    s += ` [len ${plen} > ${length}!]`;
    plen = length;
  }
  if (session) s += ` [ses 0x${session.toString(16)}]`;
  if (code === 0) return pppFrame(p, payload, plen, end, o, `${s} `);
  let tagType = 0xffff;
  let t = payload;
  while (tagType !== 0 && t < payload + plen) {
    if (end < t + 4) return { text: `${s} [|pppoe]`, approx: true };
    tagType = be16(p, t);
    const tlen = be16(p, t + 2);
    t += 4;
    const name = PPPOE_TAGS.get(tagType) ?? `TAG-0x${tagType.toString(16)}`;
    if (tlen !== 0) {
      if (end < t + tlen) return { text: `${s} [|pppoe]`, approx: true };
      let text = '';
      let ascii = 0;
      let garbage = 0;
      for (let v = t; v < t + tlen && text.length < 79; v++) {
        const c = p[v]!;
        if (c >= 0x20 && c <= 0x7e) {
          text += String.fromCharCode(c);
          ascii++;
        } else {
          text += '.';
          garbage++;
        }
      }
      if (ascii > garbage) s += ` [${name} "${text}"]`;
      else {
        s += ` [${name} 0x`;
        for (let v = t; v < t + tlen; v++) s += hex(p[v]!, 2).toUpperCase();
        s += ']';
      }
    } else s += ` [${name}]`;
    t += tlen;
  }
  return { text: s };
}
