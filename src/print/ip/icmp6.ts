/**
 * The ICMPv6 messages tcpdump 4.99.3 prints most, with their -v forms: echo, router and neighbor
 * discovery (RS, RA, NS, NA with the link-address options listed under -v, and -v's early
 * ", length N"), and MLDv2 reports (group records under -v). Everything after
 * "[icmp6 sum ok] " comes from `icmp6Text`; `ok` is false for the parts not reproduced (other ND
 * options, RA details, other message types), which the caller marks approximate.
 *
 * Technique: the message type picks a fixed layout; ND options are a list of (type, length in
 * 8-byte units) records walked until the captured end, each checked against it first, as
 * tcpdump's icmp6_opt_print does.
 */
import { ipv6At } from '../addr.ts';
import { be16, be32 } from './bytes.ts';

/** ICMPv6 types tcpdump names; any other prints as "unknown icmp6 type (N)". */
export function icmp6TypeKnown(type: number): boolean {
  return (type >= 1 && type <= 4) || (type >= 128 && type <= 155) || type === 200 || type === 201;
}

const MLD2_RECORD = ['', 'is_in', 'is_ex', 'to_in', 'to_ex', 'allow', 'block'];

export interface Icmp6Text {
  text: string;
  ok: boolean;
}

/** ND options from `off` (`resid` bytes on the wire): the -v lines for link-layer addresses. */
function ndOptions(p: Uint8Array, off: number, resid: number, end: number): Icmp6Text {
  let s = '';
  let cp = off;
  while (cp < end) {
    if (end < cp + 2) return { text: `${s} [|icmp6]`, ok: true };
    if (resid <= 0) return { text: s, ok: true };
    const type = p[cp]!;
    const olen = p[cp + 1]!;
    if (olen === 0 || cp + olen * 8 > end) return { text: `${s} [|icmp6]`, ok: true };
    if (type !== 1 && type !== 2) return { text: s, ok: false };
    s += `\n\t  ${type === 1 ? 'source' : 'destination'} link-address option (${type}), length ${olen * 8} (${olen}): `;
    for (let i = 0; i < olen * 8 - 2; i++) s += (i ? ':' : '') + p[cp + 2 + i]!.toString(16).padStart(2, '0');
    cp += olen * 8;
    resid -= olen * 8;
  }
  return { text: s, ok: true };
}

