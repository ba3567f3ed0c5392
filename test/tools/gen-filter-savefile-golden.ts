/**
 * Regenerates filters/savefile/: what `tcpdump -r FILE EXPR` selects, for ≥ 2,000 seeded
 * expressions per common link type, on every corpus capture of that link type (plus the
 * committed generated packets for it), recorded compactly so a test can check that tsdump
 * selects exactly the same packets.
 *
 *   UPDATE_GOLDEN=1 nice npx tsx test/tools/gen-filter-savefile-golden.ts
 *
 * Technique: test/tools/parity-oracle.c's `files` mode opens each capture with
 * pcap_open_offline() and compiles every expression on that savefile handle — the context
 * tcpdump -r compiles in (netmask 0, optimizer on) — then runs pcap_offline_filter() on the
 * file's packets. Per expression the golden keeps only the number of selected packets and an
 * FNV-1a hash over "file:index,index,...;" for all files with a selection, or libpcap's error.
 * Expressions: ExprGen (filter-expr-gen.ts; constants sampled from the packets) plus the parity
 * harness's primitives and seeded combinations (encapsulations, savefile-only behaviour), names
 * only from the parity name tables (test/tools/parity-names.ts) so any machine resolves them alike.
 *
 * Of the candidates, the first COUNT (2,000) that libpcap accepts are kept, and the rejected ones
 * up to a tenth of that (so rejection is compared too).
 * Output, per link type: filters/savefile/<DLT>.jsonl — a header line {dlt, linkType, files:
 * [{path, packets}]} then one line per expression: [expr, count, hash] or [expr, "E", error].
 * NULL also gets a big-endian copy of its generated packets (filters/savefile/NULL-be.pcap):
 * libpcap compares the address family in the file's byte order.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT, CORPUS_DIR, FILTERS_DIR } from './golden-paths.ts';
import { Rng } from './packet-gen.ts';
import { buildPool, ExprGen, type GenFlavor } from './filter-expr-gen.ts';
import { PARITY_PRIMITIVES, combos } from './parity-exprs.ts';
import { buildParityOracle } from './parity-harness.ts';
import { readPcap } from '../filter/helpers/vm.ts';
import { fnv1a, SAVEFILE_TARGETS } from './filter-savefile-golden.ts';

if (process.env.UPDATE_GOLDEN !== '1') {
  console.error('gen-filter-savefile-golden: set UPDATE_GOLDEN=1 to overwrite filters/savefile/');
  process.exit(2);
}

const OUT = join(FILTERS_DIR, 'savefile');
mkdirSync(OUT, { recursive: true });
const COUNT = Number(process.env.COUNT ?? 2000);

/** Where the IP header starts in a frame of each flavor (for sampling constants), or -1. */
const IP_AT: Record<string, (f: Uint8Array) => number> = {
  EN10MB: (f) => (f.length > 34 && f[12] === 8 && f[13] === 0 ? 14 : -1),
  RAW: () => 0,
  LINUX_SLL: (f) => (f.length > 36 && f[14] === 8 && f[15] === 0 ? 16 : -1),
  NULL: () => 4,
  LOOP: () => 4,
  IEEE802_11_RADIO: (f) => {
    if (f.length < 8) return -1;
    const rt = f[2]! | (f[3]! << 8);
    const q = (f[rt]! & 0x8c) === 0x88 ? 26 : 24;
    const llc = rt + q;
    return f.length > llc + 28 && f[llc + 6] === 8 && f[llc + 7] === 0 ? llc + 8 : -1;
  },
};
const FLAVOR: Record<string, GenFlavor> = { EN10MB: 'ether', RAW: 'ip-only', LINUX_SLL: 'cooked', NULL: 'ip-only', LOOP: 'ip-only', IEEE802_11_RADIO: 'wlan' };

