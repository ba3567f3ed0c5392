/**
 * The verifier's abstract values and machine state.
 *
 * A register is `uninit`, a `scalar`, or a pointer. A scalar carries two unsigned ranges, like the
 * kernel's umin/umax and u32_min/u32_max: [lo, hi] for the whole 64-bit value and [lo32, hi32]
 * for its low 32 bits (the subregister JMP32 compares and 32-bit ALU reads); `v` is the value
 * when lo = hi. The two are kept consistent by `bounds` (each narrows the other where it can), so
 * a JMP32 test on an unknown 64-bit value still decides later JMP32 tests and, once the high half
 * is known, 64-bit ones too. A pointer is tagged with what it points into — the region kinds of
 * the runtime's memory model:
 *   ctx        the context struct            stack     a frame's 512-byte stack (frame number)
 *   pkt        packet data (offset from data) pkt_end   data_end (compare only)
 *   pkt_meta   packet metadata               map       a map object (helper argument only)
 *   map_value  a map element / global data   alloc     a ring-buffer record (must be released)
 *   mem        conformance memory (run-time-checked bounds)
 *   func       a code address (lddw func)    any       budget-mode join of different kinds
 * A pointer's `off` is its constant offset from the region start, or null when a variable was
 * added; then `vlo`/`vhi` bound it when the verifier knows a range (as the kernel's smin/smax
 * of a pointer's var_off) and `vtz` says how aligned it is (the kernel's tnum low bits), which is
 * what a variable-offset stack access is checked against. `tz` on a scalar is that alignment
 * knowledge for plain numbers (`x & ~7`, `x << 3`). `nullable` pointers come from
 * helpers that may return NULL; `id` ties copies together so one null test refines them all.
 *
 * A state holds the call frames (registers + stack bookkeeping per frame), the packet range
 * proven by comparisons against data_end, and the outstanding ring-buffer references. The stack
 * keeps one byte of "initialised" per stack byte and, per 8-byte slot, the register spilled there
 * by an aligned 8-byte store, so a pointer spilled and filled keeps its type (as in the kernel).
 *
 * `stateKey` serialises a state canonically (for pruning and loop detection) and `joinStates` is
 * the least upper bound used by the budget-mode widening: equal stays equal, differing constants
 * become unknown scalars, differing offsets become null, differing kinds become `any`, and
 * uninit wins over everything (a register uninitialised on some path may not be read).
 */
export type PtrKind = 'ctx' | 'stack' | 'pkt' | 'pkt_end' | 'pkt_meta' | 'map' | 'map_value' | 'alloc' | 'mem' | 'func' | 'any';

export type Reg =
  | { t: 'uninit' }
  | {
      t: 'scalar'; v: bigint | null; lo: bigint; hi: bigint; lo32: bigint; hi32: bigint;
      /** Low bits known to be zero (the value is a multiple of 2^tz); absent = none known. */
      tz?: number;
    }
  | {
      t: 'ptr';
      p: PtrKind;
      off: number | null;
      /**
       * With a variable offset (off = null): the signed range [vlo, vhi] the offset from the
       * region start lies in, and vtz, its low bits known to be zero. Absent: unbounded.
       */
      vlo?: number;
      vhi?: number;
      vtz?: number;
      /** stack: frame number; map/map_value: map id; func: target pc. */
      ref: number;
      /** map_value: value size; alloc: record size; -1 unknown. */
      size: number;
      nullable: boolean;
      /**
       * Identity for null-check propagation and reference release (0 = none). A packet pointer
       * with a variable offset gets a negative id at the instruction that made its offset
       * variable (-(pc + 1)); constants added later keep the id and accumulate in `fix`, so a
       * comparison of one such pointer with data_end proves bytes for every pointer of that id
       * (the kernel's find_good_pkt_pointers).
       */
      id: number;
      /** Variable packet pointer: bytes added since its id was assigned. */
      fix?: number;
      /** Variable packet pointer: bytes proven readable from the id's base (the kernel's range). */
      prange?: number;
      readonly: boolean;
    };

export const UNINIT: Reg = { t: 'uninit' };
export const MAX64 = (1n << 64n) - 1n;
export const MAX32 = 0xffffffffn;
const HIGH = MAX64 ^ MAX32;
const B32 = 1n << 32n;
export type Scalar = Extract<Reg, { t: 'scalar' }>;
export const UNKNOWN: Scalar = { t: 'scalar', v: null, lo: 0n, hi: MAX64, lo32: 0n, hi32: MAX32 };
export function scalar(v: bigint | null): Scalar {
  if (v === null) return UNKNOWN;
  const x = BigInt.asUintN(64, v);
  return { t: 'scalar', v: x, lo: x, hi: x, lo32: x & MAX32, hi32: x & MAX32 };
}

