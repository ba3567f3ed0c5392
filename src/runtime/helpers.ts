/**
 * The helper table: for each kernel helper id we support, its name, the argument and return
 * types the verifier checks calls against, and the implementation the engines call.
 *
 * Types follow the kernel's `bpf_func_proto` vocabulary, reduced to what we verify:
 *   map        a map pointer (lddw map_fd) — optionally of a required kind (ringbuf, prog_array)
 *   key        pointer to readable, initialised memory of the map's key size (stack or map value…)
 *   value      pointer to readable memory of the map's value size
 *   mem        pointer to readable, initialised memory whose length is the *next* argument
 *   uninit_mem pointer to memory the helper WRITES, length in the next argument (the kernel's
 *              ARG_PTR_TO_UNINIT_MEM): stack or a writable map value / ring record, need not
 *              be initialised before the call and is initialised after it
 *   size       the length of the preceding `mem`/`uninit_mem` (the kernel's ARG_CONST_SIZE, or
 *              ARG_CONST_SIZE_OR_ZERO with `zero`): a scalar that is never negative, below
 *              2^29, and not 0 unless `zero`; the memory is checked at its largest value
 *   ctx        the program's context pointer
 *   alloc      a ring-buffer record returned by ringbuf_reserve and not yet released
 *   any        any initialised value (a scalar or a pointer)
 * Returns: `int` (scalar), `map_value_or_null`, `alloc_or_null` (a record of the constant size in
 * r2, or NULL), `void` (r0 unspecified; we set 0).
 *
 * Implementations follow the engines' helper contract (./index.ts, ./semantics-memory.ts): a
 * `HelperFn(env) → r0`, where `env` reads r1..r5 and resolves pointer arguments to checked bytes.
 * The run's own state — the maps, the CPU number, the clock, the XDP frame, ring records in
 * flight — is a `HelperState` the caller passes as `RunInput.env` (helpers read `env.user`).
 * A helper never throws for conditions a program can cause legitimately (missing key, full
 * map): it returns -errno like the kernel. Bad pointers fault inside `env.argMem`, and a verified
 * program cannot produce them except through the run-time-checked cases listed in
 * verifier/verify.ts.
 *
 * Map pointers: `lddw map_fd` loads a *map handle*, a 64-bit value whose high half is
 * MAP_HANDLE_HI and low half the map id (never a valid memory pointer, whose high half is a
 * region tag). `lddwResolver(registry)` gives the engines that resolution, and map_value
 * loads (global data) become pointers into the value's bytes.
 *
 * Tail calls: the engines cannot swap programs from inside a helper, so a successful
 * `tail_call` records the target in `state.tailCallTarget` and stops the program with
 * `env.unwind()`; whoever runs the hook must then run the target on the same input (the kernel
 * never returns from a successful tail call). Failures fall through, returning -errno.
 */
import type { LddwInsn } from '../isa/ebpf/types.ts';
import type { AnyMap, MapRegistry } from '../maps/registry.ts';
import { Errno } from '../maps/errno.ts';
import { PerfEventArray } from '../maps/perf-event-array.ts';
import { ProgArray } from '../maps/prog-array.ts';
import { RingBuf } from '../maps/ringbuf.ts';
import type { MapKind } from '../maps/types.ts';
import type { HelperEnv, HelperFn, HelperTable } from './semantics-memory.ts';

export type HelperArg =
  | { type: 'map'; kind?: MapKind }
  | { type: 'key' }
  | { type: 'value' }
  | { type: 'mem' }
  | { type: 'uninit_mem' }
  | { type: 'size'; zero?: boolean }
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
  /** Called after adjust_head/adjust_tail moved data or dataEnd (the hook re-syncs its ctx). */
  onChange?(frame: XdpFrame): void;
}

/** Smallest frame adjust_head/adjust_tail may leave (an Ethernet header, like the kernel). */
const XDP_MIN_FRAME = 14;
/** Kernel limit on chained tail calls (MAX_TAIL_CALL_CNT). */
export const MAX_TAIL_CALLS = 33;

