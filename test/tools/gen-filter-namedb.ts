/**
 * Re-records the `namedb` rows of filters/verdicts/<DLT>.txt — corpus expressions that name
 * hosts, Ethernet hosts or networks of libpcap's test name database (`*.libpcap.test`) — with
 * libpcap 1.10.3 resolving those names (libpcap-test-names.ts: the oracle runs in a private
 * mount namespace whose /etc holds the entries; needs root, gcc, libpcap-dev and the corpus).
 *
 *   UPDATE_GOLDEN=1 nice npx tsx test/tools/gen-filter-namedb.ts
 *
 * Only those lines change: every other row, the sources and the packets stay as
 * gen-filter-verdicts.ts wrote them (run this after it). A row keeps its flags; whether it
 * becomes a V row (verdicts) or stays an E row (libpcap's error, e.g. `ether host` of a name
 * without an Ethernet address) is libpcap's answer.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oracleBatch } from './libpcap-oracle.ts';
import type { OracleJob } from './libpcap-oracle.ts';
import { listVerdictFiles, resolveLocation, VERDICTS_DIR } from './verdicts.ts';

if (process.env.UPDATE_GOLDEN !== '1') {
  console.error('gen-filter-namedb: set UPDATE_GOLDEN=1 to overwrite the namedb rows of filters/verdicts/');
  process.exit(2);
}

let total = 0, accepted = 0;
for (const dlt of listVerdictFiles()) {
  const path = join(VERDICTS_DIR, `${dlt}.txt`);
  const lines = readFileSync(path, 'utf8').split('\n');
  const files: string[] = [];
  const picked: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const f = lines[i]!.split('\t');
    if (f[0] === 'source') files.push(resolveLocation(f[2]!));
    if ((f[0] === 'V' || f[0] === 'E') && f[4]!.split(',').includes('namedb')) picked.push(i);
  }
  if (picked.length === 0) continue;
  const jobs: OracleJob[] = [];
  for (const i of picked) {
    const f = lines[i]!.split('\t');
    for (const optimize of [true, false]) jobs.push({ dlt, snaplen: Number(f[2]), netmask: f[3]!, optimize, expr: f[5]! });
  }
  const answers = oracleBatch(files, jobs, { testNames: true });
  picked.forEach((li, n) => {
    const f = lines[li]!.split('\t');
    const opt = answers[2 * n]!, unopt = answers[2 * n + 1]!;
    const flags = new Set(f[4]!.split(','));
    flags.delete('opt-differs');
    if (opt.ok && unopt.ok) {
      if (opt.rle !== unopt.rle) flags.add('opt-differs');
      lines[li] = ['V', f[1], f[2], f[3], [...flags].join(','), f[5], opt.rle, opt.rle === unopt.rle ? '=' : unopt.rle].join('\t');
      accepted++;
    } else {
      const err = !opt.ok ? opt.error : !unopt.ok ? `(unoptimized only) ${unopt.error}` : '';
      lines[li] = ['E', f[1], f[2], f[3], [...flags].join(','), f[5], err].join('\t');
    }
    total++;
  });
  writeFileSync(path, lines.join('\n'));
  console.log(`${dlt}: ${picked.length} namedb rows re-recorded`);
}
console.log(`total: ${total} namedb rows, ${accepted} compiled by libpcap with the test names`);
