/**
 * bpf_skb_load_bytes (helper 26) under the socket-filter hook's own verifier spec: its third
 * argument is memory the helper WRITES (the kernel's ARG_PTR_TO_UNINIT_MEM) and its fourth the
 * constant size (ARG_CONST_SIZE), so a program may copy packet bytes into stack it never
 * initialised, and may read them after the call. Hostile uses are refused: a size that is too
 * large for the window, negative, zero, unbounded or (for uninitialised stack) not constant; a
 * destination that is the context, a number, a map pointer or a read-only map value. Where the
 * program needs no map, the running kernel judges the same bytes as a socket filter and must
 * agree (root and bpf(): skips with the reason elsewhere, fails under CI=true).
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/ebpf/asm.ts';
import { encodeProgram } from '../../src/isa/ebpf/codec.ts';
import type { EbpfProgram } from '../../src/isa/ebpf/types.ts';
import { MapRegistry } from '../../src/maps/index.ts';
import { BPF_F_RDONLY_PROG } from '../../src/maps/types.ts';
import { socketFilterHook, tcHook, VerifierError, verify } from '../../src/runtime/verifier/index.ts';
import type { HookSpec } from '../../src/runtime/verifier/index.ts';
import { kernelOrSkip, PROG_TYPE } from '../tools/kernel-oracle.ts';

/** r3 = fp + dst, r4 = size (an instruction or two), then the call; `after` follows it. */
const call = (dst: string, size: string, after = 'mov %r0, 0') =>
  `mov %r6, %r1\nmov %r2, 0\n${dst}\n${size}\ncall 26\n${after}\nexit`;
const fp = (off: number) => `mov %r3, %r10\nadd %r3, ${off}`;

interface Case { name: string; src: string; ok: boolean; why?: RegExp; kernel?: boolean }
const CASES: Case[] = [
  { name: 'uninitialised stack window, constant size; the copied bytes are read after', src: call(fp(-16), 'mov %r4, 12', 'ldxw %r0, [%r10-16]\nldxw %r1, [%r10-8]\nadd %r0, %r1'), ok: true },
  { name: 'window of one byte at the top of the frame', src: call(fp(-1), 'mov %r4, 1', 'ldxb %r0, [%r10-1]'), ok: true },
  { name: 'the whole 512-byte frame', src: call(fp(-512), 'mov %r4, 512', 'ldxdw %r0, [%r10-512]'), ok: true },
  { name: 'size past the frame top', src: call(fp(-8), 'mov %r4, 12'), ok: false, why: /outside the 512-byte frame/ },
  { name: 'size past the frame bottom (fp-520)', src: call(fp(-512), 'mov %r4, 513'), ok: false, why: /outside the 512-byte frame/ },
  { name: 'size too large (1 MiB)', src: call(fp(-16), 'mov %r4, 1048576'), ok: false, why: /outside the 512-byte frame/ },
  { name: 'negative size', src: call(fp(-16), 'mov %r4, -1'), ok: false, why: /min value is negative/ },
  { name: 'zero size (ARG_CONST_SIZE)', src: call(fp(-16), 'mov %r4, 0'), ok: false, why: /zero-sized/ },
  { name: 'non-constant size that may be 0 (__sk_buff.len)', src: call(fp(-16), 'ldxw %r4, [%r1+0]'), ok: false, why: /zero-sized/ },
  { name: 'non-constant, unbounded size (__sk_buff.len + 1)', src: call(fp(-16), 'ldxw %r4, [%r1+0]\nadd %r4, 1'), ok: false, why: /unbounded memory access/ },
  { name: 'size 2^29 (the kernel limit)', src: call(fp(-16), 'mov %r4, 536870912'), ok: false, why: /unbounded memory access/ },
  // A variable size turns the helper's raw mode off (kernel): every byte it may write must be
  // initialised — which the kernel does not demand of privileged loaders (they may read
  // uninitialised stack), so it is judged by tsdump only.
  { name: 'bounded variable size into uninitialised stack', src: call(fp(-16), 'ldxw %r4, [%r1+0]\nand %r4, 7\nadd %r4, 1'), ok: false, why: /never written/, kernel: false },
  { name: 'bounded variable size into initialised stack', src: `stdw [%r10-16], 0\n${call(fp(-16), 'ldxw %r4, [%r1+0]\nand %r4, 7\nadd %r4, 1')}`, ok: true },
  { name: 'destination is the context', src: call('mov %r3, %r1', 'mov %r4, 4'), ok: false, why: /R3 type=ctx/ },
  { name: 'destination is a number', src: call('mov %r3, 4096', 'mov %r4, 4'), ok: false, why: /R3 type=scalar|expected a pointer/ },
  // The kernel lets privileged loaders read stack never written; tsdump does not: the bytes past
  // the copied window stay uninitialised (ours only).
  { name: 'reading past the copied bytes', src: call(fp(-16), 'mov %r4, 12', 'ldxdw %r0, [%r10-8]'), ok: false, why: /never written/, kernel: false },
];

