/**
 * The committed cBPF goldens still describe this machine's tcpdump, libpcap and kernel: a sample
 * of the tcpdump listings is re-run with the local tcpdump, and the case table and a sample of
 * the kernel-checker programs with the C helper of test/tools/gen-cbpf-golden.c. When tcpdump or
 * gcc/libpcap is missing the affected part is skipped with a message — except under CI=true,
 * where that is a failure. (Everything else reads the committed goldens and needs none of them.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDDDLine } from '../../src/isa/cbpf/format.ts';
import { goldenDir, inCI, repoRoot } from './corpus-path.ts';
import { CBPF_CASES, caseProgram, casePacket } from './cases.ts';
import { randomValidatorPrograms } from './random-programs.ts';

function have(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.error === undefined;
}

function availableOrSkip(what: string, ok: boolean): boolean {
  if (ok) return true;
  if (inCI) throw new Error(`CI=true but ${what} is not available`);
  console.warn(`SKIP: ${what} not available; golden freshness not checked`);
  return false;
}

const hasTcpdump = availableOrSkip('tcpdump', have('tcpdump', ['--version']));
const tmp = mkdtempSync(join(tmpdir(), 'tsdump-cbpf-fresh-'));
const helper = join(tmp, 'gen-cbpf-golden');
const hasHelper = availableOrSkip('gcc with libpcap-dev',
  have('gcc', ['--version']) && spawnSync('gcc', ['-O1', '-o', helper, join(repoRoot, 'test', 'tools', 'gen-cbpf-golden.c'), '-lpcap']).status === 0);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!hasTcpdump)('tcpdump listings golden is current', () => {
  it('a sample of rows prints the same with the local tcpdump', () => {
    const lines = readFileSync(join(goldenDir, 'tcpdump-listings.jsonl'), 'utf8').trim().split('\n')
      .map((l) => JSON.parse(l) as { dlt: string; expr: string; snaplen: number; optimize: boolean | 'both'; d?: string; via?: string });
    const sample = lines.filter((l, i) => i % 40 === 0 && l.d !== undefined && l.via === '-y');
    expect(sample.length).toBeGreaterThan(30);
    for (const l of sample) {
      const r = spawnSync('tcpdump', ['-nn', '-y', l.dlt, '-s', String(l.snaplen), ...(l.optimize === false ? ['-O'] : []), '-d', '--', ...(l.expr === '' ? [] : [l.expr])], { encoding: 'utf8' });
      expect(r.stdout, `${l.dlt} ${JSON.stringify(l.expr)}`).toBe(l.d);
    }
  });
});

describe.skipIf(!hasHelper)('libpcap and kernel goldens are current', () => {
  it('libpcap bpf_filter still gives the recorded results on the case table', () => {
    const golden = readFileSync(join(goldenDir, 'libpcap-cases.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { bpfFilter: number | string });
    const input = CBPF_CASES.map((c) => {
      const pkt = casePacket(c);
      return `${formatDDDLine(caseProgram(c))}\t${Buffer.from(pkt).toString('hex')}\t${c.wirelen ?? pkt.length}`;
    }).join('\n') + '\n';
    const out = spawnSync(helper, ['filter'], { input, encoding: 'utf8' }).stdout.trim().split('\n');
    const results = out.map((l) => { const r = l.split(' ').slice(1).join(' '); return /^\d+$/.test(r) ? Number(r) : r; });
    CBPF_CASES.forEach((c, i) => {
      if (!c.libpcapDiffers?.includes('uninitialised')) expect(results[i], c.name).toEqual(golden[i]!.bpfFilter);
    });
  });

  it("the kernel's checker still gives the recorded answers on a sample", () => {
    const golden = JSON.parse(readFileSync(join(goldenDir, 'kernel-validate.json'), 'utf8')) as { seed: number; count: number; accepted: string };
    const progs = randomValidatorPrograms(golden.seed, golden.count).slice(0, 2000);
    const out = spawnSync(helper, ['attach'], { input: progs.map(formatDDDLine).join('\n') + '\n', encoding: 'utf8' }).stdout.trim().split('\n');
    expect(out.map((l) => (l === '1' ? '1' : '0')).join('')).toBe(golden.accepted.slice(0, 2000));
  });
});
