/**
 * The eBPF runtime's public API: `load(program, options)` checks a program once and returns a
 * runnable object backed by one of the registered engines: `interp` (the reference interpreter),
 * `jit` (eBPF → JavaScript, registers as int32-pair locals) or `jit64` (eBPF → JavaScript,
 * registers in a typed array with BigInt 64-bit arithmetic); by default the one `chooseEngine`
 * picks. Both engines share the machine (region-tagged memory, helpers,
 * faults: ./semantics-memory.ts) and the instruction semantics (./semantics.ts), so they give
 * the same r0 and the same errors; the interpreter is the oracle.
 *
 * A run gets: r1 = pointer to `ctx` (if given) else to `mem` (else 0), r2 = length of `mem`,
 * r10 = top of a fresh 512-byte stack frame; `packet` is what LD_ABS/LD_IND read (and a
 * region helpers can point into). Runtime faults (bad memory access, unknown helper, budget)
 * become `UserError`s whose message names the pc and the disassembled instruction. `run`
 * returns r0's low 32 bits (unsigned) without allocating; `run64` returns all of r0 as a BigInt.
 *
 * Helper contract (for src/runtime/helpers.ts): `HelperFn(env) → r0`, where `env` exposes r1..r5
 * (`arg`, `argLo`, `argHi`), checked pointer access (`argMem`), `pointerTo` for returning
 * pointers to live buffers such as map values, and `unwind()`.
 */
import { UserError } from '../errors.ts';
import { disassembleInsn } from '../isa/ebpf/asm.ts';
import type { EbpfProgram } from '../isa/ebpf/types.ts';
import { compileInterpreter } from './interpreter.ts';
import type { RunFn } from './interpreter.ts';
import { compileJs, compileJs64 } from './jit/js.ts';
import { EbpfFault, Machine, REGION, TAG_BASE } from './semantics-memory.ts';
import type { HelperTable } from './semantics-memory.ts';
import { prepare } from './semantics-program.ts';
import type { LddwResolver, Prepared } from './semantics-program.ts';

export { EbpfFault, Machine, MAX_CALL_DEPTH, REGION, TAG_BASE } from './semantics-memory.ts';
export type { HelperEnv, HelperFn, HelperTable } from './semantics-memory.ts';
export type { LddwResolver } from './semantics-program.ts';

/** An execution engine: turns a checked program into a run function on a machine. */
export interface Engine {
  name: string;
  compile(p: Prepared, m: Machine): RunFn;
}

/** Every engine, in one list: the engine-case table and the conformance test run them all. */
export const ENGINES = {
  interp: { name: 'interp', compile: compileInterpreter },
  jit: { name: 'jit', compile: compileJs },
  jit64: { name: 'jit64', compile: compileJs64 },
} satisfies Record<string, Engine>;
export type EngineName = keyof typeof ENGINES;
export const ENGINE_NAMES = Object.keys(ENGINES) as EngineName[];

export const DEFAULT_BUDGET = 1_000_000;

/**
 * The engine `load` picks when none is named ('auto'), decided by test/bench/ebpf-bench.ts:
 * `jit64` (BigInt typed-array registers) is ~9x faster than `jit` on 64-bit multiply/shift code
 * but ~4x slower on 32-bit code such as converted classic BPF filters, where `jit` (int32-pair
 * locals) wins. So: jit64 when the program does 64-bit multiply, divide, modulo or
 * constant-count shifts; jit otherwise.
 */
export function chooseEngine(prog: EbpfProgram): EngineName {
  const heavy = prog.some((i) => i.kind === 'alu' && i.wide &&
    (i.op === 'mul' || i.op === 'div' || i.op === 'sdiv' || i.op === 'mod' || i.op === 'smod' ||
      ((i.op === 'lsh' || i.op === 'rsh' || i.op === 'arsh') && 'imm' in i)));
  return heavy ? 'jit64' : 'jit';
}

