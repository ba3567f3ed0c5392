/**
 * Model-based property tests: random sequences of update/delete/lookup on the hash and LRU
 * maps agree with a tiny reference model (a JS Map keyed by hex, plus a recency list for LRU),
 * including the errno of every operation, the element count and a full iteration.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BPF_ANY, BPF_EXIST, BPF_NOEXIST, createMap, Errno, MapRegistry } from '../../src/maps/index.ts';
import type { HashMap } from '../../src/maps/index.ts';

type Op = { op: 'update'; k: number; v: number; flags: number } | { op: 'delete'; k: number } | { op: 'lookup'; k: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('update' as const), k: fc.integer({ min: 0, max: 11 }), v: fc.integer({ min: 0, max: 255 }), flags: fc.constantFrom(BPF_ANY, BPF_NOEXIST, BPF_EXIST) }),
  fc.record({ op: fc.constant('delete' as const), k: fc.integer({ min: 0, max: 11 }) }),
  fc.record({ op: fc.constant('lookup' as const), k: fc.integer({ min: 0, max: 11 }) }),
);
const key = (k: number) => Uint8Array.from([k, 0xa5, k ^ 0xff]);

function check(kind: 'hash' | 'lru_hash', max: number, ops: Op[]): void {
  const m = createMap({ kind, keySize: 3, valueSize: 2, maxEntries: max }) as HashMap;
  const model = new Map<number, number>();
  const recency: number[] = []; // least recent first
  const touch = (k: number) => {
    const i = recency.indexOf(k);
    if (i >= 0) recency.splice(i, 1);
    recency.push(k);
  };
  for (const o of ops) {
    if (o.op === 'lookup') {
      const got = m.lookup(key(o.k));
      expect(got === undefined ? undefined : got[0]).toBe(model.get(o.k));
      if (model.has(o.k)) touch(o.k);
    } else if (o.op === 'delete') {
      expect(m.delete(key(o.k))).toBe(model.has(o.k) ? 0 : -Errno.ENOENT);
      model.delete(o.k);
      const i = recency.indexOf(o.k);
      if (i >= 0) recency.splice(i, 1);
    } else {
      const exists = model.has(o.k);
      let want = 0;
      if (exists && o.flags === BPF_NOEXIST) want = -Errno.EEXIST;
      else if (!exists && o.flags === BPF_EXIST) want = -Errno.ENOENT;
      else if (!exists && model.size >= max) {
        if (kind === 'hash') want = -Errno.E2BIG;
        else model.delete(recency.shift()!); // LRU evicts the least recently used
      }
      expect(m.update(key(o.k), Uint8Array.from([o.v, 1]), o.flags)).toBe(want);
      if (want === 0) {
        model.set(o.k, o.v);
        touch(o.k);
      }
    }
    expect(m.count()).toBe(model.size);
  }
  const seen = [...new MapRegistry().keys(m)].map((k) => k[0]!).sort((a, b) => a - b);
  expect(seen).toEqual([...model.keys()].sort((a, b) => a - b));
  if (kind === 'lru_hash') expect(m.lruOrder().map((k) => k[0])).toEqual(recency);
}

describe('hash maps against a reference model', () => {
  it('hash: flags, E2BIG when full, delete, iteration', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.array(opArb, { maxLength: 80 }), (max, ops) => check('hash', max, ops)), { numRuns: 300, seed: 0x6d61 });
  });
  it('LRU hash: exact least-recently-used eviction', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.array(opArb, { maxLength: 80 }), (max, ops) => check('lru_hash', max, ops)), { numRuns: 300, seed: 0x6c72 });
  });
});
