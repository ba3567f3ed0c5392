/**
 * The eBPF runtime's public API, the last step of the pipeline
 * `verify(program, hook) → VerifiedProgram`, `load(verified, { engine }) → run`:
 *
 *   load(verified, opts)   runs exactly the bytes `verify` accepted, after the context conversion
 *                          the hook needs (verifier/ctx-rewrite.ts: 32-bit UAPI pointer fields
 *                          become 64-bit shadow slots, whose layout is `ctxLayout`); helpers
 *                          default to the implementations of the hook's helper table.
 *   load(program, opts)    verifies first, for `opts.hook` — by default `runtimeHook(ids of
 *                          opts.helpers)`, the runtime's own calling convention (see
 *                          verifier/hooks.ts) — and throws the VerifierError if it fails.
 *   loadUnverified(…)      the explicit opt-out, which runs code no verifier has seen. Only for
 *                          the bpf_conformance plugin (the suite tests the engines' own run-time
 *                          checks: an unknown opcode must fail as EBPF_INVALID_INSN and `ja -1`
 *                          must exhaust the budget, which a verifier would refuse up front) and
 *                          for the engines' own unit tests, which drive faults on purpose.
 * Verified or not, every engine keeps its run-time checks (region-tagged memory, budget), so
 * what the verifier leaves to run time (verifier/README.md) is still caught.
 *
 * Engines: `interp` (the reference interpreter), `jit` (eBPF → JavaScript, registers as
 * int32-pair locals) or `jit64` (eBPF → JavaScript, registers in a typed array with BigInt 64-bit
 * arithmetic); by default the one `chooseEngine` picks. They share the machine (region-tagged
 * memory, helpers, faults: ./semantics-memory.ts) and the instruction semantics
 * (./semantics.ts), so they give the same r0 and the same errors; the interpreter is the oracle.
 *
 * A run gets: r1 = pointer to `ctx` (if given) else to `mem` (else 0), r2 = length of `mem`,
 * r10 = top of a fresh 512-byte stack frame; `packet` is what LD_ABS/LD_IND read (and a
 * region helpers can point into). Runtime faults (bad memory access, unknown helper, budget)
 * become `UserError`s whose message names the pc and the disassembled instruction. `run`
 * returns r0's low 32 bits (unsigned) without allocating; `run64` returns all of r0 as a BigInt.
 *
 * Helper contract (for src/runtime/helpers.ts): `HelperFn(env) → r0`, where `env` exposes r1..r5
 * (`arg`, `argLo`, `argHi`), checked pointer access (`argMem`), `pointerTo` / `pointerResult`
 * (no BigInt) for returning pointers to live buffers such as map values, and `unwind()`.
 */
import { UserError } from '../errors.ts';
import { disassembleInsn } from '../isa/ebpf/asm.ts';
import { decodeSlots } from '../isa/ebpf/codec.ts';
import type { EbpfProgram } from '../isa/ebpf/types.ts';
import { helperFns, HELPERS } from './helpers.ts';
import { compileInterpreter } from './interpreter.ts';
import type { RunFn } from './interpreter.ts';
import { compileDispatchBatch, compileJs, compileJs64, compileJsBatch, compileJsDispatch } from './jit/js.ts';
import { compileWasm } from './wasm/engine.ts';
import { compileWasmEngineBatch } from './wasm/batch.ts';
import type { BatchFold } from './jit/structured.ts';
import type { BatchRunFn, PacketBlock } from './batch.ts';
import { EbpfFault, Machine, REGION, TAG_BASE } from './semantics-memory.ts';
import type { HelperTable } from './semantics-memory.ts';
import { prepare } from './semantics-program.ts';
import type { LddwResolver, Prepared } from './semantics-program.ts';
import { rewriteCtxLoads } from './verifier/ctx-rewrite.ts';
import type { ShadowLayout } from './verifier/ctx-rewrite.ts';
import { runtimeHook } from './verifier/hooks.ts';
import type { HookSpec } from './verifier/hooks.ts';
import { verify } from './verifier/verify.ts';
import type { VerifiedProgram } from './verifier/verify.ts';

export { EbpfFault, Machine, MAX_CALL_DEPTH, REGION, TAG_BASE } from './semantics-memory.ts';
export type { HelperEnv, HelperFn, HelperTable } from './semantics-memory.ts';
export type { LddwResolver } from './semantics-program.ts';

