/**
 * Print parity with tcpdump 4.99.3 (test/tools/print-parity.ts records the goldens and reports):
 * for each mode (-nn, -nn -q, -nn -e, -nn -v, -nn -vv, default with names from committed files),
 * the share of packets tsdump prints byte-identically to tcpdump must stay at or above the
 * recorded floor, and every packet recorded as identical must still be identical — so a printer
 * change can raise the figures but never quietly break a line that was right.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CAPTURES, MODES, compareMode, decodeRanges, percent, readMarks, readParityGolden } from '../tools/print-parity.lib.ts';

function capturesAvailable(): boolean {
  if (existsSync(join(CAPTURES, '_captures.tsv'))) return true;
  const msg = `corpus captures not found at ${CAPTURES}`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI=true forbids skipping`);
  console.warn(`SKIP: ${msg}`);
  return false;
}

const marks = readMarks();

describe.skipIf(!capturesAvailable())('printed text equals tcpdump 4.99.3 (parity goldens)', () => {
  for (const mode of Object.keys(MODES)) {
    it(`mode ${mode} (${MODES[mode]!.join(' ') || 'default, with names'})`, async () => {
      const records = readParityGolden(mode);
      expect(records.length).toBeGreaterThan(100);
      const mark = marks[mode];
      expect(mark, `no floor recorded for ${mode}; run test/tools/print-parity.ts --update-marks`).toBeDefined();
      const r = await compareMode(mode, records, false);
      const broken: string[] = [];
      for (const f of r.files) {
        const was = decodeRanges(mark!.identical[f.file] ?? '');
        for (const i of was) {
          if (f.ours[i] !== f.theirs[i]) broken.push(`${f.file} #${i + 1}\n  tcpdump: ${JSON.stringify(f.theirs[i])}\n  tsdump:  ${JSON.stringify(f.ours[i] ?? null)}`);
        }
      }
      console.log(`${mode}: ${percent(r).toFixed(1)}% identical (${r.identical}/${r.packets}), floor ${mark!.percent}%`);
      expect(broken.slice(0, 10).join('\n')).toBe('');
      expect(percent(r)).toBeGreaterThanOrEqual(mark!.percent);
    }, 120_000);
  }
});
