/**
 * Code size against libpcap 1.10.3 on the corpus (test/tools/filter-size-report.ts prints the
 * full report and the scale figures): our optimized program is no longer than libpcap's on at
 * least 95% of the rows both compile, and the total is below libpcap's.
 */
import { describe, expect, it } from 'vitest';
import { measureSizes } from '../tools/filter-size-report.ts';

describe('optimized program size vs libpcap 1.10.3', () => {
  it('≤ libpcap on at least 95% of corpus rows, total below libpcap', () => {
    const r = measureSizes();
    console.log(`size: ${r.rows} rows, ours ≤ libpcap on ${r.le} (${((100 * r.le) / r.rows).toFixed(1)}%), total ${r.ours} vs ${r.theirs}`);
    expect(r.rows).toBeGreaterThan(1000);
    expect(r.le / r.rows).toBeGreaterThanOrEqual(0.95);
    expect(r.ours).toBeLessThan(r.theirs);
  });
});
