/**
 * Emission: CFG → linear cBPF. Blocks are laid out in a topological order (so every jump is
 * forward, as cBPF requires). A block whose two edges go to the same place is an unconditional
 * edge: it falls through to the next block, or becomes a `ja`.
 *
 * Far jumps. A conditional jump's offsets are 8 bits: it reaches at most 255 instructions
 * ahead. An edge to a farther target goes through a trampoline, an unconditional `ja` (32-bit
 * offset) placed within reach. libpcap puts one trampoline right after each far jump, so a
 * 1,000-host list spends a `ja` on nearly every compare. Here trampolines are shared: a
 * trampoline may sit after any block that does not fall through (a conditional jump names both
 * successors, so the instruction after it can be anything), and every far edge to the same
 * target that reaches an existing trampoline uses it. A new one is put as far ahead as the jump
 * reaches (less a small margin), so the next ~250 instructions' far edges to that target share
 * it: one `ja` per target per ~250 instructions instead of one per far jump.
 *
 * The layout is a fixed point: positions are computed, far edges are assigned trampolines
 * (adding the ones missing), and this repeats until a pass adds none — then every edge reaches
 * its target or its trampoline in the final positions. Trampolines are only ever added, so the
 * loop ends; each pass is linear (per-target trampoline lists are scanned with a moving cursor,
 * because jumps are visited in increasing position).
 */
import type { CbpfInsn, CbpfProgram } from '../isa/cbpf/types.ts';
import { filled, isRet, topoOrder, zeros } from './cfg.ts';
import type { Block, Program } from './cfg.ts';
import { JA, JMP } from './insn.ts';
import type { Work } from './optimize/work.ts';

/** Instructions used by a block's terminator: 1, or 0 for an unconditional fall-through. */
function jumpSize(b: Block, next: Block | undefined): number {
  if (isRet(b) || b.jt !== b.jf) return 1;
  return next === b.jt ? 0 : 1;
}

/** Farthest a conditional jump reaches: offsets count from the next instruction. */
const REACH = 255;
/**
 * A new trampoline is placed this many instructions short of the jump's reach, so that a few
 * trampolines added before it in later layout passes do not push it out of reach again.
 */
const MARGIN = 8;

interface Tramps {
  /** Positions of this target's trampolines in the current layout, ascending. */
  at: number[];
  /** First entry of `at` not behind the jump being resolved. */
  cursor: number;
}

export function emit(p: Program, work?: Work): CbpfProgram {
  const order = topoOrder(p.root);
  const n = order.length;
  // Blocks after which trampolines may go (they do not fall through into the next block).
  const canHost = zeros(n);
  for (let i = 0; i < n; i++) canHost[i] = jumpSize(order[i]!, order[i + 1]) === 1 ? 1 : 0;
  // slots[i]: targets of the trampolines placed after block i's terminator, in order.
  const slots = filled<Block[] | undefined>(n, undefined);
  const pos = zeros(n);
  const slotAt = zeros(n);
  // Per conditional block: where its jt and jf edges point (a block or trampoline position).
  const jtPos = zeros(n);
  const jfPos = zeros(n);
  for (let pass = 0; ; pass++) {
    if (work) { work.layouts++; work.steps += n; }
    let at = p.prologue.length;
    const tramps = new Map<Block, Tramps>();
    for (let i = 0; i < n; i++) {
      const b = order[i]!;
      pos[i] = at;
      at += b.stmts.length + (b.raw?.length ?? 0) + jumpSize(b, order[i + 1]);
      slotAt[i] = at;
      const s = slots[i];
      if (s) {
        for (const t of s) {
          let e = tramps.get(t);
          if (!e) tramps.set(t, (e = { at: [], cursor: 0 }));
          e.at.push(at++);
        }
      }
    }
    let added = 0;
    let host = 0; // cursor: the farthest block a new trampoline may go after (moves forward only)
    const resolve = (i: number, jpc: number, t: Block): number => {
      const target = pos[t.index]!;
      if (target - (jpc + 1) <= REACH) return target;
      let e = tramps.get(t);
      if (e) {
        while (e.cursor < e.at.length && e.at[e.cursor]! <= jpc) e.cursor++;
        if (e.cursor < e.at.length && e.at[e.cursor]! - (jpc + 1) <= REACH) return e.at[e.cursor]!;
      } else {
        tramps.set(t, (e = { at: [], cursor: 0 }));
      }
      // A new trampoline after the farthest host block within reach (block i itself at least).
      const limit = jpc + 1 + REACH - MARGIN;
      if (host < i) host = i;
      while (host + 1 < n && slotAt[host + 1]! + (slots[host + 1]?.length ?? 0) <= limit) host++;
      let j = host;
      while (j > i && (!canHost[j] || slotAt[j]! + (slots[j]?.length ?? 0) > limit)) j--;
      const q = slotAt[j]! + (slots[j]?.length ?? 0);
      (slots[j] ??= []).push(t);
      added++;
      // Later jumps of this pass may share it (at its position in this pass's layout).
      e.at.splice(e.cursor, 0, q);
      return q;
    };
    for (let i = 0; i < n; i++) {
      const b = order[i]!;
      if (isRet(b) || b.jt === b.jf) continue;
      const jpc = pos[i]! + b.stmts.length + (b.raw?.length ?? 0);
      jtPos[i] = resolve(i, jpc, b.jt!);
      jfPos[i] = resolve(i, jpc, b.jf!);
      if (work) work.steps++;
    }
    if (added === 0) break;
  }
  const out: CbpfInsn[] = p.prologue.map((s) => ({ code: s.code, jt: 0, jf: 0, k: s.k >>> 0 }));
  for (let i = 0; i < n; i++) {
    const b = order[i]!;
    for (const s of b.stmts) out.push({ code: s.code, jt: 0, jf: 0, k: s.k >>> 0 });
    if (b.raw) for (const r of b.raw) out.push({ ...r });
    if (isRet(b)) out.push({ code: b.code, jt: 0, jf: 0, k: b.k >>> 0 });
    else if (b.jt === b.jf) {
      // An unconditional edge: fall through, or `ja` (32-bit offset, never needs a trampoline).
      if (order[i + 1] !== b.jt) out.push({ code: JMP | JA, jt: 0, jf: 0, k: pos[b.jt!.index]! - (out.length + 1) });
    } else {
      const after = out.length + 1;
      out.push({ code: b.code, jt: jtPos[i]! - after, jf: jfPos[i]! - after, k: b.k >>> 0 });
    }
    const s = slots[i];
    if (s) for (const t of s) out.push({ code: JMP | JA, jt: 0, jf: 0, k: pos[t.index]! - (out.length + 1) });
  }
  return out;
}
