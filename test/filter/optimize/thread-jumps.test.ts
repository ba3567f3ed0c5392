/** Pass "thread-jumps" alone: tests decided by facts on every incoming path are bypassed. */
import { describe, expect, it } from 'vitest';
import { threadJumps } from '../../../src/filter/optimize/thread-jumps.ts';
import { beforeAfter, disagreements } from '../helpers/equiv.ts';

const count = (p: { code: number; k: number }[], code: number, k: number): number => p.filter((i) => i.code === code && i.k === k).length;

describe('thread-jumps', () => {
  it('tests the Ethernet type for IPv4 once per path in `tcp port 80 or udp port 53`', () => {
    const { before, after } = beforeAfter('ip and tcp and ip', threadJumps);
    expect(count(before, 0x15, 0x800)).toBe(3);
    expect(count(after, 0x15, 0x800)).toBe(1);
  });
  it('uses false outcomes and repeated tests: `ip or ip`, `greater 101 and greater 101`', () => {
    expect(count(beforeAfter('ip or ip', threadJumps).after, 0x15, 0x800)).toBe(1);
    const { after } = beforeAfter('greater 101 and greater 101', threadJumps);
    expect(after.filter((i) => (i.code & 0x07) === 0x05).length).toBe(1);
  });
  it('does not reason about ranges (libpcap does not; skipping loads changes truncated verdicts)', () => {
    const { after } = beforeAfter('greater 101 and greater 51', threadJumps);
    expect(after.filter((i) => (i.code & 0x07) === 0x05).length).toBe(2);
  });
  it('keeps verdicts', () => {
    for (const e of ['tcp port 80 or udp port 53', 'host 10.0.0.1 or host 10.0.0.2', 'not ip or (ip and not tcp)',
      'ip6 and (udp or tcp) and port 53', 'tcp[13] & 2 != 0 and tcp[13] & 0x12 != 0']) {
      const { before, after } = beforeAfter(e, threadJumps);
      expect(disagreements(before, after)).toEqual([]);
    }
  });
});
