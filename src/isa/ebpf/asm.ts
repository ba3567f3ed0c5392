/**
 * Assembler and disassembler for the uBPF / bpf_conformance eBPF syntax:
 *
 *   mov32 %r0, 1          add %r1, %r2         neg32 %r3        movsx1664 %r8, %r7
 *   be16 %r0              bswap64 %r1          lddw %r0, 0x1122334455667788
 *   ldxdw %r0, [%r1+8]    ldxsb %r0, [%r10-1]  stb [%r10-1], 0x80     stxw [%r1], %r2
 *   jeq %r1, 0, +3        jne32 %r1, %r2, fail ja label        ja32 label (gotol)
 *   call 5                call local func1     call %r2 (callx)       exit
 *   lock add [%r10-8], %r1      lock fetch xor32 [%r10-8], %r1      lock cmpxchg [%r10-8], %r1
 *   ldabsh 12             ldindb %r1, 14       lddw %r1, map_fd 3     lddw %r1, map_value 3 8
 *
 * Encodings the ISA does not define round-trip as `.raw 0xCODE dst=N src=N off=N imm=0xN`.
 *
 * Two passes: the first parses every line into an instruction with symbolic targets and
 * assigns slot pcs (lddw takes two), the second resolves labels to pc-relative offsets. A
 * label named `exit` that is not defined means "the program's first exit instruction", as in
 * the bpf_conformance assembler. The mnemonic tables are derived from ./opcodes.ts; errors are
 * `UserError`s with a span pointing into the source.
 */
import { UserError } from '../../errors.ts';
import { lddwValue, layout } from './codec.ts';
import { AluOps, AtomicOps, JmpOps, LddwKinds, Sizes } from './opcodes.ts';
import type { AluOp, AtomicOp, EndOrder, EndWidth, JmpOp, LddwKind, Size } from './opcodes.ts';
import type { EbpfInsn, EbpfProgram } from './types.ts';

// ---- mnemonic tables derived from opcodes.ts --------------------------------------------------

/** Assembler names of the ALU ops (movsx spells the source width: movsx8 → movsx8{32,64}). */
const aluMnemonics = new Map<string, { op: AluOp; wide: boolean }>();
for (const op of Object.keys(AluOps) as AluOp[]) {
  if (op.startsWith('movsx')) {
    const w = op.slice(5);
    aluMnemonics.set(`movsx${w}64`, { op, wide: true });
    if (op !== 'movsx32') aluMnemonics.set(`movsx${w}32`, { op, wide: false });
    continue;
  }
  aluMnemonics.set(op, { op, wide: true });
  aluMnemonics.set(`${op}64`, { op, wide: true });
  aluMnemonics.set(`${op}32`, { op, wide: false });
}
const jmpMnemonics = new Map<string, { op: JmpOp; wide: boolean }>();
for (const op of Object.keys(JmpOps) as JmpOp[]) {
  jmpMnemonics.set(op, { op, wide: true });
  jmpMnemonics.set(`${op}32`, { op, wide: false });
}

/** The assembler mnemonic of an ALU instruction (inverse of aluMnemonics). */
function aluName(op: AluOp, wide: boolean): string {
  if (op.startsWith('movsx')) return `${op}${wide ? 64 : 32}`;
  return wide ? op : `${op}32`;
}

// ---- lexical helpers --------------------------------------------------------------------------

interface Tok { text: string; start: number; end: number }

/** One source line: its text, its offset in the whole source, its 1-based number (for messages). */
class Line {
  constructor(readonly src: string, readonly base: number, readonly no: number) {}
  err(code: string, msg: string, t?: Tok): never {
    const start = t ? t.start : this.base;
    const end = t ? t.end : this.base + this.src.length;
    throw new UserError(code, `line ${this.no}: ${msg}`, { span: { start, end } });
  }
}

const REG_RE = /^%r(\d+)$/;

function parseReg(line: Line, t: Tok | undefined): number {
  if (!t) return line.err('EBPF_ASM_OPERANDS', 'missing register operand');
  const m = REG_RE.exec(t.text);
  if (!m || Number(m[1]) > 10) return line.err('EBPF_ASM_REGISTER', `Invalid register '${t.text}'`, t);
  return Number(m[1]);
}

/** Parses an integer literal (decimal or 0x hex, optional sign) as a BigInt. */
function parseIntLit(text: string): bigint | undefined {
  const m = /^([+-]?)(0x[0-9a-f]+|\d+)$/i.exec(text);
  if (!m) return undefined;
  const v = BigInt(m[2]!);
  return m[1] === '-' ? -v : v;
}

