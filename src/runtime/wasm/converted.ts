/**
 * A translated classic BPF filter (../../convert) on the wasm tier's batch path, loaded the way
 * ../../pipeline.ts (loadConverted) loads it for the other engines: verified under its own hook's
 * spec (XDP, tc or socket filter; loops under the budget); with `counters`, the verdicts counted by the program in
 * its own eBPF array map (../../convert/counters.ts: map lookup + atomic add), readable from
 * JavaScript after each block. `run` is the single-packet form over the same module (a block of
 * one), for callers that go packet by packet.
 */
import { withVerdictCounters, COUNTER_ACCEPTED, COUNTER_MAP, COUNTER_REJECTED } from '../../convert/counters.ts';
import type { ConvertHook, ConvertResult } from '../../convert/to-ebpf.ts';
import { MapRegistry, u32Key } from '../../maps/index.ts';
import { createPacketBlock } from '../batch.ts';
import type { PacketBlock } from '../batch.ts';
import { createHelperState, HELPERS, lddwResolver } from '../helpers.ts';
import type { HelperEnv } from '../semantics-memory.ts';
import { socketFilterHook, tcHook, verify, xdpHook } from '../verifier/index.ts';
import { loadWasmBatch } from './batch.ts';
import type { WasmBatchProgram } from './batch.ts';

const HELPER_MAP_LOOKUP_ELEM = 1;

export interface WasmConvertedRunner {
  /** verdicts[i] = r0 of packet i (bytes to keep at the socket hook, an XDP action at XDP). */
  runBatch(block: PacketBlock, verdicts: Int32Array): void;
  run(buf: Uint8Array, offset: number, caplen: number, wirelen: number): number;
  counters(): { accepted: bigint; rejected: bigint } | undefined;
  readonly program: WasmBatchProgram;
}

export function loadConvertedWasm(res: ConvertResult, hook: ConvertHook, opts: { budget?: number; counters?: boolean } = {}): WasmConvertedRunner {
  const registry = new MapRegistry();
  const counterMap = opts.counters ? registry.create({ ...COUNTER_MAP }) : undefined;
  const prog = counterMap ? withVerdictCounters(res.prog, hook, counterMap.id) : res.prog;
  const state = createHelperState({ registry });
  const lookup = HELPERS.get(HELPER_MAP_LOOKUP_ELEM)!;
  const helpers = { [HELPER_MAP_LOOKUP_ELEM]: (env: HelperEnv) => lookup.impl(env, state) };
  const resolveLddw = lddwResolver(registry);
  const spec = hook === 'xdp' ? xdpHook : hook === 'tc' ? tcHook : socketFilterHook;
  const v = verify(prog, spec((id) => registry.get(id), 'budget'));
  const program = loadWasmBatch(v, hook, { helpers, resolveLddw, budget: opts.budget });
  const one = createPacketBlock(1);
  const verdict = new Int32Array(1);
  return {
    program,
    runBatch: program.run,
    run(buf, offset, caplen, wirelen) {
      one.buf = buf;
      one.count = 1;
      one.offsets[0] = offset;
      one.caplens[0] = caplen;
      one.wirelens[0] = wirelen;
      program.run(one, verdict);
      return verdict[0]! >>> 0;
    },
    counters() {
      if (!counterMap) return undefined;
      const read = (i: number): bigint => {
        const val = counterMap.lookup(u32Key(i), 0, 0)!;
        return new DataView(val.buffer, val.byteOffset, val.byteLength).getBigUint64(0, true);
      };
      return { accepted: read(COUNTER_ACCEPTED), rejected: read(COUNTER_REJECTED) };
    },
  };
}
