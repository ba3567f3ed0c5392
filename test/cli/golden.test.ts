/**
 * The printers against tcpdump 4.99.3: every capture and flag set recorded by
 * test/tools/gen-cli-golden.mjs is run through the command in-process. For each packet the
 * printer marks 'exact', the whole text (timestamp, summary, dumps) must equal tcpdump's; for
 * 'prefix' (TCP followed by application data tcpdump may decode) tcpdump's text must start with
 * our first line and end with our dump lines; for 'approx' we only require a line.
 * The number of packets compared exactly is checked against a floor per flag set, so a
 * printer change that quietly stops comparing lines fails here.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { corpusAvailable, corpusCaptures, goldenDir, packetStart, readGolden, runInProcess, splitPackets } from './golden-helpers.ts';

/**
 * Packets compared exactly / by prefix per set (measured; raise when the printers improve). A
 * prefix floor can fall when a decoder turns prefix lines into exact ones (BGP, HTTP, …).
 */
const FLOORS: Record<string, { exact: number; prefix: number }> = {
  q: { exact: 1626, prefix: 0 },
  'q-e': { exact: 1442, prefix: 0 },
  default: { exact: 1124, prefix: 95 },
  'default-e': { exact: 213, prefix: 17 },
  'default-S': { exact: 204, prefix: 2 },
  'q-number': { exact: 64, prefix: 0 },
  'q-tttt-kolkata': { exact: 64, prefix: 0 },
  'q-newyork': { exact: 57, prefix: 0 },
  'q-tt-nano': { exact: 57, prefix: 0 },
  'q-ttt': { exact: 64, prefix: 0 },
  'q-ttttt-nano': { exact: 57, prefix: 0 },
  x: { exact: 129, prefix: 8 },
  'q-xx': { exact: 63, prefix: 0 },
  'q-XX': { exact: 114, prefix: 0 },
  'q-X': { exact: 63, prefix: 0 },
  'q-A': { exact: 220, prefix: 0 },
};

/**
 * True when no record needs libpcap's normalisations, which the plain pcap-parser package does
 * not make: caplen above the snaplen (clamped), seconds from 2038 on (signed), fractions of a
 * second out of range.
 */
function plainCapture(path: string): boolean {
  // Walk the raw record headers (µs pcap, either byte order).
  const b = readFileSync(path);
  const le = b.readUInt32LE(0) === 0xa1b2c3d4;
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const snaplen = u32(16);
  for (let o = 24; o + 16 <= b.length; o += 16 + u32(o + 8)) {
    if (u32(o) > 0x7fffffff || u32(o + 4) >= 1_000_000 || u32(o + 8) > snaplen) return false;
  }
  return true;
}

/** µs pcap captures on which the two readers are cross-checked (measured). */
const PCAP_PARSER_FLOOR = 409;

const haveCorpus = corpusAvailable();

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}
function rest(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? '' : s.slice(i);
}

