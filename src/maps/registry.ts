/**
 * The map registry: creates maps from specs, numbers them (id = fd, starting at 1, never
 * reused within a registry), and is the typed TypeScript API over them: lookup/update/delete
 * that throw `UserError` with the errno name instead of returning -errno, iteration in kernel
 * order (`keys`, `entries`), and `dump` as printable hex for the CLI. It also keeps the program
 * table that program-array maps resolve ids against. A registry is a plain object, one per
 * loaded object/session: there is no global state.
 */
import { UserError } from '../errors.ts';
import { ArrayMap } from './array-map.ts';
import { errnoName } from './errno.ts';
import { HashMap } from './hash-map.ts';
import { PerfEventArray } from './perf-event-array.ts';
import { ProgArray } from './prog-array.ts';
import { RingBuf } from './ringbuf.ts';
import { BPF_ANY } from './types.ts';
import type { BpfMap, MapSpec } from './types.ts';
import { validateMapSpec } from './validate.ts';

export type AnyMap = ArrayMap | HashMap | RingBuf | ProgArray | PerfEventArray;

/** Builds a map of the requested kind after checking the spec (throws UserError MAP_INVALID). */
export function createMap(spec: MapSpec): AnyMap {
  validateMapSpec(spec);
  switch (spec.kind) {
    case 'array':
    case 'percpu_array':
      return new ArrayMap(spec);
    case 'hash':
    case 'lru_hash':
      return new HashMap(spec);
    case 'ringbuf':
      return new RingBuf(spec);
    case 'prog_array':
      return new ProgArray(spec);
    case 'perf_event_array':
      return new PerfEventArray(spec);
  }
}

export interface MapEntry {
  key: Uint8Array;
  value: Uint8Array;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

export class MapRegistry {
  private readonly maps: (AnyMap | undefined)[] = [undefined];
  private readonly programs: unknown[] = [undefined];
  /** CPU count given to per-CPU maps that do not say. */
  readonly nCpus: number;

  constructor(opts: { nCpus?: number } = {}) {
    this.nCpus = opts.nCpus ?? 1;
  }

  create(spec: MapSpec): AnyMap {
    const m = createMap({ ...spec, nCpus: spec.nCpus ?? this.nCpus });
    m.id = this.maps.length;
    if (m instanceof ProgArray) m.resolve = (id) => this.programs[id];
    this.maps.push(m);
    return m;
  }

  /** The map with this id/fd, or undefined. */
  get(id: number): AnyMap | undefined {
    return Number.isInteger(id) && id > 0 ? this.maps[id] : undefined;
  }

  byName(name: string): AnyMap | undefined {
    return this.maps.find((m) => m !== undefined && m.name === name);
  }

  /** Like get/byName but a missing map is a user error. */
  require(idOrName: number | string): AnyMap {
    const m = typeof idOrName === 'number' ? this.get(idOrName) : this.byName(idOrName);
    if (m === undefined) throw new UserError('MAP_NOT_FOUND', `no map ${typeof idOrName === 'number' ? `with id ${idOrName}` : `named '${idOrName}'`}`);
    return m;
  }

  list(): AnyMap[] {
    return this.maps.filter((m): m is AnyMap => m !== undefined);
  }

  /** Registers a program object for program-array updates; returns its id. */
  registerProgram(prog: unknown): number {
    this.programs.push(prog);
    return this.programs.length - 1;
  }

  // ---- typed API that throws ----

  lookup(map: BpfMap, key: Uint8Array): Uint8Array | undefined {
    checkLen(map, 'key', key, map.keySize);
    return map.lookup(key, 0)?.slice();
  }

  update(map: BpfMap, key: Uint8Array, value: Uint8Array, flags = BPF_ANY): void {
    checkLen(map, 'key', key, map.keySize);
    checkLen(map, 'value', value, map.valueSize);
    const r = map instanceof ArrayMap && map.kind === 'percpu_array' ? map.updateAllCpus(key, value, flags) : map.update(key, value, flags, 0, 0);
    if (r !== 0) throw new UserError('MAP_UPDATE', `update of map '${map.name || map.id}' failed: ${errnoName(r)}`);
  }

  delete(map: BpfMap, key: Uint8Array): void {
    checkLen(map, 'key', key, map.keySize);
    const r = map.delete(key, 0);
    if (r !== 0) throw new UserError('MAP_DELETE', `delete from map '${map.name || map.id}' failed: ${errnoName(r)}`);
  }

  /** Keys in kernel iteration order (get_next_key from nothing until the end). */
  *keys(map: BpfMap): Generator<Uint8Array> {
    let k = map.nextKey(undefined);
    let guard = 0;
    while (k !== undefined && guard++ <= map.maxEntries) {
      yield k;
      k = map.nextKey(k);
    }
  }

  entries(map: BpfMap): MapEntry[] {
    const out: MapEntry[] = [];
    for (const key of this.keys(map)) {
      const v = map.lookup(key, 0);
      if (v !== undefined) out.push({ key, value: v.slice() });
    }
    return out;
  }

  /** `bpftool map dump`-like text: one "key: .. value: .." line per element. */
  dump(map: BpfMap): string {
    const lines: string[] = [];
    if (map instanceof ArrayMap && map.kind === 'percpu_array') {
      for (const key of this.keys(map)) {
        const vs = map.lookupAllCpus(key)!;
        lines.push(`key: ${hex(key)}  ${vs.map((v, c) => `cpu${c}: ${hex(v)}`).join('  ')}`);
      }
    } else if (map instanceof RingBuf) {
      lines.push(`ringbuf: size ${map.maxEntries} producer ${map.producerPos} consumer ${map.consumerPos}`);
    } else if (map instanceof ProgArray) {
      for (let i = 0; i < map.maxEntries; i++) if (map.program(i) !== undefined) lines.push(`key: ${i}  program set`);
    } else {
      for (const e of this.entries(map)) lines.push(`key: ${hex(e.key)}  value: ${hex(e.value)}`);
    }
    return lines.join('\n');
  }
}

function checkLen(map: BpfMap, what: string, b: Uint8Array, want: number): void {
  if (b.length !== want) throw new UserError('MAP_SIZE', `map '${map.name || map.id}': ${what} must be ${want} bytes (got ${b.length})`);
}
