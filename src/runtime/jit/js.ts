/**
 * The main JIT tier: eBPF → JavaScript source → V8 (`new Function`).
 *
 * Each register becomes two int32 locals (`r3l`, `r3h`), so V8 keeps them in machine registers;
 * immediates and offsets become literals. Straight-line code is emitted as is; control flow uses
 * one labelled loop around a `switch (pc)` whose cases exist only at block entries (jump
 * targets, return points of local calls, pc 0), so consecutive instructions fall through and V8
 * compiles the switch to a jump table. Instruction semantics come from the same rows the
 * interpreter expands (`emitInsn`); what is JIT-specific is only control transfer:
 *   - a taken branch is `pc = T; continue main;` (nothing at all when T is the next instruction);
 *   - backward branches and local calls decrement the budget, so loops cannot hang;
 *   - local calls save r6–r9 and r10 in the machine's frame stack and give the callee a fresh
 *     512-byte frame, exit restores them (same layout as the interpreter).
 * Memory accesses go through the Machine's checked load/store methods (monomorphic calls that
 * V8 inlines), so faults are identical to the interpreter's — except the accesses the verifier
 * proved in bounds (`Prepared.proven`: stack accesses at known frame offsets, packet loads below
 * a data_end comparison, context field loads), which read and write the region's DataView
 * directly: the bounds check is hoisted into the verifier. The region views are read once per
 * run and again after each helper call (a helper may move or replace the packet).
 *
 * The same generator also emits the `jit64` tier (RegisterMode 'typed'): registers in one
 * ArrayBuffer with Int32Array / BigUint64Array / BigInt64Array views, 64-bit ALU ops and jumps
 * as BigInt typed-array operations, everything else through the pair rows on the Int32Array —
 * for programs with 64-bit multiply/divide/modulo/constant shifts, and only for the registers
 * those rows touch (usesBigRows: elsewhere the pair rows on locals are faster).
 *
 * Batch form (jitBatchSource, compileDispatchBatch; the contract of ../batch.ts): the packet loop
 * around the dispatch loop, for `jit-dispatch`, `jit64`, and `jit` when its structured form does
 * not apply. Per packet: registers from zero, r1 = the context, a fresh budget, the hook's
 * data/data_end/len folded to the packet's values; a fault throws out of the call with the
 * single run's error, after the earlier packets' verdicts.
 */
import { STACK_SIZE } from '../../isa/ebpf/opcodes.ts';
import type { RunFn } from '../interpreter.ts';
import { ALU64_BIG, SUPPORT_PROLOGUE, support } from '../semantics.ts';
import type { EbpfInsn, EbpfProgram } from '../../isa/ebpf/types.ts';
import { EbpfFault, FRAME_INTS, MAX_CALL_DEPTH, Machine, REGION, STACK_BYTES, TAG_BASE } from '../semantics-memory.ts';
import { emitInsn, prepare } from '../semantics-program.ts';
import type { Prepared } from '../semantics-program.ts';
import { accessPlan, canStructure, foldAccepts, segmented, specializedSource, structuredBatchSource, structuredSource } from './structured.ts';
import { compareRegions, probeCode, probeTables, threadedTargets } from './compare-sets.ts';
import type { CompareRegion } from './compare-sets.ts';
import type { BatchFold } from './structured.ts';

/**
 * Register placement. `locals`: two int32 locals per register (the default tier). `typed`: the
 * registers the BigInt rows work on live in one ArrayBuffer seen as Int32Array (RI, pairs for
 * 32-bit ops, memory and calls), BigUint64Array (RU) and BigInt64Array (RS), and 64-bit ALU ops
 * and jumps use the BigInt rows — the `jit64` tier, faster on 64-bit multiply/divide/shift-heavy
 * code. It uses the BigInt rows only for programs that do such operations (usesBigRows), and keeps
 * every register no BigInt row touches a pair of locals.
 */
