/**
 * NTP (UDP 123) as tcpdump 4.99.3 prints it (print-ntp.c, ntp.c): `NTPv4, Client, length 48`,
 * and with -v the leap indicator, stratum, poll and precision, root delay and dispersion, the
 * reference id (by stratum), the four timestamps with their UTC dates, and the two
 * originator deltas; control messages (mode 6) with their header fields.
 *
 * Technique: 64-bit NTP timestamps are printed as tcpdump does, the fraction scaled to
 * nanoseconds through a double; a field beyond the capture ends the text with " [|ntp]".
 */
import { Bytes, Truncated, printChar } from './bytes.ts';

const MODES = ['unspecified', 'symmetric active', 'symmetric passive', 'Client', 'Server', 'Broadcast', 'Control Message', 'Reserved'];
const LEAP: ReadonlyMap<number, string> = new Map([[0x00, ''], [0x40, '+1s'], [0x80, '-1s'], [0xc0, 'clock unsynchronized']]);
const JAN_1970 = 2208988800;
const FMAXINT = 4294967296;

/** p_ntp_time: "3712483316.928478999 (2017-08-23T13:21:56Z)". */
function ntpTime(r: Bytes, o: number): string {
  const i = r.u32(o);
  const uf = r.u32(o + 4);
  const f = Math.floor((uf / FMAXINT) * 1000000000.0);
  let s = `${i}.${String(f).padStart(9, '0')}`;
  if (i) s += ` (${new Date((i - JAN_1970) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')})`;
  return s;
}

/** p_ntp_delta: the signed difference of two timestamps, or the second one when the first is zero. */
function ntpDelta(r: Bytes, oo: number, o: number): string {
  const u = r.u32(o);
  const ou = r.u32(oo);
  const uf = r.u32(o + 4);
  const ouf = r.u32(oo + 4);
  if (ou === 0 && ouf === 0) return ntpTime(r, o);
  let sign: boolean;
  let i: number;
  let f: number;
  if (u > ou) {
    sign = false;
    i = u - ou;
    f = (uf - ouf) >>> 0;
    if (ouf > uf) i -= 1;
  } else if (u < ou) {
    sign = true;
    i = ou - u;
    f = (ouf - uf) >>> 0;
    if (uf > ouf) i -= 1;
  } else {
    i = 0;
    if (uf > ouf) {
      sign = false;
      f = uf - ouf;
    } else {
      sign = true;
      f = ouf - uf;
    }
  }
  const ns = Math.floor((f / FMAXINT) * 1000000000.0);
  return `${sign ? '-' : '+'}${i >>> 0}.${String(ns).padStart(9, '0')}`;
}

function sfix(r: Bytes, o: number): string {
  const i = r.u16(o);
  const f = Math.floor((r.u16(o + 2) / 65536.0) * 1000000.0);
  return `${i}.${String(f).padStart(6, '0')}`;
}

function timeMessage(r: Bytes, o: number, length: number, host4: (o: number) => string): string {
  if (length < 48) {
    r.need(o, length);
    return ' (invalid)';
  }
  const stratum = r.u8(o + 1);
  const sname = stratum === 0 ? 'unspecified' : stratum === 1 ? 'primary reference' : stratum >= 2 && stratum <= 15 ? 'secondary reference' : 'reserved';
  let s = `, Stratum ${stratum} (${sname})`;
  const poll = (r.u8(o + 2) << 24) >> 24;
  s += `, poll ${poll}`;
  if (poll > -32 && poll < 32) s += poll >= 0 ? ` (${2 ** poll}s)` : ` (1/${2 ** -poll}s)`;
  s += `, precision ${(r.u8(o + 3) << 24) >> 24}`;
  try {
    r.need(o + 4, 4);
    s += `\n\tRoot Delay: ${sfix(r, o + 4)}`;
    r.need(o + 8, 4);
    s += `, Root dispersion: ${sfix(r, o + 8)}`;
    r.need(o + 12, 4);
    s += ', Reference-ID: ';
    if (stratum === 0) s += '(unspec)';
    else if (stratum === 1) {
      for (let i = o + 12; i < o + 16; i++) s += printChar(r.p[i]!);
    } else if (stratum === 254) return `${s}${host4(o + 12)} INFO_QUERY`;
    else if (stratum === 255) return `${s}${host4(o + 12)} INFO_REPLY`;
    else s += `0x${r.u32(o + 12).toString(16).padStart(8, '0')}`;
    const ts = (label: string, at: number): void => {
      r.need(at, 8);
      s += `\n\t  ${label}${ntpTime(r, at)}`;
    };
    ts('Reference Timestamp:  ', o + 16);
    ts('Originator Timestamp: ', o + 24);
    ts('Receive Timestamp:    ', o + 32);
    ts('Transmit Timestamp:   ', o + 40);
    s += `\n\t    Originator - Receive Timestamp:  ${ntpDelta(r, o + 24, o + 32)}`;
    s += `\n\t    Originator - Transmit Timestamp: ${ntpDelta(r, o + 24, o + 40)}`;
    if (length === 52) s += `\n\tKey id: ${r.u32(o + 48)}`;
    else if (length === 68 || length === 72) {
      s += `\n\tKey id: ${r.u32(o + 48)}`;
      const n = length === 68 ? 16 : 20;
      r.need(o + 52, n);
      s += '\n\tAuthentication: ';
      for (let i = 0; i < n; i += 4) s += r.u32(o + 52 + i).toString(16).padStart(8, '0');
    } else if (length > 48) s += `\n\t(${length - 48} more bytes after the header)`;
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    s += ' [|ntp]';
  }
  return s;
}

function controlMessage(r: Bytes, o: number, length: number): string {
  if (length < 12) {
    r.need(o, length);
    return ' (invalid)';
  }
  const c = r.u8(o + 1);
  let s = `, ${c & 0x80 ? 'Response' : 'Request'}, ${c & 0x40 ? 'Error' : 'OK'}, ${c & 0x20 ? 'More' : 'Last'}, OpCode=${c & 0x1f}\n`;
  s += `\tSequence=${r.u16(o + 2)}`;
  const status = r.u16(o + 4);
  s += `, Status=${status ? `0x${status.toString(16)}` : '0'}`;
  s += `, Assoc.=${r.u16(o + 6)}, Offset=${r.u16(o + 8)}`;
  const count = r.u16(o + 10);
  s += `, Count=${count}`;
  if (12 + count > length) {
    r.need(o, length);
    return `${s} (invalid)`;
  }
  if (count !== 0) {
    if (o + 12 + count > r.end) return `${s} [|ntp]`;
    s += '\n\tTO-BE-DONE: data not interpreted';
  }
  return s;
}

/** NTP: `off` is the message, `length` its UDP length, `end` the captured end. */
export function ntp(p: Uint8Array, off: number, length: number, end: number, verbose: number, host4: (o: number) => string): string {
  if (end <= off) return ' [|ntp]';
  const r = new Bytes(p, end);
  const status = p[off]!;
  const mode = status & 7;
  let s = `NTPv${(status >> 3) & 7}, ${MODES[mode]}, length ${length}`;
  if (!verbose) return s;
  const leap = status & 0xc0;
  s += `\n\tLeap indicator: ${LEAP.get(leap)} (${leap})`;
  try {
    if (mode <= 5) s += timeMessage(r, off, length, host4);
    else if (mode === 6) s += controlMessage(r, off, length);
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    s += ' [|ntp]';
  }
  return s;
}
