/**
 * Shared helpers for the converter tests: the libpcap 1.10.3 programs of the corpus tsv (both
 * the optimized and the unoptimized listing of every row that compiles), parsed from their
 * `-ddd` form, and the expected verdict of a converted program per hook: the socket filter
 * returns the cBPF value, the XDP program (xdpResult 'action') its XDP_PASS / XDP_DROP mapping,
 * and sees the frame length as the wire length.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CbpfProgram } from '../../src/isa/cbpf/types.ts';
import { XDP_DROP, XDP_PASS } from '../../src/convert/index.ts';
import { loadConverted } from '../../src/pipeline.ts';
import type { ConvertHook } from '../../src/convert/index.ts';
import { convert } from '../../src/convert/index.ts';
import { createInterpreter } from '../../src/cbpf/interpret.ts';
import type { EngineName } from '../../src/runtime/index.ts';
import { corpusAvailable, CORPUS_DIR, IN_CI, parseTsv } from '../tools/golden-paths.ts';
import { loadSourcePackets, loadVerdicts } from '../tools/verdicts.ts';
import { createPacketBlock, type PacketBlock } from '../../src/runtime/batch.ts';

export const HOOKS: readonly ConvertHook[] = ['socket', 'xdp', 'tc'];

/** One libpcap program of the tsv. */
export interface TsvProgram { row: number; dlt: string; expr: string; optimized: boolean; prog: CbpfProgram }

/** Parses libpcap's `-ddd` listing as stored in the tsv: "count,code jt jf k,...". */
export function parseDdd(text: string): CbpfProgram {
  const items = text.split(',');
  const n = Number(items[0]);
  const prog = items.slice(1).map((t) => {
    const [code, jt, jf, k] = t.trim().split(/\s+/).map(Number);
    return { code: code!, jt: jt!, jf: jf!, k: k! >>> 0 };
  });
  if (prog.length !== n) throw new Error(`ddd listing says ${n} instructions, has ${prog.length}`);
  return prog;
}

/**
 * Every program of the tsv, or null (with a printed reason) when the reference corpus is absent;
 * under CI=true an absent corpus is an error.
 */
export function tsvPrograms(): TsvProgram[] | null {
  if (!corpusAvailable()) {
    const msg = `reference corpus not found at ${CORPUS_DIR}: the libpcap program tests are skipped`;
    if (IN_CI) throw new Error(`${msg} (CI=true: the corpus is required)`);
    console.warn(`SKIPPED: ${msg}`);
    return null;
  }
  const rows = parseTsv(readFileSync(join(CORPUS_DIR, 'libpcap', 'compiled-by-libpcap-1.10.3.tsv'), 'utf8'));
  const out: TsvProgram[] = [];
  for (const r of rows) {
    for (const optimized of [true, false]) {
      const ddd = r.fields[optimized ? 'bytecode_ddd_opt' : 'bytecode_ddd_unopt'];
      if (ddd) out.push({ row: r.index, dlt: r.dlt, expr: r.expression, optimized, prog: parseDdd(ddd) });
    }
  }
  return out;
}

/** True when the program has a backward `ja` (a loop the converter bounds at 64 jumps). */
export function hasBackwardJa(prog: CbpfProgram): boolean {
  return prog.some((i, pc) => i.code === 0x05 && pc + 1 + (i.k | 0) <= pc);
}

/**
 * Whether a converted result `got` may differ from the reference value `ref` only because the
 * two bound loops differently (64 backward jumps vs the interpreter's caplen-scaled budget):
 * then one of them ran out and returned 0.
 */
export function loopBudgetDifference(prog: CbpfProgram, hook: ConvertHook, got: number, ref: number): boolean {
  return hasBackwardJa(prog) && (ref === 0 || got === expectedAt(hook, 0));
}

/** What a converted program returns at `hook` when the classic program returns `value`. */
export function expectedAt(hook: ConvertHook, value: number): number {
  if (hook === 'tc') return value !== 0 ? 0 : 2; // TC_ACT_OK / TC_ACT_SHOT
  return hook === 'xdp' ? (value !== 0 ? XDP_PASS : XDP_DROP) : value;
}

/**
 * The verdict test body for one hook: for every link type of filters/verdicts, every V row's
 * libpcap programs (optimized and not, from the tsv) are converted and run on every golden
 * packet by each engine. The socket filter must return exactly libpcap's verdict; XDP sees the
 * frame length as the wire length, so its expectation is the reference interpreter's verdict
 * with wirelen = caplen, mapped to an action (and equal to libpcap's wherever `len` does not
 * matter, which the test also counts). Returns a summary; mismatches are listed in `failures`.
 */
