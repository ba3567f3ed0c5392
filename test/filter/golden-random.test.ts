/**
 * Seeded random expressions (filters/random/, from test/tools/gen-filter-random.ts) against
 * libpcap 1.10.3: for each expression tsdump must agree with tcpdump on whether it compiles at
 * all (a rejection must be a UserError), and for the ones that compile, return per packet what
 * libpcap's optimized and unoptimized programs returned on the same packets as the tsv goldens.
 * A packet on which libpcap's own program (committed in programs.jsonl) reads scratch memory it
 * never wrote, with a verdict that depends on it, is counted and reported instead of compared:
 * libpcap's bpf_filter leaves M[] uninitialised, so its verdict there is whatever the C stack held.
 * Mismatches print the expression, the packet, and our listing next to tcpdump's.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../src/filter/index.ts';
import { parseProgram } from '../../src/isa/cbpf/index.ts';
import { listVerdictFiles, loadVerdicts, loadSourcePackets } from '../tools/verdicts.ts';
import { compareVerdicts, describeMismatch, renderListings, tryCompile, GoldenReport } from '../tools/golden-compare.ts';
import { FILTERS_DIR, IN_CI } from '../tools/golden-paths.ts';

const RANDOM_DIR = join(FILTERS_DIR, 'random');
interface ProgramRec {
  dlt: string;
  row: number;
  expr: string;
  ddd?: string;
  dddUnopt?: string;
  error?: string;
}
const programs = new Map<string, ProgramRec>();
for (const l of readFileSync(join(RANDOM_DIR, 'programs.jsonl'), 'utf8').split('\n')) {
  if (!l) continue;
  const p = JSON.parse(l) as ProgramRec;
  programs.set(`${p.dlt}/${p.row}`, p);
}

for (const dlt of listVerdictFiles(RANDOM_DIR)) {
  describe(`golden random expressions ${dlt}`, () => {
    const file = loadVerdicts(dlt, RANDOM_DIR);
    it(`${file.rows.length} random expressions: same acceptance as tcpdump, same verdicts as libpcap 1.10.3`, () => {
      const { packets, globalIndex, missing } = loadSourcePackets(file);
      const rep = new GoldenReport();
      if (missing.length) {
        if (IN_CI) throw new Error(`${dlt}: packet sources missing under CI=true: ${missing.slice(0, 3).join(', ')}`);
        rep.skip(`${missing.length} packet sources absent (reference corpus not on this machine); compared on the rest`);
      }
      for (const row of file.rows) {
        const rec = programs.get(`${dlt}/${row.row}`);
        const label = `[random ${dlt} #${row.row}] ${JSON.stringify(row.expr)}`;
        if (row.kind === 'E') {
          rep.count('rejections compared');
          const c = tryCompile(() => compile(row.expr, { linkType: file.linkType, snaplen: row.snaplen, optimize: true, netmask: row.netmask }));
          if (c.ok) rep.fail('expressions tcpdump rejects but we compile', `${label}: tcpdump says "${rec?.error ?? row.error}", we compile:\n${renderListings(c.prog, undefined)}`);
          else if (!c.userError) rep.fail('expressions where compile crashes', `${label}: ${c.message}`);
          continue;
        }
        rep.count('expressions compared');
        for (const optimize of [true, false]) {
          const c = tryCompile(() => compile(row.expr, { linkType: file.linkType, snaplen: row.snaplen, optimize, netmask: row.netmask }));
          if (!c.ok) {
            rep.fail(c.userError ? 'expressions tcpdump compiles but we reject' : 'expressions where compile crashes', `${label}${optimize ? '' : ' -O'}: we ${c.userError ? `reject it (${c.code}: ${c.message})` : `crash: ${c.message}`}`);
            break;
          }
          const theirs = optimize ? rec?.ddd : rec?.dddUnopt;
          let cmp = compareVerdicts(c.prog, packets, globalIndex, optimize ? row.expected! : row.expectedUnopt!, 3, theirs === undefined ? undefined : parseProgram(theirs, 'ddd-line'));
          rep.count('packets compared', cmp.compared);
          if (cmp.undefinedInLibpcap) rep.count('packets where libpcap\'s verdict came from scratch memory it never wrote (not compared)', cmp.undefinedInLibpcap);
          if (cmp.mismatches && row.flags.includes('opt-differs')) {
            const other = compareVerdicts(c.prog, packets, globalIndex, optimize ? row.expectedUnopt! : row.expected!);
            if (other.mismatches === 0) (cmp = other), rep.count('opt-differs rows matching the other libpcap program');
          }
          if (cmp.mismatches) {
            rep.fail('expressions with packet verdict mismatches', `${label}${optimize ? '' : ' -O'}: ${cmp.mismatches}/${cmp.compared} packets differ\n${cmp.first.map((m) => describeMismatch(m, (i) => file.sources[i]!.location)).join('\n')}\n${renderListings(c.prog, optimize ? rec?.ddd : undefined)}`);
          }
        }
      }
      console.log(rep.summary(`golden-random ${dlt}`));
      expect(rep.failureCount, rep.summary(`golden-random ${dlt}`, 4)).toBe(0);
    });
  });
}
