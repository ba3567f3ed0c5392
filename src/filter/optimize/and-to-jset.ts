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
import { ALU, AND, DIV, JEQ, JMP, JSET, K, LD, LDX, MOD, X, bpfClass, bpfOp } from '../insn.ts';
import type { Stmt } from '../cfg.ts';

/**
 * The statements of a block whose A is about to be overwritten (`and #0`) and whose jump no
 * longer reads it: the trailing statements that only compute A go (loads and ALU, except
 * divisions by X, which can reject the packet), then a trailing X load no remaining statement
 * follows (blocks here are self-contained: no other block reads this block's A or X).
 */
export function withoutDeadTail(stmts: readonly Stmt[]): Stmt[] {
  let n = stmts.length;
  while (n > 0) {
    const s = stmts[n - 1]!;
    const cls = bpfClass(s.code);
    const aluX = cls === ALU && (s.code & X) !== 0;
    if (cls === LD || (cls === ALU && !(aluX && (bpfOp(s.code) === DIV || bpfOp(s.code) === MOD)))) { n--; continue; }
    break;
  }
  const out = stmts.slice(0, n);
  // A trailing X load: nothing after it in the block reads X, and the jump compares with k.
  while (out.length > 0 && bpfClass(out[out.length - 1]!.code) === LDX) out.pop();
  return out;
}

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
    // `jset #0` never jumps: the block no longer depends on the packet (fold-constants removes
    // it). libpcap turns `and #0` into `ld #0` and then deletes the statements whose results
    // that overwrites (the load of the masked value, and an X no one reads any more), so a
    // packet too short for those loads is not rejected by them; drop them too. (A relation's
    // mask, `ip[0] & 0 = 0`, libpcap decides only in its second phase: late.ts does that.)
    if (b.late) continue;
    if (b.k === 0) { b.jt = b.jf; b.stmts = withoutDeadTail(b.stmts); }
    if (b.k === 0xffffffff) b.jf = b.jt;
  }
  return p;
}
