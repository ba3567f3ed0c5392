/**
 * Babel (UDP 6696/6697) as tcpdump 4.99.3 prints it (print-babel.c): `babel 2 (60) hello pad1 nh
 * update` without -v, and with -v one line per TLV ("Hello seqno 23306 interval 4.00s", "Update
 * 10.0.0.0/24 metric 0 seqno 25241 interval 16.00s", ...) with their sub-TLVs, the body first,
 * then after "----" the trailer (packet-authentication TLVs).
 *
 * Technique: Update TLVs may omit the leading bytes of their prefix; they come from the last
 * prefix an Update carrying the "prefix" flag set, kept per address family for the packet as in
 * tcpdump. A TLV beyond the message ends the text with " (invalid)", beyond the capture with
 * " [|babel]".
 */
import { ipv4At, ipv6At } from '../addr.ts';
import { Bytes, Truncated } from './bytes.ts';

const V4PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

class Invalid extends Error {}
/** An address printed with names on: not reproduced (null). */
class Unsupported extends Error {}

/** network_prefix: the 16-byte prefix and the bytes consumed, or null for an encoding error. */
function networkPrefix(ae: number, plen: number, omitted: number, p: Uint8Array, at: number, dp: number[] | null, len: number): { prefix: number[]; consumed: number } | null {
  const pb = plen >= 0 ? Math.floor((plen + 7) / 8) : ae === 1 ? 4 : 16;
  if (pb > 16) return null;
  let prefix = new Array<number>(16).fill(0);
  let consumed = 0;
  const copy = (to: number, n: number): void => {
    for (let i = 0; i < n; i++) prefix[to + i] = p[at + i] ?? 0;
  };
  switch (ae) {
    case 0:
      break;
    case 1:
      if (omitted > 4 || pb > 4 || (pb > omitted && len < pb - omitted)) return null;
      prefix = [...V4PREFIX, 0, 0, 0, 0];
      if (omitted) {
        if (dp === null) return null;
        for (let i = 0; i < 12 + omitted; i++) prefix[i] = dp[i]!;
      }
      if (pb > omitted) {
        copy(12 + omitted, pb - omitted);
        consumed = pb - omitted;
      }
      break;
    case 2:
      if (omitted > 16 || (pb > omitted && len < pb - omitted)) return null;
      if (omitted) {
        if (dp === null) return null;
        for (let i = 0; i < omitted; i++) prefix[i] = dp[i]!;
      }
      if (pb > omitted) {
        copy(omitted, pb - omitted);
        consumed = pb - omitted;
      }
      break;
    case 3:
      if (pb > 8 && len < pb - 8) return null;
      prefix[0] = 0xfe;
      prefix[1] = 0x80;
      if (pb > 8) {
        copy(8, pb - 8);
        consumed = pb - 8;
      }
      break;
    default:
      return null;
  }
  return { prefix, consumed };
}

class Printer extends Bytes {
  out = '';
  constructor(
    p: Uint8Array,
    end: number,
    readonly v: number,
    readonly names: boolean,
  ) {
    super(p, end);
  }
  id(o: number): string {
    const b: string[] = [];
    for (let i = 0; i < 8; i++) b.push(this.u8(o + i).toString(16).padStart(2, '0'));
    return b.join(':');
  }
  addr(a: number[]): string {
    if (this.names) throw new Unsupported();
    const buf = Uint8Array.from(a);
    if (a.slice(0, 12).every((x, i) => x === V4PREFIX[i])) return ipv4At(buf, 12);
    return ipv6At(buf, 0);
  }
  prefix(a: number[], plen: number): string {
    if (this.names) throw new Unsupported();
    const buf = Uint8Array.from(a);
    if (plen >= 96 && a.slice(0, 12).every((x, i) => x === V4PREFIX[i])) return `${ipv4At(buf, 12)}/${plen - 96}`;
    return `${ipv6At(buf, 0)}/${plen}`;
  }

  subtlvs(cp: number, ep: number, tlv: number): void {
    while (cp < ep) {
      const st = this.u8(cp);
      cp++;
      if (st === 0) {
        this.out += ' sub-pad1';
        continue;
      }
      if (st & 0x80) this.out += ' (M)';
      if (cp === ep) {
        this.out += ' (invalid)';
        return;
      }
      let sl = this.u8(cp);
      cp++;
      if (cp + sl > ep) {
        this.out += ' (invalid)';
        return;
      }
      if (st === 1) {
        this.out += ' sub-padn';
        cp += sl;
      } else if (st === 2) {
        this.out += ' sub-diversity';
        if (sl === 0) {
          this.out += ' empty';
          continue;
        }
        let sep = ' ';
        for (; sl; sl--, cp++) {
          const d = this.u8(cp);
          this.out += sep + (d === 0 ? 'reserved' : d === 255 ? 'all' : `${d}`);
          sep = '-';
        }
        if (tlv !== 8 && tlv !== 13) this.out += ' (bogus)';
      } else if (st === 3) {
        this.out += ' sub-timestamp';
        const ts = (t: number): string => `${Math.floor(t / 1000000)}.${String(t % 1000000).padStart(6, '0')}s`;
        if (tlv === 4) {
          if (sl < 4) {
            this.out += ' (invalid)';
            return;
          }
          this.out += ` ${ts(this.u32(cp))}`;
        } else if (tlv === 5) {
          if (sl < 8) {
            this.out += ' (invalid)';
            return;
          }
          this.out += ` ${ts(this.u32(cp))}|${ts(this.u32(cp + 4))}`;
        } else this.out += ' (bogus)';
        cp += sl;
      } else {
        this.out += ` sub-unknown-0x${st.toString(16).padStart(2, '0')}`;
        cp += sl;
      }
    }
  }

