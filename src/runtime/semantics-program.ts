/**
 * From a decoded program to engine input: load-time checks, resolved constants, and the ONE
 * function (`emitInsn`) that turns an instruction into JavaScript for both engines.
 *
 * `prepare` rejects what no engine can run (raw encodings, jumps outside the program or into
 * the middle of an lddw, a last instruction that can fall off the end, unresolved map
 * references) with a UserError naming the pc and the disassembled instruction, and resolves
 * lddw constants (plain, or through `resolveLddw` for map relocations) to int32 pairs.
 *
 * `emitInsn(insn, names)` expands the semantic rows of ./semantics.ts with operand names the
 * engine supplies: the interpreter passes array lookups (`R[d]`, `IL[i]`) and gets the code of
 * one dispatch case; the JIT passes locals and literals and gets straight-line code. Control
 * transfer (jump, local call, exit) is the only engine-specific part and comes in as strings.
 */
import { UserError } from '../errors.ts';
import { disassembleInsn } from '../isa/ebpf/asm.ts';
import { layout, lddwValue } from '../isa/ebpf/codec.ts';
import { AtomicOps, Sizes } from '../isa/ebpf/opcodes.ts';
import type { EbpfInsn, EbpfProgram, LddwInsn } from '../isa/ebpf/types.ts';
import { ALU64_BIG, emitAlu, emitCond, emitEnd, JMP64_BIG } from './semantics.ts';
import type { Machine } from './semantics-memory.ts';

/** Resolves a non-plain lddw (map_fd, map_value, …) to a constant or to a pointer into live bytes. */
export type LddwResolver = (insn: LddwInsn) => bigint | { bytes: Uint8Array; offset: number };

export interface Prepared {
  prog: EbpfProgram;
  /** Slot pc of each element. */
  pcOf: Int32Array;
  indexOfPc: Int32Array;
  /** Element index of each jump/local-call target (-1 when none). */
  target: Int32Array;
  /** lddw constants (and immediates' sign extensions) as int32 pairs. */
  immLo: Int32Array;
  immHi: Int32Array;
  /**
   * Memory accesses the verifier proved in bounds (slot pc → the region they always reach), set
   * by `load` for verified programs; the JIT accesses those directly (see ./jit/js.ts).
   */
  proven?: ReadonlyMap<number, 'stack' | 'pkt' | 'ctx'>;
  /**
   * The context field each context access reads (slot pc → field), set by `load` for verified
   * programs: a batch function folds loads of the fields its hook supplies (./jit/structured.ts).
   */
  ctxField?: ReadonlyMap<number, { name: string; off: number; kind: string }>;
  /**
   * What the verifier proved about registers' high halves before each instruction (slot pc →
   * r0..r10: 0, or the region whose tag a pointer's high half holds), set by `load` for verified
   * programs: the structured JIT reads those high halves as literals.
   */
  highs?: ReadonlyMap<number, readonly (0 | 'pkt' | 'ctx' | 'stack' | undefined)[]>;
}

function insnError(code: string, prog: EbpfProgram, pcOf: Int32Array, i: number, msg: string): UserError {
  return new UserError(code, `pc ${pcOf[i]}: ${disassembleInsn(prog[i]!)}: ${msg}`);
}

/** Load-time checks and constant resolution shared by every engine. */
export function prepare(prog: EbpfProgram, m: Machine, resolveLddw?: LddwResolver): Prepared {
  if (prog.length === 0) throw new UserError('EBPF_EMPTY', 'empty eBPF program');
  const { pcOf, indexOfPc, slots } = layout(prog);
  const n = prog.length;
  const target = new Int32Array(n).fill(-1);
  const immLo = new Int32Array(n);
  const immHi = new Int32Array(n);
  const err = (i: number, msg: string, code = 'EBPF_INVALID_PROGRAM') => insnError(code, prog, pcOf, i, msg);
  prog.forEach((insn, i) => {
    if (insn.kind === 'raw') throw err(i, 'invalid instruction encoding (unknown opcode or reserved field set)', 'EBPF_INVALID_INSN');
    let rel: number | undefined;
    if (insn.kind === 'jmp' || insn.kind === 'ja') rel = insn.off;
    else if (insn.kind === 'gotol' || (insn.kind === 'call' && insn.call === 'local')) rel = insn.imm;
    if (rel !== undefined) {
      const pc = pcOf[i]! + 1 + rel;
      const t = pc >= 0 && pc < slots ? indexOfPc[pc]! : -1;
      if (t < 0) throw err(i, pc >= 0 && pc < slots ? 'jump into the middle of an lddw' : `jump out of range (to pc ${pc})`, 'EBPF_BAD_JUMP');
      target[i] = t;
    }
    if ('imm' in insn && insn.kind !== 'lddw') { immLo[i] = insn.imm; immHi[i] = insn.imm >> 31; }
    if (insn.kind === 'lddw') {
      let v: bigint;
      if (insn.lddw === 'imm64') v = lddwValue(insn);
      else {
        if (!resolveLddw) throw err(i, `unresolved ${insn.lddw} reference (load through the ELF loader or pass resolveLddw)`, 'EBPF_UNRESOLVED');
        const r = resolveLddw(insn);
        v = typeof r === 'bigint' ? r : m.pointerTo(r.bytes, r.offset);
      }
      immLo[i] = Number(BigInt.asIntN(32, v));
      immHi[i] = Number(BigInt.asIntN(32, v >> 32n));
    }
  });
  const last = prog[n - 1]!;
  if (last.kind !== 'exit' && last.kind !== 'ja' && last.kind !== 'gotol') throw err(n - 1, 'last instruction is not exit or an unconditional jump', 'EBPF_FALLS_OFF');
  return { prog, pcOf, indexOfPc, target, immLo, immHi };
}

