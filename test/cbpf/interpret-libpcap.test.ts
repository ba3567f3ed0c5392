/**
 * The reference interpreter against libpcap 1.10.3's own verdicts: for every link type of
 * filters/verdicts/ and every tsv row libpcap compiles, run the tsv's bytecode (the program
 * libpcap 1.10.3 emits, optimized and unoptimized) through createInterpreter on every packet
 * (corpus captures of that link type plus generated packets) and compare with
 * pcap_offline_filter's return value, packet by packet.
 *
 * Packets are read with tsdump's openCapture (first COUNT packets of each source, as libpcap read
 * them); the source's FNV-1a digest from the golden file proves they are the same bytes.
 * Verdict files are parsed by the shared loader test/tools/verdicts.ts.
 * Without the reference corpus (not allowed under CI=true) the corpus captures are skipped with a
 * message and the tsv bytecode comes from the committed listings golden, so the generated
 * packets (in the repository) are still checked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createInterpreter } from '../../src/cbpf/interpret.ts';
import { parseProgram } from '../../src/isa/cbpf/parse.ts';
import { openCapture } from '../../src/capture/index.ts';
import { listVerdictFiles, loadVerdicts, packetsDigest, type VerdictFile } from '../tools/verdicts.ts';
import { corpusFile, goldenDir, inCI } from './corpus-path.ts';

interface Pkt { data: Uint8Array; caplen: number; wirelen: number }

/** The first `count` packets of a capture, copied out of the reader's buffer. */
function readPackets(path: string, count: number): Pkt[] {
  const r = openCapture(path);
  const out: Pkt[] = [];
  try {
    for (let rec = r.next(); rec && out.length < count; rec = r.next()) {
      out.push({ data: rec.data.slice(0, rec.caplen), caplen: rec.caplen, wirelen: rec.wirelen });
    }
  } finally {
    r.close();
  }
  return out;
}

interface TsvRow { expr: string; opt: string | null; unopt: string | null }

/** The tsv rows from the reference corpus, or null (with a note) when it is absent. */
function readTsv(): TsvRow[] | null {
  const tsvPath = corpusFile('libpcap/compiled-by-libpcap-1.10.3.tsv');
  if (!tsvPath) return null;
  const lines = readFileSync(tsvPath, 'utf8').split('\n').filter((l) => l !== '');
  const head = lines[0]!.split('\t');
  const col = (n: string): number => head.indexOf(n);
  return lines.slice(1).map((l) => {
    const f = l.split('\t');
    return {
      expr: f[col('expression')]!,
      opt: f[col('compiles')] === 'yes' ? f[col('bytecode_ddd_opt')]! : null,
      unopt: f[col('compiles_unopt')] === 'yes' ? f[col('bytecode_ddd_unopt')]! : null,
    };
  });
}

/**
 * Without the corpus, the tsv bytecode still is in the committed tcpdump listings golden (field
 * `tsv`), keyed by link type, expression, snaplen and netmask; the generated packets of
 * filters/verdicts/packets are in the repository, so the comparison still runs on them.
 */
const listingBytecode = new Map<string, { opt: string | null; unopt: string | null }>();
for (const line of readFileSync(join(goldenDir, 'tcpdump-listings.jsonl'), 'utf8').trim().split('\n')) {
  const l = JSON.parse(line) as { dlt: string; expr: string; snaplen: number; netmask: string; optimize: boolean | 'both'; tsv: string };
  const key = `${l.dlt}\t${l.expr}\t${l.snaplen}\t${Number(l.netmask) >>> 0}`;
  const e = listingBytecode.get(key) ?? { opt: null, unopt: null };
  if (l.optimize !== false) e.opt = l.tsv;
  if (l.optimize !== true) e.unopt = l.tsv;
  listingBytecode.set(key, e);
}

const tsv = readTsv();
const files = listVerdictFiles();
let total = 0;

describe('interpreter vs libpcap 1.10.3 verdicts (filters/verdicts)', () => {
  it('has verdict files', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  afterAll(() => console.log(`interpret-libpcap: ${total} (program, packet) verdicts compared`));

  for (const file of files) {
    const dlt = file.replace(/^.*\//, '').replace(/\.txt$/, '');
    it(`${dlt}: every tsv program, every packet`, () => {
      const v: VerdictFile = loadVerdicts(dlt);
      // Packets of all sources, concatenated; null where a source is not on this machine.
      const packets: (Pkt | null)[] = [];
      let missing = 0;
      for (const s of v.sources) {
        if (!existsSync(s.path)) {
          if (inCI) throw new Error(`CI=true but packet source ${s.location} is missing`);
          missing++;
          for (let i = 0; i < s.count; i++) packets.push(null);
          continue;
        }
        const got = readPackets(s.path, s.count);
        expect(got.length, `${s.location}: packets read by openCapture`).toBe(s.count);
        expect(packetsDigest(got), `${s.location}: digest of the packets openCapture read`).toBe(s.digest);
        packets.push(...got);
      }
      if (missing > 0) console.warn(`SKIP: ${dlt}: ${missing} packet sources not found (reference corpus absent?)`);
      expect(packets.length).toBe(v.totalPackets);

      let checked = 0;
      const mismatches: string[] = [];
      for (const row of v.rows) {
        if (row.kind !== 'V') continue;
        let t: { opt: string | null; unopt: string | null };
        if (tsv) {
          t = tsv[row.row]!;
          expect(tsv[row.row]!.expr, `tsv row ${row.row}`).toBe(row.expr);
        } else {
          const fromListings = listingBytecode.get(`${dlt}\t${row.expr}\t${row.snaplen}\t${row.netmask >>> 0}`);
          expect(fromListings, `listing golden for ${dlt} ${JSON.stringify(row.expr)}`).toBeDefined();
          t = fromListings!;
        }
        const variants: [string, string | null, Uint32Array | undefined][] = [
          ['opt', t.opt, row.expected],
          ['unopt', t.unopt, row.expectedUnopt],
        ];
        for (const [name, bytecode, expected] of variants) {
          if (bytecode === null || !expected) continue;
          const f = createInterpreter(parseProgram(bytecode));
          for (let i = 0; i < packets.length; i++) {
            const p = packets[i];
            if (!p) continue;
            const r = f(p.data, p.caplen, p.wirelen);
            checked++;
            if (r !== expected[i] && mismatches.length < 10) {
              mismatches.push(`row ${row.row} ${JSON.stringify(row.expr)} ${name} packet ${i}: ours ${r}, libpcap ${expected[i]}`);
            }
          }
        }
      }
      expect(mismatches).toEqual([]);
      // Every compiled row was run on every packet (BACNET_MS_TP, for one, has no packets at all).
      const vRows = v.rows.filter((r) => r.kind === 'V').length;
      if (missing === 0 && packets.length > 0 && vRows > 0) expect(checked).toBeGreaterThanOrEqual(vRows * packets.length);
      total += checked;
    });
  }
});
