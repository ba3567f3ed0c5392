/**
 * Early verdicts on loops whose abstract walk cannot converge (issue 12).
 *
 * The bounded-loop walk (verify.ts) follows a loop iteration by iteration with constants tracked
 * exactly, as the kernel does. A loop such as `r0 += 2^29 until r0 == 1` repeats no state for
 * 2^35 iterations, so the walk used to spend its whole step limit before refusing. This module
 * looks at one recorded iteration of such a loop and predicts the walk:
 *
 *   1. At a loop head the walker compares the state with the one the same path had at its
 *      previous visit. When they differ only in the exact values of some scalar registers (the
 *      "counters"), the next iteration is recorded: the pcs the path executes and the registers
 *      before each instruction (`LoopTrace`).
 *   2. `analyzeTrace` replays that iteration symbolically. A counter `x` and anything derived
 *      from it by adding or subtracting constants (64-bit, or 32-bit with zero extension) is
 *      affine: `(x + c) mod 2^w`. Everything else must not depend on the counters at all:
 *      memory addresses, stored values, helper calls, calls and exits, and jumps comparing a
 *      counter-derived value with anything but a constant or an invariant range make the
 *      analysis give up (the walk then simply goes on, as before). A pointer at a constant
 *      offset that only constants move is a counter as well (its offset is the value). Every
 *      recorded value is checked against the model.
 *   3. Per iteration each counter moves by a constant D (mod 2^64, or mod 2^32), so the value a
 *      jump compares is an arithmetic progression modulo a power of two, and the first iteration
 *      at which the jump's outcome changes is computed exactly (`firstHit`: a linear congruence,
 *      or a division when the target interval is wider than the stride). Until then the path
 *      repeats the same instructions with the same outcomes.
 *
 * The walker (verify.ts) turns the prediction into a verdict only when it is certain to be the
 * walk's own: "never" (no jump ever changes: the walk would run until its step limit; the state
 * of a path that already entered this orbit would have done the same, so nothing can prune it),
 * or a number of full iterations whose instructions exceed the remaining step budget and whose
 * states at the loop head no explored path has reached (the orbit check in verify.ts). Refusing
 * early changes no verdict: the walk itself would have refused. No program is accepted here.
 */
import type { JmpOp } from '../../isa/ebpf/opcodes.ts';
import type { EbpfInsn } from '../../isa/ebpf/types.ts';
import { aluRange, refineRanges, refineRangesFalse } from './ranges.ts';
import { scalar, scalarTz } from './state.ts';
import type { Reg, Scalar } from './state.ts';

const M64 = 1n << 64n;
const M32 = 1n << 32n;

/** One recorded iteration: pcs executed from the loop head back to it, registers before each. */
export interface LoopTrace {
  head: number;
  /** The state's key with counter values masked (see verify.ts atPrunePoint). */
  masked: string;
  /** Counter registers (top frame) and their values at the start of the iteration. */
  start: readonly (bigint | undefined)[];
  counters: readonly number[];
  steps: number;
  pcs: number[];
  regs: Reg[][];
  depth: number;
  /**
   * Indices into `pcs` of the jumps that forked (the other side was left for later: the walker
   * carries the trace along whichever side it follows, see verify.ts).
   */
  forks: number[];
  /** Set once the iteration was judged (a side path that carried it must not resume it). */
  done?: boolean;
  /**
   * "Bound" registers (top frame): ranged scalars whose bounds differ between the visits of this
   * path while the state is otherwise the same up to constants (`r0 += 504; if r0 < r2 goto l`
   * narrows r2 every time round). Empty for a plain counter loop.
   */
  bounds: readonly number[];
  /** The bound registers' values at the start of the iteration (index = register). */
  rstart: readonly (Scalar | undefined)[];
}

/** What one iteration tells about the walk from here. */
export type LoopForecast =
  | { kind: 'unknown'; why: string }
  | {
      kind: 'repeats';
      /** Full iterations (after the recorded one) that repeat it exactly; null = forever. */
      repeats: bigint | null;
      /** True when `repeats` is exact, false when it is a lower bound. */
      exact: boolean;
      /** Per counter register: its stride per iteration and the modulus it wraps at. */
      strides: Map<number, { d: bigint; m: bigint }>;
      /** Instructions per iteration. */
      steps: number;
      /** The jump whose outcome changes first, if any. */
      exitPc?: number;
      /**
       * True when no instruction of the iteration checks anything that depends on the counters
       * (a pointer meeting a counter-derived value is checked by value): the repeated iterations
       * then check exactly what the recorded one did, and may be skipped.
       */
      pure: boolean;
      /** pc → registers whose value depends on the counters before that instruction. */
      varying: Map<number, number>;
      /** Jumps between a counter and a bound register, in trace order (bound traces only). */
      bjumps: BoundJump[];
      /** Counters that change otherwise than by a constant but that nothing checked reads. */
      free: number[];
    };

