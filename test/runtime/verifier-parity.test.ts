/**
 * The verifier against the kernel's on the rules of verifier-parity-cases.ts (alignment, context
 * access sizes, JMP32 and signed bounds): each case must get the verdict the table states, and
 * that verdict must agree (accept vs reject) with the kernel's, read from committed data
 * (test/fixtures/verifier/parity-kernel-verdicts.jsonl, regenerated with root by
 * test/tools/gen-verifier-parity-verdicts.ts). No kernel is needed to run this test.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { socketFilterHook, tcHook, VerifierError, verify, xdpHook } from '../../src/runtime/verifier/index.ts';
import type { HookSpec } from '../../src/runtime/verifier/index.ts';
import { parityBytes, PARITY_CASES } from './verifier-parity-cases.ts';
import type { ParityHook } from './verifier-parity-cases.ts';

const file = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/verifier/parity-kernel-verdicts.jsonl');
const kernel = new Map(
  readFileSync(file, 'utf8').trim().split('\n').map((l) => {
    const r = JSON.parse(l) as { name: string; hook: string; program_hex: string; kernel: string; reason?: string };
    return [r.name, r] as const;
  }),
);
const HOOKS: Record<ParityHook, () => HookSpec> = { xdp: () => xdpHook(), socket_filter: () => socketFilterHook(), sched_cls: () => tcHook() };

function ours(bytes: Uint8Array, hook: HookSpec): string {
  try {
    verify(bytes, hook);
    return 'ok';
  } catch (e) {
    if (e instanceof VerifierError) return e.rule;
    throw e;
  }
}

describe('verifier parity with the kernel: alignment, context sizes, 32-bit and signed bounds', () => {
  it('has a kernel verdict for every case, for the same bytes and hook', () => {
    for (const c of PARITY_CASES) {
      const k = kernel.get(c.name);
      expect(k, `${c.name}: no kernel verdict, regenerate with test/tools/gen-verifier-parity-verdicts.ts`).toBeDefined();
      expect(k!.program_hex, `${c.name}: program changed, regenerate the kernel verdicts`).toBe(Buffer.from(parityBytes(c)).toString('hex'));
      expect(k!.hook).toBe(c.hook);
    }
  });
  it('covers both verdicts in every group', () => {
    for (const prefix of ['stack', 'xdp ctx', 'socket ctx', 'tc ctx', 'jmp32', 'signed']) {
      const group = PARITY_CASES.filter((c) => c.name.startsWith(prefix));
      expect(group.some((c) => c.expect === 'ok'), prefix).toBe(true);
      expect(group.some((c) => c.expect !== 'ok'), prefix).toBe(true);
    }
  });
  it.each(PARITY_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = ours(parityBytes(c), HOOKS[c.hook]());
    expect(got).toBe(c.expect);
    const k = kernel.get(c.name)!;
    expect(k.kernel === 'accept', `kernel: ${k.kernel} (${k.reason ?? ''}), tsdump: ${got}`).toBe(got === 'ok');
  });
});
