/**
 * toEbpf on the engine-independent cBPF case table (test/cbpf/cases.ts) for both hooks on every
 * eBPF engine, plus the converter's own promises checked on the emitted code: one bounds check
 * per straight-line group of loads, zeroing only what may be read first, bounded backward
 * jumps, the XDP result mapping, and UserErrors for what cannot be converted.
 */
import { describe, expect, it } from 'vitest';
import { convert, toEbpf, HELPER_SKB_LOAD_BYTES, MAX_BACKWARD_JUMPS, XDP_DROP, XDP_PASS } from '../../src/convert/index.ts';
import { loadConverted } from '../../src/pipeline.ts';
import type { ConvertHook } from '../../src/convert/index.ts';
import { interpret } from '../../src/cbpf/interpret.ts';
import { assemble } from '../../src/isa/cbpf/asm.ts';
import type { CbpfProgram } from '../../src/isa/cbpf/types.ts';
import type { EbpfProgram } from '../../src/isa/ebpf/types.ts';
import { ENGINE_NAMES } from '../../src/runtime/index.ts';
import { UserError } from '../../src/errors.ts';
import { CBPF_CASES, caseProgram, casePacket } from '../cbpf/cases.ts';
import { expectedAt, farJumpProgram, HOOKS } from './support.ts';

const hex = (s: string): Uint8Array => Uint8Array.from((s.replace(/\s+/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16)));

/** Runs a classic program converted for `hook` on one engine (XDP: wirelen = caplen). */
function runConverted(prog: CbpfProgram, hook: ConvertHook, engine: (typeof ENGINE_NAMES)[number], pkt: Uint8Array, wirelen = pkt.length, xdpResult: 'action' | 'value' = 'action'): number {
  return loadConverted(convert(prog, { hook, xdpResult }), hook, { engine }).run(pkt, 0, pkt.length, hook === 'xdp' ? pkt.length : wirelen);
}

describe('toEbpf on the cBPF case table', () => {
  for (const hook of HOOKS) {
    for (const engine of ENGINE_NAMES) {
      it(`${hook} / ${engine}: every case returns what the reference interpreter returns`, () => {
        const failures: string[] = [];
        for (const c of CBPF_CASES) {
          const prog = caseProgram(c);
          const pkt = casePacket(c);
          // The case's own expectation, except that XDP sees no separate wire length.
          const value = hook === 'xdp' ? interpret(prog, pkt, pkt.length) : c.expect;
          const got = runConverted(prog, hook, engine, pkt, c.wirelen ?? pkt.length);
          if (got !== expectedAt(hook, value)) failures.push(`${c.name}: got ${got}, want ${expectedAt(hook, value)}`);
        }
        expect(failures).toEqual([]);
        expect(CBPF_CASES.length).toBeGreaterThan(50);
      });
    }
  }
});

/** Instructions of a kind, e.g. calls or compares against data_end (r9). */
const calls = (p: EbpfProgram) => p.filter((i) => i.kind === 'call' && i.imm === HELPER_SKB_LOAD_BYTES).length;
const endChecks = (p: EbpfProgram) => p.filter((i) => i.kind === 'jmp' && 'src' in i && i.src === 9).length;

