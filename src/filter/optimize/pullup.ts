/**
 * Pass "pullup": moves a test of an already-tested value up a conjunction (or disjunction)
 * chain, next to the tests of that value, so that jump threading can then decide it and the
 * redundant-loads pass can share one load among them. This is what lets libpcap 1.10.3 see that
 * `(lat or pppoed) and ether[0] = 1 and ip` rejects every packet, and what turns
 * `host a or host b or …` into one run of source-address tests followed by one run of
 * destination-address tests.
 *
 * The rule (libpcap's and/or pullup; "or" is described, "and" is the mirror image with the roles
 * of jt and jf swapped): a block B all of whose predecessors test the same value V; following
 * false edges from B, a chain of blocks that all share B's true successor F: first zero or more
 * blocks testing V, then a block D testing something else, then further blocks, then a block S
 * testing V again. S is moved above D. A disjunction may be reordered because blocks are
 * self-contained (no block reads registers another wrote); as in libpcap, a load in D that would
 * have failed on a short packet before S's test is then skipped when S succeeds. Where libpcap
 * checks that B dominates the chain, we require every chain block below its head to have the
 * chain as its only predecessor: moving S then changes no other path. Pinned (prologue) blocks
 * are never moved or passed.
 *
 * Technique: applying the rule one move at a time until nothing moves (as libpcap does) costs a
 * walk down the chain per move, quadratic in the chain's length — minutes for a 10,000-host
 * list. Instead, each maximal chain is rearranged once into the rule's fixpoint, which can be
 * computed directly: moves keep the relative order of the tests of one value and never move the
 * first test of a value (except the head's value V, which goes to the top), so the fixpoint is
 * the chain's tests grouped by tested value — the head predecessors' V first, then the values in
 * the order of their first test; blocks with no trackable value (comparisons with X) stay
 * where they are relative to the groups. One sort key per block, one relinking: linear.
 */
import { filled, isRet, topoOrder, zeros } from '../cfg.ts';
import type { Block, Program } from '../cfg.ts';
import { testKey } from './facts.ts';
import type { Work } from './work.ts';

type Mode = 'and' | 'or';

const next = (x: Block, m: Mode): Block => (m === 'and' ? x.jt! : x.jf!);
const fixed = (x: Block, m: Mode): Block => (m === 'and' ? x.jf! : x.jt!);
function setNext(x: Block, m: Mode, to: Block): void {
  if (m === 'and') x.jt = to; else x.jf = to;
}

/**
 * Predecessor edges in compressed form, indexed by `Block.index`: the edges into block i are
 * `src[off[i]] … src[off[i+1]-1]` (pred index * 2 + 1 for a true edge, + 0 for a false edge).
 */
interface Preds { off: number[]; src: number[] }

function predecessors(order: Block[]): Preds {
  const n = order.length;
  const off = zeros(n + 1);
  for (const b of order) {
    if (isRet(b)) continue;
    off[b.jt!.index + 1]!++;
    off[b.jf!.index + 1]!++;
  }
  for (let i = 0; i < n; i++) off[i + 1]! += off[i]!;
  const fill = off.slice(0, n);
  const src = zeros(off[n]!);
  for (const b of order) {
    if (isRet(b)) continue;
    src[fill[b.jt!.index]!++] = b.index * 2 + 1;
    src[fill[b.jf!.index]!++] = b.index * 2;
  }
  return { off, src };
}

