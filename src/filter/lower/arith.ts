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
import { IPPROTO, LINK_SLOT, SCRATCH_SLOTS, slotOf, untag } from './context.ts';
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
      if (proto === 'ether' && !ctx.link.mac) L.err('FILTER_LINK_UNSUPPORTED', `'ether[]' is not supported on link type ${ctx.link.name}`, a.span);
      base = 0; linkRelative = false; break;
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
