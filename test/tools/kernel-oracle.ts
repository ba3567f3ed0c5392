/**
 * The Linux kernel as an eBPF oracle for tests. This module builds test/tools/kernel-oracle.c
 * with gcc into a temporary directory (once per process), then sends it batches of programs:
 * the kernel verifier accepts or rejects each one (and says why), and BPF_PROG_TEST_RUN runs the
 * accepted ones through the kernel's JIT on data we choose.
 *
 * The hard part is giving a kernel program the calling convention of the bpf_conformance suite
 * (and of tsdump's interpreter): at entry r1 points to a writable copy of the test's memory, r2
 * holds its length, and the result is the full 64-bit r0. No kernel program type offers that
 * directly, so we wrap the test program in a small `main` and call the program as a bpf-to-bpf
 * subprogram (`call local`), which keeps its jump offsets intact and gives it its own stack frame:
 *
 *   mode 'xdp'  (BPF_PROG_TYPE_XDP): the memory is the packet. main loads data/data_end from the
 *     xdp_md context, proves `data + slot + 8 <= data_end` with one compare (this is what lets the
 *     verifier accept the program's packet accesses at constant offsets), sets r1 = data (or 0 when
 *     the test has no memory) and r2 = length, calls the program, and stores the returned r0 as a
 *     64-bit value at data + slot, 8-aligned behind the memory. We read it back from data_out.
 *     r3 is zeroed before the call (main used it for the bounds proof; r4/r5 main never sets, so
 *     the verifier still refuses a program that reads them, as it would at top level).
 *     Packet pointers allow unaligned access and pointer arithmetic, but not atomics.
 *   mode 'syscall' (BPF_PROG_TYPE_SYSCALL, sleepable): the memory is the context, a plain user
 *     buffer the kernel copies in and back out. r1 is a context pointer: accesses must use r1 with a
 *     constant offset and be naturally aligned, and no pointer arithmetic is allowed; main stores r0
 *     at ctx + slot. Either mode may accept what the other refuses; `runBest` tries 'xdp' first
 *     (on kernel 6.18 it takes 300 of the 313 conformance programs, 'syscall' adds none).
 *
 * Comparability: the kernel's own retval is 32 bits (struct bpf_attr test.retval is a __u32) for
 * every program type; the 64-bit result comes from the stored slot, and we check that its low half
 * equals the retval. Kernel helper 5 is bpf_ktime_get_ns, not the conformance suite's "unwind"
 * helper, and the kernel has no callx, so such tests are not comparable (see
 * test/runtime/kernel-conformance.test.ts). The oracle has bugs of its own: the verifier proves
 * branches one-sided and rewrites them into jumps, so a wrong proof changes results (see
 * test/runtime/kernel-known-bugs.test.ts). `verifierLog` gives the level-2 log for diagnosis.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bpf_prog_type values from linux/bpf.h (a stable ABI). */
export const PROG_TYPE = { SOCKET_FILTER: 1, XDP: 6, SYSCALL: 31 } as const;
/** BPF_F_SLEEPABLE: BPF_PROG_TYPE_SYSCALL programs must be loaded sleepable. */
const F_SLEEPABLE = 1 << 4;

export type WrapMode = 'xdp' | 'syscall';

/** Longest a batch of requests may take before the helper is killed. */
const KERNEL_BATCH_TIMEOUT_MS = 100_000;

/** What the kernel did with one raw (unwrapped) program. */
export type RawOutcome =
  | { kind: 'ok'; retval: number; dataOut: Uint8Array; ctxOut: Uint8Array; nsPerRun: number }
  | { kind: 'reject'; errno: number; log: string; reason: string }
  | { kind: 'fail'; stage: string; errno: number; message: string };

/** What the kernel did with one wrapped conformance-convention program. */
export type RunOutcome =
  | { kind: 'ok'; mode: WrapMode; retval: number; r0: bigint; nsPerRun: number }
  | { kind: 'reject'; mode: WrapMode; errno: number; log: string; reason: string }
  | { kind: 'fail'; mode: WrapMode; stage: string; errno: number; message: string };

export interface RawRequest {
  progType: number;
  flags?: number;
  insns: Uint8Array;
  data?: Uint8Array;
  dataOutSize?: number;
  ctx?: Uint8Array;
  /** Runs of the program in the kernel (BPF_PROG_TEST_RUN repeat); the answer gives ns per run. */
  repeat?: number;
}

