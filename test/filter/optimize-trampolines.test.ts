/**
 * Shared trampolines in emission (src/filter/emit.ts): far edges to one target share `ja`
 * instructions, so long lists need about one `ja` per 250 instructions instead of one per
 * compare. Checked three ways: random DAGs with many far edges run the same as the graph they
 * came from (a direct walk of the CFG is the oracle), every jump offset fits in 8 bits and the
 * program passes the validator, and the 1,000-host list is well under libpcap's size while
 * selecting exactly its hosts — on truncated packets too.
 */
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/cbpf/validate.ts';
import { finish, isRet, newBlock } from '../../src/filter/cfg.ts';
import type { Block } from '../../src/filter/cfg.ts';
import { emit } from '../../src/filter/emit.ts';
import { compile } from '../../src/filter/index.ts';
import { JEQ_K, JGT_K, ldb } from '../../src/filter/insn.ts';
import { tableResolver } from '../../src/filter/names.ts';
import { runCbpf } from './helpers/vm.ts';

/** xorshift32 */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

/** A random DAG of `n` test blocks `ldb [k]; jeq/jgt #v` over `rets` return blocks; edges go forward, often far. */
function randomDag(seed: number, n: number, rets: number): Block {
  const r = rng(seed);
  const ends = Array.from({ length: rets }, (_, i) => newBlock([], 0x06, i + 1));
  const blocks: Block[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const b = newBlock([ldb(r() % 16)], r() % 2 ? JEQ_K : JGT_K, r() % 4);
    const pick = (): Block => {
      const x = r() % 10;
      // Mostly the next block or one far ahead or a return, as long lists have.
      if (x < 4 && blocks.length > 0) return blocks[blocks.length - 1]!;
      if (x < 7 && blocks.length > 0) return blocks[r() % blocks.length]!;
      return ends[r() % rets]!;
    };
    b.jt = pick();
    b.jf = pick();
    blocks.push(b);
  }
  return blocks[blocks.length - 1]!;
}

/** The oracle: walks the CFG itself (every block loads one byte of a 16-byte packet). */
function walk(root: Block, pkt: Uint8Array): number {
  let b = root;
  while (!isRet(b)) {
    const a = pkt[b.stmts[0]!.k]!;
    const taken = (b.code & 0xf0) === 0x10 ? a === b.k : a > b.k;
    b = taken ? b.jt! : b.jf!;
  }
  return b.k;
}

describe('emit: shared trampolines', () => {
  it('random DAGs with far edges run as the graph does', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const root = randomDag(seed, 400 + seed * 20, 1 + (seed % 5));
      const prog = emit({ prologue: [], root });
      expect(validate(prog), `seed ${seed}`).toEqual([]);
      for (const insn of prog) expect(insn.jt <= 255 && insn.jf <= 255).toBe(true);
      const r = rng(seed * 7919);
      for (let t = 0; t < 200; t++) {
        const pkt = Uint8Array.from({ length: 16 }, () => r() % 5);
        expect(runCbpf(prog, pkt, 16), `seed ${seed} packet ${t}`).toBe(walk(root, pkt));
      }
    }
  });

  it('a 1,000-host list takes one ja per ~250 instructions, under libpcap 1.10.3 (5,759: tcpdump -d)', () => {
    const hosts = Array.from({ length: 1000 }, (_, i) => `host 10.0.${i >> 8}.${i & 255}`).join(' or ');
    const prog = compile(hosts, { linkType: 1, snaplen: 65535, optimize: true, resolver: tableResolver({}) });
    expect(validate(prog)).toEqual([]);
    const ja = prog.filter((i) => i.code === 0x05).length;
    expect(ja).toBeLessThanOrEqual(Math.ceil(prog.length / 240) * 2 + 2);
    // Four runs of 1,000 compares (IPv4 source, destination; ARP/RARP sender, target) + the type tests.
    expect(prog.length).toBeLessThan(4 * 1000 + 4 + 10 + ja);
    expect(prog.length).toBeLessThan(5759);
    const ipv4 = (src: number, dst: number, len = 54): Uint8Array => {
      const p = new Uint8Array(54);
      p[12] = 0x08; p[14] = 0x45; p[23] = 6;
      new DataView(p.buffer).setUint32(26, src);
      new DataView(p.buffer).setUint32(30, dst);
      return p.subarray(0, len);
    };
    const base = 0x0a000000;
    for (const i of [0, 1, 254, 255, 256, 500, 998, 999]) {
      expect(runCbpf(prog, ipv4(base + i, 0xc0a80001), 54), `src ${i}`).toBe(65535);
      expect(runCbpf(prog, ipv4(0xc0a80001, base + i), 54), `dst ${i}`).toBe(65535);
      // libpcap's order: every source compare before the first destination load, so a packet
      // cut before the destination address is still accepted on its source.
      expect(runCbpf(prog, ipv4(base + i, 0, 30), 54), `src ${i}, truncated`).toBe(65535);
      expect(runCbpf(prog, ipv4(0xc0a80001, base + i, 33), 54), `dst ${i}, truncated`).toBe(0);
    }
    for (const a of [base + 1000, base - 1, 0xc0a80001]) expect(runCbpf(prog, ipv4(a, 0xc0a80002), 54)).toBe(0);
  });

  it('keeps the fall-through of a chain: compares jump over a trampoline placed between them', () => {
    // 600 tests of pkt[0] against 600 values, all true edges to one far `ret`.
    const ok = newBlock([], 0x06, 9);
    const no = newBlock([], 0x06, 0);
    let next = no;
    for (let v = 599; v >= 0; v--) {
      const b = newBlock([ldb(0)], JEQ_K, v);
      b.jt = ok;
      b.jf = next;
      next = b;
    }
    const prog = emit(finish({ kind: 'blocks', head: next, trues: [], falses: [] }, 9, []));
    expect(validate(prog)).toEqual([]);
    expect(prog.filter((i) => i.code === 0x05).length).toBeLessThanOrEqual(Math.ceil(1200 / 240));
    for (const v of [0, 1, 250, 251, 255]) expect(runCbpf(prog, Uint8Array.of(v), 1)).toBe(9);
  });
});