export type RegisterMode = 'locals' | 'typed';

/**
 * The batch form of the dispatch loop (see ../batch.ts): what `jitBatchSource` needs besides the
 * program. `budget` is the load's budget, given afresh to every packet.
 */
export interface DispatchBatch { fold: BatchFold; budget: number }

/** Generates the JavaScript source of a prepared program (exported for tests and `--dump`). */
export function jitSource(p: Prepared, mode: RegisterMode = 'locals'): string {
  return dispatchSource(p, mode, undefined);
}

/**
 * The batch function of the dispatch-loop generator, `batch(view, buf, O, C, W, count, V)` (the
 * contract of structuredBatchSource): the packet loop around the `main: for (;;) switch (pc)`
 * loop. Per packet the registers start from zero (r1 = the context pointer, r10 = the frame), the
 * budget starts from `budget`, and context loads of the fields in `fold` are the packet's values
 * (data = packet offset 0, data_end = caplen, len = the wire length); exit writes r0's low half to
 * V[i] and goes on with the next packet. A fault throws out of the call, as the single run throws.
 */
export function jitBatchSource(p: Prepared, mode: RegisterMode, batch: DispatchBatch): string {
  return dispatchSource(p, mode, batch);
}

function dispatchSource(p: Prepared, mode: RegisterMode, batch: DispatchBatch | undefined): string {
  const { prog, pcOf, immLo, immHi } = p;
  // Forward-only programs: jumps threaded through `ja` and compare regions as hash probes
  // (./compare-sets.ts), as in the structured form. With back edges, every jump stays as written
  // (the budget counts back edges).
  const forward = p.target.every((t, i) => t < 0 || t > i);
  const target = forward ? threadedTargets(p) : p.target;
  const regions = forward ? compareRegions(p) : new Map<number, CompareRegion>();
  const typed = mode === 'typed';
  // Typed mode: the registers a BigInt row names live in the typed arrays (the rows work on them
  // there); a register no BigInt row touches is only ever read and written as int32 halves, so it
  // stays a pair of locals as in the default tier (a typed-array access per operand, and BigInt
  // rows for pointer adds and compares, were most of this tier's cost on converted filters).
  const inArray = new Set<number>();
  const big64 = typed && usesBigRows(prog);
  if (big64) {
    for (const insn of prog) {
      if ((insn.kind === 'alu' || insn.kind === 'jmp') && bigRow(insn)) {
        inArray.add(insn.dst);
        if ('src' in insn) inArray.add(insn.src);
      }
    }
  }
  const rl = (r: number) => (inArray.has(r) ? `RI[${2 * r}]` : `r${r}l`);
  const rh = (r: number) => (inArray.has(r) ? `RI[${2 * r + 1}]` : `r${r}h`);
  // Block entries: pc 0, every branch target, every return point of a local call (a compare
  // region's inside is not code: its exits are entries).
  const entry = new Set<number>([0]);
  for (let i = 0; i < prog.length; i++) {
    const r = regions.get(i);
    if (r !== undefined) { entry.add(r.hit).add(r.miss); i = r.end - 1; continue; }
    const insn = prog[i]!;
    if (target[i]! >= 0) entry.add(target[i]!);
    if (insn.kind === 'call' && insn.call === 'local') entry.add(i + 1);
  }
  // `pc` holds a block's number, dense from 0 in program order, so the switch is one jump table.
  const blockNo = new Map<number, number>([...entry].sort((a, b) => a - b).map((e, k) => [e, k]));
  const no = (e: number) => blockNo.get(e)!;
  const saved = [6, 7, 8, 9, 10].flatMap((r) => [rl(r), rh(r)]);
  // Without local calls there is never a frame to pop: exit simply returns (keeps the frame
  // stack out of the function, which helps V8 keep registers unboxed).
  const hasCalls = prog.some((insn) => insn.kind === 'call' && insn.call === 'local');
  // Strings that do not depend on the instruction are built once (source generation is the
  // bulk of compile time).
  const args = [1, 2, 3, 4, 5].flatMap((r) => [rl(r), rh(r)]);
  const saveFrame = saved.map((v, k) => `FS[f + ${k + 1}] = ${v};`).join(' ');
  // The end of a run: r0 to the machine (single run), or to the packet's verdict (batch).
  const fold = batch?.fold;
  const acc = fold ? `${fold.accept.equal ? '===' : '!=='} ${fold.accept.value | 0}` : '';
  const done = !batch ? `M.r0l = ${rl(0)}; M.r0h = ${rh(0)}; return;` : `t = ${rl(0)}; V[i] = t; if (t ${acc}) NA++; continue pkt;`;
  const exit = !hasCalls
    ? done
    : `if (sp === 0) { ${done} } ` +
      `sp--; f = sp * ${FRAME_INTS}; ${saved.map((v, k) => `${v} = FS[f + ${k + 1}];`).join(' ')} pc = FS[f]; continue main;`;
  const stop = done;
  const abort = !batch ? 'M.r0l = 0; M.r0h = 0; return;' : `V[i] = 0;${foldAccepts(fold!, 0) ? ' NA++;' : ''} continue pkt;`;
  // Direct (verifier-proven) accesses and, in batch form, context loads folded to the packet's
  // values: the same rules as the structured form.
  const { directOf, foldOf } = accessPlan(p, fold, rl, rh);
  const uses = new Set<string>();
  prog.forEach((_, i) => { const d = directOf(i); if (d !== undefined && foldOf(i) === undefined) uses.add(d); });
  const usesPkt = uses.has('pkt'), usesStack = uses.has('stack'), usesCtx = uses.has('ctx');
  // A helper may move or replace the packet, and re-sync the context: read those views again.
  const reloadViews = (usesPkt ? ` PV = M.views[${REGION.packet}]; PB = M.base[${REGION.packet}];` : '') +
    (usesCtx ? ` CV = M.views[${REGION.ctx}]; CB = M.base[${REGION.ctx}];` : '');
  const regL = Array.from({ length: 11 }, (_, r) => rl(r));
  const regH = Array.from({ length: 11 }, (_, r) => rh(r));
  // A direct unsigned 16/32-bit packet load followed by `be16`/`be32` of the same register (how
  // translated classic loads read network order) is one big-endian DataView read, the swap then
  // emits nothing; only when the swap starts no block (as in the structured form).
  const fusedSwap = new Uint8Array(prog.length);
  for (let i = 0; i + 1 < prog.length; i++) {
    const a = prog[i]!, b = prog[i + 1]!;
    if (a.kind !== 'ldx' || a.signed || (a.size !== 'h' && a.size !== 'w') || directOf(i) !== 'pkt' || foldOf(i) !== undefined) continue;
    if (b.kind !== 'end' || b.order !== 'be' || b.dst !== a.dst || b.width !== (a.size === 'h' ? 16 : 32) || entry.has(i + 1) || regions.has(i + 1)) continue;
    fusedSwap[i + 1] = 1;
  }
  // High halves the verifier proved before an instruction (0, or a region's tag: the latter in
  // batch form only, where data is offset 0 of the packet region by construction) are read as
  // literals, so V8 drops the carry and tag arithmetic of pointer adds and bounds checks (a
  // register's value merges at the dispatch loop's head, where V8 cannot see it is constant).
  // Only reads are replaced, and only in kinds whose code reads every operand before it writes.
  const TAGS: Record<string, number> = { pkt: TAG_BASE + REGION.packet, ctx: TAG_BASE + REGION.ctx, stack: TAG_BASE + REGION.stack };
  const withHighs = (i: number, code: string): string => {
    const h = p.highs?.get(pcOf[i]!);
    const kind = prog[i]!.kind;
    if (h === undefined || (kind !== 'alu' && kind !== 'jmp' && kind !== 'ldx' && kind !== 'st' && kind !== 'stx')) return code;
    for (let r = 0; r < 11; r++) {
      const fact = h[r];
      if (fact === undefined || inArray.has(r) || (fact !== 0 && !batch) || !code.includes(rh(r))) continue;
      code = code.replace(HIGH_READ[r]!, fact === 0 ? '0' : `${TAGS[fact]}`);
    }
    return code;
  };
  const lines: string[] = [];
  let skipTo = 0;
  prog.forEach((insn, i) => {
    if (i < skipTo) return; // inside a compare region
    if (entry.has(i)) lines.push(`    case ${no(i)}:`);
    if (fusedSwap[i]) return;
    const region = regions.get(i);
    if (region !== undefined) {
      lines.push(`      ${probeCode(region, rl(region.reg), (t) => `pc = ${no(t)}; continue main;`)}`);
      skipTo = region.end;
      return;
    }
    const tgt = target[i]!;
    const budgetCheck = () => `if (--budget < 0) throw new Fault(${pcOf[i]}, 'instruction budget exhausted', 'EBPF_BUDGET');`;
    const jump = tgt < 0 || tgt === i + 1 ? '' : `${tgt <= i ? budgetCheck() : ''} pc = ${no(tgt)}; continue main;`;
    const dst = 'dst' in insn ? insn.dst : 0;
    const src = 'src' in insn ? insn.src : 0;
    const off = 'off' in insn ? insn.off : 0;
    const hasSrcReg = 'src' in insn;
    const isLocalCall = insn.kind === 'call' && insn.call === 'local';
    let big;
    if (big64 && bigRow(insn)) {
      const imm64 = BigInt(immLo[i]!);
      big = { du: `RU[${dst}]`, ds: `RS[${dst}]`, su: hasSrcReg ? `RU[${src}]` : `${BigInt.asUintN(64, imm64)}n`, ss: hasSrcReg ? `RS[${src}]` : `${imm64}n`, t: 'tb' };
    }
    const direct = directOf(i);
    const be = fusedSwap[i + 1] && insn.kind === 'ldx' ? `t = PB + ${regL[src]} + ${off}; ${regL[dst]} = PV.${insn.size === 'h' ? 'getUint16' : 'getInt32'}(t); ${regH[dst]} = 0;` : undefined;
    const code = be ?? foldOf(i) ?? (direct !== undefined ? emitDirect(insn, direct, regL[dst]!, regH[dst]!, regL[src]!, regH[src]!, off, immLo[i]!, immHi[i]!) : emitInsn(insn, {
      big,
      dl: regL[dst]!, dh: regH[dst]!, sl: regL[src]!, sh: regH[src]!,
      imm: `${immLo[i]}`, immHi: `${immHi[i]}`, off: `${off}`, pc: `${pcOf[i]}`,
      r0l: regL[0]!, r0h: regH[0]!, args, t: 't',
      jump,
      callLocal: !isLocalCall ? '' :
        `${budgetCheck()} if (sp >= ${MAX_CALL_DEPTH - 1}) throw new Fault(${pcOf[i]}, 'call depth exceeds ${MAX_CALL_DEPTH}', 'EBPF_CALL_DEPTH'); ` +
        `f = sp * ${FRAME_INTS}; FS[f] = ${no(i + 1)}; ${saveFrame} ` +
        `sp++; ${rl(10)} = ${STACK_BYTES} - ${STACK_SIZE} * sp; ${rh(10)} = ${TAG_BASE}; pc = ${no(tgt)}; continue main;`,
      exit,
      abort,
      stop,
    }));
    const helperCall = (insn.kind === 'call' && insn.call === 'helper') || insn.kind === 'callx';
    lines.push(`      ${withHighs(i, code)}${helperCall ? reloadViews : ''}`);
  });
  // The registers the code names (typed mode zeroes only those at entry: a register nothing
  // names is never read; a helper call reads r1-r5 and writes r0).
  const named = new Set<number>([0, 1, 10]);
  const helperCalls = prog.some((insn) => (insn.kind === 'call' && insn.call !== 'local') || insn.kind === 'callx');
  if (helperCalls || hasCalls) for (let r = 0; r <= 10; r++) named.add(r);
  for (const insn of prog) {
    if ('dst' in insn) named.add(insn.dst);
    if ('src' in insn) named.add(insn.src);
  }
  if (prog.some((insn) => insn.kind === 'ldind' || insn.kind === 'ldabs')) named.add(0);
  const zeroTyped = [...named].filter((r) => inArray.has(r)).sort((a, b) => a - b).map((r) => `${rl(r)} = 0; ${rh(r)} = 0;`).join(' ');
  const locals = Array.from({ length: 11 }, (_, r) => r).filter((r) => !inArray.has(r));
  const regs = locals.length === 0 ? '' : `${locals.map((r) => `${rl(r)} = 0, ${rh(r)} = 0`).join(', ')}, `;
  const dispatch = `  main: for (;;) {
    switch (pc) {
${lines.join('\n')}
    default:
      // Unreachable: prepare() guarantees the last instruction is exit or a jump, and pc only
      // ever holds block entries. Kept so a code-generation bug faults instead of spinning.
      throw new Fault(${pcOf[prog.length - 1]}, 'control left the program', 'EBPF_FALLS_OFF');
    }
  }`;
  const prologue = `'use strict';
${SUPPORT_PROLOGUE}
const A = M.A, FS = M.FS;
${probeTables(regions)}
${inArray.size > 0 ? 'const RB = new ArrayBuffer(88), RI = new Int32Array(RB), RU = new BigUint64Array(RB), RS = new BigInt64Array(RB);' : ''}`;
  if (!batch) {
    return `${prologue}
return function jitted(a1l, a1h, a2l, a2h, budget) {
  let ${regs}t = 0, ${typed ? 'tb = 0n, ' : ''}f = 0, sp = 0, pc = 0${usesPkt ? `, PV = M.views[${REGION.packet}], PB = M.base[${REGION.packet}]` : ''}${usesStack ? `, SV = M.views[${REGION.stack}], SB = M.base[${REGION.stack}]` : ''}${usesCtx ? `, CV = M.views[${REGION.ctx}], CB = M.base[${REGION.ctx}]` : ''};
  ${zeroTyped} ${rl(1)} = a1l; ${rh(1)} = a1h; ${rl(2)} = a2l; ${rh(2)} = a2h; ${rl(10)} = ${STACK_BYTES}; ${rh(10)} = ${TAG_BASE};
${dispatch}
};`;
  }
  // Batch: the machine's packet region is the block buffer, its window moved per packet, when
  // anything reaches the packet through the machine (checked accesses, LD_ABS/LD_IND, helpers).
  const checked = prog.some((insn, i) => foldOf(i) === undefined && directOf(i) === undefined &&
    (insn.kind === 'ldabs' || insn.kind === 'ldind' || insn.kind === 'ldx' || insn.kind === 'st' || insn.kind === 'stx' || insn.kind === 'atomic' || insn.kind === 'call' || insn.kind === 'callx'));
  const body = lines.join('\n');
  const reads = (name: string) => new RegExp(`\\b${name}\\b`).test(body) || (name !== 'WL' && checked);
  const perPacket = [reads('PB') ? 'PB = O[i]' : '', reads('PL') ? 'PL = C[i]' : '', reads('WL') ? 'WL = W[i]' : ''].filter((x) => x !== '');
  const region = checked ? ` M.base[${REGION.packet}] = PB; M.size[${REGION.packet}] = PL;` : '';
  const stopped = helperCalls ? ' M.stopped = false;' : '';
  return `${prologue}
return function batch(view, buf, O, C, W, count, V) {
  let PV = view${usesStack ? `, SV = M.views[${REGION.stack}], SB = M.base[${REGION.stack}]` : ''}${usesCtx ? `, CV = M.views[${REGION.ctx}], CB = M.base[${REGION.ctx}]` : ''}, NA = 0;${checked ? ` M.setRegion(${REGION.packet}, buf, true, 0, 0);` : ''}
  pkt: for (let i = 0; i < count; i++) {
    ${perPacket.length > 0 ? `let ${perPacket.join(', ')};` : ''}${region}${stopped}
    let ${regs}t = 0, ${typed ? 'tb = 0n, ' : ''}f = 0, sp = 0, pc = 0, budget = ${batch.budget};
    ${zeroTyped} ${rl(1)} = 0; ${rh(1)} = ${TAG_BASE + REGION.ctx}; ${rl(10)} = ${STACK_BYTES}; ${rh(10)} = ${TAG_BASE};
${dispatch}
  }
  return NA;
};`;
}