/** `ptr`: a pointer whose constant offset is the affine value (only moved by constants). */
type Kind = { k: 'inv' } | { k: 'aff'; base: number; c: bigint; w: 32 | 64; ptr?: boolean } | { k: 'taint' } | { k: 'bnd' };
const INV: Kind = { k: 'inv' };
const TAINT: Kind = { k: 'taint' };
const BND: Kind = { k: 'bnd' };

/**
 * What the iteration does to a bound register (see boundRepeats): a jump comparing it with a
 * counter-derived value (`base` ≥ 0: the counter, plus `c` mod 2^w) or a constant (`base` -1,
 * the constant in `c`), or (`alu`) a 64-bit add or sub of the constant `c`.
 */
export interface BoundJump {
  /** Index in the trace. */
  s: number;
  pc: number;
  op: JmpOp;
  wide: boolean;
  /** The other operand is the jump's dst (else its src). */
  affDst: boolean;
  bound: number;
  base: number;
  c: bigint;
  w: 32 | 64;
  /** The side the recorded path followed. */
  taken: boolean;
  forked: boolean;
  alu?: 'add' | 'sub';
}

/** A compared value as an arithmetic progression: y_m = (y0 + m·e) mod n; P(y) is the jump's outcome. */
interface Watch {
  pc: number;
  base: number;
  c: bigint;
  w: 32 | 64;
  /** Comparison width in bits. */
  cw: 32 | 64;
  outcome: boolean;
  test: (y: bigint) => boolean;
  /** Points where the outcome may change (as unsigned values in the comparison width). */
  breaks: bigint[];
}

export function evalJmp(op: JmpOp, wide: boolean, a: bigint, b: bigint): boolean {
  const bits = wide ? 64 : 32;
  const x = BigInt.asUintN(bits, a);
  const y = BigInt.asUintN(bits, b);
  const sx = BigInt.asIntN(bits, a);
  const sy = BigInt.asIntN(bits, b);
  switch (op) {
    case 'jeq': return x === y;
    case 'jne': return x !== y;
    case 'jgt': return x > y;
    case 'jge': return x >= y;
    case 'jlt': return x < y;
    case 'jle': return x <= y;
    case 'jsgt': return sx > sy;
    case 'jsge': return sx >= sy;
    case 'jslt': return sx < sy;
    case 'jsle': return sx <= sy;
    case 'jset': return (x & y) !== 0n;
  }
}

const constOf = (r: Reg | undefined): bigint | null => (r !== undefined && r.t === 'scalar' && r.v !== null ? r.v : null);
const offOf = (r: Reg | undefined): bigint | null => (r !== undefined && r.t === 'ptr' && r.off !== null ? BigInt.asUintN(64, BigInt(r.off)) : null);
/** Pointer offsets beyond ±2^40 become variable in pointer arithmetic (verify.ts): a change. */
const OFF_LIM = 1n << 40n;
const offInRange = (y: bigint) => BigInt.asIntN(64, y) >= -OFF_LIM && BigInt.asIntN(64, y) <= OFF_LIM;
const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

/**
 * Replays one recorded iteration (see the module comment). `end` is the counters' values when
 * the path came back to the head; `live` the registers live at the head.
 */
