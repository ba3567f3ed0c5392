/**
 * The eBPF verifier: `verify(program, hook) → VerifiedProgram`, run before a program is loaded.
 *
 * Phase 1 (./structure.ts) checks encodings, jumps, functions, reachability, helpers, the call
 * graph and back-edges. Phase 2, here, is an abstract interpretation over the CFG: a depth-first
 * walk of every path with a machine state of abstract registers (./state.ts; scalars are
 * unsigned intervals, ./ranges.ts), forking at branches whose outcome the intervals do not
 * decide, joining nothing — each path is checked on its own, so
 * "uninitialised on this path" is exact. Paths meet again at prune points (jump targets): a state
 * already seen there is not explored twice. Loops follow the hook's policy (see hooks.ts).
 *
 * What a successful verification PROVES, on every path:
 *   - only defined instructions run; r10 is never written; no register is read before it is
 *     written (r0 at exit included); no jump leaves its function or lands inside an lddw; every
 *     path ends in exit (or, in budget mode, loops under the run-time budget);
 *   - the stack: accesses stay inside the 512 bytes of the frame their pointer belongs to — at a
 *     constant offset, or at a variable offset whose whole range does and whose alignment is
 *     known (a callee never reaches its caller's frame through its own r10) — and no stack byte
 *     is read before it was written (spilled pointers keep their type when filled; a variable
 *     write forgets the spills its range covers);
 *   - context accesses hit a field of the hook's layout with an allowed size, stores only
 *     writable fields; constant-offset packet accesses lie inside a range proven by comparing a
 *     packet pointer with data_end; map-value and ring-record accesses with constant offsets
 *     stay inside the value/record; `.rodata` values are never written;
 *   - pointers are used only as their kind allows (no arithmetic on map or data_end pointers,
 *     no pointer + pointer, no pointer ± a scalar without a known signed minimum or beyond
 *     ±2^29 (the kernel's rule), no 32-bit or bitwise arithmetic on pointers, no dereference of a possibly-NULL pointer,
 *     no dereference of a scalar), and r0 at exit is a scalar where the hook needs a verdict;
 *   - helper calls pass arguments of the declared types (map kinds, initialised key/value
 *     memory of the map's sizes, sizes never negative and below 2^29, the ctx, live ring
 *     records; memory a helper writes — the kernel's uninit_mem — may be uninitialised stack
 *     and is initialised after the call);
 *     every ring-buffer record reserved is submitted or discarded on every path;
 *   - bpf-to-bpf calls nest at most 8 frames, without recursion; a callee never returns a
 *     pointer into its own stack; the combined stack of a call chain fits in 512 bytes;
 *   - termination: 'reject' and 'bounded' modes prove it (no loops, or loops that finish within
 *     the step limit with constants tracked exactly, as the kernel does).
 * What is CHECKED AT RUN TIME instead (the engines' bounds checks and budget):
 *   - accesses through pointers with a variable offset (packet, map value, ring record), through
 *     conformance memory (`mem`, whose length arrives in r2), packet metadata, and budget-mode
 *     `any` values; in budget mode, a stack pointer whose range the widening forgot (its write
 *     then forgets the spills of every frame it could reach);
 *   - the instruction budget in 'budget' mode, callx targets, the tail-call count.
 */
import { disassembleInsn } from '../../isa/ebpf/asm.ts';
import { bytesToSlots, encodeProgram, lddwValue, slotsToBytes } from '../../isa/ebpf/codec.ts';
import { Sizes } from '../../isa/ebpf/opcodes.ts';
import type { JmpOp } from '../../isa/ebpf/opcodes.ts';
import type { EbpfInsn, EbpfProgram, EbpfSlot } from '../../isa/ebpf/types.ts';
import type { BpfMap } from '../../maps/types.ts';
import { BPF_F_RDONLY_PROG } from '../../maps/types.ts';
import { HELPERS } from '../helpers.ts';
import type { HelperSpec } from '../helpers.ts';
import { VerifierError } from './error.ts';
import { foldEnd } from './fold.ts';
import { analyzeTrace, boundRepeats, evalJmp, solveLinear } from './loops.ts';
import type { LoopTrace } from './loops.ts';
import type { CtxField, HookSpec } from './hooks.ts';
import { aluRange, refineRanges, refineRangesFalse, widthRange } from './ranges.ts';
import { MAX64 as UNKNOWN_HI, UNINIT, UNKNOWN, cloneState, describeReg, joinStates, newFrame, ptr, regKey, scalar, scalarTz, stackW, stateKey, STACK } from './state.ts';
import type { Frame, Reg, Scalar, State } from './state.ts';
import { checkStructure, MAX_CALL_FRAMES, successors } from './structure.ts';
import type { Structure } from './structure.ts';

/** Sizes of helper memory arguments stay below this (the kernel's BPF_MAX_VAR_SIZ, 512 MiB). */
const MAX_VAR_SIZE = 1n << 29n;

export interface VerifiedProgram {
  hook: HookSpec;
  /** The program as verified, slot by slot, and as bytes. */
  slots: EbpfSlot[];
  bytes: Uint8Array;
  /** Decoded instruction at each slot pc (undefined for the second slot of an lddw). */
  insnAt: (EbpfInsn | undefined)[];
  /** Function entry pcs (0 = main). */
  functions: number[];
  /** Loop heads (targets of back-edges). */
  loopHeads: number[];
  /** True when termination was not proven (budget mode and the program has loops). */
  needsBudget: boolean;
  /** Deepest stack use along any call chain, in bytes. */
  stackDepth: number;
  /** Map ids the program references through lddw. */
  maps: number[];
  /** Work done: abstract instructions processed and states stored. */
  stats: { steps: number; states: number };
  /** Context field each context-accessing instruction touches (pc → field), for ./ctx-rewrite.ts. */
  ctxAccess: Map<number, CtxField>;
  /**
   * Memory accesses proven in bounds on every path, by the region they always reach (pc →
   * region): stack loads and stores at a known frame offset, packet loads below a proven
   * data_end comparison, context loads of a valid field (after the context conversion, inside
   * `max(hook context size, shadow layout size)`, which `load` requires of the run's ctx). The
   * JIT reads and writes these directly, without the run-time check.
   */
  provenAccess: Map<number, ProvenRegion>;
  /** pc → the high half of r0..r10 before that instruction where it is known (see HighHalf). */
  highHalves: Map<number, readonly (HighHalf | undefined)[]>;
}

/** The region a proven access always reaches (see VerifiedProgram.provenAccess). */
export type ProvenRegion = 'stack' | 'pkt' | 'ctx';

/**
 * What the high 32 bits of a register hold before an instruction, on every path that reaches
 * it: 0 (a scalar below 2^32), or a pointer into one region with an offset small enough that
 * the runtime's pair representation keeps that region's tag in the high half (packet and
 * data_end pointers at offsets in [0, 2^30), context pointers likewise, stack pointers inside
 * the frame). The JIT reads such a high half as a literal (./jit/structured.ts).
 */
export type HighHalf = 0 | 'pkt' | 'ctx' | 'stack';

/** The kernel's limit on instructions processed; tsdump's default is lower (see defaultMaxSteps). */
export const DEFAULT_MAX_STEPS = 1_000_000;

/**
 * The step limit when the hook sets none: the work is bounded by the program's size rather than a
 * flat million, so no input keeps the verifier busy for seconds. The abstract walk costs a few
 * microseconds a step in JavaScript (the kernel's C walk is far cheaper), so a loop whose state
 * never converges — e.g. one adding 2^29 until the value equals 1, which repeats no state for 2^35
 * iterations — used to run the full million steps (6–20 s) before refusal. A program gets 64
 * steps per instruction slot, at least 400,000 and at most the kernel's 1,000,000: straight-line
 * code and converted filters (a handful of steps per instruction) are far inside it, a counted
 * loop of 100,000 iterations (~200,000 steps, which the kernel accepts) still passes, and a
 * non-converging loop in a small program is refused after 400,000 steps. The price: a small
 * program whose loops need more than that (the kernel allows up to 1M) is refused as "not
 * provably bounded"; a hook can set `maxSteps` to DEFAULT_MAX_STEPS for the kernel's rule.
 */
export function defaultMaxSteps(slots: number): number {
  return Math.min(DEFAULT_MAX_STEPS, Math.max(400_000, 64 * slots));
}

interface Hist {
  pc: number;
  key: string;
  prev: Hist | undefined;
  /**
   * At loop heads: the key up to the top frame's constants is its first `ml` characters, up to
   * those constants and its ranged scalars its first `m2l` (prefixes: a long walk keeps one
   * string per visit), and the constants and ranged scalars themselves (see ./loops.ts).
   */
  ml?: number;
  m2l?: number;
  consts?: (bigint | undefined)[];
  ranges?: (Scalar | undefined)[];
}

/** A path left for later: where, its state and history, and the loop iteration it continues. */
interface WorkItem {
  pc: number;
  st: State;
  hist: Hist | undefined;
  /** The trace being recorded when the path forked, its length then, and the path's tries. */
  trace?: LoopTrace;
  len?: number;
  tries?: Map<number, number>;
}

/** Program input: raw bytes, decoded instructions, or slots. */
export type ProgramInput = Uint8Array | EbpfProgram | readonly EbpfSlot[];

/** The program as slots and as bytes (each made once: the bytes of an encoded program are reused). */
function toSlots(prog: ProgramInput): { slots: EbpfSlot[]; bytes: Uint8Array } {
  if (prog instanceof Uint8Array) {
    const slots = bytesToSlots(prog);
    return { slots, bytes: prog.slice() };
  }
  if (prog.length > 0 && 'kind' in prog[0]!) {
    const bytes = encodeProgram(prog as EbpfProgram);
    return { slots: bytesToSlots(bytes), bytes };
  }
  const slots = (prog as readonly EbpfSlot[]).slice();
  return { slots, bytes: slotsToBytes(slots) };
}

