/**
 * Runs the engine case table (./cases.ts) on every registered engine, then a differential
 * property test: random ALU/JMP programs evaluated by an independent BigInt model of RFC 9669
 * and by every engine must agree on r0 (fast-check, fixed seed).
 *
 * The case table is the engines' own unit test, so it loads through `loadUnverified`, the
 * runtime's documented opt-out: many cases exist to drive the engines' run-time checks (jumps out
 * of the program, recursion, dereferencing a number, the budget), which the verifier would
 * refuse before they run. A separate test checks what the public, verifying `load` does with
 * the same programs. The other tests use `load`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conformanceHelpers } from '../../../src/cli/commands/bpf-conformance-plugin.ts';
import { UserError } from '../../../src/errors.ts';
import { runtimeHook, VerifierError, verify } from '../../../src/runtime/verifier/index.ts';
import { assemble } from '../../../src/isa/ebpf/asm.ts';
import { AluOps, AtomicOps, JmpOps, Sizes } from '../../../src/isa/ebpf/opcodes.ts';
import type { AluOp, AtomicOp, JmpOp, Size } from '../../../src/isa/ebpf/opcodes.ts';
import type { EbpfInsn } from '../../../src/isa/ebpf/types.ts';
import { ENGINE_NAMES, REGION, TAG_BASE, load, loadUnverified } from '../../../src/runtime/index.ts';
import type { EngineName } from '../../../src/runtime/index.ts';
import { CASES } from './cases.ts';
import { modelAlu, modelCond } from './model.ts';
import { JS_BATCH_ENGINES, batchVsSingle } from '../batch-harness.ts';
import type { EngineCase } from './cases.ts';

const bytes = (h: string | undefined) => (h === undefined ? undefined : new Uint8Array(Buffer.from(h, 'hex')));

function runCase(c: EngineCase, engine: EngineName): bigint | string {
  try {
    const p = loadUnverified(assemble(c.asm), { engine, helpers: conformanceHelpers, budget: c.budget });
    return p.run64({ mem: bytes(c.mem), packet: bytes(c.packet) });
  } catch (e) {
    if (e instanceof UserError) return e.code;
    throw e;
  }
}

describe('engine case table', () => {
  for (const engine of ENGINE_NAMES) {
    describe(engine, () => {
      for (const c of CASES) {
        const reason = c.skip?.[engine];
        it.skipIf(reason !== undefined)(`${c.name}${reason ? ` (skipped: ${reason})` : ''}`, () => {
          const got = runCase(c, engine);
          expect(got).toBe(typeof c.expect === 'bigint' ? c.expect : c.expect.error);
        });
      }
    });
  }

  it('the verifying load refuses the statically broken cases and accepts the rest', () => {
    // Errors a verifier finds before running (a run-time fault may also be proven, as in
    // `stdw [%r10+8]`); cases with a result must verify, except those listed with a reason.
    const STATIC = new Set(['EBPF_BAD_JUMP', 'EBPF_FALLS_OFF', 'EBPF_CALL_DEPTH', 'EBPF_UNKNOWN_HELPER', 'EBPF_INVALID_INSN']);
    const REFUSED_WITH_RESULT: Record<string, string> = {
      'callee gets its own stack frame': 'the callee exits without setting r0 (undefined in RFC 9669, refused by the kernel too)',
    };
    const wrong: string[] = [];
    let accepted = 0, refused = 0;
    for (const c of CASES) {
      let verdict = 'ok';
      try {
        load(assemble(c.asm), { helpers: conformanceHelpers, budget: c.budget });
        accepted++;
      } catch (e) {
        if (e instanceof VerifierError) {
          verdict = e.code;
          refused++;
        } else if (e instanceof UserError) accepted++; // verified; the engine's own load check refused it
        else throw e;
      }
      const wantRefused = typeof c.expect === 'bigint' ? c.name in REFUSED_WITH_RESULT : STATIC.has(c.expect.error);
      if (typeof c.expect === 'bigint' ? (verdict !== 'ok') !== wantRefused : wantRefused && verdict === 'ok') wrong.push(`${c.name}: ${verdict}`);
    }
    console.log(`engine cases through the verifying load(): ${accepted} accepted, ${refused} refused`);
    expect(wrong).toEqual([]);
  });

  it('every case that verifies gives its expected result through the verifying load on every engine', () => {
    // The same table, with the JITs' verifier-proven direct accesses in play (loadUnverified above
    // keeps every access checked).
    const wrong: string[] = [];
    let ran = 0;
    for (const c of CASES) {
      let v;
      try {
        v = verify(assemble(c.asm), runtimeHook(Object.keys(conformanceHelpers).map(Number)));
      } catch (e) {
        if (e instanceof VerifierError) continue;
        throw e;
      }
      for (const engine of ENGINE_NAMES) {
        let got: bigint | string;
        try {
          got = load(v, { engine, helpers: conformanceHelpers, budget: c.budget }).run64({ mem: bytes(c.mem), packet: bytes(c.packet) });
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          got = e.code;
        }
        ran++;
        const want = typeof c.expect === 'bigint' ? c.expect : c.expect.error;
        if (got !== want) wrong.push(`${c.name} on ${engine}: expected ${String(want)}, got ${String(got)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(ran).toBeGreaterThan(100);
  });

  it('runtime errors name the pc and the instruction', () => {
    for (const engine of ENGINE_NAMES) {
      const p = load(assemble('mov %r0, 0\nldxw %r0, [%r1+4]\nexit'), { engine });
      expect(() => p.run({ mem: new Uint8Array(6) })).toThrow(/^pc 1: ldxw %r0, \[%r1\+4\]: out-of-bounds load of 4 bytes at offset 4 of memory \(size 6\)$/);
    }
  });
});

// ---- the same table through the batch forms -----------------------------------------------------

/**
 * Every case through each JavaScript engine's batch form (the packet loop inside the generated
 * code; see test/runtime/batch-harness.ts): a block of four packets (the case's packet, shorter
 * windows of it, an empty one), r1 = a writable context holding the case's memory. The oracle is
 * the interpreter run packet by packet with the same inputs, fault for fault (code, pc, reason);
 * cases that do not read r1's memory must also give the table's expected value on every packet
 * that ran. Faults and budget stops end the batch call with the single run's fault.
 */
