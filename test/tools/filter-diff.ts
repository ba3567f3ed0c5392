/**
 * Developer tool: compiles every row of the corpus TSV (libpcap 1.10.3 results) with tsdump's
 * filter compiler and compares per-packet verdicts on the corpus captures of the same link type,
 * and whether both accept/reject the expression. Prints a summary and the first mismatches.
 * Usage: npx tsx test/tools/filter-diff.ts [linktype-name...]
 */
import { compile } from '../../src/filter/index.ts';
import { UserError } from '../../src/errors.ts';
import { LINKTYPE_BY_NAME, loadTsv, packetsFor } from '../filter/helpers/corpus.ts';
import { parseDdd, runCbpf } from '../filter/helpers/vm.ts';
import type { Pkt } from '../filter/helpers/vm.ts';

const only = process.argv.slice(2);
const rows = loadTsv();
const pktCache = new Map<number, Pkt[]>();
const stats = { rows: 0, ok: 0, verdictDiff: 0, weReject: 0, weAccept: 0, unsupported: 0, skipped: 0 };
const problems: string[] = [];
for (const r of rows) {
  const lt = LINKTYPE_BY_NAME[r.dlt!];
  if (lt === undefined || (only.length && !only.includes(r.dlt!))) continue;
  if (/libpcap\.test/i.test(r.expression!)) { stats.skipped++; continue; }
  stats.rows++;
  const snaplen = Number(r.snaplen) || 262144;
  const netmask = r.netmask ? Number(r.netmask) : undefined;
  let ours;
  try {
    ours = compile(r.expression!, { linkType: lt, snaplen, optimize: true, netmask });
  } catch (e) {
    if (!(e instanceof UserError)) { problems.push(`CRASH ${r.dlt} ${r.expression}: ${(e as Error).stack}`); continue; }
    if (r.compiles === 'yes') {
      if (e.code === 'FILTER_LINKTYPE' || e.code === 'FILTER_UNSUPPORTED') stats.unsupported++;
      else { stats.weReject++; problems.push(`WE REJECT ${r.dlt} '${r.expression}': ${e.message} | libpcap ok`); }
    } else stats.ok++;
    continue;
  }
  if (r.compiles !== 'yes') { stats.weAccept++; problems.push(`WE ACCEPT ${r.dlt} '${r.expression}' | libpcap: ${r.error}`); continue; }
  const theirs = parseDdd(r.bytecode_ddd_opt!);
  let pkts = pktCache.get(lt);
  if (!pkts) { pkts = packetsFor(lt); pktCache.set(lt, pkts); }
  let diff = 0, n = 0;
  for (const p of pkts) {
    const a = runCbpf(theirs, p.data, p.wirelen);
    if (a < 0) break;
    const b = runCbpf(ours, p.data, p.wirelen);
    n++;
    if (a !== b) diff++;
  }
  if (diff) { stats.verdictDiff++; problems.push(`VERDICT ${r.dlt} '${r.expression}': ${diff}/${n} packets differ`); }
  else stats.ok++;
}
console.log(problems.slice(0, Number(process.env.SHOW ?? 60)).join('\n'));
console.log(JSON.stringify(stats));
