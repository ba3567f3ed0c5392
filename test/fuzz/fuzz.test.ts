/**
 * A short, fixed slice of every fuzz campaign (test/fuzz/campaigns.ts) in CI: the same seed and
 * input counts each run, so the slice is reproducible; `npm run fuzz` runs the long campaigns.
 * Every outcome must be accepted or a UserError: no crash, no canary overwritten, no engine
 * disagreeing with the interpreter.
 */
import { describe, expect, it } from 'vitest';
import { CAMPAIGNS, formatReport } from './campaigns.ts';

const SLICE: Record<string, number> = { filters: 6, captures: 400, ebpf: 25, 'xdp-adversarial': 150, elf: 60 };

describe('fuzz campaigns, CI slice (seed 7)', () => {
  it.each(Object.entries(SLICE))('%s', (name, max) => {
    const r = CAMPAIGNS[name]!({ seed: 7, max });
    const report = formatReport([r], `npm run fuzz -- --campaign ${name} --seed 7 --max ${max}`);
    expect(r.inputs, report).toBeGreaterThan(0);
    expect(r.crashes + r.escapes + r.mismatches, report).toBe(0);
    // Something must get through, or the campaign tests nothing.
    expect(r.accepted, report).toBeGreaterThan(0);
  }, 300_000);
});
