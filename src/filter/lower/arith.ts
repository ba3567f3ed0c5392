/**
 * Relations and arithmetic: `expr relop expr` with `proto[expr:size]` loads, `len` and the ten
 * binary operators. Values are computed into A (using X and per-block scratch slots by depth);
 * constant subexpressions are folded. Guards ("the packet is TCP") follow libpcap 1.10.3.
 *
 * Depth: an arithmetic tree may be 100,000 levels deep (`ip[0] + 1 + 1 …` is a left spine as long
 * as the chain, `- - - 1` and `((1))` nest), so nothing here recurses on the JavaScript stack.
 * The code generators are written as if recursive, but as generator functions: a "recursive
 * call" is `yield sub(...)`, and `trampoline` keeps the suspended callers on an array and
 * resumes each with its callee's result — the recursion's shape with a heap-allocated stack.
 * Constant values are computed once per node by an explicit post-order walk and cached.
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
import { aluNeg, cbpfAlu } from '../../cbpf/alu.ts';

/** A coroutine standing for one recursive call: it yields the calls it makes and returns its result. */
type Co<T> = Generator<Co<unknown>, T, unknown>;

/** Runs `main` and every coroutine it yields, depth-first, on an explicit stack. */
function trampoline<T>(main: Co<T>): T {
  const stack: Co<unknown>[] = [main];
  let value: unknown;
  for (;;) {
    const r = stack[stack.length - 1]!.next(value);
    if (r.done) {
      stack.pop();
      value = r.value;
      if (stack.length === 0) return value as T;
    } else {
      stack.push(r.value);
      value = undefined;
    }
  }
}

/** The children of an arithmetic node, left to right. */
function kids(a: Arith): Arith[] {
  switch (a.type) {
    case 'paren': return [a.inner];
    case 'neg': return [a.operand];
    case 'load': return [a.index];
    case 'bin': return [a.left, a.right];
    default: return [];
  }
}

/** Constant value of every node already folded (null: not constant). Nodes are immutable. */
const folded = new WeakMap<Arith, number | null>();

const ALU_OPS: Record<string, number> = {
  '+': I.ADD, '-': I.SUB, '*': I.MUL, '/': I.DIV, '%': I.MOD, '&': I.AND, '|': I.OR, '^': I.XOR, '<<': I.LSH, '>>': I.RSH,
};

/**
 * Folds an arithmetic expression made only of numbers (32-bit unsigned, like the VM). A
 * division or modulus by a constant zero is not folded (undefined): libpcap's parser never
 * folds, and only its optimizer reports it (see `arith`); unoptimized, it runs and rejects.
 */
function constValue(a: Arith): number | undefined {
  // Post-order over the nodes not folded yet; each node is folded after its children.
  const todo: { a: Arith; seen: boolean }[] = [{ a, seen: false }];
  while (todo.length > 0) {
    const t = todo[todo.length - 1]!;
    if (folded.has(t.a)) { todo.pop(); continue; }
    if (!t.seen) {
      t.seen = true;
      for (const k of kids(t.a)) if (!folded.has(k)) todo.push({ a: k, seen: false });
      continue;
    }
    todo.pop();
    folded.set(t.a, foldNode(t.a) ?? null);
  }
  return folded.get(a) ?? undefined;
}

