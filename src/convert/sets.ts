/**
 * Compare chains become search trees: the part of the cBPF → eBPF translation that keeps large
 * filters fast. libpcap compiles `host a or host b or …` into a chain of `jeq #c` blocks, one per
 * address and field, all jumping to one target T on equality and falling through to the next
 * compare otherwise, so a packet that matches none of 1,000 hosts walks 2,000 compares. Here such
 * a chain is found in the cBPF control-flow graph and emitted as a binary search over its sorted
 * constants, the way a compiler lowers a sparse `switch`: about log2(n) unsigned compares per
 * field instead of n. Two shapes are recognised (`planCompareTrees`):
 *
 * 1. A chain on one value of A. A reachable block ending in `jeq #k` (the head), then, along the
 *    "not equal" edges, blocks that hold nothing but `jeq #k` — or a reload of exactly the field
 *    the head loaded into A (same offset and size; `[x + k]` only if X is not written after that
 *    load), then `jeq #k`. Each jeq may have its own target (host lists share one, an ethertype
 *    dispatch has several). Nothing in such a chain changes A, X or M[] (a reload writes the
 *    value A already holds and cannot fail where the head's load succeeded), so the chain is a
 *    pure function of A — "the target of the first jeq whose constant equals A, else the miss
 *    target F" — and the tree replaces the head's jeq exactly, with no guard: the head's own load
 *    keeps its bounds check, and every target sees the A, X and M[] it saw before. Chain blocks
 *    nothing else jumps to are no longer emitted (the kernel verifier refuses unreachable code).
 *
 * 2. A chain over several fields (direct packet access only: the xdp and tc hooks). libpcap's
 *    optimizer leaves long lists interleaved, `ld [26]; jeq c1; ld [30]; jeq c1; ld [26]; jeq
 *    c2; …`, all jumping to T. The verdict no longer depends on the order of the compares once
 *    every field can be read, so: one guard checks that the packet holds the farthest field
 *    (data + max(k + size) <= data_end); if it does, each field is loaded into A and searched by
 *    its own tree, the field the chain compared last going last, so that on a miss A holds what
 *    the original held at F; if it does not, the original linear chain runs (it is kept, and
 *    gives a truncated packet libpcap's verdict exactly, including which load failed first). At T
 *    the original's A is the field whose compare matched first in chain order; the tree does not
 *    reproduce that, so this shape is used only when A is dead at T (overwritten before any read
 *    on every path: a `ret #k`, or the next test's load) — decided by a liveness analysis on
 *    the cBPF graph. Blocks of such a chain do not start chains of their own: the fallback stays
 *    the plain linear code (it runs only for truncated packets).
 *
 * libpcap's 8-bit jump offsets make a long chain jump to T through `ja` blocks (trampolines):
 * targets are followed through blocks that hold a single forward `ja`.
 *
 * Lowering (`lowerTree`): the constants are sorted (the first jeq of a repeated constant decides
 * its target) and runs of consecutive values with one target are merged into ranges [lo, hi] (a
 * contiguous address block is one range check). An envelope check comes first, `(u32)(A - min)
 * > max - min → miss` in one branch, which traffic outside the set's span takes every time (the
 * CPU predicts it, where a walk down the tree's edge would not be). A balanced binary search over
 * these clusters then splits on `A >= pivot`; a leaf of up to LEAF_CLUSTERS clusters is tested in ascending order: a
 * single value with `jeq`, a range with `A < lo → F` then `A <= hi → T`, leaving out a test the
 * path's bounds already decide. All compares are JMP32 with the constant as immediate: unsigned
 * 32-bit, as in cBPF.
 */
import type { EbpfInsn } from '../isa/ebpf/types.ts';
import type { JmpOp } from '../isa/ebpf/opcodes.ts';
import type { Size as CbpfSize } from '../isa/cbpf/opcodes.ts';
import type { Analysis, Block, Op } from './analysis.ts';

