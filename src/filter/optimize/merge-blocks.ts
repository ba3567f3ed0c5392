/**
 * Pass "merge-blocks": common-subexpression elimination on whole blocks. Two blocks with the
 * same statements, the same jump and the same successors compute the same thing, so one can
 * stand for both (the two `ret #0` blocks of `a and b`, or the repeated tails libpcap's
 * grammar produces). Blocks are hash-consed bottom-up (reverse topological order), so
 * identical subgraphs collapse in one linear pass.
 */
import { filled, isRet, topoOrder, zeros } from '../cfg.ts';
import type { Block, Program } from '../cfg.ts';
import type { Work } from './work.ts';

export function mergeBlocks(p: Program, work?: Work): Program {
  const order = topoOrder(p.root);
  if (work) work.steps += order.length;
  // canon[i]: the block standing for order[i]; ids[i]: the canonical number of a kept block
  // (both indexed by Block.index, which the blocks keep while this pass runs).
  const canon = filled<Block>(order.length, p.root);
  const ids = zeros(order.length);
  const byKey = new Map<string, Block>();
  for (let i = order.length - 1; i >= 0; i--) {
    const b = order[i]!;
    if (!isRet(b)) { b.jt = canon[b.jt!.index]!; b.jf = canon[b.jf!.index]!; }
    let key = `${b.code}:${b.k}|`;
    for (const s of b.stmts) key += `${s.code}:${s.k};`;
    if (!isRet(b)) key += `|${ids[b.jt!.index]}|${ids[b.jf!.index]}`;
    if (b.pinned) key += `|pinned${b.id}`;
    if (b.late) key += '|late';
    const seen = byKey.get(key);
    if (seen) { canon[i] = seen; continue; }
    byKey.set(key, b);
    canon[i] = b;
    ids[i] = byKey.size;
  }
  return { prologue: p.prologue, root: canon[0]! };
}
