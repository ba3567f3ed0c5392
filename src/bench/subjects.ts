/**
 * What the filter benchmark measures: one "subject" per way tsdump can run a filter — for every
 * engine of the command's engine list (FILTER_ENGINES, so a new engine shows up here by itself),
 * built by the library's one pipeline function (createPacketFilter, src/pipeline.ts) exactly as
 * the command builds it: the cBPF interpreter, and each eBPF engine at the default path's hook,
 * through its single-packet `run` and through its batch path `runBatch` (a block of packets per
 * call; the packet loop inside the generated code where the engine has a batch form).
 *
 * Every subject turns a compiled filter into `countBlock(block) → matches`. The loops around
 * `run` and `runBatch` are generated per subject and filter with `new Function` (their source
 * names the subject), so each has its own call sites and type feedback in V8, as the command has
 * with its single loaded filter; one loop shared by all subjects would go megamorphic and measure
 * V8's inline caches instead of the engines.
 */
import { FILTER_ENGINES } from '../cli/engine.ts';
import type { CbpfProgram } from '../isa/cbpf/types.ts';
import { AUTO_ENGINE, AUTO_HOOK, createPacketFilter, type PacketFilter, type PacketFilterEngine } from '../pipeline.ts';
import type { BatchRunFn, PacketBlock } from '../runtime/batch.ts';

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
  prepare(prog: CbpfProgram, linkType: number, snaplen: number): PreparedFilter;
}

/** The hook the eBPF subjects run at: the default path's (tc-style: direct access, wire length). */
export const BENCH_HOOK = AUTO_HOOK;
/** What `--engine auto` runs. */
export const DEFAULT_ENGINE = `ebpf-${AUTO_ENGINE}`;

let loopSerial = 0;

type RunFn = (buf: Uint8Array, offset: number, caplen: number, wirelen: number) => number;

/** A fresh per-packet loop around `run` accepting when `accepts(r0)`. */
function singlePacketLoop(tag: string, run: RunFn, accepts: (r0: number) => boolean): (b: PacketBlock) => number {
  const src = `return function countBlock(b) { // ${tag} #${loopSerial++}
    const buf = b.buf, off = b.offsets, cap = b.caplens, wire = b.wirelens, n = b.count;
    let m = 0;
    for (let i = 0; i < n; i++) if (accepts(run(buf, off[i], cap[i], wire[i]))) m++;
    return m;
  };`;
  return new Function('run', 'accepts', src)(run, accepts) as (b: PacketBlock) => number;
}

/**
 * A fresh loop around one `runBatch` call per block: it writes every packet's verdict and returns
 * how many the hook accepts (what `--count` takes; printing and `-w` then walk the verdicts).
 */
function batchLoop(tag: string, runBatch: BatchRunFn): (b: PacketBlock) => number {
  const src = `let v = new Int32Array(4096);
  return function countBlock(b) { // ${tag} #${loopSerial++}
    const n = b.count;
    if (v.length < n) v = new Int32Array(n);
    return runBatch(b, v);
  };`;
  return new Function('runBatch', src)(runBatch) as (b: PacketBlock) => number;
}

export function listSubjects(): Subject[] {
  const out: Subject[] = [];
  for (const engine of FILTER_ENGINES as readonly string[]) {
    if (engine === 'auto') continue; // it is one of the others (DEFAULT_ENGINE)
    // run and batch share one filter per program.
    const built = new WeakMap<CbpfProgram, PacketFilter>();
    const build = (prog: CbpfProgram, linkType: number, snaplen: number): PacketFilter => {
      let f = built.get(prog);
      if (!f) built.set(prog, (f = createPacketFilter({ program: prog, linkType, snaplen, engine: engine as PacketFilterEngine, hook: engine === 'cbpf' ? undefined : BENCH_HOOK })));
      return f;
    };
    const short = engine === 'cbpf' ? 'cbpf' : engine.slice('ebpf-'.length);
    const insns = (f: PacketFilter) => f.ebpf?.length ?? f.cbpf.length;
    out.push({
      id: `${engine}/run`,
      label: engine === 'cbpf' ? 'cbpf interp' : `${short} run`,
      engine,
      path: 'run',
      prepare(prog, linkType, snaplen) {
        const f = build(prog, linkType, snaplen);
        return { countBlock: singlePacketLoop(`${engine} run`, f.run, f.accepts), insns: insns(f) };
      },
    });
    // The cBPF interpreter's runBatch is a plain loop over run: no separate subject.
    if (engine === 'cbpf') continue;
    out.push({
      id: `${engine}/batch`,
      label: `${short} batch`,
      engine,
      path: 'batch',
      prepare(prog, linkType, snaplen) {
        const f = build(prog, linkType, snaplen);
        return { countBlock: batchLoop(`${engine} batch`, f.runBatch), insns: insns(f) };
      },
    });
  }
  return out;
}
