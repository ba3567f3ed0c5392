/**
 * Programs and packets for the compare-tree tests (src/convert/sets.ts): libpcap-shaped host,
 * port and ARP lists compiled by tsdump itself, and seeded random compare chains written in
 * classic BPF directly, in the shapes the converter must recognise and the ones it must not
 * mistake for them: chains on one loaded value (with reloads, `[x + k]` loads, `ja` trampolines,
 * several targets), fields that take turns (`ld [26]; jeq; ld [30]; jeq; …`), `ret a` where the
 * value of A at the target or at the miss is the verdict. Packets plant the chain's constants
 * (and their neighbours, ±1) at its fields and come in every length around the farthest field,
 * so truncation hits each load and the guard.
 */
import { compile } from '../../src/filter/index.ts';
import type { CbpfInsn, CbpfProgram } from '../../src/isa/cbpf/types.ts';
import { rng } from '../cbpf/random-programs.ts';

export interface ChainCase { label: string; prog: CbpfProgram; packets: { data: Uint8Array; wirelen: number }[] }

/** `host 172.20.0.0 or …`-style lists: `n` addresses from `addr(i)`. */
function list(n: number, term: (i: number) => string): string {
  return Array.from({ length: n }, (_, i) => term(i)).join(' or ');
}
const contiguous = (i: number): string => `172.20.${(i >> 8) & 255}.${i & 255}`;
/** Scattered addresses (a multiplicative hash), so clusters are single values. */
const scattered = (i: number): string => {
  const v = Math.imul(i + 1, 0x9e3779b1) >>> 0;
  return `${10 + (v >>> 24) % 200}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
};
const addrBytes = (s: string): number[] => s.split('.').map(Number);

/** The compiled list programs with the addresses and ports they mention. */
export function listPrograms(): { label: string; prog: CbpfProgram; addrs: number[][]; ports: number[] }[] {
  const out: { label: string; prog: CbpfProgram; addrs: number[][]; ports: number[] }[] = [];
  const add = (label: string, expr: string, addrs: string[], ports: number[] = []) =>
    out.push({ label, prog: compile(expr, { linkType: 1, snaplen: 262144, optimize: true }), addrs: addrs.map(addrBytes), ports });
  for (const n of [8, 100, 1000]) {
    const a = Array.from({ length: n }, (_, i) => contiguous(i));
    add(`host list ${n} (contiguous)`, list(n, (i) => `host ${a[i]}`), a);
  }
  for (const n of [8, 100, 1000]) {
    const a = Array.from({ length: n }, (_, i) => scattered(i));
    add(`host list ${n} (scattered)`, list(n, (i) => `host ${a[i]}`), a);
  }
  const s = Array.from({ length: 40 }, (_, i) => scattered(i));
  add('src host list 40', list(40, (i) => `src host ${s[i]}`), s);
  add('arp host list 30', list(30, (i) => `arp host ${s[i]}`), s.slice(0, 30));
  add('ip dst host list 30 and tcp', `(${list(30, (i) => `dst host ${s[i]}`)}) and tcp`, s.slice(0, 30));
  const ports = Array.from({ length: 50 }, (_, i) => (i * 37 + 20) & 0xffff);
  add('port list 50', list(50, (i) => `port ${ports[i]}`), [], ports);
  add('tcp dst port list 20', list(20, (i) => `tcp dst port ${ports[i]}`), [], ports.slice(0, 20));
  add('mixed hosts and ports', `${list(12, (i) => `host ${s[i]}`)} or ${list(12, (i) => `port ${ports[i]}`)}`, s.slice(0, 12), ports.slice(0, 12));
  add('not host list 20', `not (${list(20, (i) => `host ${s[i]}`)})`, s.slice(0, 20));
  return out;
}

/** Ethernet/IPv4/TCP and ARP frames carrying the list's addresses and ports, and neighbours. */
export function listPackets(addrs: number[][], ports: number[], seed: number, count: number): { data: Uint8Array; wirelen: number }[] {
  const next = rng(seed);
  const out: { data: Uint8Array; wirelen: number }[] = [];
  const pickAddr = (): number[] => {
    const r = next() % 4;
    if (addrs.length === 0 || r === 0) return [next() & 255, next() & 255, next() & 255, next() & 255];
    const a = [...addrs[next() % addrs.length]!];
    if (r === 1) a[3] = (a[3]! + (next() % 2 ? 1 : 255)) & 255; // a neighbour
    return a;
  };
  const pickPort = (): number => (ports.length && next() % 2 ? (ports[next() % ports.length]! + [0, 0, 1, -1][next() % 4]!) & 0xffff : next() & 0xffff);
  for (let i = 0; i < count; i++) {
    const arp = next() % 5 === 0;
    const d = new Uint8Array(arp ? 42 : 54);
    for (let j = 0; j < 12; j++) d[j] = next() & 255;
    if (arp) {
      d.set([0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1], 12);
      d.set(pickAddr(), 28);
      d.set(pickAddr(), 38);
    } else {
      d.set([0x08, 0x00, 0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, next() % 3 === 0 ? 17 : 6], 12);
      d.set(pickAddr(), 26);
      d.set(pickAddr(), 30);
      const sp = pickPort(), dp = pickPort();
      d.set([sp >> 8, sp & 255, dp >> 8, dp & 255], 34);
    }
    // Whole, or cut anywhere (every load and the guard meet truncated packets).
    const cut = next() % 3 === 0 ? next() % (d.length + 1) : d.length;
    out.push({ data: d.subarray(0, cut), wirelen: d.length });
  }
  return out;
}

// ---- seeded random chains, written in classic BPF ---------------------------------------------

const LD = { 1: 0x30, 2: 0x28, 4: 0x20 } as const; // ld{b,h,} [k]
const LDI = { 1: 0x50, 2: 0x48, 4: 0x40 } as const; // ld{b,h,} [x + k]
const JEQ = 0x15, JA = 0x05, RET_K = 0x06, RET_A = 0x16, LDX_IMM = 0x01, TAX = 0x07, ADD_K = 0x04;

/** An instruction whose jumps name labels (resolved by `assemble`); code -1 = just a label. */
interface Item { code: number; k: number; jt?: string; jf?: string; ja?: string; label?: string }

function assemble(items: Item[]): CbpfProgram | null {
  const at = new Map<string, number>();
  let n = 0;
  for (const it of items) {
    if (it.label) at.set(it.label, n);
    if (it.code !== -1) n++;
  }
  const prog: CbpfInsn[] = [];
  for (const it of items) {
    if (it.code === -1) continue;
    const pc = prog.length;
    const rel = (l: string | undefined) => (l === undefined ? 0 : at.get(l)! - pc - 1);
    const jt = rel(it.jt), jf = rel(it.jf);
    if (jt < 0 || jt > 255 || jf < 0 || jf > 255) return null;
    prog.push({ code: it.code, jt, jf, k: it.ja !== undefined ? rel(it.ja) >>> 0 : it.k >>> 0 });
  }
  return prog;
}

interface Field { k: number; size: 1 | 2 | 4; ind: boolean }

/**
 * A random chain: 2..50 steps `[ld field;] jeq #c` over 1..3 fields (in runs, taking turns, or
 * at random), jumping to one or a few targets (sometimes through `ja`), then more code at the
 * miss; targets and miss end in `ret #k`, `ret a` or `A += 1; X = A; A += 2; ret a`, so the value of A there
 * is the verdict. The constants repeat, run consecutively and scatter.
 */