/** An execution engine: turns a checked program into a run function on a machine. */
export interface Engine {
  name: string;
  compile(p: Prepared, m: Machine): RunFn;
  /**
   * Optional batch form (see ./batch.ts): runs a block of packets with the packet loop inside
   * the generated code; undefined for a program it cannot batch (the hook loops instead).
   */
  compileBatch?(p: Prepared, m: Machine, fold: BatchFold, budget: number): EngineBatchFn | undefined;
}

/** An engine's batch function: (block view, block buffer, offsets, caplens, wirelens, count, verdicts). */
export type EngineBatchFn = (view: DataView, buf: Uint8Array, offsets: Int32Array, caplens: Int32Array, wirelens: Int32Array, count: number, verdicts: Int32Array) => number;
export type { BatchFold } from './jit/structured.ts';
export { foldAccepts } from './jit/structured.ts';

/**
 * Every engine, in one list: the engine-case table and the conformance test run them all.
 * `jit` emits structured code (labelled blocks, ./jit/structured.ts) for programs without back
 * edges or local calls and the dispatch loop (./jit/js.ts) otherwise; `jit-dispatch` always
 * emits the dispatch loop, so both generators stay under every differential test. Batch forms
 * (compileBatch): `jit` its structured one, else the dispatch loop's (compileDispatchBatch, the
 * batch form of `jit-dispatch` and, with typed registers, of `jit64`); `wasm` its module's.
 */
export const ENGINES = {
  interp: { name: 'interp', compile: compileInterpreter },
  jit: { name: 'jit', compile: compileJs, compileBatch: (p, m, fold, budget) => compileJsBatch(p, m, fold) ?? compileDispatchBatch(p, m, fold, budget, 'locals') },
  'jit-dispatch': { name: 'jit-dispatch', compile: compileJsDispatch, compileBatch: (p, m, fold, budget) => compileDispatchBatch(p, m, fold, budget, 'locals') },
  jit64: { name: 'jit64', compile: compileJs64, compileBatch: (p, m, fold, budget) => compileDispatchBatch(p, m, fold, budget, 'typed') },
  wasm: { name: 'wasm', compile: compileWasm, compileBatch: compileWasmEngineBatch },
} satisfies Record<string, Engine>;
export type EngineName = keyof typeof ENGINES;
export const ENGINE_NAMES = Object.keys(ENGINES) as EngineName[];

/**
 * THE BUDGET RULE, which every engine follows (interpreter, JITs, wasm), so that a program stops
 * at the same point whichever engine runs it: a run starts with `budget` units (LoadOptions,
 * default DEFAULT_BUDGET); each TAKEN backward jump (a jump whose target is at or before the
 * jumping instruction: ja, gotol or a conditional jump that is taken) and each local call
 * (bpf-to-bpf `call`) costs one unit, checked before the transfer; when a transfer finds the
 * budget at zero the run ends with EBPF_BUDGET at that instruction's pc. Straight-line code,
 * forward jumps, helper calls and exits cost nothing: without back edges and local calls a
 * program always terminates, so only loops and recursion-like call chains need a bound.
 */
export const DEFAULT_BUDGET = 1_000_000;

/**
 * The engine `load` picks when none is named ('auto'): `jit64` keeps the registers its BigInt
 * rows touch in typed arrays and wins on 64-bit multiply, divide, modulo and constant-count
 * shifts (about 1.3x `jit` on a mul/shift hash, 2-5x on div/mod loops); on other programs it emits
 * `jit-dispatch`'s code, and `jit` (structured int32-pair locals) is faster. So: jit64 for
 * programs with those operations; jit otherwise.
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
  /**
   * Helper implementations (id → function). Default: none for a bare program; for a verified
   * one, the implementations in its hook's helper table (the ids the hook allows).
   */
  helpers?: HelperTable;
  /**
   * The hook a bare program is verified for (ignored for a VerifiedProgram, which already has
   * one). Default: runtimeHook(the ids of `helpers`).
   */
  hook?: HookSpec;
  /** Budget per run: units of taken backward jumps and local calls (see DEFAULT_BUDGET). Default 1e6. */
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
  /**
   * The per-packet fast path for hooks: `run({ ctx, packet, packetOffset, packetLength })` with
   * both read-only (the packet writable when `packetWritable`: XDP and tc programs may store
   * into it, as in the kernel) and no memory or env, without reading an input object.
   */
  runPacket(ctx: Uint8Array, packet: Uint8Array, offset: number, length: number, packetWritable?: boolean): number;
  /** A pointer value into a region (e.g. to write packet pointers into a context). */
  pointer(region: number, offset: number): bigint;
  /**
   * The batch form for a hook (./batch.ts): every packet of a block per call, r1 = a pointer to
   * `ctx` (the hook's context image, read-only), context loads of the fields in `fold` replaced
   * by each packet's values. Undefined when the engine or the program has no batch form (then
   * the hook runs `runPacket` per packet).
   */
  batchRunner(ctx: Uint8Array, fold: BatchFold): BatchRunFn | undefined;
  /** What the verifier proved (undefined only for loadUnverified). */
  readonly verified: VerifiedProgram | undefined;
  /**
   * Where the context's pointer fields live for this program: the run's `ctx` must be
   * `ctxLayout.size` bytes, with `pointer(REGION.packet, …)` values at the shadow offsets
   * (empty for hooks without a context or without pointer fields).
   */
  readonly ctxLayout: ShadowLayout;
}

