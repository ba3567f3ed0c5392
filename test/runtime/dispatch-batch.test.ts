/**
 * The batch form of the dispatch-loop generator (jitBatchSource, compileDispatchBatch in
 * src/runtime/jit/js.ts): the batch path of `jit-dispatch` and `jit64`, and of `jit` for programs
 * its structured form cannot run (back edges, local calls). At the hooks, verified and with the
 * hook's context fields folded to each packet's values: every packet's verdict must be the one
 * the interpreter gives that packet through the hook's single-packet `run`, on generated packets
 * (truncated captures, wire length ≠ captured length, IPv6 extension chains for protochain's
 * loop), and the batch form must really be the one running. The engine case table and the random
 * differential programs run through the same batch forms in engines/engines.test.ts and
 * random-differential.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/index.ts';
import { compile } from '../../src/filter/index.ts';
import { attachTc, TC_FOLD } from '../../src/hooks/tc.ts';
import { bindXdp, XDP_FOLD } from '../../src/hooks/xdp.ts';
import { assemble } from '../../src/isa/ebpf/asm.ts';
import { createPacketBlock } from '../../src/runtime/batch.ts';
import type { PacketBlock } from '../../src/runtime/batch.ts';
import { load, Machine } from '../../src/runtime/index.ts';
import type { EngineName } from '../../src/runtime/index.ts';
import { jitBatchSource, jitSource } from '../../src/runtime/jit/js.ts';
import { prepare } from '../../src/runtime/semantics-program.ts';
import { tcHook, verify, xdpHook } from '../../src/runtime/verifier/index.ts';
import { JS_BATCH_ENGINES } from './batch-harness.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

/** Ethernet + IPv4 or IPv6 (with a chain of `ext` extension headers) + TCP/UDP with random ports. */
function packet(r: () => number): Uint8Array {
  const v6 = r() % 3 === 0;
  const proto = r() % 2 === 0 ? 6 : 17;
  const ext = v6 ? r() % 4 : 0;
  const l3 = v6 ? 40 + 8 * ext : 20;
  const p = new Uint8Array(14 + l3 + 20 + (r() % 40));
  const d = new DataView(p.buffer);
  d.setUint16(12, v6 ? 0x86dd : 0x0800);
  if (v6) {
    p[14] = 0x60;
    p[20] = ext > 0 ? 0 : proto; // hop-by-hop first, then destination options
    for (let k = 0; k < ext; k++) p[14 + 40 + 8 * k] = k + 1 < ext ? 60 : proto;
  } else {
    p[14] = 0x45;
    p[23] = proto;
    d.setUint32(26, r() % 4 === 0 ? 0x0a000001 : r());
    d.setUint32(30, r());
  }
  d.setUint16(14 + l3, r() % 5 === 0 ? 80 : r() & 0xffff);
  d.setUint16(16 + l3, r() % 5 === 0 ? 53 : r() & 0xffff);
  p[14 + l3 + 13] = r() & 0x3f;
  return p;
}

function blockOf(pkts: Uint8Array[], snap: number): PacketBlock {
  const b = createPacketBlock(pkts.length);
  b.buf = new Uint8Array(pkts.reduce((a, p) => a + p.length + 3, 3));
  let at = 3;
  pkts.forEach((p, i) => {
    const cap = Math.min(p.length, snap);
    b.buf.set(p.subarray(0, cap), at);
    b.offsets[i] = at; b.caplens[i] = cap; b.wirelens[i] = p.length;
    at += cap + 3;
  });
  b.count = pkts.length;
  return b;
}

const EXPRS = [
  'tcp port 80', 'ip6', 'host 10.0.0.1', 'udp and dst port 53', 'len > 60', 'greater 80',
  'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn', 'ip6 protochain 17', 'ip protochain 6', 'ip6 protochain 6 or port 80',
];