export function analyzeTrace(t: LoopTrace, at: readonly (EbpfInsn | undefined)[], end: readonly (bigint | undefined)[], live: number): LoopForecast {
  const kinds: Kind[] = new Array<Kind>(11).fill(INV);
  for (const r of t.counters) kinds[r] = { k: 'aff', base: r, c: 0n, w: 64, ptr: t.regs[0]?.[r]?.t === 'ptr' };
  for (const r of t.bounds) kinds[r] = BND;
  const bjumps: BoundJump[] = [];
  const watches: Watch[] = [];
  const varying = new Map<number, number>();
  let pure = true;
  const unknown = (why: string): LoopForecast => ({ kind: 'unknown', why });
  const nonInv = (r: number) => kinds[r]!.k !== 'inv';
  for (let s = 0; s < t.pcs.length; s++) {
    const i0 = at[t.pcs[s]!];
    // A bound register is only ever compared with a counter (its range then follows the counter).
    if (t.bounds.length > 0 && i0 !== undefined && i0.kind !== 'jmp' && i0.kind !== 'ja' && i0.kind !== 'gotol') {
      const r0s = t.regs[s]!;
      const bndAlu = i0.kind === 'alu' && i0.wide && (i0.op === 'add' || i0.op === 'sub') && kinds[i0.dst]!.k === 'bnd' &&
        (!('src' in i0) || (kinds[i0.src]!.k === 'inv' && constOf(r0s[i0.src]) !== null));
      if (bndAlu) {
        const c = 'src' in i0 ? constOf(r0s[i0.src])! : BigInt.asUintN(64, BigInt(i0.imm));
        bjumps.push({ s, pc: t.pcs[s]!, op: 'jeq', wide: true, affDst: false, bound: i0.dst, base: -1, c, w: 64, taken: false, forked: false, alu: i0.op as 'add' | 'sub' });
        continue;
      }
      for (const b of t.bounds) if (kinds[b]!.k === 'bnd' && touches(i0, b)) return unknown(`pc ${t.pcs[s]} uses the bound register r${b} other than in a comparison or a constant step`);
    }
    const pc = t.pcs[s]!;
    const regs = t.regs[s]!;
    const next = s + 1 < t.pcs.length ? t.pcs[s + 1]! : t.head;
    // The model must agree with every value the walk recorded.
    for (let r = 0; r < 11; r++) {
      const k = kinds[r]!;
      if (k.k !== 'aff') continue;
      const v = k.ptr ? offOf(regs[r]) : constOf(regs[r]);
      if (v === null || v !== mod(t.start[k.base]! + k.c, k.w === 64 ? M64 : M32)) return unknown(`r${r} at pc ${pc} is not the value the model predicts`);
    }
    let vmask = 0;
    for (let r = 0; r < 11; r++) if (kinds[r]!.k !== 'inv') vmask |= 1 << r;
    varying.set(pc, (varying.get(pc) ?? 0) | vmask);
    const i = at[pc];
    if (i === undefined) return unknown('no instruction');
    switch (i.kind) {
      case 'alu': {
        const hasSrc = 'src' in i;
        const srcKind = hasSrc ? kinds[i.src]! : INV;
        const srcConst = hasSrc ? constOf(regs[i.src]) : BigInt(i.imm);
        const ptrAff = (k: Kind) => k.k === 'aff' && k.ptr === true;
        if (ptrAff(srcKind) || ptrAff(kinds[i.dst]!)) {
          // A pointer counter: copied, or moved by a constant (64-bit), nothing else.
          const dk0 = kinds[i.dst]!;
          if (i.op === 'mov' && i.wide) { kinds[i.dst] = srcKind; break; }
          if (i.wide && (i.op === 'add' || i.op === 'sub') && ptrAff(dk0) && srcKind.k === 'inv' && srcConst !== null) {
            const a = dk0 as Extract<Kind, { k: 'aff' }>;
            const c = mod(a.c + (i.op === 'add' ? srcConst : -srcConst), M64);
            kinds[i.dst] = { ...a, c };
            watches.push({ pc, base: a.base, c, w: 64, cw: 64, outcome: true, test: offInRange, breaks: [OFF_LIM + 1n, M64 - OFF_LIM] });
            pure = false;
            break;
          }
          return unknown(`pc ${pc} computes with a pointer counter`);
        }
        if (i.op === 'mov') {
          if (srcKind.k === 'aff' && !i.wide) kinds[i.dst] = { ...srcKind, c: mod(srcKind.c, M32), w: 32 };
          else kinds[i.dst] = srcKind;
          break;
        }
        if (hasSrc && i.src === i.dst && (i.op === 'xor' || i.op === 'sub')) { kinds[i.dst] = INV; break; }
        const dk = kinds[i.dst]!;
        // A pointer and a counter-derived value: the pointer arithmetic checks the value.
        const isPtr = (r: Reg | undefined) => r !== undefined && r.t === 'ptr';
        if ((dk.k !== 'inv' || srcKind.k !== 'inv') && (isPtr(regs[i.dst]) || (hasSrc && isPtr(regs[i.src])))) pure = false;
        const addLike = i.op === 'add' || i.op === 'sub';
        if (addLike && dk.k === 'aff' && srcKind.k === 'inv' && srcConst !== null) {
          const delta = i.op === 'add' ? srcConst : -srcConst;
          if (i.wide) {
            if (dk.w !== 64) { kinds[i.dst] = TAINT; break; }
            kinds[i.dst] = { ...dk, c: mod(dk.c + delta, M64) };
          } else kinds[i.dst] = { ...dk, c: mod(dk.c + delta, M32), w: 32 };
          break;
        }
        if (i.op === 'add' && dk.k === 'inv' && srcKind.k === 'aff' && constOf(regs[i.dst]) !== null) {
          const k0 = constOf(regs[i.dst])!;
          if (i.wide) kinds[i.dst] = srcKind.w === 64 ? { ...srcKind, c: mod(srcKind.c + k0, M64) } : TAINT;
          else kinds[i.dst] = { ...srcKind, c: mod(srcKind.c + k0, M32), w: 32 };
          break;
        }
        const movLike = i.op.startsWith('movsx');
        kinds[i.dst] = (movLike ? srcKind.k !== 'inv' : dk.k !== 'inv' || srcKind.k !== 'inv') ? TAINT : INV;
        break;
      }
      case 'end':
        if (nonInv(i.dst)) kinds[i.dst] = TAINT;
        break;
      case 'ldx':
        if (nonInv(i.src)) return unknown(`pc ${pc} loads through a counter-derived address`);
        kinds[i.dst] = INV;
        break;
      case 'st':
        if (nonInv(i.dst)) return unknown(`pc ${pc} stores through a counter-derived address`);
        break;
      case 'stx':
        if (nonInv(i.dst) || nonInv(i.src)) return unknown(`pc ${pc} stores a counter-derived value or address`);
        break;
      case 'atomic':
        if (nonInv(i.dst) || nonInv(i.src) || (i.op === 'cmpxchg' && nonInv(0))) return unknown(`pc ${pc}: atomic with a counter-derived operand`);
        if (i.op === 'cmpxchg') kinds[0] = INV;
        else if (i.fetch) kinds[i.src] = INV;
        break;
      case 'lddw':
        kinds[i.dst] = INV;
        break;
      case 'ldabs':
      case 'ldind':
        if (nonInv(6) || (i.kind === 'ldind' && nonInv(i.src))) return unknown(`pc ${pc}: packet load with a counter-derived operand`);
        for (let r = 0; r <= 5; r++) kinds[r] = INV;
        break;
      case 'ja':
      case 'gotol':
        break;
      case 'jmp': {
        const hasSrc = 'src' in i;
        const a = kinds[i.dst]!;
        const b = hasSrc ? kinds[i.src]! : INV;
        if (a.k === 'inv' && b.k === 'inv') break;
        if (a.k === 'taint' || b.k === 'taint') return unknown(`the jump at pc ${pc} reads a value computed from a counter`);
        if (a.k === 'bnd' || b.k === 'bnd') {
          const aff = a.k === 'bnd' ? b : a;
          const affDst = a.k !== 'bnd';
          const target = pc + 1 + i.off;
          if (target === pc + 1 || i.op === 'jset') return unknown(`the jump at pc ${pc} cannot be modelled`);
          const bound = affDst ? (i as { src: number }).src : i.dst;
          const common = { s, pc, op: i.op, wide: i.wide, affDst, bound, taken: next === target, forked: t.forks.includes(s) };
          if (aff.k === 'aff' && !aff.ptr) {
            bjumps.push({ ...common, base: aff.base, c: aff.c, w: aff.w });
            break;
          }
          // A constant: the immediate (as the walker reads it), or a register holding one.
          const k0 = aff.k !== 'inv' ? null : !hasSrc ? (i.wide ? BigInt.asUintN(64, BigInt(i.imm)) : BigInt(i.imm >>> 0)) : constOf(affDst ? regs[i.dst] : regs[i.src]);
          if (k0 === null) return unknown(`the jump at pc ${pc} compares the bound register with something else than a counter or a constant`);
          bjumps.push({ ...common, base: -1, c: k0, w: 64 });
          break;
        }
        if (a.k === 'aff' && b.k === 'aff') return unknown(`the jump at pc ${pc} compares two counter values`);
        if ((a.k === 'aff' && a.ptr) || (b.k === 'aff' && b.ptr)) {
          // A pointer against a number: the walker forks without looking at the offset.
          const other = a.k === 'aff' ? ('src' in i ? regs[i.src] : undefined) : regs[i.dst];
          if ('src' in i && (other === undefined || other.t !== 'scalar')) return unknown(`the jump at pc ${pc} compares a pointer counter with a pointer`);
          break;
        }
        if (i.op === 'jset') return unknown(`the jump at pc ${pc} tests bits of a counter`);
        const affDst = a.k === 'aff';
        const aff = (affDst ? a : b) as Extract<Kind, { k: 'aff' }>;
        const other = affDst ? (hasSrc ? constOf(regs[i.src]) : BigInt(i.imm)) : constOf(regs[i.dst]);
        const target = pc + 1 + i.off;
        if (other === null) {
          // A counter against an invariant range (`r0 < r2`, r2 in [L, H]): the jump is decided
          // while the counter stays on one side of the range; the walker's own narrowing decides.
          const rangeReg = affDst ? ('src' in i ? regs[i.src] : undefined) : regs[i.dst];
          // A counter against a pointer: the walker forks without narrowing anything, whatever
          // the counter's value (except a NULL test of a pointer that may be NULL).
          if (rangeReg !== undefined && rangeReg.t === 'ptr' && hasSrc && !(rangeReg.nullable && (i.op === 'jeq' || i.op === 'jne'))) {
            if (!t.forks.includes(s)) return unknown(`the jump at pc ${pc} went against the model`);
            break;
          }
          if (rangeReg === undefined || rangeReg.t !== 'scalar' || !hasSrc) return unknown(`the jump at pc ${pc} compares a counter with a value that is not a number`);
          if (t.forks.includes(s)) return unknown(`the jump at pc ${pc} forks on a counter`);
          const R = rangeReg as Scalar;
          const code = (y: bigint): string => {
            const Y = scalar(y);
            const a0 = affDst ? Y : R;
            const b0 = affDst ? R : Y;
            const tk = refineRanges(i.op, i.wide, a0, b0);
            const fl = refineRangesFalse(i.op, i.wide, a0, b0);
            if ((tk === undefined) === (fl === undefined)) return 'fork';
            const kept = (tk ?? fl)![affDst ? 1 : 0];
            // The range must come out of the narrowing unchanged (the state stays invariant).
            if (kept.t !== 'scalar' || kept.lo !== R.lo || kept.hi !== R.hi || kept.lo32 !== R.lo32 || kept.hi32 !== R.hi32) return 'narrow';
            return tk !== undefined ? 'taken' : 'fall';
          };
          const yNow = constOf(affDst ? regs[i.dst] : 'src' in i ? regs[i.src] : undefined);
          const c0 = yNow === null ? 'none' : code(yNow);
          if ((c0 === 'taken') !== (next === target && target !== pc + 1) || (c0 !== 'taken' && c0 !== 'fall')) return unknown(`the jump at pc ${pc} went against the model`);
          const cw: 32 | 64 = i.wide ? 64 : 32;
          const m = cw === 64 ? M64 : M32;
          const edges = [R.lo, R.hi, R.lo32, R.hi32].flatMap((x) => [x % m, (x + 1n) % m]);
          watches.push({ pc, base: aff.base, c: aff.c, w: aff.w, cw, outcome: true, test: (y) => code(y) === c0, breaks: [...edges, 1n << BigInt(cw - 1)] });
          break;
        }
        const taken = next === target && next !== pc + 1 ? true : next === pc + 1 && target !== pc + 1 ? false : null;
        if (taken === null) return unknown(`the jump at pc ${pc} leads to the same place either way`);
        const cw: 32 | 64 = i.wide ? 64 : 32;
        const C = BigInt.asUintN(cw, i.wide ? other : BigInt.asUintN(32, other));
        const test = affDst ? (y: bigint) => evalJmp(i.op, i.wide, y, C) : (y: bigint) => evalJmp(i.op, i.wide, C, y);
        const yNow = constOf(hasSrc && !affDst ? regs[i.src] : regs[i.dst]);
        if (yNow === null || test(yNow) !== taken) return unknown(`the jump at pc ${pc} went against the model`);
        watches.push({ pc, base: aff.base, c: aff.c, w: aff.w, cw, outcome: taken, test, breaks: [C, C + 1n, 1n << BigInt(cw - 1)] });
        break;
      }
      case 'call':
      case 'callx':
      case 'exit':
        return unknown(`pc ${pc} calls or returns inside the loop`);
      default:
        return unknown(`pc ${pc}: instruction not modelled`);
    }
  }
  // Back at the head: each counter is its own start plus a constant; everything else live is invariant.
  const strides = new Map<number, { d: bigint; m: bigint }>();
  // Counters that end the iteration as something else than themselves plus a constant (`r0 +=
  // r1`): "free" when nothing the walker checks ever read them (a computed value only flows into
  // ALU results, see TAINT above), and no tested value was derived from them.
  const free: number[] = [];
  for (let r = 0; r < 11; r++) {
    const k = kinds[r]!;
    const isCounter = t.counters.includes(r);
    if (!isCounter) {
      if ((live & (1 << r)) !== 0 && k.k !== 'inv' && k.k !== 'bnd') return unknown(`r${r} changes with the counters`);
      continue;
    }
    if (k.k === 'taint' && t.regs[0]?.[r]?.t === 'scalar' && !watches.some((w) => w.base === r) && !bjumps.some((j) => j.base === r)) {
      free.push(r);
      continue;
    }
    if (k.k !== 'aff' || k.base !== r) return unknown(`counter r${r} is not stepped by a constant`);
    const m = k.w === 64 ? M64 : M32;
    const x0 = t.start[r]!;
    if (x0 >= m || end[r] !== mod(x0 + k.c, m)) return unknown(`counter r${r} did not move as modelled`);
    strides.set(r, { d: k.c, m });
  }
  // The first later iteration at which some jump decides differently.
  let repeats: bigint | null = null;
  let exact = true;
  let exitPc: number | undefined;
  for (const w of watches) {
    const { d, m } = strides.get(w.base)!;
    const x0 = t.start[w.base]!;
    const bitsN = Math.min(w.w, w.cw);
    let n: bigint;
    if (m === M64) n = bitsN === 64 ? M64 : M32;
    else if (bitsN === 32 || w.c === 0n) n = M32;
    else return unknown(`the jump at pc ${w.pc} compares a 64-bit sum of a 32-bit counter`);
    const y0 = mod(x0 + w.c, w.w === 64 ? M64 : M32) % n;
    const e = d % n;
    const hit = firstChange(y0, e, n, w.test, w.outcome, w.breaks);
    if (hit === 'unknown') return unknown(`the jump at pc ${w.pc}: no closed form`);
    if (hit === null) continue;
    // Iteration `hit.m` (counted from the recorded one, 0) is the first that differs: the
    // iterations 1 … hit.m − 1 after the recorded one repeat it.
    const full = hit.m - 1n;
    if (repeats === null || full < repeats) { repeats = full; exitPc = w.pc; }
    if (!hit.exact) exact = false;
  }
  return { kind: 'repeats', repeats, exact: repeats === null ? true : exact, strides, steps: t.pcs.length, exitPc, pure: pure && bjumps.length === 0 && free.length === 0, varying, bjumps, free };
}