/** Reads of register r's high-half local (not assignment targets), per register. */
const HIGH_READ = Array.from({ length: 11 }, (_, r) => new RegExp(`(?<![\\w.$])r${r}h\\b(?!\\s*(?:[-+*/%&|^]|<<|>>>?)?=(?!=))(?!\\s*(?:\\+\\+|--))`, 'g'));

/**
 * Whether the jit64 tier uses its BigInt rows for this program: when it does 64-bit multiply,
 * divide, modulo or constant-count shifts (chooseEngine's criterion in ../index.ts), where the
 * typed-array BigInt operations win. Elsewhere they lose to the int32-pair rows: measured on
 * Node 20 (V8 11.3), a typed-array BigInt add, xor, compare or shift costs 1.5-4x its pair row,
 * and a register written as int32 halves and read back as a BigInt (or the reverse) stalls on
 * store forwarding, so on 32-bit and pointer code (every converted classic filter) the tier
 * emits the pair rows with every register a local pair, the code jit-dispatch emits.
 */
function usesBigRows(prog: readonly EbpfInsn[]): boolean {
  return prog.some((i) => i.kind === 'alu' && i.wide &&
    (i.op === 'mul' || i.op === 'div' || i.op === 'sdiv' || i.op === 'mod' || i.op === 'smod' ||
      ((i.op === 'lsh' || i.op === 'rsh' || i.op === 'arsh') && 'imm' in i)));
}

