/**
 * The verifier on random programs from test/tools/random-ebpf.ts, whose generator is checked
 * against the Linux verifier (random-ebpf.test.ts): every one of them is a program the kernel
 * accepts, so ours must accept it too — in the conformance hook and with kernel strictness (bounded
 * loops only, no RFC-only immediates, no callx). Then robustness: byte-mutated programs must either
 * verify or be refused with a VerifierError/UserError, never crash the verifier.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { conformanceHook, verify } from '../../src/runtime/verifier/index.ts';
import type { HookSpec } from '../../src/runtime/verifier/index.ts';
import { randomPrograms, Rng } from '../tools/random-ebpf.ts';

const SEED = 0x7e51f1e5;
const strict: HookSpec = { ...conformanceHook(), rfcSemantics: false, loops: 'bounded', callx: false };

describe('verifier on random kernel-accepted programs', () => {
  const progs = randomPrograms(SEED, 400);
  it('accepts all of them, in the conformance hook and with kernel strictness', () => {
    const rejected: string[] = [];
    for (const [i, p] of progs.entries()) {
      for (const hook of [conformanceHook(), strict]) {
        try {
          verify(p.prog, hook);
        } catch (e) {
          rejected.push(`seed ${SEED} index ${i} (${hook.loops}): ${(e as Error).message}`);
        }
      }
    }
    expect(rejected).toEqual([]);
  });

  it('never crashes on byte-mutated programs', () => {
    const rng = new Rng(SEED);
    // Mutants of looping programs may loop forever; a small step limit keeps this test fast.
    const hook: HookSpec = { ...strict, maxSteps: 20_000 };
    let accepted = 0;
    let refused = 0;
    for (let n = 0; n < 1500; n++) {
      const prog = progs[n % progs.length]!.prog.slice();
      for (let k = 0, flips = 1 + rng.below(3); k < flips; k++) prog[rng.below(prog.length)] = rng.u32() & 0xff;
      try {
        verify(prog, hook);
        accepted++;
      } catch (e) {
        if (!(e instanceof UserError)) throw new Error(`mutant ${n} crashed the verifier: ${(e as Error).stack}`);
        expect(e.message).toMatch(/^verifier: (pc \d+: .+: )?\S/);
        refused++;
      }
    }
    // Both outcomes occur: mutations hit data bytes (still valid) and opcodes/registers (refused).
    expect(accepted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(300);
  });
});