function isVerified(p: EbpfProgram | VerifiedProgram): p is VerifiedProgram {
  return !Array.isArray(p);
}

/**
 * Loads a program for running: a VerifiedProgram as it is, a bare program after `verify` for
 * `opts.hook` (default `runtimeHook`), which throws a VerifierError (a UserError naming the pc and
 * the instruction) when the program is refused.
 */
export function load(prog: EbpfProgram | VerifiedProgram, opts: LoadOptions = {}): LoadedProgram {
  const v = isVerified(prog) ? prog : verify(prog, opts.hook ?? runtimeHook(Object.keys(opts.helpers ?? {}).map(Number)));
  const { slots, layout } = rewriteCtxLoads(v);
  let helpers = opts.helpers;
  if (helpers === undefined) {
    // A hook's own helpers, restricted to what it allows (runtimeHook's table has no real ones).
    const table = v.hook.untypedHelpers ? new Map() : new Map([...(v.hook.helperTable ?? HELPERS)].filter(([id]) => v.hook.helpers === 'all' || v.hook.helpers.includes(id)));
    helpers = helperFns(table);
  }
  return instantiate(decodeSlots(slots), { ...opts, helpers }, v, layout);
}

/**
 * THE OPT-OUT: runs a program no verifier has checked (the engines' run-time checks still apply).
 * Only for the bpf_conformance plugin and the engines' own unit tests (see the file header).
 */
export function loadUnverified(prog: EbpfProgram, opts: LoadOptions = {}): LoadedProgram {
  return instantiate(prog, opts, undefined, { offsets: new Map(), size: 0 });
}

const NO_INPUT: RunInput = {};
/**
 * Imported bindings read on every run are copied to module constants once. Loaded as ES modules
 * (the launcher, the tests, the benchmarks) this changes little, but when the sources are
 * transpiled to CommonJS (a CommonJS script importing them through tsx) every imported binding
 * becomes a property getter, which cost about 30 ns per run here.
 */
const R_CTX = REGION.ctx, R_PACKET = REGION.packet, R_MEM = REGION.mem, TAG = TAG_BASE;

/**
 * The per-run entry (check the input, install the run's regions, call the engine, read r0),
 * generated per loaded program from this one source rather than shared as a closure: each copy
 * gets its own type feedback, so V8 inlines this program's engine function into it and its
 * property accesses stay monomorphic in a process that loads several programs (measured with
 * two programs loaded, the second one: 23 ns per run through a shared closure, 12 ns through its
 * own copy).
 */
const RUN_SOURCE = `'use strict';
const { m, compile, budget, ctxNeeded, R_CTX, R_PACKET, R_MEM, TAG, NO_INPUT, badCtx, badWindow, fault } = env;
// The single-run function is compiled on its first use: a filter run only in blocks (a capture
// file) never pays for it.
let fn = null;
function enter(input) {
  if (fn === null) fn = compile();
  if (ctxNeeded > 0 && (input.ctx === undefined || input.ctx.length < ctxNeeded)) badCtx(input);
  m.setRegion(R_CTX, input.ctx, input.ctxWritable ?? true);
  const pkt = input.packet;
  const pktOff = input.packetOffset ?? 0;
  const pktLen = input.packetLength ?? (pkt ? pkt.length - pktOff : 0);
  if (pkt && (pktOff < 0 || pktLen < 0 || pktOff + pktLen > pkt.length)) badWindow(pkt, pktOff, pktLen);
  m.setRegion(R_PACKET, pkt, input.packetWritable ?? true, pktOff, pktLen);
  m.setRegion(R_MEM, input.mem, true);
  m.stopped = false;
  m.user = input.env;
  const r1Region = input.ctx ? R_CTX : input.mem && input.mem.length > 0 ? R_MEM : -1;
  try {
    fn(0, r1Region < 0 ? 0 : TAG + r1Region, input.mem ? input.mem.length : 0, 0, budget);
  } catch (e) {
    throw fault(e);
  }
}
return {
  run(input = NO_INPUT) { enter(input); return m.r0l >>> 0; },
  run64(input = NO_INPUT) { enter(input); return (BigInt(m.r0h >>> 0) << 32n) | BigInt(m.r0l >>> 0); },
  runPacket(ctx, pkt, off, len, writable) {
    if (fn === null) fn = compile();
    if (ctxNeeded > 0 && ctx.length < ctxNeeded) badCtx({ ctx });
    if (off < 0 || len < 0 || off + len > pkt.length) badWindow(pkt, off, len);
    m.setRegion(R_CTX, ctx, false);
    m.setRegion(R_PACKET, pkt, writable === true, off, len);
    m.setRegion(R_MEM, undefined, true);
    m.stopped = false;
    m.user = undefined;
    try {
      fn(0, TAG + R_CTX, 0, 0, budget);
    } catch (e) {
      throw fault(e);
    }
    return m.r0l >>> 0;
  },
};`;

