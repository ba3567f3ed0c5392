/**
 * Phase 1 of the verifier: checks that need no abstract values, on the whole program at once.
 *
 *   - every slot decodes to a defined instruction (isa/ebpf's strict decoder: unknown opcodes and
 *     known opcodes with non-zero reserved fields come back as `raw` and are refused here);
 *   - r10 is never written (ALU/byte-swap/load/lddw destination, atomic fetch operand);
 *   - kernel strictness (unless the hook asks for RFC semantics): no division or modulo by an
 *     immediate 0, no shift by an immediate outside 0..width-1;
 *   - jump targets lie inside the program, not in the second slot of an lddw, and inside the
 *     function they start in; no instruction falls through past the end of its function;
 *   - functions: pc 0 plus every bpf-to-bpf call target and lddw-func target; every instruction
 *     is reachable from pc 0 (through jumps and calls), as the kernel requires;
 *   - helper calls name a helper in the hook's table that the hook allows; callx only where the
 *     hook accepts it; kfunc calls are refused;
 *   - the call graph has no recursion and no chain deeper than 8 frames (MAX_CALL_FRAMES);
 *   - every instruction can reach an exit (no loop without a way out, in any loop policy);
 *   - register liveness (backward dataflow), so phase 2 can ignore dead registers when it
 *     compares states;
 *   - loops: back-edges are found by a depth-first search over each function's CFG; the 'reject'
 *     policy refuses them, the others record their heads for phase 2.
 */
import { disassembleInsn } from '../../isa/ebpf/asm.ts';
import { decodeAt } from '../../isa/ebpf/codec.ts';
import type { EbpfInsn, EbpfSlot } from '../../isa/ebpf/types.ts';
import { HELPERS } from '../helpers.ts';
import type { HookSpec } from './hooks.ts';
import { VerifierError } from './error.ts';

export const MAX_CALL_FRAMES = 8;

export interface Structure {
  n: number;
  /** Decoded instruction starting at each slot pc; undefined for the second slot of an lddw. */
  at: (EbpfInsn | undefined)[];
  /** Function entry pcs, ascending (0 first). */
  functions: number[];
  /** Index into `functions` of the function containing each pc. */
  funcOf: Int32Array;
  /** Targets of back-edges. */
  loopHeads: Set<number>;
  /** Where phase 2 compares states: jump targets and loop heads (without loops: jump targets where paths meet). */
  prunePoints: Uint8Array;
  /** Call graph: function index → callee function indices with one call site each. */
  calls: Map<number, { callee: number; site: number }[]>;
  /** Registers live at entry of each pc (bit r set = r may be read before being written). */
  liveIn: Uint16Array;
}

const R0_5 = 0b111111;
const R1_5 = 0b111110;
const bit = (r: number) => 1 << r;

/** Registers an instruction reads and writes, for liveness (calls: conservatively all of r1-r5). */
function useDef(i: EbpfInsn): [number, number] {
  switch (i.kind) {
    case 'alu': {
      const src = 'src' in i ? bit(i.src) : 0;
      return i.op === 'mov' || i.op.startsWith('movsx') ? [src, bit(i.dst)] : [src | bit(i.dst), bit(i.dst)];
    }
    case 'end': return [bit(i.dst), bit(i.dst)];
    case 'ldx': return [bit(i.src), bit(i.dst)];
    case 'st': return [bit(i.dst), 0];
    case 'stx': return [bit(i.dst) | bit(i.src), 0];
    case 'atomic':
      if (i.op === 'cmpxchg') return [bit(i.dst) | bit(i.src) | bit(0), bit(0)];
      return [bit(i.dst) | bit(i.src), i.fetch ? bit(i.src) : 0];
    case 'lddw': return [0, bit(i.dst)];
    case 'ldabs': return [bit(6), R0_5];
    case 'ldind': return [bit(6) | bit(i.src), R0_5];
    case 'jmp': return [bit(i.dst) | ('src' in i ? bit(i.src) : 0), 0];
    case 'call': return [R1_5, R0_5];
    case 'callx': return [R1_5 | bit(i.dst), R0_5];
    case 'exit': return [bit(0), 0];
    default: return [0, 0];
  }
}

