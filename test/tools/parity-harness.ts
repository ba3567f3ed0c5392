/**
 * The differential parity harness: tsdump's filter compiler against libpcap 1.10.3, on every
 * link type libpcap 1.10.3 compiles for, for every primitive of pcap-filter(7) and boolean
 * combinations of them, in each compile context tcpdump uses (`-r` savefile, `-d -y` dead
 * handle; DLT_NULL savefiles in both byte orders).
 *
 * For each (link type, context, expression) it compiles with libpcap (test/tools/parity-oracle.c,
 * built with gcc at run time) and with tsdump's `compile`, compares accept/reject, and when both
 * accept, generates packets that take both sides of every branch of both programs
 * (parity-explore.ts: concolic branch flipping + truncation at load boundaries), then compares
 * the verdict of tsdump's engine (the src/cbpf interpreter on tsdump's program) with libpcap's
 * own bpf_filter() on libpcap's program, packet by packet.
 *
 * Usage:
 *   npx tsx test/tools/parity-harness.ts [--only NAME,NAME] [--show N] [--exprs N]
 *   UPDATE_GOLDEN=1 npx tsx test/tools/parity-harness.ts --record   (rewrites filters/parity/)
 * Prints per link type and context: rows compared, packets, and disagreements (reject/accept
 * mismatches and verdict differences), then the first disagreements. Documented exceptions
 * (parity-exceptions.ts) are counted separately.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { compile } from '../../src/filter/index.ts';
import type { CompileContext } from '../../src/filter/index.ts';
import { UserError } from '../../src/errors.ts';
import { interpret } from '../../src/cbpf/interpret.ts';
import { parseProgram } from '../../src/isa/cbpf/parse.ts';
import type { CbpfProgram } from '../../src/isa/cbpf/types.ts';
import { LINK_TYPES, dltToLinkType } from '../../src/capture/link-types.ts';
import { Rng } from './packet-gen.ts';
import { explore, readsUnwrittenScratch } from './parity-explore.ts';
import type { XPkt } from './parity-explore.ts';
import { PARITY_PRIMITIVES, PARITY_REGRESSIONS, combos } from './parity-exprs.ts';
import { exceptionFor } from './parity-exceptions.ts';
import { parityResolver } from './parity-names.ts';

const here = dirname(fileURLToPath(import.meta.url));

export interface ParityCase { ctx: CompileContext; linkType: number; snaplen: number; endian: 'le' | 'be'; expr: string }

let oracleBin: string | null = null;
export function buildParityOracle(): string {
  if (oracleBin) return oracleBin;
  const dir = mkdtempSync(join(tmpdir(), 'parity-oracle-'));
  const bin = join(dir, 'parity-oracle');
  const r = spawnSync('gcc', ['-O2', '-Wall', '-o', bin, join(here, 'parity-oracle.c'), '-lpcap'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building parity-oracle failed: ${r.error?.message ?? r.stderr}`);
  oracleBin = bin;
  return bin;
}

function jobLine(kind: 'C' | 'F', c: ParityCase): string {
  if (/[\t\n\r]/.test(c.expr)) throw new Error(`expression with a tab or newline: ${JSON.stringify(c.expr)}`);
  return `${kind}\t${c.ctx}\t${c.linkType}\t${c.snaplen}\t${c.endian}\t1\t${c.expr}\n`;
}

function runOracle(input: string): string[] {
  const r = spawnSync(buildParityOracle(), [], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`parity-oracle failed (status ${r.status}, signal ${r.signal}): ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

export type LibpcapCompile = { ok: true; prog: CbpfProgram } | { ok: false; error: string };

/** libpcap's program (or error) for each case, in order. */
export function libpcapCompile(cases: readonly ParityCase[]): LibpcapCompile[] {
  const lines = runOracle(cases.map((c) => jobLine('C', c)).join(''));
  if (lines.length !== cases.length) throw new Error(`parity-oracle: ${lines.length} answers for ${cases.length} jobs`);
  return lines.map((l) => l.startsWith('ok\t') ? { ok: true, prog: parseProgram(l.slice(3), 'ddd-line') } : { ok: false, error: l.slice(l.indexOf('\t') + 1) });
}

