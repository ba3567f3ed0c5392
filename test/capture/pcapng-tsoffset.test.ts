/**
 * pcapng if_tsoffset near ±2^62 (issue 12): the seconds are kept exact from the reader
 * (PacketRecord.tsSecBig beside the rounded double) to the printer and the writers, so on the
 * crafted captures of tsoffset-cases.ts every -t format prints what tcpdump printed and
 * `-w` writes the timestamp fields tcpdump wrote (golden recorded by
 * test/tools/gen-tsoffset-golden.ts). Runs on the record path and on the block path.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCaptureBytes } from '../../src/capture/open.ts';
import { TimestampFormatter } from '../../src/print/timestamp.ts';
import { runInProcess } from '../cli/golden-helpers.ts';
import { REPO_ROOT } from '../tools/golden-paths.ts';
import { recordTimestamps } from '../tools/gen-tsoffset-golden.ts';
import { tsOffsetCapture, tsOffsetCases } from './tsoffset-cases.ts';

type Row = { case: string; flags?: string[]; stdout?: string; w?: string[] };
const golden: Row[] = readFileSync(join(REPO_ROOT, 'test', 'golden', 'capture', 'pcapng-tsoffset.jsonl'), 'utf8')
  .split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Row);
const tmp = mkdtempSync(join(tmpdir(), 'tsdump-tsoffset-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pcapng if_tsoffset: timestamps as tcpdump prints and writes them', () => {
  for (const c of tsOffsetCases()) {
    it(c.name, async () => {
      const file = join(tmp, 'in.pcapng');
      writeFileSync(file, tsOffsetCapture(c.offset, c.ticks));
      const rows = golden.filter((r) => r.case === c.name);
      expect(rows.length).toBeGreaterThan(1);
      for (const r of rows) {
        if (r.flags) {
          for (const batch of ['1', '0']) {
            process.env.TSDUMP_BATCH = batch;
            const res = await runInProcess(['-nn', ...r.flags, '-r', file], 'UTC');
            expect(res.stdout, `${r.flags.join(' ')} (TSDUMP_BATCH=${batch})`).toBe(r.stdout);
          }
          delete process.env.TSDUMP_BATCH;
        } else {
          const out = join(tmp, 'out.pcap');
          const res = await runInProcess(['-r', file, '-w', out]);
          expect(res.exit).toBe(0);
          expect(recordTimestamps(readFileSync(out))).toEqual(r.w);
        }
      }
    });
  }
  it('the reader keeps the exact seconds beside the double', () => {
    const reader = openCaptureBytes(tsOffsetCapture((1n << 62n) - 1n, [1_700_000_000_123_456n, 5n]));
    const a = reader.next()!;
    expect(a.tsSecBig).toBe((1n << 62n) - 1n + 1_700_000_000n);
    expect(a.tsNsec).toBe(123_456_000);
    const b = reader.next()!;
    expect(b.tsSecBig).toBe((1n << 62n) - 1n);
    const plain = openCaptureBytes(tsOffsetCapture(1_000_000_000n, [1_700_000_000_123_456n])).next()!;
    expect(plain.tsSec).toBe(2_700_000_000);
    expect(plain.tsSecBig).toBeUndefined();
  });
  it('the delta formats work from the exact difference', () => {
    const f = new TimestampFormatter(3, 'micro');
    const base = (1n << 62n) + 10n;
    f.format(Number(base), 0, base);
    // one second later: the doubles are equal (2^62 + 10 and 2^62 + 11 round alike), the text is not
    expect(f.format(Number(base + 1n), 500_000_000, base + 1n)).toBe(' 00:00:01.500000 ');
  });
});
