/**
 * The structured JavaScript tier: eBPF without back edges and without local calls (every
 * translated classic filter except protochain's loop) becomes straight-line JavaScript in
 * nested labelled blocks — no `pc` variable, no `switch` dispatch, nothing V8 has to merge at a
 * loop header — so TurboFan sees one acyclic function and keeps every register in a machine
 * register or folds it away.
 *
 * Technique (a classic "relooper" for forward-only control flow): for every distinct jump
 * target t we open one block `L<t>: {` at the start of the code and close it just before
 * instruction t. All blocks start at the same place, so they nest by t (the farthest target is
 * the outermost block) and a forward branch from i to t is `break L<t>;` — legal because i < t
 * lies inside L<t>. Falling through needs nothing.
 *
 * What the verifier proved is used three ways:
 *   - narrow registers: a register every write of which leaves the high half 0 (ALU32 results,
 *     unsigned sub-64-bit loads, be16/be32 — all that converted classic BPF puts in A and X)
 *     is one int32 local; its high half is the literal 0 in the generated code;
 *   - proven accesses read the region's DataView directly (as in ./js.ts);
 *   - in a batch function, context loads of the fields the hook supplies fold to per-packet
 *     values: data and data_end become (packet offset 0, caplen) pointers and `len` the wire
 *     length, read from the block's typed arrays, instead of loads from a context buffer.
 *
 * Large programs: V8 does not optimize a function whose bytecode exceeds about 60 KB. A program
 * longer than SEGMENT instructions is cut into segments, each its own function over shared
 * (closure) registers: a segment copies the registers into locals on entry and back on exit,
 * enters at any of its entry points with a `switch` whose cases `break` to the entry's block
 * (entries are forward targets of the virtual instruction before the segment), and returns the
 * next instruction index (or -1 after exit) to a small dispatch loop.
 *
 * Batch functions (`structuredBatchSource`) put the packet loop inside the generated code:
 * `exit` stores r0 into `verdicts[i]` and continues with the next packet, so the per-call cost is
 * paid once per block of packets and nothing is allocated per packet.
 */
import type { EbpfInsn } from '../../isa/ebpf/types.ts';
import { SUPPORT_PROLOGUE } from '../semantics.ts';
import { REGION, STACK_BYTES, TAG_BASE } from '../semantics-memory.ts';
import { emitInsn } from '../semantics-program.ts';
import type { Prepared } from '../semantics-program.ts';
import { emitDirect } from './js.ts';
import { compareRegions, probeCode, probeTables, threadedTargets } from './compare-sets.ts';
import type { CompareRegion } from './compare-sets.ts';

/** Instructions per generated function: well below V8's bytecode limit for optimization. */
export const SEGMENT = 2400;

/**
 * Whether the program is cut into segment functions (the per-packet state then lives in the
 * closure): when it is longer than SEGMENT instructions once its compare regions count as one.
 */
export function segmented(p: Prepared): boolean {
  let n = p.prog.length;
  if (n <= SEGMENT) return false;
  for (const r of compareRegions(p).values()) n -= r.end - r.start - 1;
  return n > SEGMENT;
}

/**
 * structuredFits (./js.ts) without preparing the program, for one short enough never to be
 * segmented: whether it has no back edge and no local call (read from the relative offsets).
 * Undefined for longer programs (their compare regions decide).
 */
export function shortStructured(prog: readonly EbpfInsn[]): boolean | undefined {
  if (prog.length > SEGMENT) return undefined;
  for (const insn of prog) {
    if (insn.kind === 'callx' || (insn.kind === 'call' && insn.call === 'local')) return false;
    if ((insn.kind === 'jmp' || insn.kind === 'ja') && insn.off < 0) return false;
    if (insn.kind === 'gotol' && insn.imm < 0) return false;
  }
  return true;
}

