/**
 * Where the kernel oracle itself is wrong, pinned as minimal programs. Each case states the
 * RFC 9669 result (worked out by hand in the comment), checks that every tsdump engine gives it,
 * and reports whether this machine's kernel still has the bug. The kernel's answer is not
 * asserted beyond "the correct value or the documented wrong one": kernels with the fix pass too.
 *
 * Found by the random differential test (random-differential.test.ts): seed 100, cpu v3 options,
 * program 850 disagreed with the kernel, and a greedy shrink (replace instructions with `ja +0`
 * while the disagreement persists) plus the verifier's level-2 log led to these programs.
 *
 * The bug: the verifier's precision backtracking treated an atomic fetch (fetch_add/or/and/xor,
 * xchg, cmpxchg) as a plain store, so the register it writes (src, or r0 for cmpxchg) did not pass
 * precision on to the stack slot it read. Two states that differ only in that slot's range then
 * count as equivalent, one path is pruned, and a branch on the fetched value is proven one-sided
 * and rewritten into `goto`. Fixed upstream by commit 179ee84a8911 ("bpf: Fix incorrect pruning
 * due to atomic fetch precision tracking", 2026-04-01).
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/ebpf/asm.ts';
import { encodeProgram } from '../../src/isa/ebpf/codec.ts';
import { ENGINE_NAMES, load } from '../../src/runtime/index.ts';
import { kernelOrSkip } from '../tools/kernel-oracle.ts';
import type { WrapMode } from '../tools/kernel-oracle.ts';

interface KnownBug {
  name: string;
  asm: string;
  mem: Uint8Array;
  /** The RFC 9669 result. */
  expect: bigint;
  /** What a kernel with the bug returns. */
  buggy: bigint;
  /** The wrapper mode in which 6.18.44 shows the bug (path exploration order depends on it). */
  mode: WrapMode;
}

// mem[24..32] = 15: a value the verifier cannot know (it comes from memory).
const mem = new Uint8Array(64);
mem[24] = 15;

const cases: KnownBug[] = [
  {
    // r8 = 15 (unknown to the verifier), spilled to fp-24. The `jlt r8, 100, +0` splits the
    // verifier's state on r8 (and on fp-24, which holds the same value) but not the execution.
    // fetch_add returns the old slot value 15 into r6; 15 > 99 is false, so r0 = 2.
    name: 'atomic fetch_add result',
    asm: `ldxdw %r8, [%r1+24]
stxdw [%r10-24], %r8
mov %r6, 0
jlt %r8, 100, +0
lock fetch add [%r10-24], %r6
mov %r0, 1
jgt %r6, 99, +1
mov %r0, 2
exit`,
    mem, expect: 2n, buggy: 1n, mode: 'syscall',
  },
  {
    // Same with xchg: r6 receives the old value 15, so again r0 = 2.
    name: 'atomic xchg result',
    asm: `ldxdw %r8, [%r1+24]
stxdw [%r10-24], %r8
mov %r6, 0
jlt %r8, 100, +0
lock xchg [%r10-24], %r6
mov %r0, 1
jgt %r6, 99, +1
mov %r0, 2
exit`,
    mem, expect: 2n, buggy: 1n, mode: 'syscall',
  },
  {
    // cmpxchg compares r0 (0) with the slot (15): unequal, so no store, and r0 = old value 15.
    // 15 > 99 is false: r1 stays 2, r0 = 2.
    name: 'atomic cmpxchg result (r0)',
    asm: `ldxdw %r8, [%r1+24]
stxdw [%r10-24], %r8
mov %r6, 0
mov %r0, 0
jlt %r8, 100, +0
lock cmpxchg [%r10-24], %r6
mov %r1, 1
jgt %r0, 99, +1
mov %r1, 2
mov %r0, %r1
exit`,
    mem, expect: 2n, buggy: 1n, mode: 'xdp',
  },
];

describe('known kernel verifier bugs (the oracle is wrong, tsdump is right)', () => {
  for (const c of cases) {
    it(`every tsdump engine: ${c.name} = ${c.expect}`, () => {
      for (const engine of ENGINE_NAMES) {
        expect(load(assemble(c.asm), { engine }).run64({ mem: c.mem.slice() }), engine).toBe(c.expect);
      }
    });

    it(`kernel: ${c.name} (reports whether this kernel has the bug)`, ({ skip }) => {
      const k = kernelOrSkip(skip);
      const [o] = k.run([{ prog: encodeProgram(assemble(c.asm)), mem: c.mem }], c.mode);
      expect(o!.kind).toBe('ok');
      if (o!.kind !== 'ok') return;
      const has = o!.r0 === c.buggy;
      console.log(`kernel ${k.info.release} (${c.mode}): ${c.name} = ${o!.r0} — ${has ? 'HAS the atomic-fetch pruning bug (fixed upstream by 179ee84a8911)' : 'correct'}`);
      expect([c.expect, c.buggy]).toContain(o!.r0);
    });
  }
});
