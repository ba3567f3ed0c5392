/**
 * `tsdump bench`: the benchmark as a product command. It runs the selected suites (default: all)
 * and prints a progress line on stderr, tables and the targets on stdout (or JSON with
 * `--json`), and with `--svg FILE` a bar chart of ns/packet per engine and filter.
 *
 * The packet suites read one capture: the seeded generated one (src/bench/traffic.ts, cached
 * under os.tmpdir()) or `-r FILE`. The exit status is 1 when any engine disagrees with the cBPF
 * interpreter's match counts (or tsdump with tcpdump end to end), or a suite fails.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { runCompileSuite, type CompileResult } from './compile-suite.ts';
import { runE2eSuite, type E2eResult } from './e2e-suite.ts';
import { runFiltersSuite, type FiltersResult } from './filters-suite.ts';
import { measure, type MicroResult, type MicroSuite } from './micro/harness.ts';
import { parseBenchArgs, USAGE, type BenchOptions, type SuiteName } from './options.ts';
import { loadPackets } from './packets.ts';
import { Progress } from './progress.ts';
import { checkTargets, filtersSvg, formatCompile, formatE2e, formatFilters, formatMicro, formatTargets, type TargetCheck } from './report.ts';
import { ensureTraffic } from './traffic.ts';

export { parseBenchArgs, SUITES, USAGE, type BenchOptions } from './options.ts';

export interface BenchReport {
  meta: {
    date: string; node: string; cpu: string; cores: number; platform: string; command: string;
    /** The 1-minute load average when the run started and ended: a busy machine inflates every figure. */
    loadavg: { start: number; end?: number };
    options: Omit<BenchOptions, 'suites'> & { suites: SuiteName[] };
  };
  filters?: FiltersResult;
  compile?: CompileResult;
  e2e?: E2eResult;
  micro: Record<string, { results: MicroResult[]; notes: string[] }>;
  targets: TargetCheck[];
  failures: string[];
}

const MICRO: Record<string, () => Promise<{ suite: MicroSuite }>> = {
  runtime: () => import('./micro/runtime.ts'),
  capture: () => import('./micro/capture.ts'),
  maps: () => import('./micro/maps.ts'),
  printers: () => import('./micro/printers.ts'),
};

/** Runs the benchmark for `opts`; returns the report (nothing printed). */
async function runBench(opts: BenchOptions, progress = new Progress()): Promise<BenchReport> {
  const report: BenchReport = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      command: `tsdump bench ${process.argv.slice(3).join(' ')}`.trim(),
      loadavg: { start: os.loadavg()[0]! },
      options: opts,
    },
    micro: {},
    targets: [],
    failures: [],
  };
  const wants = (s: SuiteName) => opts.suites.includes(s);
  let capture: { path: string; generated: boolean } | undefined;
  const getCapture = () => {
    if (!capture) capture = opts.read ? { path: opts.read, generated: false } : ensureTraffic(opts.packets, opts.seed, (m) => progress.update(m));
    return capture;
  };

  if (wants('filters')) {
    const cap = getCapture();
    progress.update(`reading ${cap.path}`);
    const packets = loadPackets(cap.path, opts.read ? Infinity : opts.packets);
    report.filters = await runFiltersSuite(packets, { rounds: opts.rounds, ms: opts.ms, clock: opts.clock, generated: cap.generated || !opts.read, seed: opts.read ? undefined : opts.seed }, progress);
    for (const m of report.filters.mismatches) report.failures.push(`filters: ${m.subject} on '${m.filter}' (${m.regime}): ${m.got} matches, want ${m.want}`);
  }
  if (wants('compile')) {
    report.compile = runCompileSuite(1, 262144, opts.quick ? 2 : 20, progress, opts.clock);
  }
  if (wants('e2e')) {
    // With the generated capture, a tenth of it too: peak RSS against file size.
    const small = opts.read || opts.packets < 10 ? undefined : ensureTraffic(Math.floor(opts.packets / 10), opts.seed).path;
    report.e2e = runE2eSuite(getCapture().path, opts.quick ? 1 : Math.min(opts.rounds, 3), progress, 'tcp port 80', small);
    for (const m of report.e2e.mismatches) report.failures.push(`e2e: ${m}`);
  }
  for (const name of Object.keys(MICRO)) {
    if (!wants(name as SuiteName)) continue;
    const { suite } = await MICRO[name]!();
    try {
      progress.update(`${name}: setting up`);
      const cases = await suite.setup({ ms: opts.quick ? 5 : opts.ms * 5, packets: opts.quick ? 5000 : opts.packets, quick: opts.quick });
      const results: MicroResult[] = [];
      for (const c of cases) {
        progress.update(`${name}: ${c.name}`);
        results.push(measure(c, opts.quick ? 5 : opts.ms * 5));
      }
      report.micro[name] = { results, notes: suite.notes?.(results) ?? [] };
    } catch (e) {
      report.failures.push(`${name}: the suite failed: ${(e as Error).message.split('\n')[0]}`);
    } finally {
      suite.teardown?.();
      progress.done();
    }
  }
  report.targets = checkTargets(report.filters, report.compile, report.e2e);
  report.meta.loadavg.end = os.loadavg()[0]!;
  return report;
}

/** The report as text tables. */
export function formatReport(r: BenchReport): string {
  const out: string[] = [`tsdump bench — ${r.meta.date}, node ${r.meta.node}, ${r.meta.cpu} ×${r.meta.cores}, ${r.meta.platform}; load average ${r.meta.loadavg.start.toFixed(1)} → ${r.meta.loadavg.end?.toFixed(1) ?? '?'}`];
  if (r.filters) out.push('', formatFilters(r.filters));
  if (r.compile) out.push('', formatCompile(r.compile));
  if (r.e2e) out.push('', formatE2e(r.e2e));
  for (const [name, m] of Object.entries(r.micro)) out.push('', formatMicro(name, m.results, m.notes));
  const t = formatTargets(r.targets);
  if (t) out.push('', t);
  if (r.failures.length) out.push('', `FAILED (${r.failures.length}):`, ...r.failures.map((f) => `   ${f}`));
  return out.join('\n') + '\n';
}

/** The command: parse, run, print; returns the exit status. */
export async function benchCommand(args: string[]): Promise<number> {
  const opts = parseBenchArgs(args);
  if (!opts) {
    process.stdout.write(USAGE);
    return 0;
  }
  const report = await runBench(opts);
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 1)}\n` : formatReport(report));
  if (opts.svg) {
    if (report.filters) writeFileSync(opts.svg, filtersSvg(report.filters, `tsdump bench: ns/packet per engine and filter (${report.meta.date.slice(0, 10)}, node ${report.meta.node}, ${report.meta.cpu} ×${report.meta.cores})`));
    else process.stderr.write('tsdump bench: --svg draws the filters suite, which did not run\n');
  }
  if (report.failures.length) {
    process.stderr.write(`tsdump bench: ${report.failures.length} failure(s); see the report\n`);
    return 1;
  }
  return 0;
}
