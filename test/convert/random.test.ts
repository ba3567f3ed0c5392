/**
 * Seeded random differential test: random classic programs (the validator-clean set of
 * test/cbpf/random-programs.ts and the wild set of ./random-programs.ts, with loops, unknown
 * opcodes, jumps off the end, uninitialised scratch reads) converted for every hook (socket, xdp,
 * tc) and run on every eBPF engine, one packet at a time and as a block (the batch path), must
 * return what the reference interpreter returns.
 */
import { describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/index.ts';
import { loadConverted } from '../../src/pipeline.ts';
import { createInterpreter } from '../../src/cbpf/interpret.ts';
import { formatDDDLine } from '../../src/isa/cbpf/format.ts';
import { ENGINE_NAMES } from '../../src/runtime/index.ts';
import { randomCases, RANDOM_SEED } from '../cbpf/random-programs.ts';
import { HOOKS, expectedAt, loopBudgetDifference, packetBlockOf } from './support.ts';
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
        // The batch path too: the case's packets as one block of one buffer.
        const block = packetBlockOf(c.packets, hook);
        const batch = new Int32Array(block.count);
        run.runBatch(block, batch);
        c.packets.forEach((p, i) => {
          const wirelen = hook === 'xdp' ? p.data.length : p.wirelen;
          const value = ref(p.data, p.data.length, wirelen);
          const want = expectedAt(hook, value);
          for (const [how, got] of [['single', run.run(p.data, 0, p.data.length, wirelen)], ['batch', batch[i]! >>> 0]] as const) {
            if (got !== want && loopBudgetDifference(c.prog, hook, got, value)) { budgetDifferences++; continue; }
            if (got !== want && failures.length < 5) failures.push(`${hook}/${engine} ${how} ${formatDDDLine(c.prog)} on ${p.data.length} bytes (wirelen ${wirelen}): got ${got}, want ${want}`);
          }
        });
      }
    }
  }
  return failures;
}

describe('toEbpf random differential', () => {
  it('validator-clean random programs (test/cbpf/random-programs.ts)', () => {
    const cases = randomCases(RANDOM_SEED, 1500).map((c) => ({ prog: c.prog, packets: [{ data: c.packet, wirelen: c.wirelen }] }));
    expect(check(cases)).toEqual([]);
  }, 300_000);

  it('wild random programs: loops, unknown opcodes, jumps off the end, M[16+], division by 0', () => {
    const cases = wildCases(WILD_SEED, 1500);
    // the generator really produces the hard shapes
    expect(cases.some((c) => c.prog.some((i) => i.code === 0x05 && (i.k | 0) < 0))).toBe(true);
    expect(check(cases)).toEqual([]);
    // Loop-budget differences are rare: a few runaway loops at most, never the norm.
    if (budgetDifferences) console.log(`random: ${budgetDifferences} packet runs differ only by the loop budget (one side returned 0)`);
    expect(budgetDifferences).toBeLessThan(cases.length);
  }, 300_000);
});