/** An instruction the BigInt rows run (in a program that uses them): 64-bit ALU ops with a row, 64-bit jumps. */
function bigRow(insn: EbpfInsn): boolean {
  return (insn.kind === 'alu' && insn.wide && ALU64_BIG[insn.op] !== undefined) || (insn.kind === 'jmp' && insn.wide);
}

/**
 * A proven access without the run-time check: `V`/`B` are the region's DataView and window
 * start (PV/PB for the packet, SV/SB for the stack); the address register's low half is the
 * offset in the region, as for the checked accessors (semantics-memory.ts), whose results
 * these lines reproduce exactly (loads zero- or sign-extend, stores truncate).
 */
export function emitDirect(insn: EbpfInsn, region: 'stack' | 'pkt' | 'ctx', dl: string, dh: string, sl: string, sh: string, off: number, imm: number, immHi: number): string {
  const [V, B] = region === 'pkt' ? ['PV', 'PB'] : region === 'ctx' ? ['CV', 'CB'] : ['SV', 'SB'];
  if (insn.kind === 'ldx') {
    const at = `t = ${B} + ${sl} + ${off};`;
    switch (insn.size) {
      case 'b': return insn.signed ? `${at} ${dl} = ${V}.getInt8(t); ${dh} = ${dl} >> 31;` : `${at} ${dl} = ${V}.getUint8(t); ${dh} = 0;`;
      case 'h': return insn.signed ? `${at} ${dl} = ${V}.getInt16(t, true); ${dh} = ${dl} >> 31;` : `${at} ${dl} = ${V}.getUint16(t, true); ${dh} = 0;`;
      case 'w': return `${at} ${dl} = ${V}.getInt32(t, true); ${dh} = ${insn.signed ? `${dl} >> 31` : '0'};`;
      case 'dw': return `${at} ${dl} = ${V}.getInt32(t, true); ${dh} = ${V}.getInt32(t + 4, true);`;
    }
  }
  if (insn.kind !== 'st' && insn.kind !== 'stx') throw new Error(`jit: no direct form for ${insn.kind}`);
  const [vl, vh] = insn.kind === 'st' ? [`${imm}`, `${immHi}`] : [sl, sh];
  const at = `t = ${B} + ${dl} + ${off};`;
  switch (insn.size) {
    case 'b': return `${at} ${V}.setUint8(t, ${vl});`;
    case 'h': return `${at} ${V}.setUint16(t, ${vl}, true);`;
    case 'w': return `${at} ${V}.setInt32(t, ${vl}, true);`;
    case 'dw': return `${at} ${V}.setInt32(t, ${vl}, true); ${V}.setInt32(t + 4, ${vh}, true);`;
  }
}

