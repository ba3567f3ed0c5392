/**
 * Pass "late-decisions": the tests libpcap 1.10.3's optimizer only decides in its second phase.
 *
 * libpcap optimizes in two phases: the first moves edges (jump threading, common branch targets,
 * or/and pullups) on the code as generated, the second simplifies statements (constant folding,
 * `and #k; jeq #0` → `jset #k`, `sub #k; jeq #0` → `jeq #k`, a comparison of a constant) and moves
 * no edge any more except the decided test's own. So a test decided there — a constant relation
 * (`(30 | 23) != 87`), a masked test whose mask is 0 (`net 0.0.0.0/0`) or, by 1.10.3's quirk,
 * 0xffffffff — keeps every test before it: a packet too short for their loads is still rejected
 * by them, and a program whose every path ends in such a `ret #0` still compiles (the root only
 * skips leading tests whose two edges meet). Blocks marked `late` by lowering and and-to-jset are
 * decided here, after the rounds, exactly so: both edges go to the outcome's successor and the
 * statements that only fed the test are dropped (libpcap's dead-store pass removes them too).
 */
import { isRet, topoOrder } from '../cfg.ts';
import type { Program, Stmt } from '../cfg.ts';
import { JEQ, JGE, JGT, JSET, bpfOp, bpfSrc } from '../insn.ts';
import { withoutDeadTail } from './and-to-jset.ts';
import { constantA } from './fold-constants.ts';
import type { Work } from './work.ts';

export function lateDecisions(p: Program, work?: Work): Program {
  const order = topoOrder(p.root);
  if (work) work.steps += order.length;
  for (const b of order) {
    if (isRet(b) || !b.late || b.pinned) continue;
    const k = b.k >>> 0;
    let taken: boolean | undefined;
    if (b.decided !== undefined) taken = b.decided;
    else if (bpfSrc(b.code)) continue;
    else if (bpfOp(b.code) === JSET && (k === 0 || k === 0xffffffff)) taken = k !== 0;
    else {
      const a = constantA(b);
      if (a === undefined) continue;
      switch (bpfOp(b.code)) {
        case JEQ: taken = a === k; break;
        case JGT: taken = a > k; break;
        case JGE: taken = a >= k; break;
        case JSET: taken = (a & k) !== 0; break;
      }
    }
    if (taken === undefined) continue;
    const to = taken ? b.jt! : b.jf!;
    b.jt = to;
    b.jf = to;
    b.stmts = withoutDeadTail(b.stmts);
  }
  // The root skips leading tests whose two edges meet, and the new root runs their statements
  // first, unless it is a return (libpcap's opt_root). Nothing else leads to the new root.
  let root = p.root;
  const skipped: Stmt[] = [];
  while (!isRet(root) && root.jt === root.jf && !root.pinned && !root.raw) {
    skipped.push(...root.stmts);
    root = root.jt!;
  }
  if (skipped.length > 0 && !isRet(root)) root.stmts = [...skipped, ...root.stmts];
  return { prologue: p.prologue, root };
}