/** The range of the low 32 bits implied by a 64-bit range: exact when the high halves agree. */
function derive32(lo: bigint, hi: bigint): [bigint, bigint] {
  return (lo & HIGH) === (hi & HIGH) ? [lo & MAX32, hi & MAX32] : [0n, MAX32];
}

/**
 * The scalar whose 64-bit value lies in [lo, hi] and whose low 32 bits lie in [lo32, hi32], with
 * each range narrowed by the other (undefined when no value satisfies both: a dead path).
 * lo moves up to the first value whose low half is in [lo32, hi32], hi down to the last one;
 * then the 32-bit range is intersected with what the new 64-bit range implies.
 */
export function bounds(lo: bigint, hi: bigint, lo32 = 0n, hi32 = MAX32): Scalar | undefined {
  for (let round = 0; round < 2; round++) {
    if (lo > hi || lo32 > hi32) return undefined;
    const l = lo & MAX32;
    if (l < lo32) lo = (lo & HIGH) | lo32;
    else if (l > hi32) lo = (lo & HIGH) + B32 + lo32;
    const h = hi & MAX32;
    if (h > hi32) hi = (hi & HIGH) | hi32;
    else if (h < lo32) hi = (hi & HIGH) - B32 + hi32;
    if (lo > hi || lo > MAX64 || hi < 0n) return undefined;
    const [d0, d1] = derive32(lo, hi);
    if (d0 > lo32) lo32 = d0;
    if (d1 < hi32) hi32 = d1;
  }
  if (lo > hi || lo32 > hi32) return undefined;
  if (lo === hi) return scalar(lo);
  return { t: 'scalar', v: null, lo, hi, lo32, hi32 };
}

/** A scalar known to lie in [lo, hi] (unsigned 64-bit); a single value becomes a known scalar. */
export function range(lo: bigint, hi: bigint): Scalar {
  if (lo === hi) return scalar(lo);
  if (lo === 0n && hi === MAX64) return UNKNOWN;
  const [lo32, hi32] = derive32(lo, hi);
  return { t: 'scalar', v: null, lo, hi, lo32, hi32 };
}
export const ptr = (p: PtrKind, off: number | null, extra: Partial<{ ref: number; size: number; nullable: boolean; id: number; readonly: boolean }> = {}): Reg => ({
  t: 'ptr', p, off, ref: extra.ref ?? 0, size: extra.size ?? -1, nullable: extra.nullable ?? false, id: extra.id ?? 0, readonly: extra.readonly ?? false,
});

export const STACK = 512;
const SLOTS = STACK / 8;

export interface Frame {
  regs: Reg[];
  /** Stack byte (STACK + off): 0 never written, 1 written, 2 written and known to be zero. */
  init: Uint8Array;
  /** Register spilled in 8-byte slot i (bytes [i*8, i*8+8) from the bottom), if any. */
  spills: (Reg | undefined)[];
  /** pc to continue at in the caller when this frame returns (-1 for the main frame). */
  ret: number;
  /** First pc of the function this frame runs. */
  fn: number;
  /**
   * `init` and `spills` are shared with another state's frame (cloneState shares them instead of
   * copying 512 + 64 entries at every fork): write only through `stackW`, which copies them first.
   */
  cow?: boolean;
  /** initKey(init), cached while `init` is unchanged (stackW drops it). */
  ik?: string;
}

/** The frame, with its stack arrays its own (copied if shared): call before writing them. */
export function stackW(f: Frame): Frame {
  if (f.cow) {
    f.init = f.init.slice();
    f.spills = f.spills.slice();
    f.cow = false;
  }
  f.ik = undefined;
  return f;
}

export interface State {
  frames: Frame[];
  /** Bytes from packet start proven to be before data_end. */
  pktRange: number;
  /** Outstanding ring-buffer record ids → pc of the reserve. */
  refs: Map<number, number>;
}

export function newFrame(fn: number, ret: number): Frame {
  return { regs: new Array<Reg>(11).fill(UNINIT), init: new Uint8Array(STACK), spills: new Array(SLOTS).fill(undefined), ret, fn };
}

export function cloneState(s: State): State {
  const frames: Frame[] = new Array<Frame>(s.frames.length);
  for (let i = 0; i < frames.length; i++) {
    const f = s.frames[i]!;
    f.cow = true; // both copies now share the stack arrays
    frames[i] = { regs: f.regs.slice(), init: f.init, spills: f.spills, ret: f.ret, fn: f.fn, cow: true, ik: f.ik };
  }
  return { frames, pktRange: s.pktRange, refs: s.refs.size === 0 ? new Map() : new Map(s.refs) };
}

