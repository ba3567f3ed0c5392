/**
 * Compile work grows linearly with the expression. The optimizer and the emitter count their
 * elementary steps (blocks visited, chain links followed, layout passes) in a Work counter
 * (src/filter/optimize/work.ts); these tests compile lists of 1,000, 2,000 and 4,000 terms and
 * check that doubling the list at most doubles the steps (plus a small slack), that the number of
 * optimizer rounds and layout passes does not grow at all, and that the program itself grows
 * linearly. Counts, not wall time: the test means the same on a loaded machine.
 */
import { describe, expect, it } from 'vitest';
import { buildCfg, emit } from '../../src/filter/index.ts';
import { topoOrder } from '../../src/filter/cfg.ts';
import { tableResolver } from '../../src/filter/names.ts';
import { optimize } from '../../src/filter/optimize/index.ts';
import { newWork } from '../../src/filter/optimize/work.ts';

const ip4 = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const LISTS: Record<string, (i: number) => string> = {
  'host': (i) => `host ${ip4(i)}`,
  'ether host': (i) => `ether host 0:0:0:${((i >> 16) & 255).toString(16)}:${((i >> 8) & 255).toString(16)}:${(i & 255).toString(16)}`,
  'ip6 host': (i) => `host 2001:db8::${i.toString(16)}`,
  'port': (i) => `port ${i + 1}`,
  'net': (i) => `net 10.${(i >> 8) & 255}.${i & 255}.0/24`,
};

function measure(term: (i: number) => string, n: number) {
  const text = Array.from({ length: n }, (_, i) => term(i)).join(' or ');
  const cfg = buildCfg(text, { linkType: 1, snaplen: 262144, optimize: true, resolver: tableResolver({}) });
  const blocks = topoOrder(cfg.root).length;
  const work = newWork();
  const prog = emit(optimize(cfg, work), work);
  return { blocks, work, insns: prog.length };
}

describe('compile work is linear in the list length', () => {
  for (const [name, term] of Object.entries(LISTS)) {
    it(`${name} lists of 1,000 / 2,000 / 4,000 terms`, () => {
      const [a, b, c] = [1000, 2000, 4000].map((n) => measure(term, n));
      for (const [small, big] of [[a!, b!], [b!, c!]] as const) {
        // The lowered graph doubles, and so may the work on it — no more.
        expect(big.blocks).toBeLessThanOrEqual(2 * small.blocks + 8);
        expect(big.work.steps, `${name}: steps ${small.work.steps} → ${big.work.steps}`).toBeLessThanOrEqual(2.1 * small.work.steps);
        expect(big.work.rounds).toBe(small.work.rounds);
        expect(big.work.layouts).toBeLessThanOrEqual(small.work.layouts + 1);
        expect(big.insns).toBeLessThanOrEqual(2 * small.insns + 8);
      }
      // Steps per lowered block stay a small constant.
      expect(c!.work.steps / c!.blocks).toBeLessThan(40);
    });
  }
});
