/**
 * Branch-driven packet generation for the parity harness: given one or more classic BPF
 * programs, find packets that take both sides of every conditional jump of every program, plus
 * truncated copies that end at each packet load.
 *
 * Technique (concolic testing, no solver): run a program on a concrete packet with a tracing
 * interpreter that remembers, for every conditional jump it executes, where A came from — the
 * packet load (offset and size, with X already applied, so indirect loads through the IPv4
 * header length work), `len`, or a scratch slot holding one of those — and the ALU operations
 * applied to it since. To take the other side of that jump, invert the ALU chain for a few
 * target values derived from the jump's constant (k, k±1, 0, all ones, the bits of k), write
 * each candidate into the packet (growing it with zeros when the load was past its end, or
 * setting the wire length for `len`), and keep the candidate that flips the jump. New packets
 * go back on the worklist, so deeper branches guarded by earlier ones are reached step by
 * step. Everything is driven by a seeded PRNG: the same programs give the same packets.
 */
import type { CbpfProgram } from '../../src/isa/cbpf/types.ts';
import { Rng } from './packet-gen.ts';

export interface XPkt { data: Uint8Array; wirelen: number }

/** Where A's value came from. */
interface Src {
  kind: 'pkt' | 'len' | 'none';
  off: number;
  size: number;
  /** ALU ops applied since the load, in order: [op, k]. */
  ops: [number, number][];
}

interface Event { pc: number; taken: boolean; src: Src; k: number; op: number; a: number }

interface Trace { events: Event[]; loads: number[]; ret: number; uninit: boolean }

const NONE: Src = { kind: 'none', off: 0, size: 0, ops: [] };

function rd(p: Uint8Array, off: number, size: number): number {
  let v = 0;
  for (let i = 0; i < size; i++) v = (v * 256 + p[off + i]!) >>> 0;
  return v;
}

/** Executes `prog` on `pkt`, recording each conditional jump and each packet load's end. */
function trace(prog: CbpfProgram, pkt: XPkt): Trace {
  const events: Event[] = [];
  const loads: number[] = [];
  const caplen = pkt.data.length;
  let A = 0, X = 0, pc = 0, steps = 0;
  let srcA: Src = NONE;
  const M = new Array<number>(16).fill(0);
  const srcM: Src[] = new Array<Src>(16).fill(NONE);
  const written = new Array<boolean>(16).fill(false);
  let uninit = false;
  while (pc < prog.length && steps++ < 100000) {
    const { code, jt, jf, k } = prog[pc]!;
    const cls = code & 7;
    if (cls === 0 || cls === 1) { // ld / ldx
      const mode = code & 0xe0, sz = code & 0x18;
      const size = sz === 0 ? 4 : sz === 8 ? 2 : 1;
      let v = 0, s: Src = NONE;
      if (mode === 0x00) { v = k; } // imm
      else if (mode === 0x80) { v = pkt.wirelen; s = { kind: 'len', off: 0, size: 4, ops: [] }; }
      else if (mode === 0x60) { v = M[k & 15]!; s = srcM[k & 15]!; if (!written[k & 15]) uninit = true; }
      else if (mode === 0x20 || mode === 0x40) {
        const off = (mode === 0x40 ? (X + k) >>> 0 : k);
        loads.push(off + size);
        if (off + size > caplen) return { events, loads, ret: 0, uninit };
        v = rd(pkt.data, off, size); s = { kind: 'pkt', off, size, ops: [] };
      } else if (mode === 0xa0) { // msh
        loads.push(k + 1);
        if (k >= caplen) return { events, loads, ret: 0, uninit };
        v = (pkt.data[k]! & 0xf) * 4;
      }
      if (cls === 0) { A = v >>> 0; srcA = s; } else X = v >>> 0;
      pc++;
    } else if (cls === 2 || cls === 3) { // st / stx
      M[k & 15] = cls === 2 ? A : X; srcM[k & 15] = cls === 2 ? srcA : NONE; written[k & 15] = true; pc++;
    } else if (cls === 4) { // alu
      const op = code & 0xf0, v = (code & 8) ? X : k;
      switch (op) {
        case 0x00: A = (A + v) >>> 0; break;
        case 0x10: A = (A - v) >>> 0; break;
        case 0x20: A = Math.imul(A, v) >>> 0; break;
        case 0x30: A = v === 0 ? 0 : Math.floor(A / v) >>> 0; break;
        case 0x90: A = v === 0 ? 0 : (A % v) >>> 0; break;
        case 0x40: A = (A | v) >>> 0; break;
        case 0x50: A = (A & v) >>> 0; break;
        case 0xa0: A = (A ^ v) >>> 0; break;
        case 0x60: A = v >= 32 ? 0 : (A << v) >>> 0; break;
        case 0x70: A = v >= 32 ? 0 : A >>> v; break;
        case 0x80: A = (-A) >>> 0; break;
      }
      if (srcA.kind !== 'none') srcA = { ...srcA, ops: [...srcA.ops, [op, v]] };
      pc++;
    } else if (cls === 5) { // jmp
      const op = code & 0xf0;
      if (op === 0x00) { pc += 1 + k; continue; }
      const v = (code & 8) ? X : k;
      let t = false;
      if (op === 0x10) t = A === v; else if (op === 0x20) t = A > v; else if (op === 0x30) t = A >= v; else if (op === 0x40) t = (A & v) !== 0;
      events.push({ pc, taken: t, src: srcA, k: v, op, a: A });
      pc += 1 + (t ? jt : jf);
    } else if (cls === 6) { // ret
      return { events, loads, ret: (code & 0x18) === 0x10 ? A : k, uninit };
    } else { // misc: tax / txa
      if (code & 0x80) { A = X; srcA = NONE; } else X = A;
      pc++;
    }
  }
  return { events, loads, ret: 0, uninit };
}

