/** Pass "redundant-loads" alone: reloading a value already in A or X is removed. */
import { describe, expect, it } from 'vitest';
import { redundantLoads } from '../../../src/filter/optimize/redundant-loads.ts';
import { beforeAfter, disagreements } from '../helpers/equiv.ts';

describe('redundant-loads', () => {
  it('drops the second `ldh [12]` of `ip or ip6` and the repeated ldxb of ports', () => {
    const { before, after } = beforeAfter('ip or ip6', redundantLoads);
    expect(before.filter((i) => i.code === 0x28 && i.k === 12).length).toBe(2);
    expect(after.filter((i) => i.code === 0x28 && i.k === 12).length).toBe(1);
    const p = beforeAfter('tcp port 1', redundantLoads);
    expect(p.after.filter((i) => i.code === 0xb1).length).toBeLessThan(p.before.filter((i) => i.code === 0xb1).length);
  });
  it('keeps verdicts', () => {
    for (const e of ['tcp port 80 or udp port 53', 'ip6 net 2001:db8::/32 or ip6 host ::1', 'tcp[tcp[0] & 3] = 1 or tcp[1] = 2']) {
      const { before, after } = beforeAfter(e, redundantLoads);
      expect(disagreements(before, after)).toEqual([]);
    }
  });
});