export function verify(prog: ProgramInput, hook: HookSpec): VerifiedProgram {
  const { slots, bytes } = toSlots(prog);
  const s = checkStructure(slots, hook);
  const v = new Walker(s, hook);
  try {
    v.run();
  } catch (e) {
    if (e instanceof VerifierError) e.steps = v.steps;
    throw e;
  }
  return {
    hook, slots, bytes, insnAt: s.at, functions: s.functions, loopHeads: [...s.loopHeads].sort((a, b) => a - b),
    needsBudget: (hook.loops ?? 'bounded') === 'budget' && s.loopHeads.size > 0,
    stackDepth: v.chainStackDepth(), maps: [...v.mapsUsed].sort((a, b) => a - b), stats: { steps: v.steps, states: v.states },
    ctxAccess: v.ctxAccess,
    provenAccess: v.provenAccess(),
    highHalves: v.highHalves(),
  };
}

/** The HighHalf a register's value implies, if any (see HighHalf). */
function highOf(v: Reg): HighHalf | undefined {
  if (v.t === 'scalar') return v.hi <= 0xffffffffn ? 0 : undefined;
  if (v.t !== 'ptr' || v.nullable) return undefined;
  const lo = v.off ?? v.vlo;
  const hi = v.off ?? v.vhi;
  if (lo === undefined || hi === undefined) return undefined;
  switch (v.p) {
    case 'pkt': case 'pkt_end': return lo >= 0 && hi < 1 << 30 ? 'pkt' : undefined;
    case 'ctx': return lo >= 0 && hi < 1 << 30 ? 'ctx' : undefined;
    case 'stack': return v.ref === 0 && lo >= -512 && hi <= 0 ? 'stack' : undefined;
    default: return undefined;
  }
}

const HIGHS: readonly HighHalf[] = [0, 'pkt', 'ctx', 'stack'];

/** highOf as an index into HIGHS, -1 for none. */
function highCode(v: Reg): number {
  const x = highOf(v);
  return x === undefined ? -1 : x === 0 ? 0 : x === 'pkt' ? 1 : x === 'ctx' ? 2 : 3;
}

/** The kernel's BPF_MAX_VAR_OFF: pointer arithmetic must keep offsets within ±2^29. */
const MAX_VAR_OFF = 1n << 29n;

/** Low bits known to be zero in a number (the alignment of an offset; 64 for 0). */
function numTz(n: number): number {
  return scalarTz(scalar(BigInt(n)));
}

/** The scalar's signed 64-bit range, or null when its unsigned range straddles the sign bit. */
function signedRange(k: Scalar): [bigint, bigint] | null {
  const half = 1n << 63n;
  if (k.hi < half) return [k.lo, k.hi];
  if (k.lo >= half) return [k.lo - (1n << 64n), k.hi - (1n << 64n)];
  return null;
}

/** `r` with `tz` known low zero bits (kept on unknown scalars only; constants say it already). */
function withTz(r: Reg, tz: number): Reg {
  if (r.t !== 'scalar' || r.v !== null || tz <= 0) return r;
  const t = Math.min(tz, 64);
  return r.tz === t ? r : { t: 'scalar', v: null, lo: r.lo, hi: r.hi, lo32: r.lo32, hi32: r.hi32, tz: t };
}

/** Known low zero bits of `a op b` (0 when the operation keeps none). */
function aluTz(op: string, wide: boolean, a: Scalar, b: Scalar): number {
  const ta = scalarTz(a);
  const tb = scalarTz(b);
  const cap = (n: number) => Math.min(n, wide ? 64 : 32);
  const k = b.v === null ? null : Number(b.v & BigInt(wide ? 63 : 31));
  switch (op) {
    case 'add': case 'sub': case 'or': case 'xor': return cap(Math.min(ta, tb));
    case 'and': return cap(Math.max(ta, tb));
    case 'mul': return cap(ta + tb);
    case 'lsh': return k === null ? 0 : cap(ta + k);
    case 'rsh': return k === null ? 0 : Math.max(0, ta - k);
    case 'neg': return cap(ta);
    default: return 0;
  }
}

const JMP_INVERSE: Record<JmpOp, JmpOp | undefined> = {
  jeq: 'jne', jne: 'jeq', jgt: 'jle', jle: 'jgt', jge: 'jlt', jlt: 'jge', jsgt: 'jsle', jsle: 'jsgt', jsge: 'jslt', jslt: 'jsge', jset: undefined,
};

class Walker {
  steps = 0;
  states = 0;
  readonly mapsUsed = new Set<number>();
  readonly ctxAccess = new Map<number, CtxField>();
  /** What each memory instruction accessed so far: 'mem' or the ctx field name. */
  private readonly accessKind = new Map<number, string>();
  /** Per memory-access pc: the region every visit proved in bounds, or null once one did not. */
  private readonly proven = new Map<number, ProvenRegion | null>();

  private noteProven(pc: number, region: ProvenRegion | null): void {
    const prev = this.proven.get(pc);
    this.proven.set(pc, prev === undefined || prev === region ? region : null);
  }

  /**
   * pc * 11 + register → the HighHalf on every visit so far (its index in HIGHS), -1 once two
   * visits disagree or one had none, -2 before the first visit (flat: this runs at every step).
   */
  private readonly highs: Int8Array;

  private noteHighs(pc: number, st: State): void {
    const regs = this.frame(st).regs;
    const h = this.highs;
    const base = pc * 11;
    if (h[base] === -2) {
      for (let r = 0; r < 11; r++) h[base + r] = highCode(regs[r]!);
      return;
    }
    for (let r = 0; r < 11; r++) if (h[base + r]! >= 0 && h[base + r] !== highCode(regs[r]!)) h[base + r] = -1;
  }

  highHalves(): Map<number, readonly (HighHalf | undefined)[]> {
    const out = new Map<number, readonly (HighHalf | undefined)[]>();
    const h = this.highs;
    for (let pc = 0; pc * 11 < h.length; pc++) {
      let any = false;
      for (let r = 0; r < 11; r++) if (h[pc * 11 + r]! >= 0) any = true;
      if (!any) continue;
      const row: (HighHalf | undefined)[] = new Array<HighHalf | undefined>(11);
      for (let r = 0; r < 11; r++) row[r] = h[pc * 11 + r]! >= 0 ? HIGHS[h[pc * 11 + r]!] : undefined;
      out.set(pc, row);
    }
    return out;
  }

  provenAccess(): Map<number, ProvenRegion> {
    const out = new Map<number, ProvenRegion>();
    for (const [pc, r] of this.proven) if (r !== null) out.set(pc, r);
    return out;
  }
  private nextId = 1;
  private readonly table: ReadonlyMap<number, HelperSpec>;
  private readonly policy;
  private readonly maxSteps: number;
  /** Deepest stack byte used per function index. */
  private readonly fnDepth: number[];
  private readonly seen = new Map<number, Set<string>>();
  private readonly widened = new Map<string, { state: State; key: string }>();
  private work: WorkItem[] = [];
  /** The loop iteration being recorded on the current path (./loops.ts), if any. */
  private trace: LoopTrace | undefined;
  /** Loop iterations analysed per loop head on the current path (shared with the paths it forks). */
  private tries = new Map<number, number>();
  /** Per loop head: per key up to constants, the constants of every state stored there. */
  private readonly orbits = new Map<number, Map<string, (bigint | undefined)[][]>>();

  constructor(private readonly s: Structure, private readonly hook: HookSpec) {
    this.table = hook.helperTable ?? HELPERS;
    this.policy = hook.loops ?? 'bounded';
    this.maxSteps = hook.maxSteps ?? defaultMaxSteps(s.at.length);
    this.fnDepth = new Array<number>(s.functions.length).fill(0);
    this.highs = new Int8Array(s.at.length * 11).fill(-2);
  }

  private fail(code: string, pc: number, msg: string): never {
    const insn = this.s.at[pc];
    throw new VerifierError(code, msg, pc, insn ? disassembleInsn(insn) : '');
  }

  run(): void {
    const main = newFrame(0, -1);
    main.regs[10] = ptr('stack', 0, { ref: 0 });
    if (this.hook.entry.kind === 'ctx') main.regs[1] = ptr('ctx', 0);
    else {
      main.regs[1] = ptr('mem', 0);
      main.regs[2] = UNKNOWN;
    }
    this.work.push({ pc: 0, st: { frames: [main], pktRange: 0, refs: new Map() }, hist: undefined });
    while (this.work.length) {
      const item = this.work.pop()!;
      this.walk(item);
    }
  }

  /**
   * The deepest combined stack of any call chain. Like the kernel (with its JIT on), each frame
   * counts its own use rounded up to 16 bytes (at least 16); the sum must fit in 512 bytes.
   */
  chainStackDepth(): number {
    let worstSite = -1;
    const depthOf = (f: number): number => {
      let d = 0;
      for (const c of this.s.calls.get(f) ?? []) {
        const cd = depthOf(c.callee);
        if (cd > d) d = cd;
      }
      return ((Math.max(this.fnDepth[f]!, 1) + 15) & ~15) + d;
    };
    const total = depthOf(0);
    if (total > STACK) {
      // Name the first call of main on the deepest chain.
      let best = -1;
      for (const c of this.s.calls.get(0) ?? []) {
        const d = depthOf(c.callee);
        if (d > best) { best = d; worstSite = c.site; }
      }
      this.fail('stack-depth', worstSite < 0 ? 0 : worstSite, `combined stack of the call chain is ${total} bytes (max ${STACK})`);
    }
    return total;
  }

