/**
 * Records tcpdump's timestamps for the crafted pcapng captures of test/capture/tsoffset-cases.ts
 * (if_tsoffset near ±2^62): for every case and -t flag, tcpdump -nn's stdout with TZ=UTC; and
 * the seconds and fraction fields of each record `tcpdump -w` writes. One JSON line each, in
 * test/golden/capture/pcapng-tsoffset.jsonl.
 *
 *   npx tsx test/tools/gen-tsoffset-golden.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TS_FLAGS, tsOffsetCapture, tsOffsetCases } from '../capture/tsoffset-cases.ts';
import { REPO_ROOT } from './golden-paths.ts';

/** The 8 timestamp bytes of each record of a little-endian pcap file, as hex. */
export function recordTimestamps(pcap: Uint8Array): string[] {
  const out: string[] = [];
  for (let p = 24; p + 16 <= pcap.length;) {
    out.push(Buffer.from(pcap.subarray(p, p + 8)).toString('hex'));
    const caplen = pcap[p + 8]! | (pcap[p + 9]! << 8) | (pcap[p + 10]! << 16) | (pcap[p + 11]! << 24);
    p += 16 + caplen;
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tmp = mkdtempSync(join(tmpdir(), 'tsdump-tsoffset-'));
  const lines: string[] = [];
  for (const c of tsOffsetCases()) {
    const file = join(tmp, 'in.pcapng');
    writeFileSync(file, tsOffsetCapture(c.offset, c.ticks));
    for (const flags of TS_FLAGS) {
      const r = spawnSync('tcpdump', ['-nn', ...flags, '-r', file], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
      if (r.error) throw r.error;
      lines.push(JSON.stringify({ case: c.name, flags, stdout: r.stdout }));
    }
    const w = join(tmp, 'out.pcap');
    const r = spawnSync('tcpdump', ['-r', file, '-w', w], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    lines.push(JSON.stringify({ case: c.name, w: recordTimestamps(readFileSync(w)) }));
  }
  rmSync(tmp, { recursive: true, force: true });
  writeFileSync(join(REPO_ROOT, 'test', 'golden', 'capture', 'pcapng-tsoffset.jsonl'), `${lines.join('\n')}\n`);
  console.log(`${lines.length} lines`);
}
