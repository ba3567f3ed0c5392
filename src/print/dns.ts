/**
 * The DNS summary tcpdump prints (without -v) after a UDP header on port 53, for example
 *   query     `4660+ [1au] A? example.com. (40)`
 *   response  `22836*- 2/2/5 A 192.139.46.66, A 198.199.88.104 (224)`
 *
 * A query shows the id, `+` (recursion desired), `%` (checking disabled), the counts of
 * non-question sections in brackets (`[1au]`), then each question as `TYPE? name.`. A response
 * shows the id, the rcode name if not NoError, `*` (authoritative), `-` (recursion NOT
 * available), `|` (truncated), `$` (authentic data), then `an/ns/ar` and the answers, each as
 * its type and, for the types whose data tcpdump shows without -v, that data. The length in
 * parentheses is the UDP payload length.
 *
 * Technique: a bounds-checked reader over the message; names follow compression pointers with
 * a hop limit. Anything this module does not reproduce exactly (other opcodes, extended rcodes
 * from an OPT record, classes other than IN, unusual characters in names, record types whose
 * data we do not format, truncation) makes it return null, and the caller prints the plain UDP
 * summary marked approximate instead.
 */

import { ipv4At, ipv6At } from './addr.ts';
import type { NameTables } from './names.ts';

const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'A'], [2, 'NS'], [5, 'CNAME'], [6, 'SOA'], [12, 'PTR'], [13, 'HINFO'], [15, 'MX'], [16, 'TXT'],
  [28, 'AAAA'], [33, 'SRV'], [35, 'NAPTR'], [41, 'OPT'], [43, 'DS'], [44, 'SSHFP'], [46, 'RRSIG'],
  [47, 'NSEC'], [48, 'DNSKEY'], [50, 'NSEC3'], [51, 'NSEC3PARAM'], [52, 'TLSA'], [99, 'SPF'],
  [252, 'AXFR'], [255, 'ANY'], [256, 'URI'], [257, 'CAA'],
]);

const RCODE_NAMES = ['', ' FormErr', ' ServFail', ' NXDomain', ' NotImp', ' Refused'];

/** Reader state for one message; `pos` advances, `bad` latches any problem. */
class Msg {
  bad = false;
  constructor(
    readonly p: Uint8Array,
    readonly base: number,
    readonly end: number,
    readonly names?: NameTables,
  ) {}

  u8(o: number): number {
    if (o >= this.end) {
      this.bad = true;
      return 0;
    }
    return this.p[o]!;
  }
  u16(o: number): number {
    return (this.u8(o) << 8) | this.u8(o + 1);
  }
  u32(o: number): number {
    return ((this.u16(o) << 16) | this.u16(o + 2)) >>> 0;
  }

  /** The name at `o` as tcpdump prints it ("example.com.", "." for the root); `next` = after it. */
  name(o: number): { text: string; next: number } {
    let text = '';
    let next = -1;
    for (let hops = 0; hops < 64; hops++) {
      const len = this.u8(o);
      if (this.bad) break;
      if (len === 0) {
        if (next < 0) next = o + 1;
        return { text: text === '' ? '.' : text, next };
      }
      if ((len & 0xc0) === 0xc0) {
        if (next < 0) next = o + 2;
        o = this.base + (((len & 0x3f) << 8) | this.u8(o + 1));
        continue;
      }
      if (len & 0xc0) break; // extended label types: not reproduced
      for (let i = 1; i <= len; i++) {
        const c = this.u8(o + i);
        // Letters, digits, '-', '_' print as themselves; anything else tcpdump escapes.
        if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f)) this.bad = true;
        text += String.fromCharCode(c);
      }
      text += '.';
      o += len + 1;
    }
    this.bad = true;
    return { text, next: o };
  }
}