/**
 * A 32-bit immediate: decimal must fit int32, hex may also use the unsigned range
 * (0x80000000..0xffffffff, read as the same bit pattern). Returns the signed int32.
 */
function parseImm32(line: Line, t: Tok | undefined): number {
  if (!t) return line.err('EBPF_ASM_OPERANDS', 'missing immediate operand');
  const v = parseIntLit(t.text);
  if (v === undefined) return line.err('EBPF_ASM_IMM', `Invalid immediate '${t.text}'`, t);
  const hex = /0x/i.test(t.text);
  const max = hex ? 0xffffffffn : 0x7fffffffn;
  if (v < -0x80000000n || v > max) return line.err('EBPF_ASM_IMM_RANGE', `Immediate '${t.text}' is out of 32-bit range`, t);
  return Number(BigInt.asIntN(32, v));
}

function parseOff16(line: Line, text: string, t: Tok): number {
  const v = parseIntLit(text);
  if (v === undefined) return line.err('EBPF_ASM_OFFSET', `Invalid offset '${text}'`, t);
  if (v < -0x8000n || v > 0x7fffn) return line.err('EBPF_ASM_OFFSET_RANGE', `Offset '${text}' is out of 16-bit range`, t);
  return Number(v);
}

/** `[%rN]`, `[%rN+off]`, `[%rN-off]`. */
function parseMem(line: Line, t: Tok | undefined): { reg: number; off: number } {
  if (!t) return line.err('EBPF_ASM_OPERANDS', 'missing memory operand');
  const m = /^\[\s*(%r\d+)\s*(?:([+-])\s*((?:0x)?[0-9a-f]+))?\s*\]$/i.exec(t.text);
  if (!m) return line.err('EBPF_ASM_MEMORY', `Invalid memory operand '${t.text}' (expected [%rN+off])`, t);
  const reg = parseReg(line, { text: m[1]!, start: t.start, end: t.end });
  const off = m[2] ? parseOff16(line, `${m[2]}${m[3]}`, t) : 0;
  return { reg, off };
}

/** Splits "op a, b, c" into mnemonic + operands, keeping source offsets for spans. */
function tokenize(text: string, base: number): Tok[] {
  const toks: Tok[] = [];
  const re = /\[[^\]]*\]|[^\s,]+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) toks.push({ text: m[0], start: base + m.index, end: base + m.index + m[0].length });
  return toks;
}

// ---- assembler --------------------------------------------------------------------------------

/** An instruction whose jump/call target may still be a label. */
interface Pending { insn: EbpfInsn; target?: { label: string; tok: Tok; field: 'off' | 'imm' }; line: Line }

