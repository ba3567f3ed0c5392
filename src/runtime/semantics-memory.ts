/**
 * The machine state both engines share: region-tagged memory, helper calls, faults.
 *
 * Pointers are ordinary 64-bit register values whose HIGH half is a region tag
 * (`TAG_BASE + region index`) and whose LOW half is a byte offset inside the region, so pointer
 * arithmetic is plain 64-bit add/sub and every access is checked by one table lookup and one
 * bounds test: `bytes[hi - TAG_BASE]` must exist and `0 <= lo + off`, `lo + off + size <= length`.
 * Fixed regions: 0 stack (512 bytes per frame × MAX_CALL_DEPTH frames, growing down: r10 of the
 * frame at call depth k is STACK_BYTES - 512·k, so nothing is addressable above frame 0's r10), 1 context, 2 packet, 3 caller memory; map values and other live
 * buffers a helper hands out are registered on first use (`pointerTo`) and keep their index.
 *
 * Loads and stores are little-endian (the eBPF ABI on x86/arm64 hosts); the legacy LD_ABS/LD_IND
 * packet loads are big-endian (network order) and turn an out-of-bounds access into "return 0".
 * Nothing here allocates per instruction: 64-bit results travel through the scratch pair `T`.
 */
import { STACK_SIZE } from '../isa/ebpf/opcodes.ts';
import { T } from './semantics.ts';

/** High-half tag of region 0; region i has hi = TAG_BASE + i. */
export const TAG_BASE = 0x7eb00000;
export const MAX_CALL_DEPTH = 8;
export const REGION = { stack: 0, ctx: 1, packet: 2, mem: 3 } as const;
export const STACK_BYTES = STACK_SIZE * MAX_CALL_DEPTH;
/** Saved ints per call frame: return index, r6l..r9h (8), r10l, r10h. */
export const FRAME_INTS = 11;
const EMPTY = new Uint8Array(0);

/** A runtime error at a pc; the engine wrapper turns it into a UserError naming the instruction. */
export class EbpfFault extends Error {
  constructor(readonly pc: number, readonly reason: string, readonly code = 'EBPF_RUNTIME_FAULT') {
    super(reason);
  }
}

/** What a helper sees: its arguments r1..r5, memory access through pointers, and the run's context. */
export interface HelperEnv {
  /** Argument n (1..5) as an unsigned 64-bit BigInt. */
  arg(n: number): bigint;
  /** Low 32 bits of argument n, as a signed int32 (the fast path for small scalars). */
  argLo(n: number): number;
  /** High 32 bits of argument n, as a signed int32. */
  argHi(n: number): number;
  /** Resolves the pointer in argument n to `len` checked bytes: a live view and the start offset. */
  argMem(n: number, len: number): { bytes: Uint8Array; offset: number };
  /** A pointer value (to return in r0) to `bytes[offset]`; `bytes` becomes an addressable region. */
  pointerTo(bytes: Uint8Array, offset?: number): bigint;
  /**
   * The same pointer as the helper's result, without a BigInt: `return env.pointerResult(v)`
   * (the value returned is a placeholder; r0 gets the pointer). The fast path for map lookups.
   */
  pointerResult(bytes: Uint8Array, offset?: number): number;
  /** Stops the program after this helper returns; r0 is the helper's return value. */
  unwind(): void;
  /** Whatever the caller passed as `RunInput.env` (map registry, hook state, …). */
  readonly user: unknown;
  /** pc of the call instruction. */
  readonly pc: number;
}

/**
 * A helper: reads r1..r5 through `env`, returns r0. A number is taken as a signed integer (so
 * -errno works), a bigint modulo 2^64.
 */
export type HelperFn = (env: HelperEnv) => number | bigint;
/** Helpers by id (an array or an object keyed by helper number). */
export type HelperTable = Readonly<Record<number, HelperFn | undefined>>;

export class Machine implements HelperEnv {
  /**
   * Region storage by index (see REGION): the backing bytes, a DataView on them, and the window
   * of those bytes the region is — [base, base + size). A window lets a capture reader hand the
   * packet over as (block buffer, offset, length) with no per-packet allocation.
   */
  readonly bytes: Uint8Array[] = [new Uint8Array(STACK_BYTES), EMPTY, EMPTY, EMPTY];
  readonly views: DataView[] = this.bytes.map((b) => new DataView(b.buffer, b.byteOffset, b.byteLength));
  readonly base: number[] = [0, 0, 0, 0];
  readonly size: number[] = [STACK_BYTES, 0, 0, 0];
  readonly writable: boolean[] = [true, true, true, true];
  private readonly dynamic = new Map<Uint8Array, number>();
  /** Helper arguments r1..r5 as (lo, hi) pairs, written by the engine before `call`. */
  readonly A = new Int32Array(10);
  /** Call-frame stack of local calls (FRAME_INTS per frame). */
  readonly FS = new Int32Array(MAX_CALL_DEPTH * FRAME_INTS);
  /** r0 at exit. */
  r0l = 0;
  r0h = 0;
  stopped = false;
  user: unknown = undefined;
  pc = 0;

