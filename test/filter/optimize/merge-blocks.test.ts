/** Pass "merge-blocks" alone: identical blocks (same code, same successors) become one. */
import { describe, expect, it } from 'vitest';
import { mergeBlocks } from '../../../src/filter/optimize/merge-blocks.ts';
import { beforeAfter, disagreements } from '../helpers/equiv.ts';
import { newBlock, RET_K } from '../../../src/filter/cfg.ts';
import type { Block } from '../../../src/filter/cfg.ts';
import { emit } from '../../../src/filter/emit.ts';
import { JEQ_K, ldb } from '../../../src/filter/insn.ts';

describe('merge-blocks', () => {
  it('merges identical blocks with identical successors, bottom-up', () => {
    // root: ldb [0] == 1 ? A : B, where A and B are both `ldb [1] == 2 ? ret 9 : ret 0`
    // built separately (two ret #9 and two ret #0 blocks too).
    const mk = (): Block => {
      const b = newBlock([ldb(1)], JEQ_K, 2);
      b.jt = newBlock([], RET_K, 9); b.jf = newBlock([], RET_K, 0);
      return b;
    };
    const root = newBlock([ldb(0)], JEQ_K, 1);
    root.jt = mk(); root.jf = mk();
    const merged = mergeBlocks({ prologue: [], root });
    expect(merged.root.jt).toBe(merged.root.jf);
    // ldb [0] (its jump has one target: falls through), ldb [1], jeq, ret #9, ret #0
    expect(emit({ prologue: [], root }).length).toBe(5);
  });
  it('keeps verdicts', () => {
    for (const e of ['tcp port 80 or udp port 80', 'host 10.0.0.1 and host 10.0.0.1', 'vlan 1 or vlan 1']) {
      const { before, after } = beforeAfter(e, mergeBlocks);
      expect(disagreements(before, after)).toEqual([]);
    }
  });
});