/** Backward dataflow to a fixpoint: liveIn = use ∪ (∪ liveIn[succ] − def); r10 is always live. */
function liveness(at: (EbpfInsn | undefined)[], n: number, succ: readonly (readonly number[])[], preds: Preds): Uint16Array {
  const liveIn = new Uint16Array(n);
  const work: number[] = [];
  // Each instruction's uses and definitions, once (the fixpoint may visit a pc many times).
  const uses = new Uint16Array(n);
  const defs = new Uint16Array(n);
  for (let pc = n - 1; pc >= 0; pc--) {
    const i = at[pc];
    if (i === undefined) continue;
    work.push(pc);
    const [use, def] = useDef(i);
    uses[pc] = use;
    defs[pc] = def;
  }
  const queued = new Uint8Array(n).fill(1);
  while (work.length) {
    const pc = work.pop()!;
    queued[pc] = 0;
    let out = 0;
    for (const t of succ[pc]!) if (t < n) out |= liveIn[t]!;
    const v = (uses[pc]! | (out & ~defs[pc]!) | bit(10)) & 0x7ff;
    if (v !== liveIn[pc]) {
      liveIn[pc] = v;
      for (const p of preds.get(pc)) if (!queued[p]) { queued[p] = 1; work.push(p); }
    }
  }
  return liveIn;
}

/** Each pc's predecessors (one array per pc would cost an allocation per instruction). */
class Preds {
  constructor(private readonly start: Int32Array, private readonly list: Int32Array) {}
  /** The predecessors of `pc`, as a view into the shared list. */
  get(pc: number): Int32Array {
    return this.list.subarray(this.start[pc]!, this.start[pc + 1]!);
  }
  count(pc: number): number {
    return this.start[pc + 1]! - this.start[pc]!;
  }
}

function predecessors(n: number, succ: readonly (readonly number[])[]): Preds {
  const start = new Int32Array(n + 1);
  for (let pc = 0; pc < n; pc++) for (const t of succ[pc]!) if (t < n) start[t + 1]!++;
  for (let pc = 0; pc < n; pc++) start[pc + 1]! += start[pc]!;
  const fill = start.slice(0, n);
  const list = new Int32Array(start[n]!);
  for (let pc = 0; pc < n; pc++) for (const t of succ[pc]!) if (t < n) list[fill[t]!++] = pc;
  return new Preds(start, list);
}

/** Where control goes after `insn` at `pc` inside its function (call targets excluded). */
export function successors(insn: EbpfInsn, pc: number): number[] {
  switch (insn.kind) {
    case 'exit':
      return [];
    case 'ja':
      return [pc + 1 + insn.off];
    case 'gotol':
      return [pc + 1 + insn.imm];
    case 'jmp':
      return [pc + 1, pc + 1 + insn.off];
    case 'lddw':
      return [pc + 2];
    default:
      return [pc + 1];
  }
}

