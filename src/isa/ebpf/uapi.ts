/**
 * linux/bpf.h facts as data, in one place: program types, helper ids, the XDP and tc verdicts,
 * and the layouts of the contexts packet programs get (`struct xdp_md`, `struct __sk_buff`).
 * The converter (src/convert), the hooks (src/hooks), the helper table (src/runtime/helpers.ts)
 * and the verifier's hook specs (src/runtime/verifier/hooks.ts) read these values instead of
 * repeating the numbers; they are the kernel's ABI, so they never change.
 */

/** enum bpf_prog_type (the ones tsdump runs). */
export const BPF_PROG_TYPE = { SOCKET_FILTER: 1, SCHED_CLS: 3, XDP: 6, SYSCALL: 31 } as const;

/** enum bpf_func_id: the helper ids tsdump knows. */
export const BPF_FUNC = {
  map_lookup_elem: 1,
  map_update_elem: 2,
  map_delete_elem: 3,
  ktime_get_ns: 5,
  trace_printk: 6,
  get_prandom_u32: 7,
  get_smp_processor_id: 8,
  tail_call: 12,
  perf_event_output: 25,
  skb_load_bytes: 26,
  csum_diff: 28,
  get_numa_node_id: 42,
  xdp_adjust_head: 44,
  xdp_adjust_meta: 54,
  xdp_adjust_tail: 65,
  jiffies64: 118,
  ktime_get_boot_ns: 125,
  ringbuf_output: 130,
  ringbuf_reserve: 131,
  ringbuf_submit: 132,
  ringbuf_discard: 133,
  ringbuf_query: 134,
  ktime_get_coarse_ns: 160,
  map_lookup_percpu_elem: 195,
} as const;

/** enum xdp_action. */
export const XDP_ACTION = { ABORTED: 0, DROP: 1, PASS: 2, TX: 3, REDIRECT: 4 } as const;

/** TC_ACT_* (linux/pkt_cls.h): what a sched_cls program in direct-action mode returns. */
export const TC_ACT = { UNSPEC: -1, OK: 0, RECLASSIFY: 1, SHOT: 2, PIPE: 3, STOLEN: 4, QUEUED: 5, REPEAT: 6, REDIRECT: 7 } as const;

/** What a context field holds: a number, or (as the verifier sees it) a packet pointer. */
export type UapiFieldKind = 'scalar' | 'pkt' | 'pkt_end' | 'pkt_meta';

export interface UapiField {
  name: string;
  off: number;
  size: number;
  kind: UapiFieldKind;
}

const fld = (name: string, off: number, size: number, kind: UapiFieldKind = 'scalar'): UapiField => ({ name, off, size, kind });

/** struct xdp_md (24 bytes). */
export const XDP_MD = {
  size: 24,
  fields: [
    fld('data', 0, 4, 'pkt'),
    fld('data_end', 4, 4, 'pkt_end'),
    fld('data_meta', 8, 4, 'pkt_meta'),
    fld('ingress_ifindex', 12, 4),
    fld('rx_queue_index', 16, 4),
    fld('egress_ifindex', 20, 4),
  ] as readonly UapiField[],
} as const;

/** struct __sk_buff (192 bytes): the fields up to napi_id (the rest are left zero). */
export const SK_BUFF = {
  size: 192,
  fields: [
    fld('len', 0, 4), fld('pkt_type', 4, 4), fld('mark', 8, 4), fld('queue_mapping', 12, 4), fld('protocol', 16, 4),
    fld('vlan_present', 20, 4), fld('vlan_tci', 24, 4), fld('vlan_proto', 28, 4), fld('priority', 32, 4),
    fld('ingress_ifindex', 36, 4), fld('ifindex', 40, 4), fld('tc_index', 44, 4),
    fld('cb', 48, 20), // cb[5]
    fld('hash', 68, 4), fld('tc_classid', 72, 4), fld('data', 76, 4, 'pkt'), fld('data_end', 80, 4, 'pkt_end'),
    fld('napi_id', 84, 4),
  ] as readonly UapiField[],
} as const;

/** A field's offset by name (throws on a typo: these are compile-time facts). */
export function fieldOffset(layout: { fields: readonly UapiField[] }, name: string): number {
  const f = layout.fields.find((x) => x.name === name);
  if (f === undefined) throw new Error(`uapi: no field ${name}`);
  return f.off;
}
