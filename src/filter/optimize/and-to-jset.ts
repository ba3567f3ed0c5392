/**
 * Pass "and-to-jset": the peephole `and #k; jeq #0` → `jset #k` with the successors swapped
 * (A & k == 0 exactly when jset k fails). Saves one instruction per masked test, e.g. the
 * host-bits check of `ip broadcast` or `ip[6:2] & 0x1fff = 0`. Safe while blocks are
 * self-contained: no other block reads the masked value left in A.
 *
 * libpcap 1.10.3 compatibility: its peephole then treats `jset #0xffffffff` as always true
 * (wrong when A is 0), so `x & 0xffffffff = 0` never matches there and the optimizer reports
 * "expression rejects all packets". The oracle is 1.10.3's verdicts, so we do the same; the
 * unoptimized program (`-O`) keeps the exact semantics, as libpcap's does.
 */
import { isRet, topoOrder } from '../cfg.ts';
import type { Program } from '../cfg.ts';
import { ALU, AND, JEQ, JMP, JSET, K } from '../insn.ts';

export function andToJset(p: Program): Program {
  for (const b of topoOrder(p.root)) {
    if (isRet(b) || b.pinned || b.code !== (JMP | JEQ | K) || b.k !== 0) continue;
    const last = b.stmts[b.stmts.length - 1];
    if (!last || last.code !== (ALU | AND | K)) continue;
    b.stmts = b.stmts.slice(0, -1);
    b.code = JMP | JSET | K;
    b.k = last.k >>> 0;
    const t = b.jt;
    b.jt = b.jf;
    b.jf = t;
    // `jset #0` never jumps: the block no longer depends on the packet (fold-constants removes it).
    if (b.k === 0) b.jt = b.jf;
    if (b.k === 0xffffffff) b.jf = b.jt;
  }
  return p;
}
