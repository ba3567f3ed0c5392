/**
 * Output rotation for `-w` as tcpdump 4.99.3 does it: `-C size` (millions of bytes), `-G
 * seconds` (strftime in the file name), `-W count`.
 *
 * tcpdump's rules (tcpdump.c, dump_packet_and_trunc and MakeFilename), reproduced here:
 *  - Before each packet is written, `-G`: when the wall clock (whole seconds, time(NULL)) is at
 *    least `seconds` past the moment the current period began (at first the moment the options
 *    were read), the file is closed and a new period begins: the name is the `-w` text through
 *    strftime(3) on the local time of that moment. With `-W count` and no `-C`, the count-th such
 *    rotation ends the capture instead ("Maximum file limit reached: count"). tcpdump uses the
 *    wall clock for `-r` input too, not the packets' timestamps.
 *  - Then `-C`: when the current file already holds more than size × 1,000,000 bytes (file
 *    header and records; the last packet written may take it past the size), the next file is
 *    opened. Files are named NAME, NAME1, NAME2 …; with `-W count` they are numbered from 0,
 *    zero-padded to the digits of count − 1 (NAME0, NAME1 … for -W 10, NAME00 … for -W 11), and
 *    after the last the first is overwritten (a ring). A `-G` rotation restarts the numbering.
 *  - `-W` without `-C` or `-G`, and `-C`/`-G` without `-w`, change nothing.
 *
 * Technique: the size of a pcap file is counted (24-byte header plus 16 bytes and the captured
 * bytes per record), as ftell on tcpdump's stdio stream would report it including what is still
 * buffered; for pcapng output (--pcapng) the writer is flushed and the bytes it handed to the
 * file are counted. The clock is a parameter so that tests can drive `-G` without waiting.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { fileSink, PcapWriter, PcapngWriter, type ByteSink } from '../capture/index.ts';
import type { PacketRecord } from '../capture/types.ts';
import type { PacketSink, WriterOptions } from './capture-io.ts';

export interface RotationOptions {
  /** -C: rotate when the file holds more than this many bytes (the flag's value × 1,000,000). */
  fileSize?: number;
  /** -G: rotate after this many seconds (0: never). */
  seconds?: number;
  /** -W: ring size with -C, number of files with -G alone. */
  fileCount?: number;
}

/** Parses -C, -G and -W as tcpdump does (errors as tcpdump words them). */
export function parseRotation(C: string | undefined, G: string | undefined, W: string | undefined): RotationOptions | undefined {
  const r: RotationOptions = {};
  if (C !== undefined) {
    // strtol: optional sign and digits, nothing else; must be positive.
    if (!/^\s*[+-]?\d+$/.test(C) || Number(C) <= 0) throw new UserError('CLI_BAD_FILE_SIZE', `invalid file size ${C}`);
    const n = BigInt(C.trim());
    if (n > 0x7fffffffffffffffn / 1000000n) throw new UserError('CLI_BAD_FILE_SIZE', `file size ${C} is too large`);
    r.fileSize = Number(n) * 1000000;
  }
  if (G !== undefined) {
    const g = atoi(G);
    if (g < 0) throw new UserError('CLI_BAD_SECONDS', `invalid number of seconds ${G}`);
    if (g > 0) r.seconds = g;
  }
  if (W !== undefined) {
    const w = atoi(W);
    if (w <= 0) throw new UserError('CLI_BAD_FILE_COUNT', `invalid number of output files ${W}`);
    r.fileCount = w;
  }
  return r.fileSize !== undefined || r.seconds !== undefined ? r : undefined;
}

/** C's atoi: leading blanks, a sign, digits; anything else ends the number (no digits: 0). */
function atoi(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  if (m === null) return 0;
  const n = Number(m[1]);
  return Math.max(-0x80000000, Math.min(0x7fffffff, n));
}