/** Operand names and control-transfer code an engine supplies to `emitInsn`. */
export interface EmitNames {
  /** dst and src register halves (assignable). */
  dl: string; dh: string; sl: string; sh: string;
  /** Immediate (signed int32) and its sign extension (for lddw: the constant's halves). */
  imm: string; immHi: string;
  off: string;
  /** Slot pc of this instruction, for faults. */
  pc: string;
  r0l: string; r0h: string;
  /** r1l, r1h, …, r5l, r5h. */
  args: string[];
  t: string;
  /** Code that transfers control to the branch target. */
  jump: string;
  callLocal: string;
  exit: string;
  /** Return immediately with r0 = 0 (LD_ABS/LD_IND out of bounds). */
  abort: string;
  /** Return immediately with r0 as it is (helper asked to unwind). */
  stop: string;
  /**
   * When present, 64-bit ALU ops and 64-bit jumps use the BigInt rows on these views of the
   * same registers (dst unsigned/signed, src unsigned/signed); see ALU64_BIG in ./semantics.ts.
   */
  big?: { du: string; ds: string; su: string; ss: string; t: string };
}

const LD: Record<string, string> = { b: 'ld8', h: 'ld16', w: 'ld32' };
const ST: Record<string, string> = { b: 'st8', h: 'st16', w: 'st32' };

/** JavaScript for one instruction (see the file comment). `M` is the Machine, `A` its args array. */
export function emitInsn(insn: EbpfInsn, n: EmitNames): string {
  const src = (i: { src: number } | { imm: number }): Pick<EmitNames, 'sl' | 'sh'> => ('src' in i ? { sl: n.sl, sh: n.sh } : { sl: n.imm, sh: n.immHi });
  switch (insn.kind) {
    case 'alu': {
      const big = n.big && insn.wide ? ALU64_BIG[insn.op]?.(n.big) : undefined;
      if (big !== undefined) return big;
      return emitAlu(insn.op, insn.wide, { dl: n.dl, dh: n.dh, ...src(insn), t: n.t });
    }
    case 'end': return emitEnd(insn.order, insn.width, { dl: n.dl, dh: n.dh, t: n.t });
    case 'jmp': {
      const cond = n.big && insn.wide ? JMP64_BIG[insn.op](n.big) : emitCond(insn.op, insn.wide, { dl: n.dl, dh: n.dh, ...src(insn), t: n.t });
      return `if (${cond}) { ${n.jump} }`;
    }
    case 'ja':
    case 'gotol': return n.jump;
    case 'exit': return n.exit;
    case 'call': {
      if (insn.call === 'local') return n.callLocal;
      if (insn.call === 'kfunc') return `throw new Fault(${n.pc}, 'kfunc calls are not supported', 'EBPF_KFUNC');`;
      return callHelper(n.imm, n);
    }
    case 'callx': return callHelper(n.dl, n);
    case 'lddw': return `${n.dl} = ${n.imm}; ${n.dh} = ${n.immHi};`;
    case 'ldabs':
    case 'ldind': {
      const at = insn.kind === 'ldabs' ? n.imm : `((${n.sl} + ${n.imm}) | 0)`;
      return `${n.t} = M.ldPkt(${at}, ${Sizes[insn.size].bytes}); if (${n.t} < 0) { ${n.abort} } ${n.r0l} = ${n.t} | 0; ${n.r0h} = 0;`;
    }
    case 'ldx': {
      const a = `${n.sh}, ${n.sl} + ${n.off}, ${n.pc}`;
      if (insn.size === 'dw') return `M.ld64(${a}); ${n.dl} = T[0]; ${n.dh} = T[1];`;
      const load = `M.${LD[insn.size]}(${a})`;
      if (!insn.signed) return `${n.dl} = ${load}; ${n.dh} = 0;`;
      const shift = insn.size === 'b' ? 24 : insn.size === 'h' ? 16 : 0;
      return `${n.dl} = (${load} << ${shift}) >> ${shift}; ${n.dh} = ${n.dl} >> 31;`;
    }
    case 'st':
    case 'stx': {
      const { sl, sh } = insn.kind === 'st' ? { sl: n.imm, sh: n.immHi } : { sl: n.sl, sh: n.sh };
      const a = `${n.dh}, ${n.dl} + ${n.off}`;
      return insn.size === 'dw' ? `M.st64(${a}, ${sl}, ${sh}, ${n.pc});` : `M.${ST[insn.size]}(${a}, ${sl}, ${n.pc});`;
    }
    case 'atomic': {
      const op = AtomicOps[insn.op].imm & ~1;
      const a = `${n.dh}, ${n.dl} + ${n.off}`;
      const call = insn.size === 'w'
        ? `M.atomic32(${op}, ${a}, ${n.sl}, ${n.r0l}, ${n.pc});`
        : `M.atomic64(${op}, ${a}, ${n.sl}, ${n.sh}, ${n.r0l}, ${n.r0h}, ${n.pc});`;
      if (insn.op === 'cmpxchg') return `${call} ${n.r0l} = T[0]; ${n.r0h} = T[1];`;
      if (insn.fetch) return `${call} ${n.sl} = T[0]; ${n.sh} = T[1];`;
      return call;
    }
    case 'raw': return `throw new Fault(${n.pc}, 'invalid instruction', 'EBPF_INVALID_INSN');`;
  }
}

/** r1..r5 → M.A, call, r0 ← T; stop when the helper unwound. */
function callHelper(id: string, n: EmitNames): string {
  const moves = n.args.map((a, k) => `A[${k}] = ${a};`).join(' ');
  return `${moves} M.call(${id}, ${n.pc}); ${n.r0l} = T[0]; ${n.r0h} = T[1]; if (M.stopped) { ${n.stop} }`;
}