/** Per-run state helpers need beyond registers and memory (passed as `RunInput.env`). */
export interface HelperState {
  /** Resolves map ids (from map handles). */
  maps: (id: number) => AnyMap | undefined;
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
  /** The packet of a socket-filter or tc run (perf_event_output may append its bytes). */
  packet?: Uint8Array;
  /** Ring records reserved and not yet submitted/discarded → their ring. */
  reserved: Map<Uint8Array, RingBuf>;
  /** Set by a successful tail_call (see header); the runner clears it. */
  tailCallTarget: unknown;
  /** Tail calls taken so far in this run. */
  tailCalls: number;
}

/** A HelperState with defaults: process clock, Math.random, traces to an array. */
export function createHelperState(opts: Partial<HelperState> & { registry?: MapRegistry } = {}): HelperState & { traces: string[] } {
  const traces: string[] = [];
  const reg = opts.registry;
  return {
    maps: opts.maps ?? (reg ? (id) => reg.get(id) : () => undefined),
    cpu: opts.cpu ?? 0,
    clockNs: opts.clockNs ?? (() => process.hrtime.bigint()),
    random: opts.random ?? (() => (Math.random() * 0x100000000) >>> 0),
    trace: opts.trace ?? ((l) => traces.push(l)),
    xdp: opts.xdp,
    reserved: opts.reserved ?? new Map(),
    tailCallTarget: undefined,
    tailCalls: 0,
    traces,
  };
}

/** High half of a map handle (ASCII "MAP\0"); the low half is the map id. */
const MAP_HANDLE_HI = 0x4d415000;

export function mapHandle(id: number): bigint {
  return (BigInt(MAP_HANDLE_HI) << 32n) | BigInt(id >>> 0);
}

/** The engines' lddw resolution for maps from `registry`: handles for map_fd, value pointers for map_value. */
export function lddwResolver(registry: MapRegistry): (insn: LddwInsn) => bigint | { bytes: Uint8Array; offset: number } {
  return (insn) => {
    const m = registry.require(insn.imm);
    if (insn.lddw === 'map_fd') return mapHandle(m.id);
    if (insn.lddw === 'map_value') {
      const v = m.lookup(new Uint8Array(4), 0, 0);
      if (v === undefined) throw new Error(`map ${m.id} has no element 0 for a direct value load`);
      return { bytes: v, offset: insn.imm2 };
    }
    throw new Error(`lddw ${insn.lddw} is not supported`);
  };
}

/** r0 as a bigint (mod 2^64) or a number (a signed integer, so -errno needs no BigInt). */
export type HelperImpl = (env: HelperEnv, st: HelperState) => bigint | number;

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
/** -errno as the helper's result (numbers are signed: no BigInt on these paths). */
const neg = (errno: number): number => -errno;
const ok = 0;

/** The map whose handle is in argument n, or undefined. */
function mapArg(env: HelperEnv, st: HelperState, n: number): AnyMap | undefined {
  if (env.argHi(n) !== MAP_HANDLE_HI) return undefined;
  return st.maps(env.argLo(n) >>> 0);
}

function lookupImpl(env: HelperEnv, st: HelperState): bigint | number {
  const m = mapArg(env, st, 1);
  if (m === undefined) return 0;
  const k = env.argMem(2, m.keySize);
  const v = m.lookup(k.bytes, k.offset, st.cpu);
  return v === undefined ? 0 : env.pointerResult(v, 0);
}

function updateImpl(env: HelperEnv, st: HelperState): number {
  const m = mapArg(env, st, 1);
  if (m === undefined) return neg(Errno.EINVAL);
  if (env.argHi(4) !== 0) return neg(Errno.EINVAL);
  const k = env.argMem(2, m.keySize);
  const v = env.argMem(3, m.valueSize);
  return m.update(k.bytes, v.bytes, env.argLo(4) >>> 0, k.offset, v.offset, st.cpu);
}

