/**
 * Assembler and disassembler for the kernel's `bpf_asm` syntax (tools/bpf/bpf_asm), e.g.
 *
 *     ldh [12]                 ; A = pkt[12:2]
 *     jeq #0x800, ip, drop     ; two targets, or one (the false branch falls through)
 *   ip: ldx 4*([14]&0xf)
 *     ret #0xffff
 *   drop: ret #0
 *
 * Technique: a line lexer (identifiers, numbers, punctuation) and a recursive-descent operand
 * parser per mnemonic, then a second pass resolving labels to forward offsets. The mnemonics
 * come from the opcode table's `asm` column; bpf_asm's pseudo-jumps (jne/jneq, jlt, jle) are
 * the real ones with jt and jf swapped. Unlike bpf_asm, `ja` may name an earlier label (a
 * negative k, which libpcap emits for protochain). Comments: `;` or `//` to end of line, `/* ... *\/`, and
 * lines starting with `#`. The same parser also reads `tcpdump -d` listings: a leading "(012)"
 * is ignored, `ret` alone is `ret a`, `#pktlen` is `#len`, and numeric jump targets
 * (`ja 8`, `jt 5 jf 9`) are absolute instruction numbers, as the listing prints them.
 *
 * Errors are UserError('CBPF_ASM') naming line and column, with a caret span into that line.
 */
import { UserError } from '../../errors.ts';
import type { CbpfInsn, CbpfProgram } from './types.ts';
import { encode, decode, type Decoded } from './decode.ts';
import { extensionByAsmName, LINUX_EXTENSIONS, OPCODES, opcodeRow, SKF_AD_OFF, type AluOp, type JmpOp, type Size } from './opcodes.ts';

type TokKind = 'ident' | 'num' | 'punct';
interface Tok { kind: TokKind; text: string; value: number; col: number }

/** An error at a column of a line (both 1-based in the message). */
function asmError(lineNo: number, lineText: string, col: number, len: number, msg: string): UserError {
  return new UserError('CBPF_ASM', `line ${lineNo}, column ${col + 1}: ${msg}`, {
    span: { start: col, end: col + Math.max(0, len) },
    source: lineText,
  });
}

/** Parses a bpf_asm number: 0x hex, 0b binary, leading-0 octal, decimal; returns NaN if bad. */
export function parseAsmNumber(text: string): number {
  let neg = false;
  let t = text;
  if (t.startsWith('-')) { neg = true; t = t.slice(1); }
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^0b[01]+$/i.test(t)) v = parseInt(t.slice(2), 2);
  else if (/^0[0-7]+$/.test(t)) v = parseInt(t.slice(1), 8);
  else if (/^[0-9]+$/.test(t)) v = parseInt(t, 10);
  else return NaN;
  if (v > 0xffffffff) return NaN;
  return neg ? (-v >>> 0) : v;
}

function lex(line: string, lineNo: number): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    const start = i;
    if (/[A-Za-z_.]/.test(c)) {
      while (i < line.length && /[A-Za-z0-9_.]/.test(line[i]!)) i++;
      toks.push({ kind: 'ident', text: line.slice(start, i), value: 0, col: start });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(line[i + 1] ?? ''))) {
      i++;
      while (i < line.length && /[0-9A-Za-z]/.test(line[i]!)) i++;
      const text = line.slice(start, i);
      const value = parseAsmNumber(text);
      if (Number.isNaN(value)) throw asmError(lineNo, line, start, i - start, `bad number '${text}'`);
      toks.push({ kind: 'num', text, value, col: start });
      continue;
    }
    if ('#[]+*()&,:%'.includes(c)) {
      toks.push({ kind: 'punct', text: c, value: 0, col: start });
      i++;
      continue;
    }
    throw asmError(lineNo, line, start, 1, `unexpected character '${c}'`);
  }
  return toks;
}