/** Chains shorter than this stay linear (a short chain is as fast as a tree). */
export const MIN_TREE_COMPARES = 8;
/** The most compares one tree takes (its code stays well inside eBPF's 16-bit jumps); the rest
 * of a longer chain starts the next tree. */
const MAX_TREE_COMPARES = 4096;
/** Clusters a leaf tests one after another (a split costs one compare, a leaf test one or two). */
const LEAF_CLUSTERS = 3;
/**
 * cBPF programs up to this long translate to well under 32,767 eBPF instructions (at most ~16
 * per cBPF instruction), so a tree may jump straight to any target; longer ones use stubs.
 */
const NEAR_PROGRAM = 2000;
/** Shape 2 reads fields with a 16-bit load offset from the data pointer. */
const MAX_FIELD_END = 0x7fff;

/** A run of consecutive constants [lo, hi] (u32) that all go to `target` (a cBPF pc; n = exit). */
export interface Cluster { lo: number; hi: number; target: number }

/** Shape 1: a chain on one value of A, emitted in place of the head block's final jeq. */
export interface CompareTree {
  /** The head block's start and its final `jeq` (where the tree is emitted). */
  block: number;
  pc: number;
  /** Sorted, disjoint clusters. */
  clusters: Cluster[];
  /** Where a value matching no constant goes (a cBPF pc; n = the "return 0" exit). */
  miss: number;
  /** The jeq instructions the tree stands for (including repeated constants). */
  compares: number;
  /** The program is large enough that a target may be out of a conditional jump's reach. */
  far: boolean;
}

/** Shape 2: a chain over packet fields, emitted behind one guard at the start of the head block. */
export interface GuardedTrees {
  block: number;
  /** The guard: the packet must hold this many bytes. */
  end: number;
  /** One tree per field, in emission order (the chain's last field last); all hit `target`. */
  fields: { k: number; size: CbpfSize; clusters: Cluster[] }[];
  target: number;
  miss: number;
  compares: number;
  far: boolean;
}

export interface TreePlan {
  /** The Analysis with head blocks' successors rewritten and reachability recomputed. */
  analysis: Analysis;
  /** Shape 1, by the pc of the head block's final jeq. */
  trees: Map<number, CompareTree>;
  /** Shape 2, by the head block's start. */
  guarded: Map<number, GuardedTrees>;
}

export interface PlanOptions {
  /** Chains shorter than this stay linear (default MIN_TREE_COMPARES). */
  minCompares?: number;
  /** Direct packet access (xdp, tc): shape 2 may be used. */
  directPacket?: boolean;
}

type Jeq = Extract<Op, { kind: 'jcond' }>;
type AbsLoad = Extract<Op, { kind: 'ld-abs' }>;
/** The packet load that last set A in a block (before its final instruction), if A holds one. */
type Source = Extract<Op, { kind: 'ld-abs' | 'ld-ind' }>;

function isJeqK(op: Op | undefined): op is Jeq {
  return op !== undefined && op.kind === 'jcond' && op.op === 'jeq' && op.src === 'k';
}
/** `A = pkt[k:size]` (not the msh form, not into X). */
function isAbsA(op: Op | undefined): op is AbsLoad {
  return op !== undefined && op.kind === 'ld-abs' && op.dst === 'a' && !op.msh;
}

function writesA(op: Op): boolean {
  switch (op.kind) {
    case 'ld-abs': case 'ld-imm': case 'ld-len': case 'ld-mem': return op.dst === 'a';
    case 'ld-ind': case 'alu': case 'neg': case 'txa': return true;
    default: return false;
  }
}
function readsA(op: Op): boolean {
  switch (op.kind) {
    case 'alu': case 'neg': case 'tax': case 'jcond': return true;
    case 'st': return op.src === 'a';
    case 'ret': return op.src === 'a';
    default: return false;
  }
}
function writesX(op: Op): boolean {
  switch (op.kind) {
    case 'ld-abs': case 'ld-imm': case 'ld-len': case 'ld-mem': return op.dst === 'x';
    case 'tax': return true;
    default: return false;
  }
}

