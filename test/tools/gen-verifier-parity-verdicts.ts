/**
 * Regenerates test/fixtures/verifier/parity-kernel-verdicts.jsonl: every case of
 * test/runtime/verifier-parity-cases.ts loaded into the running Linux kernel as a program of its
 * hook's type (XDP, socket filter, tc classifier; through test/tools/kernel-oracle.ts, which needs
 * root and gcc), with the kernel verifier's verdict and its one-line reason.
 * Run: `npx tsx test/tools/gen-verifier-parity-verdicts.ts` and commit the file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parityBytes, PARITY_CASES } from '../runtime/verifier-parity-cases.ts';
import type { ParityHook } from '../runtime/verifier-parity-cases.ts';
import { openKernelOracle, PROG_TYPE } from './kernel-oracle.ts';

/** bpf_prog_type numbers (linux/bpf.h, stable ABI): SCHED_CLS is 3. */
const TYPE: Record<ParityHook, number> = { xdp: PROG_TYPE.XDP, socket_filter: PROG_TYPE.SOCKET_FILTER, sched_cls: 3 };

const { oracle, reason } = openKernelOracle();
if (!oracle) {
  console.error(`kernel oracle unavailable: ${reason}`);
  process.exit(1);
}
const reqs = PARITY_CASES.map((c) => ({ progType: TYPE[c.hook], insns: parityBytes(c), data: new Uint8Array(64) }));
const out = oracle.runRaw(reqs).map((o, i) => {
  const c = PARITY_CASES[i]!;
  const row = { name: c.name, hook: c.hook, program_hex: Buffer.from(reqs[i]!.insns).toString('hex') };
  if (o.kind === 'ok') return { ...row, kernel: 'accept' };
  if (o.kind === 'reject') return { ...row, kernel: 'reject', reason: o.reason };
  return { ...row, kernel: 'fail', reason: `${o.stage}: ${o.message}` };
});
const file = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/verifier/parity-kernel-verdicts.jsonl');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, out.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log(`kernel ${oracle.info.release}: wrote ${out.length} verdicts to ${file}`);
