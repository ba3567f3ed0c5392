/**
 * Relations and arithmetic: `expr relop expr` with `proto[expr:size]` loads, `len` and the ten
 * binary operators. Values are computed into A (using X and per-block scratch slots by depth);
 * constant subexpressions are folded. Guards ("the packet is TCP") follow libpcap 1.10.3.
 */
import { UserError } from '../../errors.ts';
import type { Arith, RelOp } from '../ast.ts';
import { and, andAll, FALSE, not, test, TRUE } from '../cfg.ts';
import type { Frag, Stmt } from '../cfg.ts';
import * as I from '../insn.ts';
import { ETHERTYPE } from './link.ts';
import type { Lowerer } from './gen.ts';
import { IPPROTO, LINK_SLOT, SCRATCH_SLOTS, slotOf, untag, VAR_SLOT } from './context.ts';
import type { Ctx } from './context.ts';

const ALU_OPS: Record<string, number> = {
  '+': I.ADD, '-': I.SUB, '*': I.MUL, '/': I.DIV, '%': I.MOD, '&': I.AND, '|': I.OR, '^': I.XOR, '<<': I.LSH, '>>': I.RSH,
};

/**
 * Folds an arithmetic expression made only of numbers (32-bit unsigned, like the VM). A
 * division or modulus by a constant zero is not folded (undefined): libpcap's parser never
 * folds, and only its optimizer reports it (see `arith`); unoptimized, it runs and rejects.
 */
export function constValue(a: Arith): number | undefined {
  switch (a.type) {
    case 'num': return a.value >>> 0;
    case 'paren': return constValue(a.inner);
    case 'neg': { const v = constValue(a.operand); return v === undefined ? undefined : (-v) >>> 0; }
    case 'bin': {
      const l = constValue(a.left);
      const r = constValue(a.right);
      if (l === undefined || r === undefined) return undefined;
      switch (a.op) {
        case '+': return (l + r) >>> 0;
        case '-': return (l - r) >>> 0;
        case '*': return Math.imul(l, r) >>> 0;
        case '/': return r === 0 ? undefined : Math.floor(l / r) >>> 0;
        case '%': return r === 0 ? undefined : (l % r) >>> 0;
        case '&': return (l & r) >>> 0;
        case '|': return (l | r) >>> 0;
        case '^': return (l ^ r) >>> 0;
        // the optimizer's folding: a constant shifted by 32 or more is 0 (no error)
        case '<<': return r >= 32 ? 0 : (l << r) >>> 0;
        case '>>': return r >= 32 ? 0 : l >>> r;
      }
    }
    // eslint-disable-next-line no-fallthrough
    default: return undefined;
  }
}

/**
 * The first instruction libpcap's parser emits for `a` is `ld #n` when the leftmost leaf of
 * `a` (through operators' left sides, negations and load indexes) is the number n: every
 * code fragment starts with its left operand's code, and `proto[i]` with its index's.
 */
function firstLiteral(a: Arith): number | undefined {
  switch (a.type) {
    case 'num': return a.value >>> 0;
    case 'len': return undefined;
    case 'paren': return firstLiteral(a.inner);
    case 'neg': return firstLiteral(a.operand);
    case 'bin': return firstLiteral(a.left);
    case 'load': return firstLiteral(a.index);
  }
}

/**
 * libpcap 1.10.3's parse-time checks of `/`, `%`, `<<`, `>>`: it looks only at the first
 * instruction of the right operand, so `x / ip[0]` is "division by zero", `x << tcp[40]` is
 * "shift by more than 31 bits" and `x / (1 - 1)` passes (the optimizer may report it later).
 * Reported bottom-up, left to right, as the parser reduces.
 */