describe.skipIf(!haveCorpus)('CLI output equals tcpdump 4.99.3 (golden)', () => {
  for (const set of Object.keys(FLOORS)) {
    it(`flag set ${set}`, async () => {
      const records = readGolden(set);
      const floor = FLOORS[set]!;
      let exact = 0;
      let prefix = 0;
      let approx = 0;
      const failures: string[] = [];
      for (const rec of records) {
        const path = join(corpusCaptures, rec.file);
        const ours = await runInProcess([...rec.args, '-r', path], rec.tz);
        const where = `${set} ${rec.file}`;
        if (ours.exit !== rec.exit) failures.push(`${where}: exit ${ours.exit}, tcpdump ${rec.exit}\n  ours: ${ours.stderr.trim()}\n  tcpdump: ${rec.stderr.trim()}`);
        // The banner names the file as given; tcpdump ran inside the corpus folder.
        const banner = firstLine(ours.stderr).replace(path, rec.file);
        if (rec.stderr.startsWith('reading from file') && banner !== firstLine(rec.stderr)) {
          failures.push(`${where}: banner\n  ours:    ${banner}\n  tcpdump: ${firstLine(rec.stderr)}`);
        }
        const theirs = splitPackets(rec.stdout, packetStart(rec.args));
        if (theirs.length !== ours.packets.length) {
          failures.push(`${where}: ${ours.packets.length} packets printed, tcpdump ${theirs.length}`);
          continue;
        }
        ours.packets.forEach((p, i) => {
          const t = theirs[i]!;
          expect(p.text.length).toBeGreaterThan(0);
          if (p.fidelity === 'exact') {
            exact++;
            if (p.text !== t) failures.push(`${where} #${i + 1} (exact)\n  ours:    ${JSON.stringify(p.text)}\n  tcpdump: ${JSON.stringify(t)}`);
          } else if (p.fidelity === 'prefix') {
            prefix++;
            // tcpdump may append decoded application data (possibly on more lines) after our
            // first line; any dump we printed must still end tcpdump's text.
            // (When tcpdump's decoder runs out of captured bytes it marks "[|proto]" and dumps
            // from byte 0 instead, so the dump is only compared when it did not.)
            if (!t.startsWith(firstLine(p.text)) || (!t.endsWith(rest(p.text)) && !t.includes(' [|'))) {
              failures.push(`${where} #${i + 1} (prefix)\n  ours:    ${JSON.stringify(p.text)}\n  tcpdump: ${JSON.stringify(t)}`);
            }
          } else approx++;
        });
      }
      console.log(`${set}: ${exact} exact, ${prefix} prefix, ${approx} approximate packets; ${failures.length} failures`);
      expect(failures.slice(0, Number(process.env.SHOW_FAILURES ?? 15)).join('\n')).toBe('');
      expect(exact).toBeGreaterThanOrEqual(floor.exact);
      // A line that becomes exact was a prefix line: the two floors are kept together.
      expect(exact + prefix).toBeGreaterThanOrEqual(floor.exact + floor.prefix);
    });
  }

  it('--reader pcap-parser prints the same as our reader on every intact µs pcap', async () => {
    let compared = 0;
    const failures: string[] = [];
    for (const rec of readGolden('q')) {
      const path = join(corpusCaptures, rec.file);
      const head = readFileSync(path).subarray(0, 4);
      const magic = head.readUInt32LE(0);
      if (magic !== 0xa1b2c3d4 && magic !== 0xd4c3b2a1) continue; // pcap-parser: µs pcap only
      if (!plainCapture(path)) continue;
      const ours = await runInProcess([...rec.args, '-r', path], rec.tz);
      if (ours.exit !== 0) continue; // pcap-parser ends silently on a truncated file
      const theirs = await runInProcess([...rec.args, '--reader', 'pcap-parser', '-r', path], rec.tz);
      compared++;
      if (theirs.stdout !== ours.stdout || theirs.exit !== 0) failures.push(`${rec.file}: outputs differ (exit ${theirs.exit}: ${theirs.stderr.trim()})`);
    }
    expect(failures.slice(0, 15).join('\n')).toBe('');
    console.log(`pcap-parser cross-check: ${compared} captures compared`);
    expect(compared).toBeGreaterThanOrEqual(PCAP_PARSER_FLOOR);
  });

  it('-d/-dd/-ddd (with -O, -y, -s, -r) print what tcpdump prints', async () => {
    const lines = readFileSync(join(goldenDir, 'compile.jsonl'), 'latin1').split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThanOrEqual(10);
    for (const line of lines) {
      const rec = JSON.parse(line) as { args: string[]; exit: number; stdout: string; stderr: string };
      const args = rec.args.map((a, i) => (rec.args[i - 1] === '-r' ? join(corpusCaptures, a) : a));
      const ours = await runInProcess(args);
      const stderr = ours.stderr.replace(/reading from file \S+\//, 'reading from file ');
      expect({ args: rec.args, exit: ours.exit, stdout: ours.stdout, stderr }).toEqual({ args: rec.args, exit: rec.exit, stdout: rec.stdout, stderr: rec.stderr });
    }
  });

  it('-w writes the same bytes as tcpdump -w (filters, -c, --skip, nano, pcapng input)', async () => {
    const lines = readFileSync(join(goldenDir, 'write.jsonl'), 'latin1').split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThanOrEqual(7);
    const dir = mkdtempSync(join(tmpdir(), 'tsdump-w-'));
    for (const line of lines) {
      const rec = JSON.parse(line) as { args: string[]; bytes: number; sha256: string };
      const out = join(dir, 'out.pcap');
      const args = rec.args.map((a, i) => (rec.args[i - 1] === '-r' ? join(corpusCaptures, a) : a));
      const r = await runInProcess([...args, '-w', out]);
      expect(r.exit).toBe(0);
      const bytes = readFileSync(out);
      expect({ args: rec.args, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual(rec);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('--count prints "N packets" like tcpdump, with the same exit code', async () => {
    const failures: string[] = [];
    for (const rec of readGolden('count')) {
      const ours = await runInProcess([...rec.args, '-r', join(corpusCaptures, rec.file)], rec.tz);
      if (ours.stdout !== rec.stdout || ours.exit !== rec.exit) {
        failures.push(`${rec.file}: ours ${JSON.stringify(ours.stdout)} exit ${ours.exit} (${ours.stderr.trim()}), tcpdump ${JSON.stringify(rec.stdout)} exit ${rec.exit} (${rec.stderr.trim()})`);
      }
    }
    expect(failures.slice(0, Number(process.env.SHOW_FAILURES ?? 15)).join('\n')).toBe('');
  });
});
