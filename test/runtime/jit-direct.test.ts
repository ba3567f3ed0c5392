/**
 * Bounds checks hoisted into the verifier: accesses it proves in bounds on every path
 * (VerifiedProgram.provenAccess) are compiled by the JIT to direct DataView accesses, and give
 * exactly what the checked accessors give (the interpreter stays fully checked: it is the oracle).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, disassemble } from '../../src/isa/ebpf/asm.ts';
import { encodeProgram } from '../../src/isa/ebpf/codec.ts';
import { ENGINE_NAMES, load, REGION, TAG_BASE } from '../../src/runtime/index.ts';
import type { LoadedProgram } from '../../src/runtime/index.ts';
import { jitSource } from '../../src/runtime/jit/js.ts';
import { Machine } from '../../src/runtime/semantics-memory.ts';
import { prepare } from '../../src/runtime/semantics-program.ts';
import { runtimeHook, verify, xdpHook } from '../../src/runtime/verifier/index.ts';
import type { VerifiedProgram } from '../../src/runtime/verifier/index.ts';

const STACK = `
mov %r1, 0x1234
stxdw [%r10-8], %r1
stxh [%r10-10], %r1
stb [%r10-11], -2
ldxdw %r0, [%r10-8]
ldxh %r2, [%r10-10]
add %r0, %r2
ldxb %r3, [%r10-11]
add %r0, %r3
exit`;

/** r0 = the EtherType when the frame holds 14 bytes, else 1. */
const XDP = `
ldxw %r2, [%r1]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 14
jgt %r4, %r3, short
ldxh %r0, [%r2+12]
be16 %r0
exit
short:
mov %r0, 1
exit`;

function source(v: VerifiedProgram): string {
  const m = new Machine({});
  const p = prepare(v.insnAt.filter((i) => i !== undefined), m);
  p.proven = v.provenAccess;
  return jitSource(p);
}

/** Runs a verified XDP program on a frame, building the context from the program's layout. */
function runXdp(l: LoadedProgram, frame: Uint8Array): number {
  const ctx = new Uint8Array(l.ctxLayout.size);
  const view = new DataView(ctx.buffer);
  const data = l.ctxLayout.offsets.get('data')!, end = l.ctxLayout.offsets.get('data_end')!;
  view.setUint32(data + 4, TAG_BASE + REGION.packet, true);
  view.setUint32(end, frame.length, true);
  view.setUint32(end + 4, TAG_BASE + REGION.packet, true);
  return l.run({ ctx, packet: frame });
}

