/**
 * Decoding and encoding between the raw `struct sock_filter` form (CbpfInsn) and a discriminated
 * union that says what the instruction does. The union is the opcode table's `Shape` plus the
 * operands the shape uses; an encoding the table does not know, or a known opcode whose unused
 * fields are not zero (e.g. `tax` with k = 7), decodes to `{ kind: 'raw' }` so that nothing is
 * lost: `encode(decode(i))` is `i` for every instruction, and `decode(encode(d))` is `d` for every
 * decoded form that decode can produce (both are property tests).
 */
import type { CbpfInsn, CbpfProgram } from './types.ts';
import { opcodeRow, rowForShape, usesOf, type Shape } from './opcodes.ts';

/** Operands carried by each shape: `k` when the instruction reads k, `jt`/`jf` for conditional jumps. */
export type Decoded =
  | (Extract<Shape, { kind: 'load' }> & { k: number })
  | (Extract<Shape, { kind: 'store' }> & { k: number })
  | (Extract<Shape, { kind: 'alu' }> & { k: number })
  | Extract<Shape, { kind: 'neg' }>
  | (Extract<Shape, { kind: 'ja' }> & { k: number })
  | (Extract<Shape, { kind: 'jcond' }> & { k: number; jt: number; jf: number })
  | (Extract<Shape, { kind: 'ret' }> & { k: number })
  | Extract<Shape, { kind: 'tax' }>
  | Extract<Shape, { kind: 'txa' }>
  | { kind: 'raw'; code: number; jt: number; jf: number; k: number };

export function decode(insn: CbpfInsn): Decoded {
  const { code, jt, jf } = insn;
  const k = insn.k >>> 0;
  const row = opcodeRow(code);
  if (row) {
    const uses = usesOf(row.shape);
    // Canonical only if every field the instruction ignores is zero.
    const canonical = (uses.k || k === 0) && (uses.jumps || (jt === 0 && jf === 0));
    if (canonical) {
      // The shape object is copied so callers may keep/mutate the result freely.
      // k is always kept for shapes that have it (k may be 0 for e.g. `alu x`, which then has no k).
      const s: Shape = row.shape;
      switch (s.kind) {
        case 'neg': case 'tax': case 'txa': return { kind: s.kind };
        case 'jcond': return { ...s, k, jt, jf };
        case 'load': return { ...s, k };
        case 'store': return { ...s, k };
        case 'alu': return { ...s, k };
        case 'ja': return { ...s, k };
        case 'ret': return { ...s, k };
      }
    }
  }
  return { kind: 'raw', code, jt, jf, k };
}

export function encode(d: Decoded): CbpfInsn {
  if (d.kind === 'raw') return { code: d.code, jt: d.jt, jf: d.jf, k: d.k >>> 0 };
  const row = rowForShape(d);
  const uses = usesOf(row.shape);
  const k = 'k' in d && uses.k ? d.k >>> 0 : 0;
  if (d.kind === 'jcond') return { code: row.code, jt: d.jt, jf: d.jf, k };
  return { code: row.code, jt: 0, jf: 0, k };
}

export const decodeProgram = (p: CbpfProgram): Decoded[] => p.map(decode);
export const encodeProgram = (d: readonly Decoded[]): CbpfProgram => d.map(encode);
