/** Pass "fold-constants" alone: constant accumulators and jt == jf blocks disappear. */
import { describe, expect, it } from 'vitest';
import { foldConstants } from '../../../src/filter/optimize/fold-constants.ts';
import { beforeAfter, disagreements } from '../helpers/equiv.ts';

describe('fold-constants', () => {
  it('removes a test whose accumulator is constant (and #0)', () => {
    const { before, after } = beforeAfter('ip[2] & 0 = 0 and tcp', foldConstants);
    expect(after.length).toBeLessThan(before.length);
    expect(after.some((i) => i.code === 0x54 && i.k === 0)).toBe(false); // no `and #0` left
  });
  it('keeps verdicts (except where libpcap-compatible folding skips a load, tested separately)', () => {
    for (const e of ['tcp port 80 or udp port 53', 'ip6 net 2001:db8::/64', 'ether host 1:2:3:4:5:6 and arp']) {
      const { before, after } = beforeAfter(e, foldConstants);
      expect(disagreements(before, after)).toEqual([]);
    }
  });
  it('folds a masked-out load even though the load could fail (libpcap does the same)', () => {
    const { after } = beforeAfter('ether[100] & 0 = 0', foldConstants);
    expect(after).toEqual([{ code: 6, jt: 0, jf: 0, k: 65535 }]);
  });
});
