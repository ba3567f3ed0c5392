/**
 * Regenerates test/golden/capture/tcpdump-differences/: small captures built here, one per
 * reader/writer difference with tcpdump that issue 12 found (a pcapng whose first block's
 * trailing length disagrees, pcap link-type fields holding a DLT number 11/12/15/16, modified-
 * magic headers on Ethernet and on raw IP), and expected.json with what `tcpdump -nn -r IN -w
 * OUT` wrote (sha256 of OUT) and how many packets `tcpdump -nn -r IN --count` counted. The test in
 * test/capture/corrupt-input.test.ts builds nothing: it reads these committed files.
 *
 *   npx tsx test/tools/gen-tcpdump-differences.ts     # needs tcpdump 4.99.3 on PATH
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const out = join(root, 'test/golden/capture/tcpdump-differences');

function pcap(magic: number, linkType: number, snaplen: number, extra: number): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(magic, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6);
  h.writeUInt32LE(snaplen, 16); h.writeUInt32LE(linkType, 20);
  const recs: Buffer[] = [];
  for (let i = 0; i < 3; i++) {
    const data = Buffer.from(Array.from({ length: 40 + i }, (_, k) => (k * 7 + i) & 255));
    data[0] = 0x45; // an IPv4 header start for the raw-IP readers
    const r = Buffer.alloc(16 + extra);
    r.writeUInt32LE(1_700_000_000 + i, 0); r.writeUInt32LE(1000 * i, 4);
    r.writeUInt32LE(data.length, 8); r.writeUInt32LE(data.length, 12);
    recs.push(r, data);
  }
  return Buffer.concat([h, ...recs]);
}

const inputs: Record<string, Buffer> = {};
for (const lt of [11, 12, 15, 16]) inputs[`dlt-${lt}-in-linktype-field.pcap`] = pcap(0xa1b2c3d4, lt, 65535, 0);
inputs['modified-magic-ethernet.pcap'] = pcap(0xa1b2cd34, 1, 1000, 8);
inputs['modified-magic-raw.pcap'] = pcap(0xa1b2cd34, 101, 1000, 8);
{
  // The sample pcapng with its first block's (the SHB's) trailing length off by 4.
  const b = Buffer.from(readFileSync(join(root, 'captures/http.pcapng')));
  const len = b.readUInt32LE(4);
  b.writeUInt32LE(len + 4, len - 4);
  inputs['first-block-trailer-mismatch.pcapng'] = b;
}

mkdirSync(out, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), 'tsdump-differences-'));
const expected: Record<string, { sha256: string; packets: number }> = {};
try {
  for (const [name, bytes] of Object.entries(inputs)) {
    const input = join(out, name);
    writeFileSync(input, bytes);
    const o = join(tmp, `${name}.out`);
    execFileSync('tcpdump', ['-nn', '-r', input, '-w', o], { stdio: ['ignore', 'ignore', 'ignore'] });
    const printed = Number(/(\d+) packets?/.exec(execFileSync('tcpdump', ['-nn', '-r', input, '--count'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString())![1]);
    expected[name] = { sha256: createHash('sha256').update(readFileSync(o)).digest('hex'), packets: printed };
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
writeFileSync(join(out, 'expected.json'), `${JSON.stringify(expected, null, 1)}\n`);
console.log(`wrote ${Object.keys(expected).length} cases to ${out}`);