/** The constant value of `a` from its children's (already folded). */
function foldNode(a: Arith): number | undefined {
  const constValue = (k: Arith): number | undefined => folded.get(k) ?? undefined;
  switch (a.type) {
    case 'num': return a.value >>> 0;
    case 'paren': return constValue(a.inner);
    case 'neg': { const v = constValue(a.operand); return v === undefined ? undefined : aluNeg(v); }
    case 'bin': {
      const l = constValue(a.left);
      const r = constValue(a.right);
      if (l === undefined || r === undefined) return undefined;
      switch (a.op) {
        // classic BPF arithmetic (src/cbpf/alu.ts): the interpreter's and the optimizer's; a
        // constant shifted by 32 or more is 0 (no error), division by 0 is not folded
        case '+': return cbpfAlu('add', l, r);
        case '-': return cbpfAlu('sub', l, r);
        case '*': return cbpfAlu('mul', l, r);
        case '/': return cbpfAlu('div', l, r);
        case '%': return cbpfAlu('mod', l, r);
        case '&': return cbpfAlu('and', l, r);
        case '|': return cbpfAlu('or', l, r);
        case '^': return cbpfAlu('xor', l, r);
        case '<<': return cbpfAlu('lsh', l, r);
        case '>>': return cbpfAlu('rsh', l, r);
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
  for (let n = a; ;) {
    switch (n.type) {
      case 'num': return n.value >>> 0;
      case 'len': return undefined;
      case 'paren': n = n.inner; break;
      case 'neg': n = n.operand; break;
      case 'bin': n = n.left; break;
      case 'load': n = n.index; break;
    }
  }
}

/**
 * libpcap 1.10.3's parse-time checks of `/`, `%`, `<<`, `>>`: it looks only at the first
 * instruction of the right operand, so `x / ip[0]` is "division by zero", `x << tcp[40]` is
 * "shift by more than 31 bits" and `x / (1 - 1)` passes (the optimizer may report it later).
 * Reported bottom-up, left to right, as the parser reduces.
 */
function checkOperands(L: Lowerer, root: Arith): void {
  // Post-order, left to right, on an explicit stack.
  const todo: { a: Arith; seen: boolean }[] = [{ a: root, seen: false }];
  while (todo.length > 0) {
    const t = todo[todo.length - 1]!;
    if (!t.seen) {
      t.seen = true;
      const ks = kids(t.a);
      for (let j = ks.length - 1; j >= 0; j--) todo.push({ a: ks[j]!, seen: false });
      continue;
    }
    todo.pop();
    checkNode(L, t.a);
  }
}

/** The checks of one node, its operands' done. */
function checkNode(L: Lowerer, a: Arith): void {
  switch (a.type) {
    case 'bin': {
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
/** A number as written (`5`, `(5)`): a constant libpcap's first optimizer phase knows. */
function plainNumber(a: Arith): boolean {
  return a.type === 'num' || (a.type === 'paren' && plainNumber(a.inner));
}

/** A load from the packet (not `len`, a constant or scratch memory). */
function loadsPacketField(s: Stmt): boolean {
  const cls = s.code & 0x07, mode = s.code & 0xe0;
  return (cls === I.LD && (mode === I.ABS || mode === I.IND)) || (cls === I.LDX && mode === I.MSH);
}

export function relation(L: Lowerer, op: RelOp, left: Arith, right: Arith, ctx: Ctx): Frag {
  checkOperands(L, left);
  checkOperands(L, right);
  if (L.regMode) return relationInRegisters(L, op, left, right, ctx);
  // libpcap 1.10.3 evaluates the relation in its registers (one per value, right operands
  // while the left one is held): when fewer are free than it needs at its peak (other
  // relations free theirs, but each `protochain` without ip/ip6 keeps one) it refuses.
  if (registerPeak(left, right) > L.regs.freeCount()) L.err('FILTER_TOO_COMPLEX', 'too many registers needed to evaluate expression', L.curSpan);
  try {
    return relationInSlots(L, op, left, right, ctx);
  } catch (e) {
    // Deeper than our scratch slots (libpcap has 16 registers, we keep some for offsets):
    // on a fixed-offset link, generate it in libpcap's registers instead (index.ts renumbers).
    if (!(e instanceof UserError) || e.message !== 'expression too complex' || ctx.variable) throw e;
    L.usedRegisters = true;
    return relationInRegisters(L, op, left, right, ctx);
  }
}

/** The most registers libpcap 1.10.3 holds at once while evaluating `left op right`. */
function registerPeak(left: Arith, right: Arith): number {
  // Explicit stack (nesting has no limit): each job is a node and how many registers are
  // held by the operands to its left when it starts.
  let peak = 0;
  const todo: Array<{ a: Arith; held: number }> = [{ a: left, held: 0 }, { a: right, held: 1 }];
  while (todo.length > 0) {
    const { a, held } = todo.pop()!;
    switch (a.type) {
      case 'num': case 'len': peak = Math.max(peak, held + 1); break;
      case 'paren': todo.push({ a: a.inner, held }); break;
      case 'neg': todo.push({ a: a.operand, held }); break;
      case 'bin': todo.push({ a: a.left, held }, { a: a.right, held: held + 1 }); break;
      // the index's register and the result's, then the index's is freed
      case 'load': peak = Math.max(peak, held + 2); todo.push({ a: a.index, held }); break;
    }
  }
  return peak;
}

function relationInSlots(L: Lowerer, op: RelOp, left: Arith, right: Arith, ctx: Ctx): Frag {
  const lc = constValue(left);
  const rc = constValue(right);
  let cmp: Frag;
  let guards: Frag[] = [];
  let stmts: Stmt[] = [];
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
  if (lc !== undefined && rc !== undefined && plainNumber(left) && plainNumber(right)) {
    // Two numbers: libpcap's peephole decides the test in its first phase, as here.
    cmp = decide(lc, rc) ? TRUE : FALSE;
  } else if (lc !== undefined && rc !== undefined) {
    // A test of computed constants (`(30 | 23) != 87`), as libpcap generates it: its optimizer
    // decides it only in its second phase, keeping the tests before it (optimize/late.ts).
    const j = jump();
    cmp = test([I.ldImm(lc)], j.code, rc);
    if (cmp.kind === 'blocks') cmp.head.late = true;
    if (j.negate) cmp = not(cmp);
  } else {
    const j = jump();
    stmts = [];
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
    // libpcap loads the fields of an arithmetic expression through X (`ldb [x + 0]` with X = 6
    // for `ip6[6]`) until its second phase, so its first phase relates such a test only to the
    // same expression, not to a primitive testing the same field (`ip6 proto 6`).
    if (cmp.kind === 'blocks' && stmts.some(loadsPacketField)) cmp.head.late = true;
    if (j.negate) cmp = not(cmp);
  }
  return and(andAll(guards), cmp);
}

/**
 * Emits code leaving the value of `a` in A (may use X and scratch slots >= depth) and
 * returns the guards that libpcap attaches to the value (see `relation`).
 */
export function arith(L: Lowerer, a: Arith, ctx: Ctx, out: Stmt[], depth: number): Frag[] {
  return trampoline(arithCo(L, a, ctx, out, depth));
}

function* arithCo(L: Lowerer, a: Arith, ctx: Ctx, out: Stmt[], depth: number): Co<Frag[]> {
  if (depth >= SCRATCH_SLOTS) L.err('FILTER_TOO_COMPLEX', 'expression too complex', a.span);
  const c = constValue(a);
  if (c !== undefined) { out.push(I.ldImm(c)); return []; }
  switch (a.type) {
    case 'num': out.push(I.ldImm(a.value)); return [];
    case 'len': out.push(I.ldLen()); return [];
    case 'paren': return (yield arithCo(L, a.inner, ctx, out, depth)) as Frag[];
    case 'neg': { const g = (yield arithCo(L, a.operand, ctx, out, depth)) as Frag[]; out.push(I.neg()); return g; }
    case 'bin': {
      const op = ALU_OPS[a.op];
      const rc = constValue(a.right);
      if (rc !== undefined) {
        const g = (yield arithCo(L, a.left, ctx, out, depth)) as Frag[];
        // A constant divisor 0 or shift count > 31: libpcap's optimizer reports it when it
        // turns `op x` into `op #k`; unoptimized, the program computes it at run time (a
        // division by 0 rejects the packet, a shift by 32 or more gives 0), so do we.
        const bad = (a.op === '/' || a.op === '%') ? rc === 0 : (a.op === '<<' || a.op === '>>') && rc > 31;
        if (bad) {
          const alu = I.aluX(op);
          L.optError(a.op === '/' ? 'FILTER_DIV_ZERO' : a.op === '%' ? 'FILTER_DIV_ZERO' : 'FILTER_BAD_SHIFT',
            a.op === '/' ? 'division by zero' : a.op === '%' ? 'modulus by zero' : 'shift by more than 31 bits', a.right.span, alu);
          out.push(I.ldxImm(rc), alu);
        } else {
          out.push(I.aluK(op, rc));
        }
        return g;
      }
      const g = (yield arithCo(L, a.left, ctx, out, depth)) as Frag[];
      out.push(I.st(depth));
      yield arithCo(L, a.right, ctx, out, depth + 1); // its guards are dropped, as in libpcap 1.10.3
      out.push(I.tax(), I.ldMem(depth), I.aluX(op));
      return g;
    }
    case 'load': return (yield loadCo(L, a, ctx, out, depth)) as Frag[];
  }
}

/** `proto[index:size]` into A (`arith` for a load node). */
export function load(L: Lowerer, a: Extract<Arith, { type: 'load' }>, ctx: Ctx, out: Stmt[], depth: number): Frag[] {
  return trampoline(loadCo(L, a, ctx, out, depth));
}

function* loadCo(L: Lowerer, a: Extract<Arith, { type: 'load' }>, ctx: Ctx, out: Stmt[], depth: number): Co<Frag[]> {
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
      // libpcap 1.10.3: radiotap, AVS and Prism headers only (not PPI).
      if (!ctx.link.radio || ctx.link.radio === 'ppi') L.err('FILTER_LINK_UNSUPPORTED', 'radio information not present in capture', a.span);
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
    const gi = (yield arithCo(L, a.index, ctx, out, depth)) as Frag[];
    out.push(I.st(depth), ...L.ipHdrLenX(ctx), I.ldMem(depth), I.aluX(I.ADD), I.tax(), I.ldInd(untag(base), a.size));
    // libpcap's order: IPv4, the index's guards, the protocol, not a later fragment.
    return [guards[0]!, ...gi, ...guards.slice(1)];
  }
  // The link header itself may be at a run-time offset (inside Geneve, after pppoes on 802.11).
  const relSlot = proto !== 'radio' ? slotOf(base) : undefined;
  const rel = relSlot !== undefined;
  // Behind a radio header, `link[]` (and ether/wlan) address the 802.11 header.
  const wlanRel = !linkRelative && !rel && proto !== 'radio' && ctx.link.radio !== undefined;
  if (idx !== undefined) {
    if (rel) out.push(...L.at(ctx, (base + idx) >>> 0, a.size));
    else if (wlanRel) out.push(...L.wl(ctx, (base + idx) >>> 0, a.size));
    else out.push(I.ldAbs((base + idx) >>> 0, a.size));
    return guards;
  }
  const gi = (yield arithCo(L, a.index, ctx, out, depth)) as Frag[];
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
  const a0 = trampoline(inRegister(L, left, ctx, stmts));
  const a1 = trampoline(inRegister(L, right, ctx, stmts));
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
  // Both sides numbers (`0 = 1`): libpcap's optimizer follows values through the registers and
  // decides the comparison in its first phase (an always-false program is "rejects all
  // packets"), the block and its stores go. A computed constant (`(78 * 69) > 72`) it folds
  // only in its second phase, after the stores into the registers have become part of the
  // program: they stay (a store into the register that also holds the 802.11 header offset
  // overwrites it, as in libpcap).
  // Unoptimized (libpcap does not optimize 802.11 programs with variable offsets), both run.
  const lc = constValue(left), rc = constValue(right);
  if (lc !== undefined && rc !== undefined && cmp.kind === 'blocks') {
    // The jump's own outcome (`!=`, `<`, `<=` are its negations, made by swapping the edges).
    cmp.head.decided = op === '=' || op === '!=' ? lc === rc : op === '>' || op === '<=' ? lc > rc : lc >= rc;
    if (!(plainNumber(left) && plainNumber(right))) cmp.head.late = true;
  }
  return and(andAll([...a0.guards, ...a1.guards]), cmp);
}

/** `a op b` on constants. */
function holds(op: RelOp, a: number, b: number): boolean {
  switch (op) {
    case '=': return a === b;
    case '!=': return a !== b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    case '<=': return a <= b;
  }
}

/** Appends code leaving the value of `a` in M[reg] (libpcap's gen_loadi/gen_arth/...). */
type InReg = { reg: number; guards: Frag[] };

function* inRegister(L: Lowerer, a: Arith, ctx: Ctx, out: Stmt[]): Co<InReg> {
  switch (a.type) {
    case 'num': { const reg = L.allocReg(); out.push(I.ldImm(a.value), I.st(R(reg))); return { reg, guards: [] }; } // M[r] = k
    case 'len': { const reg = L.allocReg(); out.push(I.ldLen(), I.st(R(reg))); return { reg, guards: [] }; } // M[r] = wirelen
    case 'paren': return (yield inRegister(L, a.inner, ctx, out)) as InReg;
    case 'neg': { // M[r] = -M[r], in the operand's register
      const v = (yield inRegister(L, a.operand, ctx, out)) as InReg;
      out.push(I.ldMem(R(v.reg)), I.neg(), I.st(R(v.reg)));
      return v;
    }
    case 'bin': { // M[new] = M[a] op M[b]; the right operand's guards are dropped, as in libpcap
      const a0 = (yield inRegister(L, a.left, ctx, out)) as InReg;
      const a1 = (yield inRegister(L, a.right, ctx, out)) as InReg;
      out.push(I.ldxMem(R(a1.reg)), I.ldMem(R(a0.reg)), I.aluX(ALU_OPS[a.op]!));
      L.regs.free(a0.reg);
      L.regs.free(a1.reg);
      const reg = L.allocReg();
      out.push(I.st(R(reg)));
      return { reg, guards: a0.guards };
    }
    case 'load': return (yield loadInRegister(L, a, ctx, out)) as InReg;
  }
}

/**
 * `proto[index:size]` in libpcap's order: the index's code, a register for the result (the
 * index's is freed), then the offset register (allocated on first use), then the guards.
 */
function* loadInRegister(L: Lowerer, a: Extract<Arith, { type: 'load' }>, ctx: Ctx, out: Stmt[]): Co<InReg> {
  const proto = a.proto;
  const idx = (yield inRegister(L, a.index, ctx, out)) as InReg;
  const reg = L.allocReg();
  L.regs.free(idx.reg);
  const guards: Frag[] = [...idx.guards];
  const nl = untag(ctx.nlOff);
  const plusVar = (k: number): Stmt[] => { // X = M[var] + M[idx]; A = pkt[X + k]
    const slot = slotOf(ctx.nlOff);
    if (slot === undefined) return [I.ldxMem(R(idx.reg)), I.ldInd(k, a.size)]; // fixed link header: X = M[idx]; A = pkt[X + k]
    L.noteSlot(ctx, slot);
    return [I.ldxMem(slot), I.ldMem(R(idx.reg)), I.aluX(I.ADD), I.tax(), I.ldInd(k, a.size)];
  };
  switch (proto) {
    case 'link': case 'ether': case 'ppp': case 'slip': case 'fddi': case 'tr': case 'wlan':
      // libpcap 1.10.3 reads `ether[]` from the link header whatever the link type is.
      if (slotOf(ctx.linkBase ?? 0) !== undefined) { // X = M[slot] + M[idx]; A = pkt[X + k] (the link header moved by pppoes)
        const base = ctx.linkBase!;
        L.noteSlot(ctx, slotOf(base)!);
        out.push(I.ldxMem(slotOf(base)!), I.ldMem(R(idx.reg)), I.aluX(I.ADD), I.tax(), I.ldInd(untag(base), a.size));
      } else if (ctx.link.radio) { // X = M[link] + M[idx]; A = pkt[X]
        L.usedLink = true;
        L.useVarReg(ctx, LINK_SLOT);
        out.push(I.ldxMem(LINK_SLOT), I.ldMem(R(idx.reg)), I.aluX(I.ADD), I.tax(), I.ldInd(0, a.size));
      } else {
        out.push(I.ldxMem(R(idx.reg)), I.ldInd(ctx.linkBase ?? ctx.link.linkOff ?? 0, a.size)); // A = pkt[link + M[idx]]
      }
      break;
    case 'radio': // A = pkt[M[idx]] (from the start of the radio header)
      // libpcap 1.10.3: radiotap, AVS and Prism headers only (not PPI).
      if (!ctx.link.radio || ctx.link.radio === 'ppi') L.err('FILTER_LINK_UNSUPPORTED', 'radio information not present in capture', a.span);
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
      // libpcap's order: IPv4, the index's guards, the protocol, not a later fragment.
      guards.unshift(L.linkProto(ctx, ETHERTYPE.IP));
      guards.push(L.protoAbbrev(proto, ctx), L.firstFrag(ctx));
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