/**
 * Compiles a prepared program to a JavaScript function: structured code (./structured.ts) when
 * the program has no back edges and no local calls, the dispatch loop above otherwise.
 */
export function compileJs(p: Prepared, m: Machine): RunFn {
  const src = canStructure(p) ? structuredSource(p) : jitSource(p, 'locals');
  return new Function('M', 'F', 'Fault', src)(m, support, EbpfFault) as RunFn;
}

/** The dispatch-loop generator alone (engine `jit-dispatch`: keeps it under every test). */
export function compileJsDispatch(p: Prepared, m: Machine): RunFn {
  return new Function('M', 'F', 'Fault', jitSource(p, 'locals'))(m, support, EbpfFault) as RunFn;
}

/**
 * The batch form of the structured code (see ../batch.ts), or undefined when the program needs
 * the dispatch loop (the hook then loops over the packets itself).
 */
export function compileJsBatch(p: Prepared, m: Machine, fold: BatchFold): StructuredBatchFn | undefined {
  if (!canStructure(p)) return undefined;
  // Folded data/data_end are per-packet constants: only helpers that never move the packet (or
  // need the hook's packet state, as skb_load_bytes does) may run inside the batch loop.
  if (p.prog.some((i) => (i.kind === 'call' && i.call === 'helper' && !BATCH_HELPERS.has(i.imm)) || i.kind === 'callx')) return undefined;
  const src = structuredBatchSource(p, fold);
  const generic = new Function('M', 'F', 'Fault', src)(m, support, EbpfFault) as StructuredBatchFn;
  if (segmented(p) || process.env.TSDUMP_JIT_SPECIALIZE === '0') return generic;
  return specializedBatch(generic, () => specializedSource(src), m);
}

