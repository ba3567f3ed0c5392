/**
 * The block CFG IR. A program is a DAG of blocks; each block is a straight-line list of
 * non-branching cBPF statements followed by either a conditional jump (with a true and a false
 * successor) or a return. Lowering builds *fragments*: a fragment has one entry block and two
 * lists of dangling exits (the edges taken when the fragment's predicate is true / false), and
 * `and`/`or`/`not` combine fragments by back-patching those exits (the classic
 * "true list / false list" technique). Fragments can also be constant (a predicate that is
 * always true or always false for this link type, like `ip` on LINKTYPE_IPV4).
 *
 * Invariant established by lowering (and relied on by the optimizer's jump threading): every
 * block computes everything it tests from the packet itself — it does not read A, X or scratch
 * memory written by another block (except the read-only prologue slots, see `Program`).
 */

import { BPF_RET, bpfClass } from '../isa/cbpf/opcodes.ts';
import type { CbpfInsn } from '../isa/cbpf/types.ts';

/** A non-jump instruction (ld/ldx/st/stx/alu/misc). */
export interface Stmt {
  code: number;
  k: number;
}

export interface Block {
  id: number;
  stmts: Stmt[];
  /** For a jump block: the BPF_JMP opcode (class|op|src); for a return block: BPF_RET|BPF_K. */
  code: number;
  k: number;
  jt: Block | null;
  jf: Block | null;
  /**
   * Part of a link-header prologue: reads/writes registers across blocks, so the optimizer
   * must neither skip, fold, merge nor learn facts from it (see lower/prologue.ts).
   */
  pinned?: boolean;
  /**
   * A test libpcap 1.10.3's optimizer only simplifies in its second phase, after it has stopped
   * threading jumps: an arithmetic relation (`ip[1:2] >= 5`, `ip6[6] = 6`, a constant one such
   * as `1 = 0`) and a masked test turned into `jset`. Jump threading relates such a block only to
   * identical ones (libpcap's value numbers of the code as generated), and its constant outcome
   * is fixed only at the end, without removing the tests before it (see optimize/late.ts).
   */
  late?: boolean;
  /**
   * The outcome of the block's jump, known at compile time although its statements compute it
   * through scratch registers (a relation of constants on 802.11 links, where libpcap's register
   * allocation is emulated): the optimizer decides it (late ones in late.ts), an unoptimized
   * program runs the statements, whose stores may matter.
   */
  decided?: boolean;
  /**
   * Pre-assembled code run after `stmts` and before the jump (pinned blocks only): used for
   * protochain's loop, whose internal jumps (one backward) stay inside this sequence.
   */
  raw?: CbpfInsn[];
  /**
   * Position in the last `topoOrder` that reached this block (-1 before any): the passes index
   * plain arrays with it instead of hashing blocks into Maps. Valid until the graph changes.
   */
  index: number;
  /** Traversal stamp of `topoOrder` (internal). */
  seen: number;
}

export interface Exit {
  block: Block;
  /** Which edge dangles: the true edge (jt) or the false edge (jf). */
  onTrue: boolean;
}

export type Frag =
  | { kind: 'const'; value: boolean }
  | { kind: 'blocks'; head: Block; trues: Exit[]; falses: Exit[] };

export const TRUE: Frag = { kind: 'const', value: true };
export const FALSE: Frag = { kind: 'const', value: false };

let nextId = 1;

export function newBlock(stmts: Stmt[], code: number, k: number): Block {
  return { id: nextId++, stmts, code, k, jt: null, jf: null, index: -1, seen: 0 };
}

/** A fragment of one test block: `stmts; if (A <op> k) true else false`. */
export function test(stmts: Stmt[], jcode: number, k: number): Frag {
  const b = newBlock(stmts, jcode, k >>> 0);
  return { kind: 'blocks', head: b, trues: [{ block: b, onTrue: true }], falses: [{ block: b, onTrue: false }] };
}

function patch(exits: Exit[], to: Block): void {
  for (const e of exits) {
    if (e.onTrue) e.block.jt = to;
    else e.block.jf = to;
  }
}