/** Digits of the -W suffix (tcpdump's getWflagChars): those of count − 1. */
export function fileNumberDigits(count: number | undefined): number {
  if (count === undefined) return 0;
  let c = 0;
  for (let x = count - 1; x > 0; x = Math.floor(x / 10)) c++;
  return c;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * strftime(3) in the C locale on the local time (TZ) of `date`: the conversions of C99 and
 * POSIX, with %E and %O modifiers ignored as in the C locale. An unknown conversion is kept as
 * written (glibc's behaviour).
 */
export function strftime(format: string, date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const Y = date.getFullYear(), m = date.getMonth(), d = date.getDate();
  const H = date.getHours(), M = date.getMinutes(), S = date.getSeconds(), w = date.getDay();
  const yday = Math.round((Date.UTC(Y, m, d) - Date.UTC(Y, 0, 1)) / 86400000);
  const offMin = -date.getTimezoneOffset();
  const isoWeek = (): { year: number; week: number } => {
    // ISO 8601: the week with the year's first Thursday is week 1.
    const wd = (w + 6) % 7; // Monday = 0
    const thursday = new Date(Date.UTC(Y, m, d - wd + 3));
    const year = thursday.getUTCFullYear();
    const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86400000));
    return { year, week };
  };
  const conv = (c: string): string | undefined => {
    switch (c) {
      case 'a': return DAYS[w]!.slice(0, 3);
      case 'A': return DAYS[w]!;
      case 'b': case 'h': return MONTHS[m]!.slice(0, 3);
      case 'B': return MONTHS[m]!;
      case 'c': return `${conv('a')} ${conv('b')} ${conv('e')} ${conv('T')} ${Y}`;
      case 'C': return two(Math.floor(Y / 100));
      case 'd': return two(d);
      case 'D': return `${two(m + 1)}/${two(d)}/${two(Y % 100)}`;
      case 'e': return String(d).padStart(2, ' ');
      case 'F': return `${Y}-${two(m + 1)}-${two(d)}`;
      case 'g': return two(isoWeek().year % 100);
      case 'G': return String(isoWeek().year);
      case 'H': return two(H);
      case 'I': return two(H % 12 === 0 ? 12 : H % 12);
      case 'j': return String(yday + 1).padStart(3, '0');
      case 'k': return String(H).padStart(2, ' ');
      case 'l': return String(H % 12 === 0 ? 12 : H % 12).padStart(2, ' ');
      case 'm': return two(m + 1);
      case 'M': return two(M);
      case 'n': return '\n';
      case 'p': return H < 12 ? 'AM' : 'PM';
      case 'P': return H < 12 ? 'am' : 'pm';
      case 'r': return `${conv('I')}:${two(M)}:${two(S)} ${conv('p')}`;
      case 'R': return `${two(H)}:${two(M)}`;
      case 's': return String(Math.floor(date.getTime() / 1000));
      case 'S': return two(S);
      case 't': return '\t';
      case 'T': return `${two(H)}:${two(M)}:${two(S)}`;
      case 'u': return String(w === 0 ? 7 : w);
      case 'U': return two(Math.floor((yday + 7 - w) / 7));
      case 'V': return two(isoWeek().week);
      case 'w': return String(w);
      case 'W': return two(Math.floor((yday + 7 - ((w + 6) % 7)) / 7));
      case 'x': return `${two(m + 1)}/${two(d)}/${two(Y % 100)}`;
      case 'X': return `${two(H)}:${two(M)}:${two(S)}`;
      case 'y': return two(Y % 100);
      case 'Y': return String(Y);
      case 'z': {
        const a = Math.abs(offMin);
        return `${offMin < 0 ? '-' : '+'}${two(Math.floor(a / 60))}${two(a % 60)}`;
      }
      case 'Z': return zoneAbbreviation(date);
      case '%': return '%';
      default: return undefined;
    }
  };
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch !== '%' || i + 1 >= format.length) {
      out += ch;
      continue;
    }
    let j = i + 1;
    if (format[j] === 'E' || format[j] === 'O') j++;
    const r = j < format.length ? conv(format[j]!) : undefined;
    if (r === undefined) {
      out += format.slice(i, j + 1);
    } else out += r;
    i = j;
  }
  return out;
}