export interface KernelInfo {
  release: string;
  /** /proc/sys/net/core/bpf_jit_enable ('1' = JIT on), or '-' when unreadable. */
  jitEnable: string;
  /** Kernel release as [major, minor]. */
  version: [number, number];
}

// ---------------------------------------------------------------------------------------------
// A tiny instruction encoder for the wrapper's own few instructions. Field layout (RFC 9669):
// opcode byte, then dst in the low nibble and src in the high nibble, then a signed 16-bit
// offset and a signed 32-bit immediate, all little-endian.

function insn(code: number, dst: number, src: number, off: number, imm: number): number[] {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint8(0, code);
  v.setUint8(1, (dst & 0xf) | ((src & 0xf) << 4));
  v.setInt16(2, off, true);
  v.setInt32(4, imm, true);
  return [...b];
}
const LDXW = 0x61, STXDW = 0x7b, MOV64K = 0xb7, MOV64X = 0xbf, ADD64K = 0x07;
const JLEX = 0xbd, CALL = 0x85, EXIT = 0x95, PSEUDO_CALL = 1;

/** Rounds the memory length up to the next multiple of 8: the 64-bit result slot follows it. */
export function slotOffset(memLen: number): number {
  return (memLen + 7) & ~7;
}

/**
 * Builds the kernel program for `prog` in `mode`: main (see the file comment) followed by the
 * program itself, which main calls as a subprogram.
 */