/** Removes comments, keeping columns (comment text becomes spaces). Tracks block comments across lines. */
function stripComments(lines: string[]): string[] {
  let inBlock = false;
  return lines.map((line) => {
    let out = '';
    for (let i = 0; i < line.length; i++) {
      if (inBlock) {
        if (line.startsWith('*/', i)) { inBlock = false; out += '  '; i++; } else out += ' ';
        continue;
      }
      if (line.startsWith('/*', i)) { inBlock = true; out += '  '; i++; continue; }
      if (line[i] === ';' || line.startsWith('//', i)) { out += ' '.repeat(line.length - i); break; }
      out += line[i];
    }
    // A line whose first visible character is '#' is a comment (as in golang.org/x/net/bpf testdata).
    if (/^\s*#/.test(out)) return ' '.repeat(out.length);
    return out;
  });
}

/** A jump operand before label resolution: a label name or an absolute pc (from a -d listing). */
type Target = { label: string; col: number; len: number } | { pc: number; col: number; len: number };

interface Pending {
  lineNo: number;
  lineText: string;
  /** Built instruction; jump fields are filled in pass 2. */
  d: Decoded;
  ja?: Target;
  jt?: Target; // undefined = fall through (offset 0)
  jf?: Target;
}

// Mnemonics from the opcode table: the ALU ops and the conditional jumps, plus bpf_asm's
// pseudo-jumps, which are a real jump with the branches swapped (jne = !jeq, jlt = !jge, jle = !jgt).
const aluOps = new Set<string>(OPCODES.flatMap((r) => (r.shape.kind === 'alu' ? [r.asm] : [])));
const jumpOps: Record<string, { op: JmpOp; invert: boolean }> = {
  ...Object.fromEntries(OPCODES.flatMap((r) => (r.shape.kind === 'jcond' ? [[r.asm, { op: r.shape.op, invert: false }]] : []))),
  jne: { op: 'jeq', invert: true }, jneq: { op: 'jeq', invert: true },
  jlt: { op: 'jge', invert: true }, jle: { op: 'jgt', invert: true },
};

/** Assembles bpf_asm (or tcpdump -d) text into a program. Throws UserError('CBPF_ASM'). */
export function assemble(source: string): CbpfProgram {
  const rawLines = source.split('\n');
  const lines = stripComments(rawLines);
  const labels = new Map<string, number>();
  const pending: Pending[] = [];

  lines.forEach((line, idx) => {
    const lineNo = idx + 1;
    const lineText = rawLines[idx]!.replace(/\r$/, '');
    // "(012)" prefix of a tcpdump -d line (blanked, keeping columns; "008" is not octal here).
    const listing = /^\s*\(\d+\)/.exec(line);
    const toks = lex(listing ? ' '.repeat(listing[0].length) + line.slice(listing[0].length) : line, lineNo);
    let p = 0;
    const err = (t: Tok | undefined, msg: string): UserError =>
      t ? asmError(lineNo, lineText, t.col, t.text.length, msg) : asmError(lineNo, lineText, lineText.length, 0, msg);
    // Labels: "name:" (several allowed).
    while (toks[p]?.kind === 'ident' && toks[p + 1]?.text === ':') {
      const name = toks[p]!.text;
      if (labels.has(name)) throw err(toks[p], `duplicate label '${name}'`);
      labels.set(name, pending.length);
      p += 2;
    }
    if (p >= toks.length) return;
    const mt = toks[p++]!;
    if (mt.kind !== 'ident') throw err(mt, `expected an instruction, found '${mt.text}'`);
    const m = mt.text.toLowerCase();

    const peek = (): Tok | undefined => toks[p];
    const next = (what: string): Tok => {
      const t = toks[p++];
      if (!t) throw err(undefined, `expected ${what} after '${mt.text}'`);
      return t;
    };
    const expect = (text: string): Tok => {
      const t = next(`'${text}'`);
      if (t.text !== text) throw err(t, `expected '${text}', found '${t.text}'`);
      return t;
    };
    const num = (): number => {
      const t = next('a number');
      if (t.kind !== 'num') throw err(t, `expected a number, found '${t.text}'`);
      return t.value;
    };
    const isReg = (t: Tok | undefined, r: 'x' | 'a'): boolean => {
      if (!t) return false;
      if (t.kind === 'ident' && t.text.toLowerCase() === r) return true;
      if (t.text === '%' && toks[p + 1]?.kind === 'ident' && toks[p + 1]!.text.toLowerCase() === r) return true;
      return false;
    };
    const takeReg = (): void => { if (toks[p]!.text === '%') p++; p++; };
    const target = (): Target => {
      const t = next('a jump target');
      if (t.kind === 'ident') return { label: t.text, col: t.col, len: t.text.length };
      if (t.kind === 'num') return { pc: t.value, col: t.col, len: t.text.length };
      throw err(t, `expected a label, found '${t.text}'`);
    };
    const done = (): void => {
      if (p < toks.length) throw err(toks[p], `unexpected '${toks[p]!.text}'`);
    };
    const push = (d: Decoded, jumps: Partial<Pick<Pending, 'ja' | 'jt' | 'jf'>> = {}): void => {
      done();
      pending.push({ lineNo, lineText, d, ...jumps });
    };

    // ---- loads ----
    const loadSize: Record<string, Size> = { ld: 4, ldh: 2, ldb: 1, ldi: 4 };
    if (m in loadSize) {
      const size = loadSize[m]!;
      const t = peek();
      if (t?.text === '#') {
        p++;
        const v = next('an immediate');
        if (v.kind === 'ident') {
          const name = v.text.toLowerCase();
          if (name === 'len' || name === 'pktlen') {
            if (size !== 4) throw err(v, `'${m} #len' is not an instruction (use ld)`);
            return push({ kind: 'load', dst: 'a', mode: 'len', size: 4, k: 0 });
          }
          const ext = extensionByAsmName(name);
          if (!ext) throw err(v, `unknown extension '#${v.text}'`);
          // A = skb metadata (Linux ancillary load), encoded as an absolute load at SKF_AD_OFF + off
          return push({ kind: 'load', dst: 'a', mode: 'abs', size, k: (SKF_AD_OFF + ext.off) >>> 0 });
        }
        if (v.kind !== 'num') throw err(v, `expected a number, found '${v.text}'`);
        if (size !== 4) throw err(v, `'${m} #k' is not an instruction (use ld #k)`);
        return push({ kind: 'load', dst: 'a', mode: 'imm', size: 4, k: v.value });
      }
      if (t?.text === '[') {
        p++;
        if (isReg(peek(), 'x')) {
          takeReg();
          expect('+');
          const k = num();
          expect(']');
          return push({ kind: 'load', dst: 'a', mode: 'ind', size, k });
        }
        const named = peek();
        if (named?.kind === 'ident') {
          // "[proto]": how a tcpdump -d listing prints a Linux ancillary load
          p++;
          const ext = LINUX_EXTENSIONS.find((e) => e.image === named.text.toLowerCase());
          if (!ext) throw err(named, `unknown ancillary field '${named.text}'`);
          expect(']');
          return push({ kind: 'load', dst: 'a', mode: 'abs', size, k: (SKF_AD_OFF + ext.off) >>> 0 });
        }
        const k = num();
        if (peek()?.text === '+') { // "[k + x]" is not accepted by bpf_asm either; give a clear message
          throw err(peek(), "write an indirect load as '[x + k]'");
        }
        expect(']');
        return push({ kind: 'load', dst: 'a', mode: 'abs', size, k });
      }
      if (t?.kind === 'ident' && t.text.toLowerCase() === 'm' && size === 4) {
        p++;
        expect('[');
        const k = num();
        expect(']');
        return push({ kind: 'load', dst: 'a', mode: 'mem', size: 4, k });
      }
      throw err(t, `bad operand for '${mt.text}'`);
    }
    if (m === 'ldx' || m === 'ldxi' || m === 'ldxb') {
      const t = peek();
      if (t?.text === '#' && m !== 'ldxb') {
        p++;
        const v = next('an immediate');
        if (v.kind === 'ident' && (v.text.toLowerCase() === 'len' || v.text.toLowerCase() === 'pktlen')) {
          return push({ kind: 'load', dst: 'x', mode: 'len', size: 4, k: 0 });
        }
        if (v.kind !== 'num') throw err(v, `expected a number, found '${v.text}'`);
        return push({ kind: 'load', dst: 'x', mode: 'imm', size: 4, k: v.value });
      }
      if (t?.kind === 'num' && t.value === 4 && m !== 'ldxi') {
        // X = 4 * (pkt[k] & 0xf)
        p++;
        expect('*'); expect('('); expect('[');
        const k = num();
        expect(']'); expect('&');
        const mask = next("'0xf'");
        if (mask.kind !== 'num' || mask.value !== 0xf) throw err(mask, "expected '0xf'");
        expect(')');
        return push({ kind: 'load', dst: 'x', mode: 'msh', size: 1, k });
      }
      if (t?.kind === 'ident' && t.text.toLowerCase() === 'm' && m === 'ldx') {
        p++;
        expect('[');
        const k = num();
        expect(']');
        return push({ kind: 'load', dst: 'x', mode: 'mem', size: 4, k });
      }
      throw err(t, `bad operand for '${mt.text}'`);
    }
    // ---- stores ----
    if (m === 'st' || m === 'stx') {
      const t = next('M[k]');
      if (!(t.kind === 'ident' && t.text.toLowerCase() === 'm')) throw err(t, 'expected M[k]');
      expect('[');
      const k = num();
      expect(']');
      return push({ kind: 'store', src: m === 'st' ? 'a' : 'x', k });
    }
    // ---- ALU ----
    if (aluOps.has(m)) {
      const op = m as AluOp;
      const t = peek();
      if (isReg(t, 'x')) { takeReg(); return push({ kind: 'alu', op, src: 'x', k: 0 }); }
      if (t?.text === '#') { p++; return push({ kind: 'alu', op, src: 'k', k: num() }); }
      throw err(t, `expected '#k' or 'x' after '${mt.text}'`);
    }
    if (m === 'neg') return push({ kind: 'neg' });
    if (m === 'tax') return push({ kind: 'tax' });
    if (m === 'txa') return push({ kind: 'txa' });
    // ---- jumps ----
    if (m === 'ja' || m === 'jmp') return push({ kind: 'ja', k: 0 }, { ja: target() });
    const j = jumpOps[m];
    if (j) {
      const t = peek();
      let src: 'k' | 'x';
      let k = 0;
      if (isReg(t, 'x')) { takeReg(); src = 'x'; } else if (t?.text === '#') { p++; src = 'k'; k = num(); } else {
        throw err(t, `expected '#k' or 'x' after '${mt.text}'`);
      }
      let first: Target | undefined;
      let second: Target | undefined;
      if (peek()?.kind === 'ident' && peek()!.text.toLowerCase() === 'jt') {
        // tcpdump -d listing: "jt 5<TAB>jf 9"
        p++;
        first = target();
        const jf = next("'jf'");
        if (jf.text.toLowerCase() !== 'jf') throw err(jf, "expected 'jf'");
        second = target();
      } else {
        expect(',');
        first = target();
        if (peek()?.text === ',') { p++; second = target(); }
      }
      const d: Decoded = { kind: 'jcond', op: j.op, src, k, jt: 0, jf: 0 };
      // jne L = jeq with the false branch to L; jne Lt, Lf = jeq jt=Lf, jf=Lt.
      if (!j.invert) return push(d, { jt: first, jf: second });
      return push(d, second ? { jt: second, jf: first } : { jf: first });
    }
    // ---- return ----
    if (m === 'ret') {
      const t = peek();
      if (!t || isReg(t, 'a')) { if (t) takeReg(); return push({ kind: 'ret', src: 'a', k: 0 }); }
      if (t.text === '#') { p++; return push({ kind: 'ret', src: 'k', k: num() }); }
      throw err(t, "expected '#k' or 'a' after 'ret'");
    }
    throw err(mt, `unknown instruction '${mt.text}'`);
  });

  // ---- pass 2: resolve jump targets to forward offsets ----
  // Conditional offsets are 8-bit unsigned (forward only). `ja` may also go backwards (k is then
  // negative, as libpcap emits for protochain; the kernel's validator rejects it).
  const resolve = (pd: Pending, pc: number, t: Target | undefined, max: number, backward = false): number => {
    if (!t) return 0;
    let dest: number;
    if ('label' in t) {
      const at = labels.get(t.label);
      if (at === undefined) throw asmError(pd.lineNo, pd.lineText, t.col, t.len, `undefined label '${t.label}'`);
      dest = at;
    } else dest = t.pc;
    const off = dest - (pc + 1);
    if (off < 0 && backward) return off >>> 0;
    if (off < 0) throw asmError(pd.lineNo, pd.lineText, t.col, t.len, 'jump goes backwards (classic BPF jumps only forward)');
    if (off > max) throw asmError(pd.lineNo, pd.lineText, t.col, t.len, `jump offset ${off} is more than ${max}`);
    return off;
  };
  return pending.map((pd, pc): CbpfInsn => {
    const d = pd.d;
    if (d.kind === 'ja') return encode({ kind: 'ja', k: resolve(pd, pc, pd.ja, 0x7fffffff, true) });
    if (d.kind === 'jcond') return encode({ ...d, jt: resolve(pd, pc, pd.jt, 255), jf: resolve(pd, pc, pd.jf, 255) });
    return encode(d);
  });
}

const hexK = (k: number): string => `0x${(k >>> 0).toString(16)}`;

/**
 * Prints a program in bpf_asm syntax with labels `L<pc>` on jump targets, so that
 * `assemble(disassemble(p))` gives `p` back for every program whose jumps stay inside it.
 * Instructions bpf_asm cannot express (raw encodings) and out-of-range jumps throw UserError.
 */
export function disassemble(prog: CbpfProgram): string {
  const targets = new Set<number>();
  prog.forEach((insn, pc) => {
    const d = decode(insn);
    if (d.kind === 'ja') targets.add(pc + 1 + (d.k | 0));
    if (d.kind === 'jcond') { targets.add(pc + 1 + d.jt); targets.add(pc + 1 + d.jf); }
  });
  const label = (pc: number): string => {
    if (pc < 0 || pc >= prog.length) throw new UserError('CBPF_DISASM', `jump to ${pc} is outside the ${prog.length}-instruction program`);
    return `L${pc}`;
  };
  const out: string[] = [];
  prog.forEach((insn, pc) => {
    const d = decode(insn);
    let text: string;
    switch (d.kind) {
      case 'load': {
        const mn = opcodeRow(insn.code)!.asm;
        switch (d.mode) {
          case 'imm': text = `${mn} #${hexK(d.k)}`; break;
          case 'abs': text = `${mn} [${d.k >>> 0}]`; break;
          case 'ind': text = `${mn} [x + ${d.k >>> 0}]`; break;
          case 'mem': text = `${mn} M[${d.k >>> 0}]`; break;
          case 'len': text = `${mn} #len`; break;
          case 'msh': text = `${mn} 4*([${d.k >>> 0}]&0xf)`; break;
        }
        break;
      }
      case 'store': text = `${opcodeRow(insn.code)!.asm} M[${d.k >>> 0}]`; break;
      case 'alu': text = `${opcodeRow(insn.code)!.asm} ${d.src === 'x' ? 'x' : `#${hexK(d.k)}`}`; break;
      case 'neg': case 'tax': case 'txa': text = d.kind; break;
      case 'ja': text = `ja ${label(pc + 1 + (d.k | 0))}`; break;
      case 'jcond': {
        const operand = d.src === 'x' ? 'x' : `#${hexK(d.k)}`;
        text = `${opcodeRow(insn.code)!.asm} ${operand}, ${label(pc + 1 + d.jt)}, ${label(pc + 1 + d.jf)}`;
        break;
      }
      case 'ret': text = d.src === 'a' ? 'ret a' : `ret #${hexK(d.k)}`; break;
      case 'raw':
        throw new UserError('CBPF_DISASM', `instruction ${pc} (code 0x${d.code.toString(16)}, jt ${d.jt}, jf ${d.jf}, k ${d.k}) has no bpf_asm form`);
    }
    out.push(`${targets.has(pc) ? `L${pc}:` : ''}\t${text}`);
  });
  return out.join('\n') + '\n';
}