export function checkOperands(L: Lowerer, a: Arith): void {
  switch (a.type) {
    case 'paren': checkOperands(L, a.inner); return;
    case 'neg': checkOperands(L, a.operand); return;
    case 'load': checkOperands(L, a.index); return;
    case 'bin': {
      checkOperands(L, a.left);
      checkOperands(L, a.right);
      const k = firstLiteral(a.right);
      if (k === undefined) return;
      if (a.op === '/' && k === 0) L.err('FILTER_DIV_ZERO', 'division by zero', a.right.span);
      if (a.op === '%' && k === 0) L.err('FILTER_DIV_ZERO', 'modulus by zero', a.right.span);
      if ((a.op === '<<' || a.op === '>>') && k > 31) L.err('FILTER_BAD_SHIFT', 'shift by more than 31 bits', a.right.span);
      return;
    }
    default: return;
  }
}

/**
 * Relations. A `proto[...]` load implies a guard ("the packet is TCP", ...). libpcap 1.10.3
 * keeps the guards of both sides of a relation and of a load's index, but in a binary
 * arithmetic operation only those of the *left* operand (its gen_arth drops the right
 * operand's); `!=`, `<`, `<=` negate the comparison only, not the guards. We reproduce all
 * of this, since the goal is libpcap's verdicts.
 */
export function relation(L: Lowerer, op: RelOp, left: Arith, right: Arith, ctx: Ctx): Frag {
  checkOperands(L, left);
  checkOperands(L, right);
  if (ctx.link.wlan) return relationInRegisters(L, op, left, right, ctx);
  const lc = constValue(left);
  const rc = constValue(right);
  let cmp: Frag;
  let guards: Frag[] = [];
  const decide = (a: number, b: number): boolean => {
    switch (op) {
      case '=': return a === b;
      case '!=': return a !== b;
      case '>': return a > b;
      case '>=': return a >= b;
      case '<': return a < b;
      case '<=': return a <= b;
    }
  };
  const jump = (): { code: number; negate: boolean } => {
    switch (op) {
      case '=': return { code: I.JEQ_K, negate: false };
      case '!=': return { code: I.JEQ_K, negate: true };
      case '>': return { code: I.JGT_K, negate: false };
      case '>=': return { code: I.JGE_K, negate: false };
      case '<': return { code: I.JGE_K, negate: true };
      case '<=': return { code: I.JGT_K, negate: true };
    }
  };
  if (lc !== undefined && rc !== undefined) {
    cmp = decide(lc, rc) ? TRUE : FALSE;
  } else {
    const j = jump();
    const stmts: Stmt[] = [];
    if (rc !== undefined) {
      guards = arith(L, left, ctx, stmts, 0);
      cmp = test(stmts, j.code, rc);
    } else {
      // A = left; M[0] = A; A = right; X = A; A = M[0]; compare A with X.
      const gl = arith(L, left, ctx, stmts, 0);
      stmts.push(I.st(0));
      const gr = arith(L, right, ctx, stmts, 1);
      stmts.push(I.tax(), I.ldMem(0));
      cmp = test(stmts, j.code | I.X, 0);
      guards = [...gl, ...gr];
    }
    if (j.negate) cmp = not(cmp);
  }
  return and(andAll(guards), cmp);
}

/**
 * Emits code leaving the value of `a` in A (may use X and scratch slots >= depth) and
 * returns the guards that libpcap attaches to the value (see `relation`).
 */
