/**
 * The random-program generator (test/tools/random-ebpf.ts) on its own: determinism, structure,
 * and the claim that every program it makes is one the Linux verifier accepts. Static checks run
 * everywhere; the verifier check needs the kernel oracle (skipped with a reason without root,
 * bpf() or gcc, and failing instead under CI=true).
 */
import { describe, expect, it } from 'vitest';
import { randomProgram, randomPrograms, Rng } from '../tools/random-ebpf.ts';
import { kernelOrSkip } from '../tools/kernel-oracle.ts';
import { decodeProgram, encodeProgram } from '../../src/isa/ebpf/codec.ts';

const SEED = 0x5eed_2026;

/** Decodes the fields the structural checks need from one 8-byte slot. */
function slot(prog: Uint8Array, pc: number) {
  const v = new DataView(prog.buffer, prog.byteOffset + pc * 8, 8);
  return { code: v.getUint8(0), dst: v.getUint8(1) & 0xf, src: v.getUint8(1) >> 4, off: v.getInt16(2, true), imm: v.getInt32(4, true) };
}

describe('random eBPF generator', () => {
  it('is a pure function of (seed, index, options)', () => {
    const a = randomProgram(SEED, 17), b = randomProgram(SEED, 17);
    expect(a.prog).toEqual(b.prog);
    expect(a.mem).toEqual(b.mem);
    expect(randomProgram(SEED, 18).prog).not.toEqual(a.prog);
    expect(randomProgram(SEED + 1, 17).prog).not.toEqual(a.prog);
  });

  it('mulberry32 stays in range and is not constant', () => {
    const r = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const x = r.below(10);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(10);
      seen.add(x);
    }
    expect(seen.size).toBe(10);
  });

  it('emits forward in-range jumps and calls (backward only for loops), never writes r10, ends in exit', () => {
    for (const p of randomPrograms(SEED, 300)) {
      const n = p.prog.length / 8;
      expect(slot(p.prog, n - 1).code).toBe(0x95);
      for (let pc = 0; pc < n; pc++) {
        const s = slot(p.prog, pc);
        if (s.code === 0x18) { pc++; continue; } // lddw: skip its second slot
        const cls = s.code & 7;
        if ((cls === 5 || cls === 6) && s.code !== 0x95) {
          const rel = s.code === 0x06 || s.code === 0x85 ? s.imm : s.off; // gotol and call local: offset in imm
          // Backward only as a loop's back-edge: `jne c, 0, <back>`.
          if (rel < 0) expect([s.code, s.imm], `${p.index} pc ${pc}: back-edge`).toEqual([0x55, 0]);
          expect(pc + 1 + rel, `${p.index} pc ${pc}`).toBeGreaterThanOrEqual(0);
          expect(pc + 1 + rel, `${p.index} pc ${pc}`).toBeLessThan(n);
        }
        if (cls === 4 || cls === 7 || cls === 1) expect(s.dst, `${p.index} pc ${pc}`).not.toBe(10);
        if ((cls === 4 || cls === 7) && (s.code & 0xf0) >= 0x60 && (s.code & 0xf0) <= 0x70 && (s.code & 8) === 0) {
          expect(s.imm).toBeLessThan(cls === 7 ? 64 : 32); // immediate shifts stay below the width
        }
      }
    }
  });

  it('covers every instruction family it promises', () => {
    const codes = new Set<number>();
    const offs = new Set<string>();
    for (const p of randomPrograms(SEED, 200)) {
      for (let pc = 0; pc < p.prog.length / 8; pc++) {
        const s = slot(p.prog, pc);
        codes.add(s.code);
        if ((s.code & 0xf0) === 0x30 || (s.code & 0xf0) === 0x90 || (s.code & 0xf0) === 0xb0) offs.add(`${s.code}:${s.off}`);
      }
    }
    const want: [string, number][] = [
      ['add64 K', 0x07], ['add32 X', 0x0c], ['div64 X', 0x3f], ['mod32 K', 0x94], ['arsh64 X', 0xcf], ['neg32', 0x84],
      ['le', 0xd4], ['be', 0xdc], ['bswap', 0xd7], ['lddw', 0x18], ['ldxb', 0x71], ['ldxdw', 0x79], ['ldxsh', 0x89],
      ['stb', 0x72], ['stxw', 0x63], ['atomic dw', 0xdb], ['atomic w', 0xc3], ['jeq K', 0x15], ['jsgt X', 0x6d],
      ['jlt32 K', 0xa6], ['jset32 X', 0x4e], ['ja', 0x05], ['gotol', 0x06], ['call local', 0x85], ['jne K (loop)', 0x55],
    ];
    for (const [name, code] of want) expect(codes.has(code), name).toBe(true);
    for (const key of ['63:1', '151:1', '191:8', '191:32', '188:16']) expect(offs.has(key), `sdiv/smod/movsx ${key}`).toBe(true);
    // Pointer arithmetic: copies of r10 and r9, moved by a register (the masked index).
    const listings = randomPrograms(SEED, 200).flatMap((p) => p.listing);
    for (const re of [/mov r\d, r10$/, /mov r\d, r9$/, /add r\d, r\d$/, /and r\d, 0x18$/]) {
      expect(listings.some((l) => re.test(l)), String(re)).toBe(true);
    }
  });

  it("produces encodings that tsdump's decoder knows (no raw insns) and re-encodes bit-exactly", () => {
    // Independent of the kernel: the generator writes bytes by hand, the codec reads the table.
    for (const p of randomPrograms(SEED, 300)) {
      const prog = decodeProgram(p.prog);
      const raw = prog.filter((i) => i.kind === 'raw');
      expect(raw, `#${p.index}\n${p.listing.join('\n')}`).toEqual([]);
      expect(encodeProgram(prog)).toEqual(p.prog);
    }
  });

  it('makes programs the kernel verifier accepts (all of them)', ({ skip }) => {
    const k = kernelOrSkip(skip);
    const progs = randomPrograms(SEED, 500);
    const res = k.run(progs.map((p) => ({ prog: p.prog, mem: p.mem })), 'xdp');
    const bad = res.flatMap((o, i) => (o.kind === 'ok' ? [] : [`#${i}: ${o.kind === 'reject' ? o.reason : o.message}\n${progs[i]!.listing.join('\n')}`]));
    expect(bad.slice(0, 1)).toEqual([]);
    // cpu v3 programs (no v4 instructions) are accepted as well.
    const v3 = randomPrograms(SEED, 100, { cpu: 3 });
    const res3 = k.run(v3.map((p) => ({ prog: p.prog, mem: p.mem })), 'xdp');
    expect(res3.filter((o) => o.kind !== 'ok').length).toBe(0);
  });
});