/** The hash tables of a program's compare regions, as constant declarations of the generated code. */
function tableDecls(p: Prepared): string {
  return probeTables(compareRegions(p));
}

/** True when the structured generator applies: no backward jump, no local call, no callx. */
export function canStructure(p: Prepared): boolean {
  const { prog, target } = p;
  for (let i = 0; i < prog.length; i++) {
    const insn = prog[i]!;
    if (insn.kind === 'call' && insn.call === 'local') return false;
    if (insn.kind === 'callx') return false;
    if (target[i]! >= 0 && target[i]! <= i) return false;
  }
  return true;
}

/**
 * Registers whose high half is 0 after every write (and at entry). r1 (the context pointer at
 * entry) and r10 (the frame pointer) never are; r0 is not when the program calls a helper.
 */
function narrowRegisters(p: Prepared): boolean[] {
  const narrow = Array.from({ length: 11 }, (_, r) => r !== 1 && r !== 10);
  const { prog, immHi } = p;
  prog.forEach((insn, i) => {
    const kill = (r: number) => { narrow[r] = false; };
    switch (insn.kind) {
      case 'alu':
        // 32-bit ops zero-extend; a 64-bit op keeps a zero high half only as `mov64 dst, imm>=0`.
        if (insn.wide && !(insn.op === 'mov' && 'imm' in insn && insn.imm >= 0)) kill(insn.dst);
        break;
      case 'end': if (insn.width === 64) kill(insn.dst); break;
      case 'ldx': if (insn.signed || insn.size === 'dw') kill(insn.dst); break;
      case 'lddw': if (immHi[i] !== 0) kill(insn.dst); break;
      case 'call': case 'callx': kill(0); break;
      case 'atomic':
        if (insn.op === 'cmpxchg') kill(0);
        else if (insn.fetch) kill(insn.src);
        break;
      default: break;
    }
  });
  return narrow;
}

/**
 * How each memory instruction is emitted, shared by the structured and the dispatch-loop batch
 * generators: `directOf(i)` the region an access was proven inside (read or written through the
 * region's DataView without a check), `foldOf(i)` the code of a context load that a batch
 * function folds to a per-packet value (data and data_end as the packet's offset-0 and caplen
 * pointers, `len` as the wire length). Pointer fields were rewritten to whole 8-byte shadow
 * loads; a scalar folds only when read whole (a narrow read of one byte of `len` reads the
 * context image instead).
 */
export function accessPlan(p: Prepared, fold: BatchFold | undefined, rl: (r: number) => string, rh: (r: number) => string): {
  directOf(i: number): 'stack' | 'pkt' | 'ctx' | undefined;
  foldOf(i: number): string | undefined;
} {
  const { prog, pcOf, proven } = p;
  const directOf = (i: number): 'stack' | 'pkt' | 'ctx' | undefined => {
    const insn = prog[i]!;
    if (!proven || (insn.kind !== 'ldx' && insn.kind !== 'stx' && insn.kind !== 'st')) return undefined;
    const r = proven.get(pcOf[i]!);
    return r !== 'stack' && insn.kind !== 'ldx' ? undefined : r;
  };
  const foldOf = (i: number): string | undefined => {
    const insn = prog[i]!;
    if (!fold || insn.kind !== 'ldx' || directOf(i) !== 'ctx') return undefined;
    const field = p.ctxField?.get(pcOf[i]!);
    if (field === undefined) return undefined;
    const v = fold.fields.get(field.name);
    if (v === undefined) return undefined;
    if (field.kind === 'scalar' ? !(insn.size === 'w' && insn.off === field.off) : insn.size !== 'dw') return undefined;
    const d = insn.dst;
    switch (v) {
      case 'data': return `${rl(d)} = 0; ${rh(d)} = ${TAG_BASE + REGION.packet};`;
      case 'data_end': return `${rl(d)} = PL; ${rh(d)} = ${TAG_BASE + REGION.packet};`;
      case 'wirelen': return `${rl(d)} = WL; ${rh(d)} = 0;`;
      case 'caplen': return `${rl(d)} = PL; ${rh(d)} = 0;`;
    }
  };
  return { directOf, foldOf };
}

