/**
 * Block-buffered byte input for the capture readers.
 *
 * Technique: one buffer (256 KiB by default) filled with synchronous `readSync` calls; the
 * readers parse records in place and ask `ensure(n)` for the next n bytes. When the unread tail
 * is too short, it is moved to the front (`copyWithin`, a memmove) and the rest of the buffer is
 * refilled, so memory stays constant however large the input is; the buffer only grows for a
 * single record bigger than it. A `DataView` over the same memory reads multi-byte fields in
 * either byte order. Works for regular files and pipes (stdin, `-r -`); an in-memory source
 * wraps a byte array without copying (and never compacts it, so the caller's bytes stay intact).
 *
 * Why 256 KiB: the kernel's copy into the buffer leaves the bytes in the CPU's cache, where the
 * parser and the filter then find them, if the buffer is small enough to stay there. Reading the
 * benchmark's 228 MB capture and filtering it (`tcp port 80`, JS JIT batches) took 70 ms of CPU
 * with 256 KiB against 83 ms with 1 MiB (best of 7, 2-vCPU EPYC VM under load, 2026-12-02);
 * 128 KiB was no better than 256 KiB.
 */
import { openSync, readSync, closeSync } from 'node:fs';
import { UserError } from '../errors.ts';

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Reads up to `len` bytes at `off` from fd; 0 at end of input. Retries EAGAIN (non-blocking stdin). */
function readSome(fd: number, buf: Uint8Array, off: number, len: number): number {
  for (;;) {
    try {
      return readSync(fd, buf, off, len, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(sleepCell, 0, 0, 2);
        continue;
      }
      if (code === 'EOF') return 0;
      throw new UserError('CAPTURE_READ', `read error: ${(e as Error).message}`);
    }
  }
}

export class ByteSource {
  /** The buffer; bytes [pos, end) are unread input. Replaced when it has to grow. */
  buf: Uint8Array;
  /** DataView over `buf`. */
  view: DataView;
  /** Read position in `buf`. */
  pos = 0;
  /** End of valid bytes in `buf`. */
  end = 0;
  /** Input byte offset of `buf[0]`. */
  base = 0;
  /** True once the input has reported its end. */
  eof = false;
  private readonly fd: number;
  private readonly ownsFd: boolean;
  private readonly memory: boolean;

  private constructor(fd: number, ownsFd: boolean, buf: Uint8Array, memory: boolean) {
    this.fd = fd;
    this.ownsFd = ownsFd;
    this.memory = memory;
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (memory) {
      this.end = buf.length;
      this.eof = true;
    }
  }

  /** Opens a file ('-' = stdin). A missing or unreadable file is a one-line UserError. */
  static open(path: string, blockSize = 1 << 18): ByteSource {
    if (path === '-') return new ByteSource(0, false, new Uint8Array(blockSize), false);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why =
        err.code === 'ENOENT' ? 'No such file or directory' : err.code === 'EACCES' ? 'Permission denied' : err.code === 'EISDIR' ? 'Is a directory' : err.message;
      throw new UserError('CAPTURE_OPEN', `${path}: ${why}`);
    }
    return new ByteSource(fd, true, new Uint8Array(blockSize), false);
  }

  /** Wraps bytes already in memory (no copy). */
  static fromBytes(bytes: Uint8Array): ByteSource {
    return new ByteSource(-1, false, bytes, true);
  }

  /**
   * True when `buf` is this source's own buffer (a file or pipe read into it), false for bytes a
   * caller handed in (fromBytes), which must stay as they are.
   */
  get ownsBuffer(): boolean {
    return !this.memory;
  }

  /** Input offset of the read position. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Unread bytes currently buffered. */
  get available(): number {
    return this.end - this.pos;
  }

  /** Makes `n` bytes available at `pos`; false when the input ends first (`available` < n). */
  ensure(n: number): boolean {
    if (this.end - this.pos >= n) return true;
    if (this.eof) return false;
    return this.fill(n);
  }

  private fill(n: number): boolean {
    if (this.memory) return false;
    const unread = this.end - this.pos;
    if (n > this.buf.length) {
      // A record larger than the block: grow (rare; bounded by the readers' length checks).
      const bigger = new Uint8Array(Math.max(n, this.buf.length * 2));
      bigger.set(this.buf.subarray(this.pos, this.end));
      this.buf = bigger;
      this.view = new DataView(bigger.buffer);
    } else if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.end);
    }
    this.base += this.pos;
    this.pos = 0;
    this.end = unread;
    while (this.end < n) {
      const got = readSome(this.fd, this.buf, this.end, this.buf.length - this.end);
      if (got === 0) {
        this.eof = true;
        break;
      }
      this.end += got;
    }
    return this.end >= n;
  }

  /**
   * Consumes `n` bytes that need not fit in the buffer (discarding the tail of an over-long
   * record). Returns how many were actually consumed (< n at end of input).
   */
  skip(n: number): number {
    let done = 0;
    while (done < n) {
      if (this.pos === this.end && !this.ensure(1)) break;
      const step = Math.min(n - done, this.end - this.pos);
      this.pos += step;
      done += step;
    }
    return done;
  }

  close(): void {
    if (this.ownsFd) closeSync(this.fd);
  }
}