  constructor(readonly helpers: HelperTable) {}

  /**
   * Installs a fixed region for this run (ctx, packet, mem): bytes [offset, offset + length) of
   * `b`. Allocates only when `b` is a different array from the last run's (a new DataView).
   */
  setRegion(index: number, b: Uint8Array | undefined, writable = true, offset = 0, length = b ? b.length - offset : 0): void {
    const v = b ?? EMPTY;
    this.writable[index] = writable;
    this.base[index] = offset;
    this.size[index] = length;
    if (this.bytes[index] === v) return;
    this.bytes[index] = v;
    this.views[index] = new DataView(v.buffer, v.byteOffset, v.byteLength);
  }

  // ---- checked access -----------------------------------------------------------------------

  /** Index into `bytes[at]` of region offset `a`; set by `check`. */
  private at = 0;

  /**
   * Checks that a pointer with high half `hi` is valid for region offsets [a, a+n); returns the
   * region index and leaves the absolute byte index in `this.at`. Faults otherwise.
   */
  private check(hi: number, a: number, n: number, pc: number, write: boolean): number {
    const idx = (hi - TAG_BASE) >>> 0;
    const size = this.size[idx];
    if (size === undefined) throw new EbpfFault(pc, `invalid memory access: 0x${(hi >>> 0).toString(16)}${(a >>> 0).toString(16).padStart(8, '0')} is not a pointer`);
    if (a < 0 || a + n > size) throw new EbpfFault(pc, `out-of-bounds ${write ? 'store' : 'load'} of ${n} bytes at offset ${a} of ${regionName(idx)} (size ${size})`);
    if (write && !this.writable[idx]) throw new EbpfFault(pc, `store to read-only ${regionName(idx)}`);
    this.at = this.base[idx]! + a;
    return idx;
  }

  ld8(hi: number, a: number, pc: number): number { const i = this.check(hi, a, 1, pc, false); return this.bytes[i]![this.at]!; }
  ld16(hi: number, a: number, pc: number): number { const i = this.check(hi, a, 2, pc, false); return this.views[i]!.getUint16(this.at, true); }
  ld32(hi: number, a: number, pc: number): number { const i = this.check(hi, a, 4, pc, false); return this.views[i]!.getInt32(this.at, true); }
  /** 64-bit load into T. */
  ld64(hi: number, a: number, pc: number): void {
    const v = this.views[this.check(hi, a, 8, pc, false)]!;
    T[0] = v.getInt32(this.at, true);
    T[1] = v.getInt32(this.at + 4, true);
  }
  st8(hi: number, a: number, x: number, pc: number): void { const i = this.check(hi, a, 1, pc, true); this.bytes[i]![this.at] = x; }
  st16(hi: number, a: number, x: number, pc: number): void { const i = this.check(hi, a, 2, pc, true); this.views[i]!.setUint16(this.at, x & 0xffff, true); }
  st32(hi: number, a: number, x: number, pc: number): void { const i = this.check(hi, a, 4, pc, true); this.views[i]!.setInt32(this.at, x, true); }
  st64(hi: number, a: number, lo: number, hv: number, pc: number): void {
    const v = this.views[this.check(hi, a, 8, pc, true)]!;
    v.setInt32(this.at, lo, true);
    v.setInt32(this.at + 4, hv, true);
  }

