/**
 * Packet pointers with a variable offset, proven as the kernel proves them: a pointer made
 * variable by `pkt += scalar` gets an id; copies and constant steps keep it; comparing one of
 * them with data_end gives every pointer of that id a proven range (the kernel's
 * find_good_pkt_pointers). Loads inside the range are reported proven (the JIT then reads them
 * directly); loads outside it stay accepted and checked at run time — and every engine agrees
 * with the checked interpreter on packets where they fall outside the packet.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/ebpf/asm.ts';
import { ENGINE_NAMES, load, REGION, TAG_BASE } from '../../src/runtime/index.ts';
import { verify, xdpHook } from '../../src/runtime/verifier/index.ts';

// pc: 0 ldxw, 1 ldxw, 2 mov, 3 add, 4 jgt, 5 ldxb, 6 and, 7 mov, 8 add, 9 mov, 10 add, 11 jgt,
// 12 ldxw [r6], 13 ldxh [r6+2], 14 ldxw [r6+1], 15 ldxb [r7-5], 16 ldxb [r7-4] …
/** r6 = packet + (byte 0 & 63), r7 = r6 + 4, proven ≤ data_end (pcs 0..11). */
const PROVEN = `ldxw %r2, [%r1]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 1
jgt %r4, %r3, out
ldxb %r5, [%r2]
and %r5, 63
mov %r6, %r2
add %r6, %r5
mov %r7, %r6
add %r7, 4
jgt %r7, %r3, out`;

const PROG = `${PROVEN}
ldxw %r0, [%r6]
ldxh %r8, [%r6+2]
ldxw %r8, [%r6+1]
ldxb %r8, [%r7-5]
ldxb %r8, [%r7-4]
add %r0, %r8
exit
out:
mov %r0, 0
exit`;

describe('verifier: variable-offset packet pointers carry an id and a range', () => {
  const v = verify(assemble(PROG), xdpHook());

  it('proves the loads inside the range the id was given, and only those', () => {
    const region = (pc: number) => v.provenAccess.get(pc) ?? 'checked';
    expect([12, 13, 14, 15, 16].map(region)).toEqual(['pkt', 'pkt', 'checked', 'checked', 'pkt']);
  });

  it('a further variable step makes a new pointer: it does not inherit the old range', () => {
    // r6 gets a range, then a new variable step makes r6 a new pointer: its load is checked.
    const p = verify(assemble(`${PROVEN}
add %r6, %r5
ldxw %r0, [%r6]
exit
out:
mov %r0, 0
exit`), xdpHook());
    expect(p.provenAccess.get(13)).toBeUndefined();
  });

  it('every engine gives the checked interpreter\'s result, on packets of every length', () => {
    for (let len = 0; len <= 72; len++) {
      const block = new Uint8Array(len + 16).fill(0xaa);
      for (let k = 0; k < len; k++) block[k] = (k * 37 + 11) & 0xff;
      block[0] = len % 64; // the variable offset
      const outcome = ENGINE_NAMES.map((engine) => {
        const l = load(v, { engine });
        const ctx = new Uint8Array(l.ctxLayout.size);
        const view = new DataView(ctx.buffer);
        view.setUint32(l.ctxLayout.offsets.get('data')! + 4, TAG_BASE + REGION.packet, true);
        view.setUint32(l.ctxLayout.offsets.get('data_end')!, len, true);
        view.setUint32(l.ctxLayout.offsets.get('data_end')! + 4, TAG_BASE + REGION.packet, true);
        try {
          return l.runPacket(ctx, block, 0, len).toString(16);
        } catch {
          return 'fault';
        }
      });
      expect(new Set(outcome).size, `len ${len}: ${ENGINE_NAMES.map((e, k) => `${e}=${outcome[k]}`).join(' ')}`).toBe(1);
    }
  });
});