/** Writes the packets of a little-endian pcap as a big-endian pcap (header and record headers swapped). */
function toBigEndian(src: string, dst: string): void {
  const b = readFileSync(src);
  const out = Buffer.alloc(b.length);
  b.copy(out);
  const sw32 = (o: number) => out.writeUInt32BE(b.readUInt32LE(o), o);
  const sw16 = (o: number) => out.writeUInt16BE(b.readUInt16LE(o), o);
  sw32(0); sw16(4); sw16(6); sw32(8); sw32(12); sw32(16); sw32(20);
  for (let o = 24; o + 16 <= b.length;) {
    const caplen = b.readUInt32LE(o + 8);
    sw32(o); sw32(o + 4); sw32(o + 8); sw32(o + 12);
    o += 16 + caplen;
  }
  writeFileSync(dst, out);
}

const bin = buildParityOracle();
const corpusCaps = join(CORPUS_DIR, 'tcpdump-captures');
const corpusFiles = readdirSync(corpusCaps).filter((f) => f.endsWith('.pcap')).sort().map((f) => join(corpusCaps, f));

SAVEFILE_TARGETS.forEach((t, ti) => {
  const files: string[] = [];
  for (const f of corpusFiles) { const r = readPcap(f); if (r && r.linkType === t.linkType) files.push(f); }
  for (const g of t.generated) {
    const p = join(REPO_ROOT, g);
    if (g.endsWith('NULL-be.pcap') && !existsSync(p)) toBigEndian(join(FILTERS_DIR, 'random/packets/NULL.pcap'), p);
    files.push(p);
  }
  const frames: Uint8Array[] = [];
  const fileInfo = files.map((f) => { const r = readPcap(f)!; for (const p of r.packets) frames.push(p.data); return { path: relative(REPO_ROOT, f), packets: r.packets.length }; });
  const rng = new Rng(9000 + ti);
  const pool = buildPool(frames, IP_AT[t.dlt]!, t.dlt === 'EN10MB' ? 0 : null, rng);
  const gen = new ExprGen(rng, pool, FLAVOR[t.dlt]!);
  const exprs: string[] = [];
  const seen = new Set<string>();
  const push = (e: string) => { if (!seen.has(e) && !/[\t\n]/.test(e)) { seen.add(e); exprs.push(e); } };
  for (const e of PARITY_PRIMITIVES) push(e);
  for (const e of combos(rng, Math.floor(COUNT / 4))) push(e);
  for (let guard = 0; exprs.length < 2 * COUNT && guard < COUNT * 40; guard++) push(gen.expr());
  const r = spawnSync(bin, ['files', ...files], { input: exprs.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`parity-oracle files failed: ${r.stderr}`);
  const lines = r.stdout.split('\n').slice(0, -1);
  if (lines.length !== exprs.length) throw new Error(`${t.dlt}: ${lines.length} answers for ${exprs.length} expressions`);
  const out: string[] = [JSON.stringify({ dlt: t.dlt, linkType: t.linkType, files: fileInfo })];
  let errors = 0, selected = 0, accepted = 0;
  lines.forEach((l, i) => {
    const fields = l.split('\t');
    const errAt = fields.findIndex((f) => f.startsWith('error '));
    // Keep COUNT expressions libpcap accepts, and the rejected ones up to a tenth of that.
    if (errAt >= 0 ? errors >= COUNT / 10 : accepted >= COUNT) return;
    if (errAt >= 0) {
      errors++;
      out.push(JSON.stringify([exprs[i], 'E', fields[errAt]!.slice(6)]));
      return;
    }
    let count = 0;
    const parts: string[] = [];
    fields.forEach((f, fi) => { if (f !== '') { parts.push(`${fileInfo[fi]!.path}:${f};`); count += f.split(',').length; } });
    selected += count;
    accepted++;
    out.push(JSON.stringify([exprs[i], count, fnv1a(parts.join(''))]));
  });
  writeFileSync(join(OUT, `${t.dlt}.jsonl`), out.join('\n') + '\n');
  console.log(`${t.dlt}: ${accepted} expressions libpcap accepts + ${errors} it rejects, ${files.length} captures, ${frames.length} packets, ${selected} selections`);
});
