/**
 * Compare chains as search trees (src/convert/sets.ts): the lowering on its own (clusters,
 * ranges, first match wins), the shapes the planner finds in compiled host and port lists, and
 * a differential: the original classic program on the reference interpreter against its
 * translation, trees included, for every hook on every eBPF engine, one packet at a time and as
 * a block. Programs: compiled host lists of 8, 100 and 1,000 addresses (contiguous and
 * scattered), src/dst/ARP host lists, port lists, mixed lists, and seeded random chains written
 * in classic BPF (./sets-cases.ts); packets plant the constants and their neighbours and come
 * cut at every length around the fields, so each load's bounds check and the guard are hit.
 */
import { describe, expect, it } from 'vitest';
import { convert, type ConvertHook } from '../../src/convert/index.ts';
import { analyze } from '../../src/convert/analysis.ts';
import { clustersOf, lowerTree, planCompareTrees, type TreePlan } from '../../src/convert/sets.ts';
import { createInterpreter } from '../../src/cbpf/interpret.ts';
import { formatDDDLine } from '../../src/isa/cbpf/format.ts';
import type { CbpfProgram } from '../../src/isa/cbpf/types.ts';
import { ENGINE_NAMES } from '../../src/runtime/index.ts';
import { loadConverted } from '../../src/pipeline.ts';
import { HOOKS, expectedAt, packetBlockOf } from './support.ts';
import { chainCases, listPackets, listPrograms, type ChainCase } from './sets-cases.ts';

const SEED = 0x5e75;

function plan(prog: CbpfProgram, hook: ConvertHook): TreePlan {
  return planCompareTrees(analyze(prog, hook === 'socket' ? undefined : 0xffff), prog.length, { directPacket: hook !== 'socket' });
}

/**
 * Runs the case on every hook and engine (single and batch) against the reference; returns the
 * first few mismatches.
 */
function differential(c: ChainCase, engines = ENGINE_NAMES): string[] {
  const failures: string[] = [];
  const ref = createInterpreter(c.prog);
  // xdp and tc both as actions (pass/drop) and as the cBPF value, which shows A at every return.
  const modes = HOOKS.flatMap((hook): { hook: ConvertHook; value: boolean }[] => (hook === 'socket' ? [{ hook, value: true }] : [{ hook, value: false }, { hook, value: true }]));
  for (const { hook, value } of modes) {
    const conv = convert(c.prog, { hook, xdpResult: value ? 'value' : 'action' });
    for (const engine of engines) {
      const run = loadConverted(conv, hook, { engine });
      const block = packetBlockOf(c.packets, hook);
      const batch = new Int32Array(block.count);
      run.runBatch(block, batch);
      c.packets.forEach((p, i) => {
        const wirelen = hook === 'xdp' ? p.data.length : p.wirelen;
        const v = ref(p.data, p.data.length, wirelen);
        const want = value ? v : expectedAt(hook, v);
        for (const [how, got] of [['single', run.run(p.data, 0, p.data.length, wirelen)], ['batch', batch[i]! >>> 0]] as const) {
          if (got !== want && failures.length < 5) {
            failures.push(`${c.label} ${hook}${value ? ' (value)' : ''}/${engine} ${how} on ${p.data.length} bytes [${[...p.data.subarray(0, 48)].join(',')}]: got ${got}, want ${want}\n  ${formatDDDLine(c.prog).slice(0, 400)}`);
          }
        }
      });
    }
  }
  return failures;
}