/** libpcap's bpf_filter verdicts of each case's program on its packets. */
export function libpcapVerdicts(jobs: readonly { c: ParityCase; pkts: readonly XPkt[] }[]): number[][] {
  const parts: string[] = [];
  for (const j of jobs) {
    parts.push(jobLine('F', j.c));
    for (const p of j.pkts) parts.push(`P\t${p.wirelen}\t${Buffer.from(p.data).toString('hex')}\n`);
    parts.push('E\n');
  }
  const lines = runOracle(parts.join(''));
  if (lines.length !== jobs.length) throw new Error(`parity-oracle: ${lines.length} answers for ${jobs.length} jobs`);
  return lines.map((l, i) => {
    if (!l.startsWith('ok\t')) throw new Error(`parity-oracle: ${l} for ${jobs[i]!.c.expr}`);
    const s = l.slice(3);
    return s === '' ? [] : s.split(',').map(Number);
  });
}

export type OursCompile = { ok: true; prog: CbpfProgram } | { ok: false; error: string; code: string };

export function oursCompile(c: ParityCase): OursCompile {
  try {
    return { ok: true, prog: compile(c.expr, { linkType: c.linkType, snaplen: c.snaplen, optimize: true, netmask: 0, context: c.ctx, swapped: c.endian === 'be', resolver: parityResolver() }) };
  } catch (e) {
    if (e instanceof UserError) return { ok: false, error: e.message, code: e.code };
    return { ok: false, error: `CRASH ${(e as Error).stack}`, code: 'CRASH' };
  }
}

/** Link types the harness covers: every one 1.10.3 names and a savefile can carry. */
export function parityLinkTypes(): { name: string; linkType: number }[] {
  const seen = new Set<number>();
  const out: { name: string; linkType: number }[] = [];
  for (const t of LINK_TYPES) {
    if (!t.libpcap1103) continue;
    const lt = dltToLinkType(t.dlt);
    if (lt < 0 || seen.has(lt)) continue;
    seen.add(lt);
    out.push({ name: t.name, linkType: lt });
  }
  return out;
}

/** Seed packets for exploration: empty-ish, zeros, random. */
export function seedPackets(rng: Rng): XPkt[] {
  const z = new Uint8Array(96);
  const r = Uint8Array.from(rng.bytes(120));
  return [{ data: z, wirelen: 96 }, { data: r, wirelen: 120 }, { data: new Uint8Array(0), wirelen: 0 }];
}

export interface Disagreement { c: ParityCase; kind: 'we-reject' | 'we-accept' | 'verdict'; detail: string; exception?: string }

interface Stats { rows: number; bothReject: number; bothAccept: number; packets: number; disagree: number; excepted: number; undefinedScratch: number }

