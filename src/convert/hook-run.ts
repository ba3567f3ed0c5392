/**
 * Runs a converted filter on tsdump's own eBPF engines (interpreter or JIT) the way the kernel
 * runs it at its hook, so that tests and benchmarks can compare it with the classic interpreter
 * packet by packet: `loadConverted(result, hook).run(buf, offset, caplen, wirelen) → r0`.
 *
 * Technique, per hook:
 *   socket  ctx = a `struct __sk_buff` image whose `len` (offset 0) is the wire length; helper
 *           26 (bpf_skb_load_bytes) copies from the current packet's captured bytes and fails
 *           with -EFAULT (zero-filling the destination, like the kernel) past caplen.
 *   xdp     the program is verified for the XDP hook (as the kernel would) and loaded verified:
 *           the verifier's context conversion turns the 32-bit loads of data/data_end into
 *           64-bit loads of shadow slots after the `struct xdp_md` image (`ctxLayout`), where
 *           the runtime's region-tagged pointers to the packet's first and one-past-last byte
 *           go; and the packet loads it proves in bounds run without a run-time check (JIT).
 * Per packet only integers are written into preallocated buffers: no allocation (the packet
 * is passed as a window of the caller's buffer).
 */
import { load, REGION, TAG_BASE } from '../runtime/index.ts';
import { verify, xdpHook } from '../runtime/verifier/index.ts';
import { MapRegistry, u32Key } from '../maps/index.ts';
import { createHelperState, HELPERS, lddwResolver } from '../runtime/helpers.ts';
import { COUNTER_ACCEPTED, COUNTER_MAP, COUNTER_REJECTED, HELPER_MAP_LOOKUP_ELEM, withVerdictCounters } from './counters.ts';
import type { EngineName, HelperEnv } from '../runtime/index.ts';
import { HELPER_SKB_LOAD_BYTES, type ConvertHook, type ConvertResult } from './to-ebpf.ts';

export interface LoadConvertedOptions {
  engine?: EngineName;
  /** Instruction budget per run (default: the runtime's). */
  budget?: number;
  /**
   * Count the verdicts in an eBPF array map updated by the program itself (./counters.ts);
   * `counters()` reads it.
   */
  counters?: boolean;
}

export interface ConvertedRunner {
  readonly engine: EngineName;
  /** Runs the filter on buf[offset, offset + caplen) whose wire length is wirelen; returns r0. */
  run(buf: Uint8Array, offset: number, caplen: number, wirelen: number): number;
  /** With `counters`: the map's two counters (accepted / rejected packets so far). */
  counters(): { accepted: bigint; rejected: bigint } | undefined;
}

/** sizeof(struct __sk_buff) in linux/bpf.h (the fields past `len` are left zero). */
const SK_BUFF_SIZE = 192;
const EFAULT = 14;
const EMPTY = new Uint8Array(0);

export function loadConverted(res: ConvertResult, hook: ConvertHook, opts: LoadConvertedOptions = {}): ConvertedRunner {
  // The packet the socket helper copies from (set before each run).
  const cur: { buf: Uint8Array; off: number; caplen: number } = { buf: new Uint8Array(0), off: 0, caplen: 0 };
  const skbLoadBytes = (env: HelperEnv): number => {
    const from = env.argLo(2) >>> 0;
    const len = env.argLo(4) >>> 0;
    const { bytes, offset } = env.argMem(3, len);
    if (env.argHi(2) !== 0 || from > 0x7fffffff || from + len > cur.caplen) {
      bytes.fill(0, offset, offset + len);
      return -EFAULT;
    }
    const src = cur.buf, at = cur.off + from;
    for (let i = 0; i < len; i++) bytes[offset + i] = src[at + i]!;
    return 0;
  };

  // With counters: the program counts its verdicts in its own array map (./counters.ts).
  const registry = new MapRegistry();
  const counterMap = opts.counters ? registry.create({ ...COUNTER_MAP }) : undefined;
  const prog = counterMap ? withVerdictCounters(res.prog, hook, counterMap.id) : res.prog;
  const helperState = createHelperState({ registry });
  const lookup = HELPERS.get(HELPER_MAP_LOOKUP_ELEM)!;
  const helpers = { [HELPER_SKB_LOAD_BYTES]: skbLoadBytes, [HELPER_MAP_LOOKUP_ELEM]: (env: HelperEnv) => lookup.impl(env, helperState) };
  const resolveLddw = lddwResolver(registry);
  // Loops (protochain's) run under the instruction budget, as in the interpreter.
  const loaded = hook === 'xdp'
    ? load(verify(prog, xdpHook((id) => registry.get(id), 'budget')), { engine: opts.engine, budget: opts.budget, helpers, resolveLddw })
    : load(prog, { engine: opts.engine, budget: opts.budget, helpers, resolveLddw });
  const layout = loaded.ctxLayout;
  const dataSlot = layout.offsets.get('data'), endSlot = layout.offsets.get('data_end');
  const ctx = new Uint8Array(hook === 'xdp' ? layout.size : SK_BUFF_SIZE);
  const view = new DataView(ctx.buffer);
  // High halves: the packet region's tag; low halves are offsets in it (data is always 0). A
  // program that never reads a pointer field has no slot for it.
  for (const at of [dataSlot, endSlot]) if (at !== undefined) view.setUint32(at + 4, TAG_BASE + REGION.packet, true);
  const endAt = endSlot ?? -1;
  // One closure per hook, so the per-packet path has no hook test and writes only what the
  // program can read: the shadow pointers' low halves (xdp) or __sk_buff.len (socket).
  const runXdp = (buf: Uint8Array, offset: number, caplen: number): number => {
    if (endAt >= 0) view.setUint32(endAt, caplen, true); // data_end = packet + caplen (data = packet + 0)
    return loaded.runPacket(ctx, buf, offset, caplen);
  };
  const runSocket = (buf: Uint8Array, offset: number, caplen: number, wirelen: number): number => {
    cur.buf = buf;
    cur.off = offset;
    cur.caplen = caplen;
    view.setUint32(0, wirelen, true); // __sk_buff.len
    return loaded.runPacket(ctx, EMPTY, 0, 0); // the packet is read through the helper
  };
  const counters = () => {
    if (!counterMap) return undefined;
    const read = (i: number): bigint => {
      const v = counterMap.lookup(u32Key(i), 0, 0)!;
      return new DataView(v.buffer, v.byteOffset, v.byteLength).getBigUint64(0, true);
    };
    return { accepted: read(COUNTER_ACCEPTED), rejected: read(COUNTER_REJECTED) };
  };
  return { engine: loaded.engine, run: hook === 'xdp' ? runXdp : runSocket, counters };
}
