/**
 * Regression tests for the hardening issue's findings 5 and 7:
 *  - every attach path has a complete helper environment: a verified XDP program attached with
 *    attachXdp alone may call ktime, prandom, smp_processor_id and xdp_adjust_head/tail (which,
 *    without a frame to grow, return an error code instead of throwing a TypeError), and a
 *    verified program that stores into the packet runs as in the kernel (the bytes change);
 *  - one budget rule for every engine (src/runtime/index.ts): a loop of n taken back edges
 *    finishes with a budget of n and stops with EBPF_BUDGET with n - 1, on every engine alike.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { attachTc, attachXdp } from '../../src/hooks/index.ts';
import { assemble } from '../../src/isa/ebpf/asm.ts';
import { ENGINE_NAMES, load } from '../../src/runtime/index.ts';
import { tcHook, verify, xdpHook } from '../../src/runtime/verifier/index.ts';

describe('helper environment on every attach path', () => {
  it('ktime, prandom, smp_processor_id, xdp_adjust_head/tail run under attachXdp alone', () => {
    // r0 = XDP_PASS if every helper returned without throwing (values are not checked: clocks).
    const prog = assemble(`
mov %r6, %r1
call 5
call 7
call 8
mov %r1, %r6
mov %r2, 0
call 44
mov %r1, %r6
mov %r2, 0
call 65
mov %r0, 2
exit`);
    for (const engine of ENGINE_NAMES) {
      const run = attachXdp(load(verify(prog, xdpHook()), { engine }));
      expect(run(new Uint8Array(64), 0, 64), engine).toBe(2);
    }
  });

  it('a verified program that stores into the packet changes the bytes (XDP and tc)', () => {
    for (const engine of ENGINE_NAMES) {
      const xdp = assemble(`
ldxw %r2, [%r1]
ldxw %r3, [%r1+4]
mov %r0, 2
mov %r4, %r2
add %r4, 2
jgt %r4, %r3, out
stb [%r2+1], 0x5a
out:
exit`);
      const buf = new Uint8Array(8);
      expect(attachXdp(load(verify(xdp, xdpHook()), { engine }))(buf, 4, 4), engine).toBe(2);
      expect(buf[5], engine).toBe(0x5a);
      const tc = assemble(`
ldxw %r2, [%r1+76]
ldxw %r3, [%r1+80]
mov %r0, 0
mov %r4, %r2
add %r4, 2
jgt %r4, %r3, out
stb [%r2+1], 0x5b
out:
exit`);
      const buf2 = new Uint8Array(8);
      expect(attachTc(load(verify(tc, tcHook()), { engine })).run(buf2, 2, 4, 100), engine).toBe(0);
      expect(buf2[3], engine).toBe(0x5b);
    }
  });
});

describe('one budget rule', () => {
  // r0 = number of iterations: 10 taken back edges.
  const loop = assemble(`
mov %r0, 0
again:
add %r0, 1
jlt %r0, 11, again
exit`);
  const outcome = (engine: (typeof ENGINE_NAMES)[number], budget: number): string => {
    try {
      return String(load(loop, { engine, budget }).run());
    } catch (e) {
      if (e instanceof UserError) return e.code;
      throw e;
    }
  };
  it('every engine finishes with exactly as many units as taken back edges, and stops with one fewer', () => {
    for (const engine of ENGINE_NAMES) {
      expect(outcome(engine, 10), engine).toBe('11');
      expect(outcome(engine, 9), engine).toBe('EBPF_BUDGET');
    }
  });
  it('straight-line code costs nothing', () => {
    const straight = assemble(['mov %r0, 0', ...Array.from({ length: 50 }, () => 'add %r0, 1'), 'exit'].join('\n'));
    for (const engine of ENGINE_NAMES) expect(String(load(straight, { engine, budget: 0 }).run()), engine).toBe('50');
  });
});