describe('engine case table, batch forms', () => {
  for (const engine of JS_BATCH_ENGINES) {
    describe(engine, () => {
      for (const c of CASES) {
        const reason = c.skip?.[engine];
        it.skipIf(reason !== undefined)(c.name, () => {
          let prog;
          try {
            prog = assemble(c.asm);
          } catch (e) {
            if (e instanceof UserError && typeof c.expect !== 'bigint') return; // an assembler-time error: nothing runs
            throw e;
          }
          const pkt = bytes(c.packet) ?? new Uint8Array(0);
          const packets = [pkt, pkt.subarray(0, pkt.length >> 1), new Uint8Array(0), pkt];
          let r;
          try {
            r = batchVsSingle(engine, { prog, packets, ctx: bytes(c.mem), budget: c.budget, helpers: conformanceHelpers });
          } catch (e) {
            // Load-time errors (prepare) are the same for every form.
            if (e instanceof UserError) { expect(typeof c.expect === 'bigint' ? 'ok' : c.expect.error).toBe(e.code); return; }
            throw e;
          }
          // No batch form only for helpers that may move the packet (here: unknown ids) and callx.
          if (r === undefined) { expect(/call (%r|999)/.test(c.asm), `${engine} has no batch form`).toBe(true); return; }
          for (const got of r.got) expect(got).toEqual(r.want);
          if (c.mem === undefined && !c.asm.includes('%r1') && !c.asm.includes('%r2')) {
            if (typeof c.expect === 'bigint' && c.packet === undefined) expect(r.want.verdicts).toEqual(packets.map(() => Number((c.expect as bigint) & 0xffffffffn)));
            if (typeof c.expect !== 'bigint' && c.packet === undefined) expect(r.want.fault?.split(' ')[0]).toBe(c.expect.error);
          }
        });
      }
    });
  }

  it('a fault on one packet ends the call with that packet\'s single-run fault, after the earlier verdicts', () => {
    // r0 = packet[0] (checked load): the empty third packet faults.
    const prog = assemble('ldabsb 0\nmov %r6, %r0\nldxdw %r2, [%r1]\nldxb %r0, [%r2+2]\nadd %r0, %r6\nexit');
    for (const engine of JS_BATCH_ENGINES) {
      const ctx = new Uint8Array(8);
      new DataView(ctx.buffer).setUint32(4, TAG_BASE + REGION.packet, true); // a packet pointer at offset 0
      const r = batchVsSingle(engine, { prog, ctx, packets: [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6, 7), Uint8Array.of(9, 9), Uint8Array.of(1, 1, 1)] })!;
      expect(r.want.verdicts).toEqual([4, 10]);
      expect(r.want.fault).toMatch(/^EBPF_RUNTIME_FAULT pc 3: out-of-bounds load of 1 bytes at offset 2 of packet \(size 2\)$/);
      for (const got of r.got) expect(got, engine).toEqual(r.want);
    }
  });

  it('the budget is per packet: each packet of a block gets the whole budget, and one that exceeds it stops the call', () => {
    // Loops packet[0] times: one unit per iteration (the backward `ja`); budget 100.
    const prog = assemble('ldabsb 0\nmov %r1, %r0\nmov %r0, 0\nl:\njeq %r1, 0, +3\nadd %r0, 2\nsub %r1, 1\nja l\nexit');
    const p = (n: number) => Uint8Array.of(n);
    for (const engine of JS_BATCH_ENGINES) {
      const ok = batchVsSingle(engine, { prog, budget: 100, packets: [p(100), p(100), p(3), p(100)] })!;
      expect(ok.want).toEqual({ verdicts: [200, 200, 6, 200], accepted: 4 });
      for (const got of ok.got) expect(got, engine).toEqual(ok.want);
      const stop = batchVsSingle(engine, { prog, budget: 100, packets: [p(100), p(101), p(3)] })!;
      expect(stop.want.verdicts).toEqual([200]);
      expect(stop.want.fault).toMatch(/^EBPF_BUDGET pc 6: instruction budget exhausted$/);
      for (const got of stop.got) expect(got, engine).toEqual(stop.want);
    }
  });
});

