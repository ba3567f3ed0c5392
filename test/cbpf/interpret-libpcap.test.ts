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
 * Needs the shared corpus (tsv and corpus captures): skipped with a message when it is absent,
 * except under CI=true.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createInterpreter } from '../../src/cbpf/interpret.ts';
import { parseProgram } from '../../src/isa/cbpf/parse.ts';
import { openCapture } from '../../src/capture/index.ts';
import { listVerdictFiles, loadVerdicts, packetsDigest, type VerdictFile } from '../tools/verdicts.ts';
import { corpusFile, inCI } from './corpus-path.ts';

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

const tsvPath = corpusFile('libpcap/compiled-by-libpcap-1.10.3.tsv');
const tsv = tsvPath
  ? (() => {
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
    })()
  : null;

const files = listVerdictFiles();
let total = 0;

describe.skipIf(!tsv)('interpreter vs libpcap 1.10.3 verdicts (filters/verdicts)', () => {
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
      if (missing > 0) console.warn(`SKIP: ${dlt}: ${missing} packet sources not found (shared corpus absent?)`);
      expect(packets.length).toBe(v.totalPackets);

      let checked = 0;
      const mismatches: string[] = [];
      for (const row of v.rows) {
        if (row.kind !== 'V') continue;
        const t = tsv![row.row]!;
        expect(t.expr, `tsv row ${row.row}`).toBe(row.expr);
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
