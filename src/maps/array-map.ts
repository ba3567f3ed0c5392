/**
 * BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY: preallocated, u32-indexed, every element
 * always exists (zero-filled at creation) and can never be deleted.
 *
 * Storage is one Uint8Array of `maxEntries × nCpus × stride` bytes, stride = value size rounded
 * up to 8 like the kernel's elem_size. Element views are created lazily and cached, so a lookup
 * from a program allocates nothing after the first touch of a slot and always returns the same
 * object for the same (index, cpu) — the property the interpreter needs to treat it as a region.
 *
 * Kernel semantics kept: index ≥ max_entries → lookup NULL, update -E2BIG; BPF_NOEXIST →
 * -EEXIST (all elements exist); delete → -EINVAL; get_next_key of an absent/out-of-range key
 * restarts at 0, of the last index → end.
 */
import { Errno } from './errno.ts';
import { BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, copyBytes, readU32, round8, u32Key, nextIndexKey } from './types.ts';
import type { BpfMap, MapSpec } from './types.ts';

export class ArrayMap implements BpfMap {
  readonly kind: 'array' | 'percpu_array';
  readonly keySize = 4;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;
  readonly nCpus: number;
  readonly stride: number;
  id = 0;
  /** All values: element i of cpu c lives at ((i × nCpus) + c) × stride. */
  readonly storage: Uint8Array;
  private readonly views: (Uint8Array | undefined)[];

  constructor(spec: MapSpec) {
    this.kind = spec.kind === 'percpu_array' ? 'percpu_array' : 'array';
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.flags = spec.flags ?? 0;
    this.name = spec.name ?? '';
    this.nCpus = this.kind === 'percpu_array' ? (spec.nCpus ?? 1) : 1;
    this.stride = round8(spec.valueSize);
    this.storage = new Uint8Array(this.maxEntries * this.nCpus * this.stride);
    this.views = new Array(this.maxEntries * this.nCpus);
  }

  /** The live view of element `index` on `cpu` (no bounds check: callers check the index). */
  slot(index: number, cpu = 0): Uint8Array {
    const i = index * this.nCpus + (cpu < this.nCpus ? cpu : 0);
    let v = this.views[i];
    if (v === undefined) {
      v = this.storage.subarray(i * this.stride, i * this.stride + this.valueSize);
      this.views[i] = v;
    }
    return v;
  }

  lookup(key: Uint8Array, keyOffset = 0, cpu = 0): Uint8Array | undefined {
    const index = readU32(key, keyOffset);
    return index < this.maxEntries ? this.slot(index, cpu) : undefined;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number, keyOffset = 0, valueOffset = 0, cpu = 0): number {
    if ((flags & ~BPF_F_LOCK) > BPF_EXIST) return -Errno.EINVAL;
    const index = readU32(key, keyOffset);
    if (index >= this.maxEntries) return -Errno.E2BIG;
    if ((flags & ~BPF_F_LOCK) === BPF_NOEXIST) return -Errno.EEXIST;
    copyBytes(this.slot(index, cpu), 0, value, valueOffset, this.valueSize);
    return 0;
  }

  /** Per-CPU update from user space: the same value on every CPU, or one value per CPU. */
  updateAllCpus(key: Uint8Array, values: Uint8Array | Uint8Array[], flags = 0): number {
    for (let c = 0; c < this.nCpus; c++) {
      const v = Array.isArray(values) ? values[c] : values;
      if (v === undefined || v.length < this.valueSize) return -Errno.EINVAL;
      const r = this.update(key, v, flags, 0, 0, c);
      if (r !== 0) return r;
    }
    return 0;
  }

  /** Per-CPU lookup from user space: one copy per CPU (the kernel's packed form, unpacked). */
  lookupAllCpus(key: Uint8Array): Uint8Array[] | undefined {
    const index = readU32(key, 0);
    if (index >= this.maxEntries) return undefined;
    const out: Uint8Array[] = [];
    for (let c = 0; c < this.nCpus; c++) out.push(this.slot(index, c).slice());
    return out;
  }

  delete(_key?: Uint8Array, _keyOffset?: number): number {
    return -Errno.EINVAL;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return nextIndexKey(key, this.maxEntries);
  }

  count(): number {
    return this.maxEntries;
  }
}