/** How a batch function binds the context: which fields fold to per-packet values. */
export interface BatchFold {
  /** Context field name → what a load of it yields (see the file comment). */
  fields: ReadonlyMap<string, 'data' | 'data_end' | 'wirelen' | 'caplen'>;
  /** Which verdicts the hook counts as accepting: r0 (low 32 bits, as int32) equal to `value`, or (`equal: false`) any other. */
  accept: { value: number; equal: boolean };
}

/** Whether the hook of `fold` accepts verdict `r0`. */
export function foldAccepts(fold: BatchFold, r0: number): boolean {
  return (r0 === fold.accept.value) === fold.accept.equal;
}

interface Gen {
  /** The code of instructions [from, to) as one structured body (see the file comment). */
  body(from: number, to: number, entries: readonly number[], segmented: boolean): string;
  regDecl: string;
  uses: { pkt: boolean; stack: boolean; ctx: boolean; pktChecked: boolean };
  narrow: boolean[];
}

/**
 * Shared code generation for the single-run and the batch forms. `exitCode` / `abortCode` /
 * `stopCode` are the control transfers at `exit`, at an out-of-bounds LD_ABS, and after a helper
 * unwound; `fold` (batch only) maps context loads to per-packet values.
 */
function generator(p: Prepared, ctl: { exit: string; abort: string; stop: string }, fold: BatchFold | undefined, narrowing: boolean): Gen {
  const { prog, pcOf, immLo, immHi } = p;
  const target = threadedTargets(p);
  const narrow = narrowing ? narrowRegisters(p) : Array.from({ length: 11 }, () => false);
  const rl = (r: number) => `r${r}l`;
  const rh = (r: number) => `r${r}h`;
  const args = [1, 2, 3, 4, 5].flatMap((r) => [rl(r), rh(r)]);
  const { directOf, foldOf } = accessPlan(p, fold, rl, rh);
  const uses = { pkt: false, stack: false, ctx: false, pktChecked: false };
  prog.forEach((insn, i) => {
    if (foldOf(i) !== undefined) return; // a folded context load touches no memory
    const d = directOf(i);
    if (d === 'pkt') uses.pkt = true;
    if (d === 'stack') uses.stack = true;
    if (d === 'ctx') uses.ctx = true;
    if (d === undefined && (insn.kind === 'ldabs' || insn.kind === 'ldind' || insn.kind === 'ldx' || insn.kind === 'st' || insn.kind === 'stx' || insn.kind === 'atomic' || insn.kind === 'call')) uses.pktChecked = true;
  });
  const reloadViews = (uses.pkt ? ` PV = M.views[${REGION.packet}]; PB = M.base[${REGION.packet}];` : '') +
    (uses.ctx ? ` CV = M.views[${REGION.ctx}]; CB = M.base[${REGION.ctx}];` : '');

  // A direct unsigned 16/32-bit packet load followed by `be16`/`be32` of the same register
  // (how translated classic loads read network order) is one big-endian DataView read; the
  // swap then emits nothing. Only when nothing jumps to the swap.
  const jumpedTo = new Uint8Array(prog.length + 1);
  for (let i = 0; i < prog.length; i++) if (target[i]! >= 0) jumpedTo[target[i]!] = 1;
  const fusedSwap = new Uint8Array(prog.length);
  for (let i = 0; i + 1 < prog.length; i++) {
    const a = prog[i]!, b = prog[i + 1]!;
    if (a.kind !== 'ldx' || a.signed || (a.size !== 'h' && a.size !== 'w') || directOf(i) !== 'pkt' || foldOf(i) !== undefined) continue;
    if (b.kind !== 'end' || b.order !== 'be' || b.dst !== a.dst || b.width !== (a.size === 'h' ? 16 : 32) || jumpedTo[i + 1]) continue;
    fusedSwap[i + 1] = 1;
  }
  const bigEndianLoad = (i: number): string | undefined => {
    if (!fusedSwap[i + 1]) return undefined;
    const insn = prog[i]! as Extract<EbpfInsn, { kind: 'ldx' }>;
    const at = `t = PB + ${rl(insn.src)} + ${insn.off};`;
    return insn.size === 'h' ? `${at} ${rl(insn.dst)} = PV.getUint16(t); ${rh(insn.dst)} = 0;` : `${at} ${rl(insn.dst)} = PV.getInt32(t); ${rh(insn.dst)} = 0;`;
  };

  // Code of each instruction, with the high half of a narrow register as the literal 0.
  const codeOf = (i: number, jump: string): string => {
    if (fusedSwap[i]) return '';
    const be = bigEndianLoad(i);
    if (be !== undefined) return be;
    const insn = prog[i]!;
    const dst = 'dst' in insn ? insn.dst : 0;
    const src = 'src' in insn ? insn.src : 0;
    const off = 'off' in insn ? insn.off : 0;
    const folded = foldOf(i);
    const direct = directOf(i);
    let code = folded ?? (direct !== undefined
      ? emitDirect(insn, direct, rl(dst), rh(dst), rl(src), rh(src), off, immLo[i]!, immHi[i]!)
      : emitInsn(insn, {
        dl: rl(dst), dh: rh(dst), sl: rl(src), sh: rh(src),
        imm: `${immLo[i]}`, immHi: `${immHi[i]}`, off: `${off}`, pc: `${pcOf[i]}`,
        r0l: rl(0), r0h: rh(0), args, t: 't',
        jump,
        callLocal: `throw new Fault(${pcOf[i]}, 'local call in structured code', 'EBPF_INTERNAL');`,
        exit: ctl.exit,
        abort: ctl.abort,
        stop: ctl.stop,
      }));
    if ((insn.kind === 'call' && insn.call === 'helper') || insn.kind === 'callx') code += reloadViews;
    return code;
  };
  // High halves in one pass over an instruction's code (HIGH_TOKEN): a narrow register's
  // `rNh = 0;` stores vanish and its other mentions read the literal 0 (a write of anything else
  // to it means the narrowing was wrong: NarrowingFailed, and the caller generates again without
  // narrowing). High halves the verifier proved before an instruction (0 or a region's tag) are
  // read as literals too: only reads are replaced (an assignment or compound assignment keeps its
  // variable), so the variable still holds the true value, and TurboFan drops the carry and tag
  // arithmetic nothing reads any more. Pointer facts only in batch form, where data is offset 0
  // of the packet region by construction (the single-run form takes its pointers from the hook).
  // Facts apply only to kinds whose code reads every operand before it writes one (a helper call
  // or an atomic may read a register it already rewrote).
  const TAG: Record<string, number> = { pkt: TAG_BASE + REGION.packet, ctx: TAG_BASE + REGION.ctx, stack: TAG_BASE + REGION.stack };
  const highsAt = (i: number): readonly (string | 0 | undefined)[] | undefined => {
    const kind = prog[i]!.kind;
    if (kind !== 'alu' && kind !== 'jmp' && kind !== 'ldx' && kind !== 'st' && kind !== 'stx') return undefined;
    return p.highs?.get(pcOf[i]!) as readonly (string | 0 | undefined)[] | undefined;
  };
  const insnCode = (i: number, jump: string): string => {
    const code = codeOf(i, jump);
    if (!code.includes('h')) return code;
    const h = highsAt(i);
    return code.replace(HIGH_TOKEN, (whole: string, reg: string, zeroStore: string | undefined, at: number) => {
      const r = +reg;
      if (narrow[r]) {
        if (zeroStore !== undefined) return '';
        ASSIGNED.lastIndex = at + whole.length;
        if (ASSIGNED.test(code)) throw new NarrowingFailed();
        return '0';
      }
      const f = h?.[r];
      if (f === undefined || zeroStore !== undefined || (f !== 0 && fold === undefined)) return whole;
      ASSIGNED.lastIndex = at + whole.length;
      if (ASSIGNED.test(code)) return whole;
      return f === 0 ? '0' : `${TAG[f]}`;
    });
  };

  const allRegions = compareRegions(p);
  // A compare region as one probe of its hash table (./compare-sets.ts); `jump(t)` leaves to t.
  const probe = (r: CompareRegion, jump: (t: number) => string): string => probeCode(r, rl(r.reg), jump);

  const body = (from: number, to: number, entries: readonly number[], segmented: boolean): string => {
    // Compare regions wholly inside [from, to), by start.
    const regions = new Map<number, CompareRegion>();
    for (const [a, r] of allRegions) if (a >= from && r.end <= to) regions.set(a, r);
    // Successors of element i (a region's: its two exits; its inside is skipped).
    const targetsOf = (i: number): number[] => {
      const r = regions.get(i);
      if (r !== undefined) return [r.hit, r.miss];
      const t = target[i]!;
      return t >= 0 ? [t] : [];
    };
    const next = (i: number) => regions.get(i)?.end ?? i + 1;
    // Targets inside [from, to) get a block each; targets at or past `to` leave the segment.
    const inside = new Set<number>(entries.filter((e) => e > from && e < to));
    for (let i = from; i < to; i = next(i)) {
      for (const t of targetsOf(i)) if (t > i + 1 && t < to) inside.add(t);
    }
    const closeAt = new Set(inside);
    const sorted = [...inside].sort((a, b) => b - a); // outermost (farthest) first
    // Jumps that leave the segment share one exit per target: `break X<t>` to the end of an
    // outer block followed by the register write-back and `return t`, so the write-back is
    // written once per target, not once per jump (a search tree's leaves all leave to T or F).
    const external = new Set<number>();
    if (segmented) {
      for (let i = from; i < to; i = next(i)) {
        for (const t of targetsOf(i)) if (t >= to || (t === i + 1 && t === to)) external.add(t);
      }
    }
    const exits = [...external].sort((a, b) => a - b);
    const out: string[] = [];
    out.push(exits.map((t) => `X${t}: {`).join(' '));
    out.push(sorted.map((t) => `L${t}: {`).join(' '));
    if (segmented && entries.length > 0) {
      // Enter at `pc`: a forward jump from before the segment's first instruction.
      const cases = entries.filter((e) => e > from && e < to).map((e) => `case ${e}: break L${e};`);
      if (cases.length > 0) out.push(`switch (pc) { ${cases.join(' ')} }`);
    }
    for (let i = from; i < to; i++) {
      if (closeAt.has(i)) out.push(`} // L${i}`);
      const r = regions.get(i);
      if (r !== undefined) {
        out.push(probe(r, (x) => (x < to ? `break L${x};` : `break X${x};`)));
        i = r.end - 1;
        continue;
      }
      const t = target[i]!;
      let jump = '';
      if (t >= 0 && t !== i + 1) jump = t < to ? `break L${t};` : `break X${t};`;
      else if (t === i + 1 && t === to && segmented) jump = `break X${t};`;
      out.push(insnCode(i, jump));
    }
    // Falling off the segment's end continues in the next segment.
    if (segmented) out.push(`${SAVE} return ${to};`);
    for (let k = exits.length - 1; k >= 0; k--) out.push(`} ${SAVE} return ${exits[k]}; // X${exits[k]}`);
    return out.join('\n');
  };

  const regDecl = Array.from({ length: 11 }, (_, r) => (narrow[r] ? `${rl(r)} = 0` : `${rl(r)} = 0, ${rh(r)} = 0`)).join(', ');
  return { body, regDecl, uses, narrow };
}