  /** Follows one path from `pc` until it exits, is pruned, or forks (forks go to `work`). */
  private walk(item: WorkItem): void {
    let { pc, st, hist } = item;
    this.trace = undefined;
    if (this.s.loopHeads.size > 0) {
      // A path forked while an iteration was recorded continues that iteration (the recording
      // of the other side, explored first, is dropped), unless a side path already judged it.
      const tr = item.trace;
      if (tr !== undefined && !tr.done) {
        const n = item.len!;
        tr.pcs.length = n;
        tr.regs.length = n;
        while (tr.forks.length > 0 && tr.forks[tr.forks.length - 1]! >= n) tr.forks.pop();
        this.trace = tr;
      }
      this.tries = item.tries ?? new Map();
    }
    for (;;) {
      if (++this.steps > this.maxSteps) {
        // Like the kernel, a bounded loop is one the walk finishes within the step limit.
        if (this.s.loopHeads.size) this.fail('unbounded-loop', pc, `loop not provably bounded: more than ${this.maxSteps} instructions processed`);
        this.fail('too-complex', pc, `program too complex: more than ${this.maxSteps} instructions processed`);
      }
      if (this.s.prunePoints[pc]) {
        const r = this.atPrunePoint(pc, st, hist);
        if (r === undefined) return;
        st = r.st;
        hist = r.hist;
      }
      const tr = this.trace as LoopTrace | undefined; // set by atPrunePoint
      if (tr !== undefined) {
        if (tr.pcs.length >= 4096 || st.frames.length !== tr.depth) this.trace = undefined;
        else {
          tr.pcs.push(pc);
          tr.regs.push(this.frame(st).regs.slice());
        }
      }
      const next = this.step(pc, st, hist);
      if (next < 0) return;
      pc = next;
    }
  }

  private atPrunePoint(pc: number, st: State, hist: Hist | undefined): { st: State; hist: Hist | undefined } | undefined {
    const isLoop = this.s.loopHeads.has(pc);
    if (isLoop && this.policy === 'budget') {
      // Widening: keep one joined state per (loop head, call context); stop once it is stable.
      const ctxKey = `${pc}|${st.frames.map((f) => `${f.fn}:${f.ret}`).join(',')}`;
      const w = this.widened.get(ctxKey);
      if (w === undefined) {
        this.widened.set(ctxKey, { state: cloneState(st), key: stateKey(st) });
        this.states++;
        return { st, hist };
      }
      const j = joinStates(w.state, st)!;
      const key = stateKey(j);
      if (key === w.key) return undefined;
      this.widened.set(ctxKey, { state: j, key });
      this.states++;
      return { st: cloneState(j), hist };
    }
    // At a loop head the key is built as "the state up to the top frame's constants" plus those
    // constants, so successive iterations can be compared (./loops.ts).
    // Ranged scalars are masked as well (m2) and appended after it: `masked` is the same state
    // description as without them, in another order.
    const consts: (bigint | undefined)[] | undefined = isLoop && this.policy !== 'budget' ? new Array<bigint | undefined>(11) : undefined;
    const ranges: (Scalar | undefined)[] | undefined = consts === undefined ? undefined : new Array<Scalar | undefined>(11);
    const m2 = stateKey(st, this.liveMasks(st, pc), consts, ranges);
    let key = m2;
    if (ranges !== undefined) {
      key += '#';
      for (let r = 0; r < 11; r++) key += (r > 0 ? ',' : '') + (ranges[r] === undefined ? '' : regKey(ranges[r]));
    }
    const ml = key.length;
    if (consts !== undefined) {
      key += '|';
      for (let r = 0; r < 11; r++) key += (r > 0 ? ',' : '') + (consts[r] === undefined ? '' : consts[r]!.toString(16));
    }
    let set = this.seen.get(pc);
    if (set === undefined) this.seen.set(pc, (set = new Set()));
    if (set.has(key)) {
      // Seen before: on this very path it is an infinite loop, otherwise an explored state. Every
      // prune point is checked, not only loop heads: a state may repeat at a join inside a loop
      // body before the head is reached again.
      if (this.policy !== 'budget') {
        for (let h = hist; h; h = h.prev) {
          if (h.pc === pc && h.key === key)
            this.fail('infinite-loop', pc, 'infinite loop: the same state comes back here on one path, so the verifier cannot prove the loop ends');
        }
      }
      return undefined;
    }
    set.add(key);
    this.states++;
    if (consts !== undefined) this.loopVisit(pc, st, hist, key.slice(0, ml), consts, m2, ranges!);
    if (this.policy !== 'budget' && this.s.loopHeads.size > 0) hist = consts === undefined ? { pc, key, prev: hist } : { pc, key, prev: hist, ml, m2l: m2.length, consts, ranges };
    return { st, hist };
  }

  /**
   * A new state at a loop head (bounded policy): finishes the analysis of a recorded iteration
   * that ends here, or starts recording one when the state differs from this path's previous
   * visit only in the values of some known scalars (./loops.ts).
   */
  private loopVisit(pc: number, st: State, hist: Hist | undefined, masked: string, consts: (bigint | undefined)[], m2: string, ranges: (Scalar | undefined)[]): void {
    let byKey = this.orbits.get(pc);
    if (byKey === undefined) this.orbits.set(pc, (byKey = new Map()));
    let list = byKey.get(masked);
    if (list === undefined) byKey.set(masked, (list = []));
    list.push(consts);
    const tr = this.trace;
    if (tr !== undefined && tr.head === pc) {
      this.trace = undefined;
      tr.done = true;
      this.tries.set(pc, (this.tries.get(pc) ?? 0) + 1);
      if (tr.bounds.length === 0) {
        if (tr.masked !== masked || !this.judgeLoop(pc, st, tr, consts)) return;
        // The counter model gave up (a comparison with a range forks, say): the same iteration
        // again, with the ranged registers it compares with counters as bound registers.
        const bounds: number[] = [];
        for (let r = 0; r < 11; r++) {
          if (ranges[r] === undefined) continue;
          if (tr.pcs.some((p) => { const i = this.s.at[p]!; return i.kind === 'jmp' && (i.dst === r || ('src' in i && i.src === r)); })) bounds.push(r);
        }
        if (bounds.length > 0) this.judgeBoundLoop(pc, hist, { ...tr, masked: m2, bounds, rstart: ranges }, consts, ranges);
        return;
      }
      // A bound iteration that proved nothing may be followed at once by a plain one.
      if (tr.masked === m2) this.judgeBoundLoop(pc, hist, tr, consts, ranges);
    } else if (tr !== undefined) return;
    // Bound loops get a few more tries: the forecast needs the counter clear of 0 (boundRepeats).
    if ((this.tries.get(pc) ?? 0) >= 6) return;
    let prev = hist;
    for (let n = 0; prev !== undefined && prev.pc !== pc && n < 256; n++) prev = prev.prev;
    if (prev === undefined || prev.pc !== pc || prev.consts === undefined) return;
    const counters: number[] = [];
    for (let r = 0; r < 11; r++) if (consts[r] !== undefined && consts[r] !== prev.consts[r]) counters.push(r);
    if (counters.length === 0) return;
    const base = { head: pc, start: consts, counters, steps: this.steps, pcs: [], regs: [], depth: st.frames.length, forks: [] };
    if (prev.ml !== undefined && prev.key.length >= prev.ml && prev.ml === masked.length && prev.key.startsWith(masked)) {
      if ((this.tries.get(pc) ?? 0) < 3) this.trace = { ...base, masked, bounds: [], rstart: [] };
      return;
    }
    if (prev.m2l !== m2.length || prev.ranges === undefined || !prev.key.startsWith(m2)) return;
    const bounds: number[] = [];
    for (let r = 0; r < 11; r++) if (ranges[r] !== undefined && regKey(ranges[r]) !== regKey(prev.ranges[r])) bounds.push(r);
    if (bounds.length > 0) this.trace = { ...base, masked: m2, bounds, rstart: ranges };
  }

  /**
   * A recorded iteration of a loop whose counter is compared with a bound register
   * (./loops.ts boundRepeats): refuses the loop when the iterations it proves to come exceed the
   * step limit. Only refusals, and only when the walk itself would refuse: the iterations that
   * certainly repeat cost their instructions plus one for each side path they fork (a side path
   * processes at least its first instruction); nothing can cut the walk short, because no other
   * path has stored a state at the iteration's prune points (only this path's own history is
   * there, and meeting it again is an infinite loop) and no side path can reach them (checked on
   * the control-flow graph), and paths pending from before the loop are explored after it.
   */
  private judgeBoundLoop(pc: number, hist: Hist | undefined, tr: LoopTrace, end: (bigint | undefined)[], rend: (Scalar | undefined)[]): void {
    const f = analyzeTrace(tr, this.s.at, end, this.s.liveIn[pc]!);
    if (f.kind === 'unknown' || f.bjumps.length === 0) return;
    const perIter = BigInt(f.steps + tr.forks.length);
    const k = (BigInt(this.maxSteps) - BigInt(this.steps)) / perIter + 1n;
    if (f.repeats !== null && f.repeats < k) return;
    // No other path stored a state at the iteration's prune points …
    const inTrace = new Set(tr.pcs);
    const mine = new Map<number, number>();
    for (let h = hist; h !== undefined; h = h.prev) if (inTrace.has(h.pc)) mine.set(h.pc, (mine.get(h.pc) ?? 0) + 1);
    mine.set(pc, (mine.get(pc) ?? 0) + 1); // this visit's state, stored before its history entry
    for (const p of inTrace) if ((this.seen.get(p)?.size ?? 0) !== (mine.get(p) ?? 0)) return;
    // … and no side path can reach them.
    for (const s of tr.forks) {
      const at = tr.pcs[s]!;
      const next = s + 1 < tr.pcs.length ? tr.pcs[s + 1]! : pc;
      const i = this.s.at[at] as Extract<EbpfInsn, { kind: 'jmp' }>;
      const side = next === at + 1 ? at + 1 + i.off : at + 1;
      if (this.reaches(side, inTrace)) return;
    }
    if (!boundRepeats(tr, f, rend, k)) return;
    const show = (d: bigint, m: bigint) => (d > m / 2n ? `-= ${m - d}` : `+= ${d}`);
    const moves = [...f.strides].map(([r, { d, m }]) => `r${r} ${show(d, m)}${m === 1n << 32n ? ' (32-bit)' : ''}`).join(', ');
    const j = f.bjumps[0]!;
    const b = rend[j.bound]!;
    this.fail('unbounded-loop', pc, `loop not provably bounded: more than ${this.maxSteps} instructions would be processed: the loop at pc ${pc} runs at least ${k} more iterations of ${perIter} instructions (${moves}; r${j.bound} in [${b.lo}, ${b.hi}] is narrowed by the test at pc ${j.pc} each time)`);
  }

