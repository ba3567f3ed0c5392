/**
 * Hooks: where an eBPF program runs and what it sees there — the context it gets in r1, the
 * helpers the hook provides, what its r0 means. The verifier's view of each hook (context fields,
 * allowed helpers) is in ../runtime/verifier/hooks.ts; this module binds loaded programs to
 * packets. Both hooks here take a packet as a window of a caller's buffer (a capture reader's
 * block), with no per-packet allocation.
 */
export { HELPER_SKB_LOAD_BYTES, SK_BUFF_SIZE, socketFilterHookContext } from './socket-filter.ts';
export type { SocketFilterHookContext } from './socket-filter.ts';
export { attachXdp, XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_REDIRECT, XDP_TX } from './xdp.ts';
