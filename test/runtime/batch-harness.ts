/**
 * Runs an engine's batch form (Engine.compileBatch, src/runtime/index.ts) on a block of packets
 * with the interpreter's single run as the oracle, below the hooks: the context region is any
 * bytes the test gives (writable, so the bpf_conformance-style programs of the engine case table
 * and of test/tools/random-ebpf.ts, which read and write the memory r1 points to, run as they
 * are), r1 = the context pointer in both forms, the packet region is each packet's window.
 *
 * `batchVsSingle` runs the block twice through the batch form (the second call with the same
 * arrays takes the specialized copy, see specializedBatch in src/runtime/jit/js.ts) and packet by
 * packet through the interpreter, each on its own Machine with its own copy of the context
 * bytes, in the same order, so stores into the context carry over from packet to packet alike.
 * A fault ends the batch call: the outcome is then the verdicts before it and the fault.
 */
import { ENGINES } from '../../src/runtime/index.ts';
import type { EngineName } from '../../src/runtime/index.ts';
import { EbpfFault, Machine, REGION, TAG_BASE } from '../../src/runtime/semantics-memory.ts';
import type { HelperTable } from '../../src/runtime/semantics-memory.ts';
import { prepare } from '../../src/runtime/semantics-program.ts';
import type { BatchFold } from '../../src/runtime/index.ts';
import type { EbpfProgram } from '../../src/isa/ebpf/types.ts';

/** No folded fields; a verdict other than 0 accepts (the socket-filter convention). */
export const NO_FOLD: BatchFold = { fields: new Map(), accept: { value: 0, equal: false } };

/** The JavaScript engines with a batch form (wasm's is tested in wasm-batch.test.ts). */
export const JS_BATCH_ENGINES: EngineName[] = ['jit', 'jit-dispatch', 'jit64'];

export interface BatchOutcome {
  /** Verdicts of the packets that ran (r0's low 32 bits, unsigned). */
  verdicts: number[];
  /** How many the fold accepts (batch: the function's result). */
  accepted: number;
  /** The fault that ended the run: code, pc and reason. */
  fault?: string;
}

export interface BatchInput {
  prog: EbpfProgram;
  packets: Uint8Array[];
  /** The context bytes r1 points to (copied per form). */
  ctx?: Uint8Array;
  budget?: number;
  helpers?: HelperTable;
  /** Bytes between packets in the block buffer. */
  gap?: number;
}

function faultText(e: unknown): string {
  if (e instanceof EbpfFault) return `${e.code} pc ${e.pc}: ${e.reason}`;
  throw e;
}

function blockOf(packets: Uint8Array[], gap: number) {
  const buf = new Uint8Array(packets.reduce((a, p) => a + p.length + gap, gap));
  const O = new Int32Array(packets.length), C = new Int32Array(packets.length), W = new Int32Array(packets.length);
  let at = gap;
  packets.forEach((p, i) => { buf.set(p, at); O[i] = at; C[i] = p.length; W[i] = p.length + 7; at += p.length + gap; });
  return { buf, O, C, W, view: new DataView(buf.buffer) };
}

/** The interpreter, packet by packet; undefined `fault` when every packet ran. */
export function singleRuns(input: BatchInput, fold: BatchFold = NO_FOLD): BatchOutcome {
  const m = new Machine(input.helpers ?? {});
  const p = prepare(input.prog, m);
  const run = ENGINES.interp.compile(p, m);
  const ctx = (input.ctx ?? new Uint8Array(0)).slice();
  const out: BatchOutcome = { verdicts: [], accepted: 0 };
  const { buf, O, C } = blockOf(input.packets, input.gap ?? 0);
  for (let i = 0; i < input.packets.length; i++) {
    m.setRegion(REGION.ctx, ctx, true);
    m.setRegion(REGION.packet, buf, true, O[i]!, C[i]!);
    m.setRegion(REGION.mem, undefined, true);
    m.stopped = false;
    try {
      run(0, TAG_BASE + REGION.ctx, 0, 0, input.budget ?? 1_000_000);
    } catch (e) {
      out.fault = faultText(e);
      return out;
    }
    const r0 = m.r0l | 0;
    out.verdicts.push(r0 >>> 0);
    if ((r0 === fold.accept.value) === fold.accept.equal) out.accepted++;
  }
  return out;
}

/** The engine's batch form; undefined when it has none for this program. `calls` batch calls on the same block. */
export function batchRuns(engine: EngineName, input: BatchInput, fold: BatchFold = NO_FOLD, calls = 2): BatchOutcome[] | undefined {
  const m = new Machine(input.helpers ?? {});
  const p = prepare(input.prog, m);
  const eng = ENGINES[engine] as { compileBatch?: (typeof ENGINES)['jit64']['compileBatch'] };
  const fn = eng.compileBatch?.(p, m, fold, input.budget ?? 1_000_000);
  if (fn === undefined) return undefined;
  const { buf, O, C, W, view } = blockOf(input.packets, input.gap ?? 0);
  const outs: BatchOutcome[] = [];
  for (let k = 0; k < calls; k++) {
    const ctx = (input.ctx ?? new Uint8Array(0)).slice();
    m.setRegion(REGION.ctx, ctx, true);
    m.setRegion(REGION.mem, undefined, true);
    m.stopped = false;
    const V = new Int32Array(input.packets.length).fill(-0x5a5a5a5a);
    const out: BatchOutcome = { verdicts: [], accepted: 0 };
    let ran = input.packets.length;
    try {
      out.accepted = fn(view, buf, O, C, W, input.packets.length, V);
    } catch (e) {
      out.fault = faultText(e);
      ran = V.indexOf(-0x5a5a5a5a);
      if (ran < 0) ran = input.packets.length;
    }
    out.verdicts = Array.from(V.subarray(0, ran), (v) => v >>> 0);
    if (out.fault !== undefined) out.accepted = 0;
    outs.push(out);
  }
  return outs;
}

/** Both, for comparison: `want` from the interpreter, `got` one outcome per batch call. */
export function batchVsSingle(engine: EngineName, input: BatchInput, fold: BatchFold = NO_FOLD): { want: BatchOutcome; got: BatchOutcome[] } | undefined {
  const got = batchRuns(engine, input, fold);
  if (got === undefined) return undefined;
  const want = singleRuns(input, fold);
  if (want.fault !== undefined) want.accepted = 0;
  return { want, got };
}