/** The load whose value A holds at the block's last instruction, or null if not a plain load. */
function sourceOf(a: Analysis, b: Block): Source | null {
  let xWritten = false;
  for (let pc = b.end - 2; pc >= b.start; pc--) {
    const op = a.ops[pc]!;
    if (writesA(op)) {
      if (isAbsA(op)) return op;
      if (op.kind === 'ld-ind' && !xWritten) return op;
      return null;
    }
    if (writesX(op)) xWritten = true;
  }
  return null;
}

function sameLoad(op: Op, src: Source): boolean {
  if (op.kind !== src.kind || op.size !== src.size || op.k !== src.k) return false;
  return op.kind === 'ld-ind' || isAbsA(op);
}

/** Follows blocks that hold a single forward `ja` (libpcap's trampolines for far jumps). */
function resolve(a: Analysis, pc: number, n: number): number {
  for (;;) {
    if (pc >= n) return n;
    const b = a.blocks.get(pc)!;
    const op = a.ops[b.start]!;
    if (b.end - b.start !== 1 || op.kind !== 'ja' || op.target <= pc) return pc;
    pc = op.target;
  }
}

/** Per block start: is A read before it is written on some path from the block's entry? */
function liveA(a: Analysis, n: number): Map<number, boolean> {
  const gen = new Map<number, boolean>(), kill = new Map<number, boolean>();
  for (const b of a.order) {
    let g = false, k = false;
    for (let pc = b.start; pc < b.end && !g && !k; pc++) {
      const op = a.ops[pc]!;
      if (readsA(op)) g = true;
      else if (writesA(op)) k = true;
    }
    gen.set(b.start, g);
    kill.set(b.start, k);
  }
  const live = new Map<number, boolean>();
  for (const b of a.order) live.set(b.start, gen.get(b.start)!);
  for (let changed = true; changed;) {
    changed = false;
    for (let i = a.order.length - 1; i >= 0; i--) {
      const b = a.order[i]!;
      if (live.get(b.start) || kill.get(b.start)) continue;
      if (b.succ.some((s) => s < n && live.get(s))) { live.set(b.start, true); changed = true; }
    }
  }
  return live;
}

/** Shape 1 at block `b` (ending in jeq #k): the (constant, target) list, the blocks and the miss. */
function chainAt(a: Analysis, b: Block, n: number): { entries: [number, number][]; blocks: number[]; miss: number } {
  const head = a.ops[b.end - 1] as Jeq;
  const src = sourceOf(a, b);
  const entries: [number, number][] = [[head.k, resolve(a, head.jt, n)]];
  const blocks: number[] = [];
  let cur = resolve(a, head.jf, n);
  while (cur < n && entries.length < MAX_TREE_COMPARES) {
    const c = a.blocks.get(cur)!;
    const len = c.end - c.start;
    const last = a.ops[c.end - 1];
    // `jeq #k`, or a reload of A's own field then `jeq #k`.
    if (!isJeqK(last) || len > 2 || (len === 2 && (src === null || !sameLoad(a.ops[c.start]!, src)))) break;
    entries.push([last.k, resolve(a, last.jt, n)]);
    blocks.push(cur);
    cur = resolve(a, last.jf, n);
  }
  return { entries, blocks, miss: cur };
}

/**
 * Shape 2 at block `b` = `ld [k]; jeq #c`: steps (a jeq, optionally after an absolute load of A)
 * that all jump to one target; `usable` if its fields take turns (more switches from one field
 * to another than there are fields). Null if `b` is not such a step.
 */