/**
 * The time zone's abbreviation at `date` (%Z: UTC, CEST, IST, EST …), as the C library finds it:
 * from the TZif file TZ names (/etc/localtime without TZ), the transition in force at that
 * moment, or past the file's last transition the rule in its footer (a POSIX TZ string, whose
 * standard or daylight name is the one with JavaScript's offset at that moment).
 */
function zoneAbbreviation(date: Date): string {
  const offset = -date.getTimezoneOffset() * 60;
  const tz = process.env.TZ?.replace(/^:/, '');
  let file: Uint8Array | undefined;
  try {
    file = readFileSync(tz === undefined || tz === '' ? '/etc/localtime' : tz.startsWith('/') ? tz : `/usr/share/zoneinfo/${tz}`);
  } catch {
    file = undefined;
  }
  const fromFile = file !== undefined ? tzifAbbreviation(file, Math.floor(date.getTime() / 1000), offset) : undefined;
  if (fromFile !== undefined) return fromFile;
  // A POSIX TZ string itself (EST5EDT …), or a zone the system does not know (glibc: UTC).
  return posixAbbreviation(tz ?? '', offset) ?? (offset === 0 ? 'UTC' : '');
}

function tzifAbbreviation(b: Uint8Array, t: number, offset: number): string | undefined {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 44 || v.getUint32(0) !== 0x545a6966) return undefined; // "TZif"
  const counts = (at: number): number[] => [0, 1, 2, 3, 4, 5].map((i) => v.getUint32(at + 20 + 4 * i));
  let at = 0;
  let [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(0) as [number, number, number, number, number, number];
  let wide = false;
  if (b[4]! >= 0x32) {
    // Version 2+: skip the 32-bit block, read the 64-bit one.
    at = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
    [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(at) as [number, number, number, number, number, number];
    wide = true;
  }
  const tsz = wide ? 8 : 4;
  const times = at + 44;
  const idx = times + timecnt * tsz;
  const types = idx + timecnt;
  const chars = types + typecnt * 6;
  const abbr = (type: number): string => {
    let s = '';
    for (let i = chars + b[types + type * 6 + 5]!; i < chars + charcnt && b[i] !== 0; i++) s += String.fromCharCode(b[i]!);
    return s;
  };
  const timeAt = (i: number): number => (wide ? Number(v.getBigInt64(times + i * 8)) : v.getInt32(times + i * 4));
  let last = -1;
  for (let i = 0; i < timecnt && timeAt(i) <= t; i++) last = i;
  if (last >= 0 && last < timecnt - 1) return abbr(b[idx + last]!);
  if (last < 0 && typecnt > 0) return abbr(0);
  // After the last transition: the footer's rule (version 2+), else the last type.
  if (wide) {
    const footerStart = chars + charcnt + leap * 12 + isstd + isut;
    const footer = new TextDecoder('latin1').decode(b.subarray(footerStart)).split('\n')[1];
    const p = footer !== undefined ? posixAbbreviation(footer, offset) : undefined;
    if (p !== undefined) return p;
  }
  return timecnt > 0 ? abbr(b[idx + timecnt - 1]!) : typecnt > 0 ? abbr(0) : undefined;
}

/** The std or dst name of a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"), by which has `offset`. */
function posixAbbreviation(spec: string, offset: number): string | undefined {
  const m = /^(<[^>]*>|[A-Za-z]{3,})([+-]?\d{1,2}(?::\d{1,2}){0,2})(<[^>]*>|[A-Za-z]{3,})?/.exec(spec);
  if (m === null) return undefined;
  const strip = (n: string): string => n.replace(/^<|>$/g, '');
  const [h, mi = '0', se = '0'] = m[2]!.replace(/^[+-]/, '').split(':');
  const std = -(m[2]!.startsWith('-') ? -1 : 1) * (Number(h) * 3600 + Number(mi) * 60 + Number(se));
  if (m[3] === undefined || offset === std) return strip(m[1]!);
  return strip(m[3]);
}

/** A ByteSink that counts what passes through it. */
class CountingSink implements ByteSink {
  bytes = 0;
  constructor(private readonly inner: ByteSink) {}
  write(b: Uint8Array): void {
    this.bytes += b.length;
    this.inner.write(b);
  }
  flush(): void {
    this.inner.flush();
  }
  close(): void {
    this.inner.close();
  }
}

interface OpenFile {
  write(rec: PacketRecord): void;
  flush(): void;
  close(): void;
  /** Bytes in the file so far (ftell). */
  size(): number;
}

/** The `-w` writer that rotates: a PacketSink plus `admit`, asked before each packet. */
export class RotatingWriter implements PacketSink {
  /** Files opened so far, in order (names repeat in a -W ring). */
  readonly opened: string[] = [];
  /** Set when -G with -W ended the capture. */
  limitReached = false;
  private file: OpenFile;
  private periodStart: number;
  private rotations = 0;
  private fileNumber = 0;
  private readonly digits: number;

  /**
   * `startSeconds` is tcpdump's Gflag_time at option parsing; `now` gives the wall clock in
   * whole seconds (time(NULL)).
   */
  constructor(
    private readonly name: string,
    private readonly rot: RotationOptions,
    private readonly writerOpts: WriterOptions,
    private readonly packetBuffered: boolean,
    startSeconds: number,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    if (name === '-') throw new UserError('CLI_USAGE', '-C and -G need a file name with -w, not - (standard output)');
    this.digits = rot.fileSize !== undefined ? fileNumberDigits(rot.fileCount) : 0;
    this.periodStart = startSeconds;
    this.file = this.open(this.fileName(0));
  }

  /** The current file's name for number `n` (tcpdump's MakeFilename). */
  private fileName(n: number): string {
    const base = this.rot.seconds !== undefined ? strftime(this.name, new Date(this.periodStart * 1000)) : this.name;
    return n === 0 && this.digits === 0 ? base : base + String(n).padStart(this.digits, '0');
  }

  private open(path: string): OpenFile {
    this.opened.push(path);
    const o = this.writerOpts;
    const common = { linkType: o.linkType, snaplen: o.snaplen, precision: o.precision, packetBuffered: this.packetBuffered };
    if (o.pcapng) {
      const sink = new CountingSink(fileSink(path));
      const w = new PcapngWriter(sink, common);
      return { write: (r) => w.writePacket(r), flush: () => w.flush(), close: () => w.close(), size: () => (w.flush(), sink.bytes) };
    }
    const w = new PcapWriter(fileSink(path), common);
    let size = 24;
    return {
      write: (r) => {
        w.writePacket(r);
        size += 16 + r.caplen;
      },
      flush: () => w.flush(),
      close: () => w.close(),
      size: () => size,
    };
  }

  /**
   * Rotates as tcpdump does before writing a packet; false when -G with -W has opened its last
   * file and the capture must end (the packet is then not written).
   */
  admit(): boolean {
    if (this.limitReached) return false;
    const G = this.rot.seconds;
    if (G !== undefined) {
      const t = this.now();
      if (t - this.periodStart >= G) {
        this.periodStart = t;
        this.rotations++;
        this.file.close();
        if (this.rot.fileSize === undefined && this.rot.fileCount !== undefined && this.rotations >= this.rot.fileCount) {
          this.limitReached = true;
          return false;
        }
        this.fileNumber = 0;
        this.file = this.open(this.fileName(0));
      }
    }
    const C = this.rot.fileSize;
    if (C !== undefined && this.file.size() > C) {
      this.file.close();
      this.fileNumber++;
      if (this.rot.fileCount !== undefined && this.fileNumber >= this.rot.fileCount) this.fileNumber = 0;
      this.file = this.open(this.fileName(this.fileNumber));
    }
    return true;
  }

  write(rec: PacketRecord): void {
    this.file.write(rec);
  }

  flush(): void {
    this.file.flush();
  }

  close(): void {
    if (!this.limitReached) this.file.close();
  }
}
