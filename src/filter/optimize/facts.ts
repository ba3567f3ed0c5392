/**
 * What is known about tested values along a path, for jump threading. A block's tested value
 * is identified by its *key*: the text of the statements that compute A (blocks are
 * self-contained, so equal keys mean equal values on the same packet), which a pass interns
 * into a small integer (-1: a value not tracked). Per key we keep: an exact value, a few
 * excluded values, and the outcomes of a few `jgt`/`jge`/`jset` tests. Sizes are capped so that
 * fact sets stay O(1) and the pass stays linear.
 */
import type { Block } from '../cfg.ts';
import { JEQ, JGE, JGT, JSET, bpfOp, bpfSrc } from '../insn.ts';

export interface ValueFacts {
  eq?: number;
  ne: number[];
  gt: Array<[number, boolean]>;
  ge: Array<[number, boolean]>;
  jset: Array<[number, boolean]>;
}

export type Facts = Map<number, ValueFacts>;

const MAX_KEYS = 32;
const MAX_LIST = 8;

/** The key of the value a jump block tests (undefined for X-comparisons we do not track). */
export function testKey(b: Block): string | undefined {
  if (bpfSrc(b.code) || b.pinned) return undefined;
  let s = b.late ? 'L' : '';
  for (const st of b.stmts) s += `${st.code}:${st.k};`;
  return s;
}

function copyVF(v: ValueFacts): ValueFacts {
  return { eq: v.eq, ne: v.ne.slice(), gt: v.gt.slice(), ge: v.ge.slice(), jset: v.jset.slice() };
}

/** Facts plus "the test of `b` (value `key`) had outcome `taken`" (a new map; `f` is not modified). */
export function withOutcome(f: Facts, key: number, b: Block, taken: boolean): Facts {
  // Nothing learnt (an untracked value, or an outcome the facts already imply): fact sets are
  // never modified in place, so the same one is shared.
  if (key < 0 || decide(f, key, b) === taken) return f;
  const out: Facts = new Map(f);
  const old = f.get(key);
  if (!old && out.size >= MAX_KEYS) return out;
  const v: ValueFacts = old ? copyVF(old) : { ne: [], gt: [], ge: [], jset: [] };
  const k = b.k >>> 0;
  const note = (list: Array<[number, boolean]>): void => { if (list.length < MAX_LIST) list.push([k, taken]); };
  switch (bpfOp(b.code)) {
    case JEQ:
      if (taken) v.eq = k; else if (!v.ne.includes(k) && v.ne.length < MAX_LIST) v.ne.push(k);
      break;
    case JGT: note(v.gt); break;
    case JGE: note(v.ge); break;
    case JSET: note(v.jset); break;
  }
  out.set(key, v);
  return out;
}

/**
 * The outcome of `b`'s test if the facts decide it. Deliberately only what libpcap's
 * optimizer also concludes — the same test seen before, or `jeq` against a value known to be
 * equal to a constant — and no range or bit-implication reasoning: skipping a test also skips
 * its loads, and a load past the end of a truncated packet rejects it, so deciding more tests
 * than libpcap would change verdicts on short packets (the oracle is libpcap's verdicts).
 */
export function decide(f: Facts, key: number, b: Block): boolean | undefined {
  if (key < 0) return undefined;
  const v = f.get(key);
  if (!v) return undefined;
  const k = b.k >>> 0;
  switch (bpfOp(b.code)) {
    case JEQ:
      if (v.eq !== undefined) return v.eq === k;
      if (v.ne.includes(k)) return false;
      return undefined;
    case JGT:
      // Only the very same test: A > k was seen true (lo == k+1 recorded) or false (hi == k).
      if (v.gt.some(([m, t]) => m === k && t)) return true;
      if (v.gt.some(([m, t]) => m === k && !t)) return false;
      return undefined;
    case JGE:
      if (v.ge.some(([m, t]) => m === k && t)) return true;
      if (v.ge.some(([m, t]) => m === k && !t)) return false;
      return undefined;
    case JSET:
      for (const [m, t] of v.jset) if (m === k) return t;
      return undefined;
  }
  return undefined;
}

/** Facts true on every path: the meet of two fact sets. */
export function intersect(a: Facts, b: Facts): Facts {
  if (a === b) return a; // fact sets are never modified in place
  const out: Facts = new Map();
  if (a.size === 0 || b.size === 0) return out;
  for (const [key, va] of a) {
    const vb = b.get(key);
    if (!vb) continue;
    const same = (x: Array<[number, boolean]>, y: Array<[number, boolean]>): Array<[number, boolean]> =>
      x.filter(([m, t]) => y.some(([m2, t2]) => m2 === m && t2 === t));
    const v: ValueFacts = {
      eq: va.eq !== undefined && va.eq === vb.eq ? va.eq : undefined,
      // "≠ c" holds on a path where the value is known to be some other constant, too.
      ne: va.ne.filter((x) => vb.ne.includes(x) || (vb.eq !== undefined && vb.eq !== x))
        .concat(vb.ne.filter((x) => !va.ne.includes(x) && va.eq !== undefined && va.eq !== x)),
      gt: same(va.gt, vb.gt),
      ge: same(va.ge, vb.ge),
      jset: same(va.jset, vb.jset),
    };
    out.set(key, v);
  }
  return out;
}
