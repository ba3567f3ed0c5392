/**
 * The pipeline as one library function: `createPacketFilter(opts)` builds a packet filter from a
 * pcap-filter expression or a classic BPF program, along DESIGN.md's path —
 *
 *   expression ─compile→ cBPF ─validate→ ─toEbpf(hook)→ eBPF ─verify(hook's spec)→ ─load(engine)→
 *   bound to the hook (src/hooks/packet-hooks.ts) → { run, runBatch, counters }
 *
 * or, with `engine: 'cbpf'`, the reference classic interpreter (what tcpdump does in userland).
 * The CLI (src/cli/engine.ts) and the benchmark (src/bench) use it; so can any library user.
 *
 * `engine: 'auto'` (the default) is the design's default path: the tc-style hook (direct packet
 * access and the wire length in __sk_buff.len, so `len`/`less`/`greater` match tcpdump on
 * truncated packets) on the structured JavaScript JIT, whose batch form runs a whole block of
 * packets per call — or, for very large programs (AUTO_WASM_FROM), on the wasm tier. With `counters`, the translated program counts its verdicts in an eBPF array
 * map (src/convert/counters.ts) that `counters()` reads.
 *
 * Hot path: `runBatch(block, verdicts)` takes a PacketBlock (src/runtime/batch.ts: one buffer,
 * offsets/caplens/wirelens in typed arrays) and writes r0 per packet; nothing is allocated per
 * packet or per call.
 */
import { assertValid, createInterpreter } from './cbpf/index.ts';
import { convert } from './convert/to-ebpf.ts';
import type { ConvertResult } from './convert/to-ebpf.ts';
import { COUNTER_MAP, readVerdictCounters, withVerdictCounters } from './convert/counters.ts';
import { UserError } from './errors.ts';
import { compile } from './filter/index.ts';
import { PACKET_HOOKS } from './hooks/packet-hooks.ts';
import type { PacketHookName } from './hooks/packet-hooks.ts';
import type { CbpfProgram } from './isa/cbpf/types.ts';
import type { EbpfProgram } from './isa/ebpf/types.ts';
import { MapRegistry } from './maps/index.ts';
import type { BatchRunFn, PacketBlock } from './runtime/batch.ts';
import { createHelperState, HELPERS, helperFns, lddwResolver } from './runtime/helpers.ts';
import { ENGINES, load } from './runtime/index.ts';
import { structuredFits } from './runtime/jit/js.ts';
import { shortStructured } from './runtime/jit/structured.ts';
import type { EngineName } from './runtime/index.ts';
import { verify } from './runtime/verifier/verify.ts';

/** `cbpf`: the classic interpreter; `ebpf-<engine>`: translated and run on that eBPF engine; `auto`: see the header. */
export type PacketFilterEngine = 'auto' | 'cbpf' | `ebpf-${EngineName}`;

export interface PacketFilterOptions {
  /** A pcap-filter expression (the empty string accepts every packet, as libpcap's `ret #snaplen`). */
  expression?: string;
  /** Or a classic BPF program. */
  program?: CbpfProgram;
  /** LINKTYPE_* of the packets (default 1, Ethernet). */
  linkType?: number;
  /** Snapshot length (default 262144). */
  snaplen?: number;
  optimize?: boolean;
  netmask?: number;
  /** Default 'auto'. */
  engine?: PacketFilterEngine;
  /** The hook an eBPF engine runs the translation at (default 'tc'). */
  hook?: PacketHookName;
  /** Count verdicts in an eBPF array map (eBPF engines only). */
  counters?: boolean;
  /** Instruction budget per run (loops: protochain). */
  budget?: number;
}

