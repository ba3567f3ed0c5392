/**
 * Loops whose abstract walk cannot converge are refused after a few iterations, not after the
 * step limit (issue 12; src/runtime/verifier/loops.ts). Time-free: the work counter a refusal
 * carries (VerifierError.steps) and the verdicts are compared with a concrete run of the loop.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/ebpf/asm.ts';
import { VerifierError, verify, xdpHook } from '../../src/runtime/verifier/index.ts';
import type { HookSpec } from '../../src/runtime/verifier/index.ts';
import { firstHit, solveLinear } from '../../src/runtime/verifier/loops.ts';
import { Rng } from '../tools/random-ebpf.ts';

function refusal(src: string, hook: HookSpec = xdpHook()): VerifierError {
  try {
    verify(assemble(src), hook);
  } catch (e) {
    expect(e).toBeInstanceOf(VerifierError);
    return e as VerifierError;
  }
  throw new Error(`expected a refusal of:\n${src}`);
}

describe('verifier: loops that never converge are refused at once', () => {
  it('a counter that steps over its exit value (the fuzz finding: += 2^29 until == 1)', () => {
    const e = refusal('mov %r0, 0\nl:\nadd %r0, 0x20000000\njne %r0, 1, l\nexit');
    expect(e.rule).toBe('unbounded-loop');
    expect(e.message).toMatch(/pc 1: add %r0, 0x20000000: loop at pc 1 does not terminate: .* r0 \+= 536870912/);
    expect(e.steps).toBeLessThan(20);
  });
  it('32-bit counters wrap at 2^32 and are compared zero-extended', () => {
    // w0 -= 7 from 0 is 4294967289, 4294967282, …: always > -5 as a signed 64-bit number.
    const e = refusal('mov %r0, 0\nl:\nadd32 %r0, -7\njsgt %r0, -5, l\nexit');
    expect(e.message).toMatch(/does not terminate: .*r0 -= 7 \(32-bit\)/);
    expect(e.steps).toBeLessThan(20);
  });
  it('a counter no test reads, in a loop whose way out is a fork (xdp-adversarial, seed 12, #8)', () => {
    // r2 & 15 stays in [0, 15]; the exit is explored on its own path and the loop path repeats
    // with r0 counting up forever: the walk could never finish (the kernel's 1M limit refuses it).
    const e = refusal('ldxw %r2, [%r1+16]\nsub %r2, 1\nmov %r0, 0\nl:\njeq %r2, 0, out\nadd %r0, 1\nand %r2, 15\nja l\nout:\nexit');
    expect(e.rule).toBe('unbounded-loop');
    expect(e.message).toMatch(/loop at pc 3 does not terminate: every iteration runs the same 4 instructions with only r0 \+= 1/);
    expect(e.steps).toBeLessThan(40);
  });
  it('a loop that would end, but after more iterations than the step limit allows', () => {
    const e = refusal('mov %r0, 0\nl:\nadd %r0, 1\njlt %r0, 1000000, l\nexit');
    expect(e.message).toMatch(/not provably bounded: more than 400000 instructions would be processed: the loop at pc 1 runs 999997 more iterations of 2 instructions \(r0 \+= 1\)/);
    expect(e.steps).toBeLessThan(20);
    // Two counters, a 32-bit compare.
    const e2 = refusal('mov %r0, 0\nmov %r3, 5\nl:\nadd %r0, 3\nadd %r3, -1\njlt32 %r0, 3000000, l\nexit');
    expect(e2.message).toMatch(/runs 999997 more iterations of 3 instructions \(r0 \+= 3, r3 -= 1\)/);
    expect(e2.steps).toBeLessThan(30);
  });
});

describe('verifier: loops the walk finishes are accepted as before', () => {
  it('counted loops: the same steps as the plain walk', () => {
    expect(verify(assemble('mov %r0, 0\nl:\nadd %r0, 1\njlt %r0, 10000, l\nexit'), xdpHook()).stats.steps).toBe(1 + 2 * 10000 + 1);
    expect(verify(assemble('mov %r0, 0\nl:\nadd %r0, 3\njne %r0, 30000, l\nexit'), xdpHook()).stats.steps).toBe(1 + 2 * 10000 + 1);
  });
  it('a loop another path has walked is pruned where they meet, so its own length does not refuse it', () => {
    // The fall-through path starts the counter at 400 and walks 600 iterations; the other path
    // starts at 0 and needs 1,000 on its own (2,000 steps: over the 3,000-step budget with the
    // first path's 1,200), but it is pruned at 400 after 400.
    const src = 'ldxw %r2, [%r1+16]\nmov %r0, 0\njeq %r2, 0, l\nmov %r0, 400\nl:\nadd %r0, 1\njlt %r0, 1000, l\nexit';
    const v = verify(assemble(src), { ...xdpHook(), maxSteps: 3000 });
    expect(v.stats.steps).toBeLessThanOrEqual(3000);
  });
  it('a loop whose counter is used as an address is walked as before', () => {
    // The counter indexes the stack: no forecast, the walk follows it to its end.
    const src = 'mov %r1, -64\nl:\nmov %r3, %r10\nadd %r3, %r1\nstdw [%r3], 0\nadd %r1, 8\njslt %r1, 0, l\nmov %r0, 0\nexit';
    expect(verify(assemble(src), xdpHook()).stats.steps).toBeGreaterThan(8 * 5);
  });
});

describe('verifier: identical iterations are skipped, exactly', () => {
  it('a 100,000-iteration loop (xdp-adversarial, seed 12, #139) is accepted with the steps of the full walk, storing a handful of states', () => {
    const v = verify(assemble('mov %r0, 0\nl:\nadd %r0, 1\njlt %r0, 100000, l\nmov %r9, 2\nexit'), xdpHook());
    expect(v.stats.steps).toBe(1 + 2 * 100_000 + 2);
    expect(v.stats.states).toBeLessThan(10);
  });
  it('facts about the skipped values are dropped: a counter crossing 2^32 has no known high half', () => {
    const v = verify(assemble('lddw %r0, 0xfffff000\nlddw %r2, 0x100001000\nl:\nadd %r0, 1\njlt %r0, %r2, l\nmov %r0, 0\nexit'), xdpHook());
    expect(v.stats.states).toBeLessThan(10);
    expect(v.stats.steps).toBe(2 + 2 * 0x2000 + 2);
    expect(v.highHalves.get(4)?.[0]).toBeUndefined();
    expect(v.highHalves.get(4)?.[2]).toBeUndefined();
  });
  it('iterations that fork are walked: the fork where the counter is 600 is refused', () => {
    const src = 'ldxw %r2, [%r1+16]\nmov %r0, 0\nl:\njeq %r2, 5, side\nadd %r0, 1\njlt %r0, 1000, l\nmov %r0, 0\nexit\nside:\njne %r0, 600, ok\nldxdw %r0, [%r10-8]\nok:\nmov %r0, 0\nexit';
    const e = refusal(src);
    expect(e.rule).toBe('stack-uninit');
    // The same program without the bad read is accepted.
    expect(verify(assemble(src.replace('ldxdw %r0, [%r10-8]', 'mov %r0, 1')), xdpHook()).stats.steps).toBeGreaterThan(1000);
  });
  it('iterations whose pointer arithmetic checks the counter are walked: the offset leaves ±2^29 at iteration 512', () => {
    const e = refusal('mov %r0, 0\nl:\nmov %r3, %r10\nadd %r3, %r0\nadd %r0, 0x100000\njlt %r0, 0x40000000, l\nexit');
    expect(e.rule).toBe('ptr-arith');
    expect(e.message).toMatch(/value 536870912 makes fp pointer be out of bounds/);
  });
});

describe('verifier: a counter against an invariant range', () => {
  const down = (n: number) => `ldxw %r2, [%r1+16]\nmov %r0, ${n}\nl:\nadd %r0, -1\njlt %r0, %r2, l\nexit`;
  it('r0 counts down while below r2 in [n + 1, 2^32 - 1]: walked or skipped, the steps are 2n + 6', () => {
    // n ≤ 5 are walked whole (too short to forecast); longer ones are skipped after a few.
    for (const n of [3, 4, 5, 10, 1000, 100_000]) {
      const v = verify(assemble(down(n)), xdpHook());
      expect(v.stats.steps, String(n)).toBe(2 * n + 6);
      if (n >= 1000) expect(v.stats.states).toBeLessThan(10);
    }
  });
  it('xdp-adversarial (seed 12) #557: 5.7 million iterations are refused at once', () => {
    const e = refusal(down(0x570000));
    expect(e.message).toMatch(/not provably bounded: .* runs 5701629 more iterations of 2 instructions \(r0 -= 1\) before pc 3 behaves differently/);
    expect(e.steps).toBeLessThan(30);
  });
});

describe('verifier: a pointer moved by a constant every iteration', () => {
  it('xdp-adversarial (seed 12) #1001: a packet pointer stepped by 1 in a loop that only exits through a fork is refused at once', () => {
    // r2 = data; loop: if r2 > 20 exit (a pointer against a number: always a fork); r2 += 1; r0 += 1.
    // The offset would only change behaviour beyond 2^40 (it becomes variable there).
    const e = refusal('ldxw %r2, [%r1]\nmov %r0, 0\nl:\njgt %r2, 20, out\nadd %r2, 1\nadd %r0, 1\nja l\nout:\nexit');
    expect(e.message).toMatch(/not provably bounded: .* runs 1099511627774 more iterations of 4 instructions \(r0 \+= 1, r2 \+= 1\)/);
    expect(e.steps).toBeLessThan(40);
  });
  it('a loop reading through the stepped pointer is walked as before', () => {
    const src = 'ldxw %r2, [%r1]\nldxw %r3, [%r1+4]\nmov %r0, 0\nmov %r4, %r2\nadd %r4, 64\njgt %r4, %r3, out\nmov %r7, 0\nl:\nldxb %r5, [%r2]\nadd %r0, %r5\nadd %r2, 1\nadd %r7, 1\njlt %r7, 64, l\nout:\nmov %r0, 0\nexit';
    expect(verify(assemble(src), xdpHook()).stats.steps).toBeGreaterThan(64 * 5);
    // One byte further and the walk finds the read past the proven 64 bytes.
    expect(refusal(src.replace('jlt %r7, 64', 'jlt %r7, 65')).rule).toBe('pkt-access');
  });
});

describe('verifier: counter forecasts agree with running the loop', () => {
  const ops = ['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle', 'jsgt', 'jsge', 'jslt', 'jsle'] as const;
  const exitsAfter = (start: bigint, stride: bigint, wide: boolean, op: string, k: bigint, cmpWide: boolean, limit: number): number | null => {
    let x = start;
    for (let n = 1; n <= limit; n++) {
      x = wide ? BigInt.asUintN(64, x + stride) : BigInt.asUintN(32, x + stride);
      const bits = cmpWide ? 64 : 32;
      const a = BigInt.asUintN(bits, x), b = BigInt.asUintN(bits, k);
      const sa = BigInt.asIntN(bits, x), sb = BigInt.asIntN(bits, k);
      const t = op === 'jeq' ? a === b : op === 'jne' ? a !== b : op === 'jgt' ? a > b : op === 'jge' ? a >= b : op === 'jlt' ? a < b : op === 'jle' ? a <= b
        : op === 'jsgt' ? sa > sb : op === 'jsge' ? sa >= sb : op === 'jslt' ? sa < sb : sa <= sb;
      if (!t) return n; // the jump back is not taken: the loop ends after n iterations
    }
    return null;
  };
  it('random counting loops: accepted exactly when the concrete loop ends within the step budget', () => {
    const rng = new Rng(12);
    const maxSteps = 600;
    let accepted = 0, early = 0;
    for (let c = 0; c < 400; c++) {
      const start = rng.below(2) ? BigInt(rng.below(400)) : BigInt.asUintN(64, BigInt(rng.below(1 << 30)) << BigInt(rng.below(34)));
      const strides = [1, 2, 3, -1, -2, 7, 1 << 29, -(1 << 20), 0x40000000];
      const stride = strides[rng.below(strides.length)]!;
      const wide = rng.below(2) === 0;
      const cmpWide = rng.below(2) === 0;
      const op = ops[rng.below(ops.length)]!;
      const k = rng.below(3) === 0 ? -rng.below(300) : rng.below(400);
      const startLo = wide ? start : BigInt.asUintN(32, start);
      const src = `lddw %r0, ${startLo}\nl:\n${wide ? 'add' : 'add32'} %r0, ${stride}\n${op}${cmpWide ? '' : '32'} %r0, ${k}, l\nexit`;
      const iters = exitsAfter(startLo, BigInt(stride), wide, op, BigInt(k), cmpWide, maxSteps);
      // The walk: lddw, then 2 steps an iteration, then exit.
      const walkOk = iters !== null && 1 + 2 * iters + 1 <= maxSteps;
      let ok = true;
      try {
        verify(assemble(src), { ...xdpHook(), maxSteps });
      } catch (e) {
        expect(e, src).toBeInstanceOf(VerifierError);
        const ve = e as VerifierError;
        expect(['unbounded-loop', 'infinite-loop'], `${src}\n${ve.message}`).toContain(ve.rule);
        if (ve.steps < maxSteps / 2) early++;
        ok = false;
      }
      expect(ok, `${src}\nconcrete: ${iters} iterations`).toBe(walkOk);
      if (ok) accepted++;
    }
    // Both kinds are exercised, and most refusals come early.
    expect(accepted).toBeGreaterThan(40);
    expect(early).toBeGreaterThan(100);
  });
  it('firstHit and solveLinear match a brute-force search modulo 256', () => {
    const rng = new Rng(7);
    const n = 256n;
    for (let c = 0; c < 3000; c++) {
      const e = BigInt(1 + rng.below(255));
      const a = BigInt(rng.below(256));
      const b = a + BigInt(rng.below(256 - Number(a)));
      let y0 = BigInt(rng.below(256));
      if (y0 >= a && y0 <= b) {
        if (a === 0n && b === 255n) continue;
        y0 = b === 255n ? a - 1n : b + 1n;
      }
      let brute: bigint | null = null;
      for (let m = 1n; m <= 256n; m++) {
        const y = (y0 + m * e) % n;
        if (y >= a && y <= b) { brute = m; break; }
      }
      const h = firstHit(y0, e, n, a, b);
      // Exact answers are the first hit (null: never); lower bounds never exceed it.
      if (h === null) expect(brute, `${y0} ${e} [${a},${b}]`).toBeNull();
      else if (h.exact) expect(h.m, `${y0} ${e} [${a},${b}]`).toBe(brute);
      else if (brute !== null) expect(h.m).toBeLessThanOrEqual(brute);
      const t = BigInt(rng.below(256));
      const s = solveLinear(e, t, n);
      let bs: bigint | null = null;
      for (let m = 1n; m <= 256n; m++) if ((m * e) % n === t) { bs = m; break; }
      expect(s, `${e}·m ≡ ${t}`).toBe(bs);
    }
  });
});

describe('verifier: more loops the walk could never finish (xdp-adversarial, seed 12)', () => {
  it('#3912: a counter compared with a pointer forks every time, whatever its value: it never terminates', () => {
    // r2 = ctx->data_meta (a pointer): the walker compares without narrowing anything.
    const e = refusal('ldxw %r2, [%r1+8]\nmov %r0, 0\nl:\nadd %r0, 1\njlt %r0, %r2, l\nexit');
    expect(e.message).toMatch(/loop at pc 2 does not terminate: every iteration runs the same 2 instructions with only r0 \+= 1/);
    expect(e.steps).toBeLessThan(20);
  });
  it('#9611: a second counter that no test reads may change by anything (r0 += r1)', () => {
    const e = refusal('mov %r0, 0\nmov %r1, 0\nl:\nadd %r0, %r1\nadd %r1, 1\njlt %r1, -1, l\nand %r0, 1\nexit');
    expect(e.message).toMatch(/runs 18446744073709551610 more iterations of 3 instructions \(r1 \+= 1, r0 changing untested\) before pc 4/);
    expect(e.steps).toBeLessThan(30);
  });
  it('the same loops that end within the limit are walked to their end', () => {
    // 1,000 iterations of 3 instructions: accepted, every step walked (no skipping: r0 is not affine).
    expect(verify(assemble('mov %r0, 0\nmov %r1, 0\nl:\nadd %r0, %r1\nadd %r1, 1\njlt %r1, 1000, l\nand %r0, 1\nexit'), xdpHook()).stats.steps).toBe(2 + 3 * 1000 + 2);
    // Once a test reads r0 it is no longer free: the walk decides (r0 passes 10,000 at r1 = 142).
    expect(verify(assemble('mov %r0, 0\nmov %r1, 0\nl:\nadd %r0, %r1\nadd %r1, 1\njgt %r0, 10000, out\njlt %r1, -1, l\nout:\nexit'), xdpHook()).stats.steps).toBeLessThan(1000);
  });
});