  tlvs(cp: number, tlvsLen: number, remaining: number): void {
    const v = this.v > 0;
    const interval = (i: number): string => (i === 0 ? '0.0s (bogus)' : `${Math.floor(i / 100)}.${String(i % 100).padStart(2, '0')}s`);
    const intervalUpdate = (i: number): string => (i === 0xffff ? 'infinity' : interval(i));
    let v4 = [...V4PREFIX, 0, 0, 0, 0];
    let v6 = new Array<number>(16).fill(0);
    let i = 0;
    const check = (n: number): void => {
      if (i + n > tlvsLen || i + n > remaining) throw new Invalid();
    };
    while (i < tlvsLen) {
      const m = cp + i;
      check(1);
      const type = this.u8(m);
      if (type === 0) {
        this.out += v ? '\n\tPad 1' : ' pad1';
        i += 1;
        continue;
      }
      check(2);
      if (m + 2 > this.end) throw new Truncated();
      const len = this.p[m + 1]!;
      check(2 + len);
      if (m + 2 + len > this.end) throw new Truncated();
      const flagsOf = (b: number): string => `${b & 0x80 ? '/prefix' : ''}${b & 0x40 ? '/id' : ''}${b & 0x3f ? '/unknown' : ''}`;
      switch (type) {
        case 1:
          this.out += v ? `\n\tPad ${len + 2}` : ' padN';
          break;
        case 2:
          if (!v) this.out += ' ack-req';
          else {
            this.out += '\n\tAcknowledgment Request ';
            if (len < 6) throw new Invalid();
            this.out += `${this.u16(m + 4).toString(16).padStart(4, '0')} ${interval(this.u16(m + 6))}`;
          }
          break;
        case 3:
          if (!v) this.out += ' ack';
          else {
            this.out += '\n\tAcknowledgment ';
            if (len < 2) throw new Invalid();
            this.out += this.u16(m + 2).toString(16).padStart(4, '0');
          }
          break;
        case 4:
          if (!v) this.out += ' hello';
          else {
            this.out += '\n\tHello ';
            if (len < 6) throw new Invalid();
            if (this.u16(m + 2) & 0x8000) this.out += '(Unicast) ';
            this.out += `seqno ${this.u16(m + 4)} `;
            const iv = this.u16(m + 6);
            this.out += iv !== 0 ? `interval ${interval(iv)}` : 'unscheduled';
            if (len > 6) this.subtlvs(m + 8, m + 2 + len, type);
          }
          break;
        case 5:
          if (!v) this.out += ' ihu';
          else {
            this.out += '\n\tIHU ';
            if (len < 6) throw new Invalid();
            const rx = this.u16(m + 4);
            const iv = this.u16(m + 6);
            const ae = this.u8(m + 2);
            const r = networkPrefix(ae, -1, 0, this.p, m + 8, null, len - 6);
            if (r === null) {
              this.out += ' [|babel]';
              break;
            }
            this.out += `${ae === 0 ? 'any' : this.addr(r.prefix)} rxcost ${rx} interval ${interval(iv)}`;
            if (r.consumed < len - 6) this.subtlvs(m + 8 + r.consumed, m + 2 + len, type);
          }
          break;
        case 6:
          if (!v) this.out += ' router-id';
          else {
            this.out += '\n\tRouter Id';
            if (len < 10) throw new Invalid();
            this.out += ` ${this.id(m + 4)}`;
          }
          break;
        case 7:
          if (!v) this.out += ' nh';
          else {
            this.out += '\n\tNext Hop';
            if (len < 2) throw new Invalid();
            const ae = this.u8(m + 2);
            const r = networkPrefix(ae, -1, 0, this.p, m + 4, null, len - 2);
            if (r === null) throw new Invalid();
            this.out += ` ${ae === 0 ? 'invalid AE 0' : this.addr(r.prefix)}`;
          }
          break;
        case 8:
          if (!v) {
            this.out += ' update';
            if (len < 10) throw new Invalid();
            this.out += flagsOf(this.u8(m + 3));
          } else {
            this.out += '\n\tUpdate';
            if (len < 10) throw new Invalid();
            const ae = this.u8(m + 2);
            const plen = this.u8(m + 4) + (ae === 1 ? 96 : 0);
            const r = networkPrefix(ae, this.u8(m + 4), this.u8(m + 5), this.p, m + 12, ae === 1 ? v4 : v6, len - 10);
            if (r === null) throw new Invalid();
            const flags = this.u8(m + 3);
            this.out += `${flagsOf(flags)} ${ae === 0 ? 'any' : this.prefix(r.prefix, plen & 0xff)} metric ${this.u16(m + 10)} seqno ${this.u16(m + 8)} interval ${intervalUpdate(this.u16(m + 6))}`;
            if (flags & 0x80) {
              if (ae === 1) v4 = r.prefix;
              else v6 = r.prefix;
            }
            if (r.consumed < len - 10) this.subtlvs(m + 12 + r.consumed, m + 2 + len, type);
          }
          break;
        case 9:
          if (!v) this.out += ' route-request';
          else {
            this.out += '\n\tRoute Request ';
            if (len < 2) throw new Invalid();
            const ae = this.u8(m + 2);
            const plen = this.u8(m + 3) + (ae === 1 ? 96 : 0);
            const r = networkPrefix(ae, this.u8(m + 3), 0, this.p, m + 4, null, len - 2);
            if (r === null) throw new Invalid();
            this.out += `for ${ae === 0 ? 'any' : this.prefix(r.prefix, plen & 0xff)}`;
          }
          break;
        case 10:
          if (!v) this.out += ' seqno-request';
          else {
            this.out += '\n\tSeqno Request ';
            if (len < 14) throw new Invalid();
            const ae = this.u8(m + 2);
            const seqno = this.u16(m + 4);
            const r = networkPrefix(ae, this.u8(m + 3), 0, this.p, m + 16, null, len - 14);
            if (r === null) throw new Invalid();
            const plen = this.u8(m + 3) + (ae === 1 ? 96 : 0);
            this.out += `(${this.u8(m + 6)} hops) for ${ae === 0 ? 'invalid AE 0' : this.prefix(r.prefix, plen & 0xff)} seqno ${seqno} id ${this.id(m + 8)}`;
          }
          break;
        case 11:
          if (!v) this.out += ' tspc';
          else {
            this.out += '\n\tTS/PC ';
            if (len < 6) throw new Invalid();
            this.out += `timestamp ${this.u32(m + 4)} packetcounter ${this.u16(m + 2)}`;
          }
          break;
        case 12:
          if (!v) this.out += ' hmac';
          else {
            this.out += '\n\tHMAC ';
            if (len < 18) throw new Invalid();
            this.out += `key-id ${this.u16(m + 2)} digest-${len - 2} `;
            for (let j = 0; j < len - 2; j++) this.out += this.u8(m + j + 4).toString(16).toUpperCase().padStart(2, '0');
          }
          break;
        case 13:
        case 14:
        case 15:
          // Source-specific TLVs (draft-boutier): only their names are reproduced.
          if (!v) this.out += type === 13 ? ' ss-update' : type === 14 ? ' ss-request' : ' ss-mh-request';
          else throw new Unsupported();
          break;
        case 16:
          this.out += v ? `\n\tMAC len ${len}` : ' mac';
          break;
        case 17:
          if (!v) this.out += ' pc';
          else {
            this.out += '\n\tPC';
            if (len < 4) throw new Invalid();
            this.out += ` value ${this.u32(m + 2)} index len ${len - 4}`;
          }
          break;
        case 18:
        case 19:
          if (!v) this.out += type === 18 ? ' challenge_request' : ' challenge_reply';
          else {
            this.out += type === 18 ? '\n\tChallenge Request' : '\n\tChallenge Reply';
            if (len > 192) throw new Invalid();
            this.out += ` len ${len}`;
          }
          break;
        default:
          this.out += v ? `\n\tUnknown message type ${type}` : ' unknown';
      }
      i += len + 2;
    }
  }
}

/** Babel: `off` is the message, `length` its UDP length, `end` the captured end; null when not reproduced. */
export function babel(p: Uint8Array, off: number, length: number, end: number, verbose: number, names: boolean): string | null {
  const pr = new Printer(p, end, verbose, names);
  pr.out = 'babel';
  try {
    if (off + 4 > end) throw new Truncated();
    if (p[off] !== 42) return `${pr.out} invalid header`;
    pr.out += ` ${p[off + 1]}`;
    if (p[off + 1] !== 2) return `${pr.out} unknown version`;
    if (length < 4) throw new Invalid();
    const body = (p[off + 2]! << 8) | p[off + 3]!;
    pr.out += ` (${body})`;
    let left = length - 4;
    if (left < body) throw new Invalid();
    pr.tlvs(off + 4, body, left);
    left -= body;
    if (left !== 0) {
      pr.out += verbose ? '\n\t----' : ' |';
      pr.tlvs(off + 4 + body, left, left);
    }
  } catch (e) {
    if (e instanceof Unsupported) return null;
    if (e instanceof Truncated) pr.out += ' [|babel]';
    else if (e instanceof Invalid) pr.out += ' (invalid)';
    else throw e;
  }
  return pr.out;
}
