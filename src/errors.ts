/**
 * User-facing errors. Every error a user can cause (bad filter, bad capture file, bad program)
 * is a `UserError`: a stable `code`, a message, and where it applies a `span` into the source
 * text (filter expressions, assembler input) or a byte `offset` into a file. The CLI prints these
 * as one line (plus a caret line under the span) and never a stack trace; anything else that
 * escapes is a bug in tsdump and is reported as such.
 */

export interface Span {
  /** 0-based offset of the first character. */
  start: number;
  /** 0-based offset one past the last character (start === end for a point, e.g. end of input). */
  end: number;
}

export class UserError extends Error {
  readonly code: string;
  readonly span?: Span;
  /** The text the span points into (a filter expression, an assembler source). */
  readonly source?: string;
  /** Byte offset into a file, for capture and program-file errors. */
  readonly offset?: number;

  constructor(code: string, message: string, extra: { span?: Span; source?: string; offset?: number } = {}) {
    super(message);
    this.name = 'UserError';
    this.code = code;
    this.span = extra.span;
    this.source = extra.source;
    this.offset = extra.offset;
  }
}

/**
 * Every UserError code, once, with what it means. One style: AREA_WHAT in upper snake case, the
 * area naming the module that raises it. test/errors.test.ts checks that every code raised in
 * src/ is listed here and that every code listed is raised somewhere. Verifier codes are
 * VERIFIER_<RULE> for the rule that refused the program (src/runtime/verifier/error.ts).
 */