/** One sweep over every maximal chain of mode `m`; whether anything moved. */
function sweep(p: Program, m: Mode, keyIds: Map<string, number>, blockKey: Map<Block, number>, work: Work | undefined): boolean {
  const order = topoOrder(p.root);
  const n = order.length;
  const { off, src } = predecessors(order);
  // Tested value per block as a small integer (-1: none), interned across sweeps (a pullup
  // moves edges, never statements, so a block's key stays valid for the whole pass).
  const key = zeros(n);
  for (let i = 0; i < n; i++) {
    const b = order[i]!;
    let id = blockKey.get(b);
    if (id === undefined) {
      const k = isRet(b) ? undefined : testKey(b);
      if (k === undefined) id = -1;
      else {
        id = keyIds.get(k);
        if (id === undefined) keyIds.set(k, (id = keyIds.size));
      }
      blockKey.set(b, id);
    }
    key[i] = id;
  }
  const member = zeros(n);
  // Per value: its rank in the chain being sorted, valid when stampOf[value] is that chain's stamp.
  const rankOf = zeros(keyIds.size);
  const stampOf = zeros(keyIds.size);
  let stamp = 0;
  let changed = false;
  let steps = n;
  const chain: Block[] = [];
  const ranks: number[] = [];
  // Topological order meets a chain's head before its other blocks.
  for (const head of order) {
    if (isRet(head) || head.pinned || member[head.index]) continue;
    const F = fixed(head, m);
    chain.length = 0;
    chain.push(head);
    member[head.index] = 1;
    for (let x = next(head, m); !isRet(x) && !x.pinned && fixed(x, m) === F && off[x.index + 1]! - off[x.index]! === 1 && !member[x.index]; x = next(x, m)) {
      chain.push(x);
      member[x.index] = 1;
    }
    steps += chain.length;
    if (chain.length < 2) continue;
    // V: the value every predecessor of the head tests, if they agree.
    const h = head.index;
    let v = -1;
    for (let e = off[h]!; e < off[h + 1]!; e++) {
      const pb = order[src[e]! >> 1]!;
      const k = pb.pinned ? -1 : key[pb.index]!;
      if (e === off[h]) v = k;
      else if (k !== v) v = -1;
      if (v === -1) break;
    }
    // Group rank per block: V's tests first, then each value at its first test; a block without
    // a key is a group of its own.
    stamp++;
    if (v >= 0) { stampOf[v] = stamp; rankOf[v] = -1; }
    ranks.length = 0;
    let sorted = true;
    for (let i = 0; i < chain.length; i++) {
      const k = key[chain[i]!.index]!;
      let r = i;
      if (k >= 0) {
        if (stampOf[k] === stamp) r = rankOf[k]!;
        else { stampOf[k] = stamp; rankOf[k] = i; }
      }
      if (i > 0 && r < ranks[i - 1]!) sorted = false;
      ranks.push(r);
    }
    if (sorted) continue;
    // Stable order by rank: ranks are chain positions (or -1), so a counting sort is linear.
    const count = zeros(chain.length + 2);
    for (const r of ranks) count[r + 2]!++;
    for (let i = 1; i < count.length; i++) count[i]! += count[i - 1]!;
    const out = filled<Block>(chain.length, head);
    for (let i = 0; i < chain.length; i++) out[count[ranks[i]! + 1]!++] = chain[i]!;
    changed = true;
    const after = next(chain[chain.length - 1]!, m);
    for (let i = 0; i + 1 < out.length; i++) setNext(out[i]!, m, out[i + 1]!);
    setNext(out[out.length - 1]!, m, after);
    // A new top (V's tests pulled above the head) takes over the head's incoming edges; the
    // head of a chain with no predecessor (the root) has no V, so the root never changes.
    const top = out[0]!;
    if (top !== head) {
      for (let e = off[h]!; e < off[h + 1]!; e++) {
        const pb = order[src[e]! >> 1]!;
        if (src[e]! & 1) pb.jt = top; else pb.jf = top;
      }
    }
  }
  if (work) work.steps += steps;
  return changed;
}

/** Bound on or/and sweep pairs per invocation (the optimizer's own loop repeats the pass as well). */
const MAX_SWEEPS = 1;

export function pullup(p: Program, work?: Work): Program {
  const keyIds = new Map<string, number>();
  const blockKey = new Map<Block, number>();
  for (let n = 0; n < MAX_SWEEPS; n++) {
    const or = sweep(p, 'or', keyIds, blockKey, work);
    const and = sweep(p, 'and', keyIds, blockKey, work);
    if (!or && !and) break;
  }
  return p;
}
