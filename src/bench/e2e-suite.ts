/**
 * End to end: the command itself — process start, reading the capture, filtering, output — on
 * the benchmark's capture, next to tcpdump when it is installed: `--count`, `-w /dev/null` and
 * `-w FILE`, with the default engine. The commands run in interleaved rounds (A B C A B C …);
 * each reports the median wall time and its spread, and the peak RSS (through GNU time's %M
 * when /usr/bin/time exists; otherwise the RSS is not known and says so).
 *
 * A last row runs `node -e 0` in the same rounds: Node's own start-up, the floor under every
 * tsdump row (what a JavaScript command cannot go below), so the table shows how much of tsdump's
 * time is the runtime starting and how much is tsdump's own work.
 *
 * The command run is the package's own `bin` when that file exists (the built CLI in dist/),
 * otherwise the development launcher src/cli/bin.mjs. The matching packets tsdump and tcpdump
 * count must agree, and the `-w FILE` outputs must be byte-identical; a difference is a mismatch
 * (exit status 1), as in the filter suite.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Progress } from './progress.ts';
import { spread, type Spread } from './stats.ts';

export interface E2eRow {
  label: string;
  command: string;
  wallS: Spread;
  /** User + system CPU seconds (GNU time), when measurable. */
  cpuS?: Spread;
  /** Peak RSS in MB (max over the rounds), when measurable. */
  peakRssMb?: number;
  /** The packet count printed (--count) or written (-w FILE). */
  packets?: number;
  error?: string;
}

export interface E2eResult {
  capture: string;
  expression: string;
  rounds: number;
  cli: string;
  tcpdump: string | null;
  rss: string;
  rows: E2eRow[];
  /** tsdump's wall time over tcpdump's, per mode (median over median). */
  ratios: Record<string, number>;
  /** The same for CPU time (user + system), when measured. */
  cpuRatios: Record<string, number>;
  mismatches: string[];
}

/** The package root: the nearest directory above this file with tsdump's package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'tsdump') return dir;
      } catch { /* not ours */ }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('tsdump bench: cannot find the tsdump package root');
    dir = up;
  }
}

/** Newest modification time of the files under `dir` (0 when it does not exist). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

/** The command to run: the package's bin when it exists, else the development launcher. */
function cliCommand(): { argv: string[]; label: string; stale?: boolean } {
  const root = packageRoot();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.tsdump;
  const candidates = [bin, 'src/cli/bin.mjs'].filter((x): x is string => !!x).map((b) => join(root, b));
  const path = candidates.find((c) => existsSync(c));
  if (!path) throw new Error('tsdump bench: no tsdump launcher found');
  // A built launcher older than the sources measures old code: say so.
  const stale = !path.endsWith('.mjs') && statSync(path).mtimeMs < newestMtime(join(root, 'src'));
  return { argv: [process.execPath, path], label: path.slice(root.length + 1), stale };
}

interface Cmd {
  label: string;
  argv: string[];
  outFile?: string;
  mode: string;
  tool: 'tsdump' | 'tcpdump';
}

/**
 * `small`, when given, is a capture a tenth the size: `tsdump --count` runs on it too, so the
 * peak RSS of the two shows whether memory stays flat in the file size.
 */