export function arith(L: Lowerer, a: Arith, ctx: Ctx, out: Stmt[], depth: number): Frag[] {
  if (depth >= SCRATCH_SLOTS) L.err('FILTER_TOO_COMPLEX', 'expression too complex', a.span);
  const c = constValue(a);
  if (c !== undefined) { out.push(I.ldImm(c)); return []; }
  switch (a.type) {
    case 'num': out.push(I.ldImm(a.value)); return [];
    case 'len': out.push(I.ldLen()); return [];
    case 'paren': return arith(L, a.inner, ctx, out, depth);
    case 'neg': { const g = arith(L, a.operand, ctx, out, depth); out.push(I.neg()); return g; }
    case 'bin': {
      const op = ALU_OPS[a.op];
      const rc = constValue(a.right);
      if (rc !== undefined) {
        const g = arith(L, a.left, ctx, out, depth);
        // A constant divisor 0 or shift count > 31: libpcap's optimizer reports it when it
        // turns `op x` into `op #k`; unoptimized, the program computes it at run time (a
        // division by 0 rejects the packet, a shift by 32 or more gives 0), so do we.
        const bad = (a.op === '/' || a.op === '%') ? rc === 0 : (a.op === '<<' || a.op === '>>') && rc > 31;
        if (bad) {
          L.optError(a.op === '/' ? 'FILTER_DIV_ZERO' : a.op === '%' ? 'FILTER_DIV_ZERO' : 'FILTER_BAD_SHIFT',
            a.op === '/' ? 'division by zero' : a.op === '%' ? 'modulus by zero' : 'shift by more than 31 bits', a.right.span);
          out.push(I.ldxImm(rc), I.aluX(op));
        } else {
          out.push(I.aluK(op, rc));
        }
        return g;
      }
      const g = arith(L, a.left, ctx, out, depth);
      out.push(I.st(depth));
      arith(L, a.right, ctx, out, depth + 1); // its guards are dropped, as in libpcap 1.10.3
      out.push(I.tax(), I.ldMem(depth), I.aluX(op));
      return g;
    }
    case 'load': return load(L, a, ctx, out, depth);
  }
}

export function load(L: Lowerer, a: Extract<Arith, { type: 'load' }>, ctx: Ctx, out: Stmt[], depth: number): Frag[] {
  const proto = a.proto;
  const idx = constValue(a.index);
  const guards: Frag[] = [];
  let base: number;
  let transport = false;
  let linkRelative = true;
  switch (proto) {
    case 'link': case 'ether': case 'ppp': case 'slip': case 'fddi': case 'tr': case 'wlan':
      // libpcap 1.10.3 reads `ether[]` from the link header whatever the link type is.
      base = ctx.linkBase ?? ctx.link.linkOff ?? 0; linkRelative = false; break;
    case 'radio':
      if (!ctx.link.radio) L.err('FILTER_LINK_UNSUPPORTED', `'radio[]' is not supported on link type ${ctx.link.name}`, a.span);
      base = 0; linkRelative = false; break;
    case 'ip': case 'ip6': case 'arp': case 'rarp': case 'atalk': case 'decnet': case 'lat':
    case 'sca': case 'moprc': case 'mopdl':
      base = ctx.nlOff;
      guards.push(L.protoAbbrev(proto, ctx));
      break;
    case 'tcp': case 'udp': case 'icmp': case 'igmp': case 'igrp': case 'pim': case 'vrrp': case 'carp': case 'sctp':
      base = ctx.nlOff;
      transport = true;
      guards.push(L.linkProto(ctx, ETHERTYPE.IP), L.protoAbbrev(proto, ctx), L.firstFrag(ctx));
      break;
    case 'icmp6':
      base = ctx.nlOff + 40;
      // libpcap 1.10.3 checks only the IPv6 next-header field here (no fragment-header case).
      guards.push(L.linkProto(ctx, ETHERTYPE.IPV6), test([...L.at(ctx, ctx.nlOff + 6, 1)], I.JEQ_K, IPPROTO.ICMPV6));
      break;
    default:
      return L.err('FILTER_BAD_PROTO', `'${proto}' is not valid in a packet access expression`, a.span);
  }
  if (transport) {
    if (idx !== undefined) {
      out.push(...L.ipHdrLenX(ctx), I.ldInd(untag(base) + idx, a.size));
      return guards;
    }
    // A = index; M[d] = A; X = IP header length; A = M[d] + X; X = A; A = pkt[X + nl]
    const gi = arith(L, a.index, ctx, out, depth);
    out.push(I.st(depth), ...L.ipHdrLenX(ctx), I.ldMem(depth), I.aluX(I.ADD), I.tax(), I.ldInd(untag(base), a.size));
    return [...gi, ...guards];
  }
  const relSlot = linkRelative ? slotOf(base) : undefined;
  const rel = relSlot !== undefined;
  // Behind a radio header, `link[]` (and ether/wlan) address the 802.11 header.
  const wlanRel = !linkRelative && proto !== 'radio' && ctx.link.radio !== undefined;
  if (idx !== undefined) {
    if (rel) out.push(...L.at(ctx, (base + idx) >>> 0, a.size));
    else if (wlanRel) out.push(...L.wl(ctx, (base + idx) >>> 0, a.size));
    else out.push(I.ldAbs((base + idx) >>> 0, a.size));
    return guards;
  }
  const gi = arith(L, a.index, ctx, out, depth);
  if (rel) { L.noteSlot(ctx, relSlot); out.push(I.ldxMem(relSlot), I.aluX(I.ADD)); }
  if (wlanRel) { L.usedLink = true; out.push(I.ldxMem(LINK_SLOT), I.aluX(I.ADD)); }
  out.push(I.tax(), I.ldInd(untag(base), a.size));
  return [...gi, ...guards];
}