describe('JIT: verifier-proven accesses are direct', () => {
  it('stack accesses at known offsets are proven, and give the interpreter\'s results', () => {
    const v = verify(assemble(STACK), runtimeHook([]));
    expect([...v.provenAccess.values()].every((r) => r === 'stack')).toBe(true);
    expect(v.provenAccess.size).toBe(6);
    const src = source(v);
    expect(src).toContain('SV.setInt32');
    expect(src).not.toContain('M.ld64');
    const results = ENGINE_NAMES.map((engine) => load(v, { engine }).run64());
    expect(new Set(results).size).toBe(1);
    expect(results[0]).toBe(0x1234n + 0x1234n + 0xfen);
  });

  it('a stack access at a variable offset stays checked', () => {
    const v = verify(assemble('mov %r1, %r10\nldxb %r2, [%r10-1]\nstb [%r10-1], 0\nldxb %r2, [%r10-1]\nand %r2, 7\nsub %r1, %r2\nstb [%r1-8], 1\nmov %r0, 0\nexit'), runtimeHook([]));
    expect(v.provenAccess.has(6)).toBe(false);
    expect(source(v)).toContain('M.st8');
  });

  it('packet loads below a data_end comparison are proven; results equal on every engine and frame length', () => {
    const v = verify(assemble(XDP), xdpHook());
    expect([...v.provenAccess]).toEqual([[0, 'ctx'], [1, 'ctx'], [5, 'pkt']]);
    const src = source(v);
    expect(src).toContain('PV.getUint16');
    expect(src).toContain('CV.getInt32');
    expect(src).not.toContain('M.ld');
    for (const len of [0, 13, 14, 60]) {
      const frame = new Uint8Array(len);
      if (len >= 14) frame.set([0x86, 0xdd], 12);
      const got = ENGINE_NAMES.map((engine) => runXdp(load(v, { engine }), frame));
      expect(new Set(got).size, `frame of ${len} bytes`).toBe(1);
      expect(got[0]).toBe(len >= 14 ? 0x86dd : 1);
    }
  });

  it('a context shorter than the hook\'s is refused before running (context loads are direct)', () => {
    const l = load(verify(assemble(XDP), xdpHook()), { engine: 'jit' });
    expect(() => l.run({ ctx: new Uint8Array(8), packet: new Uint8Array(14) })).toThrow(/context must be \d+ bytes/);
    expect(() => l.run({ packet: new Uint8Array(14) })).toThrow(/context must be/);
  });

  it('packet views are read again after a helper call (the helper may move the packet)', () => {
    const prog = `${XDP.replace('ldxh %r0, [%r2+12]', 'mov %r6, %r2\nldxh %r7, [%r6+12]\nmov %r0, 0\nldxb %r0, [%r6+1]\nadd %r0, %r7')}`;
    const v = verify(assemble(prog), xdpHook());
    expect([...v.provenAccess.values()].filter((r) => r === 'pkt').length).toBe(2);
    // A helper call between proven loads: the JIT reloads PV/PB after it.
    const withCall = verify(assemble(`
mov %r6, %r1
call 7
ldxw %r2, [%r6]
ldxw %r3, [%r6+4]
mov %r4, %r2
add %r4, 2
jgt %r4, %r3, out
ldxh %r0, [%r2]
exit
out:
mov %r0, 0
exit`), xdpHook());
    const src = source(withCall);
    expect(src).toMatch(/M\.call\(7[^\n]*PV = M\.views\[2\]; PB = M\.base\[2\];/);
  });
});

describe('JIT: a context that lies about the packet', () => {
  it('is a clear error, not a crash, when data_end points past the packet', () => {
    const l = load(verify(assemble(XDP), xdpHook()), { engine: 'jit' });
    const ctx = new Uint8Array(l.ctxLayout.size);
    const view = new DataView(ctx.buffer);
    const data = l.ctxLayout.offsets.get('data')!, end = l.ctxLayout.offsets.get('data_end')!;
    view.setUint32(data + 4, TAG_BASE + REGION.packet, true);
    view.setUint32(end, 1000, true); // claims 1000 bytes
    view.setUint32(end + 4, TAG_BASE + REGION.packet, true);
    expect(() => l.run({ ctx, packet: new Uint8Array(4) })).toThrow(/direct \(verifier-proven\) access left its region/);
  });
});

describe('JIT: direct packet loads agree with the checked interpreter (random XDP programs)', () => {
  /**
   * Programs of the shape the verifier proves: read data/data_end, check `data + K > data_end`,
   * then loads at constant offsets below K (proven, direct in the JIT), loads through a pointer
   * moved by a masked packet byte (variable offset: checked at run time in every engine), and
   * stack round trips; r0 mixes everything. Every frame length below and above K is tried, so
   * both the early exit and out-of-bounds variable loads happen. The interpreter checks every
   * access, so an unsound proof would show as a fault there and a value in the JIT.
   */
  const SIZES = ['b', 'h', 'w', 'dw'] as const;
  const BYTES = { b: 1, h: 2, w: 4, dw: 8 } as const;
  const program = fc.record({
    k: fc.integer({ min: 1, max: 64 }),
    loads: fc.array(fc.record({ size: fc.constantFrom(...SIZES), at: fc.nat(63), op: fc.constantFrom('add', 'xor', 'mul') }), { minLength: 1, maxLength: 8 }),
    varSize: fc.constantFrom(...SIZES),
    varMask: fc.constantFrom(3, 7, 15, 63),
  });
  it('same r0 or the same fault on every engine', () => {
    fc.assert(fc.property(program, ({ k, loads, varSize, varMask }) => {
      const body = loads.filter((l) => l.at + BYTES[l.size] <= k)
        .map((l, i) => `ldx${l.size} %r5, [%r2+${l.at}]\nstxdw [%r10-${8 * (i + 1)}], %r5\nldxdw %r5, [%r10-${8 * (i + 1)}]\n${l.op} %r0, %r5`).join('\n');
      const src = `
ldxw %r2, [%r1]
ldxw %r3, [%r1+4]
mov %r0, 7
mov %r4, %r2
add %r4, ${k}
jgt %r4, %r3, out
${body}
ldxb %r6, [%r2]
and %r6, ${varMask}
mov %r7, %r2
add %r7, %r6
mov %r8, %r7
add %r8, ${BYTES[varSize]}
jgt %r8, %r3, out
ldx${varSize} %r6, [%r7]
add %r0, %r6
out:
exit`;
      const v = verify(assemble(src), xdpHook());
      if (body) expect([...v.provenAccess.values()]).toContain('pkt');
      const loaded = ENGINE_NAMES.map((engine) => load(v, { engine }));
      for (const len of [0, k - 1, k, k + 3, 80]) {
        if (len < 0) continue;
        const frame = Uint8Array.from({ length: len }, (_, i) => (i * 37 + k) & 0xff);
        const got = loaded.map((l) => {
          try { return String(runXdp(l, frame)); } catch (e) { return (e as Error).message; }
        });
        if (new Set(got).size !== 1) throw new Error(`frame ${len}: ${got.join(' | ')}\n${src}`);
      }
    }), { seed: 0x7d0e2026, numRuns: 200 });
  });
});

describe('JIT: byte-mutated XDP programs the verifier accepts run alike on every engine', () => {
  /**
   * Soundness fuzz for the hoisted bounds checks: mutate the register, offset and immediate
   * bytes of a packet-parsing program; whatever the verifier still accepts must give the same r0
   * (or the same error) on the checked interpreter and on the JITs with their direct accesses.
   */
  const BASE = assemble(`
ldxw %r2, [%r1]
ldxw %r3, [%r1+4]
mov %r0, 1
mov %r4, %r2
add %r4, 34
jgt %r4, %r3, out
ldxh %r5, [%r2+12]
jne %r5, 8, out
ldxb %r6, [%r2+23]
stxdw [%r10-8], %r6
ldxdw %r7, [%r10-8]
ldxw %r8, [%r2+26]
add %r0, %r7
xor %r0, %r8
ldxb %r6, [%r2+14]
and %r6, 15
lsh %r6, 2
mov %r7, %r2
add %r7, %r6
mov %r9, %r7
add %r9, 18
jgt %r9, %r3, out
ldxh %r6, [%r7+14]
add %r0, %r6
out:
exit`);
  it('same result on every engine for every accepted mutant (seeded)', () => {
    const bytes = encodeProgram(BASE);
    let accepted = 0;
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(bytes.length / 8 - 1), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), (muts) => {
      const b = bytes.slice();
      for (const [insn, at, v] of muts) b[insn * 8 + at] = v;
      let v: VerifiedProgram;
      try {
        v = verify(b, xdpHook());
      } catch {
        return; // refused: nothing to run
      }
      accepted++;
      const loaded = ENGINE_NAMES.map((engine) => load(v, { engine }));
      for (const len of [0, 20, 34, 40, 60, 100]) {
        const frame = Uint8Array.from({ length: len }, (_, i) => (i * 29 + 3) & 0xff);
        if (len > 13) frame[12] = 8, frame[13] = 0;
        const got = loaded.map((l) => {
          try { return String(runXdp(l, frame)); } catch (e) { return `error ${(e as Error).message}`; }
        });
        if (new Set(got).size !== 1) throw new Error(`frame ${len}: ${got.join(' | ')}\n${disassemble(v.insnAt.filter((i) => i !== undefined))}`);
      }
    }), { seed: 0x5eed2026, numRuns: 5000 });
    console.log(`jit-direct mutants: ${accepted} of 5000 accepted by the verifier and compared on every engine`);
    expect(accepted).toBeGreaterThan(250);
  });
});

