import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { ArrayMap, BPF_ANY, BPF_EXIST, BPF_NOEXIST, Errno, HashMap, MapRegistry, RingBuf, createMap, u32Key } from '../../src/maps/index.ts';

const bytes = (...xs: number[]) => Uint8Array.from(xs);
const u64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
};

describe('array map', () => {
  it('starts zeroed, updates in place, rejects NOEXIST/out of range/delete with kernel errnos', () => {
    const m = createMap({ kind: 'array', keySize: 4, valueSize: 8, maxEntries: 4 }) as ArrayMap;
    expect(Array.from(m.lookup(u32Key(3))!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(m.lookup(u32Key(4))).toBeUndefined();
    expect(m.update(u32Key(1), u64(42), BPF_ANY)).toBe(0);
    expect(m.update(u32Key(1), u64(43), BPF_EXIST)).toBe(0);
    expect(m.update(u32Key(1), u64(44), BPF_NOEXIST)).toBe(-Errno.EEXIST);
    expect(m.update(u32Key(4), u64(1), BPF_ANY)).toBe(-Errno.E2BIG);
    expect(m.update(u32Key(0), u64(1), 7)).toBe(-Errno.EINVAL);
    expect(m.delete(u32Key(1))).toBe(-Errno.EINVAL);
    expect(m.lookup(u32Key(1))![0]).toBe(43);
  });
  it('returns the same live view for the same slot (regions stay valid)', () => {
    const m = createMap({ kind: 'array', keySize: 4, valueSize: 4, maxEntries: 2 }) as ArrayMap;
    const v = m.lookup(u32Key(1))!;
    expect(m.lookup(u32Key(1))).toBe(v);
    v[0] = 9; // a program write through the pointer
    expect(m.lookup(u32Key(1))![0]).toBe(9);
    expect(m.lookup(u32Key(0))![0]).toBe(0);
  });
  it('iterates 0..max-1 and restarts from an out-of-range key', () => {
    const m = createMap({ kind: 'array', keySize: 4, valueSize: 4, maxEntries: 3 });
    expect(Array.from(m.nextKey(undefined)!)).toEqual([0, 0, 0, 0]);
    expect(Array.from(m.nextKey(u32Key(1))!)).toEqual([2, 0, 0, 0]);
    expect(m.nextKey(u32Key(2))).toBeUndefined();
    expect(Array.from(m.nextKey(u32Key(99))!)).toEqual([0, 0, 0, 0]);
  });
  it('rejects bad specs as UserError MAP_INVALID', () => {
    expect(() => createMap({ kind: 'array', keySize: 8, valueSize: 4, maxEntries: 3 })).toThrow(/key_size must be 4/);
    expect(() => createMap({ kind: 'hash', keySize: 4, valueSize: 0, maxEntries: 3 })).toThrow(UserError);
    expect(() => createMap({ kind: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 5000 })).toThrow(/power of 2/);
  });
});

describe('per-CPU array', () => {
  it('keeps one value per CPU; programs see their CPU, user space sees all', () => {
    const reg = new MapRegistry({ nCpus: 3 });
    const m = reg.create({ kind: 'percpu_array', keySize: 4, valueSize: 4, maxEntries: 2 }) as ArrayMap;
    m.lookup(u32Key(0), 0, 0)![0] = 1;
    m.lookup(u32Key(0), 0, 2)![0] = 7;
    expect(m.lookupAllCpus(u32Key(0))!.map((v) => v[0])).toEqual([1, 0, 7]);
    reg.update(m, u32Key(1), bytes(5, 0, 0, 0));
    expect(m.lookupAllCpus(u32Key(1))!.map((v) => v[0])).toEqual([5, 5, 5]);
    expect(m.updateAllCpus(u32Key(1), [bytes(1, 0, 0, 0), bytes(2, 0, 0, 0), bytes(3, 0, 0, 0)])).toBe(0);
    expect(m.lookup(u32Key(1), 0, 1)![0]).toBe(2);
    expect(reg.dump(m)).toContain('cpu2: 03 00 00 00');
  });
});

describe('hash map', () => {
  it('implements BPF_ANY/NOEXIST/EXIST and delete with kernel errnos', () => {
    const m = createMap({ kind: 'hash', keySize: 2, valueSize: 4, maxEntries: 8 });
    expect(m.lookup(bytes(1, 2))).toBeUndefined();
    expect(m.update(bytes(1, 2), bytes(9, 9, 9, 9), BPF_EXIST)).toBe(-Errno.ENOENT);
    expect(m.update(bytes(1, 2), bytes(1, 0, 0, 0), BPF_NOEXIST)).toBe(0);
    expect(m.update(bytes(1, 2), bytes(2, 0, 0, 0), BPF_NOEXIST)).toBe(-Errno.EEXIST);
    expect(m.update(bytes(1, 2), bytes(3, 0, 0, 0), BPF_EXIST)).toBe(0);
    expect(Array.from(m.lookup(bytes(1, 2))!)).toEqual([3, 0, 0, 0]);
    expect(m.delete(bytes(1, 2))).toBe(0);
    expect(m.delete(bytes(1, 2))).toBe(-Errno.ENOENT);
    expect(m.count()).toBe(0);
  });
  it('reports E2BIG when full and accepts again after a delete', () => {
    const m = createMap({ kind: 'hash', keySize: 4, valueSize: 4, maxEntries: 3 });
    for (let i = 0; i < 3; i++) expect(m.update(u32Key(i), u32Key(i * 10), BPF_ANY)).toBe(0);
    expect(m.update(u32Key(3), u32Key(30), BPF_ANY)).toBe(-Errno.E2BIG);
    expect(m.update(u32Key(1), u32Key(11), BPF_ANY)).toBe(0); // replacing needs no new slot
    expect(m.delete(u32Key(0))).toBe(0);
    expect(m.update(u32Key(3), u32Key(30), BPF_ANY)).toBe(0);
    expect(m.count()).toBe(3);
  });
  it('reads keys at an offset of a larger buffer (program memory) and is byte-exact', () => {
    const m = createMap({ kind: 'hash', keySize: 3, valueSize: 1, maxEntries: 4 });
    const mem = bytes(0xff, 1, 2, 3, 0xff, 7);
    expect(m.update(mem, mem, BPF_ANY, 1, 5)).toBe(0);
    expect(m.lookup(bytes(1, 2, 3))![0]).toBe(7);
    expect(m.lookup(bytes(1, 2, 4))).toBeUndefined();
  });
  it('iterates every key exactly once, starting over from an absent key', () => {
    const m = createMap({ kind: 'hash', keySize: 4, valueSize: 4, maxEntries: 64 });
    for (let i = 0; i < 50; i++) m.update(u32Key(i * 7919), u32Key(i), BPF_ANY);
    const reg = new MapRegistry();
    const seen = [...reg.keys(m)].map((k) => new DataView(k.buffer).getUint32(0, true));
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i * 7919).sort((a, b) => a - b));
    expect(m.nextKey(u32Key(123456789))).toEqual(m.nextKey(undefined));
  });
  it('reuses the value buffer of a deleted element for the next insertion, like preallocated kernel maps', () => {
    const m = createMap({ kind: 'hash', keySize: 1, valueSize: 1, maxEntries: 1 });
    m.update(bytes(1), bytes(11), BPF_ANY);
    const old = m.lookup(bytes(1))!;
    m.delete(bytes(1));
    expect(m.lookup(bytes(1))).toBeUndefined();
    m.update(bytes(2), bytes(22), BPF_ANY);
    expect(m.lookup(bytes(2))).toBe(old); // same region: an engine registers it once
    expect(old[0]).toBe(22);
  });
});

