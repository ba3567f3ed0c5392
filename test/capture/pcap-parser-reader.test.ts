/**
 * Cross-check: our block reader and the npm pcap-parser adapter (`--reader pcap-parser`) must
 * yield identical records on every microsecond pcap of the corpus that both can read. The only
 * allowed differences are libpcap rules pcap-parser does not implement, each counted: records
 * longer than the snapshot length (we cut them, as libpcap does) and timestamps whose fields
 * have the top bit set (libpcap, and so we, read them as signed 32-bit). Files pcap-parser
 * rejects (not version 2.4) are listed, not compared.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture, type PacketRecord } from '../../src/capture/index.ts';
import { UserError } from '../../src/errors.ts';
import { corpusDir, haveCorpus, repoRoot } from './corpus.ts';

interface Snap {
  tsSec: number;
  tsUsec: number;
  caplen: number;
  wirelen: number;
  data: Buffer;
}
const snap = (p: PacketRecord): Snap => ({
  tsSec: p.tsSec >>> 0,
  tsUsec: Math.trunc(p.tsNsec / 1000) >>> 0,
  caplen: p.caplen,
  wirelen: p.wirelen,
  data: Buffer.from(p.data),
});

function readAll(path: string, reader: 'tsdump' | 'pcap-parser'): { recs: Snap[]; snaplen: number; error: UserError | null } {
  const r = openCapture(path, { reader });
  const recs: Snap[] = [];
  for (let p = r.next(); p; p = r.next()) recs.push(snap(p));
  r.close();
  return { recs, snaplen: r.info.snaplen, error: r.error };
}

describe('pcap-parser adapter', () => {
  it('reads the sample capture like our reader', () => {
    const path = join(repoRoot, 'captures/http.pcap');
    const a = readAll(path, 'tsdump');
    const b = readAll(path, 'pcap-parser');
    expect(a.recs.length).toBe(10);
    expect(b.recs).toEqual(a.recs);
    expect(b.error).toBeNull();
  });

  it('reports a truncated file after the intact packets', () => {
    const b = readAll(join(repoRoot, 'captures/http-truncated.pcap'), 'pcap-parser');
    expect(b.recs.length).toBe(6);
    expect(b.error).toBeInstanceOf(UserError);
    expect(b.error!.offset).toBeGreaterThan(0);
  });

  it('rejects pcapng (pcap-parser reads µs pcap only) with a UserError', () => {
    expect(() => openCapture(join(repoRoot, 'captures/http.pcapng'), { reader: 'pcap-parser' })).toThrow(UserError);
  });
});

describe.skipIf(!haveCorpus('pcap-parser cross-check'))('our reader = pcap-parser on every µs pcap of the corpus', () => {
  it('yields identical records', () => {
    const dir = join(corpusDir, 'tcpdump-captures');
    let compared = 0;
    let records = 0;
    let cut = 0;
    let signedTs = 0;
    const rejected: string[] = [];
    const mismatches: string[] = [];
    for (const f of readdirSync(dir).sort()) {
      const path = join(dir, f);
      const magic = readFileSync(path).subarray(0, 4).toString('hex');
      if (magic !== 'd4c3b2a1' && magic !== 'a1b2c3d4') continue;
      let b;
      try {
        b = readAll(path, 'pcap-parser');
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        rejected.push(f);
        continue;
      }
      const a = readAll(path, 'tsdump');
      compared++;
      // pcap-parser stops silently where we stop with an error; compare what both delivered.
      const n = a.error ? Math.min(a.recs.length, b.recs.length) : a.recs.length;
      if (!a.error && b.recs.length !== a.recs.length) mismatches.push(`${f}: ${a.recs.length} records vs pcap-parser ${b.recs.length}`);
      for (let i = 0; i < n; i++) {
        const x = a.recs[i]!;
        const y = b.recs[i];
        if (!y) break;
        records++;
        if (y.caplen > a.snaplen && x.caplen === a.snaplen && y.data.subarray(0, x.caplen).equals(x.data)) {
          cut++;
          continue;
        }
        if ((y.tsSec | 0) < 0 || (y.tsUsec | 0) < 0) signedTs++;
        if (x.tsSec !== y.tsSec || x.tsUsec !== y.tsUsec || x.caplen !== y.caplen || x.wirelen !== y.wirelen || !x.data.equals(y.data)) {
          mismatches.push(`${f} record ${i}`);
        }
      }
    }
    console.log(`pcap-parser cross-check: ${compared} files, ${records} records compared, ${cut} cut to snaplen, ${signedTs} with sign-bit timestamps; pcap-parser rejected ${rejected.length}: ${rejected.join(' ')}`);
    expect(compared).toBeGreaterThan(700);
    expect(mismatches).toEqual([]);
  });
});
