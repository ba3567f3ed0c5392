/**
 * The helper table: for each kernel helper id we support, its name, the argument and return
 * types the verifier checks calls against, and the implementation the engines call.
 *
 * Types follow the kernel's `bpf_func_proto` vocabulary, reduced to what we verify:
 *   map        a map pointer (lddw map_fd) — optionally of a required kind (ringbuf, prog_array)
 *   key        pointer to readable, initialised memory of the map's key size (stack or map value…)
 *   value      pointer to readable memory of the map's value size
 *   mem        pointer to readable memory whose length is the *next* argument
 *   size       a scalar (the length of the preceding `mem`; must be a known constant > 0 when
 *              the memory is the stack, since the verifier checks the bytes are initialised)
 *   ctx        the program's context pointer
 *   alloc      a ring-buffer record returned by ringbuf_reserve and not yet released
 *   any        any initialised value (a scalar or a pointer)
 * Returns: `int` (scalar), `map_value_or_null`, `alloc_or_null` (a record of the constant size in
 * r2, or NULL), `void` (r0 unspecified; we set 0).
 *
 * Implementations receive a `HelperRuntime` — the engine's view of program memory (pointers are
 * opaque bigints to helpers; `mem` resolves one to bytes and an offset, `ptr` turns a map value
 * or ring record into a pointer the program can use) — and the five argument registers as
 * unsigned 64-bit bigints, and return r0. A helper never throws for conditions a program can
 * cause legitimately (missing key, full map): it returns -errno like the kernel. Bad pointers
 * are the engine's fault path (`mem` throws), and a verified program cannot produce them except
 * through the run-time-checked cases documented in verifier/verify.ts.
 *
 * Tail calls: `tail_call` cannot unwind the engine's stack from inside a helper, so on success it
 * stores the target in `rt.tailCallTarget` and returns 0; the engine must check that field after
 * every helper-12 call and, when set, restart with the new program on the same ctx (the kernel
 * never returns from a successful tail call). Failures fall through, returning -errno.
 */
import type { AnyMap } from '../maps/registry.ts';
import { Errno } from '../maps/errno.ts';
import { ProgArray } from '../maps/prog-array.ts';
import { RingBuf } from '../maps/ringbuf.ts';
import type { MapKind } from '../maps/types.ts';
import { BPF_F_RDONLY_PROG } from './elf.ts';

export type HelperArg =
  | { type: 'map'; kind?: MapKind }
  | { type: 'key' }
  | { type: 'value' }
  | { type: 'mem' }
  | { type: 'size' }
  | { type: 'ctx' }
  | { type: 'alloc' }
  | { type: 'any' };

export type HelperRet = 'int' | 'map_value_or_null' | 'alloc_or_null' | 'void';

/** An XDP frame as helpers see it (the hook owns the buffer; offsets are into `buf`). */
export interface XdpFrame {
  buf: Uint8Array;
  /** Offset of the first packet byte (xdp_md.data). */
  data: number;
  /** Offset one past the last packet byte (xdp_md.data_end). */
  dataEnd: number;
  /** Offset of metadata (xdp_md.data_meta); equals `data` when there is none. */
  dataMeta: number;
  /** Largest allowed dataEnd (the buffer end minus reserved tailroom). */
  hardEnd: number;
}

/** Smallest frame adjust_head/adjust_tail may leave (an Ethernet header, like the kernel). */
export const XDP_MIN_FRAME = 14;
/** Kernel limit on chained tail calls (MAX_TAIL_CALL_CNT). */
export const MAX_TAIL_CALLS = 33;

export interface HelperRuntime {
  /** Resolves `ptr` to `len` accessible bytes: returns the backing bytes and sets `at`. Throws on a bad access. */
  mem(ptr: bigint, len: number, write: boolean): Uint8Array;
  /** Offset into the bytes `mem` returned last. */
  at: number;
  /** A pointer to the first byte of `bytes` (a map value or ring record), registering it as a region. */
  ptr(bytes: Uint8Array, writable: boolean): bigint;
  /** The bytes of the region `ptr` points to the start of (for ringbuf submit/discard), if any. */
  region(ptr: bigint): Uint8Array | undefined;
  /** The map a map pointer denotes. */
  map(ptr: bigint): AnyMap | undefined;
  /** CPU the program runs on (per-CPU maps, get_smp_processor_id). */
  cpu: number;
  /** Monotonic clock in ns (ktime_get_ns). */
  clockNs(): bigint;
  /** A uniformly random u32 (get_prandom_u32); tests pass a seeded generator. */
  random(): number;
  /** Where trace_printk lines go. */
  trace(line: string): void;
  /** The XDP frame when running an XDP program. */
  xdp?: XdpFrame;
  /** Ring records reserved in this run and not yet submitted/discarded → their ring. */
  reserved: Map<Uint8Array, RingBuf>;
  /** Set by a successful tail_call (see header). */
  tailCallTarget: unknown;
  /** Tail calls taken so far in this run. */
  tailCalls: number;
}