export interface LoadOptions {
  /** Engine to use; default 'auto' (see chooseEngine). */
  engine?: EngineName | 'auto';
  helpers?: HelperTable;
  /** Instruction budget per run (the JIT counts back-edges and calls). Default 1e6. */
  budget?: number;
  /** Resolves map references in lddw (map_fd, map_value, …). */
  resolveLddw?: LddwResolver;
}

export interface RunInput {
  /** Memory the program gets in r1 (unless ctx is given), its length in r2. */
  mem?: Uint8Array;
  /** Context the program gets in r1. */
  ctx?: Uint8Array;
  ctxWritable?: boolean;
  /** The packet LD_ABS/LD_IND read (packet region offset 0 = packet[packetOffset]). */
  packet?: Uint8Array;
  /**
   * Where the packet starts in `packet` and how long it is (default: all of it). Lets a capture
   * reader pass its block buffer and a packet's offset/length: no per-packet allocation.
   */
  packetOffset?: number;
  packetLength?: number;
  packetWritable?: boolean;
  /** Passed to helpers as `env.user`. */
  env?: unknown;
}

export interface LoadedProgram {
  readonly engine: EngineName;
  readonly machine: Machine;
  /** Runs once; returns r0's low 32 bits as an unsigned number (r0's high half in `machine.r0h`). */
  run(input?: RunInput): number;
  /** Runs once; returns r0 as an unsigned 64-bit BigInt. */
  run64(input?: RunInput): bigint;
  /** A pointer value into a region (e.g. to write packet pointers into a context). */
  pointer(region: number, offset: number): bigint;
}

const NO_INPUT: RunInput = {};

export function load(prog: EbpfProgram, opts: LoadOptions = {}): LoadedProgram {
  const engine = opts.engine === undefined || opts.engine === 'auto' ? chooseEngine(prog) : opts.engine;
  const m = new Machine(opts.helpers ?? {});
  const p = prepare(prog, m, opts.resolveLddw);
  const fn = ENGINES[engine].compile(p, m);
  const budget = opts.budget ?? DEFAULT_BUDGET;
  const run = (input: RunInput): void => {
    m.setRegion(REGION.ctx, input.ctx, input.ctxWritable ?? true);
    const pkt = input.packet;
    const pktOff = input.packetOffset ?? 0;
    const pktLen = input.packetLength ?? (pkt ? pkt.length - pktOff : 0);
    if (pkt && (pktOff < 0 || pktLen < 0 || pktOff + pktLen > pkt.length)) {
      throw new UserError('EBPF_BAD_INPUT', `packet window [${pktOff}, ${pktOff + pktLen}) is outside the ${pkt.length}-byte buffer`);
    }
    m.setRegion(REGION.packet, pkt, input.packetWritable ?? true, pktOff, pktLen);
    m.setRegion(REGION.mem, input.mem, true);
    m.stopped = false;
    m.user = input.env;
    const r1Region = input.ctx ? REGION.ctx : input.mem && input.mem.length > 0 ? REGION.mem : -1;
    try {
      fn(0, r1Region < 0 ? 0 : TAG_BASE + r1Region, input.mem ? input.mem.length : 0, 0, budget);
    } catch (e) {
      throw toUserError(e, p);
    }
  };
  return {
    engine,
    machine: m,
    run(input = NO_INPUT) {
      run(input);
      return m.r0l >>> 0;
    },
    run64(input = NO_INPUT) {
      run(input);
      return (BigInt(m.r0h >>> 0) << 32n) | BigInt(m.r0l >>> 0);
    },
    pointer(region, offset) {
      return (BigInt(TAG_BASE + region) << 32n) | BigInt(offset >>> 0);
    },
  };
}

/** Turns an engine fault into a UserError naming the pc and the instruction. */
function toUserError(e: unknown, p: Prepared): unknown {
  if (e instanceof EbpfFault) {
    const i = e.pc >= 0 && e.pc < p.indexOfPc.length ? p.indexOfPc[e.pc]! : -1;
    const text = i >= 0 ? disassembleInsn(p.prog[i]!) : '?';
    return new UserError(e.code, `pc ${e.pc}: ${text}: ${e.reason}`);
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) return new UserError('EBPF_STACK', 'host stack exhausted');
  return e;
}