// ---- differential test against an independent BigInt model ------------------------------------

const M64 = (1n << 64n) - 1n;
const u64 = (x: bigint) => x & M64;
const s64 = (x: bigint) => BigInt.asIntN(64, x);

/** Interesting 64-bit values: edges of both halves, plus random ones. */
const arbU64 = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 31n, 32n, 63n, 64n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, M64, M64 - 1n),
  fc.bigInt({ min: 0n, max: M64 }),
);
const arbI32 = fc.oneof(fc.constantFrom(0, 1, -1, 31, 32, 63, 0x7fffffff, -0x80000000), fc.integer({ min: -0x80000000, max: 0x7fffffff }));

const aluOps = Object.keys(AluOps) as AluOp[];
const jmpOps = Object.keys(JmpOps) as JmpOp[];
const reg = fc.integer({ min: 0, max: 3 });
const arbStep = fc.oneof(
  fc.tuple(fc.constantFrom(...aluOps), fc.boolean(), fc.boolean(), reg, reg, arbI32).map(([op, wide, useReg, dst, src, imm]): EbpfInsn => {
    if (op === 'neg') return { kind: 'alu', op, wide, dst, imm: 0 };
    if (op.startsWith('movsx')) return { kind: 'alu', op: op === 'movsx32' && !wide ? 'movsx16' : op, wide, dst, src };
    return useReg ? { kind: 'alu', op, wide, dst, src } : { kind: 'alu', op, wide, dst, imm };
  }),
  // if (cond) skip the next instruction
  fc.tuple(fc.constantFrom(...jmpOps), fc.boolean(), fc.boolean(), reg, reg, arbI32).map(([op, wide, useReg, dst, src, imm]): EbpfInsn =>
    useReg ? { kind: 'jmp', op, wide, dst, src, off: 1 } : { kind: 'jmp', op, wide, dst, imm, off: 1 }),
);