function fieldChainAt(a: Analysis, b: Block, n: number): Omit<GuardedTrees, 'block' | 'far' | 'fields'> & { fields: () => GuardedTrees['fields']; blocks: number[]; usable: boolean } | null {
  if (b.end - b.start !== 2) return null;
  const first = a.ops[b.start], head = a.ops[b.start + 1];
  if (!isAbsA(first) || !isJeqK(head)) return null;
  const target = resolve(a, head.jt, n);
  const fields = new Map<string, { k: number; size: CbpfSize; entries: [number, number][] }>();
  const field = (op: AbsLoad) => {
    const key = `${op.k}/${op.size}`;
    let f = fields.get(key);
    if (!f) fields.set(key, (f = { k: op.k, size: op.size, entries: [] }));
    return f;
  };
  let cur = field(first);
  cur.entries.push([head.k, target]);
  let compares = 1, switches = 0;
  const blocks = [b.start];
  let pc = resolve(a, head.jf, n);
  while (pc < n && compares < MAX_TREE_COMPARES) {
    const c = a.blocks.get(pc)!;
    const len = c.end - c.start;
    const last = a.ops[c.end - 1];
    if (!isJeqK(last) || resolve(a, last.jt, n) !== target || len > 2) break;
    if (len === 2) {
      const ld = a.ops[c.start];
      if (!isAbsA(ld)) break;
      const next = field(ld);
      if (next !== cur) switches++;
      cur = next;
    }
    cur.entries.push([last.k, target]);
    compares++;
    blocks.push(pc);
    pc = resolve(a, last.jf, n);
  }
  const all = [...fields.values()];
  // Each field's compares in one run: shape 1 does the same with one tree per run, no fallback.
  // (So is every suffix of such a chain: the caller need not try its blocks again.)
  const usable = switches >= fields.size && all.every((f) => f.k + f.size <= MAX_FIELD_END);
  // The field compared last goes last: on a miss, A then holds what the chain left in it.
  const ordered = [...all.filter((f) => f !== cur), cur];
  return {
    end: Math.max(...all.map((f) => f.k + f.size)),
    fields: () => ordered.map((f) => ({ k: f.k, size: f.size, clusters: clustersOf(f.entries) })),
    target, miss: pc, compares, blocks, usable,
  };
}

/** Sorted clusters from a chain's entries: the first jeq of a constant decides its target. */
export function clustersOf(entries: readonly (readonly [number, number])[]): Cluster[] {
  // Sort (constant, position) pairs packed into one double (k * 4096 + i < 2^44, exact): the
  // first of a repeated constant comes first. A Float64Array sorts numerically, natively.
  const m = entries.length;
  if (m > MAX_TREE_COMPARES) throw new Error(`convert: a tree of ${m} compares (at most ${MAX_TREE_COMPARES})`);
  const keys = new Float64Array(m);
  for (let i = 0; i < m; i++) keys[i] = entries[i]![0] * MAX_TREE_COMPARES + i;
  keys.sort();
  const out: Cluster[] = [];
  let last = -1;
  for (const v of keys) {
    const k = Math.floor(v / MAX_TREE_COMPARES);
    if (k === last) continue;
    last = k;
    const t = entries[v - k * MAX_TREE_COMPARES]![1];
    const prev = out[out.length - 1];
    if (prev && prev.target === t && prev.hi + 1 === k) prev.hi = k;
    else out.push({ lo: k, hi: k, target: t });
  }
  return out;
}

/**
 * Finds the compare chains of at least `minCompares` jeq and returns the analysis as the
 * converter should see it with each chain replaced by a tree (see the header).
 */