describe('runPacket, the hooks\' fast path', () => {
  it('gives what run() gives on every engine, and refuses a window outside the buffer', () => {
    const v = verify(assemble(XDP), xdpHook());
    for (const engine of ENGINE_NAMES) {
      const l = load(v, { engine });
      const ctx = new Uint8Array(l.ctxLayout.size);
      const view = new DataView(ctx.buffer);
      const data = l.ctxLayout.offsets.get('data')!, end = l.ctxLayout.offsets.get('data_end')!;
      view.setUint32(data + 4, TAG_BASE + REGION.packet, true);
      view.setUint32(end + 4, TAG_BASE + REGION.packet, true);
      const block = new Uint8Array(100);
      block.set([0x86, 0xdd], 30 + 12); // a frame at offset 30
      for (const len of [10, 14, 60]) {
        view.setUint32(end, len, true);
        expect(l.runPacket(ctx, block, 30, len), `${engine} ${len}`).toBe(l.run({ ctx, packet: block, packetOffset: 30, packetLength: len }));
      }
      expect(() => l.runPacket(ctx, block, 90, 20)).toThrow(/packet window \[90, 110\) is outside the 100-byte buffer/);
      expect(() => l.runPacket(new Uint8Array(4), block, 0, 14)).toThrow(/context must be/);
    }
  });
});
