/**
 * What the verifier must know about the place a program runs (its "hook"): what r1 holds at
 * entry (a context struct with a field layout, or — for the bpf_conformance convention — plain
 * memory whose length is in r2), which helpers it may call and with which table, how to resolve
 * map ids from lddw, the loop policy, and a few ISA-strictness switches.
 *
 * The context layouts are the verifier's view of the UAPI structs (`struct xdp_md`,
 * `struct __sk_buff`): which offsets may be read, at which sizes, what a load yields (a scalar
 * or a packet pointer) and which fields may be written. The hooks module that actually builds
 * contexts at run time must agree with these offsets; they are the kernel's, from linux/bpf.h.
 */
import type { BpfMap } from '../../maps/types.ts';
import { HELPERS } from '../helpers.ts';
import type { HelperSpec } from '../helpers.ts';
import { SK_BUFF, XDP_MD } from '../../isa/ebpf/uapi.ts';
import type { UapiField } from '../../isa/ebpf/uapi.ts';

export type CtxFieldKind = 'scalar' | 'pkt' | 'pkt_end' | 'pkt_meta';

export interface CtxField {
  name: string;
  off: number;
  size: number;
  kind: CtxFieldKind;
  /** May the program store to it? */
  write?: boolean;
  /** Any aligned access inside the field is allowed, reads and writes (`__sk_buff.cb`, 20 bytes). */
  anySize?: boolean;
}

/**
 * Loop policy:
 *  - 'reject': any back-edge is an error (the pre-5.3 kernel rule).
 *  - 'bounded' (default): loops are explored iteration by iteration with exact constants, like
 *    the kernel's bounded-loop support; a loop whose abstract state repeats is an infinite loop,
 *    and one the walk does not finish within the step limit (maxSteps; by default 64 steps an
 *    instruction, 400,000 to 1M — the kernel's is a flat 1M: see verify.ts defaultMaxSteps) is
 *    rejected as not provably bounded (counting loops are judged after a few iterations:
 *    ./loops.ts).
 *  - 'budget': loops are accepted after a widening fixpoint proves everything else (types,
 *    initialisation, bounds of constant accesses); termination is NOT proven, so the engine must
 *    enforce its instruction budget. This is the mode for the bpf_conformance programs, some of
 *    which loop on values the verifier cannot know.
 */
export type LoopPolicy = 'reject' | 'bounded' | 'budget';

export interface HookSpec {
  name: string;
  /** r1 at entry: a context pointer, or conformance memory (then r2 = its length). */
  entry: {
    kind: 'ctx';
    size: number;
    fields: readonly CtxField[];
    /** Scalar fields may be read in aligned parts (a byte of `len`): true for __sk_buff, false for xdp_md. */
    narrowReads?: boolean;
  } | { kind: 'mem' };
  /** Helper ids the hook allows ('all' = every id in the table). */
  helpers: readonly number[] | 'all';
  /** Helper table (default: ../helpers.ts HELPERS); the conformance hook swaps in its own helper 5. */
  helperTable?: ReadonlyMap<number, HelperSpec>;
  /** Resolves a map id from lddw map_fd/map_value; without it every map reference is rejected. */
  maps?: (id: number) => BpfMap | undefined;
  loops?: LoopPolicy;
  /**
   * RFC 9669 semantics instead of kernel strictness: shifts by out-of-range immediates (masked)
   * and division/modulo by an immediate 0 (result defined) are accepted. Off for kernel hooks.
   */
  rfcSemantics?: boolean;
  /** Legacy LD_ABS/LD_IND packet loads (socket filters and tc): r6 must hold the ctx. */
  legacyPacketLoads?: boolean;
  /** Accept `callx` (not in the kernel ISA); the engine checks the target at run time. */
  callx?: boolean;
  /** r0 at exit must be a scalar (not a pointer), as the kernel requires for packet hooks. */
  returnScalar?: boolean;
  /** Abstract-interpretation step limit (default: defaultMaxSteps(program size); kernel: 1,000,000 processed instructions). */
  maxSteps?: number;
  /**
   * Helpers whose types are not known (runtimeHook: whatever table the caller loads with): a
   * call checks no argument and yields a value of unknown kind in r0 (`any`: a scalar or a
   * pointer, every access through it checked at run time).
   */
  untypedHelpers?: boolean;
  /**
   * Map references (lddw map_fd / map_value / by index) are resolved only at load time by the
   * engine: map pointers are opaque and map-value accesses are checked at run time.
   */
  untypedMaps?: boolean;
  /**
   * The r1 memory may hold pointers the host wrote there (runtimeHook: a context with shadow
   * packet pointers): an 8-byte load from it yields a value of unknown kind, not a number.
   */
  memHoldsPointers?: boolean;
  /**
   * Reading stack bytes never written gives an unknown number instead of an error (what the
   * kernel allows privileged loaders; the engines' stack is always mapped).
   */
  uninitStackReads?: boolean;
}


/**
 * The context layouts come from the one linux/bpf.h table (src/isa/ebpf/uapi.ts); the verifier
 * adds only what it decides: which fields a program may write, and `cb`'s any-size rule.
 */
const WRITABLE_SKB = new Set(['mark', 'priority', 'tc_index', 'cb', 'tc_classid']);
const ctxFields = (fields: readonly UapiField[], writable: ReadonlySet<string> = new Set()): CtxField[] =>
  fields.map((u) => {
    const field: CtxField = { name: u.name, off: u.off, size: u.size, kind: u.kind, write: writable.has(u.name) };
    // cb[0..4]: one 20-byte scratch area the kernel lets programs access at any aligned size
    // (an 8-byte load at cb[0] spans cb[0] and cb[1]).
    return u.name === 'cb' ? { ...field, anySize: true } : field;
  });

