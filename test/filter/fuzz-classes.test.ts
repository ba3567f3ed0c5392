/**
 * The classes of difference the filters-libpcap fuzz campaign found (npm run fuzz -- --campaign
 * filters-libpcap), pinned with libpcap 1.10.3's recorded answers (test/tools/
 * gen-filter-fuzz-classes.ts): per expression, optimized and not, the same error or the same
 * verdict on every packet of a generated capture with Geneve, MPLS and plain traffic.
 * Passes without libpcap; the data are regenerated with the script above.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/filter/index.ts';
import { createInterpreter } from '../../src/cbpf/interpret.ts';
import { openCaptureBytes } from '../../src/capture/index.ts';
import { UserError } from '../../src/errors.ts';
import { encodeRle } from '../tools/verdicts.ts';
import type { FuzzClassRow } from '../tools/gen-filter-fuzz-classes.ts';

const data = join(dirname(fileURLToPath(import.meta.url)), 'data');
const rows = JSON.parse(readFileSync(join(data, 'fuzz-classes.json'), 'utf8')) as FuzzClassRow[];
const packets: { data: Uint8Array; caplen: number; wirelen: number }[] = [];
const reader = openCaptureBytes(new Uint8Array(readFileSync(join(data, 'fuzz-classes.pcap'))));
for (let r = reader.next(); r !== null; r = reader.next()) packets.push({ data: r.data.slice(), caplen: r.caplen, wirelen: r.wirelen });

function ours(expr: string, optimize: boolean): FuzzClassRow['libpcap'] {
  try {
    const run = createInterpreter(compile(expr, { linkType: 1, snaplen: 262144, optimize, netmask: 0xffffffff }));
    return { ok: true, rle: encodeRle(packets.map((p) => run(p.data, p.caplen, p.wirelen))) };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return { ok: false, error: e.message };
  }
}

describe('filters-libpcap fuzz classes (libpcap 1.10.3, recorded)', () => {
  it('the capture has Geneve and MPLS packets for the verdicts to depend on', () => {
    expect(packets.length).toBe(574);
    const udpDst = (p: Uint8Array): number => (p.length > 37 && p[12] === 8 && p[13] === 0 && p[23] === 17 ? (p[36]! << 8) | p[37]! : -1);
    expect(packets.filter((p) => udpDst(p.data) === 6081).length).toBeGreaterThan(5);
    expect(packets.filter((p) => p.data[12] === 0x88 && p.data[13] === 0x47).length).toBeGreaterThan(5);
  });
  for (const cls of [...new Set(rows.map((r) => r.class))]) {
    it(cls, () => {
      const mine = rows.filter((r) => r.class === cls);
      expect(mine.length).toBeGreaterThan(0);
      // Each class has accepted and refused expressions, or verdicts that are not all equal.
      // (libpcap's parser says only "syntax error"; ours names the token: there the refusal is compared.)
      for (const r of mine) {
        const got = ours(r.expr, r.optimize);
        const what = `${r.optimize ? '' : '-O '}${r.expr}`;
        if (!r.libpcap.ok && r.libpcap.error.startsWith("can't parse filter expression")) expect(got.ok, what).toBe(false);
        else expect(got, what).toEqual(r.libpcap);
      }
    });
  }
});