let specSerial = 0;

/** How many specialized copies one loaded program may compile (then it stays generic). */
const MAX_SPECIALIZATIONS = 8;

/**
 * A capture reader hands the hook the same block arrays (its reused buffer, offsets, lengths and
 * the caller's verdicts) call after call. When two calls in a row arrive with the same arrays, the
 * batch code is compiled once more with those arrays as constants of its closure: V8 then embeds
 * their addresses and lengths instead of re-reading them per access, which cuts the per-packet
 * cost of short filters by a third to a half. Other calls (new arrays every block) run the generic form.
 */
function specializedBatch(generic: StructuredBatchFn, specSource: () => string, m: Machine): StructuredBatchFn {
  let specSrc: string | undefined;
  let sBuf: Uint8Array | undefined, sO: Int32Array | undefined, sC: Int32Array | undefined, sW: Int32Array | undefined, sV: Int32Array | undefined;
  let spec: StructuredBatchFn | undefined;
  let lBuf: Uint8Array | undefined, lO: Int32Array | undefined, lC: Int32Array | undefined, lW: Int32Array | undefined, lV: Int32Array | undefined;
  let made = 0;
  // Keyed by the block's byte array, not its DataView: a caller may wrap the same bytes in a new
  // view (the runtime makes one per buffer change), and the copy's own view sees the same bytes.
  return (view, buf, O, C, W, count, V) => {
    if (buf === sBuf && O === sO && C === sC && W === sW && V === sV) return spec!(view, buf, O, C, W, count, V);
    if (buf === lBuf && O === lO && C === lC && W === lW && V === lV && made < MAX_SPECIALIZATIONS) {
      made++;
      specSrc ??= specSource();
      // A unique source each time: V8 caches compiled sources, and a second closure of the same
      // code would share its SharedFunctionInfo, which turns the constant specialization off.
      spec = new Function('M', 'F', 'Fault', 'view', 'buf', 'O', 'C', 'W', 'V', `${specSrc}\n// specialization ${++specSerial}`)(m, support, EbpfFault, view, buf, O, C, W, V) as StructuredBatchFn;
      sBuf = buf; sO = O; sC = C; sW = W; sV = V;
      return spec(view, buf, O, C, W, count, V);
    }
    lBuf = buf; lO = O; lC = C; lW = W; lV = V;
    return generic(view, buf, O, C, W, count, V);
  };
}