export function planCompareTrees(a: Analysis, n: number, opts: PlanOptions = {}): TreePlan {
  const min = Math.max(2, opts.minCompares ?? MIN_TREE_COMPARES);
  const trees = new Map<number, CompareTree>();
  const guarded = new Map<number, GuardedTrees>();
  const blocks = new Map<number, Block>();
  const order: Block[] = a.order.map((b) => {
    const c: Block = { start: b.start, end: b.end, succ: b.succ, reachable: false };
    blocks.set(c.start, c);
    return c;
  });
  // Heads are chosen in pc order among the blocks the original program reaches; blocks already
  // inside an earlier chain do not start one. The total stays within a multiple of the program
  // size whatever the graph.
  let budget = 2 * n + 64;
  const covered = new Set<number>();
  // A chain that is refused (too short, or its target reads A) has suffixes that would be refused
  // too: their blocks are not tried again, which keeps the search linear.
  const noField = new Set<number>(), noChain = new Set<number>();
  let live: Map<number, boolean> | undefined;
  for (const b of order) {
    if (!a.blocks.get(b.start)!.reachable || covered.has(b.start) || !isJeqK(a.ops[b.end - 1])) continue;
    if (opts.directPacket && !noField.has(b.start)) {
      const f = fieldChainAt(a, b, n);
      if (f) {
        let ok = f.usable && f.compares >= min && f.compares <= budget;
        if (ok) {
          live ??= liveA(a, n);
          ok = f.target >= n || !live.get(f.target);
        }
        if (ok) {
          budget -= f.compares;
          for (const s of f.blocks) covered.add(s);
          guarded.set(b.start, { block: b.start, end: f.end, fields: f.fields(), target: f.target, miss: f.miss, compares: f.compares, far: n > NEAR_PROGRAM });
          b.succ = [...new Set([...b.succ, f.target, f.miss])];
          continue;
        }
        for (const s of f.blocks) noField.add(s);
      }
    }
    if (noChain.has(b.start)) continue;
    const { entries, blocks: inner, miss } = chainAt(a, b, n);
    if (entries.length < min) for (const s of inner) noChain.add(s);
    if (entries.length >= min && entries.length <= budget) {
      budget -= entries.length;
      for (const s of inner) covered.add(s);
      const clusters = clustersOf(entries);
      trees.set(b.end - 1, { block: b.start, pc: b.end - 1, clusters, miss, compares: entries.length, far: n > NEAR_PROGRAM });
      b.succ = [...new Set([...clusters.map((c) => c.target), miss])];
    }
  }
  if (trees.size === 0 && guarded.size === 0) return { analysis: a, trees, guarded };
  const work = n > 0 ? [0] : [];
  while (work.length > 0) {
    const b = blocks.get(work.pop()!)!;
    if (b.reachable) continue;
    b.reachable = true;
    for (const s of b.succ) if (s < n && !blocks.get(s)!.reachable) work.push(s);
  }
  let hasBackwardJump = false, usesPacket = false, usesLen = false;
  for (const b of order) {
    if (!b.reachable) continue;
    for (let pc = b.start; pc < b.end; pc++) {
      const op = a.ops[pc]!;
      if (op.kind === 'ja' && op.target <= pc) hasBackwardJump = true;
      if (op.kind === 'ld-abs' || op.kind === 'ld-ind') usesPacket = true;
      if (op.kind === 'ld-len') usesLen = true;
    }
  }
  // needsInit stays the original's: zeroing a value no remaining path reads is harmless.
  return { analysis: { ...a, blocks, order, hasBackwardJump, usesPacket, usesLen }, trees, guarded };
}

// ---- lowering ---------------------------------------------------------------------------------

/** Where a tree instruction goes: a cBPF pc (resolved by the converter) or a label of the tree. */
type Dest = { pc: number } | { label: number };

/**
 * A tiny assembler for one tree: every item is one eBPF instruction; jumps to labels become
 * relative offsets, jumps to cBPF pcs go through the converter's sink. Label `END` is the
 * instruction right after the tree. In a large program (`far`) a conditional jump to a cBPF pc
 * goes to a local stub `goto pc` instead: the target may lie farther than a conditional jump's
 * 16-bit offset reaches (libpcap's chains reach T through `ja` trampolines for the same reason),
 * while the converter turns a far `goto` into a 32-bit `gotol`. The stub is the next `goto pc`
 * the tree emits anyway, or one added at its end (jumps stay forward: no loops for the JIT).
 */
