/**
 * Regenerates test/filter/data/reject-oracle.jsonl: for every expression row of the corpus
 * filter_reject.jsonl, asks the local tcpdump (libpcap 1.10.3) whether it rejects it when
 * compiling for that link type (`tcpdump -d -y DLT EXPR`, optimizer on, netmask as in the
 * row), and records the verdict and libpcap's error text. HEAD libpcap (where the rows come
 * from) rejects some expressions 1.10.3 accepts and vice versa, so tests use this file.
 * Usage: npx tsx test/tools/filter-reject-oracle.ts
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = resolve(here, '../corpus/libpcap/filter_reject.jsonl');
const outPath = resolve(here, '../filter/data/reject-oracle.jsonl');
const out: string[] = [];
const seen = new Set<string>();
for (const line of readFileSync(corpus, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const row = JSON.parse(line) as { dlt: string | null; expr: string | null; savefile: string | null; netmask: string | null };
  if (row.savefile || row.expr === null || !row.dlt) continue;
  const key = `${row.dlt}\t${row.expr}`;
  if (seen.has(key)) continue;
  seen.add(key);
  const r = spawnSync('tcpdump', ['-nn', '-d', '-y', row.dlt, row.expr], { encoding: 'utf8', timeout: 10000 });
  const err = r.stderr.trim();
  if (/unknown data link type|not supported|invalid data link/i.test(err) && /data link|DLT|-y/i.test(err) && r.status !== 0 && !r.stdout) {
    // tcpdump cannot select this link type at all: not an answer about the expression.
    if (/data link type/i.test(err)) continue;
  }
  const rejects = r.status !== 0;
  out.push(JSON.stringify({ dlt: row.dlt, expr: row.expr, rejects, error: rejects ? err.replace(/^tcpdump: /, '') : undefined }));
}
writeFileSync(outPath, out.join('\n') + '\n');
console.log(`${out.length} rows written to ${outPath}`);
