/**
 * Pass "redundant-loads": removes a load whose value is already in the register on every path
 * into it — the second `ldh [12]` of `ip or ip6`, the repeated `ldxb 4*([14]&0xf)` of
 * `tcp src port 1 or tcp dst port 2`. Register contents are tracked symbolically (a string
 * describing the computation, e.g. "ldh[x+14]@msh14"), flowing forward in topological order
 * and met (equal or unknown) at joins; scratch memory is tracked within a block only.
 * This pass breaks the "self-contained blocks" invariant, so it must run last.
 */
import { filled, isRet, topoOrder } from '../cfg.ts';
import type { Program, Stmt } from '../cfg.ts';
import type { Work } from './work.ts';
import { ABS, ALU, IMM, IND, LD, LDX, LEN, MEM, MISC, MSH, ST, STX, bpfClass, bpfMode, bpfOp, bpfSize, bpfSrc } from '../insn.ts';

interface Regs { a?: string; x?: string }

const MAX_DESC = 160;
let fresh = 0;

function meet(a: Regs, b: Regs): Regs {
  return { a: a.a === b.a ? a.a : undefined, x: a.x === b.x ? a.x : undefined };
}

function loadDesc(s: Stmt, x: string | undefined): string | undefined {
  const mode = bpfMode(s.code);
  const size = bpfSize(s.code);
  switch (mode) {
    case IMM: return `#${s.k >>> 0}`;
    case ABS: return `[${s.k}]${size}`;
    case LEN: return 'len';
    case IND: return x === undefined ? undefined : `[x+${s.k}]${size}@${x}`;
    case MSH: return `msh[${s.k}]`;
    default: return undefined;
  }
}

export function redundantLoads(p: Program, work?: Work): Program {
  const order = topoOrder(p.root);
  if (work) work.steps += order.length;
  // Register contents on entry, per Block.index (met over the incoming edges).
  const inRegs = filled<Regs | undefined>(order.length, undefined);
  inRegs[0] = {};
  for (const b of order) {
    let r: Regs = { ...(inRegs[b.index] ?? {}) };
    const mem = new Map<number, string | undefined>();
    const kept: Stmt[] = [];
    for (const s of b.stmts) {
      const cls = bpfClass(s.code);
      if (cls === LD || cls === LDX) {
        const mode = bpfMode(s.code);
        // Slot 15 holds the prologue's link-header length and never changes afterwards.
        const d = mode === MEM ? (s.k === 15 ? 'M15' : mem.get(s.k)) : loadDesc(s, r.x);
        const cur = cls === LD ? r.a : r.x;
        if (d !== undefined && d === cur) continue; // already there
        const v = d ?? `?${fresh++}`;
        if (cls === LD) r.a = v; else r.x = v;
        kept.push(s);
        continue;
      }
      kept.push(s);
      if (cls === ST) mem.set(s.k, r.a);
      else if (cls === STX) mem.set(s.k, r.x);
      else if (cls === ALU) {
        const src = bpfSrc(s.code) ? `x(${r.x ?? `?${fresh++}`})` : `#${s.k >>> 0}`;
        const d = r.a === undefined ? undefined : `(${r.a} ${bpfOp(s.code)} ${src})`;
        r.a = d !== undefined && d.length <= MAX_DESC ? d : `?${fresh++}`;
      } else if (cls === MISC) {
        if (s.code & 0x80) r.a = r.x; else r.x = r.a;
      }
    }
    b.stmts = kept;
    // Pre-assembled code (protochain's loop) changes A and X in ways we do not follow.
    if (b.raw) r = { a: `?${fresh++}`, x: `?${fresh++}` };
    if (isRet(b)) continue;
    for (const t of [b.jt!, b.jf!]) {
      const prev = inRegs[t.index];
      inRegs[t.index] = prev ? meet(prev, r) : { ...r };
    }
    r = {};
  }
  return p;
}
