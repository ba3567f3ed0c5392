/**
 * The structured JIT's compare regions (src/runtime/jit/compare-sets.ts) and its batch
 * specialization (src/runtime/jit/js.ts): a search tree over one register becomes a hash probe,
 * and a block whose arrays come back call after call runs code compiled with those arrays as
 * constants. Both must select exactly what the classic interpreter selects: packets carry every
 * key, its neighbours, the probe table's EMPTY value, 0 and 0xffffffff, and blocks are rewritten
 * in place between calls (same arrays, new contents) so a specialization that kept stale data
 * would show.
 */
import { describe, expect, it } from 'vitest';
import { createPacketFilter } from '../../src/pipeline.ts';
import { compile } from '../../src/filter/index.ts';
import { convert } from '../../src/convert/index.ts';
import { Machine } from '../../src/runtime/semantics-memory.ts';
import { prepare } from '../../src/runtime/semantics-program.ts';
import { compareRegions, probeTable, threadedTargets } from '../../src/runtime/jit/compare-sets.ts';
import { createInterpreter } from '../../src/cbpf/interpret.ts';
import { createPacketBlock, type PacketBlock } from '../../src/runtime/batch.ts';
import { ENGINE_NAMES } from '../../src/runtime/index.ts';

const ip = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

/** An Ethernet/IPv4/UDP packet from src to dst (ports sport/dport). */
function udp(src: number, dst: number, sport = 1000, dport = 2000): Uint8Array {
  const p = new Uint8Array(14 + 20 + 8 + 4);
  const v = new DataView(p.buffer);
  v.setUint16(12, 0x0800);
  p[14] = 0x45;
  v.setUint16(16, 20 + 8 + 4);
  p[23] = 17;
  v.setUint32(26, src >>> 0);
  v.setUint32(30, dst >>> 0);
  v.setUint16(34, sport);
  v.setUint16(36, dport);
  return p;
}

/** Fills `block` in place (its arrays keep their identity) with `packets`. */
function fill(block: PacketBlock, packets: readonly Uint8Array[]): void {
  let at = 0;
  for (const [i, p] of packets.entries()) {
    block.buf.set(p, at);
    block.offsets[i] = at;
    block.caplens[i] = p.length;
    block.wirelens[i] = p.length;
    at += p.length;
  }
  block.count = packets.length;
}

interface Case { label: string; expression: string; values: number[]; packet: (v: number) => Uint8Array }

function hostCase(label: string, keys: number[], qual = 'host'): Case {
  return { label, expression: keys.map((k) => `${qual} ${ip(k)}`).join(' or '), values: keys, packet: (v) => udp(v, 0x01020304) };
}

const random = rng(0xc0ffee);
const scattered = Array.from({ length: 1000 }, () => (0xac100000 + (random() & 0xfffff)) >>> 0);
const cases: Case[] = [
  hostCase('even hosts 0.0.0.0–0.0.0.78 (the table EMPTY value, 1, sits between keys)', Array.from({ length: 40 }, (_, i) => 2 * i)),
  hostCase('1,000 scattered hosts', [...new Set(scattered)]),
  hostCase('hosts at the top of the range', Array.from({ length: 30 }, (_, i) => (0xffffffff - 3 * i) >>> 0), 'src host'),
  {
    label: '40 destination ports',
    expression: Array.from({ length: 40 }, (_, i) => `udp dst port ${i * 7}`).join(' or '),
    values: Array.from({ length: 40 }, (_, i) => i * 7),
    packet: (v) => udp(0x0a000001, 0x0a000002, 5, v & 0xffff),
  },
];