// ---- 802.11 links: arithmetic in libpcap's registers ---------------------------------------

/**
 * On 802.11 links the network-layer offset lives in a scratch register that libpcap's
 * allocator may also hand to arithmetic (see registers.ts). There we generate arithmetic the
 * way libpcap 1.10.3 does — every value stored in the register its allocator picks, nothing
 * folded — so the same slots are written in the same order and the verdicts agree.
 * `A op B`: code(A); code(B); X = M[b]; A = M[a]; then `sub x; jeq #0` for = and !=, else
 * `jgt x` / `jge x`; both registers are freed afterwards.
 */
/**
 * M[] operands of this path are tagged (REG_TAG + register) so that index.ts can tell them
 * from the symbolic VAR_SLOT / LINK_SLOT, which it renumbers to their libpcap registers.
 */
export const REG_TAG = 0x100;
const R = (reg: number): number => REG_TAG + reg;

function relationInRegisters(L: Lowerer, op: RelOp, left: Arith, right: Arith, ctx: Ctx): Frag {
  const stmts: Stmt[] = [];
  const a0 = inRegister(L, left, ctx, stmts);
  const a1 = inRegister(L, right, ctx, stmts);
  stmts.push(I.ldxMem(R(a1.reg)), I.ldMem(R(a0.reg)));
  let cmp: Frag;
  switch (op) {
    case '=': case '!=': stmts.push(I.aluX(I.SUB)); cmp = test(stmts, I.JEQ_K, 0); break;
    case '>': case '<=': cmp = test(stmts, I.JGT_K | I.X, 0); break;
    case '>=': case '<': cmp = test(stmts, I.JGE_K | I.X, 0); break;
  }
  if (op === '!=' || op === '<' || op === '<=') cmp = not(cmp);
  L.regs.free(a0.reg);
  L.regs.free(a1.reg);
  return and(andAll([...a0.guards, ...a1.guards]), cmp);
}

/** Appends code leaving the value of `a` in M[reg] (libpcap's gen_loadi/gen_arth/...). */
function inRegister(L: Lowerer, a: Arith, ctx: Ctx, out: Stmt[]): { reg: number; guards: Frag[] } {
  switch (a.type) {
    case 'num': { const reg = L.allocReg(); out.push(I.ldImm(a.value), I.st(R(reg))); return { reg, guards: [] }; } // M[r] = k
    case 'len': { const reg = L.allocReg(); out.push(I.ldLen(), I.st(R(reg))); return { reg, guards: [] }; } // M[r] = wirelen
    case 'paren': return inRegister(L, a.inner, ctx, out);
    case 'neg': { // M[r] = -M[r], in the operand's register
      const v = inRegister(L, a.operand, ctx, out);
      out.push(I.ldMem(R(v.reg)), I.neg(), I.st(R(v.reg)));
      return v;
    }
    case 'bin': { // M[new] = M[a] op M[b]; the right operand's guards are dropped, as in libpcap
      const a0 = inRegister(L, a.left, ctx, out);
      const a1 = inRegister(L, a.right, ctx, out);
      out.push(I.ldxMem(R(a1.reg)), I.ldMem(R(a0.reg)), I.aluX(ALU_OPS[a.op]!));
      L.regs.free(a0.reg);
      L.regs.free(a1.reg);
      const reg = L.allocReg();
      out.push(I.st(R(reg)));
      return { reg, guards: a0.guards };
    }
    case 'load': return loadInRegister(L, a, ctx, out);
  }
}

