/**
 * BPF_MAP_TYPE_HASH and BPF_MAP_TYPE_LRU_HASH: byte-exact keys, preallocated element slots.
 *
 * Technique: a chained hash table laid out in typed arrays, like the kernel's preallocated
 * htab. `maxEntries` element slots hold the keys (one flat Uint8Array) and a `next` index; a
 * power-of-two bucket array holds chain heads; unused slots form a free list threaded through
 * `next`. Keys are hashed with 32-bit FNV-1a straight from the caller's bytes (a view of program
 * memory plus an offset), so lookups allocate nothing. New elements are linked at the head of
 * their bucket, and iteration (get_next_key) walks buckets in order and each chain head to tail,
 * which is the kernel's order too.
 *
 * Value buffers belong to slots and are reused when a slot is (like the kernel's preallocated
 * elements): a program still holding the view of a deleted element may see the element that
 * replaced it, exactly the kernel's behaviour, and the engine registers at most maxEntries value
 * regions however much the map churns. An update of an existing key writes in place, so the view
 * from an earlier lookup sees the new value.
 *
 * Kernel semantics kept: BPF_NOEXIST on an existing key → -EEXIST; BPF_EXIST on a missing key →
 * -ENOENT; a new key when the map is full → -E2BIG (plain hash); unknown flags → -EINVAL;
 * delete of a missing key → -ENOENT.
 *
 * LRU: the kernel keeps approximate LRU lists with per-element reference bits. We keep an exact
 * recency list (doubly linked through `lruPrev`/`lruNext`): lookups and updates move an element
 * to the front, and inserting into a full map evicts the element at the back instead of failing.
 * Exact LRU is one of the orders the kernel's approximation can produce, and it is testable.
 */
import { Errno } from './errno.ts';
import { BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, copyBytes } from './types.ts';
import type { BpfMap, MapSpec } from './types.ts';

export class HashMap implements BpfMap {
  readonly kind: 'hash' | 'lru_hash';
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;
  id = 0;

  private readonly mask: number;
  private readonly heads: Int32Array;
  private readonly next: Int32Array;
  private readonly hashes: Uint32Array;
  private readonly keys: Uint8Array;
  private readonly values: (Uint8Array | undefined)[];
  private freeHead: number;
  private live = 0;
  // LRU recency list: head = most recently used, tail = least recently used.
  private readonly lru: boolean;
  private readonly lruPrev: Int32Array;
  private readonly lruNext: Int32Array;
  private lruHead = -1;
  private lruTail = -1;
  /** Number of elements evicted so far (LRU only), for tests and stats. */
  evictions = 0;

  constructor(spec: MapSpec) {
    this.kind = spec.kind === 'lru_hash' ? 'lru_hash' : 'hash';
    this.keySize = spec.keySize;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.flags = spec.flags ?? 0;
    this.name = spec.name ?? '';
    let nb = 1;
    while (nb < this.maxEntries) nb <<= 1;
    this.mask = nb - 1;
    this.heads = new Int32Array(nb).fill(-1);
    this.next = new Int32Array(this.maxEntries);
    for (let i = 0; i < this.maxEntries; i++) this.next[i] = i + 1 < this.maxEntries ? i + 1 : -1;
    this.freeHead = 0;
    this.hashes = new Uint32Array(this.maxEntries);
    this.keys = new Uint8Array(this.maxEntries * this.keySize);
    this.values = new Array(this.maxEntries);
    this.lru = this.kind === 'lru_hash';
    this.lruPrev = new Int32Array(this.lru ? this.maxEntries : 0);
    this.lruNext = new Int32Array(this.lru ? this.maxEntries : 0);
  }

