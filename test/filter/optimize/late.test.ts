/**
 * Pass "late-decisions" and the `late` tests it decides: what libpcap 1.10.3's optimizer only
 * simplifies in its second phase (after it stopped moving edges) keeps the tests before it.
 * The expected programs and errors are libpcap 1.10.3's (`tcpdump -d` / `tcpdump -r`, recorded in
 * filters/savefile: these rows differed before the pass existed).
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/filter/index.ts';
import { UserError } from '../../../src/errors.ts';
import { tableResolver } from '../../../src/filter/names.ts';
import { runCbpf } from '../helpers/vm.ts';

const build = (expr: string, linkType = 1) => compile(expr, { linkType, snaplen: 262144, optimize: true, netmask: 0, context: 'savefile', resolver: tableResolver({}) });
const rejectsAll = (expr: string, linkType = 1): boolean => {
  try { build(expr, linkType); return false; } catch (e) { if (e instanceof UserError) return e.code === 'FILTER_REJECTS_ALL'; throw e; }
};

describe('late-decisions', () => {
  it('a computed constant relation keeps the tests before it (their loads still reject a short packet)', () => {
    const p = build('host 10.0.0.1 or 6081 || (30 | 23) != 87');
    // libpcap: 18 instructions that test the hosts and port and all end in `ret #262144`.
    expect(p.some((i) => i.code === 0x20 && i.k === 26)).toBe(true); // ld [26]
    const ipv4 = new Uint8Array(60); ipv4[12] = 0x08; ipv4[14] = 0x45;
    expect(runCbpf(p, ipv4, 60)).toBe(262144);
    expect(runCbpf(p, ipv4.slice(0, 20), 60)).toBe(0); // the host load past the end rejects it
  });
  it('two numbers are compared at once, as libpcap\'s first phase does: `tcp and 1 = 0` rejects all', () => {
    expect(rejectsAll('tcp and 1 = 0')).toBe(true);
    expect(build('1 = 1')).toEqual([{ code: 6, jt: 0, jf: 0, k: 262144 }]);
  });
  it('an arithmetic relation is related only to the same relation, so contradictions through it stay (libpcap compiles them)', () => {
    // RAW: `ip6[6] = 6` then the IPv6 next-header test of `udp` never both hold; libpcap does not see it.
    expect(rejectsAll('ip6[6] = 6 and udp dst port 53', 101)).toBe(false);
    expect(rejectsAll('ip6 proto 6 and udp dst port 53', 101)).toBe(true);
    // The same relation twice is still decided once.
    const twice = build('ip[1:2] >= 5 and ip[1:2] >= 5');
    expect(twice.filter((i) => (i.code & 0x07) === 0x05 && (i.code & 0xf0) === 0x30).length).toBe(1);
  });
  it('the fragment test of `port` and a masked relation `ip[6:2] & 0x1fff = 0` are not merged', () => {
    // libpcap 1.10.3: 26 instructions, the ports loaded after the fragment test.
    const p = build('port 0 or ip[6:2] & 0x1fff = 0');
    expect(p.length).toBe(26);
    expect(p.filter((i) => i.code === 0x45 && i.k === 0x1fff).length).toBe(2);
  });
  it('reports a constant division by zero only where the optimized program keeps it', () => {
    // The modulus sits in a test `udp ... and igmp ...` never reaches; libpcap compiles this.
    const loop = 'src and dst host 227.0.0.141 and ((udp[18:4] % 6 & 209) > igmp[29:4] / 10 and ip src and dst host 10.1.1.27) or icmp[icmptype] != icmp-echoreply';
    expect(() => build(loop, 108)).not.toThrow();
    expect(() => build('ip[1] % (6 & 209) > 1')).toThrow(/modulus by zero/);
  });
  it('on 802.11 a computed constant relation keeps its stores into the scratch registers (libpcap: `(78 * 69) > 72` overwrites the header length with 72)', () => {
    const p = build('(78 * 69) > 72 and not wlan type 4', 127);
    const at = p.findIndex((i) => i.code === 0x00 && i.k === 72); // ld #72
    expect(at).toBeGreaterThan(0);
    expect(p[at + 1]!.code).toBe(0x02); // st M[r]
    // Two numbers are decided at once and store nothing.
    expect(build('72 > 7 and not wlan type 4', 127).some((i) => i.code === 0x00 && i.k === 72)).toBe(false);
  });
  it('without the optimizer a computed constant relation is code (libpcap runs it too)', () => {
    const p = compile('(30 | 23) != 87', { linkType: 1, snaplen: 262144, optimize: false, netmask: 0, resolver: tableResolver({}) });
    expect(p.some((i) => i.code === 0x00 && i.k === 31)).toBe(true); // ld #31
    expect(runCbpf(p, new Uint8Array(0), 0)).toBe(262144);
  });
});
