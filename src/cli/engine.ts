/**
 * The CLI's link to the filter compiler (src/filter) and the engines: an expression becomes a
 * cBPF program (the empty expression is libpcap's `ret #snaplen`), and a program becomes a
 * validated packet filter run by the chosen engine — the reference cBPF interpreter (what
 * tcpdump does in userland), or the program translated to eBPF (src/convert) and run at a
 * socket-filter or XDP hook by the eBPF interpreter or one of the JITs.
 */
import { assertValid, createInterpreter } from '../cbpf/index.ts';
import type { PacketRecord } from '../capture/types.ts';
import { convert, loadConverted, XDP_PASS } from '../convert/index.ts';
import { compile } from '../filter/index.ts';
import type { CbpfProgram } from '../isa/cbpf/types.ts';
import type { EbpfProgram } from '../isa/ebpf/types.ts';
import type { EngineName } from '../runtime/index.ts';

/** `cbpf`: the cBPF interpreter; `ebpf-*`: translated to eBPF and run by that runtime engine. */
export const FILTER_ENGINES = ['cbpf', 'ebpf-interp', 'ebpf-jit', 'ebpf-jit64', 'ebpf-wasm'] as const;
export type FilterEngine = (typeof FILTER_ENGINES)[number];
export const FILTER_HOOKS = ['socket', 'xdp'] as const;
export type FilterHook = (typeof FILTER_HOOKS)[number];

/**
 * Whether a packet matches (the filter accepts it). With `stats` on an eBPF engine, `counters`
 * reads the verdict counters the program keeps in its eBPF array map.
 */
export type RecordFilter = ((rec: PacketRecord) => boolean) & { counters?: () => { accepted: bigint; rejected: bigint } | undefined };

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
 * A runnable filter for `prog`: validated first with libpcap's `bpf_validate` rules (what
 * tcpdump applies to a program it runs in userland: backward `ja`, which libpcap emits for
 * `protochain`, and programs longer than the kernel's limit are allowed), then pre-decoded by
 * the reference interpreter. Every problem is named.
 */
export function createFilter(prog: CbpfProgram): PacketFilter {
  assertValid(prog, { strict: false });
  return createInterpreter(prog);
}

/**
 * A filter over capture records on the chosen engine. eBPF engines get each packet as a window
 * of the reader's block buffer (no copy); a socket filter accepts when it keeps a non-zero number
 * of bytes, an XDP program when it returns XDP_PASS.
 */
export function createRecordFilter(prog: CbpfProgram, engine: FilterEngine = 'cbpf', hook: FilterHook = 'socket', stats = false): RecordFilter {
  if (engine === 'cbpf') {
    const f = createFilter(prog);
    return (rec) => (rec.buf !== undefined ? f(rec.buf, rec.caplen, rec.wirelen, rec.dataOffset) : f(rec.data, rec.caplen, rec.wirelen)) !== 0;
  }
  assertValid(prog, { strict: false });
  const runner = loadConverted(convert(prog, { hook }), hook, { engine: engine.slice('ebpf-'.length) as EngineName, counters: stats });
  const pass = hook === 'xdp' ? (r0: number) => r0 === XDP_PASS : (r0: number) => r0 !== 0;
  const f: RecordFilter = (rec) => pass(rec.buf !== undefined ? runner.run(rec.buf, rec.dataOffset!, rec.caplen, rec.wirelen) : runner.run(rec.data, 0, rec.caplen, rec.wirelen));
  f.counters = runner.counters;
  return f;
}

/** The translated eBPF program for `-d` with an eBPF engine, in the kernel's notation. */
export function ebpfListing(prog: CbpfProgram, hook: FilterHook): EbpfProgram {
  assertValid(prog, { strict: false });
  return convert(prog, { hook }).prog;
}
