/**
 * The validator: each rule rejects its violation with its stable code and accepts the nearby
 * valid program; every program libpcap 1.10.3 emits for the corpus (optimized, and -O when it
 * has no backward jumps) passes the strict (kernel) rules.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertValid, validate } from '../../src/cbpf/validate.ts';
import { parseProgram } from '../../src/isa/cbpf/parse.ts';
import { UserError } from '../../src/errors.ts';
import { goldenDir } from './corpus-path.ts';

const codes = (text: string, opts = {}): string[] => validate(parseProgram(text), opts).map((i) => i.code);

describe('validate rules', () => {
  const table: [string, string, string | null][] = [
    ['valid program', 'ldh [12]\njeq #0x800, a, b\na: ret #1\nb: ret #0', null],
    ['empty', '0', 'CBPF_EMPTY'],
    ['unknown opcode', '2,14 0 0 0,6 0 0 0', 'CBPF_BAD_OPCODE'],
    ['unknown ancillary offset', '2,32 0 0 4294963270,6 0 0 0', 'CBPF_BAD_ANCILLARY'],
    ['scratch index 16', 'ld #1\nst M[16]\nret #0', 'CBPF_MEM_INDEX'],
    ['ld M[16]', '2,96 0 0 16,6 0 0 0', 'CBPF_MEM_INDEX'],
    ['div by constant 0', 'ld #1\ndiv #0\nret a', 'CBPF_DIV_ZERO'],
    ['mod by constant 0', 'ld #1\nmod #0\nret a', 'CBPF_DIV_ZERO'],
    ['shift by 32', 'ld #1\nlsh #32\nret a', 'CBPF_SHIFT_RANGE'],
    ['jt past the end', '2,21 1 0 0,6 0 0 0', 'CBPF_JUMP_RANGE'],
    ['jf past the end', '2,21 0 1 0,6 0 0 0', 'CBPF_JUMP_RANGE'],
    ['ja past the end', '2,5 0 0 1,6 0 0 0', 'CBPF_JUMP_RANGE'],
    ['backward ja (kernel rule)', '3,6 0 0 0,5 0 0 4294967294,6 0 0 0', 'CBPF_BACKWARD_JUMP'],
    ['ja before the start', '2,5 0 0 4294967286,6 0 0 0', 'CBPF_JUMP_RANGE'],
    ['ja to itself', '2,5 0 0 4294967295,6 0 0 0', 'CBPF_BACKWARD_JUMP'],
    ['no final ret', 'ld #1', 'CBPF_NO_RET'],
    ['read before write', 'ld M[0]\nret a', 'CBPF_MEM_UNINIT'],
    ['written on one path only', 'ld #1\njeq #1, w, r\nw: st M[2]\nr: ld M[2]\nret a', 'CBPF_MEM_UNINIT'],
  ];
  for (const [name, text, code] of table) {
    it(name, () => {
      const got = codes(text);
      if (code === null) expect(got).toEqual([]);
      else expect(got).toContain(code);
    });
  }

  it('accepts memory written on every path', () => {
    expect(codes('ld #1\njeq #1, a, b\na: st M[2]\nja r\nb: st M[2]\nr: ld M[2]\nret a')).toEqual([]);
  });
  it('treats code after a ret as reached from it, code after a jump only from its jumps (as the kernel does)', () => {
    expect(codes('ret #0\nld M[3]\nret a')).toEqual(['CBPF_MEM_UNINIT']);
    expect(codes('ld #0\nja l\nld M[3]\nl: ret #0')).toEqual([]);
  });
  it('reports uninitialised reads alongside other issues', () => {
    expect(codes('ld M[0]\nlsh #40\nret a').sort()).toEqual(['CBPF_MEM_UNINIT', 'CBPF_SHIFT_RANGE']);
  });
  it('checks unused fields only when asked (canonical)', () => {
    expect(codes('2,0 1 0 5,6 0 0 0')).toEqual([]);
    expect(codes('2,0 1 0 5,6 0 0 0', { canonical: true })).toEqual(['CBPF_BAD_FIELDS']);
  });
  it('accepts known ancillary loads of every size', () => {
    expect(codes('ld #proto\nldh #vlan_tci\nldb #rand\nret a')).toEqual([]);
  });
  it('length limit', () => {
    const long = `${'ld #1\n'.repeat(4096)}ret a`;
    expect(codes(long)).toContain('CBPF_TOO_LONG');
    expect(codes(long, { maxInsns: 5000 })).toEqual([]);
  });
  it('non-strict keeps only the libpcap rules', () => {
    expect(codes('ld #1\nlsh #40\nld M[0]\nret a', { strict: false })).toEqual([]);
    expect(codes('3,6 0 0 0,5 0 0 4294967294,6 0 0 0', { strict: false })).toEqual([]);
    expect(codes('2,5 0 0 4294967295,6 0 0 0', { strict: false })).toEqual(['CBPF_BACKWARD_JUMP']);
  });
  it('assertValid throws a UserError naming the pc and instruction', () => {
    try {
      assertValid(parseProgram('ld #1\ndiv #0\nret a'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).code).toBe('CBPF_DIV_ZERO');
      expect((e as UserError).message).toContain("instruction 1 'div #0'");
    }
  });
});

describe('libpcap output is valid', () => {
  it('every tsv program passes the strict rules, except protochain backward jumps', () => {
    const rows = readFileSync(join(goldenDir, 'tcpdump-listings.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { expr: string; tsv: string; optimize: unknown });
    const bad: string[] = [];
    for (const r of rows) {
      const prog = parseProgram(r.tsv);
      expect(validate(prog, { maxInsns: 1 << 20, strict: false })).toEqual([]);
      const issues = validate(prog, { maxInsns: 1 << 20 }).filter((i) => !(i.code === 'CBPF_BACKWARD_JUMP' && r.expr.includes('protochain')));
      if (issues.length > 0) bad.push(`${r.expr} (opt=${r.optimize}): ${issues[0]!.message}`);
    }
    expect(bad).toEqual([]);
  });
});
