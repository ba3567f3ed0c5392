/**
 * eBPF runtime benchmarks: interpreter vs JIT (int32-pair locals) vs jit64 (typed-array registers,
 * BigInt 64-bit ops), ns per program run, on three shapes of program —
 * a packet filter (legacy LD_ABS loads, 32-bit compares: what converted cBPF looks like), a
 * 64-bit arithmetic loop (xorshift64* with 64-bit multiply), and a memory-heavy loop (checksum of
 * a 1500-byte buffer through ldxw/stxw) — plus JIT compile time, and the micro-benchmark that
 * chose the integer representation in src/runtime/semantics.ts (int32 pairs vs BigInt locals vs
 * a BigUint64Array register file, on 64-bit and on 32-bit work).
 */
import { assemble } from '../../isa/ebpf/asm.ts';
import { ENGINE_NAMES, load, loadUnverified } from '../../runtime/index.ts';
import type { LoadedProgram } from '../../runtime/index.ts';
import type { BenchCase, MicroResult, MicroSuite } from './harness.ts';

/** ip and tcp and (src port 80 or dst port 80), Ethernet, in socket-filter style. */
const FILTER = `
ldabsh 12
jne %r0, 0x800, drop
ldabsb 23
jne %r0, 6, drop
ldabsh 20
jset %r0, 0x1fff, drop
ldabsb 14
and %r0, 0xf
lsh %r0, 2
mov %r7, %r0
ldindh %r7, 14
jeq %r0, 80, accept
ldindh %r7, 16
jeq %r0, 80, accept
drop:
mov %r0, 0
exit
accept:
mov %r0, 0x40000
exit`;

/** 1000 rounds of xorshift64* (64-bit shifts, xor and multiply). */
const ARITH64 = `
lddw %r0, 0x9e3779b97f4a7c15
lddw %r2, 0x2545f4914f6cdd1d
mov %r1, 1000
l:
mov %r3, %r0
rsh %r3, 12
xor %r0, %r3
mov %r3, %r0
lsh %r3, 25
xor %r0, %r3
mov %r3, %r0
rsh %r3, 27
xor %r0, %r3
mul %r0, %r2
sub %r1, 1
jne %r1, 0, l
exit`;

/** Ones-complement-style sum of a 1500-byte buffer, 4 bytes at a time, written back in place. */
const MEMSUM = `
mov %r0, 0
mov %r3, %r1
add %r3, %r2
l:
ldxw %r4, [%r1]
add32 %r0, %r4
stxw [%r1], %r0
add %r1, 4
jlt %r1, %r3, l
exit`;

const PACKET = new Uint8Array(Buffer.from(
  '000000000002' + '000000000001' + '0800' + '45000028000100004006' + '0000c0a80101c0a80102' + '00501f90000000000000000050022000' + '00000000', 'hex'));
const MEM = new Uint8Array(1500).map((_, k) => k * 7);

function runCase(name: string, p: LoadedProgram, input: Parameters<LoadedProgram['run']>[0]): BenchCase {
  return { name, run: (n) => { let s = 0; for (let k = 0; k < n; k++) s += p.run(input); return s; } };
}

// ---- the representation micro-benchmark -------------------------------------------------------

function pairs64(n: number): number {
  let al = 1, ah = 0, bl = 0x23456789, bh = 1;
  for (let i = 0; i < n; i++) {
    const lo = (al >>> 0) + (bl >>> 0);
    ah = (ah + bh + (lo > 0xffffffff ? 1 : 0)) | 0;
    al = lo | 0;
    bl ^= al << 3;
    bh ^= (ah << 3) | (al >>> 29);
  }
  return al ^ ah;
}
function bigLocals64(n: number): bigint {
  let a = 1n, b = 0x123456789n;
  for (let i = 0; i < n; i++) { a = BigInt.asUintN(64, a + b); b = BigInt.asUintN(64, b ^ (a << 3n)); }
  return a;
}
const RB = new BigUint64Array(2);
function bigArray64(n: number): bigint {
  RB[0] = 1n; RB[1] = 0x123456789n;
  for (let i = 0; i < n; i++) { RB[0] = RB[0] + RB[1]; RB[1] = RB[1] ^ (RB[0] << 3n); }
  return RB[0];
}
function pairs32(n: number): number {
  let a = 1, b = 7;
  for (let i = 0; i < n; i++) { a = (a + b) | 0; b ^= a << 3; }
  return a;
}
function bigArray32(n: number): bigint {
  RB[0] = 1n; RB[1] = 7n;
  for (let i = 0; i < n; i++) { RB[0] = BigInt.asUintN(32, RB[0] + RB[1]); RB[1] = BigInt.asUintN(32, RB[1] ^ (RB[0] << 3n)); }
  return RB[0];
}

export const suite: MicroSuite = {
  name: 'runtime',
  setup() {
    const cases: BenchCase[] = [];
    for (const engine of ENGINE_NAMES) {
      cases.push(runCase(`filter ${engine}`, load(assemble(FILTER), { engine }), { packet: PACKET }));
      cases.push(runCase(`arith64 x1000 ${engine}`, load(assemble(ARITH64), { engine }), {}));
      cases.push({ ...runCase(`memsum 1500B ${engine}`, load(assemble(MEMSUM), { engine }), { mem: MEM }), bytesPerOp: 1500 });
    }
    // 25 chained copies of the filter (a copy that accepts falls through to the next one), so
    // every instruction is reachable and the verifier accepts the whole program.
    const big = assemble(Array.from({ length: 25 }, (_, i) => FILTER
      .replace(/\b(drop|accept)\b/g, `$1_${i}`)
      .replace(/(accept_\d+:\nmov %r0, 0x40000\n)exit/, i < 24 ? `$1ja copy_${i + 1}` : '$1exit')
      .replace(/^\n/, `\ncopy_${i}:\n`)).join('\n'));
    cases.push({ name: `load (verify + jit compile) ${big.length} insns`, run: (n) => { let s = 0; for (let k = 0; k < n; k++) s += load(big, { engine: 'jit' }).engine.length; return s; } });
    cases.push({ name: `load (verify + interp) ${big.length} insns`, run: (n) => { let s = 0; for (let k = 0; k < n; k++) s += load(big, { engine: 'interp' }).engine.length; return s; } });
    cases.push({ name: `jit compile only ${big.length} insns`, run: (n) => { let s = 0; for (let k = 0; k < n; k++) s += loadUnverified(big, { engine: 'jit' }).engine.length; return s; } });
    cases.push({ name: 'repr 64-bit: int32 pairs', run: pairs64 });
    cases.push({ name: 'repr 64-bit: BigInt locals', run: bigLocals64 });
    cases.push({ name: 'repr 64-bit: BigUint64Array', run: bigArray64 });
    cases.push({ name: 'repr 32-bit: int32', run: pairs32 });
    cases.push({ name: 'repr 32-bit: BigUint64Array', run: bigArray32 });
    return cases;
  },
  notes(results: MicroResult[]) {
    const ns = (name: string) => results.find((r) => r.name === name)?.nsPerOp ?? NaN;
    const out: string[] = [];
    for (const w of ['filter', 'arith64 x1000', 'memsum 1500B']) {
      const tiers = ENGINE_NAMES.filter((e) => e !== 'interp').map((e) => `${e} ${(ns(`${w} interp`) / ns(`${w} ${e}`)).toFixed(1)}x`);
      out.push(`${w}: ${tiers.join(', ')} faster than the interpreter`);
    }
    return out;
  },
};