  /**
   * Atomic read-modify-write (single-threaded, so plain read then write). `op` is the atomic
   * imm without the fetch bit; returns the old value in T. For cmpxchg, (cl, ch) is r0.
   */
  atomic32(op: number, hi: number, a: number, xl: number, cl: number, pc: number): void {
    const v = this.views[this.check(hi, a, 4, pc, true)]!;
    a = this.at;
    const old = v.getInt32(a, true);
    let nv = old;
    switch (op) {
      case 0x00: nv = (old + xl) | 0; break;
      case 0x40: nv = old | xl; break;
      case 0x50: nv = old & xl; break;
      case 0xa0: nv = old ^ xl; break;
      case 0xe0: nv = xl; break;
      case 0xf0: if (old === cl) nv = xl; break;
    }
    v.setInt32(a, nv, true);
    T[0] = old;
    T[1] = 0;
  }
  atomic64(op: number, hi: number, a: number, xl: number, xh: number, cl: number, ch: number, pc: number): void {
    const v = this.views[this.check(hi, a, 8, pc, true)]!;
    a = this.at;
    const ol = v.getInt32(a, true), oh = v.getInt32(a + 4, true);
    let nl = ol, nh = oh;
    switch (op) {
      case 0x00: { const s = (ol >>> 0) + (xl >>> 0); nh = (oh + xh + (s > 0xffffffff ? 1 : 0)) | 0; nl = s | 0; break; }
      case 0x40: nl = ol | xl; nh = oh | xh; break;
      case 0x50: nl = ol & xl; nh = oh & xh; break;
      case 0xa0: nl = ol ^ xl; nh = oh ^ xh; break;
      case 0xe0: nl = xl; nh = xh; break;
      case 0xf0: if (ol === cl && oh === ch) { nl = xl; nh = xh; } break;
    }
    v.setInt32(a, nl, true);
    v.setInt32(a + 4, nh, true);
    T[0] = ol;
    T[1] = oh;
  }

  /**
   * Legacy LD_ABS/LD_IND: big-endian load of `n` bytes at packet offset `a`, zero-extended;
   * -1 when out of bounds (the program then returns 0).
   */
  ldPkt(a: number, n: number): number {
    const b = this.bytes[REGION.packet]!;
    if (a < 0 || a + n > this.size[REGION.packet]!) return -1;
    a += this.base[REGION.packet]!;
    if (n === 1) return b[a]!;
    if (n === 2) return (b[a]! << 8) | b[a + 1]!;
    return ((b[a]! << 24) | (b[a + 1]! << 16) | (b[a + 2]! << 8) | b[a + 3]!) >>> 0;
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Calls helper `id` with A = r1..r5; r0 comes back in T. */
  call(id: number, pc: number): void {
    const fn = this.helpers[id];
    if (fn === undefined) throw new EbpfFault(pc, `call to unknown helper #${id}`, 'EBPF_UNKNOWN_HELPER');
    this.pc = pc;
    const r = fn(this);
    if (this.resultInT) {
      // The helper returned through pointerResult: T already holds r0.
      this.resultInT = false;
      return;
    }
    if (typeof r === 'number') {
      if (!Number.isInteger(r)) throw new EbpfFault(pc, `helper #${id} returned a non-integer`, 'EBPF_HELPER');
      T[0] = r | 0;
      T[1] = Math.floor(r / 4294967296) | 0;
    } else {
      T[0] = Number(BigInt.asIntN(32, r));
      T[1] = Number(BigInt.asIntN(32, r >> 32n));
    }
  }

  arg(n: number): bigint {
    return BigInt.asUintN(64, (BigInt(this.A[n * 2 - 1]!) << 32n) | BigInt(this.A[n * 2 - 2]! >>> 0));
  }
  argLo(n: number): number { return this.A[n * 2 - 2]!; }
  argHi(n: number): number { return this.A[n * 2 - 1]!; }
  argMem(n: number, len: number): { bytes: Uint8Array; offset: number } {
    const hi = this.A[n * 2 - 1]!, a = this.A[n * 2 - 2]!;
    const idx = this.check(hi, a, len, this.pc, false);
    return { bytes: this.bytes[idx]!, offset: this.at };
  }
  pointerTo(bytes: Uint8Array, offset = 0): bigint {
    return (BigInt(TAG_BASE + this.regionOf(bytes)) << 32n) | BigInt(offset >>> 0);
  }
  /** Set by pointerResult: the current helper's r0 is already in T. */
  private resultInT = false;
  pointerResult(bytes: Uint8Array, offset = 0): number {
    T[0] = offset | 0;
    T[1] = TAG_BASE + this.regionOf(bytes);
    this.resultInT = true;
    return 0;
  }
  /** The region index of `bytes`, made addressable (a dynamic region) on first use. */
  private regionOf(bytes: Uint8Array): number {
    let idx = this.dynamic.get(bytes);
    if (idx === undefined) {
      idx = this.bytes.length;
      this.dynamic.set(bytes, idx);
      this.bytes.push(bytes);
      this.views.push(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      this.base.push(0);
      this.size.push(bytes.length);
      this.writable.push(true);
    }
    return idx;
  }
  unwind(): void { this.stopped = true; }
}

function regionName(idx: number): string {
  return ['stack', 'context', 'packet', 'memory'][idx] ?? `region ${idx}`;
}