  /** Whether a path from `from` can reach one of `pcs` (the function's control-flow graph). */
  private reaches(from: number, pcs: ReadonlySet<number>): boolean {
    const seen = new Uint8Array(this.s.n);
    const todo = [from];
    seen[from] = 1;
    while (todo.length > 0) {
      const p = todo.pop()!;
      if (pcs.has(p)) return true;
      for (const t of successors(this.s.at[p]!, p)) if (t < this.s.n && !seen[t]) { seen[t] = 1; todo.push(t); }
    }
    return false;
  }

  /**
   * Acts on what one recorded iteration proves about the walk (./loops.ts): refuses the loop
   * when the path repeats forever, or repeats more often than the step limit allows and no
   * explored state at the head lies on its way (such a state would prune the walk early).
   * Otherwise, when the iteration forks nothing and checks nothing that depends on the
   * counters, the identical iterations are skipped: the counters jump ahead, their instructions
   * are counted as processed (so the step limit means what it meant), and the per-instruction
   * facts of the values that vary are dropped. The walk then finishes the loop itself.
   * Returns true when the counter model could not describe the iteration.
   */
  private judgeLoop(pc: number, st: State, tr: LoopTrace, end: (bigint | undefined)[]): boolean {
    const f = analyzeTrace(tr, this.s.at, end, this.s.liveIn[pc]!);
    if (f.kind === 'unknown') return true;
    const show = (d: bigint, m: bigint) => (d > m / 2n ? `-= ${m - d}` : `+= ${d}`);
    const moves = [...[...f.strides].map(([r, { d, m }]) => `r${r} ${show(d, m)}${m === 1n << 32n ? ' (32-bit)' : ''}`), ...f.free.map((r) => `r${r} changing untested`)].join(', ');
    if (f.repeats === null) {
      this.fail('unbounded-loop', pc, `loop at pc ${pc} does not terminate: every iteration runs the same ${f.steps} instructions with only ${moves}, and no test on the way ever changes its outcome`);
    }
    const repeats = f.repeats!;
    // States other paths stored at this head on the way would prune the walk early.
    // An affine counter exists: `repeats` comes from a jump on one.
    const [r] = f.strides.keys();
    const { d, m } = f.strides.get(r!)!;
    const orbitClear = (): boolean => {
      for (const u of this.orbits.get(pc)!.get(tr.masked)!) {
        if (u === end) continue;
        let same = true;
        for (let k = 0; k < 11 && same; k++) if (!tr.counters.includes(k) && u[k] !== end[k]) same = false;
        if (!same || u[r!] === undefined) continue;
        const t = solveLinear(d, (((u[r!]! - end[r!]!) % m) + m) % m, m);
        if (t !== null && t <= repeats) return false;
      }
      return true;
    };
    if (BigInt(this.steps) + repeats * BigInt(f.steps) > BigInt(this.maxSteps)) {
      if (!orbitClear()) return false;
      this.fail('unbounded-loop', pc, `loop not provably bounded: more than ${this.maxSteps} instructions would be processed: the loop at pc ${pc} runs ${f.exact ? '' : 'at least '}${repeats} more iterations of ${f.steps} instructions (${moves}) before pc ${f.exitPc} behaves differently`);
    }
    const skip = repeats - 1n;
    if (skip < 2n || !f.pure || tr.forks.length > 0 || !orbitClear()) return false;
    const regs = this.frame(st).regs;
    for (const [c, s] of f.strides) {
      const v = (end[c]! + skip * s.d) % s.m;
      const was = regs[c]!;
      regs[c] = was.t === 'ptr' ? { ...was, off: Number(BigInt.asIntN(64, v)) } : scalar(v);
    }
    this.steps += Number(skip) * f.steps;
    // Every traced pc was visited (noteHighs ran there); the skipped values were not.
    for (const [at, mask] of f.varying) {
      for (let k = 0; k < 11; k++) if (mask & (1 << k)) this.highs[at * 11 + k] = -1;
    }
    return false;
  }

  /**
   * Live registers per frame at `pc`: the top frame's from the liveness analysis; a caller's at
   * the pc its callee returns to, minus r0-r5, which the call itself defines.
   */
  private liveMasks(st: State, pc: number): number[] {
    const masks: number[] = [];
    for (let fi = 0; fi < st.frames.length; fi++) {
      if (fi === st.frames.length - 1) masks.push(this.s.liveIn[pc]!);
      else masks.push((this.s.liveIn[st.frames[fi + 1]!.ret]! & ~0b111111) | (1 << 10));
    }
    return masks;
  }

  // ---- registers ----

  private frame(st: State): Frame {
    return st.frames[st.frames.length - 1]!;
  }

  private read(st: State, pc: number, r: number): Reg {
    const v = this.frame(st).regs[r]!;
    if (v.t === 'uninit') this.fail('uninit-reg', pc, `R${r} !read_ok: register r${r} is read before it is written on this path`);
    return v;
  }

  private set(st: State, r: number, v: Reg): void {
    this.frame(st).regs[r] = v;
  }

  private mapOf(pc: number, id: number): BpfMap {
    const m = this.hook.maps?.(id);
    if (m === undefined) this.fail('bad-map', pc, `map id ${id} does not exist`);
    return m!;
  }

  // ---- memory ----

  /**
   * Checks an access of `size` bytes at `base + off`; for loads returns the value read, for
   * stores records it (`value`: the register stored, or a scalar for st/atomics).
   */
  private access(st: State, pc: number, baseReg: number, off: number, size: number, write: boolean, value?: Reg, atomic = false): Reg {
    const base = this.read(st, pc, baseReg);
    const what = write ? 'write' : 'read';
    if (base.t === 'scalar') this.fail('bad-mem', pc, `invalid mem access 'scalar': r${baseReg} is not a pointer`);
    if (base.t !== 'ptr') throw new Error('unreachable: read() refuses uninit');
    if (base.nullable) this.fail('null-deref', pc, `invalid mem access '${describeReg(base)}': r${baseReg} may be NULL, compare it with 0 first`);
    const a = base.off === null ? null : base.off + off;
    if (base.p !== 'ctx') this.noteAccess(pc, 'mem');
    if (base.p !== 'stack' && base.p !== 'pkt' && base.p !== 'ctx') this.noteProven(pc, null);
    switch (base.p) {
      case 'stack': {
        const f = st.frames[base.ref]!;
        // Reaching the checks below means a known offset inside the frame (atomics stay checked).
        this.noteProven(pc, a === null || atomic ? null : 'stack');
        if (a === null) return this.stackVarAccess(st, pc, base, off, size, write, value);
        // Like the kernel (whatever the CPU allows), stack accesses must be aligned to their
        // size: its spill/fill tracking, like ours, works on naturally aligned slots.
        if (size > 1 && a % size !== 0) this.fail('misaligned', pc, `misaligned stack access: off ${a} size ${size} (stack accesses must be aligned to their size)`);
        if (a < -STACK || a + size > 0) this.fail('stack-bounds', pc, `invalid ${what} of stack: off ${a} size ${size} is outside the ${STACK}-byte frame`);
        this.fnDepth[this.s.funcOf[f.fn]!] = Math.max(this.fnDepth[this.s.funcOf[f.fn]!]!, -a);
        const lo = STACK + a;
        const slot = lo >> 3;
        if (write && value !== undefined && value.t === 'ptr' && value.p === 'stack' && value.ref > base.ref)
          this.fail('stack-escape', pc, "a pointer to a function's stack may not be stored in its caller's stack");
        if (write && !atomic) {
          stackW(f);
          for (let k = lo >> 3; k <= (lo + size - 1) >> 3; k++) f.spills[k] = undefined;
          // 2 marks bytes known to be zero (the kernel's STACK_ZERO), 1 any other written byte.
          f.init.fill(value !== undefined && value.t === 'scalar' && value.v === 0n ? 2 : 1, lo, lo + size);
          if (size === 8 && (lo & 7) === 0 && value !== undefined && value.t !== 'uninit') f.spills[slot] = value;
          return UNKNOWN;
        }
        for (let k = lo; k < lo + size && !this.hook.uninitStackReads; k++) {
          if (!f.init[k]) this.fail('stack-uninit', pc, `invalid read from stack: off ${a} size ${size}, byte at off ${k - STACK} was never written on this path`);
        }
        const sp = f.spills[slot];
        if (atomic) {
          stackW(f).spills[slot] = undefined;
          f.init.fill(1, lo, lo + size);
          return UNKNOWN;
        }
        if (size === 8 && (lo & 7) === 0 && sp !== undefined) return sp;
        return UNKNOWN;
      }
      case 'ctx': {
        if (atomic) this.fail('ctx-access', pc, 'atomic access to the context is not allowed');
        if (a === null) this.fail('ctx-access', pc, 'variable-offset context access is not allowed');
        if (this.hook.entry.kind !== 'ctx') throw new Error('unreachable: only ctx hooks make ctx pointers');
        // The kernel's is_valid_access rules: the access is aligned to its size and lies in one
        // field; pointer fields are loaded whole; other fields are read whole or, where the hook
        // allows narrow reads (__sk_buff, not xdp_md), in aligned parts; stores write a whole
        // writable field, except fields open to any aligned size (__sk_buff.cb).
        const entry = this.hook.entry;
        const fld = a % size === 0 ? entry.fields.find((x) => a! >= x.off && a! + size <= x.off + x.size) : undefined;
        const exact = fld !== undefined && fld.off === a && fld.size === size;
        const sizeOk = fld !== undefined && (exact || fld.anySize === true || (!write && fld.kind === 'scalar' && entry.narrowReads === true));
        if (fld === undefined || !sizeOk || (write && (!fld.write || fld.kind !== 'scalar'))) {
          const why = fld === undefined ? (a % size !== 0 ? ' (misaligned)' : '') : write && !fld.write ? ` (field ${fld.name} is read-only)` : ` (field ${fld.name} must be accessed whole: ${fld.size} bytes)`;
          this.fail('ctx-access', pc, `invalid ${this.hook.name} context ${what}: off ${a} size ${size}${why}`);
        }
        this.noteAccess(pc, fld!.name);
        this.ctxAccess.set(pc, fld!);
        // Loads only: whether the context may be written is the run's choice.
        this.noteProven(pc, write ? null : 'ctx');
        if (write) return UNKNOWN;
        switch (fld!.kind) {
          case 'pkt': return ptr('pkt', 0);
          case 'pkt_end': return ptr('pkt_end', 0);
          case 'pkt_meta': return ptr('pkt_meta', 0);
          default: return UNKNOWN;
        }
      }
      case 'pkt': {
        if (atomic) this.fail('pkt-access', pc, 'atomic access to packet data is not allowed');
        if (a !== null && (a < 0 || a + size > st.pktRange))
          this.fail('pkt-access', pc, `invalid access to packet: off ${a} size ${size}, proven range is ${st.pktRange} bytes (compare a packet pointer with data_end first)`);
        // A variable offset is proven by its id's range (see Reg in ./state.ts): the access lies
        // in [base, base + prange) of the id and never before the packet's start.
        const varProven = a === null && base.id < 0 && base.fix !== undefined && base.vlo !== undefined &&
          base.fix + off >= 0 && base.fix + off + size <= (base.prange ?? 0) && base.vlo + off >= 0;
        // Loads only: whether the packet may be written is the run's choice (checked at run time).
        this.noteProven(pc, (a === null && !varProven) || write ? null : 'pkt');
        return UNKNOWN;
      }
      case 'map_value':
      case 'alloc': {
        if (write && base.readonly) this.fail('readonly-map', pc, `write into read-only map ${base.ref}`);
        // Plain loads and stores may be misaligned (the kernel allows it where the CPU does, as on
        // x86 and arm64); atomics never may.
        if (atomic && a !== null && size > 1 && a % size !== 0)
          this.fail('misaligned', pc, `misaligned atomic access to ${base.p === 'alloc' ? 'ring-buffer record' : 'map value'}: off ${a} size ${size}`);
        if (a !== null && base.size >= 0 && (a < 0 || a + size > base.size))
          this.fail('value-bounds', pc, `invalid access to ${base.p === 'alloc' ? 'ring-buffer record' : 'map value'}: off ${a} size ${size}, value size ${base.size}`);
        return UNKNOWN;
      }
      case 'mem':
        return !write && size === 8 && this.hook.memHoldsPointers ? ptr('any', null) : UNKNOWN;
      case 'pkt_meta':
      case 'any':
        return UNKNOWN;
      default:
        this.fail('bad-mem', pc, `invalid mem access '${describeReg(base)}'`);
    }
  }