class NarrowingFailed extends Error {}

/**
 * Generates with narrow registers, and once more without when the narrowing proves wrong while
 * the code is generated (a safety net: narrowRegisters admits only registers whose every write
 * leaves the high half 0).
 */
function withNarrowing(build: (narrowing: boolean) => string): string {
  try {
    return build(true);
  } catch (e) {
    if (!(e instanceof NarrowingFailed)) throw e;
    return build(false);
  }
}

/** A register's high half (`r3h`, not `M.r3h`), with a following `= 0;` store when there is one. */
const HIGH_TOKEN = /(?<![\w.$])r(10|[0-9])h\b( = 0;)?/g;
/** At an index: what follows makes the name before it an assignment target (`=`, `+=`, `>>>=`, `++`, …). */
const ASSIGNED = /\s*(?:(?:[-+*/%&|^]|<<|>>>?)?=(?!=)|\+\+|--)/y;

/** Placeholder replaced by the register write-back of a segment (or nothing when unsegmented). */
const SAVE = '/*SAVE*/';

/** The register names a program's code uses (narrow registers have no high half). */
function regNames(narrow: boolean[]): string[] {
  return Array.from({ length: 11 }, (_, r) => (narrow[r] ? [`r${r}l`] : [`r${r}l`, `r${r}h`])).flat();
}

