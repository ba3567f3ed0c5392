/**
 * The progress line on stderr: rewritten in place (carriage return) on a terminal, and at most
 * one line every two seconds otherwise, so a log stays short. `done()` ends the line.
 */
export class Progress {
  private last = 0;
  private shown = false;
  private readonly tty = process.stderr.isTTY === true;
  constructor(private readonly quiet = false) {}

  update(msg: string): void {
    if (this.quiet) return;
    if (this.tty) {
      const width = (process.stderr.columns ?? 100) - 1;
      process.stderr.write(`\r${msg.slice(0, width).padEnd(width)}`);
      this.shown = true;
      return;
    }
    const now = Date.now();
    if (now - this.last < 2000) return;
    this.last = now;
    process.stderr.write(`${msg}\n`);
  }

  /** A line that stays (warnings, mismatches). */
  note(msg: string): void {
    this.done();
    process.stderr.write(`${msg}\n`);
  }

  done(): void {
    if (this.tty && this.shown) process.stderr.write(`\r${' '.repeat((process.stderr.columns ?? 100) - 1)}\r`);
    this.shown = false;
  }
}
