/**
 * Public API of the filter compiler: `parse` (text → AST), `printAst` (AST → text) and
 * `compile` (text → cBPF program) with libpcap 1.10.3's semantics. compile = parse, lower for
 * the link type (lower/gen.ts) into a block CFG (cfg.ts), optionally run the optimizer passes
 * (optimize/), then emit linear cBPF (emit.ts). Every user-caused failure is a UserError with a
 * span into the expression.
 *
 * Size limits. `compile` refuses, before lexing, an expression longer than MAX_FILTER_BYTES
 * (1 MiB) or joining more than MAX_PRIMITIVES (12,000) primitives with and/or (counted as the
 * number of `and`, `or`, `&&`, `||` words plus one), with one FILTER_TOO_LARGE error naming the
 * limit. Compile work is linear in the number of primitives (the optimizer's passes are
 * linear walks repeated a bounded number of rounds; test/filter/optimize-work.test.ts counts the
 * steps): a list at the limit compiles in seconds; past it the answer is immediate. Nesting
 * depth has no limit of its own:
 * the parser and the lowering keep explicit stacks (parser.ts, lower/gen.ts, lower/arith.ts).
 */
import { UserError } from '../errors.ts';
import type { CbpfProgram } from '../isa/cbpf/types.ts';
import { parse } from './parser.ts';
import { printAst } from './printer.ts';
import { finish, isRet, newBlock, RET_K, topoOrder } from './cfg.ts';
import { radioPrologue } from './lower/prologue.ts';
import type { Block, Program, Stmt } from './cfg.ts';
import type { Ast } from './ast.ts';
import { emit } from './emit.ts';
import { initialCtx, LINK_SLOT, Lowerer, VAR_SLOT } from './lower/gen.ts';
import { systemResolver } from './names.ts';
import type { NameResolver } from './names.ts';
import { optimize } from './optimize/index.ts';
import { REG_TAG } from './lower/arith.ts';

export { parse, printAst, emit };
export type { Ast } from './ast.ts';
export type { NameResolver } from './names.ts';
export type { CompileContext } from './lower/context.ts';
import type { CompileContext } from './lower/context.ts';
export { tableResolver, systemResolver } from './names.ts';

export interface CompileOptions {
  /** LINKTYPE_ value of the packets the filter will see. */
  linkType: number;
  /** Bytes to accept per packet (the value of `ret` for accepted packets). */
  snaplen: number;
  /** Run the optimizer (false = `tcpdump -O`). */
  optimize: boolean;
  /** IPv4 netmask of the capture network (needed by `ip broadcast`). */
  netmask?: number;
  /** Name databases; defaults to this machine's /etc files. */
  resolver?: NameResolver;
  /**
   * The compile context, as libpcap 1.10.3 distinguishes it: 'savefile' when the program filters
   * a capture file (`tcpdump -r`), 'live' for a capture device (`-i`), 'dead' for a handle with
   * neither (`tcpdump -d -y`; the default). On savefiles libpcap refuses `inbound`/`outbound`
   * on most link types and tests every BSD value of AF_INET6 on DLT_NULL/DLT_LOOP.
   */
  context?: CompileContext;
  /** With context 'savefile': the file's byte order differs from this machine's (DLT_NULL's family is then swapped). */
  swapped?: boolean;
}

/** Parses and lowers `text` to the (unoptimized) block CFG; exported for the optimizer's tests. */
export function buildCfg(text: string, opts: CompileOptions): Program {
  return lowerToCfg(parse(text), text, opts);
}

type Lowered = Program & { noOptimize: boolean; optErrors: ReadonlyMap<Stmt, UserError> };

function lowerToCfg(ast: Ast, text: string, opts: CompileOptions): Lowered {
  const ctx = initialCtx(opts.linkType, text);
  const lowerer = new Lowerer({ linkType: opts.linkType, netmask: opts.netmask, context: opts.context, swapped: opts.swapped, resolver: opts.resolver ?? systemResolver(), source: text });
  lowerer.hasGeneve = hasKeyword(ast, 'geneve');
  const { f } = lowerer.gen(ast, ctx);
  // Variable-length link headers: compute the length once, into the reserved slot.
  const prologue = lowerer.usedVariable && ctx.link.prologue ? [...ctx.link.prologue, { code: 0x02, k: VAR_SLOT }] : [];
  let prog = finish(f, opts.snaplen >>> 0, prologue);
  const radio = ctx.link.radio;
  // (An unoptimized program keeps the prologue even when the filter folded to a return, as
  // libpcap's does: its loads still reject packets too short for the radio header.)
  if (radio && (lowerer.usedVariable || lowerer.usedLink) && (!isRet(prog.root) || lowerer.noOptimize)) {
    prog = { prologue: [], root: radioPrologue(radio, lowerer.usedVariable, prog.root, newBlock([], RET_K, 0), !lowerer.linkPushed) };
  } else if (radio === 'ppi') {
    // libpcap 1.10.3 puts the PPI frame's DLT check (802.11) in front of every program.
    const check = newBlock([{ code: 0x20, k: 4 }], 0x15, 0x69000000); // ld [4]; jeq #0x69000000
    check.jt = prog.root;
    check.jf = newBlock([], RET_K, 0);
    prog = { prologue: prog.prologue, root: check };
  }
  // 802.11, Geneve: the offset slots become the registers libpcap's allocator gave them.
  if (ctx.link.wlan) {
    if (lowerer.usedLink && !lowerer.varRegs.has(LINK_SLOT)) lowerer.varRegs.set(LINK_SLOT, lowerer.allocReg());
    if (lowerer.usedVariable && !lowerer.varRegs.has(VAR_SLOT)) lowerer.varRegs.set(VAR_SLOT, lowerer.allocReg());
  }
  if (lowerer.regMode || lowerer.usedRegisters) prog = renumberSlots(prog, lowerer.varRegs);
  // On Prism headers libpcap 1.10.3 always emits the header-length code, which turns its
  // optimizer off for every program of that link type.
  return { ...prog, noOptimize: lowerer.noOptimize || ctx.link.radio === 'prism', optErrors: lowerer.deferredOptErrors };
}