export type HelperImpl = (rt: HelperRuntime, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

export interface HelperSpec {
  id: number;
  name: string;
  args: HelperArg[];
  ret: HelperRet;
  /** The helper may move packet data (XDP adjust): the verifier forgets packet pointers after it. */
  changesPacket?: boolean;
  impl: HelperImpl;
}

const M64 = (1n << 64n) - 1n;
/** -errno as an unsigned 64-bit register value. */
const neg = (errno: number): bigint => BigInt(-errno) & M64;
const ok = 0n;

function lookupImpl(rt: HelperRuntime, mapPtr: bigint, keyPtr: bigint): bigint {
  const m = rt.map(mapPtr);
  if (m === undefined) return 0n;
  const kb = rt.mem(keyPtr, m.keySize, false);
  const v = m.lookup(kb, rt.at, rt.cpu);
  return v === undefined ? 0n : rt.ptr(v, (m.flags & BPF_F_RDONLY_PROG) === 0);
}

function updateImpl(rt: HelperRuntime, mapPtr: bigint, keyPtr: bigint, valuePtr: bigint, flags: bigint): bigint {
  const m = rt.map(mapPtr);
  if (m === undefined) return neg(Errno.EINVAL);
  if (flags > 0xffffffffn) return neg(Errno.EINVAL);
  const kb = rt.mem(keyPtr, m.keySize, false);
  const ko = rt.at;
  const vb = rt.mem(valuePtr, m.valueSize, false);
  return BigInt(m.update(kb, vb, Number(flags), ko, rt.at, rt.cpu)) & M64;
}

function deleteImpl(rt: HelperRuntime, mapPtr: bigint, keyPtr: bigint): bigint {
  const m = rt.map(mapPtr);
  if (m === undefined) return neg(Errno.EINVAL);
  const kb = rt.mem(keyPtr, m.keySize, false);
  return BigInt(m.delete(kb, rt.at)) & M64;
}

/**
 * trace_printk's format language, reduced to what BPF programs use: %d %i %u %x %X %c %p %% with
 * optional l/ll length modifiers (values are the raw 64-bit arguments, truncated to 32 bits
 * without `l`), at most three conversions. Anything else is printed literally.
 */
export function formatTrace(fmt: string, args: readonly bigint[]): string {
  let n = 0;
  return fmt.replace(/%(l{0,2})([diuxXcp%])/g, (whole, l: string, conv: string) => {
    if (conv === '%') return '%';
    if (n >= args.length) return whole;
    let v = args[n++]!;
    const long = l.length > 0 || conv === 'p';
    if (!long) v &= 0xffffffffn;
    switch (conv) {
      case 'd':
      case 'i':
        return (long ? BigInt.asIntN(64, v) : BigInt.asIntN(32, v)).toString();
      case 'u':
        return v.toString();
      case 'x':
        return v.toString(16);
      case 'X':
        return v.toString(16).toUpperCase();
      case 'c':
        return String.fromCharCode(Number(v & 0xffn));
      default:
        return `0x${v.toString(16)}`;
    }
  });
}

function tracePrintk(rt: HelperRuntime, fmtPtr: bigint, size: bigint, a: bigint, b: bigint, c: bigint): bigint {
  if (size === 0n || size > 512n) return neg(Errno.EINVAL);
  const n = Number(size);
  const buf = rt.mem(fmtPtr, n, false);
  let end = rt.at;
  const stop = rt.at + n;
  while (end < stop && buf[end] !== 0) end++;
  if (end === stop) return neg(Errno.EINVAL); // the kernel requires a NUL-terminated format
  const line = formatTrace(new TextDecoder().decode(buf.subarray(rt.at, end)), [a, b, c]);
  rt.trace(line);
  return BigInt(line.length);
}

function ringbufOf(rt: HelperRuntime, ptr: bigint): RingBuf | undefined {
  const m = rt.map(ptr);
  return m instanceof RingBuf ? m : undefined;
}

function ringbufCommit(rt: HelperRuntime, ptr: bigint, discard: boolean): bigint {
  const view = rt.region(ptr);
  const rb = view && rt.reserved.get(view);
  if (view === undefined || rb === undefined) return neg(Errno.EINVAL);
  rt.reserved.delete(view);
  rb.commit(view, discard);
  return ok;
}

function xdpAdjust(rt: HelperRuntime, delta: bigint, head: boolean): bigint {
  const f = rt.xdp;
  if (f === undefined) return neg(Errno.EOPNOTSUPP);
  const d = Number(BigInt.asIntN(32, delta));
  if (head) {
    const meta = f.data - f.dataMeta;
    const data = f.data + d;
    if (data - meta < 0 || f.dataEnd - data < XDP_MIN_FRAME) return neg(Errno.EINVAL);
    if (meta > 0) f.buf.copyWithin(data - meta, f.dataMeta, f.data);
    f.data = data;
    f.dataMeta = data - meta;
  } else {
    const end = f.dataEnd + d;
    if (end > f.hardEnd || end - f.data < XDP_MIN_FRAME) return neg(Errno.EINVAL);
    if (end > f.dataEnd) f.buf.fill(0, f.dataEnd, end); // grown tail reads as zeros, as in the kernel
    f.dataEnd = end;
  }
  return ok;
}

const H = (id: number, name: string, args: HelperArg[], ret: HelperRet, impl: HelperImpl, changesPacket = false): HelperSpec => ({ id, name, args, ret, impl, changesPacket });

/** The helper table, by id. */
export const HELPERS: ReadonlyMap<number, HelperSpec> = new Map(
  [
    H(1, 'map_lookup_elem', [{ type: 'map' }, { type: 'key' }], 'map_value_or_null', (rt, a, b) => lookupImpl(rt, a, b)),
    H(2, 'map_update_elem', [{ type: 'map' }, { type: 'key' }, { type: 'value' }, { type: 'any' }], 'int', (rt, a, b, c, d) => updateImpl(rt, a, b, c, d)),
    H(3, 'map_delete_elem', [{ type: 'map' }, { type: 'key' }], 'int', (rt, a, b) => deleteImpl(rt, a, b)),
    H(5, 'ktime_get_ns', [], 'int', (rt) => rt.clockNs() & M64),
    H(6, 'trace_printk', [{ type: 'mem' }, { type: 'size' }, { type: 'any' }, { type: 'any' }, { type: 'any' }], 'int', (rt, a, b, c, d, e) => tracePrintk(rt, a, b, c, d, e)),
    H(7, 'get_prandom_u32', [], 'int', (rt) => BigInt(rt.random() >>> 0)),
    H(8, 'get_smp_processor_id', [], 'int', (rt) => BigInt(rt.cpu >>> 0)),
    H(12, 'tail_call', [{ type: 'ctx' }, { type: 'map', kind: 'prog_array' }, { type: 'any' }], 'int', (rt, _ctx, mapPtr, index) => {
      const m = rt.map(mapPtr);
      if (!(m instanceof ProgArray)) return neg(Errno.EINVAL);
      if (index > 0xffffffffn) return neg(Errno.E2BIG);
      const prog = m.program(Number(index));
      if (prog === undefined) return neg(Errno.ENOENT);
      if (rt.tailCalls >= MAX_TAIL_CALLS) return neg(Errno.E2BIG);
      rt.tailCalls++;
      rt.tailCallTarget = prog;
      return ok;
    }),
    H(44, 'xdp_adjust_head', [{ type: 'ctx' }, { type: 'any' }], 'int', (rt, _ctx, delta) => xdpAdjust(rt, delta, true), true),
    H(65, 'xdp_adjust_tail', [{ type: 'ctx' }, { type: 'any' }], 'int', (rt, _ctx, delta) => xdpAdjust(rt, delta, false), true),
    H(125, 'ktime_get_boot_ns', [], 'int', (rt) => rt.clockNs() & M64),
    H(130, 'ringbuf_output', [{ type: 'map', kind: 'ringbuf' }, { type: 'mem' }, { type: 'size' }, { type: 'any' }], 'int', (rt, mapPtr, data, size, flags) => {
      const rb = ringbufOf(rt, mapPtr);
      if (rb === undefined || flags > 3n) return neg(Errno.EINVAL);
      if (size === 0n) return neg(Errno.EINVAL);
      const b = rt.mem(data, Number(size), false);
      return BigInt(rb.output(b, rt.at, Number(size))) & M64;
    }),
    H(131, 'ringbuf_reserve', [{ type: 'map', kind: 'ringbuf' }, { type: 'size' }, { type: 'any' }], 'alloc_or_null', (rt, mapPtr, size, flags) => {
      const rb = ringbufOf(rt, mapPtr);
      if (rb === undefined || flags !== 0n || size > 0xffffffffn) return 0n;
      const view = rb.reserve(Number(size));
      if (view === undefined) return 0n;
      rt.reserved.set(view, rb);
      return rt.ptr(view, true);
    }),
    H(132, 'ringbuf_submit', [{ type: 'alloc' }, { type: 'any' }], 'void', (rt, p) => ringbufCommit(rt, p, false)),
    H(133, 'ringbuf_discard', [{ type: 'alloc' }, { type: 'any' }], 'void', (rt, p) => ringbufCommit(rt, p, true)),
    H(134, 'ringbuf_query', [{ type: 'map', kind: 'ringbuf' }, { type: 'any' }], 'int', (rt, mapPtr, what) => {
      const rb = ringbufOf(rt, mapPtr);
      return rb === undefined ? 0n : BigInt(rb.query(Number(what & 0xffn)));
    }),
  ].map((h) => [h.id, h]),
);

/** Helper ids by name (`map_lookup_elem` → 1), for hook definitions and messages. */
export function helperId(name: string): number | undefined {
  for (const h of HELPERS.values()) if (h.name === name) return h.id;
  return undefined;
}