function instantiate(prog: EbpfProgram, opts: LoadOptions, verified: VerifiedProgram | undefined, ctxLayout: ShadowLayout): LoadedProgram {
  const engine = opts.engine === undefined || opts.engine === 'auto' ? chooseEngine(prog) : opts.engine;
  const m = new Machine(opts.helpers ?? {});
  const p = prepare(prog, m, opts.resolveLddw);
  if (verified) {
    p.proven = verified.provenAccess;
    p.ctxField = verified.ctxAccess;
    p.highs = verified.highHalves;
  }
  const eng: Engine = ENGINES[engine];
  const compile = () => eng.compile(p, m);
  const budget = opts.budget ?? DEFAULT_BUDGET;
  // Proven context loads are direct: the run's ctx must then hold the whole context.
  let ctxNeeded = 0;
  if (verified && [...verified.provenAccess.values()].includes('ctx')) {
    ctxNeeded = Math.max(ctxLayout.size, verified.hook.entry.kind === 'ctx' ? verified.hook.entry.size : 0);
  }
  const badCtx = (input: RunInput): never => {
    throw new UserError('EBPF_BAD_INPUT', `the ${verified!.hook.name} context must be ${ctxNeeded} bytes (${input.ctx?.length ?? 0} given)`);
  };
  const badWindow = (pkt: Uint8Array, pktOff: number, pktLen: number): never => {
    throw new UserError('EBPF_BAD_INPUT', `packet window [${pktOff}, ${pktOff + pktLen}) is outside the ${pkt.length}-byte buffer`);
  };
  const fault = (e: unknown): unknown => toUserError(e, p);
  const entry = new Function('env', RUN_SOURCE)({ m, compile, budget, ctxNeeded, R_CTX, R_PACKET, R_MEM, TAG, NO_INPUT, badCtx, badWindow, fault }) as
    Pick<LoadedProgram, 'run' | 'run64' | 'runPacket'>;
  return {
    engine,
    machine: m,
    verified,
    ctxLayout,
    run: entry.run,
    run64: entry.run64,
    runPacket: entry.runPacket,
    batchRunner(ctx, fold) {
      const bfn = eng.compileBatch?.(p, m, fold, budget);
      if (bfn === undefined) return undefined;
      if (ctx.length < ctxNeeded) badCtx({ ctx });
      let lastBuf: Uint8Array | undefined, view: DataView | undefined;
      return (block: PacketBlock, verdicts: Int32Array) => {
        const buf = block.buf;
        // One DataView per block buffer (a reader reuses its buffer: usually none at all).
        if (buf !== lastBuf) { lastBuf = buf; view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength); }
        m.setRegion(R_CTX, ctx, false);
        m.setRegion(R_MEM, undefined, true);
        m.stopped = false;
        m.user = undefined;
        try {
          return bfn(view!, buf, block.offsets, block.caplens, block.wirelens, block.count, verdicts);
        } catch (e) {
          throw fault(e);
        }
      };
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
  // A verifier-proven access (compiled without a check) can only leave its region when the
  // caller's context lies about the packet, e.g. a data_end slot past the packet's end.
  if (e instanceof RangeError && /bounds of the DataView|out of bounds/i.test(e.message)) {
    return new UserError('EBPF_RUNTIME_FAULT', 'a direct (verifier-proven) access left its region: the run\'s context pointers do not match its packet');
  }
  return e;
}