export const ERROR_CODES: Readonly<Record<string, string>> = {
  // The filter compiler (src/filter).
  FILTER_SYNTAX: 'the expression does not parse (the span shows where)',
  FILTER_BAD_CHAR: 'a character the filter language does not use',
  FILTER_NUMBER_OVERFLOW: 'a number too large for 32 bits',
  FILTER_BAD_SIZE: 'a data size other than 1, 2 or 4 in expr[off:size]',
  FILTER_BAD_ADDR: 'a malformed host, network or MAC address',
  FILTER_BAD_MASK: 'a malformed or non-contiguous netmask',
  FILTER_NET_BITS: 'a network address with bits set past its prefix length',
  FILTER_NETMASK: 'a netmask where the compile context has none to use',
  FILTER_BAD_PORT: 'a port or port range out of 0..65535',
  FILTER_BAD_PROTO: 'a protocol number or keyword not valid where it is used',
  FILTER_BAD_QUAL: 'a qualifier combination libpcap refuses (e.g. "ip6 host" with an IPv4 address)',
  FILTER_BAD_VALUE: 'a value out of range for its field',
  FILTER_BAD_VLAN: 'a VLAN id out of 0..4095',
  FILTER_BAD_MPLS: 'an MPLS label out of 0..1048575',
  FILTER_BAD_PPPOES: 'a PPPoE session id out of 0..65535',
  FILTER_BAD_SHIFT: 'a constant shift of 32 or more',
  FILTER_DIV_ZERO: 'a constant division or modulo by zero',
  FILTER_UNKNOWN_HOST: 'a host name not in the hosts file',
  FILTER_UNKNOWN_NET: 'a network name not in the networks file',
  FILTER_UNKNOWN_PORT: 'a service name not in the services file',
  FILTER_UNKNOWN_PROTO: 'a protocol name not in the protocols file',
  FILTER_UNSUPPORTED: 'a primitive libpcap 1.10.3 does not support in this form',
  FILTER_LINK_UNSUPPORTED: 'a primitive the link type cannot express',
  FILTER_LINKTYPE: 'a link type the compiler does not know',
  FILTER_TOO_COMPLEX: 'an arithmetic expression needing more scratch registers than cBPF has',
  FILTER_TOO_LARGE: 'an expression beyond the documented size limits',
  FILTER_REJECTS_ALL: 'an expression that rejects every packet (libpcap refuses it too)',
  // Classic BPF programs (src/isa/cbpf, src/cbpf).
  CBPF_PARSE: 'a program file in none of the -d/-dd/-ddd/bpf_asm forms',
  CBPF_ASM: 'a bpf_asm source line that does not assemble',
  CBPF_DISASM: 'an instruction that has no bpf_asm form',
  CBPF_EMPTY: 'a program with no instructions',
  CBPF_TOO_LONG: 'a program longer than the validator allows',
  CBPF_BAD_OPCODE: 'an opcode classic BPF does not define',
  CBPF_BAD_FIELDS: 'jt/jf/k set where the instruction does not use them',
  CBPF_BAD_ANCILLARY: 'a load from SKF_AD_OFF that is not a Linux ancillary field',
  CBPF_JUMP_RANGE: 'a jump past the end of the program',
  CBPF_BACKWARD_JUMP: 'a backward jump (classic BPF has none)',
  CBPF_DIV_ZERO: 'a division or modulo by the constant 0',
  CBPF_SHIFT_RANGE: 'a constant shift of 32 or more',
  CBPF_MEM_INDEX: 'a scratch-memory index past M[15]',
  CBPF_MEM_UNINIT: 'a scratch-memory read before any write on some path',
  CBPF_NO_RET: 'a program whose last instruction is not a return',
  // cBPF -> eBPF translation (src/convert) and the pipeline (src/pipeline.ts).
  CONVERT_BAD_HOOK: 'a translation target other than socket, tc or xdp',
  CONVERT_EMPTY: 'an empty classic program to translate',
  CONVERT_TOO_LARGE: 'a translation past the eBPF program size limit',
  PIPELINE_NO_FILTER: 'createPacketFilter without an expression or a program',
  PIPELINE_ENGINE: 'an engine name the pipeline does not know',
  PIPELINE_HOOK: 'a hook name other than tc, xdp or socket',
  PIPELINE_COUNTERS: 'verdict counters asked of the classic interpreter',
  // eBPF programs: assembler, codec, loading and running (src/isa/ebpf, src/runtime).
  EBPF_ASM_EMPTY: 'an assembler source with no instructions',
  EBPF_ASM_MNEMONIC: 'an unknown mnemonic',
  EBPF_ASM_OPERANDS: 'the wrong number of operands',
  EBPF_ASM_REGISTER: 'an operand that is not a register %r0..%r10',
  EBPF_ASM_IMM: 'an operand that is not an immediate',
  EBPF_ASM_IMM_RANGE: 'an immediate out of its field\'s range',
  EBPF_ASM_OFFSET: 'an operand that is not an offset or label',
  EBPF_ASM_OFFSET_RANGE: 'an offset out of the 16-bit range',
  EBPF_ASM_MEMORY: 'a memory operand not of the form [%rN+off]',
  EBPF_ASM_LABEL: 'an undefined or duplicate label',
  EBPF_ASM_RAW: 'a malformed .raw directive',
  EBPF_BAD_LENGTH: 'program bytes not a multiple of 8',
  EBPF_EMPTY: 'an empty eBPF program',
  EBPF_INVALID_PROGRAM: 'a program the engines cannot load (structure)',
  EBPF_INVALID_INSN: 'an instruction the engines do not define',
  EBPF_BAD_JUMP: 'a jump outside the program',
  EBPF_UNRESOLVED: 'an lddw map or function reference nobody resolved',
  EBPF_KFUNC: 'a kfunc call (not supported)',
  EBPF_UNKNOWN_HELPER: 'a call to a helper the run does not provide',
  EBPF_HELPER: 'a helper that returned a non-integer',
  EBPF_BAD_INPUT: 'a run whose context or packet window does not fit the program',
  EBPF_RUNTIME_FAULT: 'an access the run-time checks refused (out of bounds, bad pointer)',
  EBPF_FALLS_OFF: 'execution ran past the last instruction',
  EBPF_BUDGET: 'the instruction budget ran out (a loop that does not end)',
  EBPF_CALL_DEPTH: 'bpf-to-bpf calls nested deeper than 8 frames',
  EBPF_STACK: 'the host stack ran out',
  EBPF_INTERNAL: 'a construct the structured JIT cannot run (a tsdump bug if reached)',
  EBPF_PLUGIN_ARGS: 'bad arguments to the bpf_conformance plugin',
  EBPF_PLUGIN_HEX: 'bad hex input to the bpf_conformance plugin',
  // The verifier (src/runtime/verifier): VERIFIER_<RULE>.
  VERIFIER_EMPTY: 'an empty program',
  VERIFIER_INVALID_INSN: 'an undefined opcode or a reserved field not zero',
  VERIFIER_LDDW: 'a malformed or unknown lddw',
  VERIFIER_JUMP_RANGE: 'a jump or call outside the program or its function',
  VERIFIER_JUMP_INTO_LDDW: 'a jump into the second slot of an lddw',
  VERIFIER_FALL_OFF_END: 'a path that runs past the last instruction',
  VERIFIER_NO_EXIT: 'an instruction from which no path reaches an exit',
  VERIFIER_UNREACHABLE: 'an instruction no path reaches',
  VERIFIER_R10_WRITE: 'a write to the read-only frame pointer r10',
  VERIFIER_UNKNOWN_HELPER: 'a call to a helper id the verifier does not know',
  VERIFIER_HELPER_NOT_ALLOWED: 'a helper the hook does not allow',
  VERIFIER_HELPER_ARG: 'a helper argument of the wrong type or size',
  VERIFIER_KFUNC: 'a kfunc call',
  VERIFIER_CALLX: 'callx where the hook does not allow it',
  VERIFIER_RECURSION: 'a bpf-to-bpf call cycle',
  VERIFIER_CALL_DEPTH: 'calls nested deeper than 8 frames',
  VERIFIER_STACK_DEPTH: 'a call chain using more than 512 bytes of stack',
  VERIFIER_STACK_BOUNDS: 'a stack access outside the frame',
  VERIFIER_STACK_UNINIT: 'a read of stack bytes never written on the path',
  VERIFIER_STACK_ESCAPE: 'a stack pointer leaving its frame',
  VERIFIER_MISALIGNED: 'a misaligned stack or atomic access',
  VERIFIER_UNINIT_REG: 'a read of a register never written on the path',
  VERIFIER_BAD_MEM: 'a memory access through a non-pointer or an unusable pointer',
  VERIFIER_NULL_DEREF: 'an access through a pointer that may be NULL',
  VERIFIER_CTX_ACCESS: 'a context access outside the hook\'s fields or sizes',
  VERIFIER_PKT_ACCESS: 'a packet access not proven below data_end',
  VERIFIER_VALUE_BOUNDS: 'a map value or ring record access out of bounds',
  VERIFIER_READONLY_MAP: 'a write into a read-only map',
  VERIFIER_BAD_MAP: 'a reference to a map that does not exist',
  VERIFIER_PTR_ARITH: 'pointer arithmetic the kernel forbids',
  VERIFIER_PTR_LEAK: 'a pointer returned where the hook needs a number',
  VERIFIER_REF_LEAK: 'a ring-buffer record neither submitted nor discarded',
  VERIFIER_LD_ABS: 'LD_ABS/LD_IND without the context in r6, or where the hook has none',
  VERIFIER_DIV_BY_ZERO: 'a division or modulo by the immediate 0',
  VERIFIER_INVALID_SHIFT: 'a shift by an immediate out of range',
  VERIFIER_LOOP: 'a back-edge where loops are refused',
  VERIFIER_INFINITE_LOOP: 'a loop whose state repeats',
  VERIFIER_UNBOUNDED_LOOP: 'a loop not proven to end within the step limit',
  VERIFIER_TOO_COMPLEX: 'more abstract-interpretation steps than the limit',
  // Capture files (src/capture).
  CAPTURE_OPEN: 'a capture file that cannot be opened',
  CAPTURE_READ: 'a read error on a capture file',
  CAPTURE_READER: 'an unknown --reader',
  CAPTURE_BAD_MAGIC: 'a file that is neither pcap nor pcapng',
  CAPTURE_BAD_VERSION: 'a pcap or pcapng version the readers do not know',
  CAPTURE_BAD_LENGTH: 'a record or block length that cannot be right',
  CAPTURE_CORRUPT: 'a structurally broken pcapng block',
  CAPTURE_NO_IDB: 'a pcapng packet before any interface description',
  CAPTURE_TRUNCATED: 'a capture that ends inside a header or record',
  CAPTURE_LINKTYPE: 'a link type that cannot be written or mixed here',
  CAPTURE_OPEN_OUTPUT: 'an output file that cannot be created',
  CAPTURE_WRITE: 'a write error on the output',
  // Live capture (src/capture/live.ts).
  LIVE_NO_CAP: 'live capture without the optional cap package',
  LIVE_OPEN: 'an interface that cannot be opened',
  LIVE_LINK_TYPE: 'an interface link type tsdump cannot filter',
  LIVE_DIRECTION: 'a -Q direction the device cannot tell apart',
  // ELF objects (src/loader).
  ELF_INVALID: 'a file that is not a usable BPF ELF object',
  ELF_BTF: 'BTF the loader cannot read',
  ELF_MAPS: 'a map definition the loader cannot create',
  ELF_RELOC: 'a relocation the loader does not support',
  ELF_NO_PROGRAMS: 'an object with no program sections',
  ELF_NO_PROGRAM: 'no program of the requested name or hook',
  ELF_AMBIGUOUS: 'several programs match; name one',
  ELF_HOOK: 'a program section for a hook tsdump cannot run',
  ELF_HELPER: 'a helper the hook does not provide',
  // Maps (src/maps).
  MAP_INVALID: 'a map spec the kind does not allow',
  MAP_NOT_FOUND: 'a map name or id that does not exist',
  MAP_SIZE: 'a key or value of the wrong size',
  MAP_UPDATE: 'a map update the map refused',
  MAP_DELETE: 'a map delete the map refused',
  MAP_JSON: 'a --map file not in bpftool map dump -j form',
  // The command line (src/cli) and the benchmark (src/bench).
  CLI_USAGE: 'flags that do not fit together or are not known',
  CLI_NO_INPUT: 'nothing to read (-r or -i missing)',
  CLI_BAD_COUNT: 'a -c count that is not a positive number',
  CLI_BAD_SKIP: 'a --skip count that is not a number',
  CLI_BAD_SNAPLEN: 'a -s snaplen that is not a number',
  CLI_BAD_BUFFER_SIZE: 'a -B buffer size that is not a number',
  CLI_BAD_FILE_SIZE: 'a -C file size that is not a positive number of millions of bytes, or too large',
  CLI_BAD_SECONDS: 'a -G rotation period that is not a number of seconds',
  CLI_BAD_FILE_COUNT: 'a -W file count that is not a positive number',
  CLI_BAD_LINKTYPE: 'a -y link type name tsdump does not know',
  CLI_FILTER_FILE: 'a -F file that cannot be read',
  CLI_PROGRAM_FILE: 'a --program file that cannot be read',
  CLI_OBJECT_FILE: 'an eBPF object file that cannot be read',
  CLI_MAP_FILE: 'a --map file that cannot be read',
  BENCH_USAGE: 'bad tsdump bench arguments',
  BENCH_EMPTY: 'a benchmark capture with no packets',
  BENCH_LINKTYPES: 'a benchmark capture mixing link types',
};