/** Whether instruction `i` may read or write register `r` (calls, exits and packet loads: r0-r6). */
function touches(i: EbpfInsn, r: number): boolean {
  if (('dst' in i && i.dst === r) || ('src' in i && i.src === r)) return true;
  switch (i.kind) {
    case 'call': case 'callx': case 'exit': case 'ldabs': case 'ldind': case 'atomic': return r <= 6;
    default: return false;
  }
}

/** `r` with `tz` known low zero bits, as the walker narrows a register (verify.ts refine). */
function withTz(r: Reg, tz: number): Reg {
  return r.t === 'scalar' && r.v === null && tz > 0 ? { ...r, tz: Math.min(tz, 64) } : r;
}

const sameScalar = (a: Reg | undefined, b: Reg | undefined): boolean =>
  a !== undefined && b !== undefined && a.t === 'scalar' && b.t === 'scalar' && a.v === b.v && a.lo === b.lo && a.hi === b.hi && a.lo32 === b.lo32 && a.hi32 === b.hi32 && (a.tz ?? 0) === (b.tz ?? 0);

/** Signed distance between inputs kept clear of every multiple of 2^31 (see boundRepeats). */
const SLACK = 4n;
const W31 = 1n << 31n;
const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

/**
 * Loops whose counter is compared with a bound register (`r0 += 504; if r0 < r2 goto l`, r2 a
 * ranged scalar: xdp-adversarial, seed 12, #2946): each time round the comparison forks (the
 * side where r0 ≥ r2 leaves the loop) and narrows r2 on the loop's side to [r0 + 1, umax], so
 * the state at the head never repeats, and the walk needs about (umax − start) / step
 * iterations. The same for a ranged register that the loop steps by a constant and compares
 * with a constant (`while (r2 != 0) r2--`, #20210). Returns true when iterations 1 … k after
 * the recorded one (iteration 0) certainly repeat it: the same instructions, the same forks and
 * jump outcomes, the counters moving by their strides and each bound of a bound register by the
 * amount it moved in iteration 0.
 *
 * Why that holds: at iteration m the inputs of the walker's narrowing and arithmetic
 * (refineRanges, aluRange add/sub: the compared counter values, the constants, the bound
 * registers' four bounds at the head and after each step) are affine in m. Those functions only
 * compare such quantities, take minima and maxima, add them, add ±1 or ±2^32 and mask at 2^32 /
 * read signs at 2^31 and 2^63. As long as no two inputs of different slopes come within SLACK
 * of a multiple of 2^31 apart (the constant 0 and each constant c, also as −c, are inputs: so no
 * input crosses a wrap or sign boundary, alone or shifted by c) for m in [0, k + 1], every
 * comparison they make keeps its outcome for all those m (an affine difference that does not
 * cross a threshold at either end does not in between), so their results are affine in m too;
 * the iteration is run at m = 0 (it must reproduce the recorded one) and m = 1 (it must move
 * every bound by the same amount again): two points fix an affine function, so every iteration
 * up to k repeats the first.
 * `strides` and the counters' starting values come from analyzeTrace's model (which checked
 * everything else the iteration does); `rend` are the bound registers at the end of iteration 0.
 */
