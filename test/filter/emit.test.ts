/** Emission tests: long jumps get trampolines and every offset lands where the CFG says. */
import { describe, expect, it } from 'vitest';
import { emit } from '../../src/filter/emit.ts';
import { finish, newBlock, test as testFrag, or, orAll } from '../../src/filter/cfg.ts';
import { JEQ_K, ldb, ld } from '../../src/filter/insn.ts';
import { runCbpf } from './helpers/vm.ts';

describe('emit', () => {
  it('reaches far targets through ja trampolines, on both edges', () => {
    // (pkt[0] == 1 or a chain of 300 tests) : the first test's true edge is > 255 away.
    const chain = orAll(Array.from({ length: 300 }, (_, i) => testFrag([ld(4)], JEQ_K, 1000 + i)));
    const f = or(testFrag([ldb(0)], JEQ_K, 1), chain);
    const prog = emit(finish(f, 99, []));
    for (const insn of prog) expect(insn.jt <= 255 && insn.jf <= 255).toBe(true);
    const pkt = (b0: number, w: number): Uint8Array => Uint8Array.of(b0, 0, 0, 0, w >>> 24, (w >>> 16) & 255, (w >>> 8) & 255, w & 255);
    expect(runCbpf(prog, pkt(1, 0), 8)).toBe(99);
    expect(runCbpf(prog, pkt(0, 1000), 8)).toBe(99);
    expect(runCbpf(prog, pkt(0, 1299), 8)).toBe(99);
    expect(runCbpf(prog, pkt(0, 1300), 8)).toBe(0);
    expect(runCbpf(prog, pkt(2, 5), 8)).toBe(0);
  });
  it('emits unconditional edges as fall-through or ja', () => {
    const ret = newBlock([], 6, 7);
    const goto = newBlock([ldb(0)], JEQ_K, 0);
    goto.jt = ret; goto.jf = ret;
    const prog = emit({ prologue: [], root: goto });
    expect(prog).toEqual([{ code: 0x30, jt: 0, jf: 0, k: 0 }, { code: 6, jt: 0, jf: 0, k: 7 }]);
  });
});
