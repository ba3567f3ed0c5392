/**
 * Differential test on random programs: the same seeded programs (test/tools/random-ebpf.ts) run
 * on every engine we have, and every engine must produce the same 64-bit r0. The Linux kernel
 * (verifier + x86 JIT, through test/tools/kernel-oracle.ts) is the reference; tsdump's engines
 * join the comparison through `engines` below.
 *
 * The kernel's retval is 32 bits; the wrapper also stores the full 64-bit r0 behind the memory
 * and reads it back, so the comparison is on all 64 bits (and the test checks that the 32-bit
 * retval is the low half). The generator folds every register, stack slot and memory word into
 * r0 with an invertible step, so a wrong value anywhere shows up in r0.
 *
 * On a mismatch the test prints the seed, the program index and its listing: randomProgram(seed,
 * index, options) reproduces it exactly.
 *
 * A known kernel bug: before upstream commit 179ee84a8911 ("bpf: Fix incorrect pruning due to
 * atomic fetch precision tracking", April 2026) the verifier did not carry precision from the
 * register an atomic fetch/xchg/cmpxchg writes back to the stack slot it read, so it could prune
 * a path wrongly and hard-wire a later branch (kernel 6.18.44 has the bug; see
 * kernel-known-bugs.test.ts for a minimal program). A disagreement where every tsdump engine
 * agrees, the kernel differs and the program uses an atomic fetch is reported as that bug; any
 * other disagreement fails.
 */
import { describe, expect, it } from 'vitest';
import { randomPrograms } from '../tools/random-ebpf.ts';
import type { RandomProgram } from '../tools/random-ebpf.ts';
import { kernelOrSkip } from '../tools/kernel-oracle.ts';
import type { KernelOracle, RunOutcome } from '../tools/kernel-oracle.ts';
import { decodeProgram } from '../../src/isa/ebpf/codec.ts';
import { ENGINE_NAMES, load } from '../../src/runtime/index.ts';
import type { EngineName } from '../../src/runtime/index.ts';
import { JS_BATCH_ENGINES, batchVsSingle } from './batch-harness.ts';

/** Fixed so runs are reproducible; override with RANDOM_EBPF_SEED / RANDOM_EBPF_COUNT to explore. */
const SEED = Number(process.env.RANDOM_EBPF_SEED ?? 0x7d0_2026);
const COUNT = Number(process.env.RANDOM_EBPF_COUNT ?? 2000);

const hex64 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;

function describeCase(p: RandomProgram, detail: string): string {
  return `seed ${SEED} index ${p.index}: ${detail}\nmem ${Buffer.from(p.mem).toString('hex')}\n${p.listing.join('\n')}`;
}

/** Does the program contain an atomic that writes a register (fetch forms, xchg, cmpxchg)? */
function hasAtomicFetch(prog: Uint8Array): boolean {
  for (let pc = 0; pc < prog.length; pc += 8) {
    const code = prog[pc]!;
    if ((code === 0xc3 || code === 0xdb) && (prog[pc + 4]! & 0x01) !== 0) return true;
  }
  return false;
}

