/**
 * The socket-filter hook (BPF_PROG_TYPE_SOCKET_FILTER) for packets handed over as windows of a
 * caller's buffer: the context is a `struct __sk_buff` image whose `len` (offset 0) is the wire
 * length, and the program reads the packet through `bpf_skb_load_bytes` (helper 26), which
 * copies from the current packet's captured bytes and, like the kernel, fails with -EFAULT and
 * zero-fills the destination past the captured length. The program's r0 is the number of bytes
 * to keep (0 drops the packet).
 *
 * Usage: `const sock = socketFilterHookContext()`; load the program with `sock.helpers` among
 * its helpers; then `sock.attach(loaded)` gives `run(buffer, offset, caplen, wirelen) → r0`.
 * Per packet only integers are written into preallocated buffers.
 */
import { BPF_FUNC, SK_BUFF } from '../isa/ebpf/uapi.ts';
import { skbLoadBytes } from '../runtime/helpers.ts';
import type { HelperEnv, HelperFn, LoadedProgram } from '../runtime/index.ts';

/** Kernel helper id of bpf_skb_load_bytes(skb, offset, to, len). */
export const HELPER_SKB_LOAD_BYTES = BPF_FUNC.skb_load_bytes;
/** sizeof(struct __sk_buff) in linux/bpf.h (the fields past `len` are left zero). */
export const SK_BUFF_SIZE = SK_BUFF.size;
const EMPTY = new Uint8Array(0);

export interface SocketFilterHookContext {
  /** The helpers the hook provides (bpf_skb_load_bytes on the current packet). */
  readonly helpers: Readonly<Record<number, HelperFn>>;
  /** Binds a program loaded with `helpers`: run(buffer, offset, caplen, wirelen) → r0. */
  attach(loaded: LoadedProgram): (buf: Uint8Array, offset: number, caplen: number, wirelen: number) => number;
}

export function socketFilterHookContext(): SocketFilterHookContext {
  // The packet the helper copies from (set before each run).
  let curBuf: Uint8Array = EMPTY, curOff = 0, curLen = 0;
  const loadBytes = (env: HelperEnv): number => skbLoadBytes(env, curBuf, curOff, curLen);
  return {
    helpers: { [HELPER_SKB_LOAD_BYTES]: loadBytes },
    attach(loaded) {
      const ctx = new Uint8Array(SK_BUFF_SIZE);
      const view = new DataView(ctx.buffer);
      return (buf, offset, caplen, wirelen) => {
        curBuf = buf;
        curOff = offset;
        curLen = caplen;
        view.setUint32(0, wirelen, true); // __sk_buff.len
        return loaded.runPacket(ctx, EMPTY, 0, 0); // the packet is read through the helper
      };
    },
  };
}
