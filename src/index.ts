/**
 * tsdump as a library: the pipeline of DESIGN.md, one typed function per arrow, no global
 * state. The command line (src/cli) is a thin layer over these.
 *
 *   createPacketFilter(opts)       expression | program → { run, runBatch, counters } (the whole pipeline)
 *   compile(text, opts)            pcap-filter expression → classic BPF (libpcap 1.10.3 verdicts)
 *   formatD/DD/DDD(prog)           tcpdump -d / -dd / -ddd text
 *   interpret / createInterpreter  the reference cBPF VM (libpcap bpf_filter semantics)
 *   toEbpf(cbpf, { hook })         cBPF → eBPF (socket filter, tc or XDP)
 *   loadConverted(t, hook)         a translation verified under its hook's spec, loaded, bound to packets
 *   verify(prog, hook)             the eBPF verifier
 *   load(prog, { engine })         run eBPF on the interpreter or the JIT
 *   openCapture(path)              pcap / pcapng reader; PcapWriter, PcapngWriter
 *   attachObject(bytes, hook)      a clang eBPF object's program at the xdp/tc/socket hook: run
 *                                  packets or blocks, read and write its maps (loadElf/loadObject
 *                                  are the steps underneath)
 *
 * Namespaces group the rest: `cbpf` (opcode table, assembler, parser, validator), `ebpf`
 * (opcode table, codec, assembler), `maps` (array, hash, LRU, per-CPU, ring buffer), `capture`.
 */
export { UserError, ERROR_CODES, type Span } from './errors.ts';
export { compile, parse, printAst, type CompileOptions, type Ast } from './filter/index.ts';
export type { CbpfInsn, CbpfProgram } from './isa/cbpf/types.ts';
export { formatD, formatDD, formatDDD, assemble as assembleCbpf, parseProgram as parseCbpfProgram } from './isa/cbpf/index.ts';
export { interpret, createInterpreter, validate as validateCbpf } from './cbpf/index.ts';
export { toEbpf, convert } from './convert/index.ts';
export { verify, xdpHook, socketFilterHook, tcHook } from './runtime/verifier/index.ts';
export { createPacketFilter, loadConverted, type PacketFilter, type PacketFilterOptions, type PacketFilterEngine, type ConvertedRunner, type LoadConvertedOptions } from './pipeline.ts';
export { createPacketBlock, type PacketBlock, type BatchRunFn } from './runtime/batch.ts';
export { PACKET_HOOKS, attachTc, bindXdp, type PacketHook, type PacketHookName } from './hooks/index.ts';
export { load, ENGINE_NAMES, type EngineName, type LoadOptions, type LoadedProgram } from './runtime/index.ts';
export { openCapture, PcapWriter, PcapngWriter, fileSink, memorySink, linkTypeByName } from './capture/index.ts';
export type { CaptureReader, PacketRecord } from './capture/types.ts';
export { listDevices, openLive } from './capture/live.ts';
export * as loader from './loader/index.ts';
export { attachObject, loadElf, loadObject, dumpObjectMaps } from './loader/index.ts';
export type { AttachOptions, ElfObject, LoadedObject, ObjectRunner, RunnableProgram } from './loader/index.ts';
export type { LiveCapture, LiveDevice } from './capture/live.ts';

export * as cbpf from './isa/cbpf/index.ts';
export * as ebpf from './isa/ebpf/asm.ts';
export * as maps from './maps/index.ts';
export * as capture from './capture/index.ts';