/** "ICMP6, …" for the message at `off` (`len` bytes on the wire, captured up to `end`). */
export function icmp6Text(p: Uint8Array, off: number, len: number, end: number, verbose: number): Icmp6Text {
  if (len === 0) return { text: 'ICMP6, length 0 (invalid)', ok: true };
  if (end < off + 1) return { text: 'ICMP6 [|icmp6]', ok: true };
  const type = p[off]!;
  const trunc = (s: string): Icmp6Text => ({ text: `${s} [|icmp6]`, ok: true });
  let s = 'ICMP6, ';
  let ok = true;
  const nd = type >= 133 && type <= 137;
  switch (type) {
    case 128:
    case 129:
      s += `echo ${type === 128 ? 'request' : 'reply'}`;
      if (end < off + 8) return trunc(s);
      s += `, id ${be16(p, off + 4)}, seq ${be16(p, off + 6)}`;
      break;
    case 133:
      s += 'router solicitation';
      if (verbose) {
        s += `, length ${len}`;
        const o = ndOptions(p, off + 8, len - 8, end);
        s += o.text;
        ok = o.ok;
      }
      break;
    case 134:
      s += 'router advertisement';
      // The -v details (flags, preference, timers, options) are not reproduced.
      if (verbose) {
        s += `, length ${len}`;
        ok = false;
      }
      break;
    case 135:
      s += 'neighbor solicitation';
      if (verbose) s += `, length ${len}`;
      if (end < off + 24) return trunc(s);
      s += `, who has ${ipv6At(p, off + 8)}`;
      if (verbose) {
        const o = ndOptions(p, off + 24, len - 24, end);
        s += o.text;
        ok = o.ok;
      }
      break;
    case 136: {
      s += 'neighbor advertisement';
      if (verbose) s += `, length ${len}`;
      if (end < off + 24) return trunc(s);
      s += `, tgt is ${ipv6At(p, off + 8)}`;
      if (verbose) {
        const f = be32(p, off + 4);
        const names = ([[0x80000000, 'router'], [0x40000000, 'solicited'], [0x20000000, 'override']] as const).filter(([b]) => (f & b) >>> 0).map(([, n]) => n);
        s += `, Flags [${names.length ? names.join(', ') : 'none'}]`;
        const o = ndOptions(p, off + 24, len - 24, end);
        s += o.text;
        ok = o.ok;
      }
      break;
    }
    case 143: {
      s += 'multicast listener report v2';
      if (len < 8) return { text: `${s} [invalid len ${len}]`, ok: true };
      if (end < off + 8) return trunc(s);
      const ngroups = be16(p, off + 6);
      s += `, ${ngroups} group record(s)`;
      if (verbose) {
        let g = 8;
        for (let i = 0; i < ngroups; i++) {
          if (len < g + 20) return { text: `${s} [invalid number of groups]`, ok: true };
          if (end < off + g + 20) return trunc(s);
          s += ` [gaddr ${ipv6At(p, off + g + 4)} ${MLD2_RECORD[p[off + g]!] || ` [v2-report-#${p[off + g]}]`}`;
          const nsrcs = be16(p, off + g + 2);
          if (len < g + 20 + nsrcs * 16) return { text: `${s} [invalid number of sources ${nsrcs}]`, ok: true };
          if (verbose === 1) s += `, ${nsrcs} source(s)`;
          else {
            s += ' {';
            for (let j = 0; j < nsrcs; j++) {
              if (end < off + g + 36 + j * 16) return trunc(s);
              s += ` ${ipv6At(p, off + g + 20 + j * 16)}`;
            }
            s += ' }';
          }
          g += 20 + nsrcs * 16;
          s += ']';
        }
      }
      break;
    }
    case 2:
    case 3:
    case 4: {
      // Errors quoting the offending packet: tcpdump reads the quoted header's destination.
      const code = p[off + 1];
      if (type === 2) {
        s += 'packet too big';
        if (end < off + 8) return trunc(s);
        s += `, mtu ${be32(p, off + 4)}`;
      } else if (type === 3) {
        s += 'time exceeded in-transit';
        if (code === 0) {
          if (end < off + 48) return trunc(s);
          s += ` for ${ipv6At(p, off + 32)}`;
        } else if (code === 1) s += ' (reassembly)';
        else s += `, unknown code (${code})`;
      } else {
        s += 'parameter problem';
        if (end < off + 48) return trunc(s);
        const what = ['erroneous', 'next header', 'option', 'incomplete header chain'][code!];
        s += what ? `, ${what} - octet ${be32(p, off + 4)}` : `, code-#${code}`;
      }
      if (!verbose) s += `, length ${len}`;
      return { text: s, ok: true };
    }
    case 155: {
      // RPL: the message kind; with -v a DAO's or DAO-ACK's fields (DIO details are not reproduced).
      s += 'RPL';
      const code = p[off + 1] ?? 0;
      if (end < off + 2) return trunc(s);
      if (code & 0x80) {
        s += ', (SEC) [worktodo]';
        return { text: verbose ? s : `${s}, length ${len}`, ok: true };
      }
      s += ', (CLR)';
      const base = code & 0x7f;
      const names = ['DODAG Information Solicitation', 'DODAG Information Object', 'Destination Advertisement Object', 'Destination Advertisement Object Ack'];
      s += names[base] ?? `RPL message, unknown code ${code}`;
      if (verbose && base === 1) return { text: s, ok: false };
      if (verbose && base === 3) {
        const b = off + 4;
        let rest = len - 4;
        if (end < b + 4) return trunc(s);
        if (rest < 4) return { text: `${s} [|dao-length too short]`, ok: true };
        rest -= 4;
        let dagid = '<elided>';
        if (p[b + 1]! & 0x80) {
          if (end < b + 20) return trunc(s);
          if (rest < 16) return { text: `${s} [|dao-length too short]`, ok: true };
          dagid = ipv6At(p, b + 4);
          rest -= 16;
        }
        s += ` [dagid:${dagid},seq:${p[b + 2]},instance:${p[b]},status:${p[b + 3]}]`;
        if (verbose > 1 && rest > 0) return { text: s, ok: false };
      }
      if (verbose && base === 2) {
        const b = off + 4;
        let rest = len - 4;
        if (end < b + 4) return trunc(s);
        if (rest < 4) return { text: `${s} [|length too short]`, ok: true };
        rest -= 4;
        const flags = p[b + 1]!;
        let dagid = '<elided>';
        if (flags & 0x40) {
          if (end < b + 20) return trunc(s);
          if (rest < 16) return { text: `${s} [|length too short]`, ok: true };
          dagid = ipv6At(p, b + 4);
          rest -= 16;
        }
        s += ` [dagid:${dagid},seq:${p[b + 3]},instance:${p[b]}${flags & 0x80 ? ',acK' : ''}${flags & 0x40 ? ',Dagid' : ''},${flags.toString(16).padStart(2, '0')}]`;
        // -vv lists the RPL options that follow (not reproduced).
        if (verbose > 1 && rest > 0) return { text: s, ok: false };
      }
      return { text: verbose ? s : `${s}, length ${len}`, ok: true };
    }
    case 140: {
      // A node information reply (tcpdump names the type after KAME's who-are-you reply).
      s += 'who-are-you reply';
      const siz = Math.min(end, off + len) - off;
      const close = (t: string): Icmp6Text => ({ text: verbose ? t : `${t}, length ${len}`, ok: true });
      if (len > siz || end < off + 16) return close(`${s} [|icmp6]`);
      s += ' node information reply (';
      const code = p[off + 1]!;
      let comma = false;
      if (code === 0) {
        if (verbose) {
          s += 'success';
          comma = true;
        }
      } else if (code === 1 || code === 2) {
        s += code === 1 ? 'refused' : 'unknown';
        comma = true;
        if (siz !== 16 && verbose) s += ', invalid length';
      }
      if (code !== 0) return close(`${s})`);
      const qtype = be16(p, off + 4);
      if (comma) s += ', ';
      if (qtype === 0) {
        s += 'noop';
        if (siz !== 16 && verbose) s += ', invalid length';
      } else if (qtype === 1) {
        s += 'supported qtypes';
        const f = be16(p, off + 6);
        if (f) s += ` [${f & 1 ? 'C' : ''}]`;
      } else if (qtype === 2 || qtype === 3) {
        // DNS names and node addresses: not reproduced.
        return { text: s, ok: false };
      } else s += 'unknown';
      return close(`${s})`);
    }
    default:
      // Other types: the name tcpdump gives them is not reproduced here.
      if (icmp6TypeKnown(type)) return { text: `${s}type ${type} code ${p[off + 1] ?? 0}, length ${len}`, ok: false };
      // An unknown type: tcpdump shows its bytes (with -v only up to -v; -vv not).
      return { text: `${s}unknown icmp6 type (${type}), length ${len}`, ok: verbose <= 1 };
  }
  if (!verbose || !(nd || type === 143)) s += `, length ${len}`;
  return { text: s, ok };
}