/** Assembles uBPF-syntax source into a program. Throws UserError (with a span) on bad input. */
export function assemble(source: string): EbpfProgram {
  const pending: Pending[] = [];
  const labels = new Map<string, number>(); // label → element index
  let pos = 0;
  let no = 0;
  for (const rawLine of source.split('\n')) {
    const base = pos;
    pos += rawLine.length + 1;
    no++;
    const text = rawLine.replace(/(#|\/\/|;).*$/, '');
    if (text.trim() === '') continue;
    const lab = /^\s*([A-Za-z_.$][\w.$]*)\s*:\s*$/.exec(text);
    if (lab) {
      if (labels.has(lab[1]!)) throw new UserError('EBPF_ASM_LABEL', `line ${no}: duplicate label '${lab[1]}'`, { span: { start: base, end: base + text.length } });
      labels.set(lab[1]!, pending.length);
      continue;
    }
    const line = new Line(rawLine, base, no);
    pending.push(parseLine(line, tokenize(text, base)));
  }
  if (pending.length === 0) throw new UserError('EBPF_ASM_EMPTY', 'empty program: no instructions');
  const prog = pending.map((p) => p.insn);
  const { pcOf } = layout(prog);
  pending.forEach((p, i) => {
    if (!p.target) return;
    const { label, tok, field } = p.target;
    let idx = labels.get(label);
    if (idx === undefined && label === 'exit') {
      const first = prog.findIndex((x) => x.kind === 'exit');
      if (first >= 0) idx = first;
    }
    if (idx === undefined) return p.line.err('EBPF_ASM_LABEL', `undefined label '${label}'`, tok);
    const rel = pcOf[idx]! - (pcOf[i]! + 1);
    if (field === 'off') {
      if (rel < -0x8000 || rel > 0x7fff) p.line.err('EBPF_ASM_OFFSET_RANGE', `jump to '${label}' is out of 16-bit range`, tok);
      (p.insn as { off: number }).off = rel;
    } else (p.insn as { imm: number }).imm = rel;
  });
  return prog;
}

/** A jump target: `+N`/`-N` (slot-relative) or a label resolved in pass two. */
function jumpTarget(line: Line, t: Tok | undefined, field: 'off' | 'imm'): { value: number; label?: string; tok?: Tok } {
  if (!t) return line.err('EBPF_ASM_OPERANDS', 'missing jump target');
  if (/^[+-]?(0x[0-9a-f]+|\d+)$/i.test(t.text)) return { value: field === 'off' ? parseOff16(line, t.text, t) : parseImm32(line, t) };
  if (!/^[A-Za-z_.$][\w.$]*$/.test(t.text)) return line.err('EBPF_ASM_LABEL', `Invalid jump target '${t.text}'`, t);
  return { value: 0, label: t.text, tok: t };
}

function expectCount(line: Line, toks: Tok[], n: number, mnemonic: string): void {
  if (toks.length - 1 !== n) line.err('EBPF_ASM_OPERANDS', `Invalid number of operands for ${mnemonic} (expected ${n}, got ${toks.length - 1})`, toks[0]);
}

function parseLine(line: Line, toks: Tok[]): Pending {
  const mn = toks[0]!.text.toLowerCase();
  const ops = toks.slice(1);
  const done = (insn: EbpfInsn): Pending => ({ insn, line });

  if (mn === '.raw') {
    // `.raw 0xCODE dst=N src=N off=N imm=N`: one slot verbatim (what the disassembler prints for
    // encodings the ISA does not define), so any byte string survives disassemble → assemble.
    const m = /^\.raw\s+(0x[0-9a-f]{1,2})\s+dst=(\d+)\s+src=(\d+)\s+off=(-?\d+)\s+imm=(0x[0-9a-f]{1,8})\s*$/i.exec(line.src.replace(/(#|\/\/|;).*$/, '').trim());
    if (!m || Number(m[2]) > 15 || Number(m[3]) > 15 || Number(m[4]) < -0x8000 || Number(m[4]) > 0x7fff) line.err('EBPF_ASM_RAW', 'Invalid .raw directive (expected .raw 0xCODE dst=N src=N off=N imm=0xN)', toks[0]);
    return done({ kind: 'raw', code: Number(m[1]), dst: Number(m[2]), src: Number(m[3]), off: Number(m[4]), imm: Number(BigInt.asIntN(32, BigInt(m[5]!))) });
  }

  const alu = aluMnemonics.get(mn);
  if (alu) {
    if (alu.op === 'neg') {
      expectCount(line, toks, 1, mn);
      return done({ kind: 'alu', op: 'neg', wide: alu.wide, dst: parseReg(line, ops[0]), imm: 0 });
    }
    expectCount(line, toks, 2, mn);
    const dst = parseReg(line, ops[0]);
    if (ops[1]!.text.startsWith('%')) return done({ kind: 'alu', op: alu.op, wide: alu.wide, dst, src: parseReg(line, ops[1]) });
    if (alu.op.startsWith('movsx')) line.err('EBPF_ASM_OPERANDS', `${mn} needs a register source`, ops[1]);
    return done({ kind: 'alu', op: alu.op, wide: alu.wide, dst, imm: parseImm32(line, ops[1]) });
  }

  const end = /^(le|be|bswap|swap)(16|32|64)$/.exec(mn);
  if (end) {
    expectCount(line, toks, 1, mn);
    const order: EndOrder = end[1] === 'swap' ? 'bswap' : (end[1] as EndOrder);
    return done({ kind: 'end', order, width: Number(end[2]) as EndWidth, dst: parseReg(line, ops[0]) });
  }

  const jmp = jmpMnemonics.get(mn);
  if (jmp) {
    expectCount(line, toks, 3, mn);
    const dst = parseReg(line, ops[0]);
    const tgt = jumpTarget(line, ops[2], 'off');
    const insn: EbpfInsn = ops[1]!.text.startsWith('%')
      ? { kind: 'jmp', op: jmp.op, wide: jmp.wide, dst, src: parseReg(line, ops[1]), off: tgt.value }
      : { kind: 'jmp', op: jmp.op, wide: jmp.wide, dst, imm: parseImm32(line, ops[1]), off: tgt.value };
    return { insn, line, target: tgt.label ? { label: tgt.label, tok: tgt.tok!, field: 'off' } : undefined };
  }

  switch (mn) {
    case 'ja':
    case 'ja32':
    case 'gotol': {
      expectCount(line, toks, 1, mn);
      const field = mn === 'ja' ? 'off' : 'imm';
      const tgt = jumpTarget(line, ops[0], field);
      const insn: EbpfInsn = field === 'off' ? { kind: 'ja', off: tgt.value } : { kind: 'gotol', imm: tgt.value };
      return { insn, line, target: tgt.label ? { label: tgt.label, tok: tgt.tok!, field } : undefined };
    }
    case 'exit':
      expectCount(line, toks, 0, mn);
      return done({ kind: 'exit' });
    case 'call': {
      if (ops.length === 2 && ops[0]!.text === 'local') {
        const tgt = jumpTarget(line, ops[1], 'imm');
        return { insn: { kind: 'call', call: 'local', imm: tgt.value }, line, target: tgt.label ? { label: tgt.label, tok: tgt.tok!, field: 'imm' } : undefined };
      }
      if (ops.length === 2 && ops[0]!.text === 'kfunc') return done({ kind: 'call', call: 'kfunc', imm: parseImm32(line, ops[1]) });
      expectCount(line, toks, 1, mn);
      if (ops[0]!.text.startsWith('%')) return done({ kind: 'callx', dst: parseReg(line, ops[0]) });
      return done({ kind: 'call', call: 'helper', imm: parseImm32(line, ops[0]) });
    }
    case 'lddw': {
      if (ops.length < 2) line.err('EBPF_ASM_OPERANDS', `Invalid number of operands for lddw (expected 2, got ${ops.length})`, toks[0]);
      const dst = parseReg(line, ops[0]);
      const kind = ops[1]!.text;
      if (kind in LddwKinds && kind !== 'imm64') {
        // `lddw %r1, map_value 3 8`: a loader relocation with imm (and imm2 for *_value).
        if (ops.length < 3 || ops.length > 4) line.err('EBPF_ASM_OPERANDS', `Invalid number of operands for lddw ${kind}`, toks[0]);
        return done({ kind: 'lddw', lddw: kind as LddwKind, dst, imm: parseImm32(line, ops[2]), imm2: ops[3] ? parseImm32(line, ops[3]) : 0 });
      }
      expectCount(line, toks, 2, mn);
      const v = parseIntLit(kind);
      if (v === undefined) line.err('EBPF_ASM_IMM', `Invalid immediate '${kind}'`, ops[1]);
      if (v < -(1n << 63n) || v >= 1n << 64n) line.err('EBPF_ASM_IMM_RANGE', `Immediate '${kind}' is out of 64-bit range`, ops[1]);
      const u = BigInt.asUintN(64, v);
      return done({ kind: 'lddw', lddw: 'imm64', dst, imm: Number(BigInt.asIntN(32, u)), imm2: Number(BigInt.asIntN(32, u >> 32n)) });
    }
    case 'lock': {
      // lock [fetch] op[32] [%rD+off], %rS
      let i = 0;
      let fetch = false;
      if (ops[i]?.text === 'fetch') { fetch = true; i++; }
      const opTok = ops[i];
      const m = opTok ? /^(add|or|and|xor|xchg|cmpxchg)(32|64)?$/.exec(opTok.text) : null;
      if (ops.length - i !== 3 || !m) line.err('EBPF_ASM_OPERANDS', 'Invalid number of operands for lock', toks[0]);
      const op = m[1] as AtomicOp;
      if (op === 'xchg' || op === 'cmpxchg') fetch = true;
      const mem = parseMem(line, ops[i + 1]);
      return done({ kind: 'atomic', op, fetch, size: m[2] === '32' ? 'w' : 'dw', dst: mem.reg, src: parseReg(line, ops[i + 2]), off: mem.off });
    }
  }

  let m = /^ld(abs|ind)(b|h|w)$/.exec(mn);
  if (m) {
    if (m[1] === 'abs') { expectCount(line, toks, 1, mn); return done({ kind: 'ldabs', size: m[2] as Size, imm: parseImm32(line, ops[0]) }); }
    expectCount(line, toks, 2, mn);
    return done({ kind: 'ldind', size: m[2] as Size, src: parseReg(line, ops[0]), imm: parseImm32(line, ops[1]) });
  }
  m = /^ldx(s?)(b|h|w|dw)$/.exec(mn);
  if (m && !(m[1] && m[2] === 'dw')) {
    expectCount(line, toks, 2, mn);
    const dst = parseReg(line, ops[0]);
    const mem = parseMem(line, ops[1]);
    return done({ kind: 'ldx', size: m[2] as Size, signed: m[1] === 's', dst, src: mem.reg, off: mem.off });
  }
  m = /^st(x?)(b|h|w|dw)$/.exec(mn);
  if (m) {
    expectCount(line, toks, 2, mn);
    const mem = parseMem(line, ops[0]);
    if (m[1]) return done({ kind: 'stx', size: m[2] as Size, dst: mem.reg, src: parseReg(line, ops[1]), off: mem.off });
    return done({ kind: 'st', size: m[2] as Size, dst: mem.reg, off: mem.off, imm: parseImm32(line, ops[1]) });
  }
  return line.err('EBPF_ASM_MNEMONIC', `Invalid mnemonic '${toks[0]!.text}'`, toks[0]);
}

// ---- disassembler (uBPF syntax) ---------------------------------------------------------------

const r = (n: number) => `%r${n}`;
const mem = (reg: number, off: number) => (off === 0 ? `[%r${reg}]` : off > 0 ? `[%r${reg}+${off}]` : `[%r${reg}${off}]`);
const rel = (n: number) => (n >= 0 ? `+${n}` : `${n}`);
const hex32 = (n: number) => `0x${(n >>> 0).toString(16)}`;
const imm32 = (n: number) => (n < 0 || n > 0xffff ? hex32(n) : `${n}`);

/** One instruction in uBPF syntax; `assemble(disassembleInsn(x))` gives x back (raw excepted). */
export function disassembleInsn(i: EbpfInsn): string {
  switch (i.kind) {
    case 'alu': {
      const name = aluName(i.op, i.wide);
      if (i.op === 'neg') return `${name} ${r(i.dst)}`;
      return 'src' in i ? `${name} ${r(i.dst)}, ${r(i.src)}` : `${name} ${r(i.dst)}, ${imm32(i.imm)}`;
    }
    case 'end': return `${i.order}${i.width} ${r(i.dst)}`;
    case 'jmp': {
      const name = i.wide ? i.op : `${i.op}32`;
      return 'src' in i ? `${name} ${r(i.dst)}, ${r(i.src)}, ${rel(i.off)}` : `${name} ${r(i.dst)}, ${imm32(i.imm)}, ${rel(i.off)}`;
    }
    case 'ja': return `ja ${rel(i.off)}`;
    case 'gotol': return `ja32 ${rel(i.imm)}`;
    case 'call': return i.call === 'helper' ? `call ${i.imm}` : i.call === 'local' ? `call local ${rel(i.imm)}` : `call kfunc ${i.imm}`;
    case 'callx': return `call ${r(i.dst)}`;
    case 'exit': return 'exit';
    case 'lddw':
      return i.lddw === 'imm64'
        ? `lddw ${r(i.dst)}, 0x${lddwValue(i).toString(16)}`
        : `lddw ${r(i.dst)}, ${i.lddw} ${i.imm}${i.imm2 !== 0 ? ` ${i.imm2}` : ''}`;
    case 'ldabs': return `ldabs${i.size} ${imm32(i.imm)}`;
    case 'ldind': return `ldind${i.size} ${r(i.src)}, ${imm32(i.imm)}`;
    case 'ldx': return `ldx${i.signed ? 's' : ''}${i.size} ${r(i.dst)}, ${mem(i.src, i.off)}`;
    case 'st': return `st${i.size} ${mem(i.dst, i.off)}, ${imm32(i.imm)}`;
    case 'stx': return `stx${i.size} ${mem(i.dst, i.off)}, ${r(i.src)}`;
    case 'atomic': {
      const fetch = i.fetch && i.op !== 'xchg' && i.op !== 'cmpxchg' ? 'fetch ' : '';
      return `lock ${fetch}${i.op}${i.size === 'w' ? '32' : ''} ${mem(i.dst, i.off)}, ${r(i.src)}`;
    }
    case 'raw': return `.raw 0x${i.code.toString(16).padStart(2, '0')} dst=${i.dst} src=${i.src} off=${i.off} imm=${hex32(i.imm)}`;
  }
}

/** A whole program, one instruction a line. */
export function disassemble(prog: EbpfProgram): string {
  return prog.map(disassembleInsn).join('\n') + '\n';
}

// ---- kernel-style pretty printer -------------------------------------------------------------

const kr = (n: number) => `r${n}`;
const kw = (n: number, wide: boolean) => (wide ? `r${n}` : `w${n}`);
const kmem = (size: Size, reg: number, off: number) => `*(${Sizes[size].c} *)(r${reg} ${off < 0 ? '-' : '+'} ${Math.abs(off)})`;

/** One instruction as the kernel verifier log prints it, e.g. `r0 = *(u16 *)(r6 + 12)`. */
export function prettyInsn(i: EbpfInsn): string {
  switch (i.kind) {
    case 'alu': {
      const d = kw(i.dst, i.wide);
      if (i.op === 'neg') return `${d} = -${d}`;
      if ('src' in i && i.op.startsWith('movsx')) return `${d} = (s${i.op.slice(5)})${kw(i.src, i.wide)}`;
      return `${d} ${AluOps[i.op].c} ${'src' in i ? kw(i.src, i.wide) : i.imm}`;
    }
    case 'end': return i.order === 'bswap' ? `r${i.dst} = bswap${i.width} r${i.dst}` : `r${i.dst} = ${i.order}${i.width} r${i.dst}`;
    case 'jmp': {
      const s = 'src' in i ? kw(i.src, i.wide) : `${i.imm}`;
      return `if ${kw(i.dst, i.wide)} ${JmpOps[i.op].c} ${s} goto pc${i.off >= 0 ? '+' : ''}${i.off}`;
    }
    case 'ja': return `goto pc${i.off >= 0 ? '+' : ''}${i.off}`;
    case 'gotol': return `gotol pc${i.imm >= 0 ? '+' : ''}${i.imm}`;
    case 'call': return i.call === 'helper' ? `call #${i.imm}` : i.call === 'local' ? `call pc${i.imm >= 0 ? '+' : ''}${i.imm}` : `call kfunc#${i.imm}`;
    case 'callx': return `callx ${kr(i.dst)}`;
    case 'exit': return 'exit';
    case 'lddw': return i.lddw === 'imm64' ? `r${i.dst} = 0x${lddwValue(i).toString(16)} ll` : `r${i.dst} = ${i.lddw}[${i.imm}]${i.imm2 ? ` + ${i.imm2}` : ''} ll`;
    case 'ldabs': return `r0 = *(${Sizes[i.size].c} *)skb[${i.imm}]`;
    case 'ldind': return `r0 = *(${Sizes[i.size].c} *)skb[r${i.src} + ${i.imm}]`;
    case 'ldx': {
      const t = i.signed ? `s${Sizes[i.size].bytes * 8}` : Sizes[i.size].c;
      return `${kr(i.dst)} = *(${t} *)(r${i.src} ${i.off < 0 ? '-' : '+'} ${Math.abs(i.off)})`;
    }
    case 'st': return `${kmem(i.size, i.dst, i.off)} = ${i.imm}`;
    case 'stx': return `${kmem(i.size, i.dst, i.off)} = ${kr(i.src)}`;
    case 'atomic': {
      const m = kmem(i.size, i.dst, i.off);
      const s = kw(i.src, i.size === 'dw');
      if (i.op === 'xchg') return `${s} = atomic${i.size === 'dw' ? '64' : ''}_xchg((${Sizes[i.size].c} *)(r${i.dst} ${i.off < 0 ? '-' : '+'} ${Math.abs(i.off)}), ${s})`;
      if (i.op === 'cmpxchg') return `${i.size === 'dw' ? 'r0' : 'w0'} = atomic${i.size === 'dw' ? '64' : ''}_cmpxchg((${Sizes[i.size].c} *)(r${i.dst} ${i.off < 0 ? '-' : '+'} ${Math.abs(i.off)}), ${i.size === 'dw' ? 'r0' : 'w0'}, ${s})`;
      if (i.fetch) return `${s} = atomic${i.size === 'dw' ? '64' : ''}_fetch_${i.op}((${Sizes[i.size].c} *)(r${i.dst} ${i.off < 0 ? '-' : '+'} ${Math.abs(i.off)}), ${s})`;
      return `lock ${m} ${AtomicOps[i.op].c} ${s}`;
    }
    case 'raw': return `(${i.code.toString(16).padStart(2, '0')}) invalid`;
  }
}

/** A program in the kernel style with slot pcs, e.g. `   3: r0 = *(u16 *)(r6 + 12)`. */
export function pretty(prog: EbpfProgram): string {
  const { pcOf } = layout(prog);
  return prog.map((insn, i) => `${String(pcOf[i]).padStart(4)}: ${prettyInsn(insn)}`).join('\n') + '\n';
}