function deleteImpl(env: HelperEnv, st: HelperState): number {
  const m = mapArg(env, st, 1);
  if (m === undefined) return neg(Errno.EINVAL);
  const k = env.argMem(2, m.keySize);
  return m.delete(k.bytes, k.offset);
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

function tracePrintk(env: HelperEnv, st: HelperState): number {
  const size = env.arg(2);
  if (size === 0n || size > 512n) return neg(Errno.EINVAL);
  const n = Number(size);
  const { bytes, offset } = env.argMem(1, n);
  let end = offset;
  while (end < offset + n && bytes[end] !== 0) end++;
  if (end === offset + n) return neg(Errno.EINVAL); // the kernel requires a NUL-terminated format
  const line = formatTrace(new TextDecoder().decode(bytes.subarray(offset, end)), [env.arg(3), env.arg(4), env.arg(5)]);
  st.trace(line);
  return line.length;
}

function ringbufArg(env: HelperEnv, st: HelperState): RingBuf | undefined {
  const m = mapArg(env, st, 1);
  return m instanceof RingBuf ? m : undefined;
}

function ringbufCommit(env: HelperEnv, st: HelperState, discard: boolean): number {
  // A record pointer points at the start of the record's own region (ringbuf_reserve made it).
  const { bytes, offset } = env.argMem(1, 0);
  const rb = st.reserved.get(bytes);
  if (rb === undefined || offset !== 0) return neg(Errno.EINVAL);
  st.reserved.delete(bytes);
  rb.commit(bytes, discard);
  return ok;
}

function xdpAdjust(env: HelperEnv, st: HelperState, head: boolean): number {
  const f = st.xdp;
  if (f === undefined) return neg(Errno.EOPNOTSUPP);
  const d = env.argLo(2);
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
  f.onChange?.(f);
  return ok;
}

/**
 * bpf_skb_load_bytes on the packet buf[base, base + caplen): copies `len` (r4) bytes from packet
 * offset r2 to the memory r3 points to, 0; or, when they are not all captured (or the offset is
 * above INT_MAX), zero-fills the destination and returns -EFAULT, as the kernel does. The one
 * implementation: the helper table's entry and the socket-filter hook's (src/hooks) call it.
 */
export function skbLoadBytes(env: HelperEnv, buf: Uint8Array, base: number, caplen: number): number {
  const from = env.argLo(2) >>> 0;
  const len = env.argLo(4) >>> 0;
  const { bytes, offset } = env.argMem(3, len);
  if (env.argHi(2) !== 0 || from > 0x7fffffff || from + len > caplen) {
    bytes.fill(0, offset, offset + len);
    return neg(Errno.EFAULT);
  }
  const at = base + from;
  for (let i = 0; i < len; i++) bytes[offset + i] = buf[at + i]!;
  return ok;
}

const H = (id: number, name: string, args: HelperArg[], ret: HelperRet, impl: HelperImpl, changesPacket = false): HelperSpec => ({ id, name, args, ret, impl, changesPacket });

/** The helper table, by id. */
export const HELPERS: ReadonlyMap<number, HelperSpec> = new Map(
  [
    H(1, 'map_lookup_elem', [{ type: 'map' }, { type: 'key' }], 'map_value_or_null', lookupImpl),
    H(2, 'map_update_elem', [{ type: 'map' }, { type: 'key' }, { type: 'value' }, { type: 'any' }], 'int', updateImpl),
    H(3, 'map_delete_elem', [{ type: 'map' }, { type: 'key' }], 'int', deleteImpl),
    H(5, 'ktime_get_ns', [], 'int', (_env, st) => st.clockNs() & M64),
    // Variadic: like the kernel, only the format is checked; r3..r5 are read as they are.
    H(6, 'trace_printk', [{ type: 'mem' }, { type: 'size' }], 'int', tracePrintk),
    H(7, 'get_prandom_u32', [], 'int', (_env, st) => st.random() >>> 0),
    H(8, 'get_smp_processor_id', [], 'int', (_env, st) => st.cpu >>> 0),
    H(12, 'tail_call', [{ type: 'ctx' }, { type: 'map', kind: 'prog_array' }, { type: 'any' }], 'int', (env, st) => {
      const m = env.argHi(2) === MAP_HANDLE_HI ? st.maps(env.argLo(2) >>> 0) : undefined;
      if (!(m instanceof ProgArray)) return neg(Errno.EINVAL);
      const prog = env.argHi(3) === 0 ? m.program(env.argLo(3) >>> 0) : undefined;
      if (prog === undefined) return neg(Errno.ENOENT);
      if (st.tailCalls >= MAX_TAIL_CALLS) return neg(Errno.E2BIG);
      st.tailCalls++;
      st.tailCallTarget = prog;
      env.unwind();
      return ok;
    }),
    H(44, 'xdp_adjust_head', [{ type: 'ctx' }, { type: 'any' }], 'int', (env, st) => xdpAdjust(env, st, true), true),
    H(65, 'xdp_adjust_tail', [{ type: 'ctx' }, { type: 'any' }], 'int', (env, st) => xdpAdjust(env, st, false), true),
    H(125, 'ktime_get_boot_ns', [], 'int', (_env, st) => st.clockNs() & M64),
    H(130, 'ringbuf_output', [{ type: 'map', kind: 'ringbuf' }, { type: 'mem' }, { type: 'size', zero: true }, { type: 'any' }], 'int', (env, st) => {
      const rb = ringbufArg(env, st);
      const size = env.arg(3);
      if (rb === undefined || env.arg(4) > 3n || size === 0n || size > 0x7fffffffn) return neg(Errno.EINVAL);
      const { bytes, offset } = env.argMem(2, Number(size));
      return rb.output(bytes, offset, Number(size));
    }),
    H(131, 'ringbuf_reserve', [{ type: 'map', kind: 'ringbuf' }, { type: 'size' }, { type: 'any' }], 'alloc_or_null', (env, st) => {
      const rb = ringbufArg(env, st);
      const size = env.arg(2);
      if (rb === undefined || env.arg(3) !== 0n || size > 0x7fffffffn) return 0;
      const view = rb.reserve(Number(size));
      if (view === undefined) return 0;
      st.reserved.set(view, rb);
      return env.pointerResult(view, 0);
    }),
    H(132, 'ringbuf_submit', [{ type: 'alloc' }, { type: 'any' }], 'void', (env, st) => ringbufCommit(env, st, false)),
    H(133, 'ringbuf_discard', [{ type: 'alloc' }, { type: 'any' }], 'void', (env, st) => ringbufCommit(env, st, true)),
    H(42, 'get_numa_node_id', [], 'int', () => 0),
    // perf_event_output(ctx, map, flags, data, size): a record of `size` bytes of data, followed by
    // the first (flags >> 32) & 0xfffff bytes of the packet, in slot flags & 0xffffffff
    // (BPF_F_CURRENT_CPU = 0xffffffff: this CPU's) of a perf event array.
    H(25, 'perf_event_output', [{ type: 'ctx' }, { type: 'map', kind: 'perf_event_array' }, { type: 'any' }, { type: 'mem' }, { type: 'size', zero: true }], 'int', (env, st) => {
      const m = mapArg(env, st, 2);
      if (!(m instanceof PerfEventArray)) return neg(Errno.EINVAL);
      const flags = env.arg(3);
      if ((flags & ~0x000fffffffffffffn) !== 0n) return neg(Errno.EINVAL);
      const slot = Number(flags & 0xffffffffn);
      const cpu = slot === 0xffffffff ? st.cpu : slot;
      if (cpu >= m.maxEntries) return neg(Errno.E2BIG);
      const size = Number(env.arg(5) & 0xffffffffn);
      const ctxLen = Number((flags >> 32n) & 0xfffffn);
      const f = st.xdp;
      const pkt = f ? f.buf.subarray(f.data, f.dataEnd) : st.packet;
      if (ctxLen > 0 && (pkt === undefined || ctxLen > pkt.length)) return neg(Errno.EFAULT);
      const rec = new Uint8Array(size + ctxLen);
      if (size > 0) {
        const { bytes, offset } = env.argMem(4, size);
        rec.set(bytes.subarray(offset, offset + size));
      }
      if (ctxLen > 0) rec.set(pkt!.subarray(0, ctxLen), size);
      return m.output(cpu, rec);
    }),
    // skb_load_bytes(skb, offset, to, len): copies len packet bytes from offset into `to` (the
    // run's packet: socket filters and tc; the hooks bind it to a window, src/hooks).
    H(26, 'skb_load_bytes', [{ type: 'ctx' }, { type: 'any' }, { type: 'uninit_mem' }, { type: 'size' }], 'int', (env, st) => {
      const pkt = st.packet;
      return pkt === undefined ? neg(Errno.EINVAL) : skbLoadBytes(env, pkt, 0, pkt.length);
    }),
    // csum_diff(from, from_size, to, to_size, seed): the 32-bit ones'-complement sum of seed, the
    // complement of every 32-bit word of `from` and every word of `to` (sizes multiples of 4,
    // together at most 512 bytes), with end-around carry — the x86-64 kernel's csum_partial.
    H(28, 'csum_diff', [{ type: 'mem' }, { type: 'size', zero: true }, { type: 'mem' }, { type: 'size', zero: true }, { type: 'any' }], 'int', (env) => {
      const fromSize = env.arg(2), toSize = env.arg(4);
      if ((fromSize & 3n) !== 0n || (toSize & 3n) !== 0n || fromSize + toSize > 512n) return neg(Errno.EINVAL);
      let acc = BigInt(env.argLo(5) >>> 0);
      const add = (n: number, arg: number, invert: boolean) => {
        if (n === 0) return;
        const { bytes, offset } = env.argMem(arg, n);
        for (let i = 0; i < n; i += 4) {
          const w = (bytes[offset + i]! | (bytes[offset + i + 1]! << 8) | (bytes[offset + i + 2]! << 16) | (bytes[offset + i + 3]! << 24)) >>> 0;
          acc += BigInt(invert ? ~w >>> 0 : w);
        }
      };
      add(Number(fromSize), 1, true);
      add(Number(toSize), 3, false);
      while (acc > 0xffffffffn) acc = (acc & 0xffffffffn) + (acc >> 32n);
      return acc;
    }),
    // Metadata grows toward lower addresses in front of data: at most 32 bytes, 4-byte multiples.
    H(54, 'xdp_adjust_meta', [{ type: 'ctx' }, { type: 'any' }], 'int', (env, st) => {
      const f = st.xdp;
      if (f === undefined) return neg(Errno.EOPNOTSUPP);
      const meta = f.dataMeta + env.argLo(2);
      if (meta > f.data) return neg(Errno.EINVAL);
      const len = f.data - meta;
      if (meta < 0 || (len & 3) !== 0 || len > 32) return neg(Errno.EACCES);
      f.dataMeta = meta;
      f.onChange?.(f);
      return ok;
    }, true),
    // jiffies at HZ=250 derived from the run clock.
    H(118, 'jiffies64', [], 'int', (_env, st) => st.clockNs() / 4_000_000n),
    H(160, 'ktime_get_coarse_ns', [], 'int', (_env, st) => st.clockNs() & M64),
    H(195, 'map_lookup_percpu_elem', [{ type: 'map' }, { type: 'key' }, { type: 'any' }], 'map_value_or_null', (env, st) => {
      const m = mapArg(env, st, 1);
      if (m === undefined || m.kind !== 'percpu_array' || env.argHi(3) !== 0) return 0;
      const cpu = env.argLo(3) >>> 0;
      if (cpu >= (m as { nCpus: number }).nCpus) return 0;
      const k = env.argMem(2, m.keySize);
      const v = m.lookup(k.bytes, k.offset, cpu);
      return v === undefined ? 0 : env.pointerResult(v, 0);
    }),
    H(134, 'ringbuf_query', [{ type: 'map', kind: 'ringbuf' }, { type: 'any' }], 'int', (env, st) => {
      const rb = ringbufArg(env, st);
      return rb === undefined ? 0 : rb.query(env.argLo(2) & 0xff);
    }),
  ].map((h) => [h.id, h]),
);

/**
 * The engines' helper table (id → HelperFn) for a spec table: each function takes its
 * HelperState from `env.user`. One table serves every run; state travels with the run.
 */
export function helperFns(table: ReadonlyMap<number, HelperSpec> = HELPERS, state?: HelperState): HelperTable {
  // Every attach path gets a complete helper environment: a run without its own state (a hook's
  // runPacket, attachXdp alone) uses this table's, so ktime, prandom, smp_processor_id or
  // xdp_adjust_* never see an undefined state (they return -EOPNOTSUPP without a frame).
  const fallback = state ?? createHelperState();
  const out: Record<number, HelperFn> = {};
  for (const [id, h] of table) out[id] = (env) => h.impl(env, (env.user as HelperState | undefined) ?? fallback);
  return out;
}

/** Helper ids by name (`map_lookup_elem` → 1), for hook definitions and messages. */
export function helperId(name: string): number | undefined {
  for (const h of HELPERS.values()) if (h.name === name) return h.id;
  return undefined;
}