/** Memory steps on the 32 bytes below r10, at offsets aligned to the access size. */
const STACK_WINDOW = 32;
const arbSlot = (size: Size) => fc.integer({ min: 0, max: STACK_WINDOW / Sizes[size].bytes - 1 }).map((k) => -STACK_WINDOW + k * Sizes[size].bytes);
const arbSize = fc.constantFrom<Size>('b', 'h', 'w', 'dw');
const arbMemStep: fc.Arbitrary<EbpfInsn> = fc.oneof(
  arbSize.chain((size) => fc.tuple(arbSlot(size), arbI32).map(([off, imm]): EbpfInsn => ({ kind: 'st', size, dst: 10, off, imm }))),
  arbSize.chain((size) => fc.tuple(arbSlot(size), reg).map(([off, src]): EbpfInsn => ({ kind: 'stx', size, dst: 10, src, off }))),
  arbSize.chain((size) => fc.tuple(arbSlot(size), reg, fc.boolean()).map(([off, dst, signed]): EbpfInsn => ({ kind: 'ldx', size, signed: signed && size !== 'dw', dst, src: 10, off }))),
  fc.constantFrom<'w' | 'dw'>('w', 'dw').chain((size) =>
    fc.tuple(arbSlot(size), reg, fc.constantFrom(...(Object.keys(AtomicOps) as AtomicOp[])), fc.boolean()).map(([off, src, op, fetch]): EbpfInsn =>
      ({ kind: 'atomic', op, fetch: fetch || op === 'xchg' || op === 'cmpxchg', size, dst: 10, src, off }))),
);

/** Little-endian read/write of `size` bytes of the model stack window (offset relative to r10). */
function memRead(mem: DataView, size: Size, off: number): bigint {
  const a = STACK_WINDOW + off;
  return size === 'b' ? BigInt(mem.getUint8(a)) : size === 'h' ? BigInt(mem.getUint16(a, true)) : size === 'w' ? BigInt(mem.getUint32(a, true)) : mem.getBigUint64(a, true);
}
function memWrite(mem: DataView, size: Size, off: number, v: bigint): void {
  const a = STACK_WINDOW + off;
  const bits = BigInt(Sizes[size].bytes * 8);
  const x = BigInt.asUintN(Number(bits), v);
  if (size === 'b') mem.setUint8(a, Number(x));
  else if (size === 'h') mem.setUint16(a, Number(x), true);
  else if (size === 'w') mem.setUint32(a, Number(x), true);
  else mem.setBigUint64(a, x, true);
}

/** Evaluates a straight-line program (with skip-one jumps) on four registers and a stack window. */
function model(init: bigint[], steps: EbpfInsn[]): bigint {
  const r = init.slice();
  const mem = new DataView(new ArrayBuffer(STACK_WINDOW));
  for (let k = 0; k < steps.length; k++) {
    const i = steps[k]!;
    if (i.kind === 'st') memWrite(mem, i.size, i.off, BigInt(i.imm));
    else if (i.kind === 'stx') memWrite(mem, i.size, i.off, r[i.src]!);
    else if (i.kind === 'ldx') {
      const v = memRead(mem, i.size, i.off);
      r[i.dst] = i.signed ? u64(BigInt.asIntN(Sizes[i.size].bytes * 8, v)) : v;
    } else if (i.kind === 'atomic') {
      const bits = i.size === 'w' ? 32 : 64;
      const m = (1n << BigInt(bits)) - 1n;
      const old = memRead(mem, i.size, i.off);
      const x = r[i.src]! & m;
      const next = { add: old + x, or: old | x, and: old & x, xor: old ^ x, xchg: x, cmpxchg: old === (r[0]! & m) ? x : old }[i.op];
      memWrite(mem, i.size, i.off, next);
      if (i.op === 'cmpxchg') r[0] = old;
      else if (i.fetch) r[i.src] = old;
    }
    if (i.kind === 'alu') {
      const bits = i.wide ? 64 : 32;
      const b = 'src' in i ? r[i.src]! : u64(BigInt(i.imm));
      r[i.dst] = modelAlu(i.op, bits, r[i.dst]!, b);
    } else if (i.kind === 'jmp') {
      const b = 'src' in i ? r[i.src]! : u64(BigInt(i.imm));
      if (modelCond(i.op, i.wide ? 64 : 32, r[i.dst]!, b)) k++;
    }
  }
  return u64(r[0]! ^ s64(r[1]!) ^ (r[2]! << 1n) ^ (r[3]! << 2n));
}

