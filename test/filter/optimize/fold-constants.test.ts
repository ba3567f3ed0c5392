/** Pass "fold-constants" alone: constant accumulators and jt == jf blocks disappear. */
import { describe, expect, it } from 'vitest';
import { foldConstants } from '../../../src/filter/optimize/fold-constants.ts';
import { lateDecisions } from '../../../src/filter/optimize/late.ts';
import { beforeAfter, disagreements } from '../helpers/equiv.ts';

describe('fold-constants', () => {
  it('removes a test whose accumulator is constant (and #0)', () => {
    // `net 0.0.0.0/0`: the address masked with 0 (a primitive; a relation's mask is decided late).
    const { before, after } = beforeAfter('net 0.0.0.0/0 and tcp', foldConstants);
    expect(after.length).toBeLessThan(before.length);
    // No test of a masked-out value is left (the loads before it stay: their target is a test).
    expect(after.some((i, n) => i.code === 0x54 && i.k === 0 && (after[n + 1]!.code & 0x07) === 0x05 && after[n + 1]!.code !== 0x05)).toBe(false);
  });
  it('keeps verdicts (except where libpcap-compatible folding skips a load, tested separately)', () => {
    for (const e of ['tcp port 80 or udp port 53', 'ip6 net 2001:db8::/64', 'ether host 1:2:3:4:5:6 and arp']) {
      const { before, after } = beforeAfter(e, foldConstants);
      expect(disagreements(before, after)).toEqual([]);
    }
  });
  it('folds a masked-out load even though the load could fail (libpcap does the same)', () => {
    // A relation: the pass leaves it to late-decisions (libpcap's second phase), whose root is
    // then the return.
    expect(beforeAfter('ether[100] & 0 = 0', foldConstants).after.length).toBeGreaterThan(1);
    const { after } = beforeAfter('ether[100] & 0 = 0', (p) => lateDecisions(foldConstants(p)));
    expect(after).toEqual([{ code: 6, jt: 0, jf: 0, k: 65535 }]);
  });
});
