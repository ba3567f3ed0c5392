/**
 * The reference interpreter on the engine-independent case table (test/cbpf/cases.ts), and the
 * case table itself against libpcap 1.10.3's bpf_filter (golden libpcap-cases.jsonl): every case
 * not marked `libpcapDiffers` must give libpcap's result. Plus robustness properties: random
 * programs never throw and always return an unsigned 32-bit value; caplen bounds every load.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInterpreter, interpret } from '../../src/cbpf/interpret.ts';
import { CBPF_CASES, caseProgram, casePacket } from './cases.ts';
import { OPCODES } from '../../src/isa/cbpf/opcodes.ts';
import { goldenDir } from './corpus-path.ts';
import { BACKWARD_JUMP_BUDGET } from '../../src/cbpf/interpret.ts';
import { compile } from '../../src/filter/index.ts';
import { assemble } from '../../src/isa/cbpf/asm.ts';
import type { CbpfProgram } from '../../src/isa/cbpf/types.ts';

describe('case table on the reference interpreter', () => {
  it('uses every opcode of the table at least once', () => {
    const used = new Set(CBPF_CASES.flatMap((c) => caseProgram(c).map((i) => i.code)));
    expect(OPCODES.filter((r) => !used.has(r.code)).map((r) => r.code)).toEqual([]);
  });

  for (const c of CBPF_CASES) {
    it(c.name, () => {
      const pkt = casePacket(c);
      const wirelen = c.wirelen ?? pkt.length;
      expect(interpret(caseProgram(c), pkt, wirelen)).toBe(c.expect);
      // The pre-decoded form with an explicit caplen gives the same answer.
      expect(createInterpreter(caseProgram(c))(pkt, pkt.length, wirelen)).toBe(c.expect);
    });
  }
});

describe('case table vs libpcap 1.10.3 bpf_filter', () => {
  const golden = readFileSync(join(goldenDir, 'libpcap-cases.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as { name: string; bpfValidate: boolean; bpfFilter: number | string });

  it('golden is current (regenerate with test/tools/gen-cbpf-golden.ts --only cases)', () => {
    expect(golden.map((g) => g.name)).toEqual(CBPF_CASES.map((c) => c.name));
  });

  it('agrees with libpcap on every case not marked libpcapDiffers', () => {
    const disagree = CBPF_CASES.flatMap((c, i) =>
      !c.libpcapDiffers && golden[i]!.bpfFilter !== c.expect ? [`${c.name}: libpcap ${golden[i]!.bpfFilter}, table ${c.expect}`] : []);
    expect(disagree).toEqual([]);
    expect(CBPF_CASES.filter((c) => !c.libpcapDiffers).length).toBeGreaterThan(70);
  });

  it('libpcap really crashes where the table says it aborts or traps', () => {
    for (const [i, c] of CBPF_CASES.entries()) {
      if (c.libpcapDiffers?.includes('abort()')) expect(golden[i]!.bpfFilter).toBe('signal 6');
      if (c.libpcapDiffers?.includes('SIGFPE')) expect(golden[i]!.bpfFilter).toBe('signal 8');
    }
  });
});

describe('interpreter properties', () => {
  const insn = fc.record({
    code: fc.oneof(fc.integer({ min: 0, max: 0xff }), fc.constantFrom(0x00, 0x01, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x15, 0x25, 0x35, 0x45, 0x16, 0x06, 0xb1, 0x60, 0x61, 0x02, 0x03)),
    jt: fc.integer({ min: 0, max: 255 }),
    jf: fc.integer({ min: 0, max: 255 }),
    k: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 0xffffffff })),
  });

  it('never throws and returns a uint32 on random programs and packets', () => {
    fc.assert(fc.property(fc.array(insn, { minLength: 0, maxLength: 40 }), fc.uint8Array({ maxLength: 64 }), fc.nat(), (prog, pkt, wirelen) => {
      const r = interpret(prog, pkt, wirelen);
      expect(Number.isInteger(r) && r >= 0 && r <= 0xffffffff).toBe(true);
    }), { numRuns: 2000 });
  });

  it('caplen bounds loads: running on a prefix view equals running with that caplen', () => {
    fc.assert(fc.property(fc.array(insn, { minLength: 1, maxLength: 30 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(64), (prog, pkt, cut) => {
      const caplen = Math.min(cut, pkt.length);
      const f = createInterpreter(prog);
      expect(f(pkt, caplen, 100)).toBe(f(pkt.subarray(0, caplen), caplen, 100));
    }), { numRuns: 1000 });
  });

  it('an empty program rejects', () => {
    expect(interpret([], new Uint8Array(10))).toBe(0);
  });
});

describe('backward-jump budget', () => {
  // `n` passes of a counting loop take n - 1 backward jumps (the last pass leaves forward).
  const loop = (n: number, jas: 1 | 2): CbpfProgram => assemble(jas === 1
    ? `ldx #0\nloop: txa\nadd #1\ntax\njge #${n}, out, back\nback: ja loop\nout: ret a`
    : `ldx #0\nloop: txa\nadd #1\ntax\njge #${n}, out, back\nback: jset #1, odd, even\nodd: ja loop\neven: ja loop\nout: ret a`);

  it('allows exactly BACKWARD_JUMP_BUDGET × (caplen + 1) backward jumps per backward ja', () => {
    for (const caplen of [0, 1, 16, 100]) {
      const pkt = new Uint8Array(caplen);
      const budget = BACKWARD_JUMP_BUDGET * (caplen + 1);
      expect(interpret(loop(budget + 1, 1), pkt)).toBe(budget + 1);
      expect(interpret(loop(budget + 2, 1), pkt)).toBe(0);
      expect(interpret(loop(2 * budget + 1, 2), pkt)).toBe(2 * budget + 1);
      expect(interpret(loop(2 * budget + 2, 2), pkt)).toBe(0);
      // caplen, not the view's length, sets the budget
      expect(createInterpreter(loop(budget + 2, 1))(new Uint8Array(caplen + 10), caplen, caplen)).toBe(0);
    }
  });

  /** Ethernet + IPv6 whose chain is `count` destination-options headers, then `last` (8 bytes). */
  function ip6Chain(count: number, last: number): Uint8Array {
    const pkt = new Uint8Array(14 + 40 + 8 * count + 8);
    pkt.set([0x86, 0xdd], 12);
    pkt[14] = 0x60;
    pkt[14 + 6] = count > 0 ? 60 : last;
    for (let i = 0; i < count; i++) pkt[54 + 8 * i] = i + 1 < count ? 60 : last; // len 0: 8 bytes
    return pkt;
  }

  it('ip6 protochain walks 1,000 extension headers, as libpcap 1.10.3 does', () => {
    const prog = compile('ip6 protochain 17', { linkType: 1, snaplen: 262144, optimize: true });
    for (const count of [0, 1, 63, 64, 65, 100, 1000]) {
      expect(interpret(prog, ip6Chain(count, 17)), `udp after ${count}`).toBe(262144);
      expect(interpret(prog, ip6Chain(count, 6)), `tcp after ${count}`).toBe(0);
    }
  });

  it('stops an AH that points back at itself (1.10.3 loops forever: it resets X to the AH length)', () => {
    const prog = compile('ip6 protochain 17', { linkType: 1, snaplen: 262144, optimize: true });
    const pkt = new Uint8Array(14 + 40 + 48);
    pkt.set([0x86, 0xdd, 0x60], 12);
    pkt[14 + 6] = 51; // AH first
    pkt[54] = 51; // next header: AH again
    pkt[55] = 8; // (8 + 2) * 4 = 40: the same offset
    expect(interpret(prog, pkt)).toBe(0);
  });

  it('stops `ja -1` on a 64 KiB packet in well under a second', () => {
    const t0 = performance.now();
    expect(interpret([{ code: 0x05, jt: 0, jf: 0, k: 0xffffffff }], new Uint8Array(65535))).toBe(0);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('a packet passed as a window of a larger buffer', () => {
  it('gives the verdict of the packet alone, and never reads the bytes around it (seeded)', () => {
    const progs = ['tcp port 80', 'ip[2:2] > 576', 'tcp[(tcp[12] >> 4) * 4] = 0x47', 'ether[0:4] = 1 or len > 100', 'ip6 protochain 6']
      .map((e) => createInterpreter(compile(e, { linkType: 1, snaplen: 262144, optimize: true })));
    const eth = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45, 0, 0x02, 0x40, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0, 80, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0, 0, 0, 0, 0, 0, 0x47];
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 80 }), fc.nat(40), fc.nat(40), fc.integer({ min: 0, max: 255 }), fc.boolean(),
      (tail, before, after, fill, useEth) => {
        const pkt = Uint8Array.from(useEth ? [...eth, ...tail] : tail);
        const buf = new Uint8Array(before + pkt.length + after).fill(fill);
        buf.set(pkt, before);
        for (const f of progs) {
          for (const caplen of [pkt.length, Math.floor(pkt.length / 2)]) {
            expect(f(buf, caplen, pkt.length, before)).toBe(f(pkt.subarray(0, caplen), caplen, pkt.length));
          }
        }
      }), { seed: 0x0ff5e7, numRuns: 400 });
  });
});