/**
 * Whether the structured JIT runs `prog` as one function (no back edges, no local calls, short
 * enough once its compare regions count as one instruction): what `--engine auto` asks.
 */
export function structuredFits(prog: EbpfProgram): boolean {
  // Only the control flow matters here: map references resolve to a dummy address.
  const p = prepare(prog, new Machine({}), () => 0n);
  return canStructure(p) && !segmented(p);
}

/** Helpers a batch function may call: map lookup/update/delete, clocks, prandom, CPU id. */
const BATCH_HELPERS = new Set([1, 2, 3, 5, 7, 8, 118, 125, 160]);

/** batch(view, buf, offsets, caplens, wirelens, count, verdicts) → accepted, see structuredBatchSource. */
export type StructuredBatchFn = (view: DataView, buf: Uint8Array, offsets: Int32Array, caplens: Int32Array, wirelens: Int32Array, count: number, verdicts: Int32Array) => number;

/** The jit64 tier: typed-array registers with BigInt 64-bit arithmetic. */
export function compileJs64(p: Prepared, m: Machine): RunFn {
  return new Function('M', 'F', 'Fault', jitSource(p, 'typed'))(m, support, EbpfFault) as RunFn;
}

/**
 * The batch form of the dispatch loop (jitBatchSource) in register mode `mode`: the batch path of
 * the `jit-dispatch` (locals) and `jit64` (typed) engines, and of `jit` for the programs its
 * structured form cannot run (back edges, local calls). Undefined when the program calls a helper
 * that may move the packet (or callx): folded data/data_end are per-packet constants, so the
 * hook then loops over the packets itself. Like the structured batch form, a caller that hands
 * over the same block arrays twice in a row gets a copy compiled with them as constants.
 */
export function compileDispatchBatch(p: Prepared, m: Machine, fold: BatchFold, budget: number, mode: RegisterMode): StructuredBatchFn | undefined {
  if (p.prog.some((i) => (i.kind === 'call' && i.call === 'helper' && !BATCH_HELPERS.has(i.imm)) || i.kind === 'callx')) return undefined;
  const src = jitBatchSource(p, mode, { fold, budget });
  const generic = new Function('M', 'F', 'Fault', src)(m, support, EbpfFault) as StructuredBatchFn;
  if (process.env.TSDUMP_JIT_SPECIALIZE === '0') return generic;
  return specializedBatch(generic, () => specializedSource(src), m);
}