/** Renders `source` with a caret line under `span`, e.g. for "tcp port" → "tcp port\n        ^". */
export function caretLines(source: string, span: Span): string {
  // A long source (a filter file of thousands of terms) is shown as a window around the span,
  // so the error stays a few short lines: "…" marks the text left out on each side.
  const MAX = 160, CONTEXT = 60;
  if (source.length > MAX) {
    const from = Math.max(0, span.start - CONTEXT);
    const to = Math.min(source.length, Math.max(span.end, span.start + 1) + CONTEXT);
    const head = from > 0 ? '…' : '', tail = to < source.length ? '…' : '';
    const shown = source.slice(from, to).replace(/[\r\n\t]/g, ' ');
    const width = Math.max(1, Math.min(span.end, to) - span.start);
    return `${head}${shown}${tail}\n${' '.repeat(head.length + span.start - from)}${'^'.repeat(width)}`;
  }
  const width = Math.max(1, span.end - span.start);
  return `${source}\n${' '.repeat(span.start)}${'^'.repeat(width)}`;
}

/** One human line for an error: "code: message (column N)" style used by the CLI. */
export function formatUserError(e: UserError): string {
  let s = e.message;
  if (e.span) s += ` (column ${e.span.start + 1})`;
  if (e.span && e.source !== undefined) s += `\n${caretLines(e.source, e.span)}`;
  return s;
}