export function checkStructure(slots: readonly EbpfSlot[], hook: HookSpec): Structure {
  const n = slots.length;
  if (n === 0) throw new VerifierError('empty', 'the program is empty', -1, '');
  const at: (EbpfInsn | undefined)[] = new Array(n);
  const fail = (code: string, pc: number, msg: string): never => {
    const insn = at[pc];
    throw new VerifierError(code, msg, pc, insn ? disassembleInsn(insn) : '');
  };
  for (let pc = 0; pc < n; ) {
    const { insn, width } = decodeAt(slots, pc);
    at[pc] = insn;
    if (insn.kind === 'raw') {
      const s = slots[pc]!;
      if (s.code === 0x18) fail('invalid-insn', pc, 'lddw needs a second slot with code, registers and offset all zero');
      fail('invalid-insn', pc, `invalid instruction: unknown opcode 0x${s.code.toString(16).padStart(2, '0')} or a reserved field is not zero`);
    }
    pc += width;
  }
  const table = hook.helperTable ?? HELPERS;
  const entries = new Set<number>([0]);
  for (let pc = 0; pc < n; pc++) {
    const i = at[pc];
    if (i === undefined) continue;
    // r10 is the frame pointer: read-only.
    const writesDst = i.kind === 'alu' || i.kind === 'end' || i.kind === 'ldx' || i.kind === 'lddw';
    if ((writesDst && i.dst === 10) || (i.kind === 'atomic' && i.fetch && i.op !== 'cmpxchg' && i.src === 10)) fail('r10-write', pc, 'frame pointer r10 is read-only');
    if (i.kind === 'alu' && 'imm' in i && !hook.rfcSemantics) {
      if ((i.op === 'div' || i.op === 'sdiv' || i.op === 'mod' || i.op === 'smod') && i.imm === 0) fail('div-by-zero', pc, 'division by zero (immediate divisor 0)');
      const bits = i.wide ? 64 : 32;
      if ((i.op === 'lsh' || i.op === 'rsh' || i.op === 'arsh') && (i.imm < 0 || i.imm >= bits)) fail('invalid-shift', pc, `invalid shift ${i.imm} (must be 0..${bits - 1})`);
    }
    if (i.kind === 'call') {
      if (i.call === 'kfunc') fail('kfunc', pc, 'kfunc calls are not supported');
      if (i.call === 'helper') {
        const h = table.get(i.imm);
        if (h === undefined) fail('unknown-helper', pc, `unknown helper ${i.imm}`);
        if (hook.helpers !== 'all' && !hook.helpers.includes(i.imm)) fail('helper-not-allowed', pc, `helper ${i.imm} (${h!.name}) is not allowed in ${hook.name} programs`);
      }
    }
    if (i.kind === 'callx' && !hook.callx) fail('callx', pc, 'callx (call through a register) is not supported by this hook');
    if (i.kind === 'ldabs' || i.kind === 'ldind') {
      if (!hook.legacyPacketLoads) fail('ld-abs', pc, `legacy packet loads are not allowed in ${hook.name} programs`);
    }
    if ((i.kind === 'call' && i.call === 'local') || (i.kind === 'lddw' && i.lddw === 'func')) {
      const t = pc + 1 + i.imm;
      if (t < 0 || t >= n) fail('jump-range', pc, `call target pc ${t} is outside the program (0..${n - 1})`);
      if (at[t] === undefined) fail('jump-into-lddw', pc, `call target pc ${t} is the second slot of an lddw`);
      entries.add(t);
    }
  }
  const functions = [...entries].sort((a, b) => a - b);
  const funcOf = new Int32Array(n);
  for (let f = 0, pc = 0; pc < n; pc++) {
    while (f + 1 < functions.length && functions[f + 1]! <= pc) f++;
    funcOf[pc] = f;
  }
  // Successors, computed once (every pass below reads them).
  const succ: number[][] = new Array<number[]>(n);
  for (let pc = 0; pc < n; pc++) {
    const i = at[pc];
    succ[pc] = i === undefined ? [] : successors(i, pc);
  }
  // Jump targets.
  const prunePoints = new Uint8Array(n);
  for (let pc = 0; pc < n; pc++) {
    const i = at[pc];
    if (i === undefined) continue;
    for (const t of succ[pc]!) {
      if (t === n) fail('fall-off-end', pc, 'control falls off the end of the program (the last instruction must be exit or a jump)');
      if (t < 0 || t > n) fail('jump-range', pc, `jump target pc ${t} is outside the program (0..${n - 1})`);
      if (at[t] === undefined) fail('jump-into-lddw', pc, `jump into the middle of the lddw at pc ${t - 1}`);
      if (funcOf[t] !== funcOf[pc]) {
        const fall = i.kind !== 'ja' && i.kind !== 'gotol' && t === pc + (i.kind === 'lddw' ? 2 : 1);
        fail(fall ? 'fall-off-end' : 'jump-range', pc, fall ? `control falls off the end of the function at pc ${functions[funcOf[pc]]!} into the next function` : `jump to pc ${t} leaves the function`);
      }
      if (i.kind === 'jmp' || i.kind === 'ja' || i.kind === 'gotol') prunePoints[t] = 1;
    }
  }
  // Reachability from pc 0, following calls.
  const reach = new Uint8Array(n);
  const todo = [0];
  reach[0] = 1;
  while (todo.length) {
    const pc = todo.pop()!;
    const i = at[pc]!;
    for (const t of succ[pc]!) if (!reach[t]) { reach[t] = 1; todo.push(t); }
    if ((i.kind === 'call' && i.call === 'local') || (i.kind === 'lddw' && i.lddw === 'func')) {
      const t = pc + 1 + i.imm;
      if (!reach[t]) { reach[t] = 1; todo.push(t); }
    }
  }
  for (let pc = 0; pc < n; pc++) if (at[pc] !== undefined && !reach[pc]) fail('unreachable', pc, 'unreachable instruction');
  // Every reachable instruction must be able to reach an exit: walk backwards from the exits
  // (a local call continues at pc+1 once the callee returns; the callee is checked on its own).
  const toExit = new Uint8Array(n);
  const preds = predecessors(n, succ);
  const back: number[] = [];
  for (let pc = 0; pc < n; pc++) {
    const i = at[pc];
    if (i === undefined) continue;
    if (i.kind === 'exit') {
      toExit[pc] = 1;
      back.push(pc);
    }
  }
  while (back.length) {
    const pc = back.pop()!;
    for (const p of preds.get(pc)) if (!toExit[p]) { toExit[p] = 1; back.push(p); }
  }
  for (let pc = 0; pc < n; pc++) if (at[pc] !== undefined && !toExit[pc]) fail('no-exit', pc, 'no path from this instruction reaches an exit (an infinite loop)');
  // Back-edges: iterative DFS per function, colours 0 white, 1 on stack, 2 done.
  const loopHeads = new Set<number>();
  const colour = new Uint8Array(n);
  for (const entry of functions) {
    const stack: { pc: number; succ: readonly number[]; k: number }[] = [{ pc: entry, succ: succ[entry]!, k: 0 }];
    colour[entry] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.k === top.succ.length) {
        colour[top.pc] = 2;
        stack.pop();
        continue;
      }
      const t = top.succ[top.k++]!;
      if (colour[t] === 1) {
        if ((hook.loops ?? 'bounded') === 'reject') fail('loop', top.pc, `back-edge to pc ${t}: loops are not allowed in this mode`);
        loopHeads.add(t);
        prunePoints[t] = 1;
      } else if (colour[t] === 0) {
        colour[t] = 1;
        stack.push({ pc: t, succ: succ[t]!, k: 0 });
      }
    }
  }
  // A program without loops needs prune points only where paths meet: a jump target with one
  // predecessor is reached only through it, so its states differ only as much as the paths that
  // reach that predecessor (pruned at the join before them). Pruning there too saved little and
  // cost a state key per visit (about a fifth of verify() on translated filters).
  if (loopHeads.size === 0) {
    for (let pc = 0; pc < n; pc++) if (prunePoints[pc] && preds.count(pc) < 2) prunePoints[pc] = 0;
  }
  // Call graph: recursion and depth.
  const calls = new Map<number, { callee: number; site: number }[]>();
  for (let pc = 0; pc < n; pc++) {
    const i = at[pc];
    if (i?.kind === 'call' && i.call === 'local') {
      const f = funcOf[pc]!;
      if (!calls.has(f)) calls.set(f, []);
      calls.get(f)!.push({ callee: funcOf[pc + 1 + i.imm]!, site: pc });
    }
  }
  const depth = new Map<number, number>();
  const onPath = new Set<number>();
  const depthOf = (f: number): number => {
    const known = depth.get(f);
    if (known !== undefined) return known;
    onPath.add(f);
    let d = 1;
    for (const c of calls.get(f) ?? []) {
      if (onPath.has(c.callee)) fail('recursion', c.site, `recursive call to the function at pc ${functions[c.callee]}`);
      const cd = 1 + depthOf(c.callee);
      if (cd > MAX_CALL_FRAMES) fail('call-depth', c.site, `call stack too deep: ${cd} frames (max ${MAX_CALL_FRAMES})`);
      d = Math.max(d, cd);
    }
    onPath.delete(f);
    depth.set(f, d);
    return d;
  };
  depthOf(0);
  return { n, at, functions, funcOf, loopHeads, prunePoints, calls, liveIn: liveness(at, n, succ, preds) };
}