describe('compare trees: lowering', () => {
  it('merges consecutive constants with one target into ranges; the first jeq of a constant decides', () => {
    expect(clustersOf([[5, 1], [3, 1], [4, 1], [9, 2], [10, 1], [5, 7]])).toEqual([
      { lo: 3, hi: 5, target: 1 }, { lo: 9, hi: 9, target: 2 }, { lo: 10, hi: 10, target: 1 },
    ]);
  });

  it('a contiguous block of 1,000 constants is two compares; 1,000 scattered ones a tree of depth ~log2', () => {
    const range = lowerTree({ clusters: [{ lo: 0xac140000, hi: 0xac1403e7, target: 9 }], miss: 10, far: false });
    // if A < lo → miss; if A <= hi → hit; goto miss
    expect(range.map((i) => (i.kind === 'jmp' ? i.op : i.kind))).toEqual(['jlt', 'jle', 'ja']);
    const scattered = clustersOf(Array.from({ length: 1000 }, (_, i) => [(Math.imul(i + 1, 0x9e3779b1) >>> 0), 9] as [number, number]));
    expect(scattered.length).toBe(1000);
    const tree = lowerTree({ clusters: scattered, miss: 10, far: false });
    // every jump goes forward, and unsigned 32-bit compares only
    for (const i of tree) if (i.kind === 'jmp') expect(['jeq', 'jge', 'jlt', 'jle', 'jgt']).toContain(i.op);
    // The longest path: count compares on the way by walking the tree for each constant and a miss.
    // The tree starts with the envelope check on r1: r1 = A - min; if r1 > max - min: miss.
    expect(tree.slice(0, 3).map((i) => i.kind)).toEqual(['alu', 'alu', 'jmp']);
    const walk = (a: number): { to: number; steps: number } => {
      let pc = 0, steps = 0, r1 = 0;
      for (;;) {
        const i = tree[pc]!;
        steps++;
        if (i.kind === 'alu' && 'imm' in i) { r1 = (r1 - i.imm) >>> 0; pc++; continue; } // r1 -= min
        if (i.kind === 'alu') { r1 = a; pc++; continue; } // r1 = A
        if (i.kind === 'ja') return { to: i.off, steps }; // lowerTree reports cBPF targets in `off`
        if (i.kind !== 'jmp' || !('imm' in i)) throw new Error('unexpected');
        const k = i.imm >>> 0;
        const v = i.dst === 1 ? r1 : a;
        const taken = i.op === 'jeq' ? v === k : i.op === 'jge' ? v >= k : i.op === 'jlt' ? v < k : i.op === 'jgt' ? v > k : v <= k;
        if (!taken) { pc++; continue; }
        if (i.op === 'jge' || i.dst === 1) { pc += 1 + i.off; continue; } // the tree's own jumps
        return { to: i.off, steps };
      }
    };
    let worst = 0;
    for (const c of scattered) {
      const r = walk(c.lo);
      expect(r.to).toBe(9);
      worst = Math.max(worst, r.steps);
      expect(walk((c.lo + 1) >>> 0).to).toBe(scattered.some((d) => d.lo === ((c.lo + 1) >>> 0)) ? 9 : 10);
    }
    expect(worst).toBeLessThanOrEqual(15); // the envelope (3), log2(1000 / 3) splits, a leaf of 3, its final goto
    // Outside the constants' span: the envelope decides in 3 instructions and one stub goto.
    expect(walk(0)).toEqual({ to: 10, steps: 4 });
    expect(walk(0xffffffff)).toEqual({ to: 10, steps: 4 });
  });
});

describe('compare trees: shapes found', () => {
  const lists = listPrograms();
  const byLabel = new Map(lists.map((l) => [l.label, l]));

  it('host and port lists of libpcap\'s shape become trees; short lists stay linear', () => {
    for (const label of ['host list 1000 (contiguous)', 'host list 1000 (scattered)', 'host list 100 (scattered)', 'port list 50', 'arp host list 30']) {
      const p = byLabel.get(label)!;
      for (const hook of HOOKS) {
        const pl = plan(p.prog, hook);
        expect(pl.trees.size + pl.guarded.size, `${label} ${hook}`).toBeGreaterThan(0);
      }
    }
    const eight = plan(byLabel.get('host list 8 (scattered)')!.prog, 'tc');
    expect([...eight.trees.values()].every((t) => t.compares >= 8)).toBe(true);
    const few = compileShort();
    expect(plan(few, 'tc').trees.size).toBe(0);
  });

  it('the 1,000-host list translates to a small program: its chains are gone, not kept beside the trees', () => {
    const p = byLabel.get('host list 1000 (contiguous)')!;
    for (const hook of HOOKS) {
      const withTrees = convert(p.prog, { hook }).prog.length;
      const linear = convert(p.prog, { hook, compareTrees: false }).prog.length;
      expect(withTrees, hook).toBeLessThan(linear / 10);
    }
  });

  it('random chains exercise both shapes (one value; fields taking turns behind a guard)', () => {
    const cases = chainCases(SEED, 300);
    let one = 0, fields = 0;
    for (const c of cases) {
      const pl = plan(c.prog, 'tc');
      one += pl.trees.size;
      fields += pl.guarded.size;
    }
    expect(one).toBeGreaterThan(20);
    expect(fields).toBeGreaterThan(10);
  });
});

/** A two-compare chain (`ether proto` style): below the threshold, it stays linear. */
function compileShort(): CbpfProgram {
  return [
    { code: 0x28, jt: 0, jf: 0, k: 12 }, // ldh [12]
    { code: 0x15, jt: 2, jf: 0, k: 0x800 }, // jeq #0x800
    { code: 0x15, jt: 1, jf: 0, k: 0x806 }, // jeq #0x806
    { code: 0x06, jt: 0, jf: 0, k: 0 }, // ret #0
    { code: 0x06, jt: 0, jf: 0, k: 1 }, // ret #1
  ];
}

describe('compare trees: differential against the reference interpreter', () => {
  it('compiled host, port and ARP lists (8, 100, 1,000 addresses) on every hook and engine', () => {
    const failures: string[] = [];
    let n = 0;
    for (const p of listPrograms()) {
      const packets = listPackets(p.addrs, p.ports, SEED + n++, p.prog.length > 2000 ? 120 : 60);
      failures.push(...differential({ label: p.label, prog: p.prog, packets }));
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('seeded random chains: runs, fields taking turns, reloads, [x + k], trampolines, several targets, ret a', () => {
    const failures: string[] = [];
    for (const c of chainCases(SEED, 160)) failures.push(...differential(c));
    expect(failures.slice(0, 5)).toEqual([]);
  }, 600_000);
});
