/**
 * The command line against tcpdump on every capture of the reference corpus (tcpdump's and libpcap's): `tsdump -r F -w OUT`
 * must write the bytes `tcpdump -r F -w OUT` wrote (or fail where tcpdump failed, after writing
 * the same packets), and `tsdump -r F --count` must print what tcpdump printed, with the same
 * exit status. The expectations are the capture golden data (test/golden/capture/
 * tcpdump-rewrite.tsv, generated from the local tcpdump by test/tools/gen-capture-golden.mjs);
 * this test drives the real command (in process), not the library underneath it.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusDir, goldenDir, haveCorpus, parseGolden } from '../capture/corpus.ts';
import { runInProcess } from './golden-helpers.ts';

const rows = parseGolden(readFileSync(join(goldenDir, 'tcpdump-rewrite.tsv'), 'utf8')).filter((r) => r.set === 'tcpdump-captures' || r.set === 'libpcap-captures');
const pathOf = (r: { set: string; file: string }) => join(corpusDir, r.set === 'tcpdump-captures' ? 'tcpdump-captures' : 'libpcap/captures', r.file);
const tmp = mkdtempSync(join(tmpdir(), 'tsdump-cli-rewrite-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** tcpdump's error lines, without the program name and the "pcap_loop: " prefix. */
const errors = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => /^(tcpdump|tsdump): /.test(l))
    .map((l) => l.replace(/^(tcpdump|tsdump): (pcap_loop: )?/, '').replace(/ \(at byte offset \d+\)$/, ''));

describe.skipIf(!haveCorpus('CLI corpus rewrite test'))('tsdump -r F -w OUT / --count = tcpdump on every corpus capture', () => {
  it('covers all 830 tcpdump corpus captures and the libpcap ones', () => {
    expect(rows.filter((r) => r.set === 'tcpdump-captures').length).toBe(830);
    expect(rows.filter((r) => r.set === 'libpcap-captures').length).toBeGreaterThan(40);
  });

  it('-w: byte-identical output, same exit status and error', async () => {
    const bad: string[] = [];
    const out = join(tmp, 'out.pcap');
    for (const r of rows) {
      rmSync(out, { force: true });
      const res = await runInProcess(['-r', pathOf(r), '-w', out]);
      const bytes = existsSync(out) ? readFileSync(out) : null;
      const sha = bytes ? createHash('sha256').update(bytes).digest('hex') : '-';
      const problems: string[] = [];
      if (r.wSha256 !== '-' && sha !== r.wSha256) problems.push(`sha256 of ${bytes?.length ?? 'no'} bytes ≠ tcpdump's ${r.wSize}`);
      if (res.exit !== r.wExit) problems.push(`exit ${res.exit} ≠ ${r.wExit}`);
      if (errors(res.stderr).join('|') !== errors(r.wStderr).join('|')) problems.push(`stderr ${JSON.stringify(errors(res.stderr))} ≠ ${JSON.stringify(errors(r.wStderr))}`);
      if (problems.length) bad.push(`${r.file}: ${problems.join('; ')}`);
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });

  it('--count: same stdout and exit status', async () => {
    const bad: string[] = [];
    for (const r of rows) {
      const res = await runInProcess(['-r', pathOf(r), '--count']);
      if (res.stdout.trim() !== r.countStdout.trim() || res.exit !== r.countExit) {
        bad.push(`${r.file}: ${JSON.stringify(res.stdout.trim())} exit ${res.exit} ≠ ${JSON.stringify(r.countStdout)} exit ${r.countExit}`);
      }
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });
});