/** Runs the harness over cases; returns stats per "LINKNAME ctx[-be]" and the disagreements. */
export function runParity(cases: readonly ParityCase[], names: ReadonlyMap<number, string>, seed = 1): { stats: Map<string, Stats>; bad: Disagreement[]; recorded: RecordedRow[] } {
  const stats = new Map<string, Stats>();
  const bad: Disagreement[] = [];
  const recorded: RecordedRow[] = [];
  const theirs = libpcapCompile(cases);
  const jobs: { c: ParityCase; pkts: XPkt[]; ours: CbpfProgram; theirs: CbpfProgram; i: number }[] = [];
  const statOf = (c: ParityCase): Stats => {
    const k = `${names.get(c.linkType) ?? c.linkType} ${c.ctx}${c.endian === 'be' ? '-be' : ''}`;
    let s = stats.get(k);
    if (!s) { s = { rows: 0, bothReject: 0, bothAccept: 0, packets: 0, disagree: 0, excepted: 0, undefinedScratch: 0 }; stats.set(k, s); }
    return s;
  };
  const flag = (d: Disagreement) => {
    const s = statOf(d.c);
    const ex = exceptionFor(d.c, d.kind);
    if (ex) { s.excepted++; d.exception = ex; } else s.disagree++;
    bad.push(d);
  };
  cases.forEach((c, i) => {
    const s = statOf(c);
    s.rows++;
    const t = theirs[i]!;
    const o = oursCompile(c);
    if (!t.ok && !o.ok) { s.bothReject++; recorded.push({ c, error: t.error }); return; }
    if (!t.ok) {
      flag({ c, kind: 'we-accept', detail: `libpcap: ${t.error}` });
      const exception = exceptionFor(c, 'we-accept');
      recorded.push({ c, error: t.error, open: !exception, ...(exception ? { exception } : {}) });
      return;
    }
    if (!o.ok) { flag({ c, kind: 'we-reject', detail: `tsdump: ${o.error}` }); recorded.push({ c, pkts: [], verdicts: [], open: true }); return; }
    const rng = new Rng(seed * 7919 + i);
    const pkts = explore([t.prog, o.prog], seedPackets(rng), rng);
    jobs.push({ c, pkts, ours: o.prog, theirs: t.prog, i });
  });
  const verdicts = jobs.length ? libpcapVerdicts(jobs) : [];
  jobs.forEach((j, n) => {
    const s = statOf(j.c);
    s.bothAccept++;
    s.packets += j.pkts.length;
    const lv = verdicts[n]!;
    const diffs: string[] = [];
    j.pkts.forEach((p, pi) => {
      if (readsUnwrittenScratch(j.theirs, p)) { s.undefinedScratch++; lv[pi] = -1; return; }
      const ov = interpret(j.ours, p.data, p.wirelen);
      if ((ov !== 0) !== (lv[pi]! !== 0) || ov !== lv[pi]) diffs.push(`[caplen ${p.data.length} len ${p.wirelen} ours ${ov} libpcap ${lv[pi]}: ${Buffer.from(p.data.slice(0, 64)).toString('hex')}]`);
    });
    const exception = diffs.length ? exceptionFor(j.c, 'verdict') : undefined;
    if (diffs.length) flag({ c: j.c, kind: 'verdict', detail: `${diffs.length}/${j.pkts.length} packets differ, e.g. ${diffs[0]}` });
    recorded.push({ c: j.c, pkts: j.pkts, verdicts: lv, open: diffs.length > 0 && !exception, ...(exception ? { exception } : {}) });
  });
  return { stats, bad, recorded };
}

/** One recorded row of the golden slice: libpcap's error, or its verdicts on the packets. */
export interface RecordedRow { c: ParityCase; error?: string; pkts?: XPkt[]; verdicts?: number[]; open?: boolean; exception?: string }

/**
 * Whether the live context can be compared here: opening a capture handle needs root (or
 * CAP_NET_RAW). Without it the harness says so once and compares the other contexts.
 */
let liveChecked: boolean | undefined;
export function liveAvailable(): boolean {
  if (liveChecked === undefined) {
    liveChecked = process.getuid?.() === 0;
    if (!liveChecked) console.log('live context not compared: opening lo/any for libpcap needs root');
  }
  return liveChecked;
}

