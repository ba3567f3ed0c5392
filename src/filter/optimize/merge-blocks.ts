/**
 * Pass "merge-blocks": common-subexpression elimination on whole blocks. Two blocks with the
 * same statements, the same jump and the same successors compute the same thing, so one can
 * stand for both (the two `ret #0` blocks of `a and b`, or the repeated tails libpcap's
 * grammar produces). Blocks are hash-consed bottom-up (reverse topological order), so
 * identical subgraphs collapse in one linear pass.
 */
import { isRet, topoOrder } from '../cfg.ts';
import type { Block, Program } from '../cfg.ts';

export function mergeBlocks(p: Program): Program {
  const order = topoOrder(p.root);
  const canon = new Map<Block, Block>();
  const byKey = new Map<string, Block>();
  const ids = new Map<Block, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const b = order[i]!;
    if (!isRet(b)) { b.jt = canon.get(b.jt!)!; b.jf = canon.get(b.jf!)!; }
    let key = `${b.code}:${b.k}|`;
    for (const s of b.stmts) key += `${s.code}:${s.k};`;
    if (!isRet(b)) key += `|${ids.get(b.jt!)}|${ids.get(b.jf!)}`;
    if (b.pinned) key += `|pinned${b.id}`;
    const seen = byKey.get(key);
    if (seen) { canon.set(b, seen); continue; }
    byKey.set(key, b);
    canon.set(b, b);
    ids.set(b, ids.size);
  }
  return { prologue: p.prologue, root: canon.get(p.root)! };
}
