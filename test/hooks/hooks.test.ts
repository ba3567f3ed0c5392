/**
 * The hooks alone (src/hooks), with hand-written programs on every engine: XDP sees a window of
 * the caller's buffer through data/data_end, the socket filter sees the wire length in
 * __sk_buff.len and the captured bytes through bpf_skb_load_bytes (-EFAULT past them).
 */
import { describe, expect, it } from 'vitest';
import { attachXdp, socketFilterHookContext, XDP_DROP, XDP_PASS } from '../../src/hooks/index.ts';
import { assemble } from '../../src/isa/ebpf/asm.ts';
import { ENGINE_NAMES, load } from '../../src/runtime/index.ts';
import { verify, xdpHook } from '../../src/runtime/verifier/index.ts';

/** XDP_PASS when the frame's byte 12 is 0x86, XDP_DROP otherwise or when it is shorter than 13. */
const XDP_PROG = assemble(`
ldxw %r2, [%r1]
ldxw %r3, [%r1+4]
mov %r0, ${XDP_DROP}
mov %r4, %r2
add %r4, 13
jgt %r4, %r3, out
ldxb %r5, [%r2+12]
jne %r5, 0x86, out
mov %r0, ${XDP_PASS}
out:
exit`);

/** r0 = len + (the byte at offset 2 if bpf_skb_load_bytes can copy it, else 1000 + -errno). */
const SOCKET_PROG = assemble(`
mov %r6, %r1
ldxw %r7, [%r6]
mov %r1, %r6
mov %r2, 2
mov %r3, %r10
add %r3, -8
mov %r4, 1
call 26
jeq %r0, 0, ok
neg %r0
add %r0, 1000
add %r0, %r7
exit
ok:
ldxb %r0, [%r10-8]
add %r0, %r7
exit`);

describe('hooks', () => {
  it('XDP: the program sees exactly the window', () => {
    const block = new Uint8Array(64);
    block[20 + 12] = 0x86;
    for (const engine of ENGINE_NAMES) {
      const run = attachXdp(load(verify(XDP_PROG, xdpHook()), { engine }));
      expect(run(block, 20, 14), engine).toBe(XDP_PASS);
      expect(run(block, 20, 12), engine).toBe(XDP_DROP); // byte 12 is past the window
      expect(run(block, 0, 14), engine).toBe(XDP_DROP);
    }
  });

  it('socket filter: __sk_buff.len is the wire length, skb_load_bytes reads the captured bytes only', () => {
    const block = Uint8Array.from({ length: 40 }, (_, i) => i);
    for (const engine of ENGINE_NAMES) {
      const sock = socketFilterHookContext();
      const run = sock.attach(load(SOCKET_PROG, { engine, helpers: sock.helpers }));
      expect(run(block, 10, 5, 300), engine).toBe(300 + 12); // byte 2 of the window = block[12]
      expect(run(block, 10, 2, 300), engine).toBe(300 + 1000 + 14); // past caplen: -EFAULT
    }
  });
});
