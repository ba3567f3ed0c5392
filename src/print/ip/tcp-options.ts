/**
 * TCP options as tcpdump 4.99.3's tcp_print walks them: `mss 1460,nop,wscale 7,sackOK,TS val 1
 * ecr 0`, SACK blocks relative to the peer's initial sequence number, cc/echo, md5 (tcpdump
 * built with libcrypto, no -M secret: `md5 shared secret not supplied with -M, can't check -
 * <digest>`), scps, uto, tcp-ao, tfo and RFC 6994 experiments, `unknown-N 0x…` for the rest,
 * `[len N]` where the length disagrees with the option's. A length that does not fit ends the
 * list with `[bad opt]`; bytes not captured end it with ` [|tcp]` (`trunc`: tcpdump's own check,
 * `jump`: a read that longjmps). MPTCP options are printed by mptcp.ts.
 *
 * Technique: the walk of print-tcp.c with its `hlen` bookkeeping and LENCHECK; returns the text
 * inside the brackets and how it stopped, the caller closes the line.
 */
import { Bytes, Truncated, hex } from './bytes.ts';
import { mptcpOption } from './mptcp.ts';

const NAMES = new Map([
  [0, 'eol'], [1, 'nop'], [2, 'mss'], [3, 'wscale'], [4, 'sackOK'], [5, 'sack'], [6, 'echo'], [7, 'echoreply'], [8, 'TS'],
  [11, 'cc'], [12, 'ccnew'], [13, ''], [19, 'md5'], [20, 'scps'], [28, 'uto'], [29, 'tcp-ao'], [30, 'mptcp'], [34, 'tfo'], [254, 'exp'],
]);

export interface TcpOptionsText {
  text: string;
  stop: 'end' | 'bad' | 'trunc' | 'jump';
  /** A separator had been set (tcpdump's `ch`): closes `[bad opt]` with `]` and a truncation with `>`. */
  afterFirst: boolean;
  /** Text not reproduced exactly. */
  approx: boolean;
}

class Bad extends Error {}
class Trunc extends Error {}

function fastopen(b: Bytes, cp: number, datalen: number, exp: boolean): string {
  let s = exp ? 'tfo' : '';
  if (datalen === 0) return `${s} cookiereq`;
  if (datalen % 2 !== 0 || datalen < 4 || datalen > 16) return `${s} (invalid)`;
  s += ' cookie ';
  for (let i = 0; i < datalen; i++) s += hex(b.u8(cp + i), 2);
  return s;
}

/**
 * The options of `hlen` bytes at `off` (captured up to `end`); `sackBase` is subtracted from SACK
 * edges; `payloadCaptured` tells whether the segment's data was captured (md5 then says so).
 */
export function tcpOptions(p: Uint8Array, off: number, hlen: number, end: number, sackBase: number, payloadCaptured: boolean, flags = 0): TcpOptionsText {
  const b = new Bytes(p, end);
  let s = '';
  let ch = '';
  let approx = false;
  let cp = off;
  try {
    while (hlen > 0) {
      s += ch;
      const opt = b.u8(cp);
      cp++;
      let len: number;
      if (opt === 0 || opt === 1) len = 1;
      else {
        len = b.u8(cp);
        cp++;
        if (len < 2 || len > hlen) throw new Bad();
        hlen--;
      }
      hlen--;
      let datalen = 0;
      const lencheck = (l: number): void => {
        if (l > hlen) throw new Bad();
        if (!b.has(cp, l)) throw new Trunc();
      };
      s += NAMES.get(opt) ?? `unknown-${opt}`;
      switch (opt) {
        case 2:
          datalen = 2;
          lencheck(2);
          s += ` ${b.u16(cp)}`;
          break;
        case 3:
          datalen = 1;
          lencheck(1);
          s += ` ${b.u8(cp)}`;
          break;
        case 5:
          datalen = len - 2;
          if (datalen % 8 !== 0) s += ' invalid sack';
          else {
            s += ` ${datalen / 8} `;
            for (let i = 0; i < datalen; i += 8) {
              lencheck(i + 4);
              const st = b.u32(cp + i);
              lencheck(i + 8);
              const en = b.u32(cp + i + 4);
              s += `{${(st - sackBase) >>> 0}:${(en - sackBase) >>> 0}}`;
            }
          }
          break;
        case 6:
        case 7:
        case 11:
        case 12:
        case 13:
          datalen = 4;
          lencheck(4);
          s += ` ${b.u32(cp)}`;
          break;
        case 8:
          datalen = 8;
          lencheck(8);
          s += ` val ${b.u32(cp)} ecr ${b.u32(cp + 4)}`;
          break;
        case 19:
          datalen = 16;
          lencheck(16);
          s += ' ';
          s += payloadCaptured ? 'shared secret not supplied with -M, ' : 'snaplen too short, ';
          s += "can't check - ";
          for (let i = 0; i < 16; i++) s += hex(b.u8(cp + i), 2);
          break;
        case 20:
          datalen = 2;
          lencheck(2);
          s += ` cap ${hex(b.u8(cp), 2)} id ${b.u8(cp + 1)}`;
          break;
        case 29:
          datalen = len - 2;
          if (datalen < 2) s += ' (invalid)';
          else {
            lencheck(1);
            s += ` keyid ${b.u8(cp)}`;
            lencheck(2);
            s += ` rnextkeyid ${b.u8(cp + 1)}`;
            if (datalen > 2) {
              s += ' mac 0x';
              for (let i = 2; i < datalen; i++) {
                lencheck(i + 1);
                s += hex(b.u8(cp + i), 2);
              }
            }
          }
          break;
        case 0:
        case 1:
        case 4:
          break;
        case 28: {
          datalen = 2;
          lencheck(2);
          let uto = b.u16(cp);
          s += ` 0x${uto.toString(16)}`;
          uto = uto & 1 ? (uto >> 1) * 60 : uto >> 1;
          s += ` ${uto}`;
          break;
        }
        case 30: {
          datalen = len - 2;
          lencheck(datalen);
          const m = mptcpOption(new Bytes(p, Math.min(cp - 2 + len, end)), cp - 2, len, flags);
          s += m.text;
          if (!m.ok) throw new Bad();
          break;
        }
        case 34:
          datalen = len - 2;
          lencheck(datalen);
          s += ` ${fastopen(b, cp, datalen, false)}`;
          break;
        case 254: {
          datalen = len - 2;
          lencheck(datalen);
          if (datalen < 2) throw new Bad();
          const magic = b.u16(cp);
          s += '-';
          s += magic === 0xf989 ? fastopen(b, cp + 2, datalen - 2, true) : hex(magic, 4);
          break;
        }
        default:
          datalen = len - 2;
          if (datalen) s += ' 0x';
          for (let i = 0; i < datalen; i++) {
            lencheck(i + 1);
            s += hex(b.u8(cp + i), 2);
          }
      }
      cp += datalen;
      hlen -= datalen;
      let spec = datalen + 1;
      if (opt !== 0 && opt !== 1) spec++;
      if (spec !== len) s += `[len ${len}]`;
      ch = ',';
      if (opt === 0) break;
    }
  } catch (e) {
    if (e instanceof Bad) return { text: s, stop: 'bad', afterFirst: ch !== '', approx };
    if (e instanceof Trunc) return { text: s, stop: 'trunc', afterFirst: ch !== '', approx };
    if (e instanceof Truncated) return { text: s, stop: 'jump', afterFirst: ch !== '', approx };
    throw e;
  }
  return { text: s, stop: 'end', afterFirst: ch !== '', approx };
}