/**
 * `proto[index:size]` in libpcap's order: the index's code, a register for the result (the
 * index's is freed), then the offset register (allocated on first use), then the guards.
 */
function loadInRegister(L: Lowerer, a: Extract<Arith, { type: 'load' }>, ctx: Ctx, out: Stmt[]): { reg: number; guards: Frag[] } {
  const proto = a.proto;
  const idx = inRegister(L, a.index, ctx, out);
  const reg = L.allocReg();
  L.regs.free(idx.reg);
  const guards: Frag[] = [...idx.guards];
  const nl = untag(ctx.nlOff);
  const plusVar = (k: number): Stmt[] => { // X = M[var] + M[idx]; A = pkt[X + k]
    L.noteSlot(ctx, VAR_SLOT);
    return [I.ldxMem(VAR_SLOT), I.ldMem(R(idx.reg)), I.aluX(I.ADD), I.tax(), I.ldInd(k, a.size)];
  };
  switch (proto) {
    case 'link': case 'ether': case 'ppp': case 'slip': case 'fddi': case 'tr': case 'wlan':
      // libpcap 1.10.3 reads `ether[]` from the link header whatever the link type is.
      if (ctx.link.radio) { // X = M[link] + M[idx]; A = pkt[X]
        L.usedLink = true;
        L.useVarReg(ctx, LINK_SLOT);
        out.push(I.ldxMem(LINK_SLOT), I.ldMem(R(idx.reg)), I.aluX(I.ADD), I.tax(), I.ldInd(0, a.size));
      } else {
        out.push(I.ldxMem(R(idx.reg)), I.ldInd(ctx.linkBase ?? ctx.link.linkOff ?? 0, a.size)); // A = pkt[link + M[idx]]
      }
      break;
    case 'radio': // A = pkt[M[idx]] (from the start of the radio header)
      if (!ctx.link.radio) L.err('FILTER_LINK_UNSUPPORTED', `'radio[]' is not supported on link type ${ctx.link.name}`, a.span);
      out.push(I.ldxMem(R(idx.reg)), I.ldInd(0, a.size));
      break;
    case 'ip': case 'ip6': case 'arp': case 'rarp': case 'atalk': case 'decnet': case 'lat':
    case 'sca': case 'moprc': case 'mopdl':
      out.push(...plusVar(nl));
      guards.push(L.protoAbbrev(proto, ctx));
      break;
    case 'tcp': case 'udp': case 'icmp': case 'igmp': case 'igrp': case 'pim': case 'vrrp': case 'carp': case 'sctp':
      // X = IPv4 header length + M[var]; X += M[idx]; A = pkt[X + nl]
      out.push(...L.ipHdrLenX(ctx), I.ldMem(R(idx.reg)), I.aluX(I.ADD), I.tax(), I.ldInd(nl, a.size));
      guards.push(L.protoAbbrev(proto, ctx), L.firstFrag(ctx), L.linkProto(ctx, ETHERTYPE.IP));
      break;
    case 'icmp6': // guards first (IPv6, next header 58), then A = pkt[M[var] + M[idx] + nl + 40]
      guards.push(L.linkProto(ctx, ETHERTYPE.IPV6), test([...L.at(ctx, ctx.nlOff + 6, 1)], I.JEQ_K, IPPROTO.ICMPV6));
      out.push(...plusVar(nl + 40));
      break;
    default:
      return L.err('FILTER_BAD_PROTO', `'${proto}' is not valid in a packet access expression`, a.span);
  }
  out.push(I.st(R(reg)));
  return { reg, guards };
}
