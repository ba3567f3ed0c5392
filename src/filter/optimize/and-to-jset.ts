/**
 * Pass "and-to-jset": the peephole `and #k; jeq #0` → `jset #k` with the successors swapped
 * (A & k == 0 exactly when jset k fails). Saves one instruction per masked test, e.g. the
 * host-bits check of `ip broadcast` or `ip[6:2] & 0x1fff = 0`. Safe while blocks are
 * self-contained: no other block reads the masked value left in A.
 */
import { isRet, topoOrder } from '../cfg.ts';
import type { Program } from '../cfg.ts';
import { ALU, AND, JEQ, JMP, JSET, K } from '../insn.ts';

export function andToJset(p: Program): Program {
  for (const b of topoOrder(p.root)) {
    if (isRet(b) || b.code !== (JMP | JEQ | K) || b.k !== 0) continue;
    const last = b.stmts[b.stmts.length - 1];
    if (!last || last.code !== (ALU | AND | K)) continue;
    b.stmts = b.stmts.slice(0, -1);
    b.code = JMP | JSET | K;
    b.k = last.k >>> 0;
    const t = b.jt;
    b.jt = b.jf;
    b.jf = t;
  }
  return p;
}