  /**
   * A stack access through a pointer with a variable offset, the kernel's way: the offset's range
   * must be known, every byte it may touch must lie inside the frame the pointer belongs to (a
   * callee can never reach its caller's frame through its own r10, nor the other way round), and
   * the access must be aligned to its size whatever the offset (its known low zero bits). A write
   * marks every byte of the range written and forgets the spills it may overwrite; a read needs
   * every byte of the range written. Without a known range (budget-mode widening only) the
   * access is left to the run-time check of the whole stack region, so a write forgets the
   * spills of every frame it might reach — this one and all its callers'.
   */
  private stackVarAccess(st: State, pc: number, base: Extract<Reg, { t: 'ptr' }>, off: number, size: number, write: boolean, value?: Reg): Reg {
    const what = write ? 'write' : 'read';
    if (base.vlo === undefined || base.vhi === undefined) {
      if (this.policy !== 'budget')
        this.fail('stack-bounds', pc, `invalid unbounded variable-offset ${what} of stack: bound the offset so the access stays in its frame`);
      if (write) {
        for (let k = 0; k <= base.ref; k++) {
          stackW(st.frames[k]!).init.fill(1);
          st.frames[k]!.spills.fill(undefined);
        }
      }
      return UNKNOWN;
    }
    const f = st.frames[base.ref]!;
    const lo = base.vlo + off;
    const hi = base.vhi + off;
    const tz = Math.min(base.vtz ?? 0, numTz(off));
    if (size > 1 && tz < Math.log2(size))
      this.fail('misaligned', pc, `misaligned variable-offset stack access: off [${lo}, ${hi}] size ${size} (the offset is not known to be a multiple of ${size})`);
    if (lo < -STACK || hi + size > 0)
      this.fail('stack-bounds', pc, `invalid variable-offset ${what} of stack: off [${lo}, ${hi}] size ${size} reaches outside the ${STACK}-byte frame`);
    this.fnDepth[this.s.funcOf[f.fn]!] = Math.max(this.fnDepth[this.s.funcOf[f.fn]!]!, -lo);
    const b0 = STACK + lo;
    const b1 = STACK + hi + size; // exclusive
    if (write) {
      if (value !== undefined && value.t === 'ptr' && value.p === 'stack' && value.ref > base.ref)
        this.fail('stack-escape', pc, "a pointer to a function's stack may not be stored in its caller's stack");
      stackW(f);
      for (let k = b0 >> 3; k <= (b1 - 1) >> 3; k++) f.spills[k] = undefined;
      for (let k = b0; k < b1; k++) if (f.init[k] !== 1) f.init[k] = value !== undefined && value.t === 'scalar' && value.v === 0n && f.init[k] === 2 ? 2 : 1;
      return UNKNOWN;
    }
    for (let k = b0; k < b1 && !this.hook.uninitStackReads; k++) {
      if (!f.init[k]) this.fail('stack-uninit', pc, `invalid variable-offset read from stack: off [${lo}, ${hi}] size ${size}, byte at off ${k - STACK} was never written on this path`);
    }
    return UNKNOWN;
  }

  /**
   * One instruction must access the same kind of memory on every path when the context is
   * involved: a context load may be rewritten (ctx-rewrite.ts), which must be right for all paths.
   */
  private noteAccess(pc: number, kind: string): void {
    const prev = this.accessKind.get(pc);
    if (prev === undefined) this.accessKind.set(pc, kind);
    else if (prev !== kind) this.fail('ctx-access', pc, `the same instruction accesses ${prev === 'mem' ? 'memory' : `context field ${prev}`} on one path and ${kind === 'mem' ? 'memory' : `context field ${kind}`} on another`);
  }

  /**
   * The constant stored in `size` (≤ 8) stack bytes that register r points to, when the verifier
   * knows it: all bytes written as zero, or the bytes lie in an 8-byte spill of a known scalar.
   */
  private stackConst(st: State, r: number, size: number): bigint | null {
    const p = this.frame(st).regs[r]!;
    if (p.t !== 'ptr' || p.p !== 'stack' || p.off === null || p.off < -STACK || p.off + size > 0) return null;
    const f = st.frames[p.ref]!;
    const lo = STACK + p.off;
    let zero = true;
    for (let k = lo; k < lo + size; k++) if (f.init[k] !== 2) zero = false;
    if (zero) return 0n;
    const sp = f.spills[lo >> 3];
    if (sp === undefined || sp.t !== 'scalar' || sp.v === null || (lo & 7) + size > 8) return null;
    return (sp.v >> BigInt((lo & 7) * 8)) & ((1n << BigInt(size * 8)) - 1n);
  }

  /** Checks `size` bytes at pointer register `r` are readable (helper memory arguments). */
  private checkMemArg(st: State, pc: number, r: number, size: number | null, what: string): void {
    const v = this.read(st, pc, r);
    if (v.t !== 'ptr' || v.p === 'map' || v.p === 'pkt_end' || v.p === 'func' || v.p === 'ctx')
      this.fail('helper-arg', pc, `R${r} type=${describeReg(v)}, expected a pointer to ${what}`);
    if (size === null) {
      if (v.t === 'ptr' && v.p === 'stack') this.fail('helper-arg', pc, `R${r} unbounded memory access: the size of ${what} on the stack must be a known constant`);
      return;
    }
    if (size === 0) return;
    if (v.p === 'stack' && v.off !== null && size > 1 && v.off % size !== 0) {
      // Helper memory on the stack is checked byte by byte, as the kernel does (bounds and
      // initialisation, no alignment): a 16-byte value at fp-24 is fine although it is not one
      // naturally aligned 16-byte access.
      if (v.off < -STACK || v.off + size > 0)
        this.fail('stack-bounds', pc, `invalid read of stack: ${what} at off ${v.off} size ${size} is outside the ${STACK}-byte frame`);
      const f = st.frames[v.ref]!;
      for (let k = 0; k < size && !this.hook.uninitStackReads; k++) {
        if (!f.init[STACK + v.off + k]) this.fail('stack-uninit', pc, `invalid read from stack: ${what} at off ${v.off} size ${size}, byte at off ${v.off + k} was never written on this path`);
      }
      for (let k = 0; k < size; k++) this.access(st, pc, r, k, 1, false);
      return;
    }
    this.access(st, pc, r, 0, size, false);
  }

  /**
   * The size argument of a helper memory pair (argument index `k`, 0-based, is the `size` that
   * follows the memory pointer), checked as the kernel's check_mem_size_reg: a scalar that is
   * never negative as a signed number, not 0 unless the prototype allows it, and below 2^29.
   * Returns its largest value (the helper may use that many bytes), or null when the prototype
   * has no size there (then the memory check needs a known size elsewhere).
   */
  private sizeArg(st: State, pc: number, h: HelperSpec, k: number): number | null {
    const arg = h.args[k];
    if (arg === undefined || arg.type !== 'size') return null;
    const r = k + 1;
    const v = this.read(st, pc, r);
    if (v.t !== 'scalar') this.fail('helper-arg', pc, `${h.name} arg${r}: R${r} type=${describeReg(v)}, expected a scalar size`);
    const sz = v as Extract<Reg, { t: 'scalar' }>;
    if (sz.hi >= 1n << 63n) this.fail('helper-arg', pc, `${h.name} arg${r}: R${r} min value is negative, either use unsigned or 'var &= const'`);
    if (sz.lo === 0n && arg.zero !== true) this.fail('helper-arg', pc, `${h.name} arg${r}: R${r} invalid zero-sized read (the size may be 0)`);
    if (sz.hi >= MAX_VAR_SIZE) this.fail('helper-arg', pc, `${h.name} arg${r}: R${r} unbounded memory access, use 'var &= const' or 'if (var < const)' (size up to ${sz.hi})`);
    return Number(sz.hi);
  }

