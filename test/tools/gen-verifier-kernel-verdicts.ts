/**
 * Regenerates test/fixtures/verifier/kernel-verdicts.jsonl: every case of
 * test/runtime/verifier-cases.ts loaded into the running Linux kernel as an XDP program (through
 * test/tools/kernel-oracle.ts; needs root and gcc), with the kernel verifier's verdict and its
 * one-line reason. Run: `npx tsx test/tools/gen-verifier-kernel-verdicts.ts` and commit the file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { caseBytes, VERIFIER_CASES } from '../runtime/verifier-cases.ts';
import { openKernelOracle, PROG_TYPE } from './kernel-oracle.ts';

const { oracle, reason } = openKernelOracle();
if (!oracle) {
  console.error(`kernel oracle unavailable: ${reason}`);
  process.exit(1);
}
const reqs = VERIFIER_CASES.map((c) => ({ progType: PROG_TYPE.XDP, insns: caseBytes(c), data: new Uint8Array(64) }));
const out = oracle.runRaw(reqs).map((o, i) => {
  const c = VERIFIER_CASES[i]!;
  const hex = Buffer.from(reqs[i]!.insns).toString('hex');
  if (o.kind === 'ok') return { name: c.name, program_hex: hex, kernel: 'accept' };
  if (o.kind === 'reject') return { name: c.name, program_hex: hex, kernel: 'reject', reason: o.reason };
  return { name: c.name, program_hex: hex, kernel: 'fail', reason: `${o.stage}: ${o.message}` };
});
const file = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/verifier/kernel-verdicts.jsonl');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, out.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log(`kernel ${oracle.info.release}: wrote ${out.length} verdicts to ${file}`);
