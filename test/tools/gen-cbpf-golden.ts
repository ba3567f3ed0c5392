/**
 * Regenerates the classic-BPF golden data under test/golden/cbpf/ from the local tcpdump 4.99.3
 * and libpcap 1.10.3. Tests read only the committed output, so they pass without tcpdump.
 *
 *   npx tsx test/tools/gen-cbpf-golden.ts [--only listings,dump,cases,random,kernel]
 *
 * listings  tcpdump-listings.jsonl: for every row of the corpus's
 *           libpcap/compiled-by-libpcap-1.10.3.tsv that compiles (optimized and with -O),
 *           tcpdump's own `-d`, `-dd` and `-ddd` output, from
 *           `tcpdump -nn -y <DLT> -s <snaplen> [-O] -d <expr>`. When tcpdump cannot select the
 *           link type with -y, a header-only capture of that link type is given with -r instead
 *           (the file's snaplen is the row's). Each line records whether tcpdump's program equals
 *           the tsv bytecode. One line per (row, optimize), or optimize "both" when equal.
 * dump      libpcap-bpf-dump.txt: libpcap's bpf_dump (the function tcpdump -d/-dd/-ddd calls)
 *           on synthetic programs holding every 8-bit opcode and some 16-bit ones, with
 *           assorted k/jt/jf, and one program long enough for 4-digit pcs — tcpdump itself
 *           only prints programs its compiler emits, so this covers the opcodes it never does.
 * cases     libpcap-cases.jsonl: bpf_validate and bpf_filter of libpcap 1.10.3 for every case
 *           of test/cbpf/cases.ts (bpf_filter runs in a child process; a crash is recorded).
 * random    libpcap-random.json: bpf_filter's result for each seeded random program/packet of
 *           test/cbpf/random-programs.ts, with the seed, count and a digest of the inputs.
 * kernel    kernel-validate.json: whether the running Linux kernel's classic-BPF checker
 *           (setsockopt SO_ATTACH_FILTER, needs no privileges) accepts each seeded random
 *           program of randomValidatorPrograms, with the kernel release; and whether libpcap
 *           1.10.3's bpf_validate accepts it.
 *
 * The C helper gen-cbpf-golden.c is built with gcc -lpcap under a temporary directory.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDDDLine, parseProgram } from '../../src/isa/cbpf/index.ts';
import type { CbpfProgram } from '../../src/isa/cbpf/types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const corpus = join(root, 'test', 'corpus');
const outDir = join(root, 'test', 'golden', 'cbpf');
const tmp = mkdtempSync(join(tmpdir(), 'tsdump-cbpf-golden-'));

const onlyArg = process.argv.indexOf('--only');
const only = new Set(onlyArg >= 0 ? process.argv[onlyArg + 1]!.split(',') : ['listings', 'dump', 'cases', 'random', 'kernel']);

function buildHelper(): string {
  const exe = join(tmp, 'gen-cbpf-golden');
  const r = spawnSync('gcc', ['-O1', '-Wall', '-o', exe, join(here, 'gen-cbpf-golden.c'), '-lpcap'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc failed: ${r.stderr}`);
  return exe;
}

function runHelper(exe: string, mode: 'dump' | 'filter' | 'attach' | 'validate', input: string): string {
  const r = spawnSync(exe, [mode], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`helper ${mode} failed: ${r.stderr}`);
  return r.stdout;
}

// ---------------------------------------------------------------- listings (tcpdump)
interface TsvRow { dlt: string; dltValue: number; expr: string; snaplen: number; netmask: string; opt: string | null; unopt: string | null }

function readTsv(): TsvRow[] {
  const lines = readFileSync(join(corpus, 'libpcap', 'compiled-by-libpcap-1.10.3.tsv'), 'utf8').split('\n').filter((l) => l !== '');
  const head = lines[0]!.split('\t');
  const col = (name: string): number => head.indexOf(name);
  return lines.slice(1).map((l) => {
    const f = l.split('\t');
    return {
      dlt: f[col('dlt')]!, dltValue: Number(f[col('dlt_value')]), expr: f[col('expression')]!,
      snaplen: Number(f[col('snaplen')]), netmask: f[col('netmask')]!,
      opt: f[col('compiles')] === 'yes' ? f[col('bytecode_ddd_opt')]! : null,
      unopt: f[col('compiles_unopt')] === 'yes' ? f[col('bytecode_ddd_unopt')]! : null,
    };
  });
}

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** DLT value → LINKTYPE value for the pcap header, for the few that differ (pcap-common.c table). */
const dltToLinktype: Record<number, number> = { 12: 101, 15: 102, 16: 103 };

function dummyCapture(linktype: number, snaplen: number): string {
  const path = join(tmp, `dummy-${linktype}-${snaplen}.pcap`);
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0xa1b2c3d4, 0); b.writeUInt16LE(2, 4); b.writeUInt16LE(4, 6);
  b.writeUInt32LE(snaplen, 16); b.writeUInt32LE(linktype, 20);
  writeFileSync(path, b);
  return path;
}

