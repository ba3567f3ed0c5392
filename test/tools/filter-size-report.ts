/**
 * Prints how the optimized instruction counts of tsdump's filter compiler compare with
 * libpcap 1.10.3's (`insn_count_opt` in the corpus TSV), over every TSV row both compile:
 * share of rows where we are ≤ libpcap, totals, and the rows where we are larger.
 * Usage: npx tsx test/tools/filter-size-report.ts [--worst N]
 */
import { compile } from '../../src/filter/index.ts';
import { LINKTYPE_BY_NAME, loadTsv } from '../filter/helpers/corpus.ts';

const worstN = Number(process.argv[process.argv.indexOf('--worst') + 1] ?? 0) || 15;
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
console.log(worse.slice(0, worstN).map((w) => w[1]).join('\n'));
console.log(`rows ${rows}: ours <= libpcap on ${le} (${(100 * le / rows).toFixed(1)}%); total instructions ours ${ours}, libpcap ${theirs}`);
