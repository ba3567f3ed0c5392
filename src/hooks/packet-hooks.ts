/**
 * Each packet hook as ONE value: its kernel program type, its verifier spec, the helpers it
 * adds, how a loaded program is bound to packets (one, or a block per call), and what r0 means.
 * The pipeline (src/pipeline.ts), the CLI and the benchmark pick a hook by name and use nothing
 * else; the hooks' facts (context layouts, helper ids, verdict values) come from
 * src/isa/ebpf/uapi.ts.
 *
 *   socket  BPF_PROG_TYPE_SOCKET_FILTER: ctx = __sk_buff without direct packet access, the packet
 *           through bpf_skb_load_bytes (helper 26, provided here bound to the current packet);
 *           r0 = bytes to keep, accepted when non-zero.
 *   tc      BPF_PROG_TYPE_SCHED_CLS: ctx = __sk_buff with data/data_end (direct access) and len =
 *           the wire length; r0 = TC_ACT_*, accepted when TC_ACT_OK.
 *   xdp     BPF_PROG_TYPE_XDP: ctx = xdp_md, data/data_end over the captured bytes (no wire
 *           length); r0 = an XDP action, accepted when XDP_PASS.
 */
import { BPF_PROG_TYPE, TC_ACT, XDP_ACTION } from '../isa/ebpf/uapi.ts';
import type { BpfMap } from '../maps/types.ts';
import type { HelperFn, LoadedProgram } from '../runtime/index.ts';
import { socketFilterHook, tcHook, xdpHook } from '../runtime/verifier/hooks.ts';
import type { HookSpec, LoopPolicy } from '../runtime/verifier/hooks.ts';
import { socketFilterHookContext } from './socket-filter.ts';
import { attachTc, batchOrLoop } from './tc.ts';
import type { BoundProgram } from './tc.ts';
import { bindXdp } from './xdp.ts';

export type PacketHookName = 'socket' | 'tc' | 'xdp';
export const PACKET_HOOK_NAMES: readonly PacketHookName[] = ['tc', 'xdp', 'socket'];

/** One use of a hook: the helpers it provides (bound to its packets) and the binding. */
export interface HookInstance {
  readonly helpers: Readonly<Record<number, HelperFn>>;
  bind(loaded: LoadedProgram): BoundProgram;
}

export interface PacketHook {
  readonly name: PacketHookName;
  /** enum bpf_prog_type. */
  readonly progType: number;
  /** The verifier spec programs for this hook are verified under (the kernel's rules for it). */
  spec(maps?: (id: number) => BpfMap | undefined, loops?: LoopPolicy): HookSpec;
  /** What r0 means: does the program accept (pass) the packet? */
  accepts(r0: number): boolean;
  /** r0 values of a translated filter that accepts / rejects (the counters epilogue tests `pass`). */
  readonly pass: number;
  readonly drop: number;
  /** A fresh instance (its own helper state). */
  instance(): HookInstance;
  /** Does the program see the wire length (len) rather than the captured length? */
  readonly wireLength: boolean;
}

const noHelpers: Readonly<Record<number, HelperFn>> = {};

export const TC_HOOK: PacketHook = {
  name: 'tc',
  progType: BPF_PROG_TYPE.SCHED_CLS,
  spec: (maps, loops) => tcHook(maps, loops),
  // Literal constants: accepts runs once per packet in the caller's loop.
  accepts: (r0) => r0 === 0 /* TC_ACT.OK */,
  pass: TC_ACT.OK,
  drop: TC_ACT.SHOT,
  instance: () => ({ helpers: noHelpers, bind: attachTc }),
  wireLength: true,
};

export const XDP_HOOK: PacketHook = {
  name: 'xdp',
  progType: BPF_PROG_TYPE.XDP,
  spec: (maps, loops) => xdpHook(maps, loops),
  accepts: (r0) => r0 === 2 /* XDP_ACTION.PASS */,
  pass: XDP_ACTION.PASS,
  drop: XDP_ACTION.DROP,
  instance: () => ({ helpers: noHelpers, bind: bindXdp }),
  wireLength: false,
};

export const SOCKET_HOOK: PacketHook = {
  name: 'socket',
  progType: BPF_PROG_TYPE.SOCKET_FILTER,
  spec: (maps, loops) => socketFilterHook(maps, loops),
  accepts: (r0) => r0 !== 0,
  pass: 1,
  drop: 0,
  instance: () => {
    const sock = socketFilterHookContext();
    return {
      helpers: sock.helpers,
      bind(loaded) {
        const run = sock.attach(loaded);
        // The helper reads the current packet from the hook's state: no batch form, a loop.
        return { run, runBatch: batchOrLoop({ ...loaded, batchRunner: () => undefined }, new Uint8Array(0), { fields: new Map(), accept: { value: 0, equal: false } }, run), ctx: new Uint8Array(0) };
      },
    };
  },
  wireLength: true,
};

export const PACKET_HOOKS: Readonly<Record<PacketHookName, PacketHook>> = { tc: TC_HOOK, xdp: XDP_HOOK, socket: SOCKET_HOOK };
