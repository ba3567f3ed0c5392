/**
 * Build-and-run wrapper for test/tools/libpcap-oracle.c, the libpcap (1.10.3) oracle used by the
 * golden generators. `buildOracle()` compiles the C file with gcc against the system libpcap into
 * a temporary directory (once per process; the binary is never committed). The helpers speak the
 * oracle's line protocol (see the C file's header): `oracleInfo` reports each capture's link type
 * and how many packets libpcap reads before the end or the first error; `oracleBatch` loads a set
 * of captures once and answers many (link type, snaplen, netmask, optimize, expression) jobs with
 * a run-length-encoded verdict list each.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTestNames } from './libpcap-test-names.ts';

const here = dirname(fileURLToPath(import.meta.url));
let built: string | null = null;

/** Compiles the oracle (gcc -lpcap) and returns the binary's path. Throws when gcc/libpcap-dev are missing. */
export function buildOracle(): string {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'libpcap-oracle-'));
  const bin = join(dir, 'libpcap-oracle');
  const r = spawnSync('gcc', ['-O2', '-Wall', '-o', bin, join(here, 'libpcap-oracle.c'), '-lpcap'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building libpcap-oracle failed: ${r.error?.message ?? r.stderr}`);
  built = bin;
  return bin;
}

/** The libpcap version string the oracle links against (e.g. "libpcap version 1.10.3 (...)"). */
export function libpcapVersion(): string {
  const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  return (r.stdout + r.stderr).split('\n').find((l) => l.startsWith('libpcap')) ?? 'unknown';
}

export interface CaptureInfoLine {
  file: string;
  dlt: number;
  dltName: string;
  count: number;
  /** FNV-1a 32 (8 hex digits) over each packet's caplen, wirelen (LE32) and bytes. */
  digest: string;
  /** pcap_snapshot() of the opened file (0 when it could not be opened). */
  snaplen: number;
  status: string;
}

export function oracleInfo(files: readonly string[]): CaptureInfoLine[] {
  if (files.length === 0) return [];
  const r = spawnSync(buildOracle(), ['info', ...files], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`libpcap-oracle info failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.startsWith('file\t')).map((l) => {
    const [, file, dlt, dltName, count, digest, snaplen, ...status] = l.split('\t');
    return { file: file!, dlt: Number(dlt), dltName: dltName!, count: Number(count), digest: digest!, snaplen: Number(snaplen), status: status.join('\t') };
  });
}

export interface OracleJob {
  dlt: string | number;
  snaplen: number;
  netmask: string;
  optimize: boolean;
  expr: string;
}

export type OracleAnswer = { ok: true; rle: string } | { ok: false; error: string };

/**
 * Runs all jobs against the concatenated packets of `files`; answers come back in job order.
 * With `testNames`, libpcap resolves names with its test name database (libpcap-test-names.ts;
 * needs root).
 */
export function oracleBatch(files: readonly string[], jobs: readonly OracleJob[], opts: { testNames?: boolean } = {}): OracleAnswer[] {
  for (const j of jobs) if (/[\n\r]/.test(j.expr)) throw new Error(`expression with a newline: ${JSON.stringify(j.expr)}`);
  const input = jobs.map((j) => `${j.dlt}\t${j.snaplen}\t${j.netmask}\t${j.optimize ? 1 : 0}\t${j.expr}\n`).join('');
  const r = opts.testNames ? withTestNames(buildOracle(), ['batch', ...files], input)
    : spawnSync(buildOracle(), ['batch', ...files], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`libpcap-oracle batch failed (status ${r.status}, signal ${r.signal}): ${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l.length > 0);
  if (lines.length !== jobs.length) throw new Error(`libpcap-oracle: ${lines.length} answers for ${jobs.length} jobs`);
  return lines.map((l) => {
    const tab = l.indexOf('\t');
    const kind = l.slice(0, tab);
    const rest = l.slice(tab + 1);
    return kind === 'ok' ? { ok: true, rle: rest } : { ok: false, error: rest };
  });
}

/** The program libpcap compiles, as a `N,code jt jf k,...` line, or its error. */
export function oracleDdd(job: OracleJob): { ok: true; ddd: string } | { ok: false; error: string } {
  const r = spawnSync(buildOracle(), ['ddd', String(job.dlt), String(job.snaplen), job.netmask, job.optimize ? '1' : '0', job.expr], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`libpcap-oracle ddd failed: ${r.stderr}`);
  const line = r.stdout.trimEnd();
  return line.startsWith('error\t') ? { ok: false, error: line.slice(6) } : { ok: true, ddd: line };
}

// Run directly to use the oracle by hand (builds it, then passes the arguments through), e.g.
//   npx tsx test/tools/libpcap-oracle.ts run EN10MB 262144 0xffffffff 1 'tcp port 80' some.pcap
//   npx tsx test/tools/libpcap-oracle.ts ddd RAW 262144 0xffffffff 0 'ip6 net fe80::/10'
//   npx tsx test/tools/libpcap-oracle.ts info some.pcap
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = spawnSync(buildOracle(), process.argv.slice(2), { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
