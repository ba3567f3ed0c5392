/**
 * Regenerates filters/random/: ~2000 seeded random filter expressions (test/tools/filter-expr-gen.ts)
 * over a few link types, with libpcap 1.10.3's answers:
 *
 *   UPDATE_GOLDEN=1 nice npx tsx test/tools/gen-filter-random.ts
 *
 * - filters/random/programs.jsonl: one line per expression: dlt, row (index within the link type),
 *   expr, and either `ddd` (`tcpdump -nn -ddd -y DLT EXPR` joined by commas: the optimized program)
 *   and `dddUnopt` (the same with `-O`), or `error` (tcpdump's message without the "tcpdump: "
 *   prefix). The programs let tests tell a real mismatch from a verdict libpcap took from scratch
 *   memory its program never wrote (libpcap's bpf_filter does not clear it).
 * - filters/random/<DLT>.txt: the per-packet verdicts of every expression, optimized and not, in
 *   exactly the filters/verdicts/README.md format (ROW = the expression's row), on the same packet
 *   sources as filters/verdicts/<DLT>.txt (for link types without one, NULL and LOOP: all corpus
 *   captures of the type plus generated filters/random/packets/<DLT>.pcap). Netmask 0, snaplen
 *   262144: what `tcpdump -d` uses.
 * Constants are sampled from those packets, so many expressions match some packets.
 */
import { writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { FILTERS_DIR, CORPUS_DIR, REPO_ROOT, parseTsv } from './golden-paths.ts';
import { Rng, extractBias, generatePackets, writePcap, GEN_LINKTYPES } from './packet-gen.ts';
import { buildPool, ExprGen, type GenFlavor } from './filter-expr-gen.ts';
import { loadVerdicts, loadSourcePackets, parseVerdicts, VERDICTS_DIR, type VerdictFile } from './verdicts.ts';
import { oracleBatch, oracleInfo, libpcapVersion, type OracleJob } from './libpcap-oracle.ts';
import { readFileSync } from 'node:fs';

if (process.env.UPDATE_GOLDEN !== '1') {
  console.error('gen-filter-random: set UPDATE_GOLDEN=1 to overwrite filters/random/');
  process.exit(2);
}

interface Target {
  dlt: string;
  flavor: GenFlavor;
  count: number;
  /** Where the IPv4/IPv6 header starts in a frame, or -1. */
  ip: (f: Uint8Array) => number;
  mac: number | null;
}
const ethIp = (f: Uint8Array) => (f.length > 14 && ((f[12] === 8 && f[13] === 0) || (f[12] === 0x86 && f[13] === 0xdd)) ? 14 : -1);
const TARGETS: Target[] = [
  { dlt: 'EN10MB', flavor: 'ether', count: 1000, ip: ethIp, mac: 0 },
  { dlt: 'RAW', flavor: 'ip-only', count: 400, ip: () => 0, mac: null },
  { dlt: 'LINUX_SLL2', flavor: 'cooked', count: 250, ip: (f) => (f.length > 20 && ((f[0] === 8 && f[1] === 0) || (f[0] === 0x86 && f[1] === 0xdd)) ? 20 : -1), mac: null },
  { dlt: 'IEEE802_11', flavor: 'wlan', count: 250, ip: (f) => (f.length > 32 && (f[0]! & 0x0c) === 8 && f[30] === 8 && f[31] === 0 ? 32 : -1), mac: 4 },
  { dlt: 'PFLOG', flavor: 'pflog', count: 100, ip: (f) => (f.length > 64 && f[0] === 61 ? 64 : -1), mac: null },
  // link types without a tsv verdict file: packets are the corpus captures + filters/random/packets/<DLT>.pcap
  { dlt: 'NULL', flavor: 'ip-only', count: 150, ip: () => 4, mac: null },
  { dlt: 'LOOP', flavor: 'ip-only', count: 100, ip: () => 4, mac: null },
];

/**
 * The packet sources for a link type: those of filters/verdicts/<DLT>.txt when it exists, else
 * every corpus capture of that link type plus freshly generated packets (committed under
 * filters/random/packets/), described exactly like a verdict file's header.
 */
function sourcesFor(dlt: string, seed: number): VerdictFile {
  if (existsSync(join(VERDICTS_DIR, `${dlt}.txt`))) return loadVerdicts(dlt);
  const files: string[] = [];
  for (const sub of ['tcpdump-captures', join('libpcap', 'captures')]) for (const f of readdirSync(join(CORPUS_DIR, sub)).sort()) if (/\.pcap(ng)?$/.test(f)) files.push(join(CORPUS_DIR, sub, f));
  const corpus = oracleInfo(files).filter((i) => i.dltName === dlt && i.count > 0);
  const rel = join('filters', 'random', 'packets', `${dlt}.pcap`);
  mkdirSync(join(REPO_ROOT, 'filters', 'random', 'packets'), { recursive: true });
  const bias = extractBias(parseTsv(readFileSync(join(CORPUS_DIR, 'libpcap', 'compiled-by-libpcap-1.10.3.tsv'), 'utf8')).map((r) => r.expression));
  writePcap(join(REPO_ROOT, rel), GEN_LINKTYPES[dlt]!, 262144, generatePackets(dlt, seed, 400, bias));
  const gen = oracleInfo([join(REPO_ROOT, rel)])[0]!;
  if (gen.dltName !== dlt) throw new Error(`${rel}: libpcap reads it as ${gen.dltName}`);
  const lines = [
    `dlt\t${dlt}\t${gen.dlt}\t${GEN_LINKTYPES[dlt]}`,
    ...corpus.map((c, i) => `source\t${i}\tcorpus:${relative(CORPUS_DIR, c.file)}\t${c.count}\t${c.digest}\t${c.status}`),
    `source\t${corpus.length}\trepo:${rel}\t${gen.count}\t${gen.digest}\tgenerated seed=${seed} count=400`,
  ];
  return parseVerdicts(lines.join('\n') + '\n');
}
const SEED = 0x5eed_f17;

const outDir = join(FILTERS_DIR, 'random');
mkdirSync(outDir, { recursive: true });
const programs: string[] = [];
const version = libpcapVersion();
let total = 0, rejected = 0, disagreements = 0, optDiffer = 0;

TARGETS.forEach((t, ti) => {
  const vf = sourcesFor(t.dlt, SEED + 100 + ti);
  const { packets, missing } = loadSourcePackets(vf);
  if (missing.length) throw new Error(`${t.dlt}: packet sources missing: ${missing.join(', ')}`);
  const rng = new Rng(SEED + ti);
  const pool = buildPool(packets.map((p) => p.data), t.ip, t.mac, rng);
  const gen = new ExprGen(rng, pool, t.flavor);
  const exprs: string[] = [];
  const seen = new Set<string>();
  for (let guard = 0; exprs.length < t.count && guard < t.count * 20; guard++) {
    const e = gen.expr();
    if (!seen.has(e)) seen.add(e), exprs.push(e);
  }
  const jobs: OracleJob[] = [];
  for (const e of exprs) for (const optimize of [true, false]) jobs.push({ dlt: t.dlt, snaplen: 262144, netmask: '0x00000000', optimize, expr: e });
  const answers = oracleBatch(vf.sources.map((s) => s.path), jobs);
  const lines = [
    `# libpcap verdicts of seeded random expressions for ${t.dlt}; generated by test/tools/gen-filter-random.ts (seed ${SEED + ti})`,
    `# oracle: ${version}; format: filters/verdicts/README.md; ROW = row in filters/random/programs.jsonl for this dlt`,
    `dlt\t${vf.dlt}\t${vf.dltValue}\t${vf.linkType}`,
    ...vf.sources.map((s) => `source\t${s.index}\t${s.location}\t${s.count}\t${s.digest}\t${s.note}`),
  ];
  exprs.forEach((e, row) => {
    const td = spawnSync('tcpdump', ['-nn', '-ddd', '-y', t.dlt, e], { encoding: 'utf8' });
    const rec: Record<string, unknown> = { dlt: t.dlt, row, expr: e };
    if (td.status === 0) {
      rec.ddd = td.stdout.trim().split('\n').join(',');
      const unopt = spawnSync('tcpdump', ['-nn', '-O', '-ddd', '-y', t.dlt, e], { encoding: 'utf8' });
      if (unopt.status === 0) rec.dddUnopt = unopt.stdout.trim().split('\n').join(',');
    } else rec.error = td.stderr.trim().split('\n').pop()!.replace(/^tcpdump: /, '');
    programs.push(JSON.stringify(rec));
    const opt = answers[2 * row]!, unopt = answers[2 * row + 1]!;
    if (opt.ok !== (td.status === 0)) disagreements++;
    total++;
    if (opt.ok && unopt.ok) {
      const differ = opt.rle !== unopt.rle;
      if (differ) optDiffer++;
      lines.push(['V', row, 262144, '0x00000000', differ ? 'opt-differs' : '-', e, opt.rle, differ ? unopt.rle : '='].join('\t'));
    } else {
      rejected++;
      lines.push(['E', row, 262144, '0x00000000', '-', e, !opt.ok ? opt.error : `(unoptimized only) ${(unopt as { error: string }).error}`].join('\t'));
    }
  });
  writeFileSync(join(outDir, `${t.dlt}.txt`), lines.join('\n') + '\n');
  console.log(`${t.dlt}: ${exprs.length} expressions`);
});
writeFileSync(join(outDir, 'programs.jsonl'), programs.join('\n') + '\n');
console.log(`total ${total}, rejected ${rejected}, tcpdump/oracle accept disagreements ${disagreements}, opt/unopt verdict differences ${optDiffer}`);