export interface VerdictSummary { programs: number; runs: number; failures: string[]; goldenOnlyRows: number }

export function checkVerdicts(hook: ConvertHook, dlt: string, programs: readonly TsvProgram[], engines: readonly EngineName[]): VerdictSummary {
  const file = loadVerdicts(dlt);
  const loaded = loadSourcePackets(file);
  if (loaded.missing.length && IN_CI) throw new Error(`${dlt}: packet sources missing under CI=true: ${loaded.missing.slice(0, 3).join(', ')}`);
  const { packets, globalIndex } = loaded;
  const byRow = new Map(programs.filter((p) => p.dlt === dlt).map((p) => [`${p.row}/${p.optimized}`, p]));
  const sum: VerdictSummary = { programs: 0, runs: 0, failures: [], goldenOnlyRows: 0 };
  for (const row of file.rows) {
    if (row.kind !== 'V') continue;
    for (const optimized of [true, false]) {
      const p = byRow.get(`${row.row}/${optimized}`);
      if (!p) continue;
      const golden = optimized ? row.expected! : row.expectedUnopt!;
      const ref = createInterpreter(p.prog);
      // The tsv program must be the one the golden was made from (else it is not comparable).
      let goldenApplies = true;
      for (let i = 0; i < packets.length && goldenApplies; i++) {
        const pk = packets[i]!;
        if (ref(pk.data, pk.caplen, pk.wirelen) !== golden[globalIndex[i]!]) goldenApplies = false;
      }
      if (!goldenApplies) sum.goldenOnlyRows++;
      sum.programs++;
      const conv = convert(p.prog, { hook });
      for (const engine of engines) {
        const run = loadConverted(conv, hook, { engine });
        let bad = 0;
        let first = '';
        for (let i = 0; i < packets.length; i++) {
          const pk = packets[i]!;
          const got = run.run(pk.data, 0, pk.caplen, pk.wirelen);
          const want = hook === 'socket'
            ? (goldenApplies ? golden[globalIndex[i]!]! : ref(pk.data, pk.caplen, pk.wirelen))
            : expectedAt(hook, ref(pk.data, pk.caplen, pk.caplen));
          sum.runs++;
          if (got !== want) {
            if (bad++ === 0) first = `packet ${globalIndex[i]} (caplen ${pk.caplen}, wirelen ${pk.wirelen}): got ${got}, want ${want}`;
          }
        }
        if (bad) sum.failures.push(`[${dlt} row ${row.row}${optimized ? '' : ' unopt'} ${hook}/${engine}] ${JSON.stringify(p.expr)}: ${bad}/${packets.length} packets differ; first ${first}`);
      }
    }
  }
  return sum;
}

/**
 * A 4004-instruction program whose socket translation is longer than eBPF's 16-bit jumps reach:
 * 2000 pairs `ldx #c; ld [x + k]` (a new X each time, so a guard with a "return 0" exit each,
 * misaligned so each load is assembled from bytes), closed by a backward `ja` over all of it
 * to `ret a`. It needs a 32-bit `gotol` and exit islands; on a short packet it returns 0.
 */
export function farJumpProgram(): CbpfProgram {
  const n = 4000;
  return [
    { code: 0x01, jt: 0, jf: 0, k: 0 }, // ldx #0
    { code: 0x05, jt: 0, jf: 0, k: 1 }, // ja 3
    { code: 0x16, jt: 0, jf: 0, k: 0 }, // 2: ret a
    ...Array.from({ length: n }, (_, i) => (i % 2 ? { code: 0x40, jt: 0, jf: 0, k: 1 + (i % 7) } : { code: 0x01, jt: 0, jf: 0, k: i % 5 })),
    { code: 0x05, jt: 0, jf: 0, k: -(n + 2) >>> 0 }, // ja 2
  ];
}

/**
 * The packets as one PacketBlock of one buffer (the batch path's input); at the xdp hook, which
 * sees only the frame, each wire length is the captured length.
 */
export function packetBlockOf(packets: readonly { data: Uint8Array; wirelen: number }[], hook: ConvertHook): PacketBlock {
  const block = createPacketBlock(packets.length);
  block.buf = new Uint8Array(packets.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  packets.forEach((p, i) => {
    block.buf.set(p.data, at);
    block.offsets[i] = at;
    block.caplens[i] = p.data.length;
    block.wirelens[i] = hook === 'xdp' ? p.data.length : p.wirelen;
    at += p.data.length;
  });
  block.count = packets.length;
  return block;
}