class TreeCode {
  private readonly items: ({ insn: EbpfInsn; label?: number } | { op: JmpOp | 'ja'; imm: number; pc: number })[] = [];
  private readonly at: number[] = [];
  private readonly stubs = new Map<number, number>();
  static readonly END = 0;
  constructor(readonly a: number, private readonly far: boolean) { this.at.push(-1); }
  label(): number { this.at.push(-1); return this.at.length - 1; }
  place(label: number): void { this.at[label] = this.items.length; }
  insn(insn: EbpfInsn): void { this.items.push({ insn }); }
  /** if A op imm goto dest (JMP32); op 'ja': goto dest. */
  jump(op: JmpOp | 'ja', imm: number, to: Dest): void {
    if ('pc' in to && op === 'ja') {
      const stub = this.stubs.get(to.pc);
      if (stub !== undefined) { this.place(stub); this.stubs.delete(to.pc); }
      this.items.push({ op, imm, pc: to.pc });
      return;
    }
    if ('pc' in to) {
      if (!this.far) { this.items.push({ op, imm, pc: to.pc }); return; }
      let stub = this.stubs.get(to.pc);
      if (stub === undefined) this.stubs.set(to.pc, (stub = this.label()));
      to = { label: stub };
    }
    const insn: EbpfInsn = op === 'ja' ? { kind: 'ja', off: 0 } : { kind: 'jmp', op, wide: false, dst: this.a, imm: imm | 0, off: 0 };
    this.items.push({ insn, label: to.label });
  }
  /** if reg op imm goto dest (JMP32), for a register other than A: always through a label. */
  jumpOn(reg: number, op: JmpOp, imm: number, to: Dest): void {
    if ('pc' in to) {
      let stub = this.stubs.get(to.pc);
      if (stub === undefined) this.stubs.set(to.pc, (stub = this.label()));
      to = { label: stub };
    }
    this.items.push({ insn: { kind: 'jmp', op, wide: false, dst: reg, imm: imm | 0, off: 0 }, label: to.label });
  }
  /** if dst > src (64-bit) goto label. */
  jgtReg(dst: number, src: number, label: number): void {
    this.items.push({ insn: { kind: 'jmp', op: 'jgt', wide: true, dst, src, off: 0 }, label });
  }
  get length(): number { return this.items.length; }
  flush(sink: TreeSink, fallsThrough: boolean): void {
    for (const [pc, label] of this.stubs) {
      this.place(label);
      this.items.push({ op: 'ja', imm: 0, pc });
    }
    this.at[TreeCode.END] = this.items.length;
    this.items.forEach((it, i) => {
      if ('pc' in it) {
        if (it.op === 'ja') sink.jump(it.pc, !fallsThrough && i === this.items.length - 1);
        else sink.jcc(it.op, it.imm, it.pc);
      } else if (it.label !== undefined) {
        const off = this.at[it.label]! - (i + 1);
        sink.raw({ ...it.insn, off } as EbpfInsn);
      } else {
        sink.raw(it.insn);
      }
    });
  }
}

/** Lowers a search over sorted clusters into `code`: a hit goes to its cluster's target, else `miss`. */
function lowerInto(code: TreeCode, cl: readonly Cluster[], miss: Dest, scratch: number): void {
  // Clusters [i, j) given lo <= A <= hi already established on the path.
  const gen = (i: number, j: number, lo: number, hi: number): void => {
    if (j - i <= LEAF_CLUSTERS) {
      for (let c = i; c < j; c++) {
        const { lo: cLo, hi: cHi, target } = cl[c]!;
        const to = { pc: target };
        if (cLo <= lo && cHi >= hi) { code.jump('ja', 0, to); return; } // every A left matches
        if (cLo === cHi) { code.jump('jeq', cLo, to); continue; } // A == c
        if (cLo > lo) { code.jump('jlt', cLo, miss); lo = cLo; } // below this range: no later cluster either
        if (cHi >= hi) { code.jump('ja', 0, to); return; }
        code.jump('jle', cHi, to); // lo <= A <= hi
        lo = cHi + 1;
      }
      code.jump('ja', 0, miss);
      return;
    }
    const m = i + ((j - i) >> 1);
    const pivot = cl[m]!.lo;
    const right = code.label();
    code.jump('jge', pivot, { label: right }); // if A >= pivot: the upper half
    gen(i, m, lo, pivot - 1);
    code.place(right);
    gen(m, j, pivot, hi);
  };
  // The envelope first: (u32)(A - min) > max - min → miss, one branch that most packets of
  // traffic outside the set's span take every time (well predicted), instead of a walk down the
  // tree's edge whose first splits go either way.
  const min = cl[0]!.lo, max = cl[cl.length - 1]!.hi;
  if (cl.length > LEAF_CLUSTERS && max - min < 0xffffffff) {
    code.insn({ kind: 'alu', op: 'mov', wide: false, dst: scratch, src: code.a }); // scratch = A
    if (min !== 0) code.insn({ kind: 'alu', op: 'sub', wide: false, dst: scratch, imm: min | 0 }); // scratch -= min
    code.jumpOn(scratch, 'jgt', max - min, miss);
    gen(0, cl.length, min, max);
    return;
  }
  gen(0, cl.length, 0, 0xffffffff);
}