describe('toEbpf structure', () => {
  const PKT = hex('000102030405 0a0b0c0d0e0f 0800 4500002812344000400600 00c0a80001c0a80002 04d20050 0000000100000000500220000000 0000');

  it('one bounds check / one window per straight-line group of absolute loads', () => {
    // A = pkt[12:2] + pkt[23] + pkt[26:4]: three loads, one block
    const prog = assemble('ldh [12]\ntax\nldb [23]\nadd x\ntax\nld [26]\nadd x\nret a');
    const xdp = toEbpf(prog, { hook: 'xdp' });
    const sock = toEbpf(prog, { hook: 'socket' });
    expect(endChecks(xdp)).toBe(1);
    expect(calls(sock)).toBe(1);
    for (const hook of HOOKS) for (const engine of ENGINE_NAMES) {
      expect(runConverted(prog, hook, engine, PKT, PKT.length, 'value')).toBe(interpret(prog, PKT));
    }
  });

  it('xdp: a block whose loads every path into it has already bounds-checked gets no check', () => {
    // both successors load within the 14 bytes the first block proved; the third needs more
    const prog = assemble('ldh [12]\njeq #0x800, a, b\na: ldb [13]\nret a\nb: ldh [12]\njeq #0x86dd, c, d\nc: ld [20]\nret a\nd: ret #0');
    expect(endChecks(toEbpf(prog, { hook: 'xdp' }))).toBe(2);
    for (const engine of ENGINE_NAMES) for (const pkt of [PKT, PKT.subarray(0, 14), PKT.subarray(0, 22)]) {
      const v6 = Uint8Array.from(pkt);
      v6[12] = 0x86; v6[13] = 0xdd;
      for (const p of [pkt, v6]) expect(runConverted(prog, 'xdp', engine, p, p.length, 'value')).toBe(interpret(prog, p));
    }
  });

  it('[x + k] loads share one guard while X keeps its value, and get a new one when X changes', () => {
    const same = assemble('ldxb 4*([14]&0xf)\nldh [x+14]\nst M[0]\nldh [x+16]\nldx M[0]\nadd x\nret a');
    expect(endChecks(toEbpf(same, { hook: 'xdp' }))).toBe(2); // msh block check + one X group
    expect(calls(toEbpf(same, { hook: 'socket' }))).toBe(2);
    const changed = assemble('ldxb 4*([14]&0xf)\nldh [x+14]\ntax\nldh [x+16]\nret a');
    expect(endChecks(toEbpf(changed, { hook: 'xdp' }))).toBe(3);
    for (const prog of [same, changed]) for (const hook of HOOKS) for (const engine of ENGINE_NAMES) {
      expect(runConverted(prog, hook, engine, PKT, PKT.length, 'value')).toBe(interpret(prog, PKT));
    }
  });

  it('a failing hoisted check returns 0, as the failing load would', () => {
    const prog = assemble('ldb [0]\nadd #1\nld [60]\nret a');
    const short = hex('01 02 03');
    for (const hook of HOOKS) for (const engine of ENGINE_NAMES) {
      expect(runConverted(prog, hook, engine, short, 3, 'value')).toBe(0);
      expect(runConverted(prog, hook, engine, new Uint8Array(64).fill(1), 64, 'value')).toBe(0x01010101);
    }
  });

  it('zeroes A, X and M[i] only where a read may come first', () => {
    const zeroStores = (p: EbpfProgram) => p.filter((i) => i.kind === 'st' && i.imm === 0).length;
    const movZero = (p: EbpfProgram, r: number) => p.some((i) => i.kind === 'alu' && i.op === 'mov' && i.dst === r && 'imm' in i && i.imm === 0);
    expect(zeroStores(toEbpf(assemble('ld M[3]\nret a'), { hook: 'socket' }))).toBe(1);
    expect(zeroStores(toEbpf(assemble('ld #5\nst M[3]\nld M[3]\nret a'), { hook: 'socket' }))).toBe(0);
    // written on one path only: the join may read it first
    expect(zeroStores(toEbpf(assemble('ld #1\njeq #1, w, r\nw: st M[2]\nr: ld M[2]\nret a'), { hook: 'socket' }))).toBe(1);
    expect(movZero(toEbpf(assemble('ret a'), { hook: 'socket' }), 6)).toBe(true);
    expect(movZero(toEbpf(assemble('ld #1\nret a'), { hook: 'socket' }), 6)).toBe(false);
    expect(movZero(toEbpf(assemble('txa\nret a'), { hook: 'socket' }), 7)).toBe(true);
  });

  it('backward ja is a loop bounded at MAX_BACKWARD_JUMPS (64) jumps per packet, then return 0', () => {
    // A counts passes; `ja` at pc 3 jumps back to pc 1.
    const loop = (n: number): CbpfProgram => [
      { code: 0x00, jt: 0, jf: 0, k: 0 }, // ld #0
      { code: 0x04, jt: 0, jf: 0, k: 1 }, // add #1
      { code: 0x15, jt: 1, jf: 0, k: n }, // jeq #n, done, back
      { code: 0x05, jt: 0, jf: 0, k: -3 >>> 0 }, // ja pc 1
      { code: 0x16, jt: 0, jf: 0, k: 0 }, // ret a
    ];
    const self: CbpfProgram = [{ code: 0x05, jt: 0, jf: 0, k: 0xffffffff }]; // ja to itself
    for (const hook of HOOKS) for (const engine of ENGINE_NAMES) {
      for (const n of [1, 10, 64, 65, 66, 100]) {
        // n passes take n - 1 backward jumps
        const want = n - 1 <= MAX_BACKWARD_JUMPS ? n : 0;
        expect(runConverted(loop(n), hook, engine, new Uint8Array(20), 20, 'value')).toBe(want);
        // the reference interpreter agrees wherever its own (larger) budget is not the limit
        if (n - 1 <= MAX_BACKWARD_JUMPS) expect(interpret(loop(n), new Uint8Array(20))).toBe(n);
      }
      expect(runConverted(self, hook, engine, new Uint8Array(20), 20, 'value')).toBe(0);
    }
  });

  it('xdp maps the verdict to XDP_PASS / XDP_DROP, or returns it with xdpResult "value"', () => {
    const pkt = new Uint8Array(20);
    for (const engine of ENGINE_NAMES) {
      expect(runConverted(assemble('ret #96'), 'xdp', engine, pkt)).toBe(XDP_PASS);
      expect(runConverted(assemble('ret #0'), 'xdp', engine, pkt)).toBe(XDP_DROP);
      expect(runConverted(assemble('ld #7\nret a'), 'xdp', engine, pkt)).toBe(XDP_PASS);
      expect(runConverted(assemble('ld #0\nret a'), 'xdp', engine, pkt)).toBe(XDP_DROP);
      expect(runConverted(assemble('ret #96'), 'xdp', engine, pkt, 20, 'value')).toBe(96);
    }
  });

  it('len is the wire length at the socket hook and the frame length at XDP', () => {
    const prog = assemble('ld #len\nret a');
    const pkt = new Uint8Array(30);
    expect(runConverted(prog, 'socket', 'jit', pkt, 1500)).toBe(1500);
    expect(runConverted(prog, 'xdp', 'jit', pkt, 1500, 'value')).toBe(30);
  });

  it('programs longer than 16-bit jumps reach: gotol for a far ja, exit islands for far guards', () => {
    const prog = farJumpProgram();
    const conv = convert(prog, { hook: 'socket' });
    expect(conv.prog.length).toBeGreaterThan(0x8000);
    expect(conv.prog.some((i) => i.kind === 'gotol')).toBe(true);
    // every jump lands inside the program
    conv.prog.forEach((i, pc) => {
      if (i.kind === 'jmp' || i.kind === 'ja') expect(pc + 1 + i.off).toBeLessThan(conv.prog.length);
    });
    const pkt = new Uint8Array(64).map((_, i) => i * 3);
    for (const hook of HOOKS) for (const engine of ['interp', 'jit'] as const) {
      expect(runConverted(prog, hook, engine, pkt, 64, 'value')).toBe(interpret(prog, pkt));
      expect(runConverted(prog, hook, engine, pkt.subarray(0, 3), 3, 'value')).toBe(0);
    }
    expect(interpret(prog, pkt)).not.toBe(0);
  });

  it('rejects what it cannot convert with a UserError', () => {
    const err = (f: () => unknown) => { try { f(); } catch (e) { return e; } return undefined; };
    const e1 = err(() => toEbpf([], { hook: 'socket' }));
    expect(e1).toBeInstanceOf(UserError);
    expect((e1 as UserError).code).toBe('CONVERT_EMPTY');
    const e2 = err(() => toEbpf(assemble('ret #1'), { hook: 'sk_msg' as ConvertHook }));
    expect((e2 as UserError).code).toBe('CONVERT_BAD_HOOK');
  });
});
