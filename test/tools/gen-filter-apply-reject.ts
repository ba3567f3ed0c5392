/**
 * Regenerates the libpcap 1.10.3 answers for the corpus's apply and reject tables:
 *
 *   UPDATE_GOLDEN=1 nice npx tsx test/tools/gen-filter-apply-reject.ts
 *
 * filters/apply-1.10.3.jsonl — for each row of test/corpus/libpcap/filter_apply.jsonl
 *   (expression + savefile + libpcap HEAD's per-packet results), what libpcap 1.10.3 returns on
 *   each packet, compiled like `tcpdump -r savefile` does: the savefile's link type and snapshot
 *   length, netmask unknown unless given, optimized (and unoptimized, recorded when it differs).
 *   Fields: block, savefile (corpus-relative), expr, dlt, dltValue, snaplen, netmask, count (packets
 *   libpcap read), digest (FNV-1a as in filters/verdicts/README.md), compiles, error,
 *   results, resultsUnopt (only when different), dddOpt/dddUnopt (1.10.3's programs as
 *   `N,code jt jf k,...`), head (HEAD's results), sameAsHead.
 * filters/reject-1.10.3.jsonl — the filter_reject.jsonl expressions libpcap 1.10.3 really rejects:
 *   name, dlt, expr, netmask, error (1.10.3's text), headErrstr, unknownDlt (true when 1.10.3 does
 *   not even know the link-type name, so the rejection is of the `-y` name, not the expression).
 * filters/reject-accepted-by-1.10.3.jsonl — the ones 1.10.3 compiles (HEAD rejects them):
 *   name, dlt, expr, netmask, headErrstr, insnsOpt (program length), dddOpt (tcpdump -ddd line).
 * filters/reject-savefiles-1.10.3.jsonl — the invalid-savefile rows: savefile, error, headErrstr.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CORPUS_DIR, FILTERS_DIR } from './golden-paths.ts';
import { oracleInfo, oracleBatch, oracleDdd, buildOracle, type OracleJob } from './libpcap-oracle.ts';

if (process.env.UPDATE_GOLDEN !== '1') {
  console.error('gen-filter-apply-reject: set UPDATE_GOLDEN=1 to overwrite filters/*-1.10.3.jsonl');
  process.exit(2);
}
buildOracle();
const readJsonl = (p: string) => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const netmaskOf = (m: unknown) => (m === null || m === undefined ? '0xffffffff' : String(m));

// ---- apply rows
const applyRows = readJsonl(join(CORPUS_DIR, 'libpcap', 'filter_apply.jsonl'));
const applyOut: string[] = [];
let applySame = 0, applyDiffHead = 0, applyOptDiff = 0;
for (const row of applyRows) {
  const rel = join('libpcap', 'captures', String(row.savefile).replace(/^filter\//, ''));
  const path = join(CORPUS_DIR, rel);
  const info = oracleInfo([path])[0]!;
  const job = (optimize: boolean): OracleJob => ({ dlt: info.dlt, snaplen: info.snaplen, netmask: netmaskOf(row.netmask), optimize, expr: String(row.expr) });
  const [opt, unopt] = oracleBatch([path], [job(true), job(false)]);
  const expand = (rle: string) => (rle === '-' ? [] : rle.split(',').flatMap((it) => { const [v, n] = it.split('*'); return new Array<number>(Number(n ?? 1)).fill(Number(v)); }));
  const rec: Record<string, unknown> = { block: row.block, savefile: rel, expr: row.expr, dlt: info.dltName, dltValue: info.dlt, snaplen: info.snaplen, netmask: netmaskOf(row.netmask), count: info.count, digest: info.digest };
  if (opt!.ok && unopt!.ok) {
    rec.compiles = true;
    rec.results = expand(opt!.rle);
    if (opt!.rle !== unopt!.rle) (rec.resultsUnopt = expand(unopt!.rle)), applyOptDiff++;
    rec.dddOpt = (oracleDdd(job(true)) as { ddd: string }).ddd;
    rec.dddUnopt = (oracleDdd(job(false)) as { ddd: string }).ddd;
  } else {
    rec.compiles = false;
    rec.error = !opt!.ok ? opt!.error : `(unoptimized only) ${(unopt as { error: string }).error}`;
  }
  rec.head = row.results;
  rec.sameAsHead = JSON.stringify(rec.results ?? null) === JSON.stringify(row.results);
  if (rec.sameAsHead) applySame++;
  else applyDiffHead++;
  applyOut.push(JSON.stringify(rec));
}
writeFileSync(join(FILTERS_DIR, 'apply-1.10.3.jsonl'), applyOut.join('\n') + '\n');
console.log(`apply: ${applyRows.length} rows, ${applySame} same as HEAD, ${applyDiffHead} differ from HEAD, ${applyOptDiff} opt/unopt differ`);

// ---- reject rows (slow: ~10 minutes, libpcap takes long on a few pathological expressions)
if (process.env.APPLY_ONLY === '1') process.exit(0);
const rejectRows = readJsonl(join(CORPUS_DIR, 'libpcap', 'filter_reject.jsonl'));
const exprRows = rejectRows.filter((r) => r.savefile === null || r.savefile === undefined);
const jobs: OracleJob[] = [];
for (const r of exprRows) for (const optimize of [true, false]) jobs.push({ dlt: String(r.dlt), snaplen: 262144, netmask: netmaskOf(r.netmask), optimize, expr: String(r.expr) });
const answers = oracleBatch([], jobs);
const rejected: string[] = [], accepted: string[] = [];
exprRows.forEach((r, i) => {
  const opt = answers[2 * i]!, unopt = answers[2 * i + 1]!;
  const base = { name: r.name, dlt: r.dlt, expr: r.expr, netmask: netmaskOf(r.netmask) };
  if (!opt.ok || !unopt.ok) {
    const error = !opt.ok ? opt.error : `(unoptimized only) ${(unopt as { error: string }).error}`;
    rejected.push(JSON.stringify({ ...base, error, headErrstr: r.errstr, unknownDlt: error.startsWith('unknown link type ') }));
  } else {
    const ddd = spawnSync('tcpdump', ['-nn', '-ddd', '-y', String(r.dlt), String(r.expr)], { encoding: 'utf8' });
    const lines = ddd.stdout.trim().split('\n');
    accepted.push(JSON.stringify({ ...base, headErrstr: r.errstr, insnsOpt: Number(lines[0]), dddOpt: lines.join(',') }));
  }
});
writeFileSync(join(FILTERS_DIR, 'reject-1.10.3.jsonl'), rejected.join('\n') + '\n');
writeFileSync(join(FILTERS_DIR, 'reject-accepted-by-1.10.3.jsonl'), accepted.join('\n') + '\n');
const savefiles = rejectRows.filter((r) => r.savefile).map((r) => {
  const info = oracleInfo([join(CORPUS_DIR, 'libpcap', 'captures', String(r.savefile))])[0]!;
  return JSON.stringify({ name: r.name, savefile: join('libpcap', 'captures', String(r.savefile)), error: info.status, headErrstr: r.errstr });
});
writeFileSync(join(FILTERS_DIR, 'reject-savefiles-1.10.3.jsonl'), savefiles.join('\n') + '\n');
console.log(`reject: ${exprRows.length} expression rows: ${rejected.length} rejected by 1.10.3, ${accepted.length} accepted by 1.10.3; ${savefiles.length} savefile rows`);
