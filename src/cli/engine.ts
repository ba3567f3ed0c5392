/**
 * The CLI's link to the filter compiler (src/filter) and the engines: an expression becomes a
 * cBPF program (the empty expression is libpcap's `ret #snaplen`), and a program becomes a
 * packet filter built by the library's pipeline (src/pipeline.ts) — by default the program
 * translated to eBPF and run at the tc hook on the structured JIT, or the reference cBPF
 * interpreter (what tcpdump does in userland), or a named eBPF engine at a named hook.
 */
import { assertValid } from '../cbpf/index.ts';
import type { PacketRecord } from '../capture/types.ts';
import type { BatchRunFn } from '../runtime/batch.ts';
import { convert } from '../convert/to-ebpf.ts';
import { createPacketFilter } from '../pipeline.ts';
import { compile } from '../filter/index.ts';
import type { CbpfProgram } from '../isa/cbpf/types.ts';
import type { EbpfProgram } from '../isa/ebpf/types.ts';

/**
 * `auto` (the default): the design's path, compile → cBPF → eBPF at the tc hook on the fastest
 * tier (src/pipeline.ts); `cbpf`: the reference cBPF interpreter; `ebpf-*`: translated to eBPF
 * and run by that runtime engine.
 */
export const FILTER_ENGINES = ['auto', 'cbpf', 'ebpf-interp', 'ebpf-jit', 'ebpf-jit-dispatch', 'ebpf-jit64', 'ebpf-wasm'] as const;
export type FilterEngine = (typeof FILTER_ENGINES)[number];
export const FILTER_HOOKS = ['tc', 'xdp', 'socket'] as const;
export type FilterHook = (typeof FILTER_HOOKS)[number];

/**
 * Whether a packet matches (the filter accepts it). With `stats` on an eBPF engine, `counters`
 * reads the verdict counters the program keeps in its eBPF array map.
 */
export type RecordFilter = ((rec: PacketRecord) => boolean) & {
  counters?: () => { accepted: bigint; rejected: bigint } | undefined;
  /** The block form (src/runtime/batch.ts): verdicts[i] = the run's result for packet i. */
  runBatch?: BatchRunFn;
  /** What a result in `verdicts` means: the packet matches. */
  accepts?: (r0: number) => boolean;
};

export interface CompileOptions {
  linkType: number;
  snaplen: number;
  optimize: boolean;
  netmask?: number;
}

/** A packet filter: the cBPF return value (0 = drop, else bytes to keep). */
export type PacketFilter = (pkt: Uint8Array, caplen: number, wirelen: number, offset?: number) => number;

/** The accept-all program libpcap produces for an empty expression. */
export function acceptAllProgram(snaplen: number): CbpfProgram {
  return [{ code: 0x06, jt: 0, jf: 0, k: snaplen >>> 0 }];
}

/** Compiles a filter expression (errors are UserErrors with the column). */
export function compileExpression(text: string, opts: CompileOptions): CbpfProgram {
  // libpcap compiles the empty expression to `ret #snaplen` on every link type it knows, even
  // those it cannot filter on (the link type itself is checked before, by the caller).
  if (text.trim() === '') return acceptAllProgram(opts.snaplen);
  return compile(text, opts);
}

/**
 * A filter over capture records on the chosen engine, built by the library's pipeline
 * (createPacketFilter). eBPF engines get each packet as a window of the reader's block buffer
 * (no copy). The hook: as given, else tc for `auto`, socket for an explicit eBPF engine.
 */
export function createRecordFilter(prog: CbpfProgram, engine: FilterEngine = 'auto', hook?: FilterHook, stats = false): RecordFilter {
  const f = createPacketFilter({ program: prog, engine, hook: hook ?? (engine === 'auto' ? 'tc' : 'socket'), counters: stats && engine !== 'cbpf' });
  const rf: RecordFilter = (rec) => (rec.buf !== undefined ? f.matches(rec.buf, rec.dataOffset!, rec.caplen, rec.wirelen) : f.matches(rec.data, 0, rec.caplen, rec.wirelen));
  rf.counters = f.counters;
  rf.runBatch = f.runBatch;
  rf.accepts = f.accepts;
  return rf;
}

/** The translated eBPF program for `-d` with an eBPF engine, in the kernel's notation. */
export function ebpfListing(prog: CbpfProgram, hook: FilterHook): EbpfProgram {
  assertValid(prog, { strict: false });
  return convert(prog, { hook }).prog;
}
