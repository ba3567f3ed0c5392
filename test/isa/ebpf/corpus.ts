/**
 * Reads the bpf_conformance corpus (test/corpus/bpf_conformance relative to the repository
 * root): the sectioned `.data` files (`-- asm`, `-- mem`, `-- result`, `-- error`, `-- raw`)
 * and the JSONL of programs assembled by the suite's own assembler. Tests skip with a clear
 * message when the corpus is absent, except under CI=true where absence is a failure.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CONFORMANCE_DIR = resolve(repoRoot, 'test/corpus/bpf_conformance');
export const corpusPresent = existsSync(join(CONFORMANCE_DIR, 'tests'));
/** Why corpus tests are skipped (undefined when they run). Under CI=true a missing corpus fails instead. */
export const corpusSkipReason = corpusPresent ? undefined : `bpf_conformance corpus not found at ${CONFORMANCE_DIR} (expected in test/corpus)`;
if (!corpusPresent && process.env.CI === 'true') throw new Error(`CI=true but ${corpusSkipReason}`);
if (!corpusPresent) console.warn(`SKIP: ${corpusSkipReason}`);

export interface DataFile {
  file: string;
  sections: Map<string, string>;
  asm?: string;
  mem: Uint8Array;
  /** Expected r0 as unsigned 64-bit, when the test has a `-- result`. */
  result?: bigint;
  /** Expected error substring, when the test has `-- error` (may be empty). */
  error?: string;
  /** `-- raw` bytes (64-bit hex words), when present. */
  raw?: Uint8Array;
}

/** Parses one `.data` file into its sections. */
export function parseDataFile(file: string, text: string): DataFile {
  const sections = new Map<string, string>();
  let cur: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^-- (.*)$/.exec(line);
    if (m) { cur = m[1]!.trim(); sections.set(cur, ''); continue; }
    if (cur !== undefined) sections.set(cur, sections.get(cur)! + line + '\n');
  }
  const memHex = (sections.get('mem') ?? '').replace(/#.*$/gm, '').replace(/\s+/g, '');
  const res = sections.get('result')?.trim();
  const rawText = sections.get('raw');
  let raw: Uint8Array | undefined;
  if (rawText !== undefined) {
    const words = rawText.split(/\s+/).filter((w) => w !== '');
    if (words.every((w) => /^0x/i.test(w))) {
      // 64-bit little-endian instruction words.
      raw = new Uint8Array(words.length * 8);
      const dv = new DataView(raw.buffer);
      words.forEach((w, n) => dv.setBigUint64(n * 8, BigInt(w), true));
    } else raw = new Uint8Array(words.map((w) => parseInt(w, 16))); // bytes in file order
  }
  return {
    file,
    sections,
    asm: sections.get('asm'),
    mem: new Uint8Array(Buffer.from(memHex, 'hex')),
    result: res ? BigInt.asUintN(64, BigInt(res)) : undefined,
    error: sections.has('error') ? sections.get('error')!.trim() : undefined,
    raw,
  };
}

export function readDataDir(sub: 'tests' | 'negative'): DataFile[] {
  if (!corpusPresent) return [];
  const dir = join(CONFORMANCE_DIR, sub);
  return readdirSync(dir).filter((f) => f.endsWith('.data')).sort().map((f) => parseDataFile(f, readFileSync(join(dir, f), 'utf8')));
}

export interface AssembledRow {
  file: string;
  program_hex: string;
  mem_hex: string;
  result: string;
  error: string;
  cpu_version: number;
  groups: number;
}

export function readAssembled(): Map<string, AssembledRow> {
  const out = new Map<string, AssembledRow>();
  if (!corpusPresent) return out;
  for (const line of readFileSync(join(CONFORMANCE_DIR, 'assembled-by-bpf_conformance-assembler.jsonl'), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as AssembledRow;
    out.set(row.file, row);
  }
  return out;
}
