/**
 * PIM (IP protocol 103) as tcpdump 4.99.3's print-pim.c prints PIMv2: `PIMv2, Hello, length
 * 34`, and with -v `PIMv2, length 34\n\tHello, cksum 0x… (correct)` followed by the message:
 * Hello options, Register (flags; a null header), Register-Stop, Join/Prune, Graft and its
 * acknowledgement with groups and sources, Bootstrap, Assert, Candidate-RP advertisements,
 * Prune Refresh and DF Election; -vv adds Hello address lists and option hex. A Register's
 * IPv4/IPv6 packet is handed back (`inner`) for the caller's IP printer, as tcpdump prints it.
 *
 * Technique: reads through `Bytes`; a read beyond the capture ends the text with ` [|pimv2]`
 * as do tcpdump's length checks (`goto trunc`).
 */
import { Bytes, Truncated, hex, unknownData } from './bytes.ts';
import { ipv6At } from '../addr.ts';
import { sum16, finish, pseudoChecksum } from '../verbose.ts';

export interface PimText {
  text: string;
  /** The text is tcpdump's exactly. */
  ok: boolean;
  /** It ends in a truncation that makes tcpdump dump from the frame start. */
  jumped: boolean;
  /** A Register's encapsulated IPv4/IPv6 packet, for the caller to print after the text. */
  inner?: { off: number; len: number; version: 4 | 6 };
}

const TYPES = ['Hello', 'Register', 'Register Stop', 'Join / Prune', 'Bootstrap', 'Assert', 'Graft',
  'Graft Acknowledgement', 'Candidate RP Advertisement', 'Prune Refresh', 'DF Election', 'ECMP Redirect'];
const HELLO_OPTS = new Map([
  [1, 'Hold Time'], [2, 'LAN Prune Delay'], [18, 'DR Priority (Old)'], [19, 'DR Priority'], [20, 'Generation ID'],
  [21, 'State Refresh Capability'], [22, 'Bi-Directional Capability'], [24, 'Address List'], [65001, 'Address List (Old)'],
]);
const DF = new Map([[1, 'Offer'], [2, 'Winner'], [3, 'Backoff'], [4, 'Pass']]);