export function boundRepeats(t: LoopTrace, f: Extract<LoopForecast, { kind: 'repeats' }>, rend: readonly (Scalar | undefined)[], k: bigint): boolean {
  const slope = (r: number): bigint => {
    if (r < 0) return 0n;
    const { d, m } = f.strides.get(r)!;
    return d > m / 2n ? d - m : d;
  };
  // Bound registers: start and per-iteration movement of each bound.
  const FIELDS = ['lo', 'hi', 'lo32', 'hi32'] as const;
  const delta = new Map<number, bigint[]>();
  for (const b of t.bounds) {
    const s0 = t.rstart[b];
    const s1 = rend[b];
    if (s0 === undefined || s1 === undefined || s0.v !== null || s1.v !== null || (s0.tz ?? 0) !== (s1.tz ?? 0)) return false;
    delta.set(b, FIELDS.map((fl) => s1[fl] - s0[fl]));
  }
  const at = (b: number, m: bigint): Scalar => {
    const s0 = t.rstart[b]!;
    const d = delta.get(b)!;
    return { ...s0, lo: s0.lo + m * d[0]!, hi: s0.hi + m * d[1]!, lo32: s0.lo32 + m * d[2]!, hi32: s0.hi32 + m * d[3]! };
  };
  const yAt = (j: BoundJump, m: bigint): bigint => (j.base < 0 ? j.c : mod(t.start[j.base]! + j.c, j.w === 64 ? M64 : M32) + m * slope(j.base));
  // One iteration at m, as the walker does it (verify.ts refine and alu), on the recorded side;
  // the bound registers after each step are kept (the inputs of the next one).
  const iterate = (m: bigint): { end: Map<number, Scalar>; snaps: Scalar[] } | null => {
    const cur = new Map<number, Scalar>();
    const snaps: Scalar[] = [];
    for (const b of t.bounds) cur.set(b, at(b, m));
    for (const j of f.bjumps) {
      const B = cur.get(j.bound)!;
      if (m === 0n && !sameScalar(B, t.regs[j.s]![j.bound])) return null;
      const y = yAt(j, m);
      const Y = scalar(y);
      let nb: Reg;
      if (j.alu !== undefined) {
        nb = withTz(aluRange(j.alu, true, B, Y), Math.min(64, scalarTz(B), scalarTz(Y)));
      } else {
        const [a, b] = j.affDst ? [Y, B] : [B, Y];
        const tk = refineRanges(j.op, j.wide, a, b);
        const fl = refineRangesFalse(j.op, j.wide, a, b);
        if ((tk !== undefined && fl !== undefined) !== j.forked) return null;
        const r = j.taken ? tk : fl;
        if (r === undefined) return null;
        nb = withTz(r[j.affDst ? 1 : 0], scalarTz(B));
        const ny = r[j.affDst ? 0 : 1];
        if (ny.t !== 'scalar' || ny.v !== BigInt.asUintN(64, y)) return null;
      }
      if (nb.t !== 'scalar' || nb.v !== null) return null;
      cur.set(j.bound, nb);
      snaps.push(nb);
    }
    return { end: cur, snaps };
  };
  const i0 = iterate(0n);
  const i1 = iterate(1n);
  if (i0 === null || i1 === null) return false;
  for (const b of t.bounds) if (!sameScalar(i0.end.get(b), at(b, 1n)) || !sameScalar(i1.end.get(b), at(b, 2n))) return false;
  // The inputs of every comparison the narrowing and the arithmetic make, as affine functions
  // q(m) = q0 + m·s: the constant 0, each constant operand c (also as −c and in 32 bits: a sum
  // with c crosses a threshold where the other input crosses one shifted by −c), the bounds at
  // the head and after each step, and the compared counter values.
  const inputs: { q0: bigint; s: bigint }[] = [{ q0: 0n, s: 0n }];
  for (const b of t.bounds) FIELDS.forEach((fl, j) => inputs.push({ q0: t.rstart[b]![fl], s: delta.get(b)![j]! }));
  i0.snaps.forEach((x, n) => FIELDS.forEach((fl) => inputs.push({ q0: x[fl], s: i1.snaps[n]![fl] - x[fl] })));
  for (const j of f.bjumps) {
    if (j.base >= 0) inputs.push({ q0: yAt(j, 0n), s: slope(j.base) });
    else for (const c of [j.c, mod(-j.c, M64), j.c & (M32 - 1n), mod(-j.c, M32)]) inputs.push({ q0: c, s: 0n });
  }
  const last = k + 1n;
  for (let x = 0; x < inputs.length; x++) {
    for (let y = x + 1; y < inputs.length; y++) {
      const a = inputs[x]!;
      const b = inputs[y]!;
      if (a.s === b.s) continue;
      const d0 = a.q0 - b.q0;
      const d1 = d0 + last * (a.s - b.s);
      const lo = d0 < d1 ? d0 : d1;
      const hi = d0 < d1 ? d1 : d0;
      const w = floorDiv(lo - SLACK, W31);
      if (floorDiv(hi + SLACK, W31) !== w) return false;
    }
  }
  // Every value must also stay a valid register value (no wrap) at both ends.
  for (const q of inputs) {
    const e = q.q0 + last * q.s;
    if (q.q0 < 0n || e < 0n || q.q0 >= M64 || e >= M64) return false;
  }
  return true;
}

