/**
 * Integrity of the filter golden data itself (filters/), independent of the compiler: the shared
 * loader parses every file, the verdict lists cover exactly the packets the sources deliver (the
 * per-source FNV digests prove our reader sees libpcap's bytes), every tsv row appears exactly
 * once, and — where gcc and libpcap are installed — a sample of rows re-run through the live
 * libpcap oracle still gives the committed answers (so stale goldens are caught).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { listVerdictFiles, loadVerdicts, loadSourcePackets, decodeRle, encodeRle, parseVerdicts } from '../tools/verdicts.ts';
import { corpusAvailable, CORPUS_DIR, FILTERS_DIR, IN_CI, parseTsv } from '../tools/golden-paths.ts';
import { oracleBatch, buildOracle } from '../tools/libpcap-oracle.ts';
import { Rng } from '../tools/packet-gen.ts';

describe('verdict file format', () => {
  it('decodes run-length lists and rejects bad ones', () => {
    expect([...decodeRle('0*3,262144,5*2', 6)]).toEqual([0, 0, 0, 262144, 5, 5]);
    expect(decodeRle('-', 0).length).toBe(0);
    expect(() => decodeRle('0*3', 4)).toThrow(/covers 3 packets/);
    expect(() => decodeRle('0*5', 4)).toThrow(/bad RLE item/);
    expect(() => decodeRle('x', 1)).toThrow(/bad RLE item/);
    expect(encodeRle([7, 7, 0, 1, 1, 1])).toBe('7*2,0,1*3');
  });

  it('rejects malformed records with the line number', () => {
    const head = 'dlt\tEN10MB\t1\t1\nsource\t0\trepo:x.pcap\t2\t00000000\tok\n';
    expect(parseVerdicts(head + 'V\t0\t262144\t0xffffffff\t-\tip\t0*2\t=\n').rows[0]!.expected!.length).toBe(2);
    expect(() => parseVerdicts(head + 'V\t0\t262144\t0xffffffff\t-\tip\t0*2\n')).toThrow(/line 3: expected 8 fields/);
    expect(() => parseVerdicts(head + 'Q\t1\n')).toThrow(/unknown record kind/);
    expect(() => parseVerdicts('source\t1\trepo:x\t1\t0\tok\n')).toThrow(/out of order/);
  });
});

describe('filters/verdicts integrity', () => {
  const dlts = listVerdictFiles();
  it('has one file per tsv link type and every tsv row appears at most once', () => {
    expect(dlts.length).toBeGreaterThan(25);
    const seen = new Set<number>();
    for (const d of dlts) for (const r of loadVerdicts(d).rows) {
      expect(seen.has(r.row), `row ${r.row} twice`).toBe(false);
      seen.add(r.row);
    }
  });

  const haveCorpus = corpusAvailable();
  if (!haveCorpus) console.warn(`${IN_CI ? 'FAIL (CI=true)' : 'SKIP'} tsv coverage check: reference corpus not found at ${CORPUS_DIR}`);
  it.skipIf(!haveCorpus && !IN_CI)('covers every tsv row, as V exactly when the tsv says 1.10.3 compiles it', () => {
    if (!haveCorpus) throw new Error(`reference corpus not found at ${CORPUS_DIR} (CI=true: required)`);
    const tsv = parseTsv(readFileSync(join(CORPUS_DIR, 'libpcap', 'compiled-by-libpcap-1.10.3.tsv'), 'utf8'));
    const seen = new Map<number, { expr: string; kind: string }>();
    for (const d of dlts) for (const r of loadVerdicts(d).rows) seen.set(r.row, { expr: r.expr, kind: r.kind });
    expect(seen.size).toBe(tsv.length);
    for (const r of tsv) expect(seen.get(r.index)?.expr, `tsv row ${r.index}`).toBe(r.expression);
    // `namedb` rows are recorded with libpcap's test name database (gen-filter-namedb.ts); the
    // tsv was compiled without it, so its `compiles` does not apply to them.
    const namedb = new Set<number>();
    for (const d of dlts) for (const r of loadVerdicts(d).rows) if (r.flags.includes('namedb')) namedb.add(r.row);
    const disagree = tsv.filter((r) => !namedb.has(r.index) && (r.fields.compiles === 'yes') !== (seen.get(r.index)?.kind === 'V'));
    expect(disagree.map((r) => `${r.dlt}: ${r.expression}`)).toEqual([]);
  });

  it('every source delivers exactly the packets libpcap read (digests), verdict lists cover them', () => {
    let packets = 0;
    for (const d of dlts) {
      const f = loadVerdicts(d);
      const l = loadSourcePackets(f); // throws on a digest or count mismatch
      if (l.missing.length && IN_CI) throw new Error(`${d}: sources missing under CI=true`);
      packets += l.packets.length;
      for (const r of f.rows) if (r.kind === 'V') expect(r.expected!.length).toBe(f.totalPackets);
    }
    console.log(`golden-data: ${dlts.length} verdict files, ${packets} packets verified by digest`);
    expect(packets).toBeGreaterThan(0);
  });
});

describe('committed goldens still match the local libpcap', () => {
  const version = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  const haveLibpcap = version.status === 0 && /libpcap version 1\.10\.3/.test(version.stdout + version.stderr);
  let oracleOk = false;
  let why = '';
  if (haveLibpcap) {
    try {
      buildOracle();
      oracleOk = true;
    } catch (e) {
      why = (e as Error).message;
    }
  } else why = 'tcpdump/libpcap 1.10.3 not installed';
  if (!oracleOk && IN_CI) throw new Error(`libpcap oracle unavailable under CI=true: ${why}`);
  if (!oracleOk) console.warn(`SKIP live libpcap re-check: ${why}`);
  it.skipIf(!oracleOk)('a seeded sample of 60 verdict rows re-run through libpcap-oracle gives the committed verdicts', () => {
    const rng = new Rng(20261124);
    const dlts = listVerdictFiles();
    let checked = 0;
    for (let n = 0; n < 60; n++) {
      const f = loadVerdicts(rng.pick(dlts));
      // (namedb rows need the test name database in libpcap's process: see gen-filter-namedb.ts)
      const rows = f.rows.filter((r) => r.kind === 'V' && !r.flags.includes('namedb'));
      if (!rows.length) continue;
      // re-run on the sources present here (all of them when the reference corpus is available)
      const present = f.sources.filter((s) => existsSync(s.path));
      const paths = present.map((s) => s.path);
      const starts = f.sources.map((_, i) => f.sources.slice(0, i).reduce((a, s) => a + s.count, 0));
      const subset = (all: Uint32Array) => present.flatMap((s) => [...all.subarray(starts[s.index]!, starts[s.index]! + s.count)]);
      const row = rng.pick(rows);
      const [opt, unopt] = oracleBatch(paths, [true, false].map((optimize) => ({ dlt: f.dlt, snaplen: row.snaplen, netmask: '0x' + row.netmask.toString(16), optimize, expr: row.expr })));
      expect(opt, `${f.dlt} row ${row.row}`).toEqual({ ok: true, rle: encodeRle(subset(row.expected!)) });
      expect(unopt, `${f.dlt} row ${row.row} -O`).toEqual({ ok: true, rle: encodeRle(subset(row.expectedUnopt!)) });
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it.skipIf(!oracleOk)('the reject file still says libpcap rejects a seeded sample of 40 expressions', () => {
    const rows = readFileSync(join(FILTERS_DIR, 'reject-1.10.3.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { dlt: string; expr: string; netmask: string; error: string }).filter((r) => !r.error.startsWith('(unoptimized only)'));
    const rng = new Rng(7);
    const sample = Array.from({ length: 40 }, () => rng.pick(rows));
    const answers = oracleBatch([], sample.map((r) => ({ dlt: r.dlt, snaplen: 262144, netmask: r.netmask, optimize: true, expr: r.expr })));
    answers.forEach((a, i) => expect(a, sample[i]!.expr).toEqual({ ok: false, error: sample[i]!.error }));
  });
});

