/**
 * What the kernel calls fd arrays — BPF_MAP_TYPE_PERF_EVENT_ARRAY and BPF_MAP_TYPE_PROG_ARRAY —
 * share their shape: u32 keys (slot indices), u32 values (the file descriptor or program id user
 * space writes, never readable by programs), and no lookup from a program (the verifier refuses
 * it; the kernel's fd arrays have no map_lookup_elem for programs either). This base class holds
 * that shape and the spec fields once; each kind adds what its slots hold.
 */
import type { BpfMap, MapKind, MapSpec } from './types.ts';

export abstract class FdArrayMap implements BpfMap {
  abstract readonly kind: MapKind;
  readonly keySize = 4;
  readonly valueSize = 4;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;
  id = 0;

  constructor(spec: MapSpec) {
    this.maxEntries = spec.maxEntries;
    this.flags = spec.flags ?? 0;
    this.name = spec.name ?? '';
  }

  /** Programs cannot read an fd array's slots: no element is ever returned. */
  lookup(_key?: Uint8Array, _keyOffset?: number): undefined {
    return undefined;
  }

  abstract update(key: Uint8Array, value: Uint8Array, flags: number, keyOffset?: number, valueOffset?: number): number;
  abstract delete(key: Uint8Array, keyOffset?: number): number;
  abstract nextKey(key: Uint8Array | undefined): Uint8Array | undefined;
  abstract count(): number;
}
