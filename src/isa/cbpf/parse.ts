/**
 * Reads a classic BPF program from text in any of the forms people pass around, detecting which:
 *
 *   ddd-line  `4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0` (iptables -m bpf, xdpcap)
 *   ddd       `tcpdump -ddd` output: the count on the first line, then `code jt jf k` per line
 *   dd        `tcpdump -dd` output: `{ 0x28, 0, 0, 0x0000000c },` per line
 *   asm       bpf_asm source, or a `tcpdump -d` listing (see ./asm.ts)
 *
 * Detection looks at the first non-blank line: digits then a comma → ddd-line; a lone integer →
 * ddd; a `{` → dd; anything else → asm. Numeric forms check field ranges (code 16 bits, jt/jf
 * 8 bits, k 32 bits) and the count. Errors are UserError('CBPF_PARSE' / 'CBPF_ASM') with line
 * and column in the message and a caret span into the offending line.
 */
import { UserError } from '../../errors.ts';
import type { CbpfInsn, CbpfProgram } from './types.ts';
import { assemble, parseAsmNumber } from './asm.ts';

export type ProgramFormat = 'ddd-line' | 'ddd' | 'dd' | 'asm';

export function detectFormat(text: string): ProgramFormat {
  const first = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  if (/^\d+\s*,/.test(first)) return 'ddd-line';
  if (/^\d+$/.test(first)) return 'ddd';
  if (first.startsWith('{')) return 'dd';
  return 'asm';
}

function parseError(lineNo: number, lineText: string, col: number, len: number, msg: string): UserError {
  return new UserError('CBPF_PARSE', `line ${lineNo}, column ${col + 1}: ${msg}`, {
    span: { start: col, end: col + Math.max(0, len) },
    source: lineText,
  });
}

const LIMITS = { code: 0xffff, jt: 0xff, jf: 0xff, k: 0xffffffff } as const;
const FIELDS = ['code', 'jt', 'jf', 'k'] as const;

/** One instruction from 4 numeric fields found at columns `cols` of a line. */
function insnFrom(values: { text: string; col: number }[], lineNo: number, lineText: string, endCol: number): CbpfInsn {
  if (values.length !== 4) {
    const at = values[4] ?? { col: endCol, text: '' };
    throw parseError(lineNo, lineText, at.col, at.text.length, `expected 4 fields (code jt jf k), found ${values.length}`);
  }
  const out = { code: 0, jt: 0, jf: 0, k: 0 };
  FIELDS.forEach((f, i) => {
    const v = values[i]!;
    const n = v.text.startsWith('-') ? NaN : parseAsmNumber(v.text);
    if (Number.isNaN(n) || n > LIMITS[f]) throw parseError(lineNo, lineText, v.col, v.text.length, `bad ${f} '${v.text}' (0..${LIMITS[f]})`);
    out[f] = n;
  });
  return out;
}

/** Splits `s` (starting at column `base`) into whitespace-separated words with their columns. */
function words(s: string, base: number): { text: string; col: number }[] {
  const out: { text: string; col: number }[] = [];
  const re = /\S+/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push({ text: m[0], col: base + m.index });
  return out;
}

function checkCount(count: number, got: number, lineNo: number, lineText: string, col: number, len: number): void {
  if (count !== got) throw parseError(lineNo, lineText, col, len, `count says ${count} instructions, found ${got}`);
}

function parseDddLine(text: string): CbpfProgram {
  const lines = text.split('\n');
  const lineIdx = lines.findIndex((l) => l.trim() !== '');
  const lineText = lines[lineIdx]!.replace(/\r$/, '');
  const lineNo = lineIdx + 1;
  for (let i = lineIdx + 1; i < lines.length; i++) {
    if (lines[i]!.trim() !== '') throw parseError(i + 1, lines[i]!, 0, lines[i]!.length, 'the one-line -ddd form must be a single line');
  }
  // Fields between commas, remembering each piece's column; a trailing comma is allowed.
  const pieces: { text: string; col: number }[] = [];
  let col = 0;
  for (const piece of lineText.split(',')) { pieces.push({ text: piece, col }); col += piece.length + 1; }
  if (pieces.length > 1 && pieces[pieces.length - 1]!.text.trim() === '') pieces.pop();
  const countWords = words(pieces[0]!.text, pieces[0]!.col);
  const count = countWords.length === 1 ? parseAsmNumber(countWords[0]!.text) : NaN;
  if (Number.isNaN(count)) throw parseError(lineNo, lineText, 0, pieces[0]!.text.length, 'expected the instruction count');
  const prog = pieces.slice(1).map((p) => insnFrom(words(p.text, p.col), lineNo, lineText, p.col + p.text.length));
  checkCount(count, prog.length, lineNo, lineText, countWords[0]!.col, countWords[0]!.text.length);
  return prog;
}

function parseDdd(text: string): CbpfProgram {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  let count = -1;
  let countAt = { lineNo: 0, lineText: '', col: 0, len: 0 };
  const prog: CbpfProgram = [];
  lines.forEach((lineText, i) => {
    const w = words(lineText, 0);
    if (w.length === 0) return;
    if (count < 0) {
      count = parseAsmNumber(w[0]!.text);
      if (w.length !== 1 || Number.isNaN(count)) throw parseError(i + 1, lineText, 0, lineText.length, 'expected the instruction count');
      countAt = { lineNo: i + 1, lineText, col: w[0]!.col, len: w[0]!.text.length };
      return;
    }
    prog.push(insnFrom(w, i + 1, lineText, lineText.length));
  });
  checkCount(count, prog.length, countAt.lineNo, countAt.lineText, countAt.col, countAt.len);
  return prog;
}

function parseDd(text: string): CbpfProgram {
  const prog: CbpfProgram = [];
  text.split('\n').forEach((raw, i) => {
    const lineText = raw.replace(/\r$/, '');
    if (lineText.trim() === '') return;
    const m = /^(\s*\{)([^}]*)\}\s*,?\s*$/.exec(lineText);
    if (!m) throw parseError(i + 1, lineText, 0, lineText.length, 'expected `{ code, jt, jf, k },`');
    const base = m[1]!.length;
    const fields: { text: string; col: number }[] = [];
    let col = base;
    for (const f of m[2]!.split(',')) {
      const w = words(f, col);
      if (w.length !== 1) throw parseError(i + 1, lineText, col, f.length, 'expected one number per field');
      fields.push(w[0]!);
      col += f.length + 1;
    }
    prog.push(insnFrom(fields, i + 1, lineText, base + m[2]!.length));
  });
  return prog;
}

/** Parses a program in any supported form (auto-detected unless `format` is given). */
export function parseProgram(text: string, format: ProgramFormat = detectFormat(text)): CbpfProgram {
  switch (format) {
    case 'ddd-line': return parseDddLine(text);
    case 'ddd': return parseDdd(text);
    case 'dd': return parseDd(text);
    case 'asm': return assemble(text);
  }
}
