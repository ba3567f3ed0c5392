/**
 * Pass "pullup": moves a test of an already-tested value up a conjunction (or disjunction)
 * chain, next to the tests of that value, so that jump threading can then decide it. This is
 * what lets libpcap 1.10.3 see that `(lat or pppoed) and ether[0] = 1 and ip` rejects every
 * packet: every path into the `ether[0] = 1` block has just tested the Ethernet type, the
 * `ip` test below it tests the Ethernet type again, so the `ip` test is pulled above
 * `ether[0] = 1`, where the type is known to be 0x6004 or 0x8863 on each incoming edge.
 *
 * The shape (for "and"; "or" is the mirror image with the roles of jt and jf swapped): a block
 * B all of whose predecessors test the same value V; following true edges from B, a chain of
 * blocks that all share B's false successor F (a conjunction whose failure goes to F): first
 * zero or more blocks testing V, then a block D testing something else, then further blocks,
 * then a block S testing V again. S is moved above D. A conjunction may be reordered because
 * blocks are self-contained (no block reads registers another wrote); as in libpcap, a load
 * in D that would have failed on a short packet before S's test is then skipped when S fails.
 * S's own load cannot fail: the predecessors of B loaded the same value.
 *
 * Where libpcap checks that B dominates the chain, we require every chain block below B to
 * have B's chain as its only predecessor: moving S then changes no other path. Pinned
 * (prologue) blocks are never moved or passed.
 */
import { isRet, topoOrder } from '../cfg.ts';
import type { Block, Program } from '../cfg.ts';
import { testKey } from './facts.ts';

type Mode = 'and' | 'or';

interface Graph {
  preds: Map<Block, Array<{ block: Block; onTrue: boolean }>>;
  /** testKey per block, computed once per sweep (a pullup moves edges, never statements). */
  keys: Map<Block, string | undefined>;
}

function keyOf(g: Graph, b: Block): string | undefined {
  if (g.keys.has(b)) return g.keys.get(b);
  const k = testKey(b);
  g.keys.set(b, k);
  return k;
}

function graph(order: Block[]): Graph {
  const preds = new Map<Block, Array<{ block: Block; onTrue: boolean }>>();
  for (const b of order) {
    if (isRet(b)) continue;
    for (const onTrue of [true, false]) {
      const s = onTrue ? b.jt! : b.jf!;
      let l = preds.get(s);
      if (!l) preds.set(s, (l = []));
      l.push({ block: b, onTrue });
    }
  }
  return { preds, keys: new Map() };
}

const next = (x: Block, m: Mode): Block => (m === 'and' ? x.jt! : x.jf!);
const fixed = (x: Block, m: Mode): Block => (m === 'and' ? x.jf! : x.jt!);
function setNext(x: Block, m: Mode, to: Block): void {
  if (m === 'and') x.jt = to; else x.jf = to;
}

/** Whether `x` may be part of b's chain: a test sharing b's fixed exit F, entered only from the chain. */
function inChain(x: Block, b: Block, F: Block, g: Graph, m: Mode): boolean {
  return !isRet(x) && !x.pinned && fixed(x, m) === F && (x === b || g.preds.get(x)?.length === 1);
}

/** One pullup at `b` in direction `m`, if the shape is there. */
function pullAt(b: Block, g: Graph, m: Mode): boolean {
  const preds = g.preds.get(b);
  if (!preds || preds.length === 0) return false;
  const val = keyOf(g, preds[0]!.block);
  if (val === undefined) return false;
  for (const e of preds) if (e.block.pinned || keyOf(g, e.block) !== val) return false;
  const F = fixed(b, m);
  // D: the first block of the chain that tests something other than V.
  let parent: Block | null = null;
  let diff = b;
  for (;;) {
    if (!inChain(diff, b, F, g, m)) return false;
    if (keyOf(g, diff) !== val) break;
    parent = diff;
    diff = next(diff, m);
  }
  // S: the next block of the chain that tests V again.
  let sparent = diff;
  let same = next(diff, m);
  for (;;) {
    if (same === b || !inChain(same, b, F, g, m)) return false;
    if (keyOf(g, same) === val) break;
    sparent = same;
    same = next(same, m);
  }
  const after = next(same, m);
  const onTrue = m === 'and';
  setNext(sparent, m, after);
  setNext(same, m, diff);
  if (parent === null) {
    for (const e of preds) if (e.onTrue) e.block.jt = same; else e.block.jf = same;
    g.preds.set(same, preds);
  } else {
    setNext(parent, m, same);
    g.preds.set(same, [{ block: parent, onTrue }]);
  }
  // Keep the predecessor lists exact, so the sweep can go on without rebuilding them.
  g.preds.set(diff, [{ block: same, onTrue }]);
  const ap = g.preds.get(after)!;
  const i = ap.findIndex((e) => e.block === same && e.onTrue === onTrue);
  ap[i] = { block: sparent, onTrue };
  return true;
}

/** Bound on sweeps per invocation (the optimizer's own loop repeats the pass as well). */
const MAX_SWEEPS = 8;

export function pullup(p: Program): Program {
  for (let n = 0; n < MAX_SWEEPS; n++) {
    const order = topoOrder(p.root);
    const g = graph(order);
    let changed = false;
    // Bottom-up, as libpcap walks its levels from the leaves towards the root.
    for (let i = order.length - 1; i >= 0; i--) {
      const b = order[i]!;
      if (isRet(b) || b.pinned) continue;
      if (pullAt(b, g, 'or')) changed = true;
      if (pullAt(b, g, 'and')) changed = true;
    }
    if (!changed) break;
  }
  return p;
}
