/**
 * Seeded random classic-BPF programs for the converter's differential tests, wilder than the
 * validator-clean ones of test/cbpf/random-programs.ts: they may read M[] before writing it,
 * index M[16+], divide by the constant 0, jump past the end, contain unknown opcodes and
 * loop with backward `ja` (so the bounded-loop budget is exercised). Each comes with packets
 * of 0..80 bytes whose wire length is at least the captured length.
 */
import type { CbpfInsn, CbpfProgram } from '../../src/isa/cbpf/types.ts';
import { OPCODES, usesOf } from '../../src/isa/cbpf/opcodes.ts';
import { rng } from '../cbpf/random-programs.ts';

export interface WildCase { prog: CbpfProgram; packets: { data: Uint8Array; wirelen: number }[] }

const EDGE_K = [0, 1, 2, 3, 4, 12, 14, 16, 20, 23, 31, 32, 33, 63, 64, 79, 80, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffff000, 0xffffffff];

export function wildCases(seed: number, count: number): WildCase[] {
  const next = rng(seed);
  const out: WildCase[] = [];
  for (let c = 0; c < count; c++) {
    const len = 1 + (next() % 30);
    const prog: CbpfInsn[] = [];
    for (let pc = 0; pc < len; pc++) {
      const left = len - pc - 1;
      if (next() % 40 === 0) { prog.push({ code: next() % 0x100, jt: next() % 4, jf: next() % 4, k: next() >>> 0 }); continue; } // maybe unknown
      const row = OPCODES[next() % OPCODES.length]!;
      const s = row.shape;
      const u = usesOf(s);
      let k = 0;
      if (u.k) {
        const r = next() % 4;
        k = r === 0 ? next() >>> 0 : r === 1 ? EDGE_K[next() % EDGE_K.length]! : next() % 84;
        if ((s.kind === 'load' && s.mode === 'mem') || s.kind === 'store') k = next() % 18;
        if (s.kind === 'alu' && (s.op === 'div' || s.op === 'mod') && next() % 3 !== 0) k = next() % 5;
      }
      if (s.kind === 'ja') {
        // forward, past the end, or backward (a loop)
        const r = next() % 6;
        k = r === 0 ? (-(1 + (next() % (pc + 1)))) >>> 0 : r === 1 ? left + (next() % 3) : next() % (left + 1);
        prog.push({ code: row.code, jt: 0, jf: 0, k });
        continue;
      }
      const j = () => (u.jumps ? next() % Math.min(left + 3, 256) : 0);
      prog.push({ code: row.code, jt: j(), jf: j(), k });
    }
    const packets = [];
    for (let p = 0; p < 4; p++) {
      const n = next() % 81;
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i++) data[i] = next() % 5 === 0 ? (i * 7) & 0xff : next() & 0xff;
      packets.push({ data, wirelen: n + (next() % 3 === 0 ? next() % 1500 : 0) });
    }
    out.push({ prog, packets });
  }
  return out;
}