  /**
   * A pointer to memory the helper writes (the kernel's ARG_PTR_TO_UNINIT_MEM), `n` bytes (the
   * size's largest value): the stack (inside the frame; initialised or not when the size is a
   * known constant and the offset too — otherwise, as the kernel, every byte it may write must
   * already be initialised), a writable map value or a ring-buffer record in bounds; the
   * context, map pointers, data_end and numbers are refused. Conformance/runtime memory is
   * checked at run time.
   */
  private checkUninitMemArg(st: State, pc: number, r: number, n: number, constSize: boolean, what: string): void {
    const v = this.read(st, pc, r);
    if (v.t !== 'ptr' || (v.p !== 'stack' && v.p !== 'map_value' && v.p !== 'alloc' && v.p !== 'pkt' && v.p !== 'mem' && v.p !== 'any'))
      this.fail('helper-arg', pc, `${what}: R${r} type=${describeReg(v)}, expected a pointer to the stack, a map value or a ring-buffer record the helper can write`);
    const p = v as Extract<Reg, { t: 'ptr' }>;
    if (p.p === 'stack' && p.off !== null && constSize) {
      if (p.off < -STACK || p.off + n > 0)
        this.fail('stack-bounds', pc, `invalid write of stack: ${what} at off ${p.off} size ${n} is outside the ${STACK}-byte frame`);
      return;
    }
    // Not a plain stack window: the memory must be readable (the kernel then drops raw mode for
    // the stack) and writable, at every byte the helper may touch.
    if (p.p === 'stack') this.checkMemArg(st, pc, r, n, 'memory');
    for (let k = 0; k < n && p.p !== 'stack'; k++) this.access(st, pc, r, k, 1, true, UNKNOWN);
  }

  // ---- instructions ----

  /** Executes the instruction at pc; returns the next pc, or -1 when this path ends. */
  private step(pc: number, st: State, hist: Hist | undefined): number {
    const i = this.s.at[pc]!;
    this.noteHighs(pc, st);
    switch (i.kind) {
      case 'alu': return this.alu(pc, st, i), pc + 1;
      case 'end': {
        const v = this.read(st, pc, i.dst);
        if (v.t === 'ptr' && v.p !== 'any') this.fail('ptr-arith', pc, `byte swap of pointer r${i.dst} prohibited`);
        this.set(st, i.dst, v.t === 'scalar' && v.v !== null ? scalar(foldEnd(i.order, i.width, v.v)) : widthRange(i.width / 8));
        return pc + 1;
      }
      case 'ldx': {
        const v = this.access(st, pc, i.src, i.off, Sizes[i.size].bytes, false);
        // An unsigned load of n bytes is below 2^(8n) whatever was stored.
        const narrow = v.t === 'scalar' && v.v === null && v.hi === UNKNOWN_HI && Sizes[i.size].bytes < 8;
        this.set(st, i.dst, i.signed ? UNKNOWN : narrow ? widthRange(Sizes[i.size].bytes) : v);
        return pc + 1;
      }
      case 'st': {
        this.access(st, pc, i.dst, i.off, Sizes[i.size].bytes, true, scalar(BigInt(i.imm)));
        return pc + 1;
      }
      case 'stx': {
        const v = this.read(st, pc, i.src);
        this.access(st, pc, i.dst, i.off, Sizes[i.size].bytes, true, v);
        return pc + 1;
      }
      case 'atomic': {
        const v = this.read(st, pc, i.src);
        if (v.t === 'ptr' && v.p !== 'any') this.fail('ptr-leak', pc, `atomic operand r${i.src} is a pointer`);
        if (i.op === 'cmpxchg') this.read(st, pc, 0);
        this.access(st, pc, i.dst, i.off, Sizes[i.size].bytes, false, undefined, true);
        this.access(st, pc, i.dst, i.off, Sizes[i.size].bytes, true, UNKNOWN, true);
        if (i.op === 'cmpxchg') this.set(st, 0, UNKNOWN);
        else if (i.fetch) this.set(st, i.src, UNKNOWN);
        return pc + 1;
      }
      case 'lddw': {
        this.set(st, i.dst, this.lddw(pc, i));
        return pc + 2;
      }
      case 'ldabs':
      case 'ldind': {
        // Kernel hooks find the packet through the skb in r6; with a memory entry (runtimeHook)
        // the packet is the run's own input and needs no register.
        const r6 = this.frame(st).regs[6]!;
        if (this.hook.entry.kind === 'ctx' && (r6.t !== 'ptr' || r6.p !== 'ctx' || r6.off !== 0)) this.fail('ld-abs', pc, 'legacy packet loads need r6 = ctx');
        if (i.kind === 'ldind') {
          const x = this.read(st, pc, i.src);
          if (x.t !== 'scalar') this.fail('ld-abs', pc, `R${i.src} must be a scalar offset`);
        }
        this.clobberCallerSaved(st);
        this.set(st, 0, widthRange(Sizes[i.size].bytes));
        return pc + 1;
      }
      case 'ja': return pc + 1 + i.off;
      case 'gotol': return pc + 1 + i.imm;
      case 'jmp': return this.jmp(pc, st, hist, i);
      case 'call':
        if (i.call === 'local') {
          if (st.frames.length >= MAX_CALL_FRAMES) this.fail('call-depth', pc, `call stack too deep: more than ${MAX_CALL_FRAMES} frames`);
          const target = pc + 1 + i.imm;
          const caller = this.frame(st);
          const callee = newFrame(target, pc + 1);
          for (let r = 1; r <= 5; r++) callee.regs[r] = caller.regs[r]!;
          callee.regs[10] = ptr('stack', 0, { ref: st.frames.length });
          st.frames.push(callee);
          return target;
        }
        this.helperCall(pc, st, i.imm);
        return pc + 1;
      case 'callx': {
        this.read(st, pc, i.dst);
        this.clobberCallerSaved(st);
        this.set(st, 0, UNKNOWN);
        return pc + 1;
      }
      case 'exit': return this.exit(pc, st);
      case 'raw': this.fail('invalid-insn', pc, 'invalid instruction');
    }
  }

  private clobberCallerSaved(st: State): void {
    const f = this.frame(st);
    for (let r = 1; r <= 5; r++) f.regs[r] = UNINIT;
  }

  private lddw(pc: number, i: Extract<EbpfInsn, { kind: 'lddw' }>): Reg {
    switch (i.lddw) {
      case 'imm64': return scalar(lddwValue(i));
      case 'map_fd': {
        if (this.hook.untypedMaps && this.hook.maps === undefined) return ptr('map', 0, { ref: i.imm });
        this.mapOf(pc, i.imm);
        this.mapsUsed.add(i.imm);
        return ptr('map', 0, { ref: i.imm });
      }
      case 'map_value': {
        if (this.hook.untypedMaps && this.hook.maps === undefined) return ptr('map_value', i.imm2, { ref: i.imm });
        const m = this.mapOf(pc, i.imm);
        this.mapsUsed.add(i.imm);
        if (m.kind !== 'array') this.fail('bad-map', pc, `direct value access needs an array map, map ${i.imm} is a ${m.kind} map`);
        if (i.imm2 < 0 || i.imm2 >= m.valueSize) this.fail('value-bounds', pc, `offset ${i.imm2} is outside the ${m.valueSize}-byte value of map ${i.imm}`);
        return ptr('map_value', i.imm2, { ref: i.imm, size: m.valueSize, readonly: (m.flags & BPF_F_RDONLY_PROG) !== 0 });
      }
      case 'func': return ptr('func', 0, { ref: pc + 1 + i.imm });
      default:
        // Other map references (by index, variable addresses) the engine resolves at load time.
        if (this.hook.untypedMaps) return ptr('any', null);
        this.fail('lddw', pc, `lddw of kind ${i.lddw} is not supported`);
    }
  }

  private alu(pc: number, st: State, i: Extract<EbpfInsn, { kind: 'alu' }>): void {
    const isMov = i.op === 'mov' || i.op.startsWith('movsx');
    const dst = isMov ? UNINIT : this.read(st, pc, i.dst);
    const src: Reg = 'src' in i ? this.read(st, pc, i.src) : scalar(BigInt(i.imm)); // imm sign-extended to 64 bits
    if (i.op === 'mov') {
      if (i.wide) return this.set(st, i.dst, src);
      return this.set(st, i.dst, src.t === 'scalar' ? withTz(aluRange('mov', false, src, src), Math.min(32, scalarTz(src))) : widthRange(4));
    }
    if (dst.t === 'ptr' || src.t === 'ptr') return this.set(st, i.dst, this.pointerArith(pc, st, i, dst, src));
    // x ^= x and x -= x are 0 whatever x is.
    if ('src' in i && i.src === i.dst && (i.op === 'xor' || i.op === 'sub')) return this.set(st, i.dst, scalar(0n));
    const a = dst.t === 'scalar' ? dst : UNKNOWN;
    this.set(st, i.dst, withTz(aluRange(i.op, i.wide, a, src as Scalar), aluTz(i.op, i.wide, a, src as Scalar)));
  }