describe('engines agree with a BigInt model of RFC 9669', () => {
  it('random ALU/JMP/memory/atomic programs', () => {
    const step = fc.oneof({ arbitrary: arbStep, weight: 3 }, { arbitrary: arbMemStep, weight: 1 });
    const progs = fc.tuple(fc.array(arbU64, { minLength: 4, maxLength: 4 }), fc.array(step, { minLength: 1, maxLength: 24 }));
    fc.assert(
      fc.property(progs, ([init, body]) => {
        // Fill the stack window from the random registers first, so loads and atomics see non-zero data.
        const fill = [0, 1, 2, 3].map((k): EbpfInsn => ({ kind: 'stx', size: 'dw', dst: 10, src: k, off: -STACK_WINDOW + 8 * k }));
        const steps = [...fill, ...body];
        const lddw = init.map((v, k): EbpfInsn => ({ kind: 'lddw', lddw: 'imm64', dst: k, imm: Number(BigInt.asIntN(32, v)), imm2: Number(BigInt.asIntN(32, v >> 32n)) }));
        // r0 ^= r1; r0 ^= r2 << 1; r0 ^= r3 << 2 — folds every register into the result.
        const tail = assemble('xor %r0, %r1\nlsh %r2, 1\nxor %r0, %r2\nlsh %r3, 2\nxor %r0, %r3\nexit');
        // `ja +0` is a landing pad, so a skip-one jump at the end of `steps` skips nothing of the tail.
        const prog: EbpfInsn[] = [...lddw, ...steps, { kind: 'ja', off: 0 }, ...tail];
        const want = model(init, steps);
        for (const engine of ENGINE_NAMES) expect(load(prog, { engine }).run64(), engine).toBe(want);
      }),
      { seed: 9669, numRuns: 1500 },
    );
  });
});