/** The DNS text for the UDP payload `p[off .. off+len)` (captured up to `end`), or null. */
export function dnsSummary(p: Uint8Array, off: number, len: number, end: number, names?: NameTables): string | null {
  if (len < 12) return `domain [length ${len} < 12] (invalid)`;
  const m = new Msg(p, off, Math.min(end, off + len), names);
  const id = m.u16(off);
  const flags = m.u16(off + 2);
  const qd = m.u16(off + 4);
  const an = m.u16(off + 6);
  const ns = m.u16(off + 8);
  const ar = m.u16(off + 10);
  if (m.bad || ((flags >> 11) & 0xf) !== 0) return null; // opcodes other than Query
  const response = (flags & 0x8000) !== 0;
  let s = `${id}`;
  let pos = off + 12;
  if (!response) {
    s += `${flags & 0x0100 ? '+' : ''}${flags & 0x0010 ? '%' : ''}`;
    if (flags & 0x06cf) s += ` [b2&3=0x${flags.toString(16)}]`;
    if (qd !== 1) s += ` [${qd}q]`;
    if (an) s += ` [${an}a]`;
    if (ns) s += ` [${ns}n]`;
    if (ar) s += ` [${ar}au]`;
    for (let i = 0; i < qd; i++) {
      const q = question(m, pos);
      if (q === null) return null;
      s += ` ${q.text}`;
      pos = q.next;
    }
  } else {
    const rcode = flags & 0xf;
    if (rcode >= RCODE_NAMES.length) return null;
    s += `${RCODE_NAMES[rcode]}${flags & 0x0400 ? '*' : ''}${flags & 0x0080 ? '' : '-'}${flags & 0x0200 ? '|' : ''}${flags & 0x0020 ? '$' : ''}`;
    if (qd !== 1) s += ` [${qd}q]`;
    for (let i = 0; i < qd; i++) {
      const q = question(m, pos);
      if (q === null) return null;
      pos = q.next;
    }
    s += ` ${an}/${ns}/${ar}`;
    const answers: string[] = [];
    for (let i = 0; i < an + ns + ar; i++) {
      const rr = record(m, pos);
      if (rr === null) return null;
      if (i < an) answers.push(rr.text);
      pos = rr.next;
    }
    if (answers.length) s += ` ${answers.join(', ')}`;
  }
  return m.bad ? null : `${s} (${len})`;
}

function question(m: Msg, pos: number): { text: string; next: number } | null {
  const n = m.name(pos);
  const type = m.u16(n.next);
  const cls = m.u16(n.next + 2);
  const tname = TYPE_NAMES.get(type);
  if (m.bad || tname === undefined || cls !== 1) return null;
  return { text: `${tname}? ${n.text}`, next: n.next + 4 };
}

/** One resource record: its type and, for A/AAAA/CNAME/NS/PTR, the data tcpdump shows. */
function record(m: Msg, pos: number): { text: string; next: number } | null {
  const n = m.name(pos);
  const type = m.u16(n.next);
  const cls = m.u16(n.next + 2);
  const ttl = m.u32(n.next + 4);
  const rdlen = m.u16(n.next + 8);
  const data = n.next + 10;
  if (m.bad || data + rdlen > m.end) return null;
  if (type === 41) {
    // OPT: the high byte of the TTL extends the rcode, which tcpdump then names; not reproduced.
    if (ttl >>> 24 !== 0) return null;
    return { text: 'OPT', next: data + rdlen };
  }
  const tname = TYPE_NAMES.get(type);
  if (tname === undefined || cls !== 1) return null;
  let text = tname;
  if (type === 1 && rdlen === 4) text += ` ${m.names?.host4(m.u32(data)) ?? ipv4At(m.p, data)}`;
  else if (type === 28 && rdlen === 16) text += ` ${m.names?.host6(m.p, data) ?? ipv6At(m.p, data)}`;
  else if (type === 5 || type === 2 || type === 12) text += ` ${m.name(data).text}`;
  else if (type === 1 || type === 28 || type === 15 || type === 16 || type === 33 || type === 256 || type === 35 || type === 13 || type === 257) return null;
  return m.bad ? null : { text, next: data + rdlen };
}
