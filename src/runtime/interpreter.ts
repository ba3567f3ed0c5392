/**
 * The reference eBPF interpreter: the oracle every other engine is compared against.
 *
 * Technique: a decode-once, switch-dispatch loop. `prepare` (./semantics-program.ts) checks the
 * program; `predecode` flattens it into typed arrays (dispatch id, 2×dst, 2×src, off, imm pair,
 * branch target) so the loop reads numbers, never objects. The loop body itself is GENERATED
 * once at module load: one `case` per instruction shape (op × width × source kind …), each the
 * expansion of the shared semantic rows with operands `R[d]`, `R[d + 1]`, `IL[i]`, … where `R`
 * is the register file, an Int32Array of 11 (lo, hi) pairs. So the interpreter and the JIT
 * cannot disagree about what an instruction means, only about control flow, and the
 * interpreter follows the runtime's one budget rule (./index.ts: a unit per taken backward jump
 * and per local call), like every other engine.
 *
 * Local calls push (return index, r6–r9, r10) on an Int32Array frame stack and give the callee a
 * fresh 512-byte frame (r10 = top of it); exit pops, or ends the program at depth 0.
 */
import { AluOps, AtomicOps, CallKinds, EndOrders, JmpOps, STACK_SIZE } from '../isa/ebpf/opcodes.ts';
import type { AluOp, AtomicOp, CallKind, EndOrder, JmpOp, Size } from '../isa/ebpf/opcodes.ts';
import type { EbpfInsn } from '../isa/ebpf/types.ts';
import { SUPPORT_PROLOGUE, support } from './semantics.ts';
import { EbpfFault, FRAME_INTS, MAX_CALL_DEPTH, STACK_BYTES, TAG_BASE } from './semantics-memory.ts';
import type { Machine } from './semantics-memory.ts';
import { emitInsn } from './semantics-program.ts';
import type { Prepared } from './semantics-program.ts';


/** Dispatch key: the static shape of an instruction (everything but registers, off, imm). */
export function shapeKey(i: EbpfInsn): string {
  switch (i.kind) {
    case 'alu': return `alu ${i.op} ${i.wide} ${'src' in i}`;
    case 'end': return `end ${i.order} ${i.width}`;
    case 'jmp': return `jmp ${i.op} ${i.wide} ${'src' in i}`;
    case 'ja': case 'gotol': return 'ja';
    case 'call': return `call ${i.call}`;
    case 'ldabs': case 'ldind': return `${i.kind} ${i.size}`;
    case 'ldx': return `ldx ${i.size} ${i.signed}`;
    case 'st': case 'stx': return `${i.kind} ${i.size}`;
    case 'atomic': return `atomic ${i.op} ${i.fetch} ${i.size}`;
    default: return i.kind;
  }
}

/** One representative instruction per shape, enumerated from the opcode tables. */
function allShapes(): EbpfInsn[] {
  const out: EbpfInsn[] = [];
  const sizes: Size[] = ['b', 'h', 'w', 'dw'];
  for (const op of Object.keys(AluOps) as AluOp[]) for (const wide of [false, true]) {
    out.push({ kind: 'alu', op, wide, dst: 0, imm: 0 }, { kind: 'alu', op, wide, dst: 0, src: 0 });
  }
  for (const order of Object.keys(EndOrders) as EndOrder[]) for (const width of [16, 32, 64] as const) out.push({ kind: 'end', order, width, dst: 0 });
  for (const op of Object.keys(JmpOps) as JmpOp[]) for (const wide of [false, true]) {
    out.push({ kind: 'jmp', op, wide, dst: 0, imm: 0, off: 0 }, { kind: 'jmp', op, wide, dst: 0, src: 0, off: 0 });
  }
  out.push({ kind: 'ja', off: 0 }, { kind: 'exit' }, { kind: 'callx', dst: 0 }, { kind: 'lddw', lddw: 'imm64', dst: 0, imm: 0, imm2: 0 });
  for (const call of Object.keys(CallKinds) as CallKind[]) out.push({ kind: 'call', call, imm: 0 });
  for (const size of ['b', 'h', 'w'] as const) out.push({ kind: 'ldabs', size, imm: 0 }, { kind: 'ldind', size, src: 0, imm: 0 });
  for (const size of sizes) {
    out.push({ kind: 'ldx', size, signed: false, dst: 0, src: 0, off: 0 }, { kind: 'st', size, dst: 0, off: 0, imm: 0 }, { kind: 'stx', size, dst: 0, src: 0, off: 0 });
    if (size !== 'dw') out.push({ kind: 'ldx', size, signed: true, dst: 0, src: 0, off: 0 });
  }
  for (const op of Object.keys(AtomicOps) as AtomicOp[]) for (const fetch of [false, true]) for (const size of ['w', 'dw'] as const) {
    out.push({ kind: 'atomic', op, fetch, size, dst: 0, src: 0, off: 0 });
  }
  return out;
}

