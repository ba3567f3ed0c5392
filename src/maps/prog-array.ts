/**
 * BPF_MAP_TYPE_PROG_ARRAY: the jump table of `bpf_tail_call`. Keys are u32 indices; from user
 * space a value is a u32 program id (the registry's program table stands in for fds), and what
 * the map stores is the program object itself, so the tail_call helper can hand it straight to
 * the engine. Programs may not look up or update this map (the verifier refuses it, like the
 * kernel); `lookup` here returns undefined for the same reason.
 */
import { Errno } from './errno.ts';
import { BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, readU32, u32Key, nextIndexKey } from './types.ts';
import type { MapSpec } from './types.ts';
import { FdArrayMap } from './fd-array.ts';

export class ProgArray<P = unknown> extends FdArrayMap {
  readonly kind = 'prog_array' as const;
  private readonly progs: (P | undefined)[];
  /** Resolves a program id written from user space; set by the registry. */
  resolve: (id: number) => P | undefined = () => undefined;

  constructor(spec: MapSpec) {
    super(spec);
    this.progs = new Array(spec.maxEntries);
  }

  /** The program at `index` (what bpf_tail_call jumps to), or undefined. */
  program(index: number): P | undefined {
    return index < this.maxEntries ? this.progs[index] : undefined;
  }

  /** Typed user-space store of a program object. */
  setProgram(index: number, prog: P | undefined): number {
    if (index >= this.maxEntries) return -Errno.E2BIG;
    this.progs[index] = prog;
    return 0;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number, keyOffset = 0, valueOffset = 0): number {
    const mode = flags & ~BPF_F_LOCK;
    if (mode > BPF_EXIST) return -Errno.EINVAL;
    const index = readU32(key, keyOffset);
    if (index >= this.maxEntries) return -Errno.E2BIG;
    if (mode === BPF_NOEXIST) return -Errno.EEXIST;
    const p = this.resolve(readU32(value, valueOffset));
    if (p === undefined) return -Errno.EINVAL;
    this.progs[index] = p;
    return 0;
  }

  delete(key: Uint8Array, keyOffset = 0): number {
    const index = readU32(key, keyOffset);
    if (index >= this.maxEntries) return -Errno.E2BIG;
    if (this.progs[index] === undefined) return -Errno.ENOENT;
    this.progs[index] = undefined;
    return 0;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return nextIndexKey(key, this.maxEntries);
  }

  count(): number {
    let n = 0;
    for (const p of this.progs) if (p !== undefined) n++;
    return n;
  }
}
