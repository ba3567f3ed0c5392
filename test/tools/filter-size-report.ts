/**
 * Prints how the optimized instruction counts of tsdump's filter compiler compare with
 * libpcap 1.10.3's (`insn_count_opt` in the corpus TSV), over every TSV row both compile:
 * share of rows where we are ≤ libpcap, totals, and the rows where we are larger; then the
 * scale figures: time and heap growth of compiling `host a or host b or …` with 1,000 and
 * 10,000 hosts and at the MAX_PRIMITIVES limit, with libpcap 1.10.3's instruction count for
 * 1,000 (`tcpdump -d -y EN10MB`, measured 2026-12-02: 5,759 — libpcap spends one `ja`
 * trampoline per far compare; it was not run on 10,000, whose optimizer memory grows too fast). Run with `node --expose-gc` through tsx for steadier
 * heap figures.
 * Targets (issue: the filter compiler): ≤ libpcap on at least 95% of rows, total below
 * libpcap's, 1,000 hosts under 1 s and 200 MB. Exit status 1 when a target is missed.
 * Usage: npx tsx test/tools/filter-size-report.ts [--worst N]
 */
import { pathToFileURL } from 'node:url';
import { compile, MAX_PRIMITIVES } from '../../src/filter/index.ts';
import { LINKTYPE_BY_NAME, loadTsv } from '../filter/helpers/corpus.ts';

export interface SizeReport {
  rows: number;
  /** Rows where our program is no longer than libpcap's. */
  le: number;
  ours: number;
  theirs: number;
  /** [our excess, description] for the rows where we are longer. */
  worse: Array<[number, string]>;
}

/** Compiles every corpus row both compile and compares instruction counts with libpcap's. */
export function measureSizes(): SizeReport {
  let rows = 0, le = 0, ours = 0, theirs = 0;
  const worse: Array<[number, string]> = [];
  for (const r of loadTsv()) {
    const lt = LINKTYPE_BY_NAME[r.dlt!];
    if (lt === undefined || r.compiles !== 'yes' || /libpcap\.test/i.test(r.expression!)) continue;
    let n: number;
    try {
      n = compile(r.expression!, { linkType: lt, snaplen: Number(r.snaplen) || 262144, optimize: true, netmask: r.netmask ? Number(r.netmask) : undefined }).length;
    } catch { continue; }
    const t = Number(r.insn_count_opt);
    rows++; ours += n; theirs += t;
    if (n <= t) le++; else worse.push([n - t, `${r.dlt} '${r.expression}': ours ${n}, libpcap ${t}`]);
  }
  worse.sort((a, b) => b[0] - a[0]);
  return { rows, le, ours, theirs, worse };
}

function main(): void {
const worstN = Number(process.argv[process.argv.indexOf('--worst') + 1] ?? 0) || 15;
const { rows, le, ours, theirs, worse } = measureSizes();
console.log(worse.slice(0, worstN).map((w) => w[1]).join('\n'));
console.log(`rows ${rows}: ours <= libpcap on ${le} (${(100 * le / rows).toFixed(1)}%); total instructions ours ${ours}, libpcap ${theirs}`);

const share = le / rows;
const hosts = (n: number): string => Array.from({ length: n }, (_, i) => `host 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`).join(' or ');
let scaleOk = true;
const LIBPCAP_HOSTS: Record<number, number> = { 1000: 5759 };
for (const n of [1000, 10000, MAX_PRIMITIVES]) {
  const e = hosts(n);
  (globalThis as { gc?: () => void }).gc?.();
  const heap0 = process.memoryUsage().heapUsed, rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const prog = compile(e, { linkType: 1, snaplen: 262144, optimize: true });
  const ms = performance.now() - t0;
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6, rssMb = process.memoryUsage().rss / 1e6;
  const lp = LIBPCAP_HOSTS[n] ? ` (libpcap ${LIBPCAP_HOSTS[n]!.toLocaleString('en-US')})` : '';
  console.log(`${n.toLocaleString('en-US')} hosts: ${prog.length} instructions${lp} in ${ms.toFixed(0)} ms, heap +${heapMb.toFixed(0)} MB, rss ${rssMb.toFixed(0)} MB (was ${(rss0 / 1e6).toFixed(0)} MB)`);
  if (LIBPCAP_HOSTS[n] !== undefined && prog.length > LIBPCAP_HOSTS[n]!) scaleOk = false;
  if (n === 1000 && (ms >= 1000 || rssMb - rss0 / 1e6 >= 200)) scaleOk = false;
}
const ok = share >= 0.95 && ours < theirs && scaleOk;
console.log(`targets (≥95% rows ≤ libpcap, total below libpcap, host lists ≤ libpcap, 1,000 hosts < 1 s and < 200 MB): ${ok ? 'met' : 'MISSED'}`);
process.exitCode = ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