async function tcpdumpListing(row: TsvRow, optimize: boolean): Promise<{ via: string; d: string; dd: string; ddd: string } | { error: string }> {
  const exprArgs = row.expr === '' ? [] : [row.expr];
  const out: Record<string, string> = {};
  let via = '-y';
  for (const [flag, name] of [['-d', 'd'], ['-dd', 'dd'], ['-ddd', 'ddd']] as const) {
    const common = ['-nn', ...(optimize ? [] : ['-O']), flag, '--', ...exprArgs];
    let r = await run('tcpdump', ['-y', row.dlt, '-s', String(row.snaplen), ...common]);
    if (r.code !== 0 && /data link type|unknown data link/i.test(r.stderr)) {
      via = '-r';
      const file = dummyCapture(dltToLinktype[row.dltValue] ?? row.dltValue, row.snaplen);
      r = await run('tcpdump', ['-r', file, ...common]);
    }
    if (r.code !== 0) return { error: r.stderr.trim().split('\n').pop() ?? `exit ${r.code}` };
    out[name] = r.stdout;
  }
  return { via, d: out.d!, dd: out.dd!, ddd: out.ddd! };
}

async function genListings(): Promise<void> {
  const rows = readTsv();
  const jobs: { row: TsvRow; optimize: boolean }[] = [];
  for (const row of rows) {
    if (row.opt !== null) jobs.push({ row, optimize: true });
    if (row.unopt !== null) jobs.push({ row, optimize: false });
  }
  const results = new Array<Awaited<ReturnType<typeof tcpdumpListing>>>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let j = next++; j < jobs.length; j = next++) results[j] = await tcpdumpListing(jobs[j]!.row, jobs[j]!.optimize);
  };
  await Promise.all([worker(), worker()]);
  const lines: string[] = [];
  let errors = 0;
  let mismatches = 0;
  for (let j = 0; j < jobs.length; j++) {
    const { row, optimize } = jobs[j]!;
    const res = results[j]!;
    const tsvDdd = optimize ? row.opt! : row.unopt!;
    const base = { dlt: row.dlt, expr: row.expr, snaplen: row.snaplen, netmask: row.netmask };
    if ('error' in res) {
      errors++;
      lines.push(JSON.stringify({ ...base, optimize, tsv: tsvDdd, tcpdumpError: res.error }));
      continue;
    }
    const tcpdumpProg = formatDDDLine(parseProgram(res.ddd));
    const matchesTsv = tcpdumpProg === tsvDdd;
    if (!matchesTsv) mismatches++;
    // Merge with the optimized line of the same row when -O gives the identical listing.
    const prev = lines.length > 0 ? JSON.parse(lines[lines.length - 1]!) : null;
    if (!optimize && prev && prev.optimize === true && prev.dlt === row.dlt && prev.expr === row.expr && prev.d === res.d && prev.tsv === tsvDdd) {
      prev.optimize = 'both';
      lines[lines.length - 1] = JSON.stringify(prev);
      continue;
    }
    lines.push(JSON.stringify({ ...base, optimize, tsv: tsvDdd, matchesTsv, via: res.via, d: res.d, dd: res.dd, ddd: res.ddd }));
  }
  writeFileSync(join(outDir, 'tcpdump-listings.jsonl'), lines.join('\n') + '\n');
  console.log(`listings: ${jobs.length} (row, optimize) pairs, ${lines.length} lines, ${errors} tcpdump errors, ${mismatches} differ from the tsv`);
}

// ---------------------------------------------------------------- dump (libpcap bpf_dump)
function dumpPrograms(): CbpfProgram[] {
  const ks = [0, 1, 3, 42, 0x7fffffff, 0x80000000, 0xfffff000, 0xfffff004, 0xfffff028, 0xfffff030, 0xfffff03c, 0xfffff040, 0xffffffff];
  const jumps: [number, number][] = [[0, 0], [1, 2], [255, 255]];
  const codes = [...Array.from({ length: 256 }, (_, c) => c), 0x100, 0x105, 0x115, 0x1234, 0xffff];
  const progs: CbpfProgram[] = codes.map((code) => ks.flatMap((k) => jumps.map(([jt, jf]) => ({ code, jt, jf, k }))));
  // One long program (pc up to 1099) cycling through the opcodes, so 4-digit pcs are covered.
  let seed = 12345;
  const rand = (m: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % m; };
  progs.push(Array.from({ length: 1100 }, (_, i) => ({ code: i % 256, jt: rand(256), jf: rand(256), k: (rand(1 << 16) * 65599 + rand(1 << 16)) >>> 0 })));
  return progs;
}

