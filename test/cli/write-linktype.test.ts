/**
 * `tsdump -r IN -w OUT` gives tcpdump's bytes on the reader/writer differences of issue 12
 * (test/golden/capture/tcpdump-differences, recorded from `tcpdump -r IN -w OUT` by
 * test/tools/gen-tcpdump-differences.ts): a pcap whose link-type field holds a DLT number
 * (11, 12, 15, 16) is written with its LINKTYPE (100–103), a modified-magic header's snapshot
 * length, and a pcapng whose first block's trailing length disagrees. This runs the command
 * itself, on the default engine and on the reference cBPF interpreter.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runInProcess } from './golden-helpers.ts';

const dir = join(repoRoot, 'test', 'golden', 'capture', 'tcpdump-differences');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, { sha256: string; packets: number }>;
const out = mkdtempSync(join(tmpdir(), 'tsdump-wlt-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('tsdump -r IN -w OUT equals tcpdump -w on the issue-12 differences', () => {
  for (const engine of ['auto', 'cbpf']) {
    it.each(Object.entries(expected))(`%s (--engine ${engine})`, async (name, want) => {
      const file = join(out, `${engine}-${name}.pcap`);
      const r = await runInProcess(['-r', join(dir, name), '-w', file, '--engine', engine]);
      expect(r.stderr).not.toMatch(/tsdump:/);
      expect(r.exit).toBe(0);
      expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(want.sha256);
    });
  }
});
