/**
 * The timestamp column of tcpdump's output, for every `-t` level and both precisions.
 *
 *   (none)  `HH:MM:SS.ffffff`              local time of day
 *   -t      nothing
 *   -tt     `SSSSSSSSSS.ffffff`            seconds since the epoch
 *   -ttt    ` HH:MM:SS.ffffff`             delta since the previous printed packet (sign column;
 *                                          the hours wrap at 24, as tcpdump's time-of-day format)
 *   -tttt   `YYYY-MM-DD HH:MM:SS.ffffff`   local date and time
 *   -ttttt  ` HH:MM:SS.ffffff`             delta since the first printed packet
 *
 * The fraction has 6 digits (`micro`, the default) or 9 (`nano`); a nanosecond source printed at
 * micro precision is truncated, as libpcap does when it scales timestamps. Local time follows the
 * `TZ` environment variable through the JavaScript `Date` (Node re-reads `TZ` when it changes).
 * Technique: one reusable `Date` (setTime, no allocation), and the `HH:MM:SS` / date prefix is
 * cached per whole second, so consecutive packets in the same second only format the fraction.
 * Negative seconds (a pcap record from 2038 on, read as libpcap's signed 32-bit field) print as
 * "[Error converting time]" in the absolute formats, as tcpdump 4.99.3 does.
 *
 * Seconds beyond ±2^53 (a pcapng if_tsoffset near ±2^62) come as an exact bigint beside the
 * rounded double, and the text uses it: `-tt` prints the low 32 bits of the seconds as tcpdump
 * does (unsigned; "[Error converting time]" when bit 31 is set, which also refuses the local
 * formats), the deltas are exact differences (refused alike when bit 31 of their low 32 bits
 * is set, else whole days dropped), and local time outside the JavaScript Date range (±8.64e12
 * s) is computed 400-year cycles closer (the Gregorian calendar's period), up to the years
 * where C's localtime fails.
 */

export type Precision = 'micro' | 'nano';

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function padFrac(n: number, digits: number): string {
  const s = `${n}`;
  return s.length >= digits ? s : '0'.repeat(digits - s.length) + s;
}

/** The largest seconds a JavaScript Date holds (8.64e15 ms). */
const MAX_DATE_SEC = 8.64e12;
/** Seconds in 400 Gregorian years (146,097 days): the calendar's period. */
const CYCLE_SEC = 146_097n * 86_400n;

/** lcm(2^32, 86,400): the delta format depends on a difference only modulo this (below 2^53). */
const DELTA_PERIOD = 0x100000000n * 675n;

/**
 * An exact difference of seconds as a double with its sign, its value modulo DELTA_PERIOD (its
 * low 32 bits and its time of day) and one period more when it had one, so that a borrow of one
 * second still gives the right remainders: all that the delta format looks at.
 */
function daySafe(d: bigint): number {
  const neg = d < 0n;
  const m = neg ? -d : d;
  const r = m >= DELTA_PERIOD ? Number(m % DELTA_PERIOD) + Number(DELTA_PERIOD) : Number(m);
  return neg ? -r : r;
}

/** The low 32 bits of the seconds, unsigned (exact from `big` when there is one). */
function low32(sec: number, big: bigint | undefined): number {
  return big !== undefined ? Number(BigInt.asUintN(32, big)) : sec >>> 0;
}

export class TimestampFormatter {
  private readonly level: number;
  private readonly precision: Precision;
  private readonly date = new Date(0);
  private cachedSec = Number.NaN;
  private cachedPrefix = '';
  private havePrev = false;
  private prevSec = 0;
  private prevNsec = 0;
  private prevBig: bigint | undefined;
  private firstSec = 0;
  private firstNsec = 0;
  private firstBig: bigint | undefined;

  /** `level` is the number of `-t` flags (0 = default local time of day). */
  constructor(level: number, precision: Precision) {
    this.level = level;
    this.precision = precision;
  }

  /** The fraction of a second at the output precision. */
  private frac(nsec: number): string {
    return this.precision === 'nano' ? padFrac(nsec, 9) : padFrac(Math.floor(nsec / 1000), 6);
  }

  /**
   * False after formatting a timestamp whose text is not known to match tcpdump's (a fraction
   * field of a billion or more, which only corrupt files contain).
   */
  exact = true;