function genDump(exe: string): void {
  const progs = dumpPrograms();
  const out = runHelper(exe, 'dump', progs.map(formatDDDLine).join('\n') + '\n');
  // Re-section the helper output as "== program", "-- d", "-- dd", "-- ddd".
  const chunks = out.split('@@ end\n').filter((c) => c !== '');
  if (chunks.length !== progs.length) throw new Error(`dump: expected ${progs.length} outputs, got ${chunks.length}`);
  const text = chunks.map((c, i) => {
    const m = /^@@ d\n([\s\S]*)@@ dd\n([\s\S]*)@@ ddd\n([\s\S]*)$/.exec(c);
    if (!m) throw new Error(`dump: bad helper output for program ${i}`);
    return `== program ${formatDDDLine(progs[i]!)}\n-- d\n${m[1]}-- dd\n${m[2]}-- ddd\n${m[3]}`;
  });
  writeFileSync(join(outDir, 'libpcap-bpf-dump.txt'), text.join(''));
  console.log(`dump: ${progs.length} programs, ${progs.reduce((s, p) => s + p.length, 0)} instructions`);
}

// ---------------------------------------------------------------- cases (libpcap bpf_filter)
async function genCases(exe: string): Promise<void> {
  const { CBPF_CASES, caseProgram, casePacket } = await import('../cbpf/cases.ts');
  const input = CBPF_CASES.map((c) => {
    const pkt = casePacket(c);
    return `${formatDDDLine(caseProgram(c))}\t${Buffer.from(pkt).toString('hex')}\t${c.wirelen ?? pkt.length}`;
  }).join('\n') + '\n';
  const out = runHelper(exe, 'filter', input).trim().split('\n');
  if (out.length !== CBPF_CASES.length) throw new Error(`cases: expected ${CBPF_CASES.length} results, got ${out.length}`);
  const lines = CBPF_CASES.map((c, i) => {
    const [valid, ...rest] = out[i]!.split(' ');
    const r = rest.join(' ');
    return JSON.stringify({ name: c.name, bpfValidate: valid === '1', bpfFilter: /^\d+$/.test(r) ? Number(r) : r });
  });
  writeFileSync(join(outDir, 'libpcap-cases.jsonl'), lines.join('\n') + '\n');
  console.log(`cases: ${lines.length}`);
}

// ---------------------------------------------------------------- random (libpcap bpf_filter)
async function genRandom(exe: string): Promise<void> {
  const { randomCases, digestOf, RANDOM_SEED, RANDOM_COUNT } = await import('../cbpf/random-programs.ts');
  const cases = randomCases(RANDOM_SEED, RANDOM_COUNT);
  const input = cases.map((c) => `${formatDDDLine(c.prog)}\t${Buffer.from(c.packet).toString('hex')}\t${c.wirelen}`).join('\n') + '\n';
  const out = runHelper(exe, 'filter', input).trim().split('\n');
  const results = out.map((l) => {
    const r = l.split(' ').slice(1).join(' ');
    if (!/^\d+$/.test(r)) throw new Error(`random: libpcap did not return a value: ${l}`);
    return Number(r);
  });
  const golden = { seed: RANDOM_SEED, count: RANDOM_COUNT, digest: digestOf(cases), results };
  writeFileSync(join(outDir, 'libpcap-random.json'), JSON.stringify(golden) + '\n');
  console.log(`random: ${results.length} cases, ${results.filter((r) => r !== 0).length} non-zero`);
}

// ---------------------------------------------------------------- kernel (SO_ATTACH_FILTER)
async function genKernel(exe: string): Promise<void> {
  const { randomValidatorPrograms, digestOfPrograms } = await import('../cbpf/random-programs.ts');
  const seed = 7;
  const count = 20000;
  const progs = randomValidatorPrograms(seed, count);
  // The helper reads "N,..." lines; an empty program is "0".
  const out = runHelper(exe, 'attach', progs.map(formatDDDLine).join('\n') + '\n').trim().split('\n');
  if (out.length !== progs.length) throw new Error(`kernel: expected ${progs.length} results, got ${out.length}`);
  const accepted = out.map((l) => (l === '1' ? '1' : l.startsWith('0 ') ? '0' : (() => { throw new Error(`kernel: bad line ${l}`); })())).join('');
  const kernel = spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim();
  // libpcap 1.10.3's bpf_validate on the same programs.
  const lv = runHelper(exe, 'validate', progs.map(formatDDDLine).join('\n') + '\n').trim().split('\n');
  if (lv.length !== progs.length || lv.some((l) => l !== '0' && l !== '1')) throw new Error('kernel: bad bpf_validate output');
  const libpcapValidate = lv.join('');
  writeFileSync(join(outDir, 'kernel-validate.json'), JSON.stringify({ kernel, seed, count, digest: digestOfPrograms(progs), accepted, libpcapValidate }) + '\n');
  console.log(`kernel ${kernel}: ${count} programs, ${accepted.split('').filter((c) => c === '1').length} accepted`);
}

try {
  const exe = buildHelper();
  if (only.has('kernel')) await genKernel(exe);
  if (only.has('random')) await genRandom(exe);
  if (only.has('dump')) genDump(exe);
  if (only.has('cases')) await genCases(exe);
  if (only.has('listings')) await genListings();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