describe('compare regions', () => {
  it('finds one region per tree of a 1,000-host list, with exactly the listed keys', () => {
    const keys = [...new Set(scattered)];
    const prog = compile(keys.map((k) => `host ${ip(k)}`).join(' or '), { linkType: 1, snaplen: 262144, optimize: true });
    const conv = convert(prog, { hook: 'tc' });
    const p = prepare(conv.prog, new Machine({}));
    const regions = [...compareRegions(p).values()];
    // ip src, ip dst, arp/rarp src and dst: each a tree over the whole list.
    expect(regions.length).toBe(4);
    const want = keys.map((k) => k | 0).sort((a, b) => a - b);
    for (const r of regions) expect([...r.keys].sort((a, b) => a - b)).toEqual(want);
    // Threading never moves a jump backwards.
    const t = threadedTargets(p);
    for (let i = 0; i < t.length; i++) if (t[i]! >= 0) expect(t[i]!).toBeGreaterThan(i);
  });

  it('builds probe tables that hold every key once and an EMPTY value outside the set', () => {
    for (const keys of [[0, 1, 2, 3], [5], Array.from({ length: 1000 }, (_, i) => i * 3 - 1500)]) {
      const { table, empty, bits } = probeTable(Int32Array.from(keys));
      expect(table.length).toBe(1 << bits);
      expect(keys.includes(empty)).toBe(false);
      expect([...table].filter((v) => v !== empty).sort((a, b) => a - b)).toEqual([...keys].sort((a, b) => a - b));
    }
  });

  for (const c of cases) {
    it(`selects what the classic interpreter selects: ${c.label}`, () => {
      const prog = compile(c.expression, { linkType: 1, snaplen: 262144, optimize: true });
      const ref = createInterpreter(prog);
      const conv = convert(prog, { hook: 'tc' });
      const p = prepare(conv.prog, new Machine({}));
      expect(compareRegions(p).size).toBeGreaterThan(0);
      const probes: number[] = [];
      const { empty } = probeTable(Int32Array.from([...compareRegions(p).values()][0]!.keys));
      for (const v of c.values) probes.push(v, v + 1, v - 1);
      probes.push(empty, 0, 0xffffffff, 1, 0x80000000, 0x7fffffff);
      for (let i = 0; i < 200; i++) probes.push(random());
      const packets = probes.map((v) => c.packet(v >>> 0));
      const f = createPacketFilter({ program: prog, engine: 'ebpf-jit' });
      const block = createPacketBlock(packets.length);
      block.buf = new Uint8Array(packets.reduce((n, x) => n + x.length, 0));
      const verdicts = new Int32Array(packets.length);
      // Rounds rewrite the same block in place (reversed, then rotated): the first calls run the
      // generic code, later ones the specialized copy.
      for (let round = 0; round < 5; round++) {
        const order = round % 2 === 0 ? packets : [...packets].reverse();
        const rotated = order.slice(round).concat(order.slice(0, round));
        fill(block, rotated);
        f.runBatch(block, verdicts);
        rotated.forEach((pkt, i) => {
          const want = ref(pkt, pkt.length, pkt.length) !== 0;
          if (f.accepts(verdicts[i]!) !== want) expect.fail(`round ${round}, packet ${i}: batch says ${verdicts[i]}, the interpreter ${want}`);
          if (f.matches(pkt, 0, pkt.length, pkt.length) !== want) expect.fail(`round ${round}, packet ${i}: run disagrees`);
        });
      }
    });
  }

  it('keeps verdicts right when the block arrays change after a specialization', () => {
    const prog = compile('udp dst port 53 or host 10.0.0.1', { linkType: 1, snaplen: 262144, optimize: true });
    const ref = createInterpreter(prog);
    const f = createPacketFilter({ program: prog, engine: 'ebpf-jit' });
    const r = rng(7);
    // 12 distinct blocks, each used 3 times: more than the specializations one program keeps.
    for (let b = 0; b < 12; b++) {
      const packets = Array.from({ length: 64 }, () => udp(r() % 3 === 0 ? 0x0a000001 : r(), r(), r() & 0xffff, r() % 4 === 0 ? 53 : r() & 0xffff));
      const block = createPacketBlock(64);
      block.buf = new Uint8Array(64 * packets[0]!.length);
      const verdicts = new Int32Array(64);
      for (let k = 0; k < 3; k++) {
        fill(block, k === 1 ? [...packets].reverse() : packets);
        f.runBatch(block, verdicts);
        const order = k === 1 ? [...packets].reverse() : packets;
        order.forEach((pkt, i) => expect(f.accepts(verdicts[i]!)).toBe(ref(pkt, pkt.length, pkt.length) !== 0));
      }
    }
  });

  it('runBatch returns the number of verdicts the hook accepts, on every engine and hook', () => {
    const r = rng(99);
    const packets = Array.from({ length: 300 }, () => udp(r() % 5 === 0 ? 0x0a000001 : r(), r(), r() & 0xffff, r() % 3 === 0 ? 53 : r() & 0xffff));
    const block = createPacketBlock(packets.length);
    block.buf = new Uint8Array(packets.length * packets[0]!.length);
    fill(block, packets);
    const verdicts = new Int32Array(packets.length);
    for (const expression of ['udp dst port 53 or host 10.0.0.1', 'not ip6', 'tcp']) {
      const prog = compile(expression, { linkType: 1, snaplen: 262144, optimize: true });
      const ref = createInterpreter(prog);
      const want = packets.filter((p) => ref(p, p.length, p.length) !== 0).length;
      for (const engine of ['cbpf', ...ENGINE_NAMES.map((e) => `ebpf-${e}`)] as const) {
        for (const hook of ['tc', 'xdp', 'socket'] as const) {
          const f = createPacketFilter({ program: prog, engine: engine as never, hook: engine === 'cbpf' ? undefined : hook });
          for (let k = 0; k < 3; k++) {
            const got = f.runBatch(block, verdicts);
            let counted = 0;
            for (let i = 0; i < packets.length; i++) if (f.accepts(verdicts[i]!)) counted++;
            expect(`${expression} ${engine}/${hook}: ${got}`).toBe(`${expression} ${engine}/${hook}: ${want}`);
            expect(counted).toBe(want);
          }
        }
      }
    }
  });
});
