/**
 * The bpf_conformance suite through the Linux kernel: every test program is loaded by the
 * kernel verifier and, when accepted, run by BPF_PROG_TEST_RUN (through the kernel's JIT), and its
 * 64-bit r0 is compared with the suite's `-- result`. This checks our oracle plumbing (the wrapper
 * in test/tools/kernel-oracle.ts) against known answers, so later differential tests can trust it,
 * and it records which conformance programs the kernel refuses and why.
 *
 * Then the three-way comparison: on every program the kernel runs, each tsdump engine (through
 * the conformance plugin's entry point, so with the suite's helper 5) must give the kernel's r0.
 *
 * Programs come from the suite's own assembler output (assembled-by-bpf_conformance-assembler.jsonl),
 * so this file does not depend on tsdump's assembler. Rejections must fall into documented
 * categories (the kernel refuses shifts by out-of-range immediates, which RFC 9669 masks, and has
 * no callx); any other rejection means the wrapper is wrong and fails the test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kernelOrSkip, mustNotSkip, slotOffset, wrapProgram } from '../tools/kernel-oracle.ts';
import { runConformance } from '../../src/cli/commands/bpf-conformance-plugin.ts';
import { ENGINE_NAMES } from '../../src/runtime/index.ts';
import type { RunOutcome } from '../tools/kernel-oracle.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpusFile = join(root, 'test', 'corpus', 'bpf_conformance', 'assembled-by-bpf_conformance-assembler.jsonl');

interface ConformanceRow {
  file: string;
  program_hex: string;
  mem_hex: string;
  result: string;
  cpu_version: number;
  groups: number;
}

function readCorpus(skip: (note: string) => never): ConformanceRow[] {
  if (existsSync(corpusFile)) {
    return readFileSync(corpusFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ConformanceRow);
  }
  const why = 'bpf_conformance corpus not found at test/corpus (relative to the repository root)';
  if (mustNotSkip) throw new Error(`${why} (CI=true, so this fails instead of skipping)`);
  console.warn(`SKIPPED: ${why}`);
  return skip(why);
}

const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

/** Does the program call helper 5? (conformance: "unwind"; kernel: bpf_ktime_get_ns) */
function callsHelper5(prog: Uint8Array): boolean {
  const v = new DataView(prog.buffer, prog.byteOffset, prog.length);
  for (let pc = 0; pc + 8 <= prog.length; pc += 8) {
    if (prog[pc] === 0x85 && prog[pc + 1]! >> 4 === 0 && v.getInt32(pc + 4, true) === 5) return true;
  }
  return false;
}

/**
 * Why the kernel may legitimately refuse a conformance program. Each entry is a reason pattern
 * and the explanation printed next to it.
 */
const expectedRejections: { pattern: RegExp; why: string; when?: (row: ConformanceRow, kernel: [number, number]) => boolean }[] = [
  { pattern: /^invalid shift -?\d+$/, why: 'shift by an out-of-range immediate: RFC 9669 masks it, the kernel verifier refuses it' },
  { pattern: /unknown opcode 8d/, why: 'callx (jump through a register) is not in the kernel ISA' },
  {
    pattern: /unknown opcode|invalid|reserved/,
    why: 'cpu v4 instruction on a kernel older than 6.6',
    when: (row, k) => row.cpu_version >= 4 && (k[0] < 6 || (k[0] === 6 && k[1] < 6)),
  },
  { pattern: /back-edge|infinite loop|loop/, why: 'loop refused by the verifier (bounded loops need kernel >= 5.3)' },
];

describe('kernel oracle wrapper', () => {
  it('lays out main so that the program sees r1 = memory, r2 = length', ({ skip }) => {
    const k = kernelOrSkip(skip);
    // r0 = r2 (the length) + first memory byte; reads through r1 at a constant offset.
    const prog = bytes('bf2000000000000071130000000000000f300000000000009500000000000000');
    const mem = new Uint8Array([40, 1, 2]);
    for (const mode of ['xdp', 'syscall'] as const) {
      const [o] = k.run([{ prog, mem }], mode);
      expect(o, mode).toMatchObject({ kind: 'ok', r0: 43n, retval: 43 });
    }
    // The wrapper is main + program; main is 14 insns in xdp mode with memory, 5 in syscall mode.
    expect(wrapProgram(prog, 3, 'xdp').length).toBe(14 * 8 + prog.length);
    expect(wrapProgram(prog, 3, 'syscall').length).toBe(5 * 8 + prog.length);
    expect(slotOffset(3)).toBe(8);
    expect(slotOffset(16)).toBe(16);
  });

  it('returns the full 64-bit r0 and the 32-bit retval the kernel itself reports', ({ skip }) => {
    const k = kernelOrSkip(skip);
    const prog = bytes('18000000f0debc9a' + '0000000078563412' + '9500000000000000') // lddw r0, 0x123456789abcdef0; exit;
    for (const mode of ['xdp', 'syscall'] as const) {
      const [o] = k.run([{ prog, mem: new Uint8Array(0) }], mode);
      expect(o, mode).toMatchObject({ kind: 'ok', r0: 0x123456789abcdef0n, retval: 0x9abcdef0 });
    }
  });

  it('times repeated runs in the kernel (BPF_PROG_TEST_RUN repeat)', ({ skip }) => {
    const k = kernelOrSkip(skip);
    const prog = bytes('18000000f0debc9a' + '0000000078563412' + '9500000000000000');
    const [o] = k.run([{ prog, mem: new Uint8Array(0) }], 'xdp', 1000);
    expect(o).toMatchObject({ kind: 'ok', r0: 0x123456789abcdef0n });
    if (o!.kind === 'ok') expect(o!.nsPerRun).toBeGreaterThan(0);
  });

  it('reports a rejection with the verifier reason', ({ skip }) => {
    const k = kernelOrSkip(skip);
    const [o] = k.run([{ prog: bytes('9500000000000000'), mem: new Uint8Array(0) }], 'xdp'); // exit with r0 unset
    expect(o!.kind).toBe('reject');
    if (o!.kind === 'reject') expect(o!.reason).toMatch(/R0 !read_ok/);
  });

  it('probes the kernel version and instruction-set features', ({ skip }) => {
    const k = kernelOrSkip(skip);
    const f = k.probeFeatures();
    const [maj, min] = k.info.version;
    console.log(`kernel ${k.info.release}, bpf_jit_enable=${k.info.jitEnable}`);
    for (const [name, ok] of Object.entries(f)) console.log(`  ${ok ? 'yes' : 'no '}  ${name}`);
    // Facts we can check from the version alone: cpu v4 arrived in 6.6, jmp32 in 5.1.
    const atLeast = (a: number, b: number) => maj > a || (maj === a && min >= b);
    if (atLeast(6, 6)) expect(f['v4: movsx'] && f['v4: ldsx'] && f['v4: bswap'] && f['v4: sdiv/smod'] && f['v4: gotol (ja32)']).toBe(true);
    if (atLeast(5, 1)) expect(f['v3: jmp32']).toBe(true);
    expect(f['v2: jlt']).toBe(true);
  });
});