describe('dispatch-loop batch form at the tc and XDP hooks', () => {
  const r = rng(7);
  const pkts = Array.from({ length: 200 }, () => packet(r));

  for (const hook of ['tc', 'xdp'] as const) {
    it(`${hook}: every packet gets the interpreter's verdict (jit, jit-dispatch, jit64; truncated and whole)`, () => {
      let checked = 0;
      for (const expression of EXPRS) {
        if (hook === 'xdp' && /len|greater/.test(expression)) continue; // XDP has no wire length
        const res = convert(compile(expression, { linkType: 1, snaplen: 262144, optimize: true }), { hook });
        const spec = hook === 'tc' ? tcHook(undefined, 'budget') : xdpHook(undefined, 'budget');
        const bind = hook === 'tc' ? attachTc : bindXdp;
        const fold = hook === 'tc' ? TC_FOLD : XDP_FOLD;
        const ref = bind(load(verify(res.prog, spec), { engine: 'interp' }));
        // Snapshot lengths that cut packets just before, at and after the bytes the filters
        // read (a data_end off by one shows there).
        for (const snap of [262144, 60, 38, 37, 36, 55, 54]) {
          const block = blockOf(pkts, snap);
          const want = Array.from({ length: block.count }, (_, i) => ref.run(block.buf, block.offsets[i]!, block.caplens[i]!, block.wirelens[i]!) >>> 0);
          if (snap > 1000) expect(new Set(want).size, `${expression}: both verdicts occur`).toBe(2);
          for (const engine of JS_BATCH_ENGINES) {
            const loaded = load(verify(res.prog, spec), { engine });
            const bound = bind(loaded);
            // The batch form runs (jit: its structured form for forward programs, the dispatch loop for protochain's).
            expect(loaded.batchRunner(bound.ctx, fold), `${engine} '${expression}' has a batch form`).toBeDefined();
            for (let k = 0; k < 2; k++) {
              const v = new Int32Array(block.count).fill(-9);
              const accepted = bound.runBatch(block, v);
              const got = Array.from(v, (x) => x >>> 0);
              expect(got, `${hook} ${engine} '${expression}' snap ${snap} call ${k}`).toEqual(want);
              expect(accepted).toBe(want.filter((x) => (hook === 'tc' ? x === 0 : x === 2)).length);
              checked++;
            }
          }
        }
      }
      expect(checked).toBeGreaterThan(100);
    });
  }

  it('a budget stop inside protochain\'s loop ends the batch call with the single run\'s error (JS batch forms and wasm)', () => {
    // A tiny budget: IPv6 packets with extension headers take more back edges than it allows.
    const res = convert(compile('ip6 protochain 17', { linkType: 1, snaplen: 262144, optimize: true }), { hook: 'tc' });
    const spec = tcHook(undefined, 'budget');
    const long = packet(rng(1));
    const r2 = rng(3);
    let withChain: Uint8Array | undefined;
    for (let k = 0; k < 500 && withChain === undefined; k++) {
      const p = packet(r2);
      if (p[12] === 0x86 && p[20] === 0) withChain = p; // hop-by-hop first: the loop runs
    }
    expect(withChain).toBeDefined();
    const block = blockOf([long, long, withChain!, long], 262144);
    const single = attachTc(load(verify(res.prog, spec), { engine: 'interp', budget: 1 }));
    let want: string | undefined;
    const wantV: number[] = [];
    for (let i = 0; i < block.count && want === undefined; i++) {
      try {
        wantV.push(single.run(block.buf, block.offsets[i]!, block.caplens[i]!, block.wirelens[i]!) >>> 0);
      } catch (e) {
        want = (e as Error).message;
      }
    }
    expect(want).toMatch(/instruction budget exhausted/);
    for (const engine of [...JS_BATCH_ENGINES, 'wasm'] as const) {
      const bound = attachTc(load(verify(res.prog, spec), { engine, budget: 1 }));
      const v = new Int32Array(block.count).fill(-9);
      expect(() => bound.runBatch(block, v), engine).toThrow(want!);
      expect(Array.from(v.subarray(0, wantV.length), (x) => x >>> 0), engine).toEqual(wantV);
      // A budget that suffices: every packet gets its verdict, each from a fresh budget.
      const ok = attachTc(load(verify(res.prog, spec), { engine, budget: 3 }));
      const okRef = attachTc(load(verify(res.prog, spec), { engine: 'interp', budget: 3 }));
      ok.runBatch(block, v);
      expect(Array.from(v, (x) => x >>> 0), engine).toEqual(Array.from({ length: block.count }, (_, i) => okRef.run(block.buf, block.offsets[i]!, block.caplens[i]!, block.wirelens[i]!) >>> 0));
    }
  });
});

describe('register placement of the typed (jit64) tier', () => {
  const src = (asm: string, batch: boolean) => {
    const p = prepare(assemble(asm), new Machine({}));
    return batch ? jitBatchSource(p, 'typed', { fold: TC_FOLD, budget: 100 }) : jitSource(p, 'typed');
  };
  it('32-bit and pointer code keeps every register a local pair: no typed-array register file, no BigInt rows', () => {
    const asm = 'ldxdw %r2, [%r1]\nmov %r3, %r2\nadd %r3, 14\nldxdw %r4, [%r1+8]\njgt %r3, %r4, +2\nldxb %r0, [%r2+12]\nexit\nmov %r0, 0\nexit';
    for (const batch of [false, true]) {
      const s = src(asm, batch);
      expect(s).not.toMatch(/\bR[IUS]\[/);
      expect(s).toMatch(/\br3l\b/);
    }
  });
  it('64-bit multiply code puts the registers the BigInt rows name in the typed arrays, the others stay locals', () => {
    const asm = 'mov32 %r6, 3\nadd32 %r6, 1\nlddw %r0, 0x123456789\nmov %r1, 7\nmul %r0, %r1\nadd %r0, 2\nstxw [%r10-4], %r6\nexit';
    for (const batch of [false, true]) {
      const s = src(asm, batch);
      expect(s).toMatch(/RU\[0\] \*= RU\[1\]/);
      expect(s).toMatch(/RU\[0\] \+= 2n/);
      expect(s).toMatch(/\br6l = \(r6l \+ 1\) \| 0/); // r6 meets no BigInt row
      expect(s).not.toMatch(/RI\[12\]/);
    }
  });
  it('both placements give the same r0 as the interpreter', () => {
    const progs = [
      'mov32 %r5, 3\nlddw %r0, 0x123456789\nmov %r1, 7\nmul %r0, %r1\nadd32 %r5, 1\nmov32 %r6, %r5\nadd %r0, %r6\nlsh %r6, 40\nxor %r0, %r6\nexit',
      'mov %r0, -5\nmov32 %r2, 9\nl:\nadd %r0, %r2\nsub32 %r2, 1\njne %r2, 0, l\nexit',
    ];
    for (const asm of progs) {
      const want = load(assemble(asm), { engine: 'interp' }).run64();
      for (const engine of ['jit64', 'jit-dispatch'] satisfies EngineName[]) expect(load(assemble(asm), { engine }).run64(), engine).toBe(want);
    }
  });
});
