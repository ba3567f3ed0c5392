/**
 * The one loader for filters/verdicts/ (format: filters/verdicts/README.md) and for packet
 * sources in general. Tests never parse the golden files themselves.
 *
 * `loadVerdicts(dlt)` parses a `<DLT>.txt` file into its sources and rows, decoding the
 * run-length-encoded verdict lists into Uint32Arrays. `loadSourcePackets(file)` reads the packets
 * of every source with a small self-contained pcap/pcapng reader (test-side on purpose: it must
 * not depend on the capture module under test) and proves each source is byte-identical to what
 * libpcap read by recomputing the FNV-1a digest from the golden file. Sources from the shared
 * corpus may be absent on a machine without it; they are reported in `missing` and their packets
 * left out, and `globalIndex` maps each delivered packet back to its position in the verdict lists.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, FILTERS_DIR, REPO_ROOT } from './golden-paths.ts';

export const VERDICTS_DIR = join(FILTERS_DIR, 'verdicts');

export interface VerdictSource {
  index: number;
  /** `corpus:<path>` or `repo:<path>` as written in the file. */
  location: string;
  /** Absolute path on this machine. */
  path: string;
  count: number;
  digest: string;
  note: string;
}

export interface VerdictRow {
  kind: 'V' | 'E';
  /** 0-based data-row index in compiled-by-libpcap-1.10.3.tsv. */
  row: number;
  snaplen: number;
  /** The netmask as a 32-bit unsigned number (0xffffffff = unknown). */
  netmask: number;
  flags: string[];
  expr: string;
  /** V rows: the optimized program's return value per packet (all sources concatenated). */
  expected?: Uint32Array;
  /** V rows: the unoptimized program's, the same array object when identical. */
  expectedUnopt?: Uint32Array;
  /** E rows: libpcap's error text. */
  error?: string;
}

export interface VerdictFile {
  dlt: string;
  dltValue: number;
  linkType: number;
  sources: VerdictSource[];
  rows: VerdictRow[];
  totalPackets: number;
}

/** Link-type names that have a verdict file, sorted. */
export function listVerdictFiles(dir: string = VERDICTS_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4)).sort();
}

/** Decodes `262144*17,0*3,5` into exactly `n` values; throws on a count mismatch. */
export function decodeRle(text: string, n: number): Uint32Array {
  const out = new Uint32Array(n);
  if (text === '-') {
    if (n !== 0) throw new Error(`verdicts: '-' for ${n} packets`);
    return out;
  }
  let i = 0;
  for (const item of text.split(',')) {
    const star = item.indexOf('*');
    const value = Number(star < 0 ? item : item.slice(0, star));
    const run = star < 0 ? 1 : Number(item.slice(star + 1));
    if (!Number.isInteger(value) || !Number.isInteger(run) || run < 1 || i + run > n) throw new Error(`verdicts: bad RLE item '${item}' at packet ${i} of ${n}`);
    out.fill(value, i, i + run);
    i += run;
  }
  if (i !== n) throw new Error(`verdicts: RLE covers ${i} packets, expected ${n}`);
  return out;
}

/** Encodes values as `VALUE*COUNT` runs joined by commas (`-` when empty): decodeRle's inverse. */
export function encodeRle(values: ArrayLike<number>): string {
  if (values.length === 0) return '-';
  const items: string[] = [];
  let i = 0;
  while (i < values.length) {
    let j = i + 1;
    while (j < values.length && values[j] === values[i]) j++;
    items.push(j - i === 1 ? String(values[i]) : `${values[i]}*${j - i}`);
    i = j;
  }
  return items.join(',');
}

/** Resolves a `corpus:`/`repo:` location to an absolute path. */
export function resolveLocation(location: string): string {
  if (location.startsWith('corpus:')) return join(CORPUS_DIR, location.slice(7));
  if (location.startsWith('repo:')) return join(REPO_ROOT, location.slice(5));
  throw new Error(`verdicts: unknown source location '${location}'`);
}

