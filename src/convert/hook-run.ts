/**
 * Runs a converted filter on tsdump's own eBPF engines (interpreter or JIT) at its hook, the way
 * the kernel would, so that the command line, tests and benchmarks can use it packet by packet:
 * `loadConverted(result, hook).run(buf, offset, caplen, wirelen) → r0`. The hooks themselves
 * (contexts, helpers, packets as windows of the caller's buffer) are ../hooks; what this adds is
 * the loading: an XDP translation is verified for the XDP hook, as the kernel would, so its
 * context conversion and the JIT's proven direct packet loads apply; a socket translation is
 * verified with the runtime's own convention plus the hook's helper. With `counters`, the
 * program counts its verdicts in its own array map (./counters.ts).
 */
import { attachTc, attachXdp, bindXdp, socketFilterHookContext } from '../hooks/index.ts';
import type { BatchRunFn } from '../runtime/batch.ts';
import { MapRegistry } from '../maps/index.ts';
import { createHelperState, HELPERS, lddwResolver } from '../runtime/helpers.ts';
import { load } from '../runtime/index.ts';
import type { EngineName, HelperEnv } from '../runtime/index.ts';
import { tcHook, verify, xdpHook } from '../runtime/verifier/index.ts';
import { COUNTER_MAP, HELPER_MAP_LOOKUP_ELEM, readVerdictCounters, withVerdictCounters } from './counters.ts';
import type { ConvertHook, ConvertResult } from './to-ebpf.ts';

export interface LoadConvertedOptions {
  engine?: EngineName;
  /** Instruction budget per run (default: the runtime's). */
  budget?: number;
  /**
   * Count the verdicts in an eBPF array map updated by the program itself (./counters.ts);
   * `counters()` reads it.
   */
  counters?: boolean;
}

export interface ConvertedRunner {
  readonly engine: EngineName;
  /** Runs the filter on buf[offset, offset + caplen) whose wire length is wirelen; returns r0. */
  run(buf: Uint8Array, offset: number, caplen: number, wirelen: number): number;
  /** verdicts[i] = r0 for every packet of the block (../runtime/batch.ts). */
  runBatch: BatchRunFn;
  /** With `counters`: the map's two counters (accepted / rejected packets so far). */
  counters(): { accepted: bigint; rejected: bigint } | undefined;
}

export function loadConverted(res: ConvertResult, hook: ConvertHook, opts: LoadConvertedOptions = {}): ConvertedRunner {
  const sock = socketFilterHookContext();
  // With counters: the program counts its verdicts in its own array map (./counters.ts).
  const registry = new MapRegistry();
  const counterMap = opts.counters ? registry.create({ ...COUNTER_MAP }) : undefined;
  const prog = counterMap ? withVerdictCounters(res.prog, hook, counterMap.id) : res.prog;
  const helperState = createHelperState({ registry });
  const lookup = HELPERS.get(HELPER_MAP_LOOKUP_ELEM)!;
  const helpers = { ...sock.helpers, [HELPER_MAP_LOOKUP_ELEM]: (env: HelperEnv) => lookup.impl(env, helperState) };
  const resolveLddw = lddwResolver(registry);
  // Loops (protochain's) run under the instruction budget, as in the interpreter.
  const loaded = hook === 'xdp' || hook === 'tc'
    ? load(verify(prog, (hook === 'xdp' ? xdpHook : tcHook)((id) => registry.get(id), 'budget')), { engine: opts.engine, budget: opts.budget, helpers, resolveLddw })
    : load(prog, { engine: opts.engine, budget: opts.budget, helpers, resolveLddw });
  const run = hook === 'xdp' ? attachXdp(loaded) : hook === 'tc' ? attachTc(loaded).run : sock.attach(loaded);
  // The batch form (a block per call; the structured JIT's packet loop inside generated code).
  const runBatch: BatchRunFn = hook === 'xdp' ? bindXdp(loaded).runBatch : hook === 'tc' ? attachTc(loaded).runBatch
    : (block, verdicts) => { for (let i = 0; i < block.count; i++) verdicts[i] = run(block.buf, block.offsets[i]!, block.caplens[i]!, block.wirelens[i]!); };
  const counters = () => (counterMap ? readVerdictCounters(counterMap) : undefined);
  return { engine: loaded.engine, run, runBatch, counters };
}
