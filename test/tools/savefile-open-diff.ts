/**
 * Developer tool: explains a savefile-golden row (filters/savefile/<DLT>.jsonl) where tsdump's
 * selection differs from `tcpdump -r FILE EXPR`. For each capture of the link type it compiles the
 * expression on that capture's own savefile handle with libpcap (parity-oracle.c) and with tsdump,
 * runs both programs on the packets tsdump's reader delivers, and lists the packets whose verdicts
 * differ (index, caplen, wire length), then prints both programs (`-d` text).
 *
 *   npx tsx test/tools/savefile-open-diff.ts DLT 'EXPR'     one expression
 *   npx tsx test/tools/savefile-open-diff.ts --open [DLT] [CLASS]   the rows of filters/savefile/open.txt
 *                                                                  (of that link type / class)
 *
 * Needs gcc and libpcap (the oracle is built at run time).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { endianness } from 'node:os';
import { compile } from '../../src/filter/index.ts';
import { UserError } from '../../src/errors.ts';
import { interpret } from '../../src/cbpf/interpret.ts';
import { formatD } from '../../src/isa/cbpf/format.ts';
import type { CbpfProgram } from '../../src/isa/cbpf/types.ts';
import { FILTERS_DIR, REPO_ROOT } from './golden-paths.ts';
import { SAVEFILE_TARGETS, readSavefileCap, type SavefileCap } from './filter-savefile-golden.ts';
import { libpcapCompile } from './parity-harness.ts';
import { readsUnwrittenScratch } from './parity-explore.ts';
import { parityResolver } from './parity-names.ts';

type Cap = SavefileCap;
const readCap = readSavefileCap;

const capCache = new Map<string, Cap[]>();
function capsOf(dlt: string): Cap[] {
  let caps = capCache.get(dlt);
  if (!caps) {
    const lines = readFileSync(join(FILTERS_DIR, 'savefile', `${dlt}.jsonl`), 'utf8').split('\n');
    const head = JSON.parse(lines[0]!) as { files: { path: string }[] };
    caps = head.files.map((f) => readCap(f.path));
    capCache.set(dlt, caps);
  }
  return caps;
}

/** Per distinct compile key of the captures: both programs and the packets whose verdicts differ. */
export function explainRow(dlt: string, expr: string): string {
  const t = SAVEFILE_TARGETS.find((x) => x.dlt === dlt);
  if (!t) throw new Error(`unknown link type ${dlt}`);
  const out: string[] = [`== ${dlt}\t${expr}`];
  const byKey = new Map<string, Cap[]>();
  for (const c of capsOf(dlt)) {
    const key = `${c.snaplen}/${c.bigEndian ? 'be' : 'le'}`;
    byKey.set(key, [...(byKey.get(key) ?? []), c]);
  }
  const keys = [...byKey.keys()];
  const compiled = libpcapCompile(keys.map((key) => {
    const [snap, endian] = key.split('/') as [string, 'le' | 'be'];
    return { ctx: 'savefile', linkType: t.linkType, snaplen: Number(snap), endian, expr };
  }));
  for (const [ki, key] of keys.entries()) {
    const caps = byKey.get(key)!;
    const [snap, endian] = key.split('/') as [string, 'le' | 'be'];
    const theirs = compiled[ki]!;
    if (!theirs.ok) { out.push(`  ${key}: libpcap: ${theirs.error}`); continue; }
    const swapped = (endian === 'be') !== (endianness() === 'BE');
    let ours: CbpfProgram;
    try {
      ours = compile(expr, { linkType: t.linkType, snaplen: Number(snap), optimize: true, netmask: 0, context: 'savefile', swapped, resolver: parityResolver() });
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      const sel = caps.reduce((n, c) => n + c.packets.filter((p) => interpret(theirs.prog, p.data, p.wirelen) !== 0).length, 0);
      out.push(`  ${key}: tsdump: ${e.message}; libpcap selects ${sel} (${theirs.prog.length} insns)`);
      if (ki === 0) out.push('  libpcap:', ...formatD(theirs.prog).trimEnd().split('\n').map((l) => `    ${l}`));
      continue;
    }
    const diffs: string[] = [];
    let scratch = 0;
    for (const c of caps) {
      c.packets.forEach((p, i) => {
        const a = interpret(theirs.prog, p.data, p.wirelen);
        const b = interpret(ours, p.data, p.wirelen);
        if ((a !== 0) === (b !== 0)) return;
        if (readsUnwrittenScratch(theirs.prog, p)) { scratch++; return; }
        diffs.push(`${c.path}#${i} caplen ${p.data.length} len ${p.wirelen}: libpcap ${a} tsdump ${b}`);
      });
    }
    if (!diffs.length && !scratch && !process.env.ALL) continue;
    out.push(`  ${key}: ${diffs.length} packets differ${scratch ? ` (+${scratch} where libpcap reads unwritten scratch)` : ''}; sizes libpcap ${theirs.prog.length} tsdump ${ours.length}`);
    out.push(...diffs.slice(0, 8).map((d) => `    ${d}`));
    if (diffs.length) {
      out.push('  libpcap:', ...formatD(theirs.prog).trimEnd().split('\n').map((l) => `    ${l}`));
      out.push('  tsdump:', ...formatD(ours).trimEnd().split('\n').map((l) => `    ${l}`));
    }
  }
  return out.join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--open') {
    const rows = readFileSync(join(FILTERS_DIR, 'savefile', 'open.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    for (const l of rows) {
      const [dlt, expr, cls] = l.split('\t') as [string, string, string | undefined];
      if (args[1] && args[1] !== '-' && dlt !== args[1]) continue;
      if (args[2] && (cls ?? 'open') !== args[2]) continue;
      console.log(explainRow(dlt, expr));
    }
    return;
  }
  if (args.length !== 2) { console.error('usage: savefile-open-diff.ts DLT EXPR | --open [DLT]'); process.exit(2); }
  console.log(explainRow(args[0]!, args[1]!));
}

main();