/** tcpdump's unsigned_relts_print: 2m30s. */
function relts(secs: number): string {
  if (secs === 0) return '0s';
  const units: Array<[number, string]> = [[31536000, 'y'], [604800, 'w'], [86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
  let s = '';
  for (const [n, u] of units) {
    if (secs >= n) {
      s += `${Math.floor(secs / n)}${u}`;
      secs -= Math.floor(secs / n) * n;
    }
  }
  return s;
}

class LocalTrunc extends Error {}

class Pim {
  s = '';
  inner?: { off: number; len: number; version: 4 | 6 };
  constructor(private readonly b: Bytes, private readonly v: number, private readonly addrLen: number) {}

  /** pimv2_addr_print: bytes used; a failure is tcpdump's `goto trunc`. */
  addr(o: number, len: number, at: 'unicast' | 'group' | 'source'): number {
    const b = this.b;
    let alen = this.addrLen;
    let v6: boolean;
    let hdr: number;
    if (alen === 0) {
      if (len < 2) throw new LocalTrunc();
      const af = b.u8(o);
      if (af === 1) alen = 4;
      else if (af === 2) alen = 16;
      else throw new LocalTrunc();
      if (b.u8(o + 1) !== 0) throw new LocalTrunc();
      hdr = 2;
    } else {
      if (alen !== 4 && alen !== 16) throw new LocalTrunc();
      hdr = 0;
    }
    v6 = alen === 16;
    o += hdr;
    len -= hdr;
    const text = (at: number): string => {
      b.need(at, alen);
      return v6 ? ipv6At(b.p, at) : b.ipv4(at);
    };
    if (at === 'unicast') {
      if (len < alen || !b.has(o, alen)) throw new LocalTrunc();
      this.s += text(o);
      return hdr + alen;
    }
    if (len < alen + 2 || !b.has(o, alen + 2)) throw new LocalTrunc();
    this.s += text(o + 2);
    const mask = b.u8(o + 1);
    if (mask !== (v6 ? 128 : 32)) this.s += `/${mask}`;
    const f = b.u8(o);
    if (f) {
      if (at === 'group') this.s += `(0x${hex(f, 2)})`;
      else this.s += `(${f & 4 ? 'S' : ''}${f & 2 ? 'W' : ''}${f & 1 ? 'R' : ''}${f & 0xf8 ? `+0x${hex(f & 0xf8, 2)}` : ''})`;
    }
    return hdr + 2 + alen;
  }

  body(type: number, rsv: number, o: number, len: number): void {
    const b = this.b;
    const need = (n: number): void => {
      if (len < n) throw new LocalTrunc();
    };
    const adv = (n: number): void => {
      o += n;
      len -= n;
    };
    switch (type) {
      case 0:
        while (len > 0) {
          need(4);
          const ot = b.u16(o);
          const ol = b.u16(o + 2);
          this.s += `\n\t  ${HELLO_OPTS.get(ot) ?? 'Unknown'} Option (${ot}), length ${ol}, Value: `;
          adv(4);
          need(ol);
          if (!b.has(o, ol)) throw new LocalTrunc();
          const bad = (want: number): void => {
            this.s += `[option length ${ol} != ${want}] (invalid)`;
          };
          switch (ot) {
            case 1:
              if (ol !== 2) return bad(2);
              this.s += relts(b.u16(o));
              break;
            case 2:
              if (ol !== 4) return bad(4);
              {
                const d = b.u16(o);
                this.s += `\n\t    T-bit=${d & 0x8000 ? 1 : 0}, LAN delay ${d & 0x7fff}ms, Override interval ${b.u16(o + 2)}ms`;
              }
              break;
            case 18:
            case 19:
              if (ol === 0) this.s += 'Bi-Directional Capability (Old)';
              else if (ol === 4) this.s += `${b.u32(o)}`;
              else return bad(4);
              break;
            case 20:
              if (ol !== 4) return bad(4);
              this.s += `0x${hex(b.u32(o), 8)}`;
              break;
            case 21:
              if (ol !== 4) return bad(4);
              this.s += `v${b.u8(o)}`;
              if (b.u8(o + 1) !== 0) this.s += `, interval ${relts(b.u8(o + 1))}`;
              if (b.u16(o + 2) !== 0) this.s += ` ?0x${hex(b.u16(o + 2), 4)}?`;
              break;
            case 22:
              break;
            case 24:
            case 65001:
              if (this.v > 1) {
                let q = o;
                let ql = len;
                while (q < o + ol) {
                  this.s += '\n\t    ';
                  const n = this.addr(q, ql, 'unicast');
                  q += n;
                  ql -= n;
                }
              }
              break;
            default:
              if (this.v <= 1) this.s += unknownData(b, o, ol, '\n\t    ');
          }
          if (this.v > 1) this.s += unknownData(b, o, ol, '\n\t    ');
          adv(ol);
        }
        return;
      case 1: {
        need(4);
        if (!b.has(o, 4)) throw new LocalTrunc();
        const f = b.u32(o);
        this.s += `, Flags [ ${f === 0x80000000 ? 'Border' : f === 0x40000000 ? 'Null' : 'none'} ]\n\t`;
        adv(4);
        if (len === 0) throw new LocalTrunc();
        const ver = b.u8(o) >> 4;
        if (ver === 0) this.s += `IP-Null-header ${b.ipv4(o + 12)} > ${b.ipv4(o + 16)}`;
        else if (ver === 4 || ver === 6) this.inner = { off: o, len, version: ver };
        else this.s += `IP ver ${ver}`;
        return;
      }
      case 2:
        this.s += ' group=';
        adv(this.addr(o, len, 'group'));
        this.s += ' source=';
        adv(this.addr(o, len, 'unicast'));
        return;
      case 3:
      case 6:
      case 7: {
        if (type !== 7) {
          this.s += ', upstream-neighbor: ';
          adv(this.addr(o, len, 'unicast'));
        }
        need(4);
        if (!b.has(o, 4)) throw new LocalTrunc();
        const ngroup = b.u8(o + 1);
        const hold = b.u16(o + 2);
        this.s += `\n\t  ${ngroup} group(s)`;
        if (type !== 7) this.s += `, holdtime: ${hold === 0xffff ? 'infinite' : relts(hold)}`;
        adv(4);
        for (let i = 0; i < ngroup; i++) {
          this.s += `\n\t    group #${i + 1}: `;
          adv(this.addr(o, len, 'group'));
          need(4);
          if (!b.has(o, 4)) throw new LocalTrunc();
          const nj = b.u16(o);
          const np = b.u16(o + 2);
          this.s += `, joined sources: ${nj}, pruned sources: ${np}`;
          adv(4);
          for (let j = 0; j < nj; j++) {
            this.s += `\n\t      joined source #${j + 1}: `;
            adv(this.addr(o, len, 'source'));
          }
          for (let j = 0; j < np; j++) {
            this.s += `\n\t      pruned source #${j + 1}: `;
            adv(this.addr(o, len, 'source'));
          }
        }
        return;
      }
      case 4: {
        need(2);
        this.s += ` tag=${b.u16(o).toString(16)}`;
        adv(2);
        need(1);
        this.s += ` hashmlen=${b.u8(o)}`;
        need(2);
        if (!b.has(o + 2, 1)) throw new LocalTrunc();
        this.s += ` BSRprio=${b.u8(o + 1)}`;
        adv(2);
        this.s += ' BSR=';
        adv(this.addr(o, len, 'unicast'));
        for (let i = 0; len > 0; i++) {
          this.s += ` (group${i}: `;
          adv(this.addr(o, len, 'group'));
          need(1);
          this.s += ` RPcnt=${b.u8(o)}`;
          need(2);
          const frp = b.u8(o + 1);
          this.s += ` FRPcnt=${frp}`;
          need(4);
          adv(4);
          for (let j = 0; j < frp && len > 0; j++) {
            this.s += ` RP${j}=`;
            adv(this.addr(o, len, 'unicast'));
            need(2);
            this.s += `,holdtime=${relts(b.u16(o))}`;
            need(3);
            this.s += `,prio=${b.u8(o + 2)}`;
            need(4);
            adv(4);
          }
          this.s += ')';
        }
        return;
      }
      case 5:
        this.s += ' group=';
        adv(this.addr(o, len, 'group'));
        this.s += ' src=';
        adv(this.addr(o, len, 'unicast'));
        need(8);
        if (!b.has(o, 8)) throw new LocalTrunc();
        if (b.u8(o) & 0x80) this.s += ' RPT';
        this.s += ` pref=${b.u32(o) & 0x7fffffff} metric=${b.u32(o + 4)}`;
        return;
      case 8: {
        need(1);
        const cnt = b.u8(o);
        this.s += ` prefix-cnt=${cnt}`;
        need(2);
        this.s += ` prio=${b.u8(o + 1)}`;
        need(4);
        this.s += ` holdtime=${relts(b.u16(o + 2))}`;
        adv(4);
        this.s += ' RP=';
        adv(this.addr(o, len, 'unicast'));
        for (let i = 0; i < cnt && len > 0; i++) {
          this.s += ` Group${i}=`;
          adv(this.addr(o, len, 'group'));
        }
        return;
      }
      case 9:
        this.s += ' src=';
        adv(this.addr(o, len, 'unicast'));
        this.s += ' grp=';
        adv(this.addr(o, len, 'group'));
        this.s += ' forwarder=';
        adv(this.addr(o, len, 'unicast'));
        need(2);
        this.s += ` TUNR ${relts(b.u16(o))}`;
        return;
      case 10: {
        const sub = rsv >> 4;
        this.s += `\n\t  ${DF.get(sub) ?? 'Unknown'}, rpa=`;
        adv(this.addr(o, len, 'unicast'));
        this.s += ` sender pref=${b.u32(o)} sender metric=${b.u32(o + 4)}`;
        adv(8);
        if (sub === 3 || sub === 4) {
          const w = sub === 3 ? 'offer' : 'new winner';
          this.s += `\n\t  ${w} addr=`;
          adv(this.addr(o, len, 'unicast'));
          this.s += ` ${w} pref=${b.u32(o)} ${w} metric=${b.u32(o + 4)}`;
          adv(8);
          if (sub === 3) this.s += ` interval ${b.u16(o)}ms`;
        }
        return;
      }
      default:
        this.s += ` [type ${type}]`;
    }
  }
}

/**
 * PIM at `off` (`len` bytes on the wire, captured up to `end`); `ver`/`addrOff` locate the IP
 * header's addresses for IPv6's pseudo-header checksum.
 */
export function pim(p: Uint8Array, off: number, len: number, end: number, verbose: number, ver = 4, addrOff = 0): PimText {
  if (end <= off) return { text: ' [|pim]', ok: true, jumped: true };
  const tv = p[off]!;
  const version = tv >> 4;
  if (version !== 2) return { text: `PIMv${version}, length ${len}`, ok: true, jumped: false };
  const type = tv & 15;
  const name = TYPES[type] ?? 'Unknown Type';
  if (!verbose) return { text: `PIMv2, ${name}, length ${len}`, ok: true, jumped: false };
  const b = new Bytes(p, end);
  let s = `PIMv2, length ${len}\n\t${name}`;
  if (len < 2) return { text: `${s}[length ${len} < 2] (invalid)`, ok: true, jumped: false };
  if (!b.has(off + 1, 1)) return { text: `${s} [|pimv2]`, ok: true, jumped: true };
  const rsv = p[off + 1]!;
  const addrLen = rsv & 0x0f;
  if (addrLen !== 0) s += ', RFC2117-encoding';
  if (len < 4) return { text: `${s}[length ${len} < 4] (invalid)`, ok: true, jumped: false };
  if (!b.has(off + 2, 2)) return { text: `${s} [|pimv2]`, ok: true, jumped: true };
  const ck = b.u16(off + 2);
  s += `, cksum 0x${hex(ck, 4)} `;
  if (ck === 0) s += '(unverified)';
  else {
    const check = (n: number): 'correct' | 'incorrect' | 'unverified' => {
      if (!b.has(off, n)) return 'unverified';
      const sum = ver === 4 ? finish(sum16(p, off, off + n)) : pseudoChecksum(p, ver, addrOff, 103, off, n);
      return sum === 0 ? 'correct' : 'incorrect';
    };
    let st = check(type === 1 ? 8 : len);
    if (type === 1 && st === 'incorrect') st = check(len);
    s += `(${st})`;
  }
  const m = new Pim(b, verbose, addrLen);
  m.s = s;
  try {
    m.body(type, rsv, off + 4, len - 4);
  } catch (e) {
    if (e instanceof LocalTrunc) return { text: `${m.s} [|pimv2]`, ok: true, jumped: false };
    if (e instanceof Truncated) return { text: `${m.s} [|pimv2]`, ok: true, jumped: true };
    throw e;
  }
  return { text: m.s, ok: true, jumped: false, inner: m.inner };
}
