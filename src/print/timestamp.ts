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
 */

export type Precision = 'micro' | 'nano';

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function padFrac(n: number, digits: number): string {
  const s = `${n}`;
  return s.length >= digits ? s : '0'.repeat(digits - s.length) + s;
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
  private firstSec = 0;
  private firstNsec = 0;

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

  /** The timestamp text followed by one space, or '' for `-t`. */
  format(sec: number, nsec: number): string {
    this.exact = nsec >= 0 && nsec < 1_000_000_000;
    // libpcap reads a pcap record's seconds as a signed 32-bit field, so from 2038 on they are
    // negative and tcpdump cannot convert them for the absolute formats (it says so instead).
    // pcapng timestamps are 64-bit and print normally.
    if (sec < 0 && (this.level === 0 || this.level === 2 || this.level === 4)) return '[Error converting time] ';
    switch (this.level) {
      case 0:
        return `${this.localPrefix(sec, false)}.${this.frac(nsec)} `;
      case 1:
        return '';
      case 2:
        return `${sec}.${this.frac(nsec)} `;
      case 3: {
        const s = this.delta(sec, nsec, this.havePrev ? this.prevSec : sec, this.havePrev ? this.prevNsec : nsec);
        this.prevSec = sec;
        this.prevNsec = nsec;
        this.havePrev = true;
        return s;
      }
      case 4:
        return `${this.localPrefix(sec, true)}.${this.frac(nsec)} `;
      default: {
        if (!this.havePrev) {
          this.firstSec = sec;
          this.firstNsec = nsec;
          this.havePrev = true;
        }
        return this.delta(sec, nsec, this.firstSec, this.firstNsec);
      }
    }
  }

  /**
   * ` HH:MM:SS.frac ` for t - base; a negative delta gets `-`. tcpdump formats the difference as
   * a time of day, so whole days drop out (the hours wrap at 24).
   */
  private delta(sec: number, nsec: number, baseSec: number, baseNsec: number): string {
    // Work at the output precision so that the fraction carries/borrows like tcpdump's.
    const unit = this.precision === 'nano' ? 1_000_000_000 : 1_000_000;
    const f = this.precision === 'nano' ? nsec : Math.floor(nsec / 1000);
    const bf = this.precision === 'nano' ? baseNsec : Math.floor(baseNsec / 1000);
    let dSec = sec - baseSec;
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
    const h = Math.floor(dSec / 3600) % 24;
    const m = Math.floor((dSec % 3600) / 60);
    const s = dSec % 60;
    return `${sign}${pad2(h)}:${pad2(m)}:${pad2(s)}.${padFrac(dFrac, unit === 1_000_000 ? 6 : 9)} `;
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
