/**
 * Differential test against libpcap 1.10.3's bpf_filter on 20,000 seeded random valid programs
 * and packets (test/cbpf/random-programs.ts; libpcap's answers committed in
 * test/golden/cbpf/libpcap-random.json by test/tools/gen-cbpf-golden.ts --only random).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createInterpreter } from '../../src/cbpf/interpret.ts';
import { formatDDDLine } from '../../src/isa/cbpf/format.ts';
import { goldenDir } from './corpus-path.ts';
import { digestOf, randomCases } from './random-programs.ts';

const golden = JSON.parse(readFileSync(join(goldenDir, 'libpcap-random.json'), 'utf8')) as {
  seed: number; count: number; digest: string; results: number[];
};

describe('interpreter vs libpcap bpf_filter on random programs', () => {
  const cases = randomCases(golden.seed, golden.count);

  it('the generator still produces the inputs the golden was made from', () => {
    expect(digestOf(cases)).toBe(golden.digest);
    expect(golden.results.length).toBe(golden.count);
  });

  it('agrees with libpcap on every case', () => {
    const bad: string[] = [];
    cases.forEach((c, i) => {
      const r = createInterpreter(c.prog)(c.packet, c.packet.length, c.wirelen);
      if (r !== golden.results[i] && bad.length < 5) {
        bad.push(`#${i} ${formatDDDLine(c.prog)} pkt=${Buffer.from(c.packet).toString('hex')} wirelen=${c.wirelen}: ours ${r}, libpcap ${golden.results[i]}`);
      }
    });
    expect(bad).toEqual([]);
  });

  it('exercises accepting and rejecting paths', () => {
    const accepted = golden.results.filter((r) => r !== 0).length;
    expect(accepted).toBeGreaterThan(golden.count / 10);
    expect(golden.count - accepted).toBeGreaterThan(golden.count / 10);
  });
});