export function runE2eSuite(capture: string, rounds: number, progress: Progress, expression = 'tcp port 80', small?: string): E2eResult {
  const cli = cliCommand();
  if (cli.stale) progress.note(`tsdump bench: ${cli.label} is older than the sources under src/: the e2e suite measures the last build (npm run build)`);
  const haveTcpdump = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  const tcpdumpVersion = haveTcpdump.status === 0 ? (haveTcpdump.stdout || haveTcpdump.stderr).split('\n')[0]!.trim() : null;
  const gnuTime = existsSync('/usr/bin/time');
  const outTs = join(tmpdir(), `tsdump-bench-e2e-${process.pid}-tsdump.pcap`);
  const outTd = join(tmpdir(), `tsdump-bench-e2e-${process.pid}-tcpdump.pcap`);
  const cmds: Cmd[] = [
    { label: 'tsdump --count', mode: '--count', tool: 'tsdump', argv: [...cli.argv, '-r', capture, '--count', expression] },
    { label: 'tsdump -w /dev/null', mode: '-w /dev/null', tool: 'tsdump', argv: [...cli.argv, '-r', capture, '-w', '/dev/null', expression] },
    { label: 'tsdump -w FILE', mode: '-w FILE', tool: 'tsdump', argv: [...cli.argv, '-r', capture, '-w', outTs, expression], outFile: outTs },
  ];
  if (small) cmds.push({ label: 'tsdump --count, 1/10 of the file', mode: 'small', tool: 'tsdump', argv: [...cli.argv, '-r', small, '--count', expression] });
  cmds.push({ label: 'node -e 0 (start-up floor)', mode: 'floor', tool: 'tsdump', argv: [process.execPath, '-e', '0'] });
  if (tcpdumpVersion) {
    cmds.push(
      { label: 'tcpdump --count', mode: '--count', tool: 'tcpdump', argv: ['tcpdump', '-nn', '-r', capture, '--count', expression] },
      { label: 'tcpdump -w /dev/null', mode: '-w /dev/null', tool: 'tcpdump', argv: ['tcpdump', '-nn', '-r', capture, '-w', '/dev/null', expression] },
      { label: 'tcpdump -w FILE', mode: '-w FILE', tool: 'tcpdump', argv: ['tcpdump', '-nn', '-r', capture, '-w', outTd, expression], outFile: outTd },
    );
  }
  const walls = cmds.map(() => [] as number[]);
  const cpus = cmds.map(() => [] as number[]);
  const rss = cmds.map(() => NaN);
  const errors: (string | undefined)[] = cmds.map(() => undefined);
  const counts: (number | undefined)[] = cmds.map(() => undefined);
  const digests: (string | undefined)[] = cmds.map(() => undefined);
  try {
    // One untimed pass warms the page cache, and the installed command's code cache (written by
    // the first run that reads packets: with the expression, so it holds the filter's path too).
    spawnSync(cli.argv[0]!, [...cli.argv.slice(1), '-r', capture, '--count', expression], { stdio: 'ignore' });
    for (let round = 0; round < rounds; round++) {
      for (const [i, c] of cmds.entries()) {
        if (errors[i]) continue;
        progress.update(`end to end, round ${round + 1}/${rounds}: ${c.label}`);
        const argv = gnuTime ? ['/usr/bin/time', '-f', '@@time %e %M %U %S', ...c.argv] : c.argv;
        const t0 = process.hrtime.bigint();
        const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26 });
        const wall = Number(process.hrtime.bigint() - t0) / 1e9;
        const text = `${r.stdout}\n${r.stderr}`;
        if (r.error || r.status !== 0) {
          errors[i] = (r.stderr || String(r.error)).trim().split('\n').filter((l) => !l.startsWith('@@time')).pop() ?? `exit ${r.status}`;
          continue;
        }
        walls[i]!.push(wall);
        const tm = /@@time ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
        if (tm) {
          rss[i] = Math.max(Number.isNaN(rss[i]!) ? 0 : rss[i]!, Number(tm[2]) / 1024);
          cpus[i]!.push(Number(tm[3]) + Number(tm[4]));
        }
        const cnt = /(\d+) packets?\b/.exec(text);
        if ((c.mode === '--count' || c.mode === 'small') && cnt) counts[i] = Number(cnt[1]);
        if (c.outFile && round === 0) {
          const bytes = readFileSync(c.outFile);
          digests[i] = createHash('sha256').update(bytes).digest('hex');
          // Records in the written file: walk the pcap record headers.
          let n = 0;
          for (let at = 24; at + 16 <= bytes.length; at += 16 + bytes.readUInt32LE(at + 8)) n++;
          counts[i] = n;
        }
        if (c.outFile) rmSync(c.outFile, { force: true });
      }
    }
  } finally {
    rmSync(outTs, { force: true });
    rmSync(outTd, { force: true });
    progress.done();
  }
  const rows: E2eRow[] = cmds.map((c, i) => ({
    label: c.label,
    command: c.argv.map((a) => (a === process.execPath ? 'node' : a.length > 60 ? `${a.slice(0, 57)}...` : a)).join(' '),
    wallS: spread(walls[i]!),
    cpuS: cpus[i]!.length ? spread(cpus[i]!) : undefined,
    peakRssMb: Number.isNaN(rss[i]!) ? undefined : rss[i],
    packets: counts[i],
    error: errors[i],
  }));
  const ratios: Record<string, number> = {};
  const cpuRatios: Record<string, number> = {};
  const mismatches: string[] = [];
  for (const mode of ['--count', '-w /dev/null', '-w FILE']) {
    const a = cmds.findIndex((c) => c.tool === 'tsdump' && c.mode === mode);
    const b = cmds.findIndex((c) => c.tool === 'tcpdump' && c.mode === mode);
    if (a < 0 || b < 0 || errors[a] || errors[b]) continue;
    // A ratio only where the divisor is measurable: on a small capture tcpdump's CPU time rounds
    // to 0.00 s in GNU time's report, and an infinite ratio would read back from JSON as null.
    if (rows[b]!.wallS.median > 0) ratios[mode] = rows[a]!.wallS.median / rows[b]!.wallS.median;
    if (rows[a]!.cpuS && rows[b]!.cpuS && rows[b]!.cpuS!.median > 0) cpuRatios[mode] = rows[a]!.cpuS!.median / rows[b]!.cpuS!.median;
    if (counts[a] !== undefined && counts[b] !== undefined && counts[a] !== counts[b]) mismatches.push(`${mode}: tsdump ${counts[a]} packets, tcpdump ${counts[b]}`);
    if (digests[a] && digests[b] && digests[a] !== digests[b]) mismatches.push(`${mode}: the files tsdump and tcpdump wrote differ`);
  }
  for (const [i, e] of errors.entries()) if (e) mismatches.push(`${cmds[i]!.label} failed: ${e}`);
  return {
    capture,
    expression,
    rounds,
    cli: cli.stale ? `${cli.label} (OLDER than src/: run npm run build)` : cli.label,
    tcpdump: tcpdumpVersion,
    rss: gnuTime ? 'GNU time %M (max over rounds)' : 'not measured (no /usr/bin/time)',
    rows,
    ratios,
    cpuRatios,
    mismatches,
  };
}