export function parseVerdicts(text: string): VerdictFile {
  const file: VerdictFile = { dlt: '', dltValue: -1, linkType: -1, sources: [], rows: [], totalPackets: 0 };
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split('\t');
    const bad = (why: string) => new Error(`verdicts line ${lineNo}: ${why}: ${line.slice(0, 120)}`);
    switch (f[0]) {
      case 'dlt':
        file.dlt = f[1]!;
        file.dltValue = Number(f[2]);
        file.linkType = Number(f[3]);
        break;
      case 'source': {
        if (f.length < 6) throw bad('short source record');
        const s: VerdictSource = { index: Number(f[1]), location: f[2]!, path: resolveLocation(f[2]!), count: Number(f[3]), digest: f[4]!, note: f.slice(5).join('\t') };
        if (s.index !== file.sources.length) throw bad('source out of order');
        file.sources.push(s);
        file.totalPackets += s.count;
        break;
      }
      case 'V':
      case 'E': {
        // the expression is field 5; it cannot contain a TAB (it comes from a TSV file)
        if (f.length !== (f[0] === 'V' ? 8 : 7)) throw bad(`expected ${f[0] === 'V' ? 8 : 7} fields, got ${f.length}`);
        const row: VerdictRow = {
          kind: f[0],
          row: Number(f[1]),
          snaplen: Number(f[2]),
          netmask: Number(f[3]) >>> 0,
          flags: f[4] === '-' ? [] : f[4]!.split(','),
          expr: f[5]!,
        };
        if (f[0] === 'V') {
          row.expected = decodeRle(f[6]!, file.totalPackets);
          row.expectedUnopt = f[7] === '=' ? row.expected : decodeRle(f[7]!, file.totalPackets);
        } else row.error = f[6]!;
        file.rows.push(row);
        break;
      }
      default:
        throw bad('unknown record kind');
    }
  }
  if (!file.dlt) throw new Error('verdicts: no dlt record');
  return file;
}

export function loadVerdicts(dlt: string, dir: string = VERDICTS_DIR): VerdictFile {
  return parseVerdicts(readFileSync(join(dir, `${dlt}.txt`), 'utf8'));
}

/** One packet as libpcap delivered it. */
export interface GoldenPacket {
  data: Uint8Array;
  caplen: number;
  wirelen: number;
  /** Index of the source in the verdict file. */
  source: number;
  /** 0-based packet index within its source file. */
  indexInSource: number;
}

export interface LoadedPackets {
  packets: GoldenPacket[];
  /** globalIndex[i] is packets[i]'s index into the verdict arrays. */
  globalIndex: number[];
  /** Sources that are not on this machine (reference corpus absent), as locations. */
  missing: string[];
}

/** FNV-1a 32 over caplen, wirelen (LE32) and bytes of each packet, as 8 hex digits. */
export function packetsDigest(packets: readonly { data: Uint8Array; caplen: number; wirelen: number }[]): string {
  let h = 0x811c9dc5;
  const step = (b: number) => {
    h = Math.imul(h ^ b, 0x01000193) >>> 0;
  };
  for (const p of packets) {
    for (let i = 0; i < 4; i++) step((p.caplen >>> (8 * i)) & 255);
    for (let i = 0; i < 4; i++) step((p.wirelen >>> (8 * i)) & 255);
    for (let i = 0; i < p.caplen; i++) step(p.data[i]!);
  }
  return h.toString(16).padStart(8, '0');
}

/** The largest snapshot length libpcap 1.10.3 accepts for ordinary link types. */
const MAX_SNAPLEN = 262144;

/**
 * Reads up to `limit` packets of a pcap or pcapng file the way libpcap does for the cases the
 * corpus contains: records whose caplen exceeds the file's snapshot length are cut to it (the
 * rest of the record skipped), and reading stops at the first malformed record.
 */