export function wrapProgram(prog: Uint8Array, memLen: number, mode: WrapMode): Uint8Array {
  const slot = slotOffset(memLen);
  const main: number[][] = [];
  if (mode === 'xdp') {
    main.push(insn(LDXW, 2, 1, 4, 0)); //   r2 = ctx->data_end
    main.push(insn(LDXW, 1, 1, 0, 0)); //   r1 = ctx->data
    main.push(insn(MOV64X, 6, 1, 0, 0)); // r6 = data
    main.push(insn(ADD64K, 6, 0, 0, slot)); // r6 = data + slot (where r0 goes)
    main.push(insn(MOV64X, 3, 6, 0, 0)); // r3 = data + slot
    main.push(insn(ADD64K, 3, 0, 0, 8)); // r3 = data + slot + 8
    main.push(insn(JLEX, 3, 2, 2, 0)); //   if r3 <= data_end goto +2 (the bounds proof)
    main.push(insn(MOV64K, 0, 0, 0, 0)); // r0 = 0: packet too short, cannot happen
    main.push(insn(EXIT, 0, 0, 0, 0));
    if (memLen === 0) main.push(insn(MOV64K, 1, 0, 0, 0)); // r1 = 0: no memory
    main.push(insn(MOV64K, 2, 0, 0, memLen)); // r2 = length
    main.push(insn(MOV64K, 3, 0, 0, 0)); // r3 = 0: it held a packet pointer (as did r6, but a
    // callee cannot read r6..r9: the verifier treats them as unset there)
    main.push(insn(CALL, 0, PSEUDO_CALL, 0, 2)); // call the program (2 insns ahead)
    main.push(insn(STXDW, 6, 0, 0, 0)); // *(u64 *)(data + slot) = r0
    main.push(insn(EXIT, 0, 0, 0, 0));
  } else {
    main.push(insn(MOV64X, 6, 1, 0, 0)); // r6 = ctx
    if (memLen === 0) main.push(insn(MOV64K, 1, 0, 0, 0)); // r1 = 0: no memory
    main.push(insn(MOV64K, 2, 0, 0, memLen)); // r2 = length
    main.push(insn(CALL, 0, PSEUDO_CALL, 0, 2)); // call the program
    main.push(insn(STXDW, 6, 0, slot, 0)); // *(u64 *)(ctx + slot) = r0
    main.push(insn(EXIT, 0, 0, 0, 0));
  }
  const out = new Uint8Array(main.length * 8 + prog.length);
  out.set(main.flat(), 0);
  out.set(prog, main.length * 8);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Building and talking to the C helper.

const here = dirname(fileURLToPath(import.meta.url));
let built: { bin?: string; reason?: string } | undefined;

/** Compiles kernel-oracle.c once per process; returns the binary or why it could not be built. */
export function buildKernelOracle(): { bin?: string; reason?: string } {
  if (built) return built;
  const src = join(here, 'kernel-oracle.c');
  if (process.platform !== 'linux') return (built = { reason: `platform is ${process.platform}, bpf() needs Linux` });
  const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
  if (gcc.error || gcc.status !== 0) return (built = { reason: 'gcc is not installed' });
  if (!existsSync('/usr/include/linux/bpf.h')) return (built = { reason: 'linux/bpf.h missing (install linux-libc-dev)' });
  const dir = mkdtempSync(join(tmpdir(), 'tsdump-kernel-oracle-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true })); // the binary is per process
  const bin = join(dir, 'kernel-oracle');
  const cc = spawnSync('gcc', ['-O2', '-Wall', '-Wextra', '-o', bin, src], { encoding: 'utf8' });
  if (cc.status !== 0) return (built = { reason: `gcc failed: ${cc.stderr.trim().split('\n')[0] ?? ''}` });
  return (built = { bin });
}

function hex(b: Uint8Array | undefined): string {
  if (!b || b.length === 0) return '-';
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}
function unhex(s: string): Uint8Array {
  return s === '-' ? new Uint8Array(0) : new Uint8Array(Buffer.from(s, 'hex'));
}
function unescapeLog(s: string): string {
  return s.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

/**
 * The verifier's reason in one line: the last line of the log that is not bookkeeping
 * ("processed N insns ...", "verification time ..."). The log's earlier lines trace the
 * instructions the verifier walked; the complaint comes last.
 */
export function verifierReason(log: string): string {
  const lines = log.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (/^(processed \d+ insns|verification time|stack depth|-- END PROG LOAD LOG --|cur state:|old state:)/.test(l)) continue;
    return l;
  }
  return '(empty verifier log)';
}

export class KernelOracle {
  readonly info: KernelInfo;
  constructor(private readonly bin: string) {
    const [line] = this.exchange(['probe']);
    const m = /^probe (\S+) (\S+)$/.exec(line ?? '');
    if (!m) throw new Error(`kernel-oracle: bad probe answer ${JSON.stringify(line)}`);
    const v = /^(\d+)\.(\d+)/.exec(m[1]!);
    this.info = { release: m[1]!, jitEnable: m[2]!, version: v ? [Number(v[1]), Number(v[2])] : [0, 0] };
  }

  /** Sends request lines to a fresh helper process and returns its answer lines. */
  private exchange(lines: string[]): string[] {
    // The verifier can take long on an unlucky program (up to its 1M-instruction limit each):
    // bound the whole batch so a test fails with a message instead of hanging.
    const r = spawnSync(this.bin, [], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 30, timeout: KERNEL_BATCH_TIMEOUT_MS });
    if (r.error) throw new Error(`kernel-oracle: ${r.error.message} (${lines.length} requests; batch limit ${KERNEL_BATCH_TIMEOUT_MS} ms)`);
    if (r.status !== 0) throw new Error(`kernel-oracle exited with ${r.status ?? r.signal}: ${r.stderr}`);
    const out = r.stdout.split('\n');
    if (out[out.length - 1] === '') out.pop();
    if (out.length !== lines.length) throw new Error(`kernel-oracle: ${lines.length} requests, ${out.length} answers`);
    return out;
  }

  /** Loads and runs raw programs (no wrapper), one helper process for the whole batch. */
  runRaw(reqs: RawRequest[]): RawOutcome[] {
    if (reqs.length === 0) return [];
    const lines = reqs.map(
      (q) => `run ${q.progType} ${q.flags ?? 0} ${hex(q.insns)} ${hex(q.data)} ${q.dataOutSize ?? 0} ${hex(q.ctx)}${q.repeat ? ` ${q.repeat}` : ''}`,
    );
    return this.exchange(lines).map((l): RawOutcome => {
      const f = l.split(' ');
      if (f[0] === 'ok') return { kind: 'ok', retval: parseInt(f[1]!, 16) >>> 0, dataOut: unhex(f[2]!), ctxOut: unhex(f[3]!), nsPerRun: Number(f[4]) };
      if (f[0] === 'reject') {
        const log = unescapeLog(f.slice(2).join(' '));
        return { kind: 'reject', errno: Number(f[1]), log, reason: verifierReason(log) };
      }
      return { kind: 'fail', stage: f[1] ?? '?', errno: Number(f[2]), message: f.slice(3).join(' ') };
    });
  }

  /**
   * The verifier's full log (level 2: every instruction with the register state it assumed)
   * for a program wrapped in `mode`, accepted or not. For diagnosing a disagreement: when the
   * verifier proves a branch dead it rewrites it into `goto`, so a wrong proof changes results.
   */
  verifierLog(prog: Uint8Array, memLen: number, mode: WrapMode): string {
    const insns = wrapProgram(prog, memLen, mode);
    const type = mode === 'xdp' ? PROG_TYPE.XDP : PROG_TYPE.SYSCALL;
    const [line] = this.exchange([`log ${type} ${mode === 'xdp' ? 0 : F_SLEEPABLE} ${hex(insns)}`]);
    return unescapeLog((line ?? '').split(' ').slice(2).join(' '));
  }

  /**
   * Runs conformance-convention programs (r1 = memory, r2 = its length, 64-bit r0) in `mode`.
   * Each item is the raw program bytes plus its memory (empty for none). `repeat` (XDP only)
   * makes the kernel run each program that many times and report the mean ns per run; the
   * packet is not restored between runs, so r0 is then that of the last run, which saw the
   * earlier runs' stores: use it for timing, not for comparing results.
   */
  run(items: { prog: Uint8Array; mem: Uint8Array }[], mode: WrapMode, repeat?: number): RunOutcome[] {
    const reqs = items.map(({ prog, mem }): RawRequest => {
      const slot = slotOffset(mem.length);
      // The buffer is memory, zero padding to the slot, and the 8-byte slot; XDP also wants at
      // least an Ethernet header's worth (14 bytes) of packet.
      const buf = new Uint8Array(Math.max(slot + 8, mode === 'xdp' ? 14 : 0));
      buf.set(mem, 0);
      const insns = wrapProgram(prog, mem.length, mode);
      return mode === 'xdp'
        ? { progType: PROG_TYPE.XDP, insns, data: buf, dataOutSize: buf.length + 256, repeat }
        : { progType: PROG_TYPE.SYSCALL, flags: F_SLEEPABLE, insns, ctx: buf }; // SYSCALL: no repeat
    });
    return this.runRaw(reqs).map((o, i): RunOutcome => {
      if (o.kind === 'reject') return { ...o, mode };
      if (o.kind === 'fail') return { ...o, mode };
      const slot = slotOffset(items[i]!.mem.length);
      const out = mode === 'xdp' ? o.dataOut : o.ctxOut;
      if (out.length < slot + 8) return { kind: 'fail', mode, stage: 'result', errno: 0, message: `output has ${out.length} bytes` };
      const r0 = new DataView(out.buffer, out.byteOffset, out.length).getBigUint64(slot, true);
      return { kind: 'ok', mode, retval: o.retval, r0, nsPerRun: o.nsPerRun };
    });
  }

  /**
   * Runs each program in 'xdp' mode and, where the kernel rejects it there, in 'syscall' mode.
   * A rejection reports the 'xdp' reason (the first mode tried) unless 'syscall' failed differently.
   */
  runBest(items: { prog: Uint8Array; mem: Uint8Array }[]): RunOutcome[] {
    const first = this.run(items, 'xdp');
    const retry = first.map((o, i) => (o.kind === 'reject' ? i : -1)).filter((i) => i >= 0);
    const second = this.run(retry.map((i) => items[i]!), 'syscall');
    const out = first.slice();
    retry.forEach((idx, j) => {
      if (second[j]!.kind !== 'reject') out[idx] = second[j]!;
    });
    return out;
  }

  /**
   * Which instruction-set features this kernel's verifier accepts, each tried with a tiny
   * socket-filter program: cpu v2 jumps (jlt), v3 (jmp32, 32-bit atomics), v4 (sign-extending
   * loads and moves, bswap, sdiv/smod, 32-bit-offset goto). A feature is "true" when it loads.
   */
  probeFeatures(): Record<string, boolean> {
    const p = (...ins: number[][]) => new Uint8Array(ins.flat());
    const r0 = insn(MOV64K, 0, 0, 0, 1), ex = insn(EXIT, 0, 0, 0, 0);
    const stack = insn(0x7a, 10, 0, -8, 7); // *(u64 *)(r10 - 8) = 7
    const programs: Record<string, Uint8Array> = {
      'v2: jlt': p(r0, insn(0xa5, 0, 0, 0, 5), ex),
      'v3: jmp32': p(r0, insn(0x16, 0, 0, 0, 5), ex),
      'v3: atomic add': p(stack, insn(MOV64K, 1, 0, 0, 1), insn(0xdb, 10, 1, -8, 0), r0, ex),
      'v3: atomic fetch/xchg/cmpxchg': p(stack, insn(MOV64K, 1, 0, 0, 1), insn(MOV64K, 0, 0, 0, 7), insn(0xdb, 10, 1, -8, 0xf1), ex),
      'v4: ldsx': p(stack, insn(0x91, 0, 10, -8, 0), ex),
      'v4: movsx': p(r0, insn(0xbf, 0, 0, 8, 0), ex),
      'v4: bswap': p(r0, insn(0xd7, 0, 0, 0, 64), ex),
      'v4: sdiv/smod': p(r0, insn(0x37, 0, 0, 1, 3), insn(0x97, 0, 0, 1, 3), ex),
      'v4: gotol (ja32)': p(r0, insn(0x06, 0, 0, 0, 0), ex),
      'callx': p(insn(MOV64K, 1, 0, 0, 0), insn(0x8d, 1, 0, 0, 0), r0, ex),
    };
    const names = Object.keys(programs);
    const res = this.runRaw(names.map((n) => ({ progType: PROG_TYPE.SOCKET_FILTER, insns: programs[n]!, data: new Uint8Array(64) })));
    return Object.fromEntries(names.map((n, i) => [n, res[i]!.kind !== 'reject']));
  }
}

/**
 * Opens the oracle, or says why the kernel cannot serve as one here (not Linux, no gcc, bpf()
 * not permitted). Callers skip with the reason, except under CI=true where they must fail.
 */
export function openKernelOracle(): { oracle?: KernelOracle; reason?: string } {
  const b = buildKernelOracle();
  if (!b.bin) return { reason: b.reason };
  let oracle: KernelOracle;
  try {
    oracle = new KernelOracle(b.bin);
  } catch (e) {
    return { reason: `kernel-oracle did not start: ${(e as Error).message}` };
  }
  // A trivial socket filter (r0 = 0; exit) must load and run, else bpf() is unusable here.
  const [t] = oracle.runRaw([{ progType: PROG_TYPE.SOCKET_FILTER, insns: new Uint8Array([...insn(MOV64K, 0, 0, 0, 0), ...insn(EXIT, 0, 0, 0, 0)]), data: new Uint8Array(64) }]);
  if (t!.kind === 'reject') {
    const why = t!.errno === 1 ? 'bpf() not permitted (EPERM: run as root or with CAP_BPF)' : `bpf() refused a trivial program: ${t!.reason}`;
    return { reason: why };
  }
  if (t!.kind === 'fail') return { reason: `BPF_PROG_TEST_RUN failed: ${t!.message}` };
  return { oracle };
}

/** True under CI=true: environment-dependent tests must then fail instead of skipping. */
export const mustNotSkip = process.env.CI === 'true';

let opened: { oracle?: KernelOracle; reason?: string } | undefined;
let warned = false;

/**
 * For tests: the shared oracle, or a skip with the reason (printed once as a warning, so a
 * skipped run says why). Under CI=true an unavailable kernel is an error, not a skip.
 */
export function kernelOrSkip(skip: (note: string) => never): KernelOracle {
  opened ??= openKernelOracle();
  if (opened.oracle) return opened.oracle;
  const reason = `kernel eBPF oracle unavailable: ${opened.reason}`;
  if (mustNotSkip) throw new Error(`${reason} (CI=true, so this fails instead of skipping)`);
  if (!warned) console.warn(`SKIPPED: ${reason}`);
  warned = true;
  return skip(reason);
}

// `npx tsx test/tools/kernel-oracle.ts` prints what this machine's kernel offers as an oracle.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const g = openKernelOracle();
  if (!g.oracle) {
    console.log(`kernel oracle unavailable: ${g.reason}`);
  } else {
    const { release, jitEnable } = g.oracle.info;
    console.log(`kernel ${release}, bpf_jit_enable=${jitEnable}`);
    for (const [name, ok] of Object.entries(g.oracle.probeFeatures())) console.log(`  ${ok ? 'yes' : 'no '}  ${name}`);
  }
}
