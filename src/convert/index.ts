/**
 * The cBPF → eBPF converter's public API: `toEbpf(cbpf, { hook })` (see to-ebpf.ts for the
 * register map, the packet-guard technique and the semantics) and `convert`, which also reports
 * the context loads a hook runner must serve. The converter depends on isa/ only: loading a
 * translation at its hook is the pipeline's (../pipeline.ts loadConverted).
 */
export { convert, toEbpf, HELPER_SKB_LOAD_BYTES, MAX_BACKWARD_JUMPS, XDP_DROP, XDP_PASS } from './to-ebpf.ts';
export type { ConvertHook, ConvertOptions, ConvertResult, CtxLoad } from './to-ebpf.ts';
export { COUNTER_ACCEPTED, COUNTER_MAP, COUNTER_REJECTED, withVerdictCounters } from './counters.ts';
