/**
 * The bpf_asm assembler and disassembler: golang.org/x/net/bpf's all-opcodes file (bpf_asm
 * source and its -ddd bytes, reference corpus), round trips through the disassembler and through
 * tcpdump -d listings (every golden listing assembles back to its program), and errors with
 * line and column.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, disassemble, formatD, formatDDDLine, parseProgram } from '../../../src/isa/cbpf/index.ts';
import { OPCODES, usesOf } from '../../../src/isa/cbpf/opcodes.ts';
import type { CbpfProgram } from '../../../src/isa/cbpf/types.ts';
import { UserError } from '../../../src/errors.ts';
import { corpusFile, goldenDir } from '../../cbpf/corpus-path.ts';

const asmFile = corpusFile('golang-net-bpf/all_instructions.txt');
const bpfFile = corpusFile('golang-net-bpf/all_instructions.bpf');

describe.skipIf(!asmFile || !bpfFile)('golang.org/x/net/bpf all_instructions', () => {
  it('assembles to exactly the bytes bpf_asm produced', () => {
    const prog = assemble(readFileSync(asmFile!, 'utf8'));
    const want = parseProgram(readFileSync(bpfFile!, 'utf8'));
    expect(prog.length).toBe(57);
    expect(formatDDDLine(prog)).toBe(formatDDDLine(want));
  });
});

const acceptFile = corpusFile('libpcap/filter_accept.jsonl');

describe.skipIf(!acceptFile)('libpcap HEAD listings (filter_accept.jsonl)', () => {
  it('assembles every listing, and reprints it identically except where 1.10.3 prints differently', () => {
    const rows = readFileSync(acceptFile!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { expr: string; expected: string | null })
      .filter((r): r is { expr: string; expected: string } => typeof r.expected === 'string');
    const differ: string[] = [];
    const norm = (t: string): string => t.replace(/ *; 0x[0-9a-f]+$/gm, '').replace(/ +$/gm, '').trimEnd(); // HEAD appends "; 0x<code>"
    for (const r of rows) {
      const ours = norm(formatD(assemble(r.expected))).split('\n');
      const head = norm(r.expected).split('\n');
      ours.forEach((line, i) => { if (line !== head[i]) differ.push(`${line} | ${head[i]}`); });
      expect(ours.length).toBe(head.length);
    }
    expect(rows.length).toBeGreaterThan(3000);
    // HEAD names 0x81 (X = wirelen) "ldx #pktlen"; libpcap 1.10.3, whose text we reproduce, prints "unimp 0x81".
    expect(differ).toEqual(['(039) unimp    0x81 | (039) ldx      #pktlen']);
  });
});

function asmError(src: string): UserError {
  try {
    assemble(src);
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected an assembler error');
}

describe('assembler', () => {
  it('handles labels, comments and both jump forms', () => {
    const prog = assemble(`
      /* IPv4 TCP? */
      ldh [12]            ; ethertype
      jeq #0x800, ip, drop // two targets
    ip: ldb [23]
      jeq #6, keep        ; one target (the false branch falls through)
    drop: ret #0
    keep: ret #0xffff
    `);
    expect(formatDDDLine(prog)).toBe('6,40 0 0 12,21 0 2 2048,48 0 0 23,21 1 0 6,6 0 0 0,6 0 0 65535');
  });
  it('encodes jne/jlt/jle as the inverse jumps and accepts %x, ldi, ldxb, numbers in every base', () => {
    expect(formatDDDLine(assemble('jne #1, a\njlt %x, a\njle #0b101, a, b\na: ret #010\nb: ldi #-1\nldxb 4*([0x0e]&0xf)\nret a')))
      .toBe('7,21 0 2 1,61 0 1 0,37 1 0 5,6 0 0 8,0 0 0 4294967295,177 0 0 14,22 0 0 0');
  });
  it('assembles Linux extensions as ancillary loads', () => {
    expect(formatDDDLine(assemble('ld #proto\nldh #vlan_tci\nldb #rand\nret a'))).toBe('4,32 0 0 4294963200,40 0 0 4294963244,48 0 0 4294963256,22 0 0 0');
  });
  it('reports errors with line and column', () => {
    let e = asmError('ld #1\n  frob #2\nret a');
    expect(e.code).toBe('CBPF_ASM');
    expect(e.message).toBe("line 2, column 3: unknown instruction 'frob'");
    expect(e.span).toEqual({ start: 2, end: 6 });
    expect(e.source).toBe('  frob #2');
    e = asmError('jeq #1, nowhere\nret a');
    expect(e.message).toBe("line 1, column 9: undefined label 'nowhere'");
    e = asmError('a: ret #0\njeq #1, a\nret a');
    expect(e.message).toContain('jump goes backwards');
    e = asmError(`jeq #1, far\n${'ret #0\n'.repeat(256)}far: ret #1`);
    expect(e.message).toContain('jump offset 256 is more than 255');
    e = asmError('ld [x + ]');
    expect(e.message).toBe("line 1, column 9: expected a number, found ']'");
    e = asmError('ld #0x1ffffffff');
    expect(e.message).toContain('bad number');
    e = asmError('a: ret #0\na: ret #1');
    expect(e.message).toContain("duplicate label 'a'");
  });
});

describe('round trips', () => {
  const listings = readFileSync(join(goldenDir, 'tcpdump-listings.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as { d?: string; ddd?: string });

  it('every tcpdump -d listing assembles back to its program', () => {
    let n = 0;
    for (const l of listings) {
      if (!l.d) continue;
      expect(formatDDDLine(assemble(l.d))).toBe(formatDDDLine(parseProgram(l.ddd!)));
      n++;
    }
    expect(n).toBeGreaterThan(1500);
  });

  it('every golden program disassembles to bpf_asm that assembles back', () => {
    for (const l of listings) {
      if (!l.ddd) continue;
      const p = parseProgram(l.ddd);
      expect(formatDDDLine(assemble(disassemble(p)))).toBe(formatDDDLine(p));
    }
  });

  it('assemble(disassemble(p)) = p for random valid-shaped programs', () => {
    const rowArb = fc.constantFrom(...OPCODES);
    const progArb = fc.array(fc.tuple(rowArb, fc.nat(0xffffffff), fc.nat(255), fc.nat(255)), { minLength: 1, maxLength: 30 })
      .map((items): CbpfProgram => items.map(([r, k, jt, jf], pc) => {
        const u = usesOf(r.shape);
        const left = items.length - pc - 1; // instructions after this one: keep jumps inside
        if (left === 0 && (u.jumps || r.shape.kind === 'ja')) return { code: 0x06, jt: 0, jf: 0, k }; // ret #k
        if (r.shape.kind === 'ja') return { code: r.code, jt: 0, jf: 0, k: left > 0 ? k % left : 0 };
        return { code: r.code, jt: u.jumps ? (left > 0 ? jt % left : 0) : 0, jf: u.jumps ? (left > 0 ? jf % left : 0) : 0, k: u.k ? k : 0 };
      }));
    fc.assert(fc.property(progArb, (p) => {
      expect(assemble(disassemble(p))).toEqual(p);
      expect(assemble(formatD(p).replace(/unimp.*/g, ''))).toBeDefined();
    }), { numRuns: 500 });
  });
});