export interface PacketFilter {
  /** The engine that runs (`auto` resolved) and the hook ('none' for the cBPF interpreter). */
  readonly engine: Exclude<PacketFilterEngine, 'auto'>;
  readonly hook: PacketHookName | 'none';
  /** The classic program and, for eBPF engines, the translation as loaded. */
  readonly cbpf: CbpfProgram;
  readonly ebpf: EbpfProgram | undefined;
  /** Runs on buf[offset, offset + caplen) (wirelen bytes on the wire): r0 / the cBPF return value. */
  run(buf: Uint8Array, offset: number, caplen: number, wirelen: number): number;
  /** What a run's result means: accepted (the packet matches)? */
  accepts(r0: number): boolean;
  /** run + accepts. */
  matches(buf: Uint8Array, offset: number, caplen: number, wirelen: number): boolean;
  /** verdicts[i] = run(packet i) for every packet of the block (see ../runtime/batch.ts). */
  runBatch: BatchRunFn;
  /** With `counters`: accepted / rejected packets so far, read from the eBPF map. */
  counters(): { accepted: bigint; rejected: bigint } | undefined;
}

/** The accept-all program libpcap produces for an empty expression. */
export function acceptAllProgram(snaplen: number): CbpfProgram {
  return [{ code: 0x06, jt: 0, jf: 0, k: snaplen >>> 0 }];
}

/** The eBPF engine `auto` picks for small and mid-size programs: the structured JavaScript JIT. */
export const AUTO_ENGINE: EngineName = 'jit';
/**
 * `auto` picks the wasm tier for a program the structured JIT would cut into segment functions
 * (long programs that are not mostly host or port lists, which the JIT turns into hash probes):
 * there the wasm tier stays one module while the JIT pays a call and a register write-back per
 * segment (measured on the 1,000-host filter before its lists became probes: wasm 14 ns a packet,
 * the segmented JIT 79 ns; a compare-tree program now runs on the JIT in one function).
 */
function autoEngine(prog: EbpfProgram): EngineName {
  return 'wasm' in ENGINES && !(shortStructured(prog) ?? structuredFits(prog)) ? ('wasm' as EngineName) : AUTO_ENGINE;
}
export const AUTO_HOOK: PacketHookName = 'tc';

/** Builds a packet filter (see the file header). Errors are UserErrors. */
export function createPacketFilter(opts: PacketFilterOptions): PacketFilter {
  const linkType = opts.linkType ?? 1, snaplen = opts.snaplen ?? 262144;
  let prog: CbpfProgram;
  if (opts.program !== undefined) prog = opts.program;
  else if (opts.expression !== undefined) {
    prog = opts.expression.trim() === '' ? acceptAllProgram(snaplen) : compile(opts.expression, { linkType, snaplen, optimize: opts.optimize ?? true, netmask: opts.netmask });
  } else throw new UserError('PIPELINE_NO_FILTER', 'createPacketFilter needs an expression or a program');
  // libpcap's bpf_validate rules (backward ja for protochain allowed), every problem named.
  assertValid(prog, { strict: false });
  const requested = opts.engine ?? 'auto';
  if (requested === 'cbpf') {
    if (opts.counters) throw new UserError('PIPELINE_COUNTERS', 'verdict counters need an eBPF engine');
    return cbpfFilter(prog);
  }
  const hookName = opts.hook ?? AUTO_HOOK;
  if (PACKET_HOOKS[hookName] === undefined) throw new UserError('PIPELINE_HOOK', `unknown hook '${String(hookName)}' (tc, xdp or socket)`);
  const conv = convert(prog, { hook: hookName });
  const engine: EngineName = requested === 'auto' ? autoEngine(conv.prog) : (requested.slice('ebpf-'.length) as EngineName);
  if (!(engine in ENGINES)) throw new UserError('PIPELINE_ENGINE', `unknown engine '${requested}'`);
  const t = loadConverted(conv, hookName, { engine, budget: opts.budget, counters: opts.counters });
  const { run, accepts } = t;
  return {
    engine: `ebpf-${t.engine}`,
    hook: hookName,
    cbpf: prog,
    ebpf: t.ebpf,
    run,
    accepts,
    matches: (buf, offset, caplen, wirelen) => accepts(run(buf, offset, caplen, wirelen)),
    runBatch: t.runBatch,
    counters: t.counters,
  };
}

