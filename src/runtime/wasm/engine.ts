/**
 * The `wasm` engine for single runs (`load(…, { engine: 'wasm' })`): the Engine contract of
 * ../index.ts, `compile(prepared, machine) → RunFn`, on a module from ./translate.ts.
 *
 * A run's context, packet and memory are the caller's arrays (the Machine's regions 1–3, set by
 * the runtime's entry code). They are copied into linear memory before the run, each to its own
 * place with a region-table entry, and the writable ones are copied back after it — and around
 * every helper call, so a helper works on the caller's arrays exactly as with the other engines
 * (an XDP helper may move the packet or rewrite the context; the copy after the call picks that
 * up, and the module re-reads the windows). The stack lives in linear memory only. This copying
 * is what a single run costs extra; the filter path uses the batch entry (./batch.ts), where the
 * packets are copied once per block and nothing crosses to JavaScript per packet.
 */
import type { RunFn } from '../interpreter.ts';
import type { Machine } from '../semantics-memory.ts';
import type { Prepared } from '../semantics-program.ts';
import { WasmInstance } from './instance.ts';
import { DATA_AT, TABLE_AT, TABLE_ENTRY } from './layout.ts';
import { translate } from './translate.ts';

type RunExport = (r1l: number, r1h: number, r2l: number, r2h: number, budget: number) => number;

export function compileWasm(p: Prepared, m: Machine): RunFn {
  // Where regions 1..3 were placed by the last copy-in.
  const place = [0, 0, 0, 0];
  const syncIn = (): void => {
    let at = DATA_AT;
    for (let r = 1; r <= 3; r++) {
      const size = m.size[r]!;
      w.ensure(at + size + 8);
      if (size > 0) {
        const b = m.bytes[r]!, base = m.base[r]!;
        w.u8.set(base === 0 && size === b.length ? b : b.subarray(base, base + size), at);
      }
      const e = (TABLE_AT + r * TABLE_ENTRY) >> 2;
      w.i32[e] = at;
      w.i32[e + 1] = size;
      w.i32[e + 2] = m.writable[r] ? 1 : 0;
      place[r] = at;
      at = (at + size + 7) & ~7;
    }
  };
  // A program without calls whose every store is proven to hit the stack never changes the
  // caller's regions: nothing to copy back after its run.
  const stores = p.prog.some((insn, i) => insn.kind === 'call' || insn.kind === 'callx' ||
    ((insn.kind === 'st' || insn.kind === 'stx' || insn.kind === 'atomic') && p.proven?.get(p.pcOf[i]!) !== 'stack'));
  const syncOut = (): void => {
    if (!stores) return;
    for (let r = 1; r <= 3; r++) {
      const size = m.size[r]!;
      if (size > 0 && m.writable[r]) m.bytes[r]!.set(w.u8.subarray(place[r]!, place[r]! + size), m.base[r]!);
    }
  };
  const w: WasmInstance = new WasmInstance(translate(p, { kind: 'run' }), m, {
    beforeHelper: syncOut,
    // A slow-path access succeeds only on regions JavaScript holds (map values); on the fixed
    // regions it only faults, and the Machine's windows have the same sizes as the copies.
    beforeAccess: () => {},
    afterHelper: syncIn,
  });
  const run = w.exports.run as RunExport;
  return (r1l, r1h, r2l, r2h, budget) => {
    syncIn();
    try {
      m.r0l = run(r1l, r1h, r2l, r2h, budget > 0x7fffffff ? 0x7fffffff : budget | 0);
      m.r0h = w.r0hi;
    } finally {
      syncOut();
    }
  };
}
