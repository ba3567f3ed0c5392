/** Pass "and-to-jset" alone: `and #k; jeq #0` becomes `jset #k` with swapped successors. */
import { describe, expect, it } from 'vitest';
import { andToJset } from '../../../src/filter/optimize/and-to-jset.ts';
import { lateDecisions } from '../../../src/filter/optimize/late.ts';
import { beforeAfter, disagreements } from '../helpers/equiv.ts';
import { runCbpf } from '../helpers/vm.ts';

describe('and-to-jset', () => {
  it('rewrites the masked test', () => {
    const { before, after } = beforeAfter('ip[6:2] & 0x1fff = 0', andToJset);
    expect(after.length).toBe(before.length - 1);
    expect(after.some((i) => i.code === 0x45 && i.k === 0x1fff)).toBe(true);
  });
  it('keeps verdicts for ordinary masks', () => {
    for (const e of ['ip[6:2] & 0x1fff = 0', 'tcp[13] & 7 != 0', 'net 10.0.0.0/8']) {
      const { before, after } = beforeAfter(e, andToJset);
      expect(disagreements(before, after)).toEqual([]);
    }
  });
  it('reproduces libpcap 1.10.3: jset #0xffffffff counts as always true (a relation\'s, decided late)', () => {
    // The pass alone leaves a relation's `jset #0xffffffff` undecided: libpcap decides it only in
    // its second phase, which late-decisions models.
    expect(beforeAfter('ip[1] & 0xffffffff = 0', andToJset).after.some((i) => i.code === 0x45 && i.jt !== i.jf)).toBe(true);
    const { before, after } = beforeAfter('ip[1] & 0xffffffff = 0', (p) => lateDecisions(andToJset(p)));
    // IPv4 packet whose byte 1 is 0: the exact program accepts it, libpcap's optimized one does not.
    const pkt = new Uint8Array(34);
    pkt[12] = 0x08; pkt[14] = 0x45;
    expect(runCbpf(before, pkt, pkt.length)).toBe(65535);
    expect(runCbpf(after, pkt, pkt.length)).toBe(0);
  });
});
