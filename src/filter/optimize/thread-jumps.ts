/**
 * Pass "thread-jumps": if the outcome of a block's test is already known on an incoming edge
 * (because an earlier block on every path to that edge tested the same value, e.g. the
 * Ethernet type in `tcp port 80 or udp port 53`), the edge is redirected past the block to
 * the successor the test would choose. Facts (facts.ts) flow forward in topological order: a
 * block's facts are the meet over its incoming edges, and an edge adds its own test outcome.
 * Sound because blocks are self-contained (no block depends on registers set by another).
 * Fact sets are capped, so the pass is linear in the number of edges.
 */
import { filled, isRet, topoOrder, zeros } from '../cfg.ts';
import type { Block, Program } from '../cfg.ts';
import { decide, intersect, testKey, withOutcome } from './facts.ts';
import type { Facts } from './facts.ts';
import type { Work } from './work.ts';

/**
 * A test whose two edges reach the same return decides nothing: the block (and, blocks being
 * self-contained, the loads feeding its test) can be skipped, so a packet too short for those
 * loads is no longer rejected by them. libpcap's optimizer removes such "common branch targets"
 * when no data dependency forbids it; a return has none. (Common targets that are tests are
 * kept: there libpcap's shared registers usually forbid the move, and it keeps the loads.)
 */
function commonReturn(b: Block): boolean {
  return !isRet(b) && !b.pinned && b.jt === b.jf && isRet(b.jt!);
}

/** Tested value per block, interned (-1: none), indexed by Block.index. */
function keysOf(order: Block[]): number[] {
  const ids = new Map<string, number>();
  const key = zeros(order.length);
  for (let i = 0; i < order.length; i++) {
    const b = order[i]!;
    const k = isRet(b) ? undefined : testKey(b);
    if (k === undefined) { key[i] = -1; continue; }
    let id = ids.get(k);
    if (id === undefined) ids.set(k, (id = ids.size));
    key[i] = id;
  }
  return key;
}

export function threadJumps(p: Program, work?: Work): Program {
  // Keys come from the order before any redirection: threading only moves edges to blocks
  // already reachable, so every block met below has its index in this order.
  const order = topoOrder(p.root);
  const key = keysOf(order);
  let steps = order.length;
  /** Follows decided tests from `t` under `f`, returning the final target. */
  const follow = (t: Block, f: Facts): Block => {
    let cur = t;
    for (;;) {
      steps++;
      if (isRet(cur)) return cur;
      if (commonReturn(cur)) { cur = cur.jt!; continue; }
      const d = decide(f, key[cur.index]!, cur);
      if (d === undefined) return cur;
      cur = d ? cur.jt! : cur.jf!;
    }
  };
  const root = follow(p.root, new Map());
  // Facts on entry per Block.index; blocks left unreachable by earlier redirections have none.
  const inFacts = filled<Facts | undefined>(order.length, undefined);
  inFacts[root.index] = new Map();
  for (let i = root.index; i < order.length; i++) {
    const b = order[i]!;
    if (isRet(b)) continue;
    const f = inFacts[i];
    if (!f) continue;
    for (const taken of [true, false]) {
      const ef = withOutcome(f, key[i]!, b, taken);
      const t = follow(taken ? b.jt! : b.jf!, ef);
      if (taken) b.jt = t; else b.jf = t;
      const prev = inFacts[t.index];
      inFacts[t.index] = prev ? intersect(prev, ef) : ef;
    }
  }
  // Threading can leave a block whose two edges now meet after its predecessors were already
  // resolved: bypass those too (processing in reverse order settles chains of them).
  const bypass = (b: Block): Block => (commonReturn(b) ? b.jt! : b);
  for (let i = order.length - 1; i >= 0; i--) {
    const b = order[i]!;
    if (isRet(b)) continue;
    b.jt = bypass(b.jt!);
    b.jf = bypass(b.jf!);
  }
  if (work) work.steps += steps;
  return { prologue: p.prologue, root: bypass(root) };
}
