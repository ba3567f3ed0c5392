/**
 * Deterministic random classic-BPF programs and packets for differential testing against
 * libpcap 1.10.3's bpf_filter (golden libpcap-random.json, made by test/tools/gen-cbpf-golden.ts)
 * and, later, between engines.
 *
 * Technique: a seeded xorshift PRNG picks opcode-table rows and operands biased toward the
 * edges (offsets around the packet end, 0x7fffffff/0x80000000/0xffffffff, shift counts near 32,
 * small divisors); jumps are forward and inside the program, and the last instruction returns.
 * Only programs the strict validator accepts (apart from constant shifts >= 32, where 1.10.3's
 * x86-64 behaviour is pinned) are kept, so libpcap never hits undefined behaviour. The same seed
 * always gives the same programs; `digestOf` lets the test notice if the generator changed
 * without the golden being regenerated.
 */
import type { CbpfInsn, CbpfProgram } from '../../src/isa/cbpf/types.ts';
import { OPCODES, usesOf, type OpcodeRow } from '../../src/isa/cbpf/opcodes.ts';
import { formatDDDLine } from '../../src/isa/cbpf/format.ts';
import { validate } from '../../src/cbpf/validate.ts';

export interface RandomCase { prog: CbpfProgram; packet: Uint8Array; wirelen: number }

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

const EDGE_K = [0, 1, 2, 3, 4, 7, 8, 12, 14, 15, 16, 20, 23, 31, 32, 33, 40, 63, 64, 0xff, 0x800, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

function pickK(next: () => number, row: OpcodeRow): number {
  const s = row.shape;
  if ((s.kind === 'load' && s.mode === 'mem') || s.kind === 'store') return next() % 16;
  if (s.kind === 'alu' && (s.op === 'div' || s.op === 'mod')) return 1 + (next() % 9);
  if (s.kind === 'load' && (s.mode === 'abs' || s.mode === 'ind' || s.mode === 'msh')) return next() % 4 === 0 ? EDGE_K[next() % EDGE_K.length]! : next() % 72;
  const r = next() % 3;
  return r === 0 ? next() >>> 0 : r === 1 ? EDGE_K[next() % EDGE_K.length]! : next() % 100;
}

const ROWS = OPCODES;

function randomProgram(next: () => number): CbpfProgram {
  const len = 2 + (next() % 24);
  const prog: CbpfInsn[] = [];
  for (let pc = 0; pc < len - 1; pc++) {
    const row = ROWS[next() % ROWS.length]!;
    const u = usesOf(row.shape);
    const left = len - pc - 1; // instructions after this one
    const k = u.k ? pickK(next, row) : 0;
    if (row.shape.kind === 'ja') { prog.push({ code: row.code, jt: 0, jf: 0, k: next() % left }); continue; }
    prog.push({ code: row.code, jt: u.jumps ? next() % Math.min(left, 256) : 0, jf: u.jumps ? next() % Math.min(left, 256) : 0, k });
  }
  prog.push(next() % 2 ? { code: 0x16, jt: 0, jf: 0, k: 0 } : { code: 0x06, jt: 0, jf: 0, k: next() % 3 === 0 ? 0 : next() >>> 0 });
  return prog;
}

/** `count` cases from `seed`: each a valid program and a packet (0..80 bytes, wirelen >= caplen). */
export function randomCases(seed: number, count: number): RandomCase[] {
  const next = rng(seed);
  const out: RandomCase[] = [];
  while (out.length < count) {
    const prog = randomProgram(next);
    const issues = validate(prog).filter((i) => i.code !== 'CBPF_SHIFT_RANGE');
    if (issues.length > 0) continue;
    const caplen = next() % 81;
    const packet = new Uint8Array(caplen);
    for (let i = 0; i < caplen; i++) packet[i] = next() % 4 === 0 ? 0 : next() & 0xff;
    out.push({ prog, packet, wirelen: caplen + (next() % 3 === 0 ? next() % 1500 : 0) });
  }
  return out;
}

/** FNV-1a over the cases' text form, to detect a generator change. */
export function digestOf(cases: readonly RandomCase[]): string {
  let h = 0x811c9dc5;
  for (const c of cases) {
    const text = `${formatDDDLine(c.prog)}|${Buffer.from(c.packet).toString('hex')}|${c.wirelen}\n`;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export const RANDOM_SEED = 20261124;
export const RANDOM_COUNT = 20000;

/**
 * Programs for checking the validator against the kernel's classic-BPF checker: like
 * randomCases' programs but mutated so that about half break some rule (unknown opcodes,
 * jumps past the end, M[16+], division by 0, shifts >= 32, unknown ancillary offsets,
 * uninitialised scratch reads, unused fields set, no final return, bad lengths).
 */
export function randomValidatorPrograms(seed: number, count: number): CbpfProgram[] {
  const next = rng(seed);
  const out: CbpfProgram[] = [[], Array.from({ length: 4096 }, () => ({ code: 6, jt: 0, jf: 0, k: 0 })), Array.from({ length: 4097 }, () => ({ code: 6, jt: 0, jf: 0, k: 0 }))];
  while (out.length < count) {
    const prog = randomProgram(next).map((i) => ({ ...i }));
    const mutations = next() % 3; // 0, 1 or 2 mutations
    for (let m = 0; m < mutations; m++) {
      const pc = next() % prog.length;
      const insn = prog[pc]!;
      switch (next() % 9) {
        case 0: insn.code = next() % 256; break; // maybe unknown
        case 1: insn.jt = next() % 256; insn.jf = next() % 256; break; // maybe past the end / unused fields
        case 2: insn.k = 14 + (next() % 6); break; // M[14..19] if a memory op
        case 3: insn.k = 0; break; // division by 0 if a div
        case 4: insn.k = 28 + (next() % 8); break; // shift count near 32
        case 5: insn.code = [0x20, 0x28, 0x30, 0x40][next() % 4]!; insn.k = (0xfffff000 + (next() % 80)) >>> 0; insn.jt = 0; insn.jf = 0; break; // ancillary
        case 6: insn.code = [0x60, 0x61][next() % 2]!; insn.k = next() % 16; insn.jt = 0; insn.jf = 0; break; // scratch read
        case 7: prog.pop(); if (prog.length === 0) prog.push({ code: 0, jt: 0, jf: 0, k: 0 }); break; // maybe no final ret
        case 8: insn.code = 0x05; insn.k = next() % 2 ? 0xffffffff - (next() % 4) : next() % 40; insn.jt = 0; insn.jf = 0; break; // ja backward / far
      }
    }
    out.push(prog);
  }
  return out;
}

export function digestOfPrograms(progs: readonly CbpfProgram[]): string {
  return digestOf(progs.map((prog) => ({ prog, packet: new Uint8Array(0), wirelen: 0 })));
}