/**
 * The shape table and the loop's source, built on the first compileInterpreter call, not at
 * module load (about 8 ms of CPU a command that runs the JIT would pay for nothing).
 */
let tables: { shapeId: Map<string, number>; source: string } | undefined;
function interpreterTables(): { shapeId: Map<string, number>; source: string } {
  if (tables === undefined) {
    const shapes = allShapes();
    tables = { shapeId: new Map(shapes.map((s, k) => [shapeKey(s), k])), source: interpreterSource(shapes) };
  }
  return tables;
}

const BUDGET = "throw new Fault(PC[i], 'instruction budget exhausted', 'EBPF_BUDGET')";

/** The interpreter loop's source, built once from the semantic rows. */
function interpreterSource(shapes: readonly EbpfInsn[]): string {
  const cases = shapes.map((shape, k) => {
    const body = emitInsn(shape, {
      dl: 'R[d]', dh: 'R[d + 1]', sl: 'R[s]', sh: 'R[s + 1]',
      imm: 'IL[i]', immHi: 'IH[i]', off: 'OFF[i]', pc: 'PC[i]',
      r0l: 'R[0]', r0h: 'R[1]', args: ['R[2]', 'R[3]', 'R[4]', 'R[5]', 'R[6]', 'R[7]', 'R[8]', 'R[9]', 'R[10]', 'R[11]'], t: 't',
      // The budget rule (./index.ts): one unit per taken backward jump and per local call.
      jump: `if (TG[i] <= i && --budget < 0) ${BUDGET}; i = TG[i]; continue;`,
      callLocal:
        `if (--budget < 0) ${BUDGET}; if (sp >= ${MAX_CALL_DEPTH - 1}) throw new Fault(PC[i], 'call depth exceeds ${MAX_CALL_DEPTH}', 'EBPF_CALL_DEPTH'); ` +
        `f = sp * ${FRAME_INTS}; FS[f] = i + 1; for (let k = 0; k < 10; k++) FS[f + 1 + k] = R[12 + k]; ` +
        `sp++; R[20] = ${STACK_BYTES} - ${STACK_SIZE} * sp; R[21] = ${TAG_BASE}; i = TG[i]; continue;`,
      exit:
        `if (sp === 0) { M.r0l = R[0]; M.r0h = R[1]; return; } ` +
        `sp--; f = sp * ${FRAME_INTS}; for (let k = 0; k < 10; k++) R[12 + k] = FS[f + 1 + k]; i = FS[f]; continue;`,
      abort: 'M.r0l = 0; M.r0h = 0; return;',
      stop: 'M.r0l = R[0]; M.r0h = R[1]; return;',
    });
    return `      case ${k}: { ${body} i++; continue; }`;
  });
  return `'use strict';
  ${SUPPORT_PROLOGUE}
  const A = M.A;
  const { op: OP, dst: D, src: S, off: OFF, immLo: IL, immHi: IH, target: TG, pcOf: PC } = P;
  return function interpret(R, FS, budget) {
    let i = 0, t = 0, sp = 0, f = 0;
    for (;;) {
      const d = D[i], s = S[i];
      switch (OP[i]) {
${cases.join('\n')}
      }
    }
  };`;
}

/** The register file, frame stack and entry point of one loaded program. */
export type RunFn = (r1l: number, r1h: number, r2l: number, r2h: number, budget: number) => void;

/** Builds the interpreter for a prepared program. */
export function compileInterpreter(p: Prepared, m: Machine): RunFn {
  const { shapeId, source } = interpreterTables();
  const n = p.prog.length;
  const pre = {
    op: new Int32Array(n), dst: new Int32Array(n), src: new Int32Array(n), off: new Int32Array(n),
    immLo: p.immLo, immHi: p.immHi, target: p.target, pcOf: p.pcOf,
  };
  p.prog.forEach((insn, i) => {
    pre.op[i] = shapeId.get(shapeKey(insn)) ?? -1;
    if ('dst' in insn) pre.dst[i] = insn.dst * 2;
    if ('src' in insn) pre.src[i] = insn.src * 2;
    if ('off' in insn) pre.off[i] = insn.off;
  });
  const interpret = new Function('M', 'F', 'Fault', 'P', source)(m, support, EbpfFault, pre) as (R: Int32Array, FS: Int32Array, budget: number) => void;
  const R = new Int32Array(22);
  const FS = m.FS;
  return (r1l, r1h, r2l, r2h, budget) => {
    R.fill(0);
    R[2] = r1l; R[3] = r1h; R[4] = r2l; R[5] = r2h;
    R[20] = STACK_BYTES; R[21] = TAG_BASE; // r10 → top of frame 0 (frames grow down)
    interpret(R, FS, budget);
  };
}