/**
 * Rewrites M[] accesses: symbolic slots in `map` become their registers, tagged arithmetic
 * registers (REG_TAG + r) become r. New Stmt objects: lowering may share them.
 */
function renumberSlots(prog: Program, map: ReadonlyMap<number, number>): Program {
  const MEM_CODES = new Set([0x02, 0x03, 0x60, 0x61]); // st, stx, ld M[k], ldx M[k]
  const slot = (k: number): number => (k >= REG_TAG ? k - REG_TAG : map.get(k) ?? k);
  const re = (stmts: Stmt[]): Stmt[] => stmts.map((st) => (MEM_CODES.has(st.code) ? { ...st, k: slot(st.k) } : st));
  const seen = new Set<Block>();
  const todo: Block[] = [prog.root];
  while (todo.length > 0) {
    const b = todo.pop()!;
    if (seen.has(b)) continue;
    seen.add(b);
    b.stmts = re(b.stmts);
    if (b.jt) todo.push(b.jt);
    if (b.jf) todo.push(b.jf);
  }
  return { prologue: re(prog.prologue), root: prog.root };
}

/** Does the expression use keyword `name` anywhere (explicit stack: nesting has no limit)? */
function hasKeyword(ast: Ast, name: string): boolean {
  const todo: Ast[] = [ast];
  while (todo.length > 0) {
    const n = todo.pop()!;
    switch (n.type) {
      case 'and': case 'or': todo.push(n.left, n.right); break;
      case 'not': todo.push(n.operand); break;
      case 'paren': todo.push(n.inner); break;
      case 'kw': if (n.name === name) return true; break;
      default: break;
    }
  }
  return false;
}

/** Does any block reachable from `root` load scratch slot `slot` (ld M[slot] / ldx M[slot])? */
function readsSlot(root: Block, slot: number): boolean {
  const seen = new Set<Block>();
  const todo: Block[] = [root];
  while (todo.length > 0) {
    const b = todo.pop()!;
    if (seen.has(b)) continue;
    seen.add(b);
    if (b.stmts.some((st) => (st.code === 0x60 || st.code === 0x61) && st.k === slot)) return true;
    if (b.jt) todo.push(b.jt);
    if (b.jf) todo.push(b.jf);
  }
  return false;
}

/** Longest expression `compile` accepts, in characters (see the header). */
export const MAX_FILTER_BYTES = 1 << 20;
/** Most and/or-connected primitives `compile` accepts (see the header). */
export const MAX_PRIMITIVES = 12_000;

/**
 * Refuses an expression over the size limits, in one linear scan before any other work. The
 * connective count is an upper bound (a host name such as `and` would count), which only matters
 * near the limit.
 */
export function checkFilterSize(text: string): void {
  if (text.length > MAX_FILTER_BYTES) {
    throw new UserError('FILTER_TOO_LARGE', `filter expression too large: ${text.length} characters (limit ${MAX_FILTER_BYTES})`, {
      span: { start: MAX_FILTER_BYTES, end: text.length }, source: text,
    });
  }
  const connective = /(?<![\w.:-])(?:and|or)(?![\w.:-])|&&|\|\|/gi;
  let n = 1;
  for (let m = connective.exec(text); m !== null; m = connective.exec(text)) {
    if (++n > MAX_PRIMITIVES) {
      throw new UserError('FILTER_TOO_LARGE', `filter expression too large: more than ${MAX_PRIMITIVES} primitives joined by and/or (limit ${MAX_PRIMITIVES})`, {
        span: { start: m.index, end: m.index + m[0].length }, source: text,
      });
    }
  }
}

export function compile(text: string, opts: CompileOptions): CbpfProgram {
  checkFilterSize(text);
  const ast = parse(text);
  const lowered = lowerToCfg(ast, text, opts);
  let prog: Program = lowered;
  // Like libpcap 1.10.3, do not optimize programs that compute variable header offsets.
  if (opts.optimize && !lowered.noOptimize) {
    prog = optimize(prog);
    // What libpcap's optimizer reports while folding constants, for a statement it kept.
    if (lowered.optErrors.size > 0) {
      const kept = new Set<Stmt>();
      for (const b of topoOrder(prog.root)) for (const s of b.stmts) kept.add(s);
      for (const [s, e] of lowered.optErrors) if (kept.has(s)) throw e;
    }
    // A link-header prologue whose slot nothing reads any more goes, as libpcap's optimizer
    // deletes the dead store and the loads before it (pflog: `not pppoes` needs no header length).
    if (prog.prologue.length > 0 && !readsSlot(prog.root, VAR_SLOT)) prog = { ...prog, prologue: [] };
    const r = prog.root;
    if ((r.code & 0x07) === 0x06 && r.k === 0 && ast.type !== 'empty') {
      throw new UserError('FILTER_REJECTS_ALL', 'expression rejects all packets', { span: { start: 0, end: text.length }, source: text });
    }
  }
  return emit(prog);
}
