/**
 * Compare regions: a run of instructions that only compares one register's low 32 bits with
 * constants (`jeq32 … jge32 … ja`, the search trees ../../convert/sets.ts builds for long host and
 * port lists) and leaves to two places: "in the set" and "not in the set". The structured JIT
 * replaces such a region by one probe of an open-addressing hash table — a few loads and
 * compares instead of a dozen unpredictable branches, and a few bytes of code instead of
 * thousands of instructions, so a 1,000-host filter stays one small optimizable function.
 *
 * The set is computed, not guessed: the possible values of the register are followed through the
 * region as unions of intervals (every value enters at the head; each compare splits the values
 * between its two successors). A region is replaced only when one exit receives a finite set of
 * single values and the other exit everything else.
 */
import type { Prepared } from '../semantics-program.ts';

/** A region [start, end) replaced by a hash probe of register `reg`'s low half. */
export interface CompareRegion {
  start: number;
  end: number;
  reg: number;
  /** Where values in the set go, and where every other value goes (element indices). */
  hit: number;
  miss: number;
  /** The values of the set as int32 (the low half's bits). */
  keys: Int32Array;
}

/** Regions shorter than this stay as compares. */
const MIN_REGION = 24;
/** At most this many keys per region (a table of twice as many int32 slots). */
const MAX_KEYS = 1 << 16;

const MAX = 0xffffffff;
type Intervals = number[]; // [lo0, hi0, lo1, hi1, ...] inclusive, sorted, disjoint

function intersect(s: Intervals, lo: number, hi: number): Intervals {
  const out: Intervals = [];
  if (lo > hi) return out;
  for (let j = 0; j < s.length; j += 2) {
    const a = Math.max(s[j]!, lo), b = Math.min(s[j + 1]!, hi);
    if (a <= b) out.push(a, b);
  }
  return out;
}

function without(s: Intervals, k: number): Intervals {
  const out: Intervals = [];
  for (let j = 0; j < s.length; j += 2) {
    const a = s[j]!, b = s[j + 1]!;
    if (k < a || k > b) { out.push(a, b); continue; }
    if (a < k) out.push(a, k - 1);
    if (k < b) out.push(k + 1, b);
  }
  return out;
}