  private pointerArith(pc: number, st: State, i: Extract<EbpfInsn, { kind: 'alu' }>, dst: Reg, src: Reg): Reg {
    if (i.op.startsWith('movsx')) return UNKNOWN;
    // Values of unknown kind (budget-mode joins, untyped helper results, host-written memory) may
    // be numbers: arithmetic between them and numbers is allowed. 32-bit results are numbers;
    // a 64-bit sum or difference may still be a pointer (checked at run time if dereferenced).
    const isAny = (r: Reg) => r.t === 'ptr' && r.p === 'any';
    const isTyped = (r: Reg) => r.t === 'ptr' && r.p !== 'any';
    if ((isAny(dst) || isAny(src)) && !isTyped(dst) && !isTyped(src)) {
      if (i.wide && (i.op === 'add' || i.op === 'sub')) return ptr('any', null);
      // Any other operation yields a number whatever the operands were (x & 0x18 is in [0, 0x18]).
      const asScalar = (r: Reg): Scalar => (r.t === 'scalar' ? r : UNKNOWN);
      return withTz(aluRange(i.op, i.wide, asScalar(dst), asScalar(src)), aluTz(i.op, i.wide, asScalar(dst), asScalar(src)));
    }
    if (!i.wide) this.fail('ptr-arith', pc, `32-bit arithmetic on pointer r${dst.t === 'ptr' ? i.dst : (i as { src: number }).src} prohibited`);
    if (i.op === 'sub' && dst.t === 'ptr' && src.t === 'ptr') {
      if (dst.p !== src.p && !(dst.p === 'pkt_end' && src.p === 'pkt') && !(dst.p === 'pkt' && src.p === 'pkt_end') && dst.p !== 'any' && src.p !== 'any')
        this.fail('ptr-arith', pc, `subtraction of ${describeReg(src)} from ${describeReg(dst)} prohibited`);
      if (dst.p === src.p && dst.ref === src.ref && dst.off !== null && src.off !== null && dst.p !== 'any') return scalar(BigInt(dst.off - src.off));
      return UNKNOWN;
    }
    if (i.op !== 'add' && i.op !== 'sub') {
      const which = dst.t === 'ptr' ? dst : src;
      if (which.t === 'ptr' && which.p === 'any') return UNKNOWN;
      this.fail('ptr-arith', pc, `${i.op} on pointer (${describeReg(which)}) prohibited`);
    }
    if (i.op === 'add' && isTyped(dst) && isTyped(src)) this.fail('ptr-arith', pc, `pointer += pointer prohibited (${describeReg(dst)} + ${describeReg(src)})`);
    // pointer ± scalar (or scalar + pointer)
    const p = (dst.t === 'ptr' ? dst : src) as Extract<Reg, { t: 'ptr' }>;
    const k = dst.t === 'ptr' ? src : dst;
    if (i.op === 'sub' && dst.t !== 'ptr') this.fail('ptr-arith', pc, 'subtracting a pointer from a scalar is prohibited');
    if (p.nullable) this.fail('ptr-arith', pc, `arithmetic on ${describeReg(p)} prohibited: compare it with 0 first`);
    if (p.p === 'map' || p.p === 'pkt_end' || p.p === 'func') this.fail('ptr-arith', pc, `arithmetic on ${describeReg(p)} prohibited`);
    const delta = k.t === 'scalar' && k.v !== null ? BigInt.asIntN(64, k.v) : null;
    if (p.p === 'ctx' && delta === null) this.fail('ptr-arith', pc, 'variable-offset context pointer prohibited');
    // The kernel's sanity rule for pointer arithmetic (check_reg_sane_offset): the scalar must
    // have a known signed minimum, and it and any constant must stay within ±2^29.
    const sr = k.t === 'scalar' ? signedRange(k) : null;
    if (p.p !== 'mem' && p.p !== 'any' && k.t === 'scalar') {
      // The pointer's name only when refusing (describeReg costs more than the checks).
      const name = () => describeReg({ ...p, off: 0, vlo: undefined });
      if (delta !== null && (delta >= MAX_VAR_OFF || delta <= -MAX_VAR_OFF))
        this.fail('ptr-arith', pc, `value ${delta} makes ${name()} pointer be out of bounds`);
      if (sr === null) this.fail('ptr-arith', pc, `math between ${name()} pointer and register with unbounded min value is not allowed (bound the scalar first)`);
      if (sr![0] >= MAX_VAR_OFF || sr![0] <= -MAX_VAR_OFF) this.fail('ptr-arith', pc, `value ${sr![0]} makes ${name()} pointer be out of bounds`);
    }
    // The common case (a constant offset plus a constant, as in `pkt + 14`): plain numbers, and a
    // result of the same shape as ptr()'s (what the general path returns when lo = hi).
    if (p.off !== null && delta !== null && delta > -MAX_VAR_OFF && delta < MAX_VAR_OFF) {
      const off = p.off + (i.op === 'add' ? Number(delta) : -Number(delta));
      if (off >= -(2 ** 40) && off <= 2 ** 40) return { t: 'ptr', p: p.p, off, ref: p.ref, size: p.size, nullable: p.nullable, id: 0, readonly: p.readonly };
    }
    const base: [bigint, bigint, number] | null = p.off !== null ? [BigInt(p.off), BigInt(p.off), 0]
      : p.vlo !== undefined ? [BigInt(p.vlo), BigInt(p.vhi!), p.vtz ?? 0] : null;
    const none = { fix: undefined, prange: undefined };
    if (base === null || sr === null || k.t !== 'scalar') return { ...p, off: null, vlo: undefined, vhi: undefined, vtz: undefined, id: 0, ...none };
    const [lo, hi] = i.op === 'add' ? [base[0] + sr[0], base[1] + sr[1]] : [base[0] - sr[1], base[1] - sr[0]];
    const LIM = 1n << 40n;
    if (lo < -LIM || hi > LIM) return { ...p, off: null, vlo: undefined, vhi: undefined, vtz: undefined, id: 0, ...none };
    if (lo === hi) return { ...p, off: Number(lo), vlo: undefined, vhi: undefined, vtz: undefined, id: 0, ...none };
    const baseTz = p.off !== null ? numTz(p.off) : base[2];
    const v = { ...p, off: null, vlo: Number(lo), vhi: Number(hi), vtz: Math.min(baseTz, scalarTz(k)), id: 0, ...none };
    if (p.p !== 'pkt') return v;
    // Packet pointers with a variable offset carry an id (see Reg in ./state.ts): a constant
    // step keeps it, a variable one starts a new id at this pc (older pointers of that id forget it).
    if (p.off === null && p.id < 0 && p.fix !== undefined && delta !== null) {
      return { ...v, id: p.id, fix: p.fix + Number(i.op === 'add' ? delta : -delta), prange: p.prange };
    }
    const id = -(pc + 1);
    this.forgetPktId(st, id);
    return { ...v, id, fix: 0, prange: 0 };
  }

  /** Drops the id (and the range it carries) of every packet pointer holding `id`. */
  private forgetPktId(st: State, id: number): void {
    const drop = (v: Reg): Reg => (v.t === 'ptr' && v.p === 'pkt' && v.id === id ? { ...v, id: 0, fix: undefined, prange: undefined } : v);
    for (const f of st.frames) {
      for (let r = 0; r < f.regs.length; r++) f.regs[r] = drop(f.regs[r]!);
      for (let k = 0; k < f.spills.length; k++) {
        const x = f.spills[k];
        if (x === undefined) continue;
        const y = drop(x);
        if (y !== x) stackW(f).spills[k] = y;
      }
    }
  }

  /** `ptr` (a variable packet pointer) ≤ data_end: every pointer of its id gets range ≥ ptr.fix. */
  private provePktId(st: State, id: number, fix: number): void {
    const grow = (v: Reg): Reg => (v.t === 'ptr' && v.p === 'pkt' && v.id === id && v.fix !== undefined && (v.prange ?? 0) < fix ? { ...v, prange: Math.min(fix, 0xffff) } : v);
    for (const f of st.frames) {
      for (let r = 0; r < f.regs.length; r++) f.regs[r] = grow(f.regs[r]!);
      for (let k = 0; k < f.spills.length; k++) {
        const x = f.spills[k];
        if (x === undefined) continue;
        const y = grow(x);
        if (y !== x) stackW(f).spills[k] = y;
      }
    }
  }

  private jmp(pc: number, st: State, hist: Hist | undefined, i: Extract<EbpfInsn, { kind: 'jmp' }>): number {
    const a = this.read(st, pc, i.dst);
    const b: Reg = 'src' in i ? this.read(st, pc, i.src) : this.immOf(i);
    const target = pc + 1 + i.off;
    const fall = pc + 1;
    // Both known scalars: only one way is possible.
    if (a.t === 'scalar' && b.t === 'scalar' && a.v !== null && b.v !== null) return evalJmp(i.op, i.wide, a.v, b.v) ? target : fall;
    const taken = cloneState(st);
    const canTake = this.refine(taken, i, true);
    const canFall = this.refine(st, i, false);
    if (canTake && canFall) {
      const tr = this.trace;
      if (tr === undefined) this.work.push(this.s.loopHeads.size > 0 ? { pc: target, st: taken, hist, tries: this.tries } : { pc: target, st: taken, hist });
      else {
        // Recording a loop iteration: both sides carry it (see walk).
        tr.forks.push(tr.pcs.length - 1);
        this.work.push({ pc: target, st: taken, hist, trace: tr, len: tr.pcs.length, tries: this.tries });
      }
      return fall;
    }
    if (canFall) return fall;
    if (!canTake) return -1; // neither side is possible: this path itself is dead
    // Only the jump is possible (ranges prove the fall-through dead): continue on that side.
    st.frames = taken.frames;
    st.pktRange = taken.pktRange;
    st.refs = taken.refs;
    return target;
  }

  /** The immediate of a jump as a scalar: sign-extended for JMP, the 32-bit pattern for JMP32. */
  private immOf(i: Extract<EbpfInsn, { kind: 'jmp' }>): Reg {
    return scalar('imm' in i ? (i.wide ? BigInt(i.imm) : BigInt(i.imm >>> 0)) : 0n);
  }

