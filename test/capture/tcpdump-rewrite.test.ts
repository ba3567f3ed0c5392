/**
 * rewriteCapture against tcpdump: for every capture of the reference corpus, the repo's sample
 * captures, the generator's synthetic corner cases (test/golden/capture/synthetic) and
 * synthetic truncations, the committed golden data
 * (test/golden/capture/tcpdump-rewrite.tsv, made by test/tools/gen-capture-golden.mjs from the
 * local tcpdump 4.99.3 / libpcap 1.10.3) records what `tcpdump -r F -w OUT` wrote (sha256,
 * size), its exit status and message, and what `tcpdump -r F --count` printed. Our reader and
 * writer must produce byte-identical OUT, fail exactly where tcpdump fails (after writing the
 * same packets), count the same packets and print the same "reading from file" line.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { memorySink, openCapture, readingFromLine, rewriteCapture } from '../../src/capture/index.ts';
import { corpusDir, goldenDir, haveCorpus, parseGolden, repoRoot, type GoldenRow } from './corpus.ts';

// UPDATE_GOLDEN=1 regenerates the golden data from the local tcpdump first (then review the diff).
if (process.env.UPDATE_GOLDEN === '1') execFileSync(process.execPath, [join(repoRoot, 'test/tools/gen-capture-golden.mjs')], { stdio: 'inherit' });
const rows = parseGolden(readFileSync(join(goldenDir, 'tcpdump-rewrite.tsv'), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'tsdump-capture-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Where the input of a golden row is (truncations are rebuilt from their corpus source). */
function inputPath(r: GoldenRow): string {
  switch (r.set) {
    case 'tcpdump-captures':
      return join(corpusDir, 'tcpdump-captures', r.file);
    case 'libpcap-captures':
      return join(corpusDir, 'libpcap/captures', r.file);
    case 'captures':
      return resolve(repoRoot, 'captures', r.file);
    case 'synthetic':
      return join(goldenDir, 'synthetic', r.file);
    case 'truncated': {
      const [src, cut] = r.file.split('@') as [string, string];
      const path = join(tmp, r.file);
      writeFileSync(path, readFileSync(join(corpusDir, 'tcpdump-captures', src)).subarray(0, Number(cut)));
      return path;
    }
    default:
      throw new Error(`unknown golden set ${r.set}`);
  }
}

/** tcpdump's error lines without the "tcpdump: " and "pcap_loop: " prefixes. */
function tcpdumpErrors(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('tcpdump: '))
    .map((l) => l.slice('tcpdump: '.length).replace(/^pcap_loop: /, ''));
}

const stripOffset = (m: string) => m.replace(/ \(at byte offset \d+\)$/, '');

interface Outcome {
  sha: string;
  size: string;
  exit: number;
  errors: string[];
  midStream: boolean;
  errorOffset?: number;
}

function ours(path: string): Outcome {
  const sink = memorySink();
  const out: Outcome = { sha: '-', size: '-', exit: 0, errors: [], midStream: false };
  try {
    const res = rewriteCapture(path, sink);
    const bytes = sink.bytes();
    out.sha = createHash('sha256').update(bytes).digest('hex');
    out.size = String(bytes.length);
    if (res.error) {
      out.exit = 1;
      out.errors.push(stripOffset(res.error.message));
      out.midStream = true;
      out.errorOffset = res.error.offset;
    }
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    out.exit = 1;
    out.errors.push(stripOffset(e.message));
  }
  return out;
}

const sets = ['tcpdump-captures', 'libpcap-captures', 'captures', 'synthetic', 'truncated'];
const enabled = haveCorpus('tcpdump rewrite golden test');

describe.skipIf(!enabled)('rewriteCapture = tcpdump -r F -w OUT', () => {
  it('the golden data covers every corpus capture and the repo samples', () => {
    for (const s of sets) expect(rows.filter((r) => r.set === s).length, s).toBeGreaterThan(0);
    expect(rows.filter((r) => r.set === 'tcpdump-captures').length).toBe(830);
  });

  for (const set of sets) {
    it(`${set}: byte-identical output, same failures, same counts`, () => {
      const mismatches: string[] = [];
      for (const r of rows.filter((x) => x.set === set)) {
        const path = inputPath(r);
        const o = ours(path);
        const want = tcpdumpErrors(r.wStderr);
        const problems: string[] = [];
        if (o.sha !== r.wSha256) problems.push(`output sha256/size ${o.size} ≠ tcpdump ${r.wSize}`);
        if (o.exit !== r.wExit) problems.push(`exit ${o.exit} ≠ ${r.wExit}`);
        if (o.errors.join('|') !== want.join('|')) problems.push(`error "${o.errors.join('|')}" ≠ "${want.join('|')}"`);
        if (o.midStream && !(typeof o.errorOffset === 'number' && o.errorOffset >= 0)) problems.push('mid-stream error without a byte offset');
        // --count: same first stderr line and the same number of packets.
        const first = r.countStderr.split('\n')[0]!;
        if (first.startsWith('reading from file')) {
          const reader = openCapture(path, { libpcapCompat: true });
          const line = readingFromLine(r.file, reader.info);
          let n = 0;
          while (reader.next()) n++;
          reader.close();
          if (line !== first) problems.push(`"${line}" ≠ "${first}"`);
          const m = /^(\d+) packets?/.exec(r.countStdout);
          if (m && Number(m[1]) !== n) problems.push(`count ${n} ≠ ${m[1]}`);
        }
        if (problems.length) mismatches.push(`${r.file}: ${problems.join('; ')}`);
      }
      expect(mismatches).toEqual([]);
    });
  }
});
