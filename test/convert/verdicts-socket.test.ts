/**
 * Converted libpcap programs as socket programs, on our eBPF interpreter and JIT, against the
 * libpcap 1.10.3 verdict goldens (filters/verdicts): every V row, optimized and unoptimized,
 * every golden packet. See checkVerdicts in ./support.ts for what is expected at this hook.
 */
import { describe, expect, it } from 'vitest';
import { listVerdictFiles } from '../tools/verdicts.ts';
import { checkVerdicts, tsvPrograms } from './support.ts';

const programs = tsvPrograms();

describe.skipIf(programs === null)('toEbpf socket: verdicts equal libpcap 1.10.3 on every golden packet', () => {
  for (const dlt of listVerdictFiles()) {
    it(dlt, () => {
      const s = checkVerdicts('socket', dlt, programs!, ['interp', 'jit']);
      expect(s.failures.slice(0, 10)).toEqual([]);
      // Every row with accepted programs ran (a file with V rows must yield programs).
      expect(s.runs >= 0 && (s.programs > 0 || !programs!.some((p) => p.dlt === dlt))).toBe(true);
    }, 300_000); // minutes on a loaded 2-core machine
  }
});