describe('LRU hash', () => {
  it('evicts the least recently used element when full; lookups refresh recency', () => {
    const m = createMap({ kind: 'lru_hash', keySize: 1, valueSize: 1, maxEntries: 3 }) as HashMap;
    for (const k of [1, 2, 3]) expect(m.update(bytes(k), bytes(k), BPF_ANY)).toBe(0);
    expect(m.lookup(bytes(1))![0]).toBe(1); // 1 becomes most recent: order 2,3,1
    expect(m.lruOrder().map((k) => k[0])).toEqual([2, 3, 1]);
    expect(m.update(bytes(4), bytes(4), BPF_ANY)).toBe(0); // evicts 2
    expect(m.lookup(bytes(2))).toBeUndefined();
    expect(m.update(bytes(3), bytes(33), BPF_EXIST)).toBe(0); // refresh 3: order 1,4,3
    expect(m.update(bytes(5), bytes(5), BPF_NOEXIST)).toBe(0); // evicts 1
    expect(m.lookup(bytes(1))).toBeUndefined();
    expect(m.lruOrder().map((k) => k[0])).toEqual([4, 3, 5]);
    expect(m.evictions).toBe(2);
    expect(m.count()).toBe(3);
  });
  it('delete unlinks from the recency list', () => {
    const m = createMap({ kind: 'lru_hash', keySize: 1, valueSize: 1, maxEntries: 2 }) as HashMap;
    m.update(bytes(1), bytes(1), BPF_ANY);
    m.update(bytes(2), bytes(2), BPF_ANY);
    expect(m.delete(bytes(1))).toBe(0);
    expect(m.update(bytes(3), bytes(3), BPF_ANY)).toBe(0); // a free slot: no eviction
    expect(m.evictions).toBe(0);
    expect(m.lruOrder().map((k) => k[0])).toEqual([2, 3]);
  });
});

