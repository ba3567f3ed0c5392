/**
 * Property: tsdump's optimizer preserves meaning. For seeded random expressions (the grammar of
 * test/tools/filter-expr-gen.ts, constants sampled from the committed golden packets), the
 * optimized and unoptimized programs must return the same value on every golden packet; when
 * the optimized compile says "expression rejects all packets", the unoptimized program must
 * indeed return 0 everywhere; and apart from that the two compiles succeed or fail together.
 *
 * The packets are the committed generated ones zero-padded to 2048 bytes: a cBPF load past the
 * end of the packet makes the program return 0, and libpcap's optimizer (which tsdump follows)
 * legitimately deletes loads whose value is dead (`ld [12]; and #0`), so on truncated packets the
 * two programs may differ by design — libpcap 1.10.3 itself does on e.g. `link[0:4] & 0 == 0`
 * (filters/README.md). With every load in bounds, any difference is a real optimizer bug.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { compile } from '../../src/filter/index.ts';
import { createInterpreter } from '../../src/cbpf/index.ts';
import { formatD } from '../../src/isa/cbpf/index.ts';
import { Rng } from '../tools/packet-gen.ts';
import { buildPool, ExprGen, type GenFlavor } from '../tools/filter-expr-gen.ts';
import { readCaptureFile } from '../tools/verdicts.ts';
import { tryCompile } from '../tools/golden-compare.ts';
import { REPO_ROOT } from '../tools/golden-paths.ts';
import { join } from 'node:path';

interface Setup {
  dlt: string;
  linkType: number;
  flavor: GenFlavor;
  ip: (f: Uint8Array) => number;
  mac: number | null;
}
const SETUPS: Setup[] = [
  { dlt: 'EN10MB', linkType: 1, flavor: 'ether', ip: (f) => (f[12] === 8 && f[13] === 0) || (f[12] === 0x86 && f[13] === 0xdd) ? 14 : -1, mac: 0 },
  { dlt: 'RAW', linkType: 101, flavor: 'ip-only', ip: () => 0, mac: null },
];

for (const s of SETUPS) {
  describe(`optimizer preserves verdicts (${s.dlt})`, () => {
    const PAD = 2048;
    const packets = readCaptureFile(join(REPO_ROOT, 'filters', 'verdicts', 'packets', `${s.dlt}.pcap`), 400).map((p) => {
      const data = new Uint8Array(Math.max(PAD, p.caplen));
      data.set(p.data);
      return { data, caplen: data.length, wirelen: data.length };
    });
    const pool = buildPool(packets.map((p) => p.data), s.ip, s.mac, new Rng(99));
    it('optimized and unoptimized programs agree on every packet', () => {
      let compared = 0;
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
          const expr = new ExprGen(new Rng(seed), pool, s.flavor).expr();
          const opt = tryCompile(() => compile(expr, { linkType: s.linkType, snaplen: 262144, optimize: true, netmask: 0 }));
          const unopt = tryCompile(() => compile(expr, { linkType: s.linkType, snaplen: 262144, optimize: false, netmask: 0 }));
          if (!unopt.ok) {
            expect(unopt.userError, `${expr}: unoptimized compile crashed: ${unopt.message}`).toBe(true);
            expect(opt.ok, `${expr}: unoptimized rejects (${unopt.message}) but optimized compiles`).toBe(false);
            return;
          }
          const slow = createInterpreter(unopt.prog);
          if (!opt.ok) {
            expect(opt.code, `${expr}: only the optimized compile fails: ${opt.message}`).toBe('FILTER_REJECTS_ALL');
            for (const p of packets) expect(slow(p.data, p.caplen, p.wirelen), `${expr}: optimizer says it rejects all packets`).toBe(0);
            return;
          }
          const fast = createInterpreter(opt.prog);
          compared++;
          packets.forEach((p, i) => {
            const a = fast(p.data, p.caplen, p.wirelen) >>> 0, b = slow(p.data, p.caplen, p.wirelen) >>> 0;
            if (a !== b) expect.fail(`${expr}: packet #${i}: optimized ${a}, unoptimized ${b}\noptimized:\n${formatD(opt.prog)}unoptimized:\n${formatD(unopt.prog)}`);
          });
        }),
        { numRuns: 150, seed: 4242 },
      );
      console.log(`filter-optimizer ${s.dlt}: ${compared} expressions compared on ${packets.length} packets`);
      expect(compared).toBeGreaterThan(50);
    });
  });
}