export function readCaptureFile(path: string, limit = Infinity): { data: Uint8Array; caplen: number; wirelen: number }[] {
  const buf = readFileSync(path);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: { data: Uint8Array; caplen: number; wirelen: number }[] = [];
  if (buf.length < 4) return out;
  const magicLE = dv.getUint32(0, true);
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d || magicLE === 0xd4c3b2a1 || magicLE === 0x4d3cb2a1) {
    const le = magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d;
    let snap = dv.getUint32(16, le);
    if (snap === 0 || snap > MAX_SNAPLEN) snap = MAX_SNAPLEN;
    let o = 24;
    while (out.length < limit && o + 16 <= buf.length) {
      const caplen = dv.getUint32(o + 8, le);
      const wirelen = dv.getUint32(o + 12, le);
      if (caplen > MAX_SNAPLEN) break;
      if (o + 16 + caplen > buf.length) break;
      const keep = Math.min(caplen, snap);
      out.push({ data: buf.subarray(o + 16, o + 16 + keep), caplen: keep, wirelen });
      o += 16 + caplen;
    }
    return out;
  }
  if (magicLE === 0x0a0d0d0a) {
    let le = true;
    let o = 0;
    const snaps: number[] = [];
    while (out.length < limit && o + 12 <= buf.length) {
      const type = dv.getUint32(o, le);
      if (type === 0x0a0d0d0a) {
        le = dv.getUint32(o + 8, true) === 0x1a2b3c4d;
        snaps.length = 0;
      }
      const len = dv.getUint32(o + 4, le);
      if (len < 12 || o + len > buf.length) break;
      const body = o + 8;
      if (type === 1) {
        const s = dv.getUint32(body + 4, le);
        snaps.push(s === 0 || s > MAX_SNAPLEN ? MAX_SNAPLEN : s);
      } else if (type === 6 || type === 2) {
        const iface = type === 6 ? dv.getUint32(body, le) : dv.getUint16(body, le);
        const caplen = dv.getUint32(body + 12, le);
        const wirelen = dv.getUint32(body + 16, le);
        if (iface >= snaps.length || body + 20 + caplen > o + len) break;
        const keep = Math.min(caplen, snaps[iface]!);
        out.push({ data: buf.subarray(body + 20, body + 20 + keep), caplen: keep, wirelen });
      } else if (type === 3) {
        if (snaps.length === 0) break;
        const wirelen = dv.getUint32(body, le);
        const keep = Math.min(wirelen, snaps[0]!, len - 16);
        out.push({ data: buf.subarray(body + 4, body + 4 + keep), caplen: keep, wirelen });
      }
      o += len;
    }
    return out;
  }
  return out;
}

/**
 * Reads the packets of every source of `file` (first COUNT of each) and checks each source's
 * digest against the golden one: a mismatch throws, naming the source, because then the
 * verdicts would be compared against the wrong bytes.
 */
export function loadSourcePackets(file: VerdictFile): LoadedPackets {
  const packets: GoldenPacket[] = [];
  const globalIndex: number[] = [];
  const missing: string[] = [];
  let base = 0;
  for (const s of file.sources) {
    if (!existsSync(s.path)) {
      missing.push(s.location);
      base += s.count;
      continue;
    }
    const got = readCaptureFile(s.path, s.count);
    if (got.length !== s.count) throw new Error(`${s.location}: read ${got.length} packets, libpcap read ${s.count}`);
    const digest = packetsDigest(got);
    if (digest !== s.digest) throw new Error(`${s.location}: packet digest ${digest} differs from libpcap's ${s.digest} (reader disagrees with libpcap)`);
    got.forEach((p, i) => {
      packets.push({ ...p, source: s.index, indexInSource: i });
      globalIndex.push(base + i);
    });
    base += s.count;
  }
  return { packets, globalIndex, missing };
}