/** Segment boundaries [s0=0, s1, …, n] and each segment's entry points. */
function segments(p: Prepared): { bounds: number[]; entries: number[][] } {
  const n = p.prog.length;
  const bounds: number[] = [];
  for (let s = 0; s < n; s += SEGMENT) bounds.push(s);
  bounds.push(n);
  const entries = bounds.slice(0, -1).map(() => new Set<number>());
  const segOf = (i: number) => Math.min(Math.floor(i / SEGMENT), bounds.length - 2);
  const target = threadedTargets(p);
  for (let i = 0; i < n; i++) {
    const t = target[i]!;
    if (t >= 0 && segOf(t) !== segOf(i)) entries[segOf(t)]!.add(t);
  }
  for (let k = 1; k < bounds.length - 1; k++) entries[k]!.add(bounds[k]!); // fall-through entry
  return { bounds, entries: entries.map((e) => [...e].sort((a, b) => a - b)) };
}

/**
 * The function body shared by both forms: either one structured block (small programs) or
 * segment functions plus a dispatch loop. `prelude` runs before the code of each run (per
 * packet in batch form); `pre`/`post` wrap the whole (the packet loop in batch form).
 */
function assemble(p: Prepared, g: Gen, ctl: { exit: string }, kind: 'single' | 'batch'): { decl: string; run: string } {
  const n = p.prog.length;
  const views = (g.uses.pkt ? `, PV = M.views[${REGION.packet}], PB = M.base[${REGION.packet}]` : '') +
    (g.uses.stack ? `, SV = M.views[${REGION.stack}], SB = M.base[${REGION.stack}]` : '') +
    (g.uses.ctx ? `, CV = M.views[${REGION.ctx}], CB = M.base[${REGION.ctx}]` : '');
  const fallOff = `throw new Fault(${p.pcOf[n - 1]}, 'control left the program', 'EBPF_FALLS_OFF');`;
  if (!segmented(p)) {
    const code = g.body(0, n, [], false).split(SAVE).join('');
    return { decl: '', run: `let ${g.regDecl}, t = 0${kind === 'single' ? views : ''};\n${code}\n${fallOff}` };
  }
  // Segmented: registers live in the closure; each segment works on local copies.
  const names = regNames(g.narrow);
  const load = `let ${names.map((x) => `${x} = S_${x}`).join(', ')}, t = 0${kind === 'single' ? views : ''};`;
  const save = names.map((x) => `S_${x} = ${x};`).join(' ');
  const { bounds, entries } = segments(p);
  const fns: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const code = g.body(bounds[k]!, bounds[k + 1]!, entries[k]!, true).split(SAVE).join(save);
    fns.push(`function seg${k}(pc${kind === 'batch' ? ', i' : ''}) {\n${load}\n${code}\n${fallOff}\n}`);
  }
  const segIndex = (pc: string) => `(${pc} / ${SEGMENT}) | 0`;
  const decl = `let ${names.map((x) => `S_${x} = 0`).join(', ')};\nconst SEGS = [${fns.map((_, k) => `seg${k}`).join(', ')}];\n${fns.join('\n')}`;
  const reset = names.map((x) => `S_${x} = 0;`).join(' ');
  void ctl;
  return { decl, run: `${reset}\nfor (let pc = 0; pc >= 0;) pc = SEGS[${segIndex('pc')}](pc${kind === 'batch' ? ', i' : ''});` };
}

