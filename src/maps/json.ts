/**
 * Maps as JSON in the shape `bpftool map dump -j` prints, both ways: `dumpMapJson` gives a map's
 * elements in kernel iteration order as `{"key": ["0x06"], "value": ["0x01", …]}` (per-CPU maps:
 * `"values": [{"cpu": 0, "value": […]}, …]`), plus a `formatted` field when the caller can type
 * the bytes (from BTF: see ../loader/btf-format.ts); `loadMapJson` writes such a dump back into
 * a map (a blocklist or a configuration prepared by hand, or dumped by bpftool from a kernel).
 * Global-data maps have no meaningful key, so their `formatted` holds the value only, as bpftool.
 *
 * Ring buffers and program arrays have no elements to dump (bpftool refuses the first and prints
 * program ids for the second, which mean nothing outside the kernel); they dump as `[]` and
 * cannot be loaded. Every malformed input is a one-line UserError naming the map and the entry.
 */
import { UserError } from '../errors.ts';
import { ArrayMap } from './array-map.ts';
import { errnoName } from './errno.ts';
import { PerfEventArray } from './perf-event-array.ts';
import { ProgArray } from './prog-array.ts';
import type { MapRegistry } from './registry.ts';
import { RingBuf } from './ringbuf.ts';
import { BPF_ANY } from './types.ts';
import type { BpfMap } from './types.ts';

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [k: string]: JsonValue };

/** Optional typed views of keys and values (bpftool's `formatted`). */
export interface MapFormatter {
  key?(bytes: Uint8Array): JsonValue;
  value?(bytes: Uint8Array): JsonValue;
  /** Global data: `formatted` has no key. */
  valueOnly?: boolean;
}

const hexBytes = (b: Uint8Array): string[] => Array.from(b, (x) => `0x${x.toString(16).padStart(2, '0')}`);

/** A map's elements as `bpftool map dump -j` lists them. */
export function dumpMapJson(registry: MapRegistry, map: BpfMap, fmt: MapFormatter = {}): JsonValue[] {
  if (map instanceof RingBuf || map instanceof ProgArray || map instanceof PerfEventArray) return [];
  const out: JsonValue[] = [];
  const perCpu = map instanceof ArrayMap && map.kind === 'percpu_array';
  for (const key of registry.keys(map)) {
    const entry: { [k: string]: JsonValue } = { key: hexBytes(key) };
    const formatted: { [k: string]: JsonValue } = {};
    if (fmt.key && !fmt.valueOnly) formatted.key = fmt.key(key);
    if (perCpu) {
      const vs = (map as ArrayMap).lookupAllCpus(key);
      if (vs === undefined) continue;
      entry.values = vs.map((v, cpu) => ({ cpu, value: hexBytes(v) }));
      if (fmt.value) formatted.values = vs.map((v, cpu) => ({ cpu, value: fmt.value!(v) }));
    } else {
      const v = map.lookup(key, 0);
      if (v === undefined) continue;
      entry.value = hexBytes(v);
      if (fmt.value) formatted.value = fmt.value(v);
    }
    if (Object.keys(formatted).length > 0) entry.formatted = formatted;
    out.push(entry);
  }
  return out;
}

/** Bytes from a bpftool hex list (`["0x06", "0x00"]`; plain numbers 0–255 are accepted too). */
function parseBytes(v: unknown, what: string, want: number): Uint8Array {
  if (!Array.isArray(v)) throw new UserError('MAP_JSON', `${what} must be a list of bytes like ["0x06"]`);
  const out = new Uint8Array(v.length);
  v.forEach((x, i) => {
    const n = typeof x === 'number' ? x : typeof x === 'string' && /^(0x)?[0-9a-fA-F]{1,2}$/.test(x) ? parseInt(x.replace(/^0x/, ''), 16) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > 255) throw new UserError('MAP_JSON', `${what}: byte ${i} (${JSON.stringify(x)}) is not a byte`);
    out[i] = n;
  });
  if (out.length !== want) throw new UserError('MAP_JSON', `${what} has ${out.length} bytes; the map needs ${want}`);
  return out;
}

/**
 * Writes every element of a dump into `map`. `text` is `bpftool map dump -j` output (a list of
 * entries) or an object whose member named after the map is such a list (what `--dump-maps`
 * prints). Returns the number of elements written.
 */
export function loadMapJson(map: BpfMap, text: string, source = 'map file'): number {
  const name = map.name || String(map.id);
  if (map instanceof RingBuf || map instanceof ProgArray || map instanceof PerfEventArray) throw new UserError('MAP_JSON', `map '${name}' is a ${map.kind} map: it has no elements to preload`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError('MAP_JSON', `${source}: not JSON (${(e as Error).message})`);
  }
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    const inner = (doc as Record<string, unknown>)[name];
    if (inner === undefined) throw new UserError('MAP_JSON', `${source}: no list for map '${name}' (want bpftool map dump -j output: a list of {"key": [...], "value": [...]})`);
    doc = inner;
  }
  if (!Array.isArray(doc)) throw new UserError('MAP_JSON', `${source}: want a list of {"key": [...], "value": [...]} entries (bpftool map dump -j)`);
  const perCpu = map instanceof ArrayMap && map.kind === 'percpu_array';
  doc.forEach((e: unknown, i) => {
    const what = `${source}: entry ${i}`;
    if (e === null || typeof e !== 'object') throw new UserError('MAP_JSON', `${what} is not an object`);
    const entry = e as Record<string, unknown>;
    const key = parseBytes(entry.key, `${what} key`, map.keySize);
    let r: number;
    if (perCpu && Array.isArray(entry.values)) {
      const vals = (entry.values as { cpu?: unknown; value?: unknown }[]).map((x, c) => parseBytes(x?.value, `${what} value of cpu ${c}`, map.valueSize));
      r = (map as ArrayMap).updateAllCpus(key, vals, BPF_ANY);
    } else {
      if (entry.value === undefined) throw new UserError('MAP_JSON', `${what} has no "value" (the hex byte list)`);
      const value = parseBytes(entry.value, `${what} value`, map.valueSize);
      r = perCpu ? (map as ArrayMap).updateAllCpus(key, value, BPF_ANY) : map.update(key, value, BPF_ANY, 0, 0);
    }
    if (r !== 0) throw new UserError('MAP_JSON', `${what}: update of map '${name}' failed: ${errnoName(r)}`);
  });
  return doc.length;
}
