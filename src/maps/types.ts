/**
 * The map contract shared by every map kind, the registry, the helpers and the ELF loader.
 *
 * Keys and values are byte-exact (`Uint8Array`), as in the kernel: a map knows only sizes, never
 * C types. Operations return errno-style results (0 or a negative errno from ./errno.ts) rather
 * than throwing, because BPF programs see exactly these numbers from the helpers; the TypeScript
 * API (registry.ts) wraps them for users who prefer exceptions.
 *
 * Memory model: `lookup` returns a *live* view into the map's storage. Its identity is stable for
 * as long as the element exists (array slots forever; hash elements until deleted or evicted), so
 * the interpreter can register it once as a memory region and hand the program a region-tagged
 * pointer to it; writes by the program through that pointer land in the map, as in the kernel.
 */

/** Kernel `enum bpf_map_type` numbers for the kinds we implement (used by BTF/legacy map defs). */
export const MapType = {
  hash: 1,
  array: 2,
  prog_array: 3,
  perf_event_array: 4,
  percpu_array: 6,
  lru_hash: 9,
  ringbuf: 27,
} as const;
export type MapKind = keyof typeof MapType;

/** Update flags (`BPF_ANY`, `BPF_NOEXIST`, `BPF_EXIST`); BPF_F_LOCK (4) is accepted and ignored. */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;
export const BPF_F_LOCK = 4;
/** Map flag the kernel gives `.rodata` maps: programs may not write them. */
export const BPF_F_RDONLY_PROG = 0x80;

/** What a user (or an ELF map definition) asks for. */
export interface MapSpec {
  kind: MapKind;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** Map creation flags (BPF_F_NO_PREALLOC etc.); kept for dumps, no semantic effect here. */
  flags?: number;
  name?: string;
  /** Per-CPU maps only: number of CPUs (default 1). */
  nCpus?: number;
}

export interface BpfMap {
  readonly kind: MapKind;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;
  /** Set by the registry: the map's id (also used as its fd). 0 until registered. */
  id: number;
  /**
   * The value for `key` as a live view (for per-CPU maps: the slot of `cpu`), or undefined.
   * `key` is read starting at `keyOffset` for `keySize` bytes, so callers can pass a view
   * of program memory without slicing. Never allocates for array maps; hash lookups may
   * allocate the value view only when an element is first inserted.
   */
  lookup(key: Uint8Array, keyOffset?: number, cpu?: number): Uint8Array | undefined;
  /** Insert or replace; `value` read at `valueOffset`. Returns 0 or -errno. */
  update(key: Uint8Array, value: Uint8Array, flags: number, keyOffset?: number, valueOffset?: number, cpu?: number): number;
  /** Remove; returns 0 or -errno. */
  delete(key: Uint8Array, keyOffset?: number): number;
  /**
   * Kernel `BPF_MAP_GET_NEXT_KEY`: the key after `key` in iteration order, the first key when
   * `key` is undefined or absent, or undefined at the end.
   */
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined;
  /** Number of live elements (array kinds: maxEntries). */
  count(): number;
}

/** Reads the little-endian u32 key at `off` (array-like maps use u32 indices). */
export function readU32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

export function u32Key(i: number): Uint8Array {
  const k = new Uint8Array(4);
  k[0] = i & 0xff;
  k[1] = (i >>> 8) & 0xff;
  k[2] = (i >>> 16) & 0xff;
  k[3] = (i >>> 24) & 0xff;
  return k;
}

/** Rounds up to a multiple of 8, like the kernel's per-CPU value stride and ringbuf records. */
export function round8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Copies n bytes without creating a subarray view (small copies are the common case on the
 * per-packet path: `set(src.subarray(...))` allocates a view each time).
 */
export function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, n: number): void {
  if (n > 64) {
    dst.set(src.subarray(srcOff, srcOff + n), dstOff);
    return;
  }
  for (let i = 0; i < n; i++) dst[dstOff + i] = src[srcOff + i]!;
}

/**
 * The key after `key` in an index-keyed map (array, per-CPU array, program array): index 0 for no
 * key or one past the end, undefined after the last index (BPF_MAP_GET_NEXT_KEY's order).
 */
export function nextIndexKey(key: Uint8Array | undefined, maxEntries: number): Uint8Array | undefined {
  const index = key === undefined || key.length < 4 ? maxEntries : readU32(key, 0);
  if (index >= maxEntries) return u32Key(0);
  if (index === maxEntries - 1) return undefined;
  return u32Key(index + 1);
}
