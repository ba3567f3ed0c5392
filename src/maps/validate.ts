/**
 * Creation-time checks for a MapSpec, with the kernel's rules per kind (array keys are u32
 * indices, ring buffers have no keys and a power-of-two page-multiple size, …). A bad spec is a
 * user error (it comes from a command line, an API call or an ELF object), so it is reported as
 * a `UserError` with code 'MAP_INVALID' naming the map and the rule broken.
 */
import { UserError } from '../errors.ts';
import type { MapSpec } from './types.ts';

/** Upper bound on a single value (the kernel's KMALLOC_MAX_SIZE-ish limit; keeps memory sane). */
const MAX_VALUE_SIZE = 1 << 20;
const RINGBUF_PAGE = 4096;

export function validateMapSpec(spec: MapSpec): void {
  const name = spec.name ? `map '${spec.name}'` : `${spec.kind} map`;
  const bad = (why: string): never => {
    throw new UserError('MAP_INVALID', `${name}: ${why}`);
  };
  const intIn = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!intIn(spec.maxEntries, 1, 0xffffffff)) bad(`max_entries must be a positive integer (got ${spec.maxEntries})`);
  switch (spec.kind) {
    case 'array':
    case 'percpu_array':
    case 'prog_array':
      if (spec.keySize !== 4) bad(`key_size must be 4 for ${spec.kind} (got ${spec.keySize})`);
      if (spec.kind === 'prog_array' && spec.valueSize !== 4) bad(`value_size must be 4 for prog_array (got ${spec.valueSize})`);
      if (!intIn(spec.valueSize, 1, MAX_VALUE_SIZE)) bad(`value_size must be 1..${MAX_VALUE_SIZE} (got ${spec.valueSize})`);
      if (spec.maxEntries * Math.max(8, spec.valueSize) > 1 << 30) bad('array too large (over 1 GiB)');
      break;
    case 'hash':
    case 'lru_hash':
      if (!intIn(spec.keySize, 1, 512)) bad(`key_size must be 1..512 (got ${spec.keySize})`);
      if (!intIn(spec.valueSize, 1, MAX_VALUE_SIZE)) bad(`value_size must be 1..${MAX_VALUE_SIZE} (got ${spec.valueSize})`);
      if (spec.maxEntries > 1 << 24) bad(`max_entries too large for this runtime (${spec.maxEntries} > ${1 << 24})`);
      break;
    case 'perf_event_array':
      if (spec.keySize !== 4 || spec.valueSize !== 4) bad(`key_size and value_size must be 4 for perf_event_array (got ${spec.keySize}, ${spec.valueSize})`);
      if (spec.maxEntries > 4096) bad(`perf_event_array max_entries is a CPU count: at most 4096 (got ${spec.maxEntries})`);
      break;
    case 'ringbuf':
      if (spec.keySize !== 0 || spec.valueSize !== 0) bad('ringbuf key_size and value_size must be 0');
      if (spec.maxEntries % RINGBUF_PAGE !== 0 || (spec.maxEntries & (spec.maxEntries - 1)) !== 0)
        bad(`ringbuf max_entries must be a power of 2 and a multiple of ${RINGBUF_PAGE} (got ${spec.maxEntries})`);
      if (spec.maxEntries > 1 << 28) bad('ringbuf too large (over 256 MiB)');
      break;
  }
  if (spec.nCpus !== undefined && !intIn(spec.nCpus, 1, 1024)) bad(`nCpus must be 1..1024 (got ${spec.nCpus})`);
}
