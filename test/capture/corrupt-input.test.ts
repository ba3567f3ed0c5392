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
import { createHash } from 'node:crypto';
import { memorySink, openCaptureBytes, PcapWriter, rewriteCapture } from '../../src/capture/index.ts';
import { UserError } from '../../src/errors.ts';
import { savefileLinkType } from '../../src/capture/pcap/writer.ts';
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

/**
 * Reader/writer differences with tcpdump found in issue 12, against committed tcpdump output
 * (test/golden/capture/tcpdump-differences, made by test/tools/gen-tcpdump-differences.ts):
 * a pcapng whose first block's trailing length disagrees is read to the end; a pcap link-type
 * field holding a DLT number (11, 12, 15, 16) is written back as its LINKTYPE (100–103); a
 * modified-magic header adds 14 to the snapshot length on Ethernet only. Both ways of
 * writing must give tcpdump's bytes: the library's rewriteCapture, and a PcapWriter given the
 * input's raw link-type field through savefileLinkType (what a `-w` copying the field must do).
 */
describe('tcpdump -r IN -w OUT on the issue-12 differences', () => {
  const dir = join(goldenDir, 'tcpdump-differences');
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, { sha256: string; packets: number }>;
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  it.each(Object.entries(expected))('%s', (name, want) => {
    const path = join(dir, name);
    const lib = memorySink();
    const res = rewriteCapture(path, lib);
    expect(res.error).toBeNull();
    expect(res.packets).toBe(want.packets);
    expect(sha(lib.bytes())).toBe(want.sha256);
    const r = openCaptureBytes(new Uint8Array(readFileSync(path)), { libpcapCompat: true });
    const cli = memorySink();
    const w = new PcapWriter(cli, { linkType: savefileLinkType(r.info.rawLinkTypeField), snaplen: r.info.snaplen, precision: 'micro' });
    for (let p = r.next(); p !== null; p = r.next()) w.writePacket(p);
    w.flush();
    expect(sha(cli.bytes())).toBe(want.sha256);
  });
});