export function regKey(r: Reg | undefined): string {
  if (r === undefined) return '-';
  switch (r.t) {
    case 'uninit':
      return 'u';
    case 'scalar':
      if (r.v !== null) return `s${r.v.toString(16)}`;
      return (r.lo === 0n && r.hi === MAX64 && r.lo32 === 0n && r.hi32 === MAX32
        ? 's'
        : `s[${r.lo.toString(16)},${r.hi.toString(16)}|${r.lo32.toString(16)},${r.hi32.toString(16)}]`) + (r.tz ? `a${r.tz}` : '');
    case 'ptr':
      return `${r.p}${r.off ?? (r.vlo === undefined ? '?' : `?[${r.vlo},${r.vhi}]a${r.vtz ?? 0}`)}/${r.ref}/${r.size}${r.nullable ? 'n' : ''}${r.id ? `#${r.id}` : ''}${r.fix !== undefined ? `+${r.fix}R${r.prange ?? 0}` : ''}${r.readonly ? 'r' : ''}`;
  }
}

/**
 * A canonical string for a state. With `live` (one register bitmask per frame), registers that
 * are dead — never read again before being written — are left out, so states that differ only
 * in dead values compare equal (the kernel prunes with liveness the same way).
 */
export function stateKey(s: State, live?: readonly number[], consts?: (bigint | undefined)[], ranges?: (Scalar | undefined)[]): string {
  // Built by concatenation (no intermediate arrays): this runs at every prune point.
  let key = `R${s.pktRange}`;
  const top = s.frames.length - 1;
  for (let fi = 0; fi <= top; fi++) {
    const f = s.frames[fi]!;
    const mask = live?.[fi] ?? 0x7ff;
    key += `|F${f.fn}:${f.ret}|`;
    for (let k = 0; k < f.regs.length; k++) {
      if (k > 0) key += ',';
      if (!(mask & (1 << k))) {
        key += '-';
        continue;
      }
      const r = f.regs[k]!;
      // With `consts`, the top frame's live known scalars are written as `k` and their values
      // returned there instead (the key of the state "up to its constants", see ./loops.ts).
      if (consts !== undefined && fi === top && r.t === 'scalar' && r.v !== null) {
        consts[k] = r.v;
        key += 'k';
      } else if (ranges !== undefined && fi === top && r.t === 'scalar') {
        // With `ranges`, the top frame's live ranged scalars likewise (see ./loops.ts boundRepeats).
        ranges[k] = r;
        key += 'S';
      } else if (consts !== undefined && fi === top && r.t === 'ptr' && r.off !== null) {
        // A pointer at a constant offset: the offset (as 64 bits) is its "constant".
        consts[k] = BigInt.asUintN(64, BigInt(r.off));
        key += `K${regKey({ ...r, off: 0 })}`;
      } else key += regKey(r);
    }
    key += `|${f.ik ??= initKey(f.init)}`;
    for (let i = 0; i < f.spills.length; i++) {
      const sp = f.spills[i];
      if (sp !== undefined) key += `|@${i}=${regKey(sp)}`;
    }
  }
  if (s.refs.size) key += `|refs${[...s.refs.keys()].sort().join(',')}`;
  return key;
}

/**
 * The stack's initialisation bytes, run-length encoded over 32-bit words (each word stands for
 * its four bytes exactly, so equal keys mean equal bytes; mostly long runs of 0 or 0x01010101).
 */
function initKey(init: Uint8Array): string {
  const w = new Int32Array(init.buffer, init.byteOffset, init.length >> 2);
  let out = '';
  let prev = w[0]!;
  let n = 1;
  for (let i = 1; i < w.length; i++) {
    const x = w[i]!;
    if (x === prev) n++;
    else {
      out += `${prev.toString(36)}x${n}.`;
      prev = x;
      n = 1;
    }
  }
  return `${out}${prev.toString(36)}x${n}`;
}