  /** 32-bit FNV-1a of key bytes [off, off+keySize). */
  private hash(key: Uint8Array, off: number): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < this.keySize; i++) h = Math.imul(h ^ key[off + i]!, 0x01000193);
    return h >>> 0;
  }

  private keyEquals(slot: number, key: Uint8Array, off: number): boolean {
    const base = slot * this.keySize;
    for (let i = 0; i < this.keySize; i++) if (this.keys[base + i] !== key[off + i]) return false;
    return true;
  }

  /** Slot index holding `key`, or -1. */
  private find(key: Uint8Array, off: number, h: number): number {
    for (let s = this.heads[h & this.mask]!; s !== -1; s = this.next[s]!) {
      if (this.hashes[s] === h && this.keyEquals(s, key, off)) return s;
    }
    return -1;
  }

  private lruUnlink(s: number): void {
    const p = this.lruPrev[s]!;
    const n = this.lruNext[s]!;
    if (p === -1) this.lruHead = n;
    else this.lruNext[p] = n;
    if (n === -1) this.lruTail = p;
    else this.lruPrev[n] = p;
  }

  private lruPushFront(s: number): void {
    this.lruPrev[s] = -1;
    this.lruNext[s] = this.lruHead;
    if (this.lruHead !== -1) this.lruPrev[this.lruHead] = s;
    this.lruHead = s;
    if (this.lruTail === -1) this.lruTail = s;
  }

  private touch(s: number): void {
    if (this.lru && this.lruHead !== s) {
      this.lruUnlink(s);
      this.lruPushFront(s);
    }
  }

  /** Unlinks slot `s` from its bucket chain and the LRU list and returns it to the free list. */
  private remove(s: number): void {
    const b = this.hashes[s]! & this.mask;
    let prev = -1;
    for (let c = this.heads[b]!; c !== s; c = this.next[c]!) prev = c;
    if (prev === -1) this.heads[b] = this.next[s]!;
    else this.next[prev] = this.next[s]!;
    if (this.lru) this.lruUnlink(s);
    this.next[s] = this.freeHead;
    this.freeHead = s;
    this.live--;
  }

  lookup(key: Uint8Array, keyOffset = 0): Uint8Array | undefined {
    const s = this.find(key, keyOffset, this.hash(key, keyOffset));
    if (s === -1) return undefined;
    this.touch(s);
    return this.values[s];
  }

  update(key: Uint8Array, value: Uint8Array, flags: number, keyOffset = 0, valueOffset = 0): number {
    const mode = flags & ~BPF_F_LOCK;
    if (mode > BPF_EXIST) return -Errno.EINVAL;
    const h = this.hash(key, keyOffset);
    let s = this.find(key, keyOffset, h);
    if (s !== -1) {
      if (mode === BPF_NOEXIST) return -Errno.EEXIST;
      copyBytes(this.values[s]!, 0, value, valueOffset, this.valueSize);
      this.touch(s);
      return 0;
    }
    if (mode === BPF_EXIST) return -Errno.ENOENT;
    if (this.freeHead === -1) {
      if (!this.lru) return -Errno.E2BIG;
      this.remove(this.lruTail);
      this.evictions++;
    }
    s = this.freeHead;
    this.freeHead = this.next[s]!;
    copyBytes(this.keys, s * this.keySize, key, keyOffset, this.keySize);
    this.hashes[s] = h;
    let v = this.values[s];
    if (v === undefined) this.values[s] = v = new Uint8Array(this.valueSize);
    copyBytes(v, 0, value, valueOffset, this.valueSize);
    const b = h & this.mask;
    this.next[s] = this.heads[b]!;
    this.heads[b] = s;
    if (this.lru) this.lruPushFront(s);
    this.live++;
    return 0;
  }

  delete(key: Uint8Array, keyOffset = 0): number {
    const s = this.find(key, keyOffset, this.hash(key, keyOffset));
    if (s === -1) return -Errno.ENOENT;
    this.remove(s);
    return 0;
  }

  private keyOf(s: number): Uint8Array {
    return this.keys.slice(s * this.keySize, (s + 1) * this.keySize);
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    let bucket = 0;
    if (key !== undefined && key.length >= this.keySize) {
      const h = this.hash(key, 0);
      const s = this.find(key, 0, h);
      if (s !== -1) {
        if (this.next[s] !== -1) return this.keyOf(this.next[s]!);
        bucket = (h & this.mask) + 1;
      }
    }
    for (; bucket <= this.mask; bucket++) {
      const s = this.heads[bucket]!;
      if (s !== -1) return this.keyOf(s);
    }
    return undefined;
  }

  count(): number {
    return this.live;
  }

  /** Keys from least to most recently used (LRU maps; for tests and dumps). */
  lruOrder(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let s = this.lruTail; s !== -1; s = this.lruPrev[s]!) out.push(this.keyOf(s));
    return out;
  }
}