/**
 * The exits of `a` and `b` in one list: the shorter list is pushed onto the longer one, in
 * place. Exit lists belong to exactly one fragment and fragments are consumed when combined,
 * and the order of exits does not matter (each is patched once), so both `a or b or c ...` and
 * right-nested `a or (b or (c ...))` stay linear instead of quadratic.
 */
function append(a: Exit[], b: Exit[]): Exit[] {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  for (const e of short) long.push(e);
  return long;
}

export function and(a: Frag, b: Frag): Frag {
  if (a.kind === 'const') return a.value ? b : FALSE;
  if (b.kind === 'const') {
    if (b.value) return a;
    // `a and false`: a's evaluation has no side effects, so the whole thing is false.
    return FALSE;
  }
  patch(a.trues, b.head);
  return { kind: 'blocks', head: a.head, trues: b.trues, falses: append(a.falses, b.falses) };
}

export function or(a: Frag, b: Frag): Frag {
  if (a.kind === 'const') return a.value ? TRUE : b;
  if (b.kind === 'const') return b.value ? TRUE : a;
  patch(a.falses, b.head);
  return { kind: 'blocks', head: a.head, trues: append(a.trues, b.trues), falses: b.falses };
}

export function not(a: Frag): Frag {
  if (a.kind === 'const') return a.value ? FALSE : TRUE;
  return { kind: 'blocks', head: a.head, trues: a.falses, falses: a.trues };
}

export function andAll(fs: Frag[]): Frag {
  let r: Frag = TRUE;
  for (const f of fs) r = and(r, f);
  return r;
}

export function orAll(fs: Frag[]): Frag {
  let r: Frag = FALSE;
  for (const f of fs) r = or(r, f);
  return r;
}

/**
 * A finished program: a prologue of statements run once (it may compute read-only values into
 * reserved scratch slots, e.g. a variable link-header length) and the root block of the DAG, in
 * which every path ends in a return block.
 */
export interface Program {
  prologue: Stmt[];
  root: Block;
}

/** Terminates a fragment: true exits return `accept`, false exits return 0. */
export function finish(f: Frag, accept: number, prologue: Stmt[]): Program {
  const ok = newBlock([], RET_K, accept);
  const no = newBlock([], RET_K, 0);
  if (f.kind === 'const') return { prologue, root: f.value ? ok : no };
  patch(f.trues, ok);
  patch(f.falses, no);
  return { prologue, root: f.head };
}

/** Stamp of the current traversal: a block is visited when its `seen` equals it. */
let epoch = 0;

/**
 * All blocks reachable from `root`, in a topological order (every edge goes forward); sets each
 * block's `index` to its position. An iterative post-order DFS over two parallel stacks (no
 * per-block allocation, no Map): reversing the post-order gives a topological order.
 */
export function topoOrder(root: Block): Block[] {
  const stamp = ++epoch;
  const post: Block[] = [];
  const stack: Block[] = [root];
  const step: number[] = [0];
  root.seen = stamp;
  while (stack.length > 0) {
    const top = stack.length - 1;
    const b = stack[top]!;
    const s = step[top]!;
    if (s < 2) {
      step[top] = s + 1;
      const succ = s === 0 ? b.jf : b.jt;
      if (succ !== null && succ.seen !== stamp) { succ.seen = stamp; stack.push(succ); step.push(0); }
      continue;
    }
    stack.pop();
    step.pop();
    post.push(b);
  }
  const order = post.reverse();
  for (let i = 0; i < order.length; i++) order[i]!.index = i;
  return order;
}

/**
 * `n` copies of `v` in a plain array, for the per-block tables of the passes (indexed by
 * Block.index). Not a typed array: each of those allocates an ArrayBuffer, which for the small
 * graphs of ordinary filters cost more than the pass itself. Filled by `push`, not
 * preallocated: V8 gives `new Array(n)` for large n slow dictionary elements.
 */
export function filled<T>(n: number, v: T): T[] {
  const a: T[] = [];
  for (let i = 0; i < n; i++) a.push(v);
  return a;
}

/** `n` zeros (see `filled`). */
export function zeros(n: number): number[] {
  return filled(n, 0);
}

export function isRet(b: Block): boolean {
  return bpfClass(b.code) === BPF_RET;
}

export const RET_K = 0x06;
