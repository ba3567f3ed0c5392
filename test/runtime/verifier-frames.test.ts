/**
 * Call frames in the verifier, as the kernel reasons about them: a stack access at a variable
 * offset must stay inside the 512-byte frame its pointer belongs to, so a callee can never
 * reach (and overwrite) its caller's spilled values through its own stack pointer. The first
 * case is the escape found from outside (issue 12): a callee wrote its own stack at a variable
 * offset that reached the caller's frame, replaced a spilled packet pointer with data_end, and
 * the JIT — trusting the verifier's "packet load, proven in bounds" — read 8 bytes past the
 * packet (the next packet's bytes in a capture block) where the checked interpreter faulted.
 * The kernel's verdicts on these shapes are in verifier-cases.ts (verifier-kernel.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/ebpf/asm.ts';
import { ENGINE_NAMES, load, REGION, TAG_BASE } from '../../src/runtime/index.ts';
import { VerifierError, verify, xdpHook } from '../../src/runtime/verifier/index.ts';
import { FRAME_ESCAPE } from './verifier-cases.ts';

const ESCAPE = FRAME_ESCAPE;

function code(asm: string): string {
  try {
    verify(assemble(asm), xdpHook());
    return 'ok';
  } catch (e) {
    if (e instanceof VerifierError) return e.rule;
    throw e;
  }
}

describe('verifier: call frames and variable stack offsets', () => {
  it('refuses a callee whose variable-offset stack write can reach its caller\'s frame (the JIT escape)', () => {
    expect(code(ESCAPE)).toBe('stack-bounds');
  });

  it('no engine reads past the packet on the escape program: it is refused, or every engine agrees with the checked interpreter', () => {
    // The packet is the first 8 bytes of a block; the next "packet" (0xaa…) follows it.
    const block = new Uint8Array(64).fill(0xaa);
    block.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
    let v;
    try {
      v = verify(assemble(ESCAPE), xdpHook());
    } catch (e) {
      expect(e).toBeInstanceOf(VerifierError);
      return;
    }
    const outcome = ENGINE_NAMES.map((engine) => {
      const l = load(v, { engine });
      const ctx = new Uint8Array(l.ctxLayout.size);
      const view = new DataView(ctx.buffer);
      view.setUint32(l.ctxLayout.offsets.get('data')! + 4, TAG_BASE + REGION.packet, true);
      view.setUint32(l.ctxLayout.offsets.get('data_end')!, 8, true);
      view.setUint32(l.ctxLayout.offsets.get('data_end')! + 4, TAG_BASE + REGION.packet, true);
      try {
        return l.runPacket(ctx, block, 0, 8).toString(16);
      } catch {
        return 'fault';
      }
    });
    expect(outcome).toEqual(ENGINE_NAMES.map(() => 'fault'));
  });

  it('accepts a variable-offset write that stays inside the callee\'s own frame', () => {
    expect(code(ESCAPE.replace('lsh %r1, 9', 'lsh %r1, 3').replace('[%r2-8]', '[%r2-16]'))).toBe('ok');
  });

  it('accepts a variable-offset access through a pointer into the caller\'s frame that stays inside it', () => {
    const asm = `
ldxw %r2, [%r1+12]
and %r2, 3
lsh %r2, 3
stdw [%r10-32], 0
stdw [%r10-24], 0
stdw [%r10-16], 0
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -32
call local f
exit
f:
add %r1, %r2
ldxdw %r0, [%r1]
exit`;
    expect(code(asm)).toBe('ok');
    expect(code(asm.replace('and %r2, 3', 'and %r2, 7'))).toBe('stack-bounds');
  });

  it('refuses pointer + pointer', () => {
    expect(code('mov %r2, %r10\nadd %r2, %r1\nmov %r0, 0\nexit')).toBe('ptr-arith');
  });

  it('refuses a misaligned variable-offset stack access, accepts an aligned one', () => {
    const base = 'stdw [%r10-16], 0\nstdw [%r10-8], 0\nldxw %r2, [%r1+12]\nand %r2, 1\nmov %r3, %r10\nadd %r3, %r2\nldxdw %r0, [%r3-16]\nexit';
    expect(code(base)).toBe('misaligned');
    expect(code(base.replace('and %r2, 1', 'and %r2, 1\nlsh %r2, 3'))).toBe('ok');
    // A byte access is aligned at any offset.
    expect(code(base.replace('ldxdw %r0, [%r3-16]', 'ldxb %r0, [%r3-16]'))).toBe('ok');
  });

  it('refuses a packet pointer plus an unbounded scalar, accepts a bounded one', () => {
    const prog = (mask: string) => `mov %r6, %r1\ncall 5\nmov %r4, %r0\nldxw %r2, [%r6]\n${mask}add %r2, %r4\nmov %r0, 0\nexit`;
    expect(code(prog(''))).toBe('ptr-arith');
    expect(code(prog('and %r4, 255\n'))).toBe('ok');
  });

  it('refuses an unbounded variable-offset stack access', () => {
    expect(code('call 5\nmov %r2, %r0\nmov %r3, %r10\nsub %r3, %r2\nstb [%r3-1], 0\nmov %r0, 0\nexit')).not.toBe('ok');
  });
});