/** The single-run function (same signature as ./js.ts's): `jitted(a1l, a1h, a2l, a2h, budget)`. */
export function structuredSource(p: Prepared): string {
  return withNarrowing((narrowing) => singleSource(p, narrowing));
}

function singleSource(p: Prepared, narrowing: boolean): string {
  const seg = segmented(p);
  const exit = seg ? `{ M.r0l = r0l; M.r0h = r0h; return -1; }` : `{ M.r0l = r0l; M.r0h = r0h; return; }`;
  const ctl = { exit, abort: seg ? 'M.r0l = 0; M.r0h = 0; return -1;' : 'M.r0l = 0; M.r0h = 0; return;', stop: exit };
  const g = generator(p, ctl, undefined, narrowing);
  const { decl, run } = assemble(p, g, ctl, 'single');
  const init = segmented(p)
    ? `S_r1l = a1l; ${g.narrow[1] ? '' : 'S_r1h = a1h;'} S_r2l = a2l; ${g.narrow[2] ? '' : 'S_r2h = a2h;'} S_r10l = ${STACK_BYTES}; S_r10h = ${TAG_BASE};`
    : `r1l = a1l; r1h = a1h; r2l = a2l; ${g.narrow[2] ? '' : 'r2h = a2h;'} r10l = ${STACK_BYTES}; r10h = ${TAG_BASE};`;
  const runCode = segmented(p) ? run.replace(/\n/, `\n${init}\n`) : run.replace(/\n/, `\n${init}\n`);
  return `'use strict';
${SUPPORT_PROLOGUE}
const A = M.A;
${tableDecls(p)}
${decl}
return function jitted(a1l, a1h, a2l, a2h, budget) {
${runCode}
};`;
}

