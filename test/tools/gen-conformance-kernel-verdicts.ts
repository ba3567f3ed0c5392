/**
 * Regenerates test/fixtures/verifier/conformance-kernel-verdicts.jsonl: every bpf_conformance
 * program (test/corpus), wrapped as an XDP program by the kernel oracle's wrapper (main
 * proves the memory is in the packet, then calls the test program as a subprogram with r1 =
 * memory, r2 = length), with the running kernel's verdict. verifier-kernel.test.ts checks that
 * tsdump's verifier agrees on every row. Needs root and gcc.
 * Run: `npx tsx test/tools/gen-conformance-kernel-verdicts.ts` and commit the data file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openKernelOracle, wrapProgram } from './kernel-oracle.ts';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = join(here, '../corpus/bpf_conformance/assembled-by-bpf_conformance-assembler.jsonl');
const rows = readFileSync(corpus, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file: string; program_hex: string; mem_hex: string });
const { oracle, reason } = openKernelOracle();
if (!oracle) throw new Error(`kernel oracle unavailable: ${reason}`);
const items = rows.map((r) => ({ prog: new Uint8Array(Buffer.from(r.program_hex, 'hex')), mem: new Uint8Array(Buffer.from(r.mem_hex, 'hex')) }));
const out = oracle.run(items, 'xdp').map((o, i) => ({
  file: rows[i]!.file,
  wrapped_hex: Buffer.from(wrapProgram(items[i]!.prog, items[i]!.mem.length, 'xdp')).toString('hex'),
  kernel: o.kind === 'reject' ? 'reject' : 'accept',
  reason: o.kind === 'reject' ? o.reason : undefined,
}));
writeFileSync(join(here, '../fixtures/verifier/conformance-kernel-verdicts.jsonl'), out.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log(`kernel ${oracle.info.release}: ${out.filter((r) => r.kernel === 'accept').length} accepted, ${out.filter((r) => r.kernel === 'reject').length} rejected`);
