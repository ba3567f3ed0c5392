/**
 * RESP, the Redis protocol (TCP 6379), as tcpdump 4.99.3's print-resp.c prints it: `: RESP`
 * then each item of the segment (pipelined commands too) as ` "text"`, ` empty`, ` null` or
 * a length complaint; arrays print their elements in turn; anything else is an inline command
 * line. Bytes beyond the segment end the text with ` [|resp]`.
 *
 * Technique: a recursive parser over (offset, remaining length) that throws at the first byte
 * the segment or the capture does not hold, as tcpdump's `goto trunc` and GET_U_1 do.
 */
import { Bytes, Truncated, printChar } from './bytes.ts';

class Parser {
  out = '';
  /** A read beyond the capture (tcpdump's longjmp) rather than beyond the segment. */
  jumped = false;
  constructor(private readonly b: Bytes) {}

  private byte(o: number): number {
    if (!this.b.has(o, 1)) {
      this.jumped = true;
      throw new Truncated();
    }
    return this.b.p[o]!;
  }

  private segment(o: number, n: number): void {
    this.out += ' "';
    for (let i = 0; i < n; i++) {
      if (!this.b.has(o + i, 1)) throw new Truncated(); // nd_printn stops at the capture's end
      this.out += printChar(this.b.p[o + i]!);
    }
    this.out += '"';
  }

  /** FIND_CRLF: the offset of the next \r\n, consuming from `len` as tcpdump does. */
  private findCrlf(o: number, len: number): [number, number] {
    for (;;) {
      if (len < 2) throw new Truncated();
      if (!this.b.has(o, 2)) throw new Truncated();
      if (this.b.p[o] === 13 && this.b.p[o + 1] === 10) return [o, len];
      o++;
      len--;
    }
  }

  parse(o: number, length: number): number {
    if (length < 1) throw new Truncated();
    const op = this.byte(o);
    switch (op) {
      case 0x2b: // '+'
      case 0x3a: // ':'
      case 0x2d: // '-'
        return this.stringErrorInteger(o, length);
      case 0x24: // '$'
        return this.bulkString(o, length);
      case 0x2a: // '*'
        return this.array(o, length);
      default:
        return this.inline(o, length);
    }
  }

  private stringErrorInteger(o: number, length: number): number {
    const start = o + 1;
    const [crlf] = this.findCrlf(start, length - 1);
    const len = crlf - start;
    this.segment(start, len);
    return 1 + len + 2;
  }

  /** resp_get_length: [value, new offset, new remaining]; -2 truncated, -3 too large, -4 negative, -5 invalid. */
  private getLength(o: number, len: number): [number, number, number] {
    const start = o;
    const len0 = len;
    const done = (v: number): [number, number, number] => [v, o, len0 - (o - start)];
    if (len === 0) return done(-2);
    let tooLarge = false;
    let neg = false;
    if (this.byte(o) === 0x2d) {
      neg = true;
      o++;
      len--;
    }
    let result = 0;
    let sawDigit = false;
    const INT_MAX = 0x7fffffff;
    for (;;) {
      if (len === 0) return done(-2);
      let c = this.byte(o);
      if (!(c >= 0x30 && c <= 0x39)) {
        if (!sawDigit) {
          o++;
          return done(-5);
        }
        break;
      }
      c -= 0x30;
      if (result > Math.floor(INT_MAX / 10)) tooLarge = true;
      else {
        result *= 10;
        if (result === Math.floor(INT_MAX / 10) * 10 && c > INT_MAX % 10) tooLarge = true;
        else result += c;
      }
      o++;
      len--;
      sawDigit = true;
    }
    if (this.byte(o) !== 13) {
      o++;
      return done(-5);
    }
    o++;
    len--;
    if (len === 0) return done(-2);
    if (this.byte(o) !== 10) {
      o++;
      return done(-5);
    }
    o++;
    if (neg) {
      if (tooLarge || result !== 1) return done(-4);
      result = -1;
    }
    return done(tooLarge ? -3 : result);
  }

  private lengthProblem(v: number): void {
    switch (v) {
      case -1: this.out += ' null'; break;
      case -2: throw new Truncated();
      case -3: this.out += ' length too large'; break;
      case -4: this.out += ' length negative and not -1'; break;
      default: this.out += ' invalid'; break;
    }
  }

  private bulkString(o: number, length: number): number {
    let [n, p, cur] = this.getLength(o + 1, length - 1);
    if (n >= 0) {
      if (n === 0) this.out += ' empty';
      else {
        if (cur < n) throw new Truncated();
        if (!this.b.has(p, n)) throw new Truncated();
        this.segment(p, n);
        p += n;
        cur -= n;
      }
      [p, cur] = this.findCrlf(p, cur);
      cur -= 2;
    } else this.lengthProblem(n);
    return length - cur;
  }

  private array(o: number, length: number): number {
    let [n, p, cur] = this.getLength(o + 1, length - 1);
    if (n > 0) {
      for (let i = 0; i < n; i++) {
        const r = this.parse(p, cur);
        p += r;
        cur -= r;
      }
    } else if (n === 0) this.out += ' empty';
    else this.lengthProblem(n);
    return length - cur;
  }

  /** CONSUME_CR_OR_LF: skip \r and \n; at the end of the data that is fine only after one. */
  private consumeCrLf(o: number, len: number): [number, number] {
    let found = false;
    for (;;) {
      if (len === 0 || !this.b.has(o, 1)) {
        if (found) return [o, len];
        throw new Truncated();
      }
      const c = this.b.p[o]!;
      if (c !== 13 && c !== 10) return [o, len];
      found = true;
      o++;
      len--;
    }
  }

  private inline(o: number, length: number): number {
    let [p, cur] = this.consumeCrLf(o, length);
    const start = p;
    for (;;) {
      if (cur < 1) throw new Truncated();
      const c = this.byte(p);
      if (c === 13 || c === 10) break;
      p++;
      cur--;
    }
    this.segment(start, p - start);
    [, cur] = this.consumeCrLf(p, cur);
    return length - cur;
  }
}

/** `: RESP …` for a TCP segment's payload of `len` bytes at `off` (captured up to `end`). */
export function resp(p: Uint8Array, off: number, len: number, end: number): { text: string; jumped: boolean } {
  const parser = new Parser(new Bytes(p, end));
  parser.out = ': RESP';
  let o = off;
  let rest = len;
  try {
    while (rest > 0) {
      const r = parser.parse(o, rest);
      o += r;
      rest -= r;
    }
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    return { text: `${parser.out} [|resp]`, jumped: parser.jumped };
  }
  return { text: parser.out, jumped: false };
}