function chainCase(next: () => number, i: number): ChainCase | null {
  const nf = 1 + (next() % 3);
  const ind = next() % 5 === 0;
  const xk = next() % 8;
  const fields: Field[] = Array.from({ length: nf }, () => ({ k: next() % 40, size: ([1, 2, 4] as const)[next() % 3]!, ind }));
  const mode = next() % 3; // 0 runs, 1 taking turns, 2 random
  const steps = 2 + (next() % 49);
  const nTargets = next() % 4 === 0 ? 1 + (next() % 3) : 1;
  const mask = (f: Field) => (f.size === 4 ? 0xffffffff : f.size === 2 ? 0xffff : 0xff);
  const base = next() >>> 0;
  const constant = (f: Field, s: number): number => {
    const r = next() % 4;
    const v = r === 0 ? next() >>> 0 : r === 1 ? base + s : r === 2 ? base + (next() % 8) : base - (next() % 4);
    return (v & mask(f)) >>> 0;
  };
  const items: Item[] = [];
  if (ind) items.push({ code: LDX_IMM, k: xk });
  let cur = -1;
  const consts: { f: Field; c: number }[] = [];
  for (let s = 0; s < steps; s++) {
    const fi = mode === 0 ? Math.floor((s * nf) / steps) : mode === 1 ? s % nf : next() % nf;
    const f = fields[fi]!;
    if (fi !== cur || next() % 6 === 0) {
      items.push({ code: (f.ind ? LDI : LD)[f.size], k: f.k }); // A = pkt[k:size] (a reload sometimes)
      cur = fi;
    }
    const c = constant(f, s);
    consts.push({ f, c });
    const target = `T${next() % nTargets}`;
    if (next() % 5 === 0) {
      // through a trampoline
      items.push({ code: JEQ, k: c, jt: `tr${s}`, jf: `s${s + 1}` });
      items.push({ code: JA, k: 0, ja: target, label: `tr${s}` });
    } else {
      items.push({ code: JEQ, k: c, jt: target, jf: `s${s + 1}` });
    }
    items.push({ code: -1, k: 0, label: `s${s + 1}` });
  }
  const end = (kind: number, label: string, k: number): Item[] =>
    kind === 0 ? [{ code: RET_K, k, label }] : kind === 1 ? [{ code: RET_A, k: 0, label }] : [{ code: ADD_K, k: 1, label }, { code: TAX, k: 0 }, { code: ADD_K, k: 2 }, { code: RET_A, k: 0 }];
  items.push(...end(next() % 3, 'miss', 0));
  for (let t = 0; t < nTargets; t++) items.push(...end(next() % 3, `T${t}`, 1000 + t));
  // The last step's "not equal" goes to the miss code.
  for (const it of items) if (it.jf === `s${steps}`) it.jf = 'miss';
  const assembled = assemble(items);
  if (!assembled) return null;
  // Packets: random bytes with constants (and neighbours) planted at the fields, whole or cut.
  const far = Math.max(...fields.map((f) => f.k + f.size)) + (ind ? xk : 0);
  const packets: { data: Uint8Array; wirelen: number }[] = [];
  for (let p = 0; p < 24; p++) {
    const len = p < far + 3 ? p : far + 3 + (next() % 8); // every length up to just past the farthest field
    const d = new Uint8Array(len);
    for (let j = 0; j < len; j++) d[j] = next() & 255;
    for (const f of fields) {
      if (next() % 3 === 0) continue;
      const { c } = consts.filter((x) => x.f === f)[next() % Math.max(1, consts.filter((x) => x.f === f).length)] ?? { c: next() };
      const v = (c + [0, 0, 0, 1, -1][next() % 5]!) >>> 0;
      const at = f.k + (ind ? xk : 0);
      for (let b = 0; b < f.size; b++) if (at + b < len) d[at + b] = (v >>> (8 * (f.size - 1 - b))) & 255;
    }
    packets.push({ data: d, wirelen: len + (next() % 4 === 0 ? next() % 100 : 0) });
  }
  return { label: `chain #${i} (${nf} fields, mode ${mode}, ${steps} steps${ind ? ', [x + k]' : ''}, ${nTargets} targets)`, prog: assembled, packets };
}

export function chainCases(seed: number, count: number): ChainCase[] {
  const next = rng(seed);
  const out: ChainCase[] = [];
  for (let i = 0; out.length < count && i < count * 4; i++) {
    const c = chainCase(next, i);
    if (c) out.push(c);
  }
  return out;
}