/** Runs one program on one tsdump engine: r0, or the error text. */
function runEngine(engine: EngineName, p: RandomProgram): bigint | string {
  try {
    return load(decodeProgram(p.prog), { engine }).run64({ mem: p.mem.slice() });
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

describe(`random eBPF programs, seed ${SEED}, ${COUNT} programs`, () => {
  const programs = randomPrograms(SEED, COUNT);
  let kernelCache: RunOutcome[] | undefined;
  const kernelRuns = (k: KernelOracle) => (kernelCache ??= k.run(programs.map((p) => ({ prog: p.prog, mem: p.mem })), 'xdp'));
  // Each engine's result per program, computed once (load + run time summed per engine).
  const engineTime: Record<string, number> = {};
  let engineCache: (bigint | string)[][] | undefined;
  const engineRuns = () =>
    (engineCache ??= programs.map((p) =>
      ENGINE_NAMES.map((engine) => {
        const t0 = performance.now();
        const r = runEngine(engine, p);
        engineTime[engine] = (engineTime[engine] ?? 0) + performance.now() - t0;
        return r;
      }),
    ));

  it('the kernel runs all of them; XDP and SYSCALL wrappers agree; retval is the low half of r0', ({ skip }) => {
    const k = kernelOrSkip(skip);
    const items = programs.map((p) => ({ prog: p.prog, mem: p.mem }));
    const t0 = performance.now();
    const xdp = kernelRuns(k);
    const ms = performance.now() - t0;
    const sys = k.run(items, 'syscall');
    let both = 0;
    const problems: string[] = [];
    programs.forEach((p, i) => {
      const x = xdp[i]!, s = sys[i]!;
      if (x.kind !== 'ok') {
        problems.push(describeCase(p, `kernel (xdp) ${x.kind}: ${x.kind === 'reject' ? x.reason : x.message}`));
        return;
      }
      if (x.retval !== Number(x.r0 & 0xffffffffn)) problems.push(describeCase(p, `retval ${x.retval} is not the low half of ${hex64(x.r0)}`));
      // SYSCALL mode (mem is the context, not a packet) may refuse what XDP accepts: compare where it runs.
      if (s.kind === 'ok') {
        both++;
        if (s.r0 !== x.r0) problems.push(describeCase(p, `xdp ${hex64(x.r0)} vs syscall ${hex64(s.r0)}`));
      }
    });
    const distinct = new Set(xdp.map((o) => (o.kind === 'ok' ? o.r0 : -1n))).size;
    console.log(
      `kernel ${k.info.release}: ${COUNT} random programs (seed ${SEED}) loaded and run in ${ms.toFixed(0)} ms; ` +
        `${both} also ran as SYSCALL; ${distinct} distinct results`,
    );
    expect(problems.slice(0, 3)).toEqual([]);
    // The fold is sensitive: random programs should almost never collide on a 64-bit result.
    expect(distinct).toBeGreaterThan(COUNT * 0.95);
    expect(both).toBeGreaterThan(COUNT * 0.2);
  });

  it(`every tsdump engine gives the same r0 (${ENGINE_NAMES.join(' ≡ ')})`, () => {
    // Runs everywhere: no kernel needed.
    const results = engineRuns();
    const problems: string[] = [];
    programs.forEach((p, i) => {
      let first: bigint | undefined;
      ENGINE_NAMES.forEach((engine, j) => {
        const r = results[i]![j]!;
        if (typeof r === 'string') problems.push(describeCase(p, `${engine}: ${r}`));
        else if (first === undefined) first = r;
        else if (r !== first) problems.push(describeCase(p, `${ENGINE_NAMES[0]} ${hex64(first)}, ${engine} ${hex64(r)}`));
      });
    });
    console.log(`${COUNT} random programs: ${ENGINE_NAMES.map((e) => `${e} ${engineTime[e]!.toFixed(0)} ms (load + run)`).join(', ')}`);
    expect(problems.slice(0, 3)).toEqual([]);
  }, 300_000); // every engine loads every program: about 100 s alone on 2 cores

  it('every tsdump engine agrees on loops mixed with branches (programs the kernel cannot verify)', () => {
    // Bounded loops around bodies with branches on unknown values: the kernel 6.18 verifier runs
    // into its 1M-instruction limit on many of these (see RandomProgramOptions.loops), but
    // tsdump's engines need no verifier to run them, and back-edges plus branches are where a
    // JIT's control flow is most likely to go wrong.
    const looped = randomPrograms(SEED + 1, 500, { loops: true });
    const problems: string[] = [];
    let withLoops = 0;
    for (const p of looped) {
      if (p.listing.some((l) => /jne r\d, 0 -\d/.test(l))) withLoops++;
      const rs = ENGINE_NAMES.map((e) => runEngine(e, p));
      if (typeof rs[0] === 'string' || rs.some((r) => r !== rs[0])) {
        problems.push(describeCase(p, ENGINE_NAMES.map((e, j) => `${e} ${typeof rs[j] === 'bigint' ? hex64(rs[j]) : rs[j]}`).join(', ')));
      }
    }
    console.log(`loops + branches: ${looped.length} programs (${withLoops} with a loop), engines agree on ${looped.length - problems.length}`);
    expect(withLoops).toBeGreaterThan(looped.length / 4);
    expect(problems.slice(0, 3)).toEqual([]);
  });

  it('the batch forms give every packet the interpreter\'s r0 (jit, jit-dispatch, jit64; straight-line, branches, loops, calls)', () => {
    // Each program runs on a block of three packets with r1 = its memory as a writable context
    // (test/runtime/batch-harness.ts): the memory carries over from packet to packet in both
    // forms, so later packets see the stores of earlier ones; the batch call runs twice (generic,
    // then specialized).
    // Verdicts are r0's low 32 bits: the 64-bit rows are the single run's, compared above.
    const progs = [...programs.slice(0, 400), ...randomPrograms(SEED + 1, 150, { loops: true })];
    const problems: string[] = [];
    let compared = 0;
    for (const p of progs) {
      const prog = decodeProgram(p.prog);
      for (const engine of JS_BATCH_ENGINES) {
        const r = batchVsSingle(engine, { prog, ctx: p.mem, packets: [Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)] });
        if (r === undefined) { problems.push(describeCase(p, `${engine}: no batch form`)); continue; }
        compared++;
        if (r.want.fault !== undefined) problems.push(describeCase(p, `interpreter: ${r.want.fault}`));
        r.got.forEach((got, k) => {
          if (JSON.stringify(got) !== JSON.stringify(r.want)) problems.push(describeCase(p, `${engine} batch call ${k}: ${JSON.stringify(got)}, interpreter ${JSON.stringify(r.want)}`));
        });
      }
    }
    console.log(`batch forms: ${compared} program × engine blocks compared with the interpreter`);
    expect(problems.slice(0, 3)).toEqual([]);
    expect(compared).toBe(progs.length * JS_BATCH_ENGINES.length);
  });

  it('the kernel gives the same r0 as tsdump (interpreter ≡ JIT ≡ kernel)', ({ skip }) => {
    const k = kernelOrSkip(skip);
    const kernel = kernelRuns(k);
    let agree = 0;
    const knownKernelBug: string[] = [];
    const problems: string[] = [];
    programs.forEach((p, i) => {
      const o = kernel[i]!;
      if (o.kind !== 'ok') {
        problems.push(describeCase(p, `kernel ${o.kind}: ${o.kind === 'reject' ? o.reason : o.message}`));
        return;
      }
      const ours = engineRuns()[i]!;
      const enginesAgree = ours.every((r) => r === ours[0]);
      if (ours.every((r) => r === o.r0)) agree++;
      else if (enginesAgree && hasAtomicFetch(p.prog)) knownKernelBug.push(`seed ${SEED} index ${p.index}: tsdump ${String(ours[0])}, kernel ${hex64(o.r0)}`);
      else problems.push(describeCase(p, `kernel ${hex64(o.r0)}, ${ENGINE_NAMES.map((e, j) => `${e} ${typeof ours[j] === 'bigint' ? hex64(ours[j]) : ours[j]}`).join(', ')}`));
    });
    console.log(
      `interpreter ≡ JIT ≡ kernel ${k.info.release}: ${agree}/${COUNT} agree (seed ${SEED})` +
        (knownKernelBug.length ? `; ${knownKernelBug.length} differ by the kernel's atomic-fetch pruning bug:\n  ${knownKernelBug.join('\n  ')}` : ''),
    );
    expect(problems.slice(0, 3)).toEqual([]);
    // The known bug is rare; many such cases would mean something else is wrong.
    expect(knownKernelBug.length).toBeLessThan(COUNT / 100);
  });

  it('is sensitive: changing one immediate of one instruction changes the kernel result', ({ skip }) => {
    // The power of the comparison, measured: flip bit 0 of the immediate of one ALU-with-
    // immediate instruction (never a shift count or divisor, so the verifier still accepts it)
    // and count how often r0 changes. Not every mutation can be seen: the instruction may sit on
    // a path the branches skip, or its register may be overwritten before the fold (as is the
    // number a pointer register gets at the end of a pointer group). With seed 0x7d02026 about
    // half change r0; the bound below guards against a fold that loses data.
    const k = kernelOrSkip(skip);
    const base = programs.slice(0, 400);
    const mutated = base.map((p, n) => {
      const prog = p.prog.slice();
      const candidates: number[] = [];
      // Programs with loops are left alone: a mutated trip count could make a loop unbounded.
      if (p.listing.some((l) => /jne r\d, 0 -\d/.test(l))) return { prog, mem: p.mem, mutated: false };
      for (let pc = 0; pc < prog.length / 8; pc++) {
        const code = prog[pc * 8]!;
        const cls = code & 7, op = code & 0xf0;
        if (code === 0x18) { pc++; continue; }
        const plain = op === 0x00 || op === 0x10 || op === 0xa0 || op === 0xb0; // add sub xor mov: invertible steps
        // Not the constant added to a fresh copy of r10/r9 (pointer arithmetic: a changed
        // offset could leave the stack or the packet).
        const afterPointerCopy = pc > 0 && prog[pc * 8 - 8] === 0xbf && prog[pc * 8 - 7]! >> 4 >= 9 && (prog[pc * 8 - 7]! & 15) === (prog[pc * 8 + 1]! & 15);
        if ((cls === 4 || cls === 7) && (code & 8) === 0 && plain && prog[pc * 8 + 2] === 0 && !afterPointerCopy) candidates.push(pc);
      }
      const pc = candidates[n % Math.max(1, candidates.length)];
      if (pc !== undefined) prog[pc * 8 + 4] ^= 1;
      return { prog, mem: p.mem, mutated: pc !== undefined };
    });
    const a = kernelRuns(k).slice(0, base.length);
    const b = k.run(mutated, 'xdp');
    let tried = 0, changed = 0;
    mutated.forEach((m, i) => {
      if (!m.mutated) return;
      const x = a[i]!, y = b[i]!;
      expect(x.kind).toBe('ok');
      expect(y.kind, `mutant ${i} must still verify`).toBe('ok');
      tried++;
      if (x.kind === 'ok' && y.kind === 'ok' && x.r0 !== y.r0) changed++;
    });
    console.log(`single-bit immediate mutations: ${changed}/${tried} change r0 (${((100 * changed) / tried).toFixed(1)}%)`);
    expect(tried).toBeGreaterThan(250);
    expect(changed / tried).toBeGreaterThan(0.4);
  });
});
