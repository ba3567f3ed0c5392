/**
 * The CLI's link to the filter compiler (src/filter) and the cBPF interpreter (src/cbpf): an
 * expression becomes a cBPF program (the empty expression is libpcap's `ret #snaplen`), and a
 * program becomes a validated, pre-decoded packet filter.
 */
import { assertValid, createInterpreter } from '../cbpf/index.ts';
import { compile } from '../filter/index.ts';
import type { CbpfProgram } from '../isa/cbpf/types.ts';

export interface CompileOptions {
  linkType: number;
  snaplen: number;
  optimize: boolean;
  netmask?: number;
}

/** A packet filter: the cBPF return value (0 = drop, else bytes to keep). */
export type PacketFilter = (pkt: Uint8Array, caplen: number, wirelen: number) => number;

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
