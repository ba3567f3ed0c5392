/**
 * Records, for the rows of filters/savefile/open.txt of class `opt-differs`, what libpcap 1.10.3's
 * *unoptimized* program (`tcpdump -O -r FILE EXPR`) selects, as the savefile golden's selection
 * hash (count:hash), in the row's fourth column. On those rows libpcap's optimizer changes its own
 * verdicts (it drops a load that rejects a truncated packet, or miscompiles); the test then checks
 * that tsdump selects exactly what libpcap's unoptimized program selects.
 *
 *   UPDATE_GOLDEN=1 npx tsx test/tools/savefile-open-unopt.ts      (needs gcc and libpcap)
 *   npx tsx test/tools/savefile-open-unopt.ts --check               (prints, writes nothing)
 *
 * Also prints, for every row of class `open`, whether libpcap's two programs disagree there too
 * (such a row belongs to `opt-differs` when tsdump matches the unoptimized one).
 * Technique: parity-oracle.c's F mode compiles on each capture's own savefile handle (snaplen,
 * byte order) with the optimizer off or on and returns bpf_filter's verdict per packet.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCapture } from '../../src/capture/index.ts';
import { buildParityOracle } from './parity-harness.ts';
import { FILTERS_DIR, REPO_ROOT } from './golden-paths.ts';
import { fnv1a, SAVEFILE_TARGETS } from './filter-savefile-golden.ts';

const OPEN_FILE = join(FILTERS_DIR, 'savefile', 'open.txt');

interface FileJob { path: string; snaplen: number; endian: 'le' | 'be'; lines: string }

const filesCache = new Map<string, FileJob[]>();
function filesOf(dlt: string): FileJob[] {
  let jobs = filesCache.get(dlt);
  if (jobs) return jobs;
  const head = JSON.parse(readFileSync(join(FILTERS_DIR, 'savefile', `${dlt}.jsonl`), 'utf8').split('\n')[0]!) as { files: { path: string }[] };
  jobs = head.files.map((f) => {
    const cap = openCapture(join(REPO_ROOT, f.path));
    const lines: string[] = [];
    try {
      for (let rec = cap.next(); rec; rec = cap.next()) lines.push(`P\t${rec.wirelen}\t${Buffer.from(rec.data.slice(0, rec.caplen)).toString('hex')}\n`);
    } catch {
      // a damaged capture: the packets before the damage, as libpcap delivers them
    }
    const job: FileJob = { path: f.path, snaplen: cap.info.snaplen, endian: cap.info.bigEndian ? 'be' : 'le', lines: lines.join('') };
    cap.close();
    return job;
  });
  filesCache.set(dlt, jobs);
  return jobs;
}

/** libpcap's selection with the optimizer off and on: "count:hash" each, as the golden records it. */
function selections(dlt: string, expr: string): { unopt: string; opt: string } {
  const t = SAVEFILE_TARGETS.find((x) => x.dlt === dlt);
  if (!t) throw new Error(`unknown link type ${dlt}`);
  const files = filesOf(dlt);
  let input = '';
  for (const f of files) for (const opt of [0, 1]) input += `F\tsavefile\t${t.linkType}\t${f.snaplen}\t${f.endian}\t${opt}\t${expr}\n${f.lines}E\n`;
  const r = spawnSync(buildParityOracle(), [], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  const out = r.stdout.split('\n').filter((l) => l.length > 0);
  if (r.status !== 0 || out.length !== 2 * files.length) throw new Error(`parity-oracle failed for ${dlt} '${expr}': ${r.stderr}`);
  const sel = (opt: number): string => {
    const parts: string[] = [];
    let count = 0;
    files.forEach((f, i) => {
      const line = out[2 * i + opt]!;
      if (!line.startsWith('ok\t')) throw new Error(`libpcap: ${line} for ${dlt} '${expr}'`);
      const v = line.slice(3) === '' ? [] : line.slice(3).split(',');
      const idx = v.flatMap((x, j) => (x !== '0' ? [j] : []));
      if (idx.length) parts.push(`${f.path}:${idx.join(',')};`);
      count += idx.length;
    });
    return `${count}:${fnv1a(parts.join(''))}`;
  };
  return { unopt: sel(0), opt: sel(1) };
}

function main(): void {
  const write = process.env.UPDATE_GOLDEN === '1' && !process.argv.includes('--check');
  const lines = readFileSync(OPEN_FILE, 'utf8').split('\n');
  const out = lines.map((l) => {
    if (!l || l.startsWith('#')) return l;
    const [dlt, expr, cls] = l.split('\t') as [string, string, string | undefined];
    if (cls !== 'opt-differs' && cls !== 'open' && cls !== undefined) return l;
    const s = selections(dlt, expr);
    console.log(`${cls ?? 'open'}\t${s.unopt === s.opt ? 'same' : 'libpcap -O differs'}\t${s.unopt} (optimized ${s.opt})\t${dlt}\t${expr}`);
    return cls === 'opt-differs' ? `${dlt}\t${expr}\t${cls}\t${s.unopt}` : l;
  });
  if (write) writeFileSync(OPEN_FILE, out.join('\n'));
  else console.log('(nothing written: UPDATE_GOLDEN=1 records the fourth column)');
}

main();
