/**
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY: the per-CPU channels `bpf_perf_event_output` writes records
 * into. In the kernel each slot holds a perf event fd that user space reads through an mmap'ed
 * ring; here every slot is taken to be open (as if the reader had opened one per CPU, which is
 * what libbpf's perf_buffer does) and the records wait in one queue, in the order they were
 * written, tagged with the slot, until the reader `drain`s them. Programs cannot look up or
 * update the map (the kernel refuses that too); from user space it has no elements to dump.
 */
import { Errno } from './errno.ts';
import { FdArrayMap } from './fd-array.ts';

export interface PerfRecord {
  /** The slot (CPU) the record was written to. */
  cpu: number;
  data: Uint8Array;
}

export class PerfEventArray extends FdArrayMap {
  readonly kind = 'perf_event_array' as const;
  private queue: PerfRecord[] = [];
  /** Records waiting at most (the rest are counted as lost, like an overrun perf ring). */
  readonly capacity = 1 << 16;
  lost = 0;

  /** Appends a record to slot `cpu` (the helper has checked the index): 0, or -ENOSPC when full. */
  output(cpu: number, data: Uint8Array): number {
    if (this.queue.length >= this.capacity) {
      this.lost++;
      return -Errno.ENOSPC;
    }
    this.queue.push({ cpu, data });
    return 0;
  }

  /** The records written since the last drain, oldest first. */
  drain(): PerfRecord[] {
    const out = this.queue;
    this.queue = [];
    return out;
  }

  update(_key?: Uint8Array, _value?: Uint8Array, _flags?: number): number {
    return -Errno.EOPNOTSUPP;
  }

  delete(_key?: Uint8Array, _keyOffset?: number): number {
    return -Errno.EOPNOTSUPP;
  }

  nextKey(_key?: Uint8Array): undefined {
    return undefined;
  }

  count(): number {
    return 0;
  }
}
