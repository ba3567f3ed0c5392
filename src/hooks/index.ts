/**
 * Hooks: where an eBPF program runs and what it sees there — the context it gets in r1, the
 * helpers the hook provides, what its r0 means. Each hook is one value (./packet-hooks.ts:
 * socket filter, tc, XDP); ./tc.ts and ./xdp.ts bind loaded programs to packets, one or a
 * block per call. The verifier's view of each hook (context fields,
 * allowed helpers) is in ../runtime/verifier/hooks.ts; this module binds loaded programs to
 * packets. Both hooks here take a packet as a window of a caller's buffer (a capture reader's
 * block), with no per-packet allocation.
 */
export { HELPER_SKB_LOAD_BYTES, SK_BUFF_SIZE, socketFilterHookContext } from './socket-filter.ts';
export type { SocketFilterHookContext } from './socket-filter.ts';
export { attachXdp, bindXdp, XDP_ABORTED, XDP_DROP, XDP_FOLD, XDP_PASS, XDP_REDIRECT, XDP_TX } from './xdp.ts';
export { attachTc, batchOrLoop, TC_FOLD } from './tc.ts';
export type { BoundProgram } from './tc.ts';
export { PACKET_HOOK_NAMES, PACKET_HOOKS, SOCKET_HOOK, TC_HOOK, XDP_HOOK } from './packet-hooks.ts';
export type { HookInstance, PacketHook, PacketHookName } from './packet-hooks.ts';