export interface LoadConvertedOptions {
  /** Default: the structured JIT. */
  engine?: EngineName;
  /** Instruction budget per run (default: the runtime's). */
  budget?: number;
  /** Count the verdicts in an eBPF array map updated by the program itself (src/convert/counters.ts). */
  counters?: boolean;
}

export interface ConvertedRunner {
  readonly engine: EngineName;
  /** The program as loaded (with the counters epilogue when asked for). */
  readonly ebpf: EbpfProgram;
  /** Runs the filter on buf[offset, offset + caplen) whose wire length is wirelen; returns r0. */
  run(buf: Uint8Array, offset: number, caplen: number, wirelen: number): number;
  /** verdicts[i] = r0 for every packet of the block (src/runtime/batch.ts). */
  runBatch: BatchRunFn;
  /** What r0 means at this hook: accepted? */
  accepts(r0: number): boolean;
  /** With `counters`: the map's two counters (accepted / rejected packets so far). */
  counters(): { accepted: bigint; rejected: bigint } | undefined;
}

/**
 * Loads a translation (src/convert) at its hook the way the kernel would: verified under the
 * hook's own spec (loops under the instruction budget, as in the interpreter), loaded on the
 * engine with a complete helper environment bound to the filter's maps (the counters' map
 * lookup) and the hook's own helpers (bpf_skb_load_bytes at the socket hook), then bound to
 * packets by the hook.
 */
export function loadConverted(res: ConvertResult, hookName: PacketHookName, opts: LoadConvertedOptions = {}): ConvertedRunner {
  const hook = PACKET_HOOKS[hookName];
  if (hook === undefined) throw new UserError('PIPELINE_HOOK', `unknown hook '${String(hookName)}' (tc, xdp or socket)`);
  const engine = opts.engine ?? AUTO_ENGINE;
  if (!(engine in ENGINES)) throw new UserError('PIPELINE_ENGINE', `unknown engine '${String(engine)}'`);
  const registry = new MapRegistry();
  const counterMap = opts.counters ? registry.create({ ...COUNTER_MAP }) : undefined;
  const ebpf = counterMap ? withVerdictCounters(res.prog, hookName, counterMap.id) : res.prog;
  const inst = hook.instance();
  const state = createHelperState({ registry });
  const helpers = { ...helperFns(HELPERS, state), ...inst.helpers };
  const spec = hook.spec((id) => registry.get(id), 'budget');
  const loaded = load(verify(ebpf, spec), { engine, budget: opts.budget, helpers, resolveLddw: lddwResolver(registry) });
  const bound = inst.bind(loaded);
  return {
    engine: loaded.engine,
    ebpf,
    run: bound.run,
    runBatch: bound.runBatch,
    accepts: hook.accepts,
    counters: () => (counterMap ? readVerdictCounters(counterMap) : undefined),
  };
}

function cbpfFilter(prog: CbpfProgram): PacketFilter {
  const f = createInterpreter(prog);
  const run = (buf: Uint8Array, offset: number, caplen: number, wirelen: number) => f(buf, caplen, wirelen, offset);
  return {
    engine: 'cbpf',
    hook: 'none',
    cbpf: prog,
    ebpf: undefined,
    run,
    accepts: (r0) => r0 !== 0,
    matches: (buf, offset, caplen, wirelen) => f(buf, caplen, wirelen, offset) !== 0,
    runBatch: (block: PacketBlock, verdicts: Int32Array) => {
      const { buf, offsets, caplens, wirelens } = block;
      let accepted = 0;
      for (let i = 0; i < block.count; i++) if ((verdicts[i] = f(buf, caplens[i]!, wirelens[i]!, offsets[i]!)) !== 0) accepted++;
      return accepted;
    },
    counters: () => undefined,
  };
}