/**
 * The first m ≥ 1 with test(y0 + m·e mod n) ≠ outcome, where test is constant between the
 * sorted breakpoints: exact (null = never), a lower bound, or 'unknown'.
 */
function firstChange(y0: bigint, e: bigint, n: bigint, test: (y: bigint) => boolean, outcome: boolean, breaks: bigint[]): { m: bigint; exact: boolean } | null | 'unknown' {
  if (test(y0) !== outcome) return 'unknown';
  if (e === 0n) return null;
  const pts = [...new Set([0n, ...breaks.filter((b) => b > 0n && b < n), n])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let best: { m: bigint; exact: boolean } | null = null;
  for (let k = 0; k + 1 < pts.length; k++) {
    const a = pts[k]!;
    const b = pts[k + 1]! - 1n;
    if (test(a) === outcome) continue;
    // Spot-check the interval is uniform at its far end too (the breakpoints are complete).
    if (test(b) === outcome) return 'unknown';
    const h = firstHit(y0, e, n, a, b);
    if (h === null) continue;
    if (best === null || h.m < best.m || (h.m === best.m && h.exact)) best = h;
  }
  return best;
}

/** The first m ≥ 1 with (y0 + m·e) mod n in [a, b] (y0 outside it): exact, a lower bound, or null (never). */
export function firstHit(y0: bigint, e: bigint, n: bigint, a: bigint, b: bigint): { m: bigint; exact: boolean } | null {
  // Stepping down by n − e is stepping up by e on the mirrored line.
  if (e > n / 2n) return firstHit(n - 1n - y0, n - e, n, n - 1n - b, n - 1n - a);
  const len = b - a + 1n;
  const dist = mod(a - y0, n);
  const lower = (dist + e - 1n) / e;
  // A window at least one stride wide cannot be stepped over.
  if (len >= e) return { m: lower, exact: true };
  if (len <= 64n) {
    let best: bigint | null = null;
    for (let p = a; p <= b; p++) {
      const m = solveLinear(e, mod(p - y0, n), n);
      if (m !== null && (best === null || m < best)) best = m;
    }
    return best === null ? null : { m: best, exact: true };
  }
  return { m: lower, exact: false };
}

/** Smallest m ≥ 1 with m·e ≡ t (mod n), n a power of two; null when there is none. */
export function solveLinear(e: bigint, t: bigint, n: bigint): bigint | null {
  let g = 1n;
  while (g < n && (e & g) === 0n) g <<= 1n;
  if (t % g !== 0n) return null;
  const n2 = n / g;
  if (n2 === 1n) return 1n;
  const e2 = (e / g) % n2;
  let inv = e2; // Newton: correct to 3 bits, doubling each round
  for (let k = 0; k < 7; k++) inv = (inv * (2n - e2 * inv)) % n2;
  inv = mod(inv, n2);
  const m = ((t / g) * inv) % n2;
  return m === 0n ? n2 : m;
}