function union(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const pairs: [number, number][] = [];
  for (let j = 0; j < a.length; j += 2) pairs.push([a[j]!, a[j + 1]!]);
  for (let j = 0; j < b.length; j += 2) pairs.push([b[j]!, b[j + 1]!]);
  pairs.sort((x, y) => x[0] - y[0]);
  const out: Intervals = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1]! + 1) out[n - 1] = Math.max(out[n - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

/** Values of x (uint32) for which `x op k` holds / does not: [taken, not taken]. */
function split(s: Intervals, op: string, k: number): [Intervals, Intervals] | undefined {
  switch (op) {
    case 'jeq': return [intersect(s, k, k), without(s, k)];
    case 'jne': return [without(s, k), intersect(s, k, k)];
    case 'jgt': return [intersect(s, k + 1, MAX), intersect(s, 0, k)];
    case 'jge': return [intersect(s, k, MAX), intersect(s, 0, k - 1)];
    case 'jlt': return [intersect(s, 0, k - 1), intersect(s, k, MAX)];
    case 'jle': return [intersect(s, 0, k), intersect(s, k + 1, MAX)];
    default: return undefined;
  }
}

const OPS = new Set(['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle']);

/** A 32-bit compare of register `reg` with a constant, or an unconditional jump. */
function member(p: Prepared, i: number, reg: number): boolean {
  const insn = p.prog[i]!;
  if (insn.kind === 'ja') return true;
  return insn.kind === 'jmp' && !insn.wide && 'imm' in insn && insn.dst === reg && OPS.has(insn.op);
}

const threadCache = new WeakMap<Prepared, Int32Array>();

/**
 * Jump targets with jumps to `ja` threaded through: a jump to an unconditional jump goes to that
 * jump's target (so a search tree's envelope check, which jumps to one of the tree's `ja` leaves,
 * no longer enters the tree from outside). Same meaning, forward only.
 */
export function threadedTargets(p: Prepared): Int32Array {
  let t = threadCache.get(p);
  if (t !== undefined) return t;
  const { prog, target } = p;
  t = Int32Array.from(target);
  for (let i = 0; i < t.length; i++) {
    let to = t[i]!;
    for (let hop = 0; hop < 64 && to >= 0 && to < prog.length && prog[to]!.kind === 'ja'; hop++) to = target[to]!;
    t[i] = to;
  }
  threadCache.set(p, t);
  return t;
}

const cache = new WeakMap<Prepared, Map<number, CompareRegion>>();

/** The compare regions of a program without back edges, by start index (cached per program). */
export function compareRegions(p: Prepared): Map<number, CompareRegion> {
  let found = cache.get(p);
  if (found !== undefined) return found;
  found = new Map();
  cache.set(p, found);
  const { prog } = p;
  const target = threadedTargets(p);
  const n = prog.length;
  // The lowest index jumping to each element (n when none).
  const firstFrom = new Int32Array(n + 1).fill(n);
  for (let i = 0; i < n; i++) {
    const t = target[i]!;
    if (t >= 0 && t <= n && i < firstFrom[t]!) firstFrom[t] = i;
  }
  for (let a = 0; a < n;) {
    const head = prog[a]!;
    if (head.kind !== 'jmp' || !member(p, a, head.dst)) { a++; continue; }
    const reg = head.dst;
    let end = a + 1;
    while (end < n && member(p, end, reg)) end++;
    // Nothing outside the region may jump into it (past its head).
    for (let t = a + 1; t < end; t++) if (firstFrom[t]! < a) { end = t; break; }
    const region = end - a >= MIN_REGION ? analyse(p, a, end, reg) : undefined;
    if (region !== undefined) found.set(a, region);
    a = Math.max(end, a + 1);
  }
  return found;
}

function analyse(p: Prepared, start: number, end: number, reg: number): CompareRegion | undefined {
  const { prog } = p;
  const target = threadedTargets(p);
  const at = new Map<number, Intervals>([[start, [0, MAX]]]);
  const exits = new Map<number, Intervals>();
  let work = 0;
  const send = (to: number, s: Intervals) => {
    if (s.length === 0) return;
    work += s.length;
    const into = to >= end ? exits : at;
    const had = into.get(to);
    into.set(to, had === undefined ? s : union(had, s));
  };
  for (let i = start; i < end; i++) {
    const s = at.get(i);
    if (s === undefined) continue; // unreachable inside the region
    at.delete(i);
    const insn = prog[i]!;
    if (target[i]! <= i) return undefined; // one forward pass: no back edges inside
    if (insn.kind === 'ja') { send(target[i]!, s); continue; }
    if (insn.kind !== 'jmp' || !('imm' in insn)) return undefined;
    const parts = split(s, insn.op, insn.imm >>> 0);
    if (parts === undefined) return undefined;
    send(target[i]!, parts[0]);
    send(i + 1, parts[1]);
    if (work > 64 * (end - start) + 4096) return undefined; // not a tree: give up
  }
  if (exits.size !== 2) return undefined;
  const [[e0, s0], [e1, s1]] = [...exits];
  const points = (s: Intervals) => {
    let count = 0;
    for (let j = 0; j < s.length; j += 2) {
      if (s[j] !== s[j + 1]) return -1;
      count++;
    }
    return count;
  };
  const c0 = points(s0!), c1 = points(s1!);
  let hit: number, miss: number, set: Intervals;
  if (c0 > 0 && c0 <= MAX_KEYS) { hit = e0!; miss = e1!; set = s0!; } else if (c1 > 0 && c1 <= MAX_KEYS) { hit = e1!; miss = e0!; set = s1!; } else return undefined;
  const keys = new Int32Array(set.length / 2);
  for (let j = 0; j < keys.length; j++) keys[j] = set[2 * j]! | 0;
  return { start, end, reg, hit, miss, keys };
}

/** An open-addressing table of a region's keys: `slots` (power of two), an EMPTY value not in the set. */
export interface ProbeTable {
  table: Int32Array;
  bits: number;
  empty: number;
}

/** Multiplicative hash constant (2^32 / golden ratio), as int32. */
const HASH_MUL = -1640531535;

const tableCache = new WeakMap<Int32Array, ProbeTable>();

export function probeTable(keys: Int32Array): ProbeTable {
  const hit = tableCache.get(keys);
  if (hit !== undefined) return hit;
  let bits = 1;
  while ((1 << bits) < 2 * keys.length) bits++;
  const size = 1 << bits, mask = size - 1;
  const inSet = new Set(keys);
  let empty = 0;
  while (inSet.has(empty)) empty++;
  const table = new Int32Array(size).fill(empty);
  for (const k of keys) {
    let h = Math.imul(k, HASH_MUL) >>> (32 - bits);
    while (table[h] !== empty) h = (h + 1) & mask;
    table[h] = k;
  }
  const made = { table, bits, empty };
  tableCache.set(keys, made);
  return made;
}

/** `const HT<start> = …` declarations of the regions' tables, for generated code. */
export function probeTables(regions: ReadonlyMap<number, CompareRegion>): string {
  const out: string[] = [];
  for (const r of regions.values()) out.push(`const HT${r.start} = new Int32Array([${probeTable(r.keys).table.join(',')}]);`);
  return out.join('\n');
}

/**
 * JavaScript for one region: probe HT<start> with `reg` (the register's low half) and leave
 * through `jump(hit)` or `jump(miss)`. EMPTY is tested first: it is not in the set, so a
 * register holding the EMPTY value misses.
 */
export function probeCode(r: CompareRegion, reg: string, jump: (t: number) => string): string {
  const { bits, empty } = probeTable(r.keys);
  return `{ const x = ${reg} | 0; let h = Math.imul(x, ${HASH_MUL}) >>> ${32 - bits}; ` +
    `for (;;) { const v = HT${r.start}[h]; if (v === ${empty}) break; if (v === x) { ${jump(r.hit)} } h = (h + 1) & ${(1 << bits) - 1}; } }\n${jump(r.miss)}`;
}