/** Shape 1's tree as abstract instructions (for tests and the disassembly-minded). */
export function lowerTree(t: Pick<CompareTree, 'clusters' | 'miss' | 'far'>, a = 6, scratch = 1): EbpfInsn[] {
  const out: EbpfInsn[] = [];
  const code = new TreeCode(a, t.far);
  lowerInto(code, t.clusters, { pc: t.miss }, scratch);
  code.flush({
    raw: (i) => out.push(i),
    jcc: (op, imm, pc) => out.push({ kind: 'jmp', op, wide: false, dst: a, imm: imm | 0, off: pc }),
    jump: (pc) => out.push({ kind: 'ja', off: pc }),
  }, false);
  return out;
}

/** How the converter emits a tree: raw instructions, and jumps to cBPF pcs it resolves itself. */
export interface TreeSink {
  raw(insn: EbpfInsn): void;
  /** if A op imm goto pc (JMP32). */
  jcc(op: JmpOp, imm: number, pc: number): void;
  /** goto pc; `last`: nothing of the tree follows, so a jump to the next block may be left out. */
  jump(pc: number, last: boolean): void;
}

/** Shape 1: the tree on the register holding A (and one scratch), in place of the head's jeq. */
export function emitCompareTree(t: CompareTree, a: number, scratch: number, sink: TreeSink): void {
  const code = new TreeCode(a, t.far);
  lowerInto(code, t.clusters, { pc: t.miss }, scratch);
  code.flush(sink, false);
}

/** Registers shape 2 uses: A, the packet's data and data_end pointers, one scratch. */
export interface FieldRegs { a: number; data: number; dataEnd: number; scratch: number }

/**
 * Shape 2: guard, then per field `A = pkt[k:size]` and its tree; a failed guard runs on into
 * the original block code the converter emits right after.
 */
export function emitGuardedTrees(g: GuardedTrees, r: FieldRegs, sink: TreeSink): void {
  const code = new TreeCode(r.a, g.far);
  code.insn({ kind: 'alu', op: 'mov', wide: true, dst: r.scratch, src: r.data }); // scratch = data + end
  code.insn({ kind: 'alu', op: 'add', wide: true, dst: r.scratch, imm: g.end });
  code.jgtReg(r.scratch, r.dataEnd, TreeCode.END); // if scratch > data_end: the linear chain
  g.fields.forEach((f, i) => {
    const size = f.size === 1 ? 'b' : f.size === 2 ? 'h' : 'w';
    code.insn({ kind: 'ldx', size, signed: false, dst: r.a, src: r.data, off: f.k }); // A = pkt[k:size]
    if (f.size > 1) code.insn({ kind: 'end', order: 'be', width: f.size === 2 ? 16 : 32, dst: r.a });
    const last = i === g.fields.length - 1;
    const next = last ? null : code.label();
    lowerInto(code, f.clusters.map((c) => ({ ...c, target: g.target })), next === null ? { pc: g.miss } : { label: next }, r.scratch);
    if (next !== null) code.place(next);
  });
  code.flush(sink, true);
}
