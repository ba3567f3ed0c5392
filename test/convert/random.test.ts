/**
 * Seeded random differential test: random classic programs (the validator-clean set of
 * test/cbpf/random-programs.ts and the wild set of ./random-programs.ts, with loops, unknown
 * opcodes, jumps off the end, uninitialised scratch reads) converted for both hooks and run on
 * every eBPF engine must return what the reference interpreter returns, packet by packet.
 */
import { describe, expect, it } from 'vitest';
import { convert, loadConverted } from '../../src/convert/index.ts';
import { createInterpreter } from '../../src/cbpf/interpret.ts';
import { formatDDDLine } from '../../src/isa/cbpf/format.ts';
import { ENGINE_NAMES } from '../../src/runtime/index.ts';
import { randomCases, RANDOM_SEED } from '../cbpf/random-programs.ts';
import { expectedAt, HOOKS, loopBudgetDifference } from './support.ts';
import { wildCases, type WildCase } from './random-programs.ts';

const WILD_SEED = 0xc0bf;

/** Packets where a loop ran into one side's budget (counted, reported, not failures). */
let budgetDifferences = 0;

function check(cases: readonly WildCase[]): string[] {
  const failures: string[] = [];
  for (const c of cases) {
    const ref = createInterpreter(c.prog);
    for (const hook of HOOKS) {
      const conv = convert(c.prog, { hook });
      for (const engine of ENGINE_NAMES) {
        const run = loadConverted(conv, hook, { engine });
        for (const p of c.packets) {
          const wirelen = hook === 'xdp' ? p.data.length : p.wirelen;
          const value = ref(p.data, p.data.length, wirelen);
          const want = expectedAt(hook, value);
          const got = run.run(p.data, 0, p.data.length, wirelen);
          if (got !== want && loopBudgetDifference(c.prog, hook, got, value)) { budgetDifferences++; continue; }
          if (got !== want && failures.length < 5) failures.push(`${hook}/${engine} ${formatDDDLine(c.prog)} on ${p.data.length} bytes (wirelen ${wirelen}): got ${got}, want ${want}`);
        }
      }
    }
  }
  return failures;
}

describe('toEbpf random differential', () => {
  it('validator-clean random programs (test/cbpf/random-programs.ts)', () => {
    const cases = randomCases(RANDOM_SEED, 4000).map((c) => ({ prog: c.prog, packets: [{ data: c.packet, wirelen: c.wirelen }] }));
    expect(check(cases)).toEqual([]);
  }, 60_000);

  it('wild random programs: loops, unknown opcodes, jumps off the end, M[16+], division by 0', () => {
    const cases = wildCases(WILD_SEED, 4000);
    // the generator really produces the hard shapes
    expect(cases.some((c) => c.prog.some((i) => i.code === 0x05 && (i.k | 0) < 0))).toBe(true);
    expect(check(cases)).toEqual([]);
    // Loop-budget differences are rare: a few runaway loops at most, never the norm.
    if (budgetDifferences) console.log(`random: ${budgetDifferences} packet runs differ only by the loop budget (one side returned 0)`);
    expect(budgetDifferences).toBeLessThan(cases.length);
  }, 60_000);
});
