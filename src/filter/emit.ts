/**
 * Emission: CFG → linear cBPF. Blocks are laid out in a topological order (so every jump is
 * forward, as cBPF requires). A conditional jump can only skip 255 instructions; when a target
 * is farther, we place an unconditional `ja` (32-bit offset) right after the jump and point the
 * short edge at it. Trampolines only ever get added, so the layout loop reaches a fixed point.
 * A block whose two edges go to the same place is an unconditional edge: it falls through to
 * the next block, or becomes a `ja`.
 */
import type { CbpfInsn, CbpfProgram } from '../isa/cbpf/types.ts';
import { isRet, topoOrder } from './cfg.ts';
import type { Block, Program } from './cfg.ts';
import { JA, JMP } from './insn.ts';

/** Instructions used by a block's terminator: 1, or 0 for an unconditional fall-through. */
function jumpSize(b: Block, next: Block | undefined): number {
  if (isRet(b) || b.jt !== b.jf) return 1;
  return next === b.jt ? 0 : 1;
}

export function emit(p: Program): CbpfProgram {
  const order = topoOrder(p.root);
  const n = order.length;
  const index = new Map<Block, number>();
  order.forEach((b, i) => index.set(b, i));
  // Number of trampolines after block i's jump: bit 0 for jt, bit 1 for jf.
  const tramp = new Uint8Array(n);
  const pos = new Int32Array(n);
  for (;;) {
    let at = p.prologue.length;
    for (let i = 0; i < n; i++) {
      pos[i] = at;
      const b = order[i]!;
      at += b.stmts.length + (b.raw?.length ?? 0) + jumpSize(b, order[i + 1]) + ((tramp[i]! & 1) + ((tramp[i]! >> 1) & 1));
    }
    let changed = false;
    for (let i = 0; i < n; i++) {
      const b = order[i]!;
      if (isRet(b) || b.jt === b.jf) continue;
      const jpc = pos[i]! + b.stmts.length + (b.raw?.length ?? 0);
      // Offsets count from the instruction after the jump (trampolines included).
      const need = (t: Block): boolean => pos[index.get(t)!]! - (jpc + 1) > 255;
      let m = tramp[i]!;
      if (need(b.jt!)) m |= 1;
      if (need(b.jf!)) m |= 2;
      if (m !== tramp[i]) { tramp[i] = m; changed = true; }
    }
    if (!changed) break;
  }
  const out: CbpfInsn[] = p.prologue.map((s) => ({ code: s.code, jt: 0, jf: 0, k: s.k >>> 0 }));
  for (let i = 0; i < n; i++) {
    const b = order[i]!;
    for (const s of b.stmts) out.push({ code: s.code, jt: 0, jf: 0, k: s.k >>> 0 });
    if (b.raw) for (const r of b.raw) out.push({ ...r });
    if (isRet(b)) { out.push({ code: b.code, jt: 0, jf: 0, k: b.k >>> 0 }); continue; }
    if (b.jt === b.jf) {
      // An unconditional edge: fall through, or `ja` (32-bit offset, never needs a trampoline).
      if (order[i + 1] !== b.jt) out.push({ code: JMP | JA, jt: 0, jf: 0, k: pos[index.get(b.jt!)!]! - (out.length + 1) });
      continue;
    }
    const jpc = out.length;
    const m = tramp[i]!;
    const after = jpc + 1;
    const tpos = pos[index.get(b.jt!)!]!;
    const fpos = pos[index.get(b.jf!)!]!;
    // A far edge points at its trampoline (jt's first, then jf's), which jumps the rest of the way.
    const jt = m & 1 ? 0 : tpos - after;
    const jf = m & 2 ? (m & 1 ? 1 : 0) : fpos - after;
    const trampolines: CbpfInsn[] = [];
    if (m & 1) trampolines.push({ code: JMP | JA, jt: 0, jf: 0, k: tpos - (jpc + 2) });
    if (m & 2) trampolines.push({ code: JMP | JA, jt: 0, jf: 0, k: fpos - (jpc + 2 + (m & 1)) });
    out.push({ code: b.code, jt, jf, k: b.k >>> 0 });
    for (const tr of trampolines) out.push(tr);
  }
  return out;
}