function verdict(prog: EbpfProgram, hook: HookSpec): string | undefined {
  try {
    verify(prog, hook);
    return undefined;
  } catch (e) {
    if (!(e instanceof VerifierError)) throw e;
    return e.message;
  }
}

describe('skb_load_bytes: uninitialised memory argument (socket-filter hook)', () => {
  for (const c of CASES) {
    it(`${c.ok ? 'accepts' : 'refuses'}: ${c.name}`, () => {
      const why = verdict(assemble(c.src), socketFilterHook());
      if (c.ok) expect(why).toBeUndefined();
      else expect(why).toMatch(c.why!);
      // The tc hook has the same helper with the same prototype.
      expect(verdict(assemble(c.src), tcHook()) === undefined).toBe(c.ok);
    });
  }

  it('map values: a writable one is a destination, a read-only one (.rodata) is not', () => {
    const registry = new MapRegistry();
    const rw = registry.create({ kind: 'array', keySize: 4, valueSize: 16, maxEntries: 1 });
    const ro = registry.create({ kind: 'array', keySize: 4, valueSize: 16, maxEntries: 1, flags: BPF_F_RDONLY_PROG });
    const hook = socketFilterHook((id) => registry.get(id));
    const into = (id: number, size: number) => assemble(`mov %r6, %r1\nmov %r2, 0\nlddw %r3, map_value ${id} 0\nmov %r4, ${size}\ncall 26\nmov %r0, 0\nexit`);
    expect(verdict(into(rw.id, 16), hook)).toBeUndefined();
    expect(verdict(into(rw.id, 17), hook)).toMatch(/invalid access to map value/);
    expect(verdict(into(ro.id, 4), hook)).toMatch(/read-only map/);
    // A map pointer itself is not memory.
    const mapPtr = assemble(`mov %r6, %r1\nmov %r2, 0\nlddw %r3, map_fd ${rw.id}\nmov %r4, 4\ncall 26\nmov %r0, 0\nexit`);
    expect(verdict(mapPtr, hook)).toMatch(/R3 type=map/);
  });

  it('a spilled pointer the helper overwrites is gone (the bytes are plain data after the call)', () => {
    // r1 (ctx) spilled at fp-8, then overwritten by the helper: filling it back gives a number,
    // so using it as the context pointer is refused.
    const src = 'stxdw [%r10-8], %r1\nmov %r2, 0\nmov %r3, %r10\nadd %r3, -8\nmov %r4, 8\ncall 26\nldxdw %r1, [%r10-8]\nldxw %r0, [%r1+0]\nexit';
    expect(verdict(assemble(src), socketFilterHook())).toMatch(/invalid mem access 'scalar'/);
  });

  it('the kernel judges the same socket filters alike', ({ skip }) => {
    const k = kernelOrSkip(skip);
    const judged = CASES.filter((c) => c.kernel !== false);
    const out = k.runRaw(judged.map((c) => ({ progType: PROG_TYPE.SOCKET_FILTER, insns: encodeProgram(assemble(c.src)), data: new Uint8Array(64) })));
    const differ = judged.flatMap((c, i) => {
      const o = out[i]!;
      const kernelOk = o.kind !== 'reject';
      return kernelOk === c.ok ? [] : [`${c.name}: kernel ${kernelOk ? 'accepts' : `refuses (${(o as { reason: string }).reason})`}, tsdump ${c.ok ? 'accepts' : 'refuses'}`];
    });
    expect(differ).toEqual([]);
  });
});
