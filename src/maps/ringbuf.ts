/**
 * BPF_MAP_TYPE_RINGBUF: a single-producer (the program) / single-consumer (TypeScript) byte ring
 * with the kernel's record format: an 8-byte header (u32 length whose bit 31 means "busy, still
 * being written" and bit 30 "discarded", then a u32 page offset we leave 0), the payload, padding
 * to a multiple of 8. Producer and consumer positions only grow; `pos & mask` is the byte offset.
 *
 * Wrap-around: the kernel maps the data pages twice in a row so a record that runs past the end
 * is still contiguous for the program. We do the same with one Uint8Array of twice the size: a
 * reserved record is a plain view that may extend into the second half, and on submit/discard the
 * spilled bytes are copied to the start of the ring, where the consumer expects them. Headers are
 * 8-aligned so they never straddle the end.
 *
 * Reservation rules follow the kernel: size 0 or one that cannot fit the ring → fail; the
 * producer may not get within 8 bytes of lapping the consumer (`prod + len - cons > mask` → fail,
 * counted in `drops`). Records are delivered in reservation order; the consumer stops at the first
 * busy record even if later ones were already submitted, and skips discarded ones.
 */
import { Errno } from './errno.ts';
import { round8 } from './types.ts';
import type { BpfMap, MapSpec } from './types.ts';

const BUSY = 0x80000000;
const DISCARD = 0x40000000;
const HDR = 8;

export class RingBuf implements BpfMap {
  readonly kind = 'ringbuf' as const;
  readonly keySize = 0;
  readonly valueSize = 0;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;
  id = 0;
  /** Data area, doubled (see header). */
  readonly data: Uint8Array;
  private readonly dv: DataView;
  private readonly mask: number;
  producerPos = 0;
  consumerPos = 0;
  /** Reservations that failed for lack of space. */
  drops = 0;
  /** Reserved payload views not yet submitted or discarded → header offset. */
  private readonly pending = new Map<Uint8Array, number>();
  private readonly views = new Map<number, Uint8Array>();

  constructor(spec: MapSpec) {
    this.maxEntries = spec.maxEntries;
    this.flags = spec.flags ?? 0;
    this.name = spec.name ?? '';
    this.mask = spec.maxEntries - 1;
    this.data = new Uint8Array(spec.maxEntries * 2);
    this.dv = new DataView(this.data.buffer);
  }

  /** Reserves `size` payload bytes; returns a writable view or undefined (ring full / bad size). */
  reserve(size: number): Uint8Array | undefined {
    if (!Number.isInteger(size) || size <= 0 || size > DISCARD - 1) return undefined;
    const len = round8(size + HDR);
    if (len > this.maxEntries) return undefined;
    if (this.producerPos + len - this.consumerPos > this.mask) {
      this.drops++;
      return undefined;
    }
    const off = this.producerPos & this.mask;
    this.dv.setUint32(off, (size | BUSY) >>> 0, true);
    this.dv.setUint32(off + 4, 0, true);
    this.producerPos += len;
    // Views are cached per (offset, size) so an engine that registers each record as a memory
    // region sees a bounded set of them however many records pass through the ring.
    const ck = size < 1 << 20 ? off * (1 << 20) + size : -1;
    let view = ck >= 0 ? this.views.get(ck) : undefined;
    if (view === undefined) {
      view = this.data.subarray(off + HDR, off + HDR + size);
      if (ck >= 0) this.views.set(ck, view);
    }
    view.fill(0);
    this.pending.set(view, off);
    return view;
  }

  /** Is `view` a record reserved and not yet committed? (helpers validate their argument) */
  isPending(view: Uint8Array): boolean {
    return this.pending.has(view);
  }

  /** Commits a reserved record (discard = true drops it). Returns 0 or -EINVAL for a foreign view. */
  commit(view: Uint8Array, discard = false): number {
    const off = this.pending.get(view);
    if (off === undefined) return -Errno.EINVAL;
    this.pending.delete(view);
    const size = this.dv.getUint32(off, true) & ~BUSY;
    const end = off + HDR + size;
    // Copy the part that ran into the mirror half back to the start of the ring.
    if (end > this.maxEntries) {
      const from = Math.max(off + HDR, this.maxEntries);
      this.data.copyWithin(from - this.maxEntries, from, end);
    }
    this.dv.setUint32(off, (size | (discard ? DISCARD : 0)) >>> 0, true);
    return 0;
  }

  /** bpf_ringbuf_output: reserve + copy + submit. Returns 0 or -EAGAIN-like -ENOSPC when full. */
  output(src: Uint8Array, srcOffset: number, size: number): number {
    const view = this.reserve(size);
    if (view === undefined) return -Errno.ENOSPC;
    view.set(src.subarray(srcOffset, srcOffset + size));
    return this.commit(view);
  }

  /**
   * Delivers committed records to `fn` (a view valid during the call) in order, advancing the
   * consumer; stops at the first busy record. Returns the number delivered.
   */
  consume(fn: (record: Uint8Array) => void, limit = Infinity): number {
    let n = 0;
    while (this.consumerPos < this.producerPos && n < limit) {
      const off = this.consumerPos & this.mask;
      const hdr = this.dv.getUint32(off, true);
      if (hdr & BUSY) break;
      const size = hdr & ~(BUSY | DISCARD);
      if (!(hdr & DISCARD)) {
        const start = off + HDR;
        const end = start + size;
        if (end <= this.maxEntries) fn(this.data.subarray(start, end));
        else {
          // Wrapped record: assemble tail + head (the mirror half may be stale by now).
          const rec = new Uint8Array(size);
          const first = Math.max(0, this.maxEntries - start);
          rec.set(this.data.subarray(start, start + first), 0);
          rec.set(this.data.subarray(Math.max(0, start - this.maxEntries), end - this.maxEntries), first);
          fn(rec);
        }
        n++;
      }
      this.consumerPos += round8(size + HDR);
    }
    return n;
  }

  /** Copies out every committed record (convenience for tests and the CLI). */
  drain(): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.consume((r) => out.push(r.slice()));
    return out;
  }

  /** bpf_ringbuf_query: 0 available bytes, 1 ring size, 2 consumer pos, 3 producer pos. */
  query(what: number): number {
    switch (what) {
      case 0:
        return this.producerPos - this.consumerPos;
      case 1:
        return this.maxEntries;
      case 2:
        return this.consumerPos;
      case 3:
        return this.producerPos;
      default:
        return 0;
    }
  }

  lookup(_key?: Uint8Array, _keyOffset?: number): undefined {
    return undefined;
  }
  update(_key?: Uint8Array, _value?: Uint8Array, _flags?: number): number {
    return -Errno.ENOTSUPP;
  }
  delete(_key?: Uint8Array, _keyOffset?: number): number {
    return -Errno.ENOTSUPP;
  }
  nextKey(_key?: Uint8Array): undefined {
    return undefined;
  }
  count(): number {
    return 0;
  }
}
