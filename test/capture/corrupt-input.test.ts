/**
 * Corrupt input never crashes a reader: byte flips, overwritten length fields and truncations
 * of the sample and synthetic captures (fast-check, fixed seed) must end in records and/or a
 * UserError — never another exception, never an endless loop, never a record whose bytes lie
 * outside what the file holds.
 */
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCaptureBytes } from '../../src/capture/index.ts';
import { UserError } from '../../src/errors.ts';
import { goldenDir, repoRoot } from './corpus.ts';

const seeds: Uint8Array[] = [
  ...['http.pcap', 'http.pcapng'].map((f) => readFileSync(join(repoRoot, 'captures', f))),
  ...readdirSync(join(goldenDir, 'synthetic'))
    .sort()
    .map((f) => readFileSync(join(goldenDir, 'synthetic', f))),
].map((b) => new Uint8Array(b));

/** Reads everything; returns the number of records, or throws if something other than a UserError escapes. */
function drain(bytes: Uint8Array): number {
  let r;
  try {
    r = openCaptureBytes(bytes);
  } catch (e) {
    if (e instanceof UserError) return -1;
    throw e;
  }
  let n = 0;
  for (let p = r.next(); p; p = r.next()) {
    expect(p.caplen).toBeLessThanOrEqual(bytes.length);
    expect(p.data.length).toBe(p.caplen);
    if (++n > bytes.length) throw new Error('more records than bytes: endless loop?');
  }
  if (r.error !== null) expect(r.error).toBeInstanceOf(UserError);
  return n;
}

describe('corrupt captures', () => {
  it('byte flips and truncations end in records and/or a UserError', () => {
    const mutation = fc.record({
      seed: fc.integer({ min: 0, max: seeds.length - 1 }),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      // Overwrite a 32-bit field (a length, often) with an extreme value.
      field: fc.option(fc.tuple(fc.nat(), fc.constantFrom(0, 1, 11, 0x7fffffff, 0xffffffff, 0x10000, 28)), { nil: undefined }),
      cut: fc.option(fc.nat(), { nil: undefined }),
    });
    fc.assert(
      fc.property(mutation, ({ seed, flips, field, cut }) => {
        const b = seeds[seed]!.slice();
        for (const [at, v] of flips) b[at % b.length] = v;
        if (field) new DataView(b.buffer).setUint32(Math.min(field[0] % b.length, b.length - 4) & ~3, field[1] >>> 0, true);
        drain(cut === undefined ? b : b.subarray(0, cut % (b.length + 1)));
      }),
      { seed: 424242, numRuns: 1500 },
    );
  });
});
