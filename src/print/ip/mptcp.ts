/**
 * Multipath TCP options (TCP option 30) as tcpdump 4.99.3's print-mptcp.c prints them inside
 * the option list: `mptcp 12 capable v1 {0x…}`, join, dss (fin, data ack, sequence mapping,
 * checksum), add-addr (v0/v1, echo, address, port, hmac), rem-addr, prio, fail, fast-close.
 * A length that does not fit its subtype makes tcpdump end the list with `[bad opt]`.
 *
 * Technique: fixed offsets inside the option (`o` is its kind byte); reads through `Bytes`.
 */
import { Bytes } from './bytes.ts';
import { ipv6At } from '../addr.ts';

const TH_SYN = 0x02;
const TH_ACK = 0x10;
const NAMES = ['capable', 'join', 'dss', 'add-addr', 'rem-addr', 'prio', 'fail', 'fast-close', 'unknown'];
const ADDR_ECHO = new Map([[0x6, 'v0-ip6'], [0x4, 'v0-ip4'], [0x1, 'v1-echo'], [0x0, 'v1']]);

const hex64 = (v: bigint): string => v.toString(16);

/** The text after `mptcp` (` 12 capable …`) and whether tcpdump accepted the option (false: `[bad opt]`). */
export function mptcpOption(b: Bytes, o: number, len: number, flags: number): { text: string; ok: boolean; exact: boolean } {
  if (len < 3) return { text: '', ok: false, exact: true };
  const sub = Math.min((b.u8(o + 2) >> 4) & 0xf, 8);
  let s = ` ${len} ${NAMES[sub]}`;
  const done = (ok: boolean) => ({ text: s, ok, exact: true });
  switch (sub) {
    case 0: {
      if (!(((len === 12 || len === 4) && flags & TH_SYN) || ((len === 20 || len === 22) && (flags & (TH_SYN | TH_ACK)) === TH_ACK))) return done(false);
      const version = b.u8(o + 2) & 0xf;
      if (version > 1) {
        s += ` Unknown Version (${version})`;
        return done(true);
      }
      s += ` v${version}`;
      if (b.u8(o + 3) & 0x80) s += ' csum';
      if (len === 12 || len >= 20) {
        s += ` {0x${hex64(b.u64(o + 4))}`;
        if (len >= 20) s += `,0x${hex64(b.u64(o + 12))}`;
        s += '}';
      }
      return done(true);
    }
    case 1:
      if (!((len === 12 && flags & TH_SYN) || (len === 16 && (flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK)) || (len === 24 && flags & TH_ACK))) return done(false);
      if (len !== 24) {
        if (b.u8(o + 2) & 1) s += ' backup';
        s += ` id ${b.u8(o + 3)}`;
      }
      if (len === 12) s += ` token 0x${b.u32(o + 4).toString(16)} nonce 0x${b.u32(o + 8).toString(16)}`;
      else if (len === 16) s += ` hmac 0x${hex64(b.u64(o + 4))} nonce 0x${b.u32(o + 12).toString(16)}`;
      else {
        s += ' hmac 0x';
        b.need(o + 4, 20);
        for (let i = 0; i < 20; i++) s += b.p[o + 4 + i]!.toString(16).padStart(2, '0');
      }
      return done(true);
    case 2: {
      if (len < 4 || flags & TH_SYN) return done(false);
      const f = b.u8(o + 3);
      if (f & 0x10) s += ' fin';
      let p = o + 4;
      let n = len - 4;
      /** The 8-byte (wide) or 4-byte number at p, printed; false when the option is too short. */
      const number = (wide: boolean): boolean => {
        const w = wide ? 8 : 4;
        if (n < w) return false;
        s += `${wide ? b.u64(p) : b.u32(p)}`;
        p += w;
        n -= w;
        return true;
      };
      if (f & 0x01) {
        s += ' ack ';
        if (!number((f & 0x02) !== 0)) return done(false);
      }
      if (f & 0x04) {
        s += ' seq ';
        if (!number((f & 0x08) !== 0)) return done(false);
        if (n < 4) return done(false);
        s += ` subseq ${b.u32(p)}`;
        p += 4;
        n -= 4;
        if (n < 2) return done(false);
        s += ` len ${b.u16(p)}`;
        p += 2;
        n -= 2;
        if (n >= 2) {
          s += ` csum 0x${b.u16(p).toString(16)}`;
          n -= 2;
        }
      }
      return done(n === 0);
    }
    case 3: {
      if (![8, 10, 16, 18, 20, 22, 28, 30].includes(len)) return done(false);
      s += ` ${ADDR_ECHO.get(b.u8(o + 2) & 0xf) ?? '[bad version/echo]'}`;
      s += ` id ${b.u8(o + 3)}`;
      if (len <= 18) {
        s += ` ${b.ipv4(o + 4)}`;
        if (len === 10 || len === 18) s += `:${b.u16(o + 8)}`;
        if (len === 16) s += ` hmac 0x${hex64(b.u64(o + 8))}`;
        if (len === 18) s += ` hmac 0x${hex64(b.u64(o + 10))}`;
      } else {
        b.need(o + 4, 16);
        s += ` ${ipv6At(b.p, o + 4)}`;
        if (len === 22 || len === 30) s += `:${b.u16(o + 20)}`;
        if (len === 28) s += ` hmac 0x${hex64(b.u64(o + 20))}`;
        if (len === 30) s += ` hmac 0x${hex64(b.u64(o + 22))}`;
      }
      return done(true);
    }
    case 4:
      if (len < 4) return done(false);
      s += ' id';
      for (let i = 0; i < len - 3; i++) s += ` ${b.u8(o + 3 + i)}`;
      return done(true);
    case 5:
      if (len !== 3 && len !== 4) return done(false);
      s += b.u8(o + 2) & 1 ? ' backup' : ' non-backup';
      if (len === 4) s += ` id ${b.u8(o + 3)}`;
      return done(true);
    case 6:
      if (len !== 12) return done(false);
      s += ` seq ${b.u64(o + 4)}`;
      return done(true);
    case 7:
      if (len !== 12) return done(false);
      s += ` key 0x${hex64(b.u64(o + 4))}`;
      return done(true);
    default:
      return done(true);
  }
}
