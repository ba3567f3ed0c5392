/**
 * What the filter benchmark measures: one "subject" per way tsdump can run a filter — the cBPF
 * interpreter, and for every eBPF engine of the command's engine list (FILTER_ENGINES, so a new
 * engine shows up here by itself) its single-packet `run` and, where the runner has one, its
 * batch path `runBatch` (the packet loop inside the generated code).
 *
 * Every subject turns a compiled filter into `countBlock(block) → matches`. The loop that calls a
 * single-packet `run` is generated per subject and filter with `new Function` (its source names
 * the subject), so each gets its own call site and type feedback in V8, as the command has with
 * its single loaded filter; a loop shared by all subjects would go megamorphic and measure V8's
 * inline caches instead of the engines.
 */
import { assertValid, createInterpreter } from '../cbpf/index.ts';
import { FILTER_ENGINES } from '../cli/engine.ts';
import { convert, loadConverted, XDP_PASS } from '../convert/index.ts';
import type { ConvertHook } from '../convert/index.ts';
import type { CbpfProgram } from '../isa/cbpf/types.ts';
import type { BatchRunFn, PacketBlock } from '../runtime/batch.ts';
import type { EngineName } from '../runtime/index.ts';
import { loadConvertedWasm } from '../runtime/wasm/converted.ts';

export interface PreparedFilter {
  /** Runs the filter on every packet of the block; returns how many it accepted. */
  countBlock(block: PacketBlock): number;
  /** Instructions of the program the subject runs (eBPF after translation). */
  insns: number;
}

export interface Subject {
  /** Stable id for JSON (e.g. `ebpf-jit/batch`). */
  id: string;
  /** Column / legend label. */
  label: string;
  /** The filter engine (`cbpf`, `ebpf-jit`, …) and how packets are handed over. */
  engine: string;
  path: 'run' | 'batch';
  prepare(prog: CbpfProgram): PreparedFilter;
}

let loopSerial = 0;

/** A fresh per-packet loop around `run(buf, offset, caplen, wirelen) → r0` accepting when `accept`. */
function singlePacketLoop(tag: string, run: (buf: Uint8Array, offset: number, caplen: number, wirelen: number) => number, accept: string): (b: PacketBlock) => number {
  const src = `return function countBlock(b) { // ${tag} #${loopSerial++}
    const buf = b.buf, off = b.offsets, cap = b.caplens, wire = b.wirelens, n = b.count;
    let m = 0;
    for (let i = 0; i < n; i++) if (run(buf, off[i], cap[i], wire[i]) ${accept}) m++;
    return m;
  };`;
  return new Function('run', src)(run) as (b: PacketBlock) => number;
}

/** A fresh loop counting accepted verdicts after one `runBatch` call. */
function batchLoop(tag: string, runBatch: BatchRunFn, accept: string): (b: PacketBlock) => number {
  const src = `let v = new Int32Array(4096);
  return function countBlock(b) { // ${tag} #${loopSerial++}
    const n = b.count;
    if (v.length < n) v = new Int32Array(n);
    runBatch(b, v);
    let m = 0;
    for (let i = 0; i < n; i++) if (v[i] ${accept}) m++;
    return m;
  };`;
  return new Function('runBatch', src)(runBatch) as (b: PacketBlock) => number;
}

/** The hook the eBPF subjects run at: XDP (the frame, direct packet access). */
export const BENCH_HOOK: ConvertHook = 'xdp';

export function listSubjects(): Subject[] {
  const out: Subject[] = [];
  out.push({
    id: 'cbpf/run',
    label: 'cbpf interp',
    engine: 'cbpf',
    path: 'run',
    prepare(prog) {
      assertValid(prog, { strict: false });
      const f = createInterpreter(prog);
      // The interpreter takes (packet, caplen, wirelen, offset).
      const run = (buf: Uint8Array, offset: number, caplen: number, wirelen: number): number => f(buf, caplen, wirelen, offset);
      return { countBlock: singlePacketLoop('cbpf', run, '!== 0'), insns: prog.length };
    },
  });
  for (const engine of FILTER_ENGINES) {
    if (!engine.startsWith('ebpf-')) continue;
    const runtimeEngine = engine.slice('ebpf-'.length) as EngineName;
    // run and batch share one loaded program per filter.
    const loaded = new WeakMap<CbpfProgram, ReturnType<typeof loadNow>>();
    const load = (prog: CbpfProgram) => {
      let l = loaded.get(prog);
      if (!l) loaded.set(prog, (l = loadNow(prog)));
      return l;
    };
    const loadNow = (prog: CbpfProgram) => {
      assertValid(prog, { strict: false });
      const conv = convert(prog, { hook: BENCH_HOOK });
      const runner = loadConverted(conv, BENCH_HOOK, { engine: runtimeEngine }) as ReturnType<typeof loadConverted> & { runBatch?: BatchRunFn };
      // The wasm tier's batch path has its own loader (the packet loop inside the module).
      if (!runner.runBatch && runtimeEngine === 'wasm') runner.runBatch = loadConvertedWasm(conv, BENCH_HOOK).runBatch;
      return { runner, insns: conv.prog.length };
    };
    const accept = `=== ${XDP_PASS}`;
    out.push({
      id: `${engine}/run`,
      label: `${engine.slice(5)} run`,
      engine,
      path: 'run',
      prepare(prog) {
        const { runner, insns } = load(prog);
        return { countBlock: singlePacketLoop(`${engine} run`, runner.run, accept), insns };
      },
    });
    out.push({
      id: `${engine}/batch`,
      label: `${engine.slice(5)} batch`,
      engine,
      path: 'batch',
      prepare(prog) {
        const { runner, insns } = load(prog);
        if (!runner.runBatch) throw new NoBatchPath();
        return { countBlock: batchLoop(`${engine} batch`, runner.runBatch, accept), insns };
      },
    });
  }
  return out;
}

/** Thrown by `prepare` when an engine has no batch path (yet): the subject is left out. */
export class NoBatchPath extends Error {
  constructor() {
    super('no batch path');
  }
}
