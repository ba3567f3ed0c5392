/**
 * Public entry of the maps module: the map kinds (array, per-CPU array, hash, LRU hash, ring
 * buffer, program array), the registry/typed API, flags and errno numbers.
 */
export { ArrayMap } from './array-map.ts';
export { Errno, errnoName } from './errno.ts';
export { HashMap } from './hash-map.ts';
export { ProgArray } from './prog-array.ts';
export { PerfEventArray } from './perf-event-array.ts';
export type { PerfRecord } from './perf-event-array.ts';
export { MapRegistry, createMap } from './registry.ts';
export type { AnyMap, MapEntry } from './registry.ts';
export { RingBuf } from './ringbuf.ts';
export { BPF_ANY, BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, MapType, round8, u32Key } from './types.ts';
export type { BpfMap, MapKind, MapSpec } from './types.ts';
export { validateMapSpec } from './validate.ts';
export { dumpMapJson, loadMapJson } from './json.ts';
export type { JsonValue, MapFormatter } from './json.ts';