describe('ring buffer', () => {
  const rb = () => createMap({ kind: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 }) as RingBuf;
  it('delivers submitted records in order, skips discarded ones, stops at a busy one', () => {
    const r = rb();
    const a = r.reserve(3)!;
    a.set([1, 2, 3]);
    const b = r.reserve(5)!;
    b.fill(7);
    const c = r.reserve(1)!;
    c[0] = 9;
    expect(r.commit(b)).toBe(0);
    expect(r.drain()).toEqual([]); // a is still busy
    expect(r.commit(a)).toBe(0);
    expect(r.drain().map((x) => Array.from(x))).toEqual([[1, 2, 3], [7, 7, 7, 7, 7]]);
    expect(r.commit(c, true)).toBe(0);
    expect(r.drain()).toEqual([]);
    expect(r.commit(c)).toBe(-Errno.EINVAL); // already committed
    expect(r.query(0)).toBe(0);
  });
  it('fails a reservation that would lap the consumer and counts the drop', () => {
    const r = rb();
    // 4096-byte ring: 8-byte header + 2032 payload = 2040 bytes per record → two fit, the third not.
    expect(r.reserve(2032)).toBeDefined();
    expect(r.reserve(2032)).toBeDefined();
    expect(r.reserve(8)).toBeUndefined();
    expect(r.drops).toBe(1);
    expect(r.reserve(0)).toBeUndefined();
    expect(r.reserve(5000)).toBeUndefined();
  });
  it('wraps records around the end of the ring byte-exactly', () => {
    const r = rb();
    let expected = 0;
    let got = 0;
    // 300-byte payloads do not divide 4096, so records straddle the end many times over.
    for (let round = 0; round < 40; round++) {
      const v = r.reserve(300)!;
      for (let i = 0; i < 300; i++) v[i] = (round * 31 + i) & 0xff;
      expect(r.commit(v)).toBe(0);
      expected++;
      if (round % 3 === 2) {
        r.consume((rec) => {
          const idx = got++;
          for (let i = 0; i < 300; i++) if (rec[i] !== ((idx * 31 + i) & 0xff)) throw new Error(`record ${idx} byte ${i}`);
        });
      }
    }
    r.consume((rec) => {
      const idx = got++;
      for (let i = 0; i < 300; i++) if (rec[i] !== ((idx * 31 + i) & 0xff)) throw new Error(`record ${idx} byte ${i}`);
    });
    expect(got).toBe(expected);
    expect(r.producerPos).toBeGreaterThan(3 * 4096);
  });
  it('output copies from program memory', () => {
    const r = rb();
    expect(r.output(bytes(0, 5, 6, 0), 1, 2)).toBe(0);
    expect(r.drain().map((x) => Array.from(x))).toEqual([[5, 6]]);
  });
});

describe('registry', () => {
  it('numbers maps from 1, finds them by id and name, throws UserError with errno names', () => {
    const reg = new MapRegistry();
    const a = reg.create({ kind: 'hash', keySize: 4, valueSize: 4, maxEntries: 1, name: 'counts' });
    const b = reg.create({ kind: 'array', keySize: 4, valueSize: 4, maxEntries: 1, name: 'cfg' });
    expect([a.id, b.id]).toEqual([1, 2]);
    expect(reg.get(2)).toBe(b);
    expect(reg.get(0)).toBeUndefined();
    expect(reg.byName('counts')).toBe(a);
    expect(() => reg.require('nope')).toThrow(/no map named 'nope'/);
    reg.update(a, u32Key(1), u32Key(2));
    expect(() => reg.update(a, u32Key(2), u32Key(2))).toThrow(/E2BIG/);
    expect(() => reg.update(a, u32Key(2), bytes(1))).toThrow(/value must be 4 bytes/);
    expect(() => reg.delete(a, u32Key(9))).toThrow(/ENOENT/);
    expect(reg.dump(a)).toBe('key: 01 00 00 00  value: 02 00 00 00');
    expect(reg.entries(b)).toHaveLength(1);
  });
  it('program arrays resolve registered program ids', () => {
    const reg = new MapRegistry();
    const pa = reg.create({ kind: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 4 });
    const prog = { name: 'p' };
    const id = reg.registerProgram(prog);
    expect(pa.update(u32Key(2), u32Key(id), BPF_ANY)).toBe(0);
    expect(pa.update(u32Key(1), u32Key(999), BPF_ANY)).toBe(-Errno.EINVAL);
    expect((pa as import('../../src/maps/index.ts').ProgArray).program(2)).toBe(prog);
    expect(pa.delete(u32Key(2))).toBe(0);
    expect(pa.delete(u32Key(2))).toBe(-Errno.ENOENT);
  });
});