/** All cases for the given link types: every primitive and the combinations, in every context. */
export function allCases(lts: readonly { name: string; linkType: number }[], nCombos: number, seed = 1): ParityCase[] {
  const exprs = [...new Set([...PARITY_PRIMITIVES, ...PARITY_REGRESSIONS, ...combos(new Rng(seed), nCombos)])];
  const out: ParityCase[] = [];
  for (const { linkType } of lts) {
    const ctxs: [CompileContext, 'le' | 'be'][] = [['savefile', 'le'], ['dead', 'le']];
    if (linkType === 0 || linkType === 108) ctxs.push(['savefile', 'be']);
    // tcpdump -i: libpcap compiles on an activated handle (lo for Ethernet, any for Linux cooked).
    if ((linkType === 1 || linkType === 113) && liveAvailable()) ctxs.push(['live', 'le']);
    for (const [ctx, endian] of ctxs) for (const expr of exprs) out.push({ ctx, linkType, snaplen: 262144, endian, expr });
  }
  return out;
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const only = opt('--only')?.split(',');
  const show = Number(opt('--show') ?? 40);
  const nCombos = Number(opt('--exprs') ?? 120);
  const lts = parityLinkTypes().filter((t) => !only || only.includes(t.name));
  const names = new Map(lts.map((t) => [t.linkType, t.name]));
  const total: Stats = { rows: 0, bothReject: 0, bothAccept: 0, packets: 0, disagree: 0, excepted: 0, undefinedScratch: 0 };
  const allBad: Disagreement[] = [];
  const rec: RecordedRow[] = [];
  // One link type at a time keeps the oracle's input and the packet lists small.
  for (const lt of lts) {
    const { stats, bad, recorded } = runParity(allCases([lt], nCombos), names);
    for (const [k, s] of stats) {
      console.log(`${k.padEnd(34)} rows ${String(s.rows).padStart(5)}  both-accept ${String(s.bothAccept).padStart(5)}  both-reject ${String(s.bothReject).padStart(5)}  packets ${String(s.packets).padStart(6)}  disagree ${s.disagree}${s.excepted ? `  excepted ${s.excepted}` : ''}${s.undefinedScratch ? `  (libpcap reads unwritten scratch: ${s.undefinedScratch} packets not compared)` : ''}`);
      for (const f of Object.keys(total) as (keyof Stats)[]) total[f] += s[f];
    }
    allBad.push(...bad);
    rec.push(...recorded);
  }
  console.log(`TOTAL ${JSON.stringify(total)}`);
  const real = allBad.filter((d) => !d.exception);
  for (const d of real.slice(0, show)) console.log(`${d.kind} ${names.get(d.c.linkType)} ${d.c.ctx}${d.c.endian === 'be' ? '-be' : ''} '${d.c.expr}': ${d.detail}`);
  if (process.env.EXCEPTIONS) for (const d of allBad.filter((x) => x.exception)) console.log(`EXCEPTION ${names.get(d.c.linkType)} ${d.c.ctx} '${d.c.expr}': ${d.exception}`);
  if (args.includes('--record')) recordSlice(rec, names);
}

/** The golden slice for `npm test`: a seeded selection of rows, gzipped JSONL. */
function recordSlice(rows: readonly RecordedRow[], names: ReadonlyMap<number, string>): void {
  if (process.env.UPDATE_GOLDEN !== '1') { console.log('(--record needs UPDATE_GOLDEN=1)'); return; }
  const rng = new Rng(424242);
  // Every row that disagreed (flagged open: known, not yet fixed; or a documented exception,
  // with its reason), every row of a regression
  // expression, and a seeded share of the rest.
  // (on the common link types; on the others a quarter of them, to keep the file small).
  const regressions = new Set(PARITY_REGRESSIONS);
  const common = new Set(['EN10MB', 'RAW', 'LINUX_SLL', 'NULL', 'LOOP', 'IEEE802_11_RADIO']);
  const keep = rows.filter((r) => {
    const sampled = r.error !== undefined ? rng.chance(0.04) : rng.chance(0.12);
    const regression = regressions.has(r.c.expr) && (common.has(names.get(r.c.linkType) ?? '') || rng.chance(0.25));
    return r.open || r.exception !== undefined || regression || sampled;
  });
  const lines = keep.map((r) => JSON.stringify({
    lt: names.get(r.c.linkType), linkType: r.c.linkType, ctx: r.c.ctx, endian: r.c.endian, snaplen: r.c.snaplen, expr: r.c.expr,
    ...(r.error !== undefined ? { error: r.error } : { pkts: r.pkts!.map((p) => `${p.wirelen}:${Buffer.from(p.data).toString('hex')}`), verdicts: r.verdicts }),
    ...(r.open ? { open: true } : {}),
    ...(r.exception !== undefined ? { exception: r.exception } : {}),
  }));
  const dir = join(here, '../../filters/parity');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'slice.jsonl.gz'), gzipSync(lines.join('\n') + '\n', { level: 9 }));
  console.log(`recorded ${keep.length} rows in filters/parity/slice.jsonl.gz`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