describe('bpf_conformance through the kernel', () => {
  it('agrees with every `-- result` the kernel can run; rejections have known reasons', ({ skip }) => {
    const k = kernelOrSkip(skip);
    const rows = readCorpus(skip);
    const items = rows.map((r) => ({ prog: bytes(r.program_hex), mem: bytes(r.mem_hex) }));
    const xdp = k.run(items, 'xdp');
    const sys = k.run(items, 'syscall');

    let viaXdp = 0, viaSyscallOnly = 0, agree = 0;
    const disagree: string[] = [], notComparable: string[] = [], rejected: string[] = [], unexplained: string[] = [];
    rows.forEach((row, i) => {
      const x = xdp[i]!, s = sys[i]!;
      const o: RunOutcome = x.kind === 'ok' ? x : s;
      if (x.kind === 'ok') viaXdp++;
      else if (s.kind === 'ok') viaSyscallOnly++;
      if (o.kind === 'ok') {
        const expected = BigInt.asUintN(64, BigInt(row.result));
        // The kernel's own retval is the low half of r0: check the wrapper read the right slot.
        expect(o.retval, `${row.file}: retval vs r0`).toBe(Number(o.r0 & 0xffffffffn));
        // When both modes ran, they must agree with each other.
        if (x.kind === 'ok' && s.kind === 'ok') expect(s.r0, `${row.file}: syscall vs xdp`).toBe(x.r0);
        if (o.r0 === expected) agree++;
        else if (callsHelper5(items[i]!.prog)) notComparable.push(`${row.file}: kernel 0x${o.r0.toString(16)} (helper 5 is bpf_ktime_get_ns in the kernel)`);
        else disagree.push(`${row.file}: kernel 0x${o.r0.toString(16)}, expected ${row.result}`);
        return;
      }
      if (o.kind === 'fail') {
        unexplained.push(`${row.file}: test run failed: ${o.stage} ${o.message}`);
        return;
      }
      const reason = x.kind === 'reject' ? x.reason : o.reason;
      const cat = expectedRejections.find((c) => c.pattern.test(reason) && (c.when?.(row, k.info.version) ?? true));
      rejected.push(`${row.file.padEnd(28)} ${reason}${cat ? `  [${cat.why}]` : ''}`);
      if (!cat) unexplained.push(`${row.file}: ${reason}`);
    });

    console.log(
      `bpf_conformance via kernel ${k.info.release}: ${rows.length} programs, ` +
        `${viaXdp + viaSyscallOnly} accepted (${viaXdp} as XDP, ${viaSyscallOnly} only as SYSCALL), ` +
        `${agree} agree with -- result, ${disagree.length} disagree, ${notComparable.length} not comparable, ` +
        `${rejected.length} rejected by the verifier:`,
    );
    for (const r of rejected) console.log(`  ${r}`);
    for (const r of notComparable) console.log(`  not comparable: ${r}`);

    expect(disagree).toEqual([]);
    expect(unexplained).toEqual([]);
    // The wrapper must get most of the suite through; a regression would show up here first.
    expect(agree).toBeGreaterThan(rows.length * 0.9);
  });
});

describe('bpf_conformance: kernel ≡ every tsdump engine', () => {
  it("gives the kernel's r0 on every program the kernel accepts", ({ skip }) => {
    const k = kernelOrSkip(skip);
    const rows = readCorpus(skip);
    const items = rows.map((r) => ({ prog: bytes(r.program_hex), mem: bytes(r.mem_hex) }));
    const kernel = k.runBest(items);
    const disagree: string[] = [];
    let compared = 0;
    rows.forEach((row, i) => {
      const o = kernel[i]!;
      if (o.kind !== 'ok') return;
      compared++;
      for (const engine of ENGINE_NAMES) {
        let got: string;
        try {
          got = runConformance(items[i]!.prog, items[i]!.mem, engine);
        } catch (e) {
          got = `error: ${(e as Error).message}`;
        }
        if (got !== o.r0.toString(16)) disagree.push(`${row.file} ${engine}: 0x${got}, kernel 0x${o.r0.toString(16)}`);
      }
    });
    console.log(`bpf_conformance: ${compared} programs compared, kernel vs ${ENGINE_NAMES.join(', ')}: ${disagree.length} disagreements`);
    expect(disagree).toEqual([]);
    expect(compared).toBeGreaterThan(rows.length * 0.9);
  });
});