/** struct xdp_md (24 bytes). */
export const XDP_MD_FIELDS: readonly CtxField[] = ctxFields(XDP_MD.fields);

/** struct __sk_buff, the fields we model (offsets from linux/bpf.h). */
export const SK_BUFF_FIELDS: readonly CtxField[] = ctxFields(SK_BUFF.fields, WRITABLE_SKB);

const COMMON_HELPERS = [1, 2, 3, 5, 6, 7, 8, 12, 42, 118, 125, 130, 131, 132, 133, 134, 160, 195];

/**
 * XDP: ctx = xdp_md (whole 32-bit fields only, no narrow reads), may adjust head/tail, returns an
 * XDP action. `egress_ifindex` is readable only by programs attached to a devmap (the kernel's
 * expected_attach_type BPF_XDP_DEVMAP), which this hook does not model, so it is left out.
 */
export function xdpHook(maps?: (id: number) => BpfMap | undefined, loops: LoopPolicy = 'bounded'): HookSpec {
  const fields = XDP_MD_FIELDS.filter((x) => x.name !== 'egress_ifindex');
  return { name: 'xdp', entry: { kind: 'ctx', size: 24, fields }, helpers: [...COMMON_HELPERS, 25, 28, 44, 54, 65], maps, loops, returnScalar: true };
}

/**
 * Socket filter: ctx = __sk_buff without direct packet access (the kernel refuses data/data_end
 * here; programs read the packet with LD_ABS/LD_IND or copy it with bpf_skb_load_bytes, helper
 * 26, into stack memory that need not be initialised: its `uninit_mem` argument), returns the
 * number of bytes to keep.
 */
export function socketFilterHook(maps?: (id: number) => BpfMap | undefined, loops: LoopPolicy = 'bounded'): HookSpec {
  // Only cb[] is writable from a socket filter; data/data_end are not readable at all.
  const fields = SK_BUFF_FIELDS.filter((x) => x.kind === 'scalar').map((x) => ({ ...x, write: x.name === 'cb' }));
  return { name: 'socket_filter', entry: { kind: 'ctx', size: 192, fields, narrowReads: true }, helpers: [...COMMON_HELPERS, 26], maps, loops, legacyPacketLoads: true, returnScalar: true };
}

/** tc classifier: ctx = __sk_buff with direct packet access and legacy loads. */
export function tcHook(maps?: (id: number) => BpfMap | undefined, loops: LoopPolicy = 'bounded'): HookSpec {
  return { name: 'sched_cls', entry: { kind: 'ctx', size: 192, fields: SK_BUFF_FIELDS, narrowReads: true }, helpers: [...COMMON_HELPERS, 25, 26, 28], maps, loops, legacyPacketLoads: true, returnScalar: true };
}

/**
 * The bpf_conformance convention: r1 = memory (accesses checked at run time), r2 = its length,
 * helper 5 = "unwind" (returns its argument; the engine stops the program when it is 0), callx
 * allowed, RFC semantics, loops under the instruction budget.
 */
export function conformanceHook(): HookSpec {
  const table = new Map(HELPERS);
  const base = HELPERS.get(5)!;
  table.set(5, {
    ...base, name: 'unwind', args: [{ type: 'any' }], ret: 'int',
    impl: (env) => {
      const a = env.arg(1);
      if (a === 0n) env.unwind();
      return a;
    },
  });
  return { name: 'conformance', entry: { kind: 'mem' }, helpers: 'all', helperTable: table, loops: 'budget', rfcSemantics: true, callx: true, returnScalar: false };
}

/**
 * The hook `load()` (../index.ts) verifies a bare program for when the caller names none: the
 * runtime's own calling convention and nothing more. r1 = the run's context or memory (a
 * run-time-checked region; 0 when the run has neither), r2 = its length; LD_ABS/LD_IND read the
 * run's packet (run-time checked, no r6 requirement); the helpers are exactly the ids of the
 * table the program is loaded with, untyped (their implementations reach memory only through the
 * engine's checked accessors); map references are resolved by the engine at load time; loops run
 * under the instruction budget; RFC 9669 semantics (the engines implement them); callx allowed.
 * 8-byte loads from r1's memory may be pointers the host put there (shadow packet pointers), and
 * never-written stack bytes read as unknown numbers (the privileged kernel's rule).
 * What it still proves: decodable instructions, jumps and calls inside the program and every
 * path reaching an exit, no recursion, no read of an uninitialised register, constant-offset
 * stack accesses inside the frame, pointer kinds used as they allow (no dereference of a known
 * number). A caller that knows where the program runs should pass its real hook.
 */
export function runtimeHook(helperIds: readonly number[]): HookSpec {
  const table = new Map<number, HelperSpec>();
  for (const id of helperIds) {
    const known = HELPERS.get(id);
    table.set(id, { id, name: known?.name ?? `helper_${id}`, args: [], ret: 'int', impl: () => 0 });
  }
  return {
    name: 'runtime', entry: { kind: 'mem' }, helpers: 'all', helperTable: table, loops: 'budget', rfcSemantics: true, callx: true,
    legacyPacketLoads: true, returnScalar: false, untypedHelpers: true, untypedMaps: true, memHoldsPointers: true, uninitStackReads: true,
  };
}
