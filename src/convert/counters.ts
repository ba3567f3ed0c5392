/**
 * Verdict counters in an eBPF map, added to a converted filter: every `exit` of the program
 * becomes a jump to one epilogue that counts the verdict in a 2-entry array map (index 1 =
 * accepted: XDP_PASS at the XDP hook, TC_ACT_OK at tc, a non-zero byte count at the socket hook; index 0 = the
 * rest) with an atomic add, then returns the program's own r0. This is how an XDP filter
 * reports statistics to user space, which reads the map while or after the program runs.
 *
 * Technique: a post-pass on the finished translation. Replacing `exit` (one slot) with `ja`
 * (one slot, or `gotol` beyond the 16-bit range) keeps every other instruction where it was,
 * so no other jump moves. The epilogue uses r6 (the translation's A, dead at exit), r1–r5 and
 * r0 (scratch across the helper call) and the stack slot at r10-488, below everything the
 * translation uses (r10-476 and up, see ./to-ebpf.ts); the kernel verifier accepts it like any
 * map lookup (key initialised on the stack, value pointer checked for NULL).
 */
import { layout } from '../isa/ebpf/codec.ts';
import type { EbpfInsn, EbpfProgram } from '../isa/ebpf/types.ts';
import { BPF_FUNC, TC_ACT, XDP_ACTION } from '../isa/ebpf/uapi.ts';

const XDP_PASS = XDP_ACTION.PASS;
import type { BpfMap } from '../maps/types.ts';
import type { ConvertHook } from './to-ebpf.ts';

/** Index of the "accepted" counter; the other verdicts count at index 0. */
export const COUNTER_ACCEPTED = 1;
export const COUNTER_REJECTED = 0;
/** Kernel helper id of bpf_map_lookup_elem(map, key). */
export const HELPER_MAP_LOOKUP_ELEM = BPF_FUNC.map_lookup_elem;
/** The map the epilogue expects: BPF_MAP_TYPE_ARRAY, u32 key, u64 value, 2 entries. */
export const COUNTER_MAP = { kind: 'array', keySize: 4, valueSize: 8, maxEntries: 2 } as const;

const KEY_OFF = -488;

/**
 * The program with its verdicts counted in the map whose lddw reference (map fd or registry
 * id, as the loader resolves it) is `mapRef`.
 */
export function withVerdictCounters(prog: EbpfProgram, hook: ConvertHook, mapRef: number): EbpfProgram {
  const { pcOf, slots } = layout(prog);
  const epilogue = slots; // slot pc where the epilogue starts (right after the program)
  const out: EbpfInsn[] = prog.map((insn, i) => {
    if (insn.kind !== 'exit') return insn;
    const rel = epilogue - (pcOf[i]! + 1);
    return rel <= 0x7fff ? { kind: 'ja', off: rel } : { kind: 'gotol', imm: rel };
  });
  out.push(
    { kind: 'alu', op: 'mov', wide: true, dst: 6, src: 0 }, // r6 = verdict
    { kind: 'alu', op: 'mov', wide: false, dst: 1, imm: COUNTER_REJECTED }, // w1 = rejected
    // accepted: XDP_PASS (xdp), TC_ACT_OK (tc) or a non-zero byte count (socket)
    hook === 'xdp' || hook === 'tc'
      ? { kind: 'jmp', op: 'jne', wide: false, dst: 6, imm: hook === 'xdp' ? XDP_PASS : TC_ACT.OK, off: 1 }
      : { kind: 'jmp', op: 'jeq', wide: false, dst: 6, imm: 0, off: 1 },
    { kind: 'alu', op: 'mov', wide: false, dst: 1, imm: COUNTER_ACCEPTED }, // w1 = accepted
    { kind: 'stx', size: 'w', dst: 10, src: 1, off: KEY_OFF }, // key = w1
    { kind: 'lddw', lddw: 'map_fd', dst: 1, imm: mapRef, imm2: 0 }, // r1 = counters map
    { kind: 'alu', op: 'mov', wide: true, dst: 2, src: 10 },
    { kind: 'alu', op: 'add', wide: true, dst: 2, imm: KEY_OFF }, // r2 = &key
    { kind: 'call', call: 'helper', imm: HELPER_MAP_LOOKUP_ELEM }, // r0 = &counters[key] or NULL
    { kind: 'jmp', op: 'jeq', wide: true, dst: 0, imm: 0, off: 2 },
    { kind: 'alu', op: 'mov', wide: true, dst: 1, imm: 1 },
    { kind: 'atomic', op: 'add', fetch: false, size: 'dw', dst: 0, src: 1, off: 0 }, // lock counters[key] += 1
    { kind: 'alu', op: 'mov', wide: true, dst: 0, src: 6 }, // r0 = verdict
    { kind: 'exit' },
  );
  return out;
}

/** The two counters a program built by withVerdictCounters keeps in `map` (accepted / rejected). */
export function readVerdictCounters(map: Pick<BpfMap, 'lookup'>): { accepted: bigint; rejected: bigint } {
  const read = (i: number): bigint => {
    const v = map.lookup(Uint8Array.of(i, 0, 0, 0), 0, 0)!;
    return new DataView(v.buffer, v.byteOffset, v.byteLength).getBigUint64(0, true);
  };
  return { accepted: read(COUNTER_ACCEPTED), rejected: read(COUNTER_REJECTED) };
}