const GENERIC_PARAMS = 'view, buf, O, C, W, count, V';

/**
 * The unsegmented batch source with the block's arrays taken from the enclosing function's
 * parameters instead of its own (see specializedBatch in ./js.ts): V8 then compiles them in as
 * constants.
 */
export function specializedSource(src: string): string {
  const header = `return function batch(${GENERIC_PARAMS}) {`;
  if (!src.includes(header)) throw new Error('jit: not an unsegmented batch source');
  return src.replace(header, 'return function batch(_view, _buf, _O, _C, _W, count, _V) {');
}

/**
 * The batch function: `batch(view, buf, offsets, caplens, wirelens, count, verdicts)` runs every
 * packet of a block (see ../batch.ts) with the packet loop inside: per packet PB/PL/WL are the
 * packet's offset in the block buffer, its captured and wire lengths; r1 = the context pointer,
 * r10 = the frame; `exit` writes r0's low half to verdicts[i]. When the program has checked
 * accesses or helpers, the machine's packet region is pointed at the packet too (integers only).
 */
export function structuredBatchSource(p: Prepared, fold: BatchFold): string {
  return withNarrowing((narrowing) => batchSource(p, fold, narrowing));
}

function batchSource(p: Prepared, fold: BatchFold, narrowing: boolean): string {
  const seg = segmented(p);
  // NA counts the accepted packets (the function's result): at each exit in one function, after
  // the dispatch loop in segmented form.
  const acc = `${fold.accept.equal ? '===' : '!=='} ${fold.accept.value | 0}`;
  const exit = seg ? `{ V[i] = r0l; return -1; }` : `{ V[i] = r0l; if (r0l ${acc}) NA++; continue pkt; }`;
  const abort = seg ? 'V[i] = 0; return -1;' : `V[i] = 0;${foldAccepts(fold, 0) ? ' NA++;' : ''} continue pkt;`;
  const ctl = { exit, abort, stop: exit };
  const g = generator(p, ctl, fold, narrowing);
  const { decl, run } = assemble(p, g, ctl, 'batch');
  const needRegion = g.uses.pktChecked;
  // A helper may unwind (M.stopped); programs without calls never set it.
  const calls = p.prog.some((insn) => insn.kind === 'call' || insn.kind === 'callx');
  const stopped = calls ? ' M.stopped = false;' : '';
  const region = needRegion ? ` M.base[${REGION.packet}] = PB; M.size[${REGION.packet}] = PL;` : '';
  const init = seg
    ? `S_r1l = 0; S_r1h = ${TAG_BASE + REGION.ctx}; S_r10l = ${STACK_BYTES}; S_r10h = ${TAG_BASE};${stopped}`
    : `r1l = 0; r1h = ${TAG_BASE + REGION.ctx}; r10l = ${STACK_BYTES}; r10h = ${TAG_BASE};${stopped}`;
  const runCode = run.replace(/\n/, `\n${init}\n`);
  const stackCtx = (g.uses.stack ? `, SV = M.views[${REGION.stack}], SB = M.base[${REGION.stack}]` : '') +
    (g.uses.ctx ? `, CV = M.views[${REGION.ctx}], CB = M.base[${REGION.ctx}]` : '');
  const setRegion = needRegion ? ` M.setRegion(${REGION.packet}, buf, true, 0, 0);` : '';
  if (!seg) {
    // One function: the per-packet values are locals (V8 keeps them in machine registers); the
    // views are re-read once per call (and after a helper call, which may move them). Only the
    // values the code reads are loaded (a typed-array read keeps its bounds check even unused).
    const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(runCode) || (name !== 'WL' && region !== '');
    const perPacket = [uses('PB') ? 'PB = O[i]' : '', uses('PL') ? 'PL = C[i]' : '', uses('WL') ? 'WL = W[i]' : ''].filter((x) => x !== '').join(', ');
    return `'use strict';
${SUPPORT_PROLOGUE}
const A = M.A;
${tableDecls(p)}
return function batch(${GENERIC_PARAMS}) {
  let PV = view${stackCtx}, NA = 0;${setRegion}
  pkt: for (let i = 0; i < count; i++) {
    ${perPacket === '' ? '' : `let ${perPacket};`}${region}
${runCode}
  }
  return NA;
};`;
  }
  // Segmented: PV/PB/PL/WL/V live in the closure, where the segment functions read them.
  return `'use strict';
${SUPPORT_PROLOGUE}
const A = M.A;
${tableDecls(p)}
let V = null, PV = M.views[${REGION.packet}], PB = 0, PL = 0, WL = 0${stackCtx};
${decl}
return function batch(view, buf, O, C, W, count, verdicts) {
  PV = view; V = verdicts;${setRegion}${g.uses.ctx ? ` CV = M.views[${REGION.ctx}]; CB = M.base[${REGION.ctx}];` : ''}
  let NA = 0;
  pkt: for (let i = 0; i < count; i++) {
    PB = O[i]; PL = C[i]; WL = W[i];${region}
${runCode}
    if (V[i] ${acc}) NA++;
  }
  return NA;
};`;
}