/** Target A values that take the other side of a jump (op, k, currently taken?). */
function targets(op: number, k: number, taken: boolean, rng: Rng): number[] {
  const r = rng.u32();
  switch (op) {
    case 0x10: return taken ? [(k + 1) >>> 0, (k ^ 1) >>> 0, 0, r] : [k];
    case 0x20: return taken ? [k, 0, k >>> 1] : [(k + 1) >>> 0, 0xffffffff, (k * 2 + 1) >>> 0];
    case 0x30: return taken ? [(k - 1) >>> 0, 0] : [k, 0xffffffff, (k + 1) >>> 0];
    case 0x40: return taken ? [0, (~k) >>> 0] : [k, 0xffffffff, (k & -k) >>> 0, r];
  }
  return [r];
}

/** Undoes the ALU chain (where it can) so that the loaded value v gives A = target. */
function invert(ops: readonly [number, number][], target: number): number | undefined {
  let v = target >>> 0;
  for (let i = ops.length - 1; i >= 0; i--) {
    const [op, k] = ops[i]!;
    switch (op) {
      case 0x00: v = (v - k) >>> 0; break;
      case 0x10: v = (v + k) >>> 0; break;
      case 0x20: if (k === 0) return undefined; v = Math.floor(v / k) >>> 0; break;
      case 0x30: v = Math.imul(v, k) >>> 0; break;
      case 0x50: v = (v & k) >>> 0; break; // bits outside k are free: leave them 0
      case 0x40: v = (v & ~k) >>> 0; break;
      case 0xa0: v = (v ^ k) >>> 0; break;
      case 0x60: v = (v >>> k) >>> 0; break;
      case 0x70: v = k >= 32 ? 0 : (v << k) >>> 0; break;
      case 0x80: v = (-v) >>> 0; break;
      case 0x90: break;
      default: return undefined;
    }
  }
  return v;
}

function withValue(p: XPkt, src: Src, v: number): XPkt | undefined {
  if (src.kind === 'len') {
    if (v > 0x40000) return undefined;
    const data = v < p.data.length ? p.data.slice(0, v) : p.data;
    return { data, wirelen: v };
  }
  if (src.kind !== 'pkt' || src.off + src.size > 0x4000) return undefined;
  const n = Math.max(p.data.length, src.off + src.size);
  const data = new Uint8Array(n);
  data.set(p.data);
  const masked = src.size === 4 ? v >>> 0 : v % 2 ** (8 * src.size);
  for (let i = 0; i < src.size; i++) data[src.off + i] = Math.floor(masked / 2 ** (8 * (src.size - 1 - i))) & 0xff;
  return { data, wirelen: Math.max(p.wirelen, n) };
}

/**
 * True when `prog` reads a scratch slot it never wrote on this packet: libpcap's bpf_filter
 * leaves scratch memory uninitialised, so its verdict there is not defined.
 */
export function readsUnwrittenScratch(prog: CbpfProgram, pkt: XPkt): boolean {
  return trace(prog, pkt).uninit;
}

const key = (p: XPkt) => `${p.wirelen}:${Buffer.from(p.data).toString('hex')}`;

/**
 * Packets that cover both sides of every conditional jump reachable in each program (as far as
 * the candidate values reach), starting from `seeds`, plus truncated copies at load boundaries.
 * At most `max` packets.
 */
export function explore(progs: readonly CbpfProgram[], seeds: readonly XPkt[], rng: Rng, max = 48): XPkt[] {
  const out: XPkt[] = [];
  const seen = new Set<string>();
  const add = (p: XPkt): boolean => {
    const kk = key(p);
    if (seen.has(kk) || out.length >= max) return false;
    seen.add(kk);
    out.push(p);
    return true;
  };
  const covered = progs.map(() => new Set<string>());
  const work: XPkt[] = [];
  for (const s of seeds) if (add(s)) work.push(s);
  let budget = 400;
  while (work.length > 0 && budget-- > 0 && out.length < max) {
    const p = work.shift()!;
    for (let pi = 0; pi < progs.length; pi++) {
      const prog = progs[pi]!;
      const t = trace(prog, p);
      for (const e of t.events) covered[pi]!.add(`${e.pc}:${e.taken}`);
      for (let ei = 0; ei < t.events.length; ei++) {
        const e = t.events[ei]!;
        if (covered[pi]!.has(`${e.pc}:${!e.taken}`) || e.src.kind === 'none') continue;
        for (const tv of targets(e.op, e.k, e.taken, rng)) {
          const v = invert(e.src.ops, tv);
          if (v === undefined) continue;
          const q = withValue(p, e.src, v);
          if (!q) continue;
          const t2 = trace(prog, q);
          const hit = t2.events.find((x) => x.pc === e.pc);
          if (hit && hit.taken !== e.taken) {
            covered[pi]!.add(`${e.pc}:${hit.taken}`);
            if (add(q)) work.push(q);
            break;
          }
        }
      }
      // Truncated copies: the packet cut just before the end of a load it performs.
      const ends = [...new Set(t.loads)].filter((n) => n - 1 < p.data.length && n > 0);
      for (let i = 0; i < 2 && ends.length > 0; i++) {
        const n = rng.pick(ends) - 1;
        add({ data: p.data.slice(0, n), wirelen: p.wirelen });
      }
    }
  }
  return out;
}
