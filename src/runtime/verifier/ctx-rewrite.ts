/**
 * Context conversion after verification, the kernel's `convert_ctx_accesses` in miniature.
 *
 * UAPI contexts (`struct xdp_md`, `struct __sk_buff`) declare packet pointers as 32-bit fields,
 * but in the runtime's memory model a pointer is a 64-bit region-tagged value. So, like the
 * kernel, we rewrite each instruction the verifier proved to load a pointer field of the context:
 * the 32-bit load `rX = *(u32 *)(ctx + data)` becomes a 64-bit load from a *shadow slot* placed
 * after the UAPI struct, where the hook stores the real pointer. Scalar fields are left alone.
 * The verifier has already guaranteed that such an instruction reads that field on every path
 * (VerifiedProgram.ctxAccess), so the rewrite is exact. Instruction count and jump offsets are
 * unchanged (one slot for one slot).
 */
import { Cls, Mode, Sizes } from '../../isa/ebpf/opcodes.ts';
import type { EbpfSlot } from '../../isa/ebpf/types.ts';
import type { CtxField } from './hooks.ts';
import type { VerifiedProgram } from './verify.ts';

export interface ShadowLayout {
  /** Shadow offset of each pointer field, by field name. */
  offsets: Map<string, number>;
  /** Total context size including the shadow slots. */
  size: number;
}

/** Shadow slots: one 8-byte slot per pointer field, in field order, after the struct (8-aligned). */
export function shadowLayout(ctxSize: number, fields: readonly CtxField[]): ShadowLayout {
  let at = (ctxSize + 7) & ~7;
  const offsets = new Map<string, number>();
  for (const f of fields) {
    if (f.kind !== 'scalar') {
      offsets.set(f.name, at);
      at += 8;
    }
  }
  return { offsets, size: at };
}

/** The verified program's slots with pointer-field context loads redirected to shadow slots. */
export function rewriteCtxLoads(v: VerifiedProgram): { slots: EbpfSlot[]; layout: ShadowLayout } {
  const entry = v.hook.entry;
  if (entry.kind !== 'ctx') return { slots: v.slots.slice(), layout: { offsets: new Map(), size: 0 } };
  const layout = shadowLayout(entry.size, entry.fields);
  const slots = v.slots.map((s) => ({ ...s }));
  for (const [pc, field] of v.ctxAccess) {
    const shadow = layout.offsets.get(field.name);
    if (shadow === undefined) continue;
    const s = slots[pc]!;
    // The verifier allows only exact-size loads of pointer fields, so this is an ldx of field.size.
    s.code = Cls.LDX | Mode.MEM | Sizes.dw.code;
    s.off += shadow - field.off;
  }
  return { slots, layout };
}
