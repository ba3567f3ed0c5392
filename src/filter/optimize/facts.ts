/**
 * What is known about tested values along a path, for jump threading. A block's tested value
 * is identified by its *key*: the text of the statements that compute A (blocks are
 * self-contained, so equal keys mean equal values on the same packet). Per key we keep a small
 * lattice: an exact value, an inclusive range [lo, hi], a few excluded values and a few known
 * `jset` outcomes. Sizes are capped so that fact sets stay O(1) and the pass stays linear.
 */
import type { Block } from '../cfg.ts';
import { JEQ, JGE, JGT, JSET } from '../insn.ts';

export interface ValueFacts {
  eq?: number;
  lo: number;
  hi: number;
  ne: number[];
  jset: Array<[number, boolean]>;
}

export type Facts = Map<string, ValueFacts>;

const MAX_KEYS = 32;
const MAX_LIST = 8;

/** The key of the value a jump block tests (undefined for X-comparisons we do not track). */
export function testKey(b: Block): string | undefined {
  if (b.code & 0x08 || b.pinned) return undefined;
  let s = '';
  for (const st of b.stmts) s += `${st.code}:${st.k};`;
  return s;
}

function copyVF(v: ValueFacts): ValueFacts {
  return { eq: v.eq, lo: v.lo, hi: v.hi, ne: v.ne.slice(), jset: v.jset.slice() };
}

/** Facts plus "the test of `b` had outcome `taken`" (a new map; `f` is not modified). */
export function withOutcome(f: Facts, b: Block, taken: boolean): Facts {
  const key = testKey(b);
  const out: Facts = new Map(f);
  if (key === undefined) return out;
  const old = f.get(key);
  if (!old && out.size >= MAX_KEYS) return out;
  const v: ValueFacts = old ? copyVF(old) : { lo: 0, hi: 0xffffffff, ne: [], jset: [] };
  const k = b.k >>> 0;
  switch (b.code & 0xf0) {
    case JEQ:
      if (taken) { v.eq = k; v.lo = k; v.hi = k; } else if (!v.ne.includes(k) && v.ne.length < MAX_LIST) v.ne.push(k);
      break;
    case JGT:
      if (taken) v.lo = Math.max(v.lo, k + 1); else v.hi = Math.min(v.hi, k);
      break;
    case JGE:
      if (taken) v.lo = Math.max(v.lo, k); else v.hi = Math.min(v.hi, k - 1);
      break;
    case JSET:
      if (v.jset.length < MAX_LIST) v.jset.push([k, taken]);
      break;
  }
  out.set(key, v);
  return out;
}

/** The outcome of `b`'s test if the facts decide it. */
export function decide(f: Facts, b: Block): boolean | undefined {
  const key = testKey(b);
  if (key === undefined) return undefined;
  const v = f.get(key);
  if (!v) return undefined;
  const k = b.k >>> 0;
  if (v.lo > v.hi) return undefined; // contradictory path: leave it alone
  switch (b.code & 0xf0) {
    case JEQ:
      if (v.eq !== undefined) return v.eq === k;
      if (k < v.lo || k > v.hi || v.ne.includes(k)) return false;
      if (v.lo === v.hi) return v.lo === k;
      return undefined;
    case JGT:
      if (v.lo > k) return true;
      if (v.hi <= k) return false;
      return undefined;
    case JGE:
      if (v.lo >= k) return true;
      if (v.hi < k) return false;
      return undefined;
    case JSET: {
      if (v.eq !== undefined) return (v.eq & k) !== 0;
      for (const [m, t] of v.jset) {
        if (m === k) return t;
        // Some bit of m is set and m ⊆ k ⇒ some bit of k is set.
        if (t && (m & k) === m) return true;
        // No bit of m is set and k ⊆ m ⇒ no bit of k is set.
        if (!t && (m & k) === k) return false;
      }
      return undefined;
    }
  }
  return undefined;
}

/** Facts true on every path: the meet of two fact sets. */
export function intersect(a: Facts, b: Facts): Facts {
  const out: Facts = new Map();
  for (const [key, va] of a) {
    const vb = b.get(key);
    if (!vb) continue;
    const v: ValueFacts = {
      eq: va.eq !== undefined && va.eq === vb.eq ? va.eq : undefined,
      lo: Math.min(va.lo, vb.lo),
      hi: Math.max(va.hi, vb.hi),
      ne: va.ne.filter((x) => vb.ne.includes(x) || (vb.eq === undefined && (x < vb.lo || x > vb.hi))),
      jset: va.jset.filter(([m, t]) => vb.jset.some(([m2, t2]) => m2 === m && t2 === t)),
    };
    out.set(key, v);
  }
  return out;
}