function joinReg(a: Reg, b: Reg): Reg {
  if (a.t === 'uninit' || b.t === 'uninit') return UNINIT;
  // Scalars: keep a when b lies inside it, else forget everything (a widening: it converges fast).
  if (a.t === 'scalar' && b.t === 'scalar') {
    if (!(b.lo >= a.lo && b.hi <= a.hi && b.lo32 >= a.lo32 && b.hi32 <= a.hi32)) return UNKNOWN;
    const tz = Math.min(scalarTz(a), scalarTz(b));
    return a.v !== null || (a.tz ?? 0) === tz ? a : { ...a, tz };
  }
  if (a.t === 'ptr' && b.t === 'ptr') {
    if (a.p !== b.p || a.ref !== b.ref) return ptr('any', null);
    // Offsets that differ become variable; the join forgets their range (accesses through it
    // are then refused on the stack and checked at run time elsewhere).
    return {
      t: 'ptr', p: a.p, off: a.off === b.off ? a.off : null, ref: a.ref,
      ...(a.off === null && b.off === null && a.vlo !== undefined && b.vlo !== undefined
        ? { vlo: Math.min(a.vlo, b.vlo), vhi: Math.max(a.vhi!, b.vhi!), vtz: Math.min(a.vtz ?? 0, b.vtz ?? 0) }
        : {}), size: a.size === b.size ? a.size : -1,
      nullable: a.nullable || b.nullable, id: a.id === b.id && a.fix === b.fix ? a.id : 0, readonly: a.readonly || b.readonly,
      // A variable packet pointer keeps its id only when both sides agree; then the smaller range.
      ...(a.id === b.id && a.fix !== undefined && a.fix === b.fix ? { fix: a.fix, prange: Math.min(a.prange ?? 0, b.prange ?? 0) } : {}),
    };
  }
  // A scalar on one path and a pointer on the other: initialised, type unknown.
  return ptr('any', null);
}

/** Least upper bound of two states at the same pc with the same frame shape (else undefined). */
export function joinStates(a: State, b: State): State | undefined {
  if (a.frames.length !== b.frames.length) return undefined;
  const frames: Frame[] = [];
  for (let i = 0; i < a.frames.length; i++) {
    const fa = a.frames[i]!;
    const fb = b.frames[i]!;
    if (fa.fn !== fb.fn || fa.ret !== fb.ret) return undefined;
    const init = new Uint8Array(STACK);
    for (let k = 0; k < STACK; k++) {
      const x = fa.init[k]!;
      const y = fb.init[k]!;
      init[k] = x === y ? x : x && y ? 1 : 0;
    }
    frames.push({
      regs: fa.regs.map((r, k) => joinReg(r, fb.regs[k]!)),
      init,
      spills: fa.spills.map((s, k) => {
        const t = fb.spills[k];
        if (s === undefined || t === undefined) return undefined;
        const j = joinReg(s, t);
        return j.t === 'uninit' ? undefined : j;
      }),
      ret: fa.ret,
      fn: fa.fn,
    });
  }
  const refs = new Map(a.refs);
  for (const [k, v] of b.refs) refs.set(k, v);
  return { frames, pktRange: Math.min(a.pktRange, b.pktRange), refs };
}

/** Low bits known to be zero in a scalar (64 for the constant 0). */
export function scalarTz(s: Scalar): number {
  if (s.v !== null) {
    if (s.v === 0n) return 64;
    // Count trailing zeros on 32-bit halves (a BigInt shift loop cost up to 64 allocations).
    const lo = Number(BigInt.asUintN(32, s.v));
    if (lo !== 0) return 31 - Math.clz32(lo & -lo);
    const hi = Number(BigInt.asUintN(32, s.v >> 32n));
    return hi === 0 ? 64 : 63 - Math.clz32(hi & -hi);
  }
  return s.tz ?? 0;
}

export function describeReg(r: Reg): string {
  switch (r.t) {
    case 'uninit':
      return 'uninitialised';
    case 'scalar':
      if (r.v !== null) return `scalar ${r.v}`;
      if (r.lo === 0n && r.hi === MAX64 && r.lo32 === 0n && r.hi32 === MAX32) return 'scalar';
      return `scalar(umin=${r.lo},umax=${r.hi}${r.lo32 !== derive32(r.lo, r.hi)[0] || r.hi32 !== derive32(r.lo, r.hi)[1] ? `,u32_min=${r.lo32},u32_max=${r.hi32}` : ''})`;
    case 'ptr': {
      const names: Record<PtrKind, string> = {
        ctx: 'ctx', stack: 'fp', pkt: 'pkt', pkt_end: 'pkt_end', pkt_meta: 'pkt_meta', map: 'map_ptr', map_value: 'map_value',
        alloc: 'ringbuf_mem', mem: 'mem', func: 'func', any: 'pointer-or-scalar',
      };
      return `${names[r.p]}${r.nullable ? '_or_null' : ''}${r.off === null ? '(var_off)' : r.off !== 0 ? `(off=${r.off})` : ''}`;
    }
  }
}
