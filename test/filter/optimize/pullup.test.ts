/**
 * Pass "pullup" alone, then in the optimizer: a re-test of a value already tested on every
 * incoming edge is moved up its conjunction (or disjunction) chain, so jump threading decides
 * it. The "rejects all packets" expectations are what tcpdump 4.99 / libpcap 1.10.3 print.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/filter/index.ts';
import { pullup } from '../../../src/filter/optimize/pullup.ts';
import { UserError } from '../../../src/errors.ts';
import { beforeAfter, disagreements } from '../helpers/equiv.ts';

const rejectsAll = (e: string): boolean => {
  try {
    compile(e, { linkType: 1, snaplen: 262144, optimize: true });
    return false;
  } catch (err) {
    if (err instanceof UserError && err.message === 'expression rejects all packets') return true;
    throw err;
  }
};

describe('pullup', () => {
  it('moves the `ip` test above `ether[0] = 1` in `(lat or pppoed) and ether[0] = 1 and ip`', () => {
    const { before, after } = beforeAfter('(lat or pppoed) and ether[0] = 1 and ip', pullup);
    const at = (p: typeof before, k: number) => p.findIndex((i) => i.code === 0x15 && i.k === k);
    expect(at(before, 0x800)).toBeGreaterThan(at(before, 1));
    expect(at(after, 0x800)).toBeLessThan(at(after, 1));
  });
  it('keeps verdicts', () => {
    for (const e of ['(lat or pppoed) and ether[0] = 1 and ip', '(lat and ether[0] = 1 or pppoed) and ip',
      '(ip or arp) and ether[0] = 1 and ether[1] = 2 and ip', 'not (ip and ether[0] = 1 and ip6)',
      '(tcp or udp) and ether[6] = 2 and (ip or ip6) and port 53', 'ip and (ether[0] = 1 or ether[1] = 2) and ip6']) {
      const { before, after } = beforeAfter(e, pullup);
      expect(disagreements(before, after), e).toEqual([]);
    }
  });
  it('lets the optimizer prove what libpcap proves, and no more', () => {
    // libpcap 1.10.3: "expression rejects all packets"
    for (const e of ['(lat or pppoed) and ether[0]=1 and ip', '(lat or pppoed) and ether[0]=1 and ether[1]=2 and ether[3]=3 and ip',
      '(lat and ether[0]=1 or pppoed) and ip', '(lat or pppoed) and (ether[0]=1 and ip or ether[1]=2 and ip6)',
      '(broadcast) && lat || pppoed and (ether src host ab:cd:ef:00:00:01 && ip multicast or src or dst portrange 22-6343)']) {
      expect(rejectsAll(e), e).toBe(true);
    }
    // libpcap 1.10.3 compiles these (a disjunction in the middle, or a path without a known type)
    for (const e of ['(lat or pppoed) and (ether[0]=1 or ether[1]=2) and ip', '(lat or pppoed or ether proto 1) and ether[0]=1 and ip']) {
      expect(rejectsAll(e), e).toBe(false);
    }
  });
});
