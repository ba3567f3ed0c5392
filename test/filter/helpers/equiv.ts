/**
 * Helpers for the optimizer pass tests: build a CFG from an expression, run one pass, emit,
 * and check that the program still gives the same verdict as the unoptimized one on many
 * packets: Ethernet/IPv4/IPv6/ARP templates with random bytes flipped and random truncation,
 * so both outcomes of most tests (and out-of-bounds loads) are exercised.
 */
import { buildCfg, emit } from '../../../src/filter/index.ts';
import type { Program } from '../../../src/filter/cfg.ts';
import { tableResolver } from '../../../src/filter/names.ts';
import type { CbpfProgram } from '../../../src/isa/cbpf/types.ts';
import { runCbpf } from './vm.ts';

export const opts = { linkType: 1, snaplen: 65535, optimize: false, resolver: tableResolver({}) };

export function cfg(expr: string): Program {
  return buildCfg(expr, opts);
}

export function size(p: CbpfProgram): number {
  return p.length;
}

const TEMPLATES: number[][] = [
  // Ethernet + IPv4 + TCP 10.0.0.1:80 -> 10.0.0.2:443, flags SYN
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    0, 80, 1, 187, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0, 0, 0, 0, 0, 0],
  // Ethernet + IPv6 + UDP port 53
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 6, 7, 8, 9, 10, 11, 0x86, 0xdd, 0x60, 0, 0, 0, 0, 8, 17, 64,
    ...Array.from({ length: 32 }, (_, i) => (i % 16 === 15 ? 1 : 0)), 0, 53, 0, 53, 0, 8, 0, 0],
  // Ethernet + ARP
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 6, 7, 8, 9, 10, 11, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1, 6, 7, 8, 9, 10, 11,
    10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2],
];

/** Deterministic pseudo-random packets (xorshift), `n` of them. */
export function packets(n: number, seed = 12345): Uint8Array[] {
  let x = seed >>> 0 || 1;
  const rnd = (): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const t = TEMPLATES[rnd() % TEMPLATES.length]!;
    const p = Uint8Array.from(t);
    const flips = rnd() % 4;
    for (let f = 0; f < flips; f++) p[rnd() % p.length] = rnd() & 0xff;
    // Sometimes pick values the filters below test for.
    if (rnd() % 3 === 0) p[23] = [6, 17, 1, 132][rnd() % 4]!;
    const len = rnd() % 5 === 0 ? rnd() % p.length : p.length;
    out.push(p.subarray(0, len));
  }
  return out;
}

/** Returns the packets (as hex) on which the two programs disagree. */
export function disagreements(a: CbpfProgram, b: CbpfProgram, pkts = packets(3000)): string[] {
  const bad: string[] = [];
  for (const p of pkts) {
    if (runCbpf(a, p, p.length) !== runCbpf(b, p, p.length)) bad.push(Buffer.from(p).toString('hex'));
  }
  return bad;
}

/** Emits the unoptimized program for `expr` and the program after running `pass` on its CFG. */
export function beforeAfter(expr: string, pass: (p: Program) => Program): { before: CbpfProgram; after: CbpfProgram } {
  const before = emit(cfg(expr));
  const after = emit(pass(cfg(expr)));
  return { before, after };
}