  /**
   * The timestamp text followed by one space, or '' for `-t`. `big` is the exact seconds when
   * they are not a safe integer (PacketRecord.tsSecBig); `sec` is then the nearest double.
   */
  format(sec: number, nsec: number, big?: bigint): string {
    this.exact = nsec >= 0 && nsec < 1_000_000_000;
    switch (this.level) {
      case 0:
      case 4:
        // tcpdump refuses seconds whose low 32 bits have bit 31 set (so a pcap record from 2038
        // on, read by libpcap as a negative 32-bit number), and a time the calendar cannot hold.
        if (low32(sec, big) >= 0x80000000) return '[Error converting time] ';
        if (big !== undefined || Math.abs(sec) > MAX_DATE_SEC) {
          const far = this.farPrefix(big ?? BigInt(sec), this.level === 4);
          return far === undefined ? '[Error converting time] ' : `${far}.${this.frac(nsec)} `;
        }
        return `${this.localPrefix(sec, this.level === 4)}.${this.frac(nsec)} `;
      case 1:
        return '';
      case 2: {
        // tcpdump prints the low 32 bits of the seconds, unsigned, refusing them with bit 31 set.
        const low = low32(sec, big);
        if (low >= 0x80000000) return '[Error converting time] ';
        return `${low}.${this.frac(nsec)} `;
      }
      case 3: {
        const s = this.havePrev ? this.delta(sec, nsec, big, this.prevSec, this.prevNsec, this.prevBig) : this.delta(sec, nsec, big, sec, nsec, big);
        this.prevSec = sec;
        this.prevNsec = nsec;
        this.prevBig = big;
        this.havePrev = true;
        return s;
      }
      default: {
        if (!this.havePrev) {
          this.firstSec = sec;
          this.firstNsec = nsec;
          this.firstBig = big;
          this.havePrev = true;
        }
        return this.delta(sec, nsec, big, this.firstSec, this.firstNsec, this.firstBig);
      }
    }
  }

  /**
   * ` HH:MM:SS.frac ` for t - base; a negative delta gets `-`. tcpdump formats the difference as
   * a time of day, so whole days drop out (the hours wrap at 24).
   */
  private delta(sec: number, nsec: number, big: bigint | undefined, baseSec: number, baseNsec: number, baseBig: bigint | undefined): string {
    // Work at the output precision so that the fraction carries/borrows like tcpdump's.
    const unit = this.precision === 'nano' ? 1_000_000_000 : 1_000_000;
    const f = this.precision === 'nano' ? nsec : Math.floor(nsec / 1000);
    const bf = this.precision === 'nano' ? baseNsec : Math.floor(baseNsec / 1000);
    let dSec = big === undefined && baseBig === undefined ? sec - baseSec : daySafe((big ?? BigInt(sec)) - (baseBig ?? BigInt(baseSec)));
    let dFrac = f - bf;
    let sign = ' ';
    if (dSec < 0 || (dSec === 0 && dFrac < 0)) {
      sign = '-';
      dSec = -dSec;
      dFrac = -dFrac;
    }
    if (dFrac < 0) {
      dFrac += unit;
      dSec -= 1;
    }
    // a difference whose low 32 bits have bit 31 set is refused like such an absolute time
    if (dSec % 0x100000000 >= 0x80000000) return `${sign}[Error converting time] `;
    const h = Math.floor(dSec / 3600) % 24;
    const m = Math.floor((dSec % 3600) / 60);
    const s = dSec % 60;
    return `${sign}${pad2(h)}:${pad2(m)}:${pad2(s)}.${padFrac(dFrac, unit === 1_000_000 ? 6 : 9)} `;
  }

  /**
   * Local time beyond the Date range: the Gregorian calendar repeats every 400 years, so the time
   * is formatted k cycles closer to 1970 and k·400 added to the year. Undefined where the C
   * library's localtime fails (a year that does not fit tm_year, a 32-bit int from 1900).
   */
  private farPrefix(s: bigint, withDate: boolean): string | undefined {
    const k = s / CYCLE_SEC;
    const d = this.date;
    d.setTime(Number(s - k * CYCLE_SEC) * 1000);
    const year = d.getFullYear() + Number(k) * 400;
    if (year - 1900 > 0x7fffffff || year - 1900 < -0x80000000) return undefined;
    const hms = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
    this.cachedSec = Number.NaN;
    return withDate ? `${year}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${hms}` : hms;
  }

  /** Local `HH:MM:SS` (or `YYYY-MM-DD HH:MM:SS`), cached per whole second. */
  private localPrefix(sec: number, withDate: boolean): string {
    if (sec !== this.cachedSec) {
      const d = this.date;
      d.setTime(sec * 1000);
      const hms = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
      this.cachedPrefix = withDate ? `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${hms}` : hms;
      this.cachedSec = sec;
    }
    return this.cachedPrefix;
  }
}