describe('host interface (helpers, lddw resolution, pointers) on every engine', () => {
  it('map_value lddw points into live bytes; helpers read memory and return pointers', () => {
    const value = new Uint8Array(16);
    const other = new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0]);
    const helpers = {
      // r0 = sum of r2 bytes at pointer r1
      1: (env: import('../../../src/runtime/index.ts').HelperEnv) => {
        const len = env.argLo(2);
        const { bytes, offset } = env.argMem(1, len);
        let s = 0;
        for (let k = 0; k < len; k++) s += bytes[offset + k]!;
        return s;
      },
      // r0 = pointer to `other`
      2: (env: import('../../../src/runtime/index.ts').HelperEnv) => env.pointerTo(other),
      // r0 = -22 (an errno)
      3: () => -22,
    };
    const src = [
      'lddw %r6, map_value 3 4', // r6 = &value[4]
      'stw [%r6], 0x01020304',
      'mov %r1, %r6',
      'mov %r2, 4',
      'call 1', // 1 + 2 + 3 + 4
      'mov %r7, %r0',
      'call 2',
      'ldxb %r8, [%r0]', // 7
      'add %r7, %r8',
      'call 3',
      'add %r7, %r0', // 10 + 7 - 22 = -5
      'mov %r0, %r7',
      'exit',
    ].join('\n');
    for (const engine of ENGINE_NAMES) {
      value.fill(0);
      const p = load(assemble(src), {
        engine,
        helpers,
        resolveLddw: (insn) => {
          expect(insn.lddw).toBe('map_value');
          return { bytes: value, offset: insn.imm2 };
        },
      });
      expect(p.run64(), engine).toBe(BigInt.asUintN(64, -5n));
      expect(Array.from(value.subarray(4, 8)), engine).toEqual([4, 3, 2, 1]);
      expect(p.run(), engine).toBe(0xfffffffb);
      expect(p.machine.r0h, engine).toBe(-1);
    }
  });

  it('a context pointer in r1 and packet pointers written into it', () => {
    for (const engine of ENGINE_NAMES) {
      const p = load(assemble('ldxdw %r2, [%r1]\nldxdw %r3, [%r1+8]\nmov %r0, %r3\nsub %r0, %r2\nldxb %r4, [%r2+1]\nlsh %r0, 8\nor %r0, %r4\nexit'), { engine });
      const ctx = new Uint8Array(16);
      const dv = new DataView(ctx.buffer);
      const packet = new Uint8Array([9, 8, 7]);
      dv.setBigUint64(0, p.pointer(2, 0), true); // data
      dv.setBigUint64(8, p.pointer(2, packet.length), true); // data_end
      expect(p.run({ ctx, packet }), engine).toBe((3 << 8) | 8);
    }
  });

  it('a packet window inside a larger buffer (no per-packet copy)', () => {
    const block = new Uint8Array(Buffer.from('ffff' + '0800aabb' + 'ffff' + '86dd', 'hex'));
    for (const engine of ENGINE_NAMES) {
      const p = load(assemble('ldabsh 0\nmov %r6, %r0\nldabsh 2\nlsh %r6, 16\nor %r0, %r6\nexit'), { engine });
      expect(p.run({ packet: block, packetOffset: 2, packetLength: 4 }), engine).toBe(0x0800aabb);
      // 4 bytes past offset 8 would be inside the buffer but outside the window: LD_ABS aborts with 0.
      expect(p.run({ packet: block, packetOffset: 8, packetLength: 2 }), engine).toBe(0);
      const q = load(assemble('ldxdw %r2, [%r1]\nldxb %r0, [%r2+1]\nexit'), { engine });
      const ctx = new Uint8Array(8);
      new DataView(ctx.buffer).setBigUint64(0, q.pointer(2, 0), true);
      expect(q.run({ ctx, packet: block, packetOffset: 8, packetLength: 2 }), engine).toBe(0xdd);
      expect(() => q.run({ ctx, packet: block, packetOffset: 8, packetLength: 1 }), engine).toThrow(/out-of-bounds load of 1 bytes at offset 1 of packet \(size 1\)/);
      expect(() => q.run({ ctx, packet: block, packetOffset: 8, packetLength: 9 }), engine).toThrow(/outside the 10-byte buffer/);
    }
  });

  it('read-only regions fault on store', () => {
    for (const engine of ENGINE_NAMES) {
      const p = load(assemble('stb [%r1], 1\nmov %r0, 0\nexit'), { engine });
      expect(() => p.run({ ctx: new Uint8Array(4), ctxWritable: false }), engine).toThrow(/store to read-only context/);
    }
  });
});

describe('chooseEngine', () => {
  it('picks jit64 for 64-bit multiply/divide/constant-shift code and jit otherwise', async () => {
    const { chooseEngine } = await import('../../../src/runtime/index.ts');
    expect(chooseEngine(assemble('ldabsh 12\njeq %r0, 0x800, +1\nmov32 %r0, 0\nexit'))).toBe('jit');
    expect(chooseEngine(assemble('mov %r0, 3\nmul %r0, %r0\nexit'))).toBe('jit64');
    expect(chooseEngine(assemble('mov %r0, 3\nlsh %r0, 7\nexit'))).toBe('jit64');
    expect(chooseEngine(assemble('mov %r0, 3\nlsh %r0, %r1\nexit'))).toBe('jit');
    expect(chooseEngine(assemble('mov32 %r0, 3\nmul32 %r0, 5\nexit'))).toBe('jit');
  });
});