  /**
   * Narrows `st` with the knowledge that the condition of `i` is `outcome`; returns false when
   * that outcome is impossible (the ranges of the operands exclude it).
   */
  private refine(st: State, i: Extract<EbpfInsn, { kind: 'jmp' }>, outcome: boolean): boolean {
    const f = this.frame(st);
    const a = f.regs[i.dst]!;
    const b: Reg = 'src' in i ? f.regs[i.src]! : this.immOf(i);
    // Scalar against scalar: interval narrowing (and dead-branch detection).
    if (a.t === 'scalar' && b.t === 'scalar') {
      if ('src' in i && i.src === i.dst) return true;
      const r = outcome ? refineRanges(i.op, i.wide, a, b) : refineRangesFalse(i.op, i.wide, a, b);
      if (r === undefined) return false;
      // A narrowed value keeps its known low zero bits (every value of the subset has them).
      f.regs[i.dst] = withTz(r[0], scalarTz(a));
      if ('src' in i) f.regs[i.src] = withTz(r[1], scalarTz(b));
      return true;
    }
    const op = outcome ? i.op : JMP_INVERSE[i.op];
    if (op === undefined) return true;
    // NULL checks: ptr_or_null ==/!= 0.
    const nullCheck = (p: Reg, z: Reg) => p.t === 'ptr' && p.nullable && p.id !== 0 && z.t === 'scalar' && z.v === 0n;
    if ((op === 'jeq' || op === 'jne') && i.wide && (nullCheck(a, b) || nullCheck(b, a))) {
      const p = (nullCheck(a, b) ? a : b) as Extract<Reg, { t: 'ptr' }>;
      const isNull = op === 'jeq';
      if (isNull) st.refs.delete(p.id);
      this.rewriteId(st, p.id, isNull ? scalar(0n) : { ...p, nullable: false });
      return true;
    }
    // Packet range: pkt(+off) vs data_end.
    if (i.wide && a.t === 'ptr' && b.t === 'ptr') {
      let proven: number | null = null;
      if (a.p === 'pkt' && b.p === 'pkt_end' && a.off !== null && (op === 'jle' || op === 'jlt')) proven = a.off;
      if (a.p === 'pkt_end' && b.p === 'pkt' && b.off !== null && (op === 'jge' || op === 'jgt')) proven = b.off;
      if (proven !== null && proven > st.pktRange) st.pktRange = Math.min(proven, 0xffff);
      // A variable-offset packet pointer: the range belongs to its id.
      const varPkt = (r: Reg) => r.t === 'ptr' && r.p === 'pkt' && r.off === null && r.id < 0 && r.fix !== undefined && r.fix > 0;
      if (varPkt(a) && b.p === 'pkt_end' && (op === 'jle' || op === 'jlt')) this.provePktId(st, a.id, a.fix!);
      if (a.p === 'pkt_end' && varPkt(b) && (op === 'jge' || op === 'jgt')) this.provePktId(st, b.id, b.fix!);
      return true;
    }
    return true;
  }

  /** Replaces every register and spill carrying pointer identity `id`, in every frame. */
  private rewriteId(st: State, id: number, to: Reg): void {
    for (const f of st.frames) {
      for (let r = 0; r < f.regs.length; r++) {
        const v = f.regs[r]!;
        if (v.t === 'ptr' && v.id === id) f.regs[r] = to.t === 'ptr' ? { ...v, nullable: false } : to;
      }
      for (let k = 0; k < f.spills.length; k++) {
        const v = f.spills[k];
        if (v !== undefined && v.t === 'ptr' && v.id === id) stackW(f).spills[k] = to.t === 'ptr' ? { ...v, nullable: false } : to;
      }
    }
  }

  private helperCall(pc: number, st: State, id: number): void {
    if (this.hook.untypedHelpers) {
      // Types unknown: nothing to check; the result may be a number or a pointer. The helper may
      // write through any stack pointer it gets: that frame becomes initialised and its spilled
      // values of unknown kind.
      for (let r = 1; r <= 5; r++) {
        const v = this.frame(st).regs[r]!;
        if (v.t !== 'ptr' || v.p !== 'stack') continue;
        // The run-time check lets it reach up to the top of the stack region: this frame and
        // every caller's frame above it.
        for (let fi = 0; fi <= v.ref; fi++) {
          const f = st.frames[fi]!;
          stackW(f).init.fill(1);
          for (let k = 0; k < f.spills.length; k++) if (f.spills[k] !== undefined) f.spills[k] = ptr('any', null);
        }
      }
      this.clobberCallerSaved(st);
      this.set(st, 0, ptr('any', null));
      return;
    }
    const h = this.table.get(id)!;
    const f = this.frame(st);
    let map: BpfMap | undefined;
    let allocSize = -1;
    let keyConst: bigint | null = null;
    // Memory the helper writes (uninit_mem): marked written once every argument is checked.
    const helperWrites: { r: number; n: number }[] = [];
    h.args.forEach((arg, k) => {
      const r = k + 1;
      const v = this.read(st, pc, r);
      const bad = (want: string): never => this.fail('helper-arg', pc, `${h.name} arg${r}: R${r} type=${describeReg(v)}, expected ${want}`);
      switch (arg.type) {
        case 'map': {
          if (v.t !== 'ptr' || v.p !== 'map') bad('a map pointer');
          map = this.hook.maps?.((v as { ref: number }).ref);
          if (arg.kind !== undefined && map !== undefined && map.kind !== arg.kind) bad(`a ${arg.kind} map (map ${map.id} is ${map.kind})`);
          if (map?.kind === 'prog_array' && id !== 12) bad('a map that programs may access (prog_array maps are for tail_call only)');
          break;
        }
        case 'key':
          if (map !== undefined && map.keySize <= 8) keyConst = this.stackConst(st, r, map.keySize);
          this.checkMemArg(st, pc, r, map === undefined ? null : map.keySize, 'the map key');
          break;
        case 'value':
          this.checkMemArg(st, pc, r, map === undefined ? null : map.valueSize, 'the map value');
          break;
        case 'mem': {
          // A bounded size is checked at its largest value (the helper may use all of it).
          const n = this.sizeArg(st, pc, h, k + 1);
          this.checkMemArg(st, pc, r, n, 'memory');
          break;
        }
        case 'uninit_mem': {
          const n = this.sizeArg(st, pc, h, k + 1)!;
          const sz = f.regs[r + 1] as Extract<Reg, { t: 'scalar' }>;
          this.checkUninitMemArg(st, pc, r, n, sz.v !== null, `${h.name} arg${r}`);
          helperWrites.push({ r, n });
          break;
        }
        case 'size':
          if (v.t !== 'scalar') bad('a scalar size');
          if (h.ret === 'alloc_or_null') {
            if (v.t !== 'scalar' || v.v === null || v.v === 0n || v.v > 0x7fffffffn) bad('a known constant record size');
            allocSize = Number((v as { v: bigint }).v);
          }
          break;
        case 'ctx':
          if (v.t !== 'ptr' || v.p !== 'ctx' || v.off !== 0) bad('the context pointer');
          break;
        case 'alloc': {
          if (v.t !== 'ptr' || v.p !== 'alloc' || v.nullable || v.off !== 0) bad('a ring-buffer record from ringbuf_reserve (checked against NULL)');
          const p = v as Extract<Reg, { t: 'ptr' }>;
          if (!st.refs.has(p.id)) bad('a live ring-buffer record (this one was already released)');
          st.refs.delete(p.id);
          this.rewriteId(st, p.id, UNKNOWN);
          break;
        }
        case 'any':
          break;
      }
    });
    // After the call the bytes the helper wrote are initialised, and spills there are gone (the
    // kernel replays the call's writes as byte stores): byte-wise, so any offset works.
    for (const { r, n } of helperWrites) for (let k = 0; k < n; k++) this.access(st, pc, r, k, 1, true, UNKNOWN);
    if (id === 12 && st.refs.size > 0) this.fail('ref-leak', pc, 'tail_call would leak a ring-buffer record that is neither submitted nor discarded');
    if (h.changesPacket) {
      for (const fr of st.frames) {
        for (let r = 0; r < fr.regs.length; r++) {
          const v = fr.regs[r]!;
          if (v.t === 'ptr' && (v.p === 'pkt' || v.p === 'pkt_end' || v.p === 'pkt_meta')) fr.regs[r] = UNKNOWN;
        }
        for (let k = 0; k < fr.spills.length; k++) {
          const v = fr.spills[k];
          if (v !== undefined && v.t === 'ptr' && (v.p === 'pkt' || v.p === 'pkt_end' || v.p === 'pkt_meta')) stackW(fr).spills[k] = UNKNOWN;
        }
      }
      st.pktRange = 0;
    }
    this.clobberCallerSaved(st);
    switch (h.ret) {
      case 'int':
        this.set(st, 0, UNKNOWN);
        break;
      case 'void':
        this.set(st, 0, UNINIT);
        break;
      case 'map_value_or_null': {
        // An array lookup with a constant in-range key cannot fail (the kernel elides the NULL too).
        if (id === 1 && map !== undefined && (map.kind === 'array' || map.kind === 'percpu_array') && keyConst !== null && keyConst < BigInt(map.maxEntries)) {
          this.set(st, 0, ptr('map_value', 0, { ref: map.id, size: map.valueSize, readonly: (map.flags & BPF_F_RDONLY_PROG) !== 0 }));
          break;
        }
        const nid = this.nextId++;
        this.set(st, 0, map === undefined
          ? ptr('map_value', 0, { nullable: true, id: nid })
          : ptr('map_value', 0, { ref: map.id, size: map.valueSize, nullable: true, id: nid, readonly: (map.flags & BPF_F_RDONLY_PROG) !== 0 }));
        break;
      }
      case 'alloc_or_null': {
        const nid = this.nextId++;
        st.refs.set(nid, pc);
        this.set(st, 0, ptr('alloc', 0, { size: allocSize, nullable: true, id: nid }));
        break;
      }
    }
  }

  private exit(pc: number, st: State): number {
    const f = this.frame(st);
    const r0 = f.regs[0]!;
    if (r0.t === 'uninit') this.fail('uninit-reg', pc, 'R0 !read_ok: r0 is not set on this path at exit');
    if (st.frames.length > 1) {
      if (r0.t === 'ptr' && r0.p === 'stack' && r0.ref === st.frames.length - 1) this.fail('stack-escape', pc, "a function may not return a pointer into its own stack");
      st.frames.pop();
      const caller = this.frame(st);
      for (let r = 1; r <= 5; r++) caller.regs[r] = UNINIT;
      caller.regs[0] = r0;
      return f.ret;
    }
    if (this.hook.returnScalar && r0.t === 'ptr') this.fail('ptr-leak', pc, `R0 leaks a pointer (${describeReg(r0)}) as the return value`);
    for (const [, at] of st.refs) this.fail('ref-leak', pc, `unreleased reference: the ring-buffer record reserved at pc ${at} is neither submitted nor discarded on this path`);
    return -1;
  }
}
