/**
 * tsdump's own eBPF verifier (src/runtime/verifier) on converted programs: every libpcap program
 * of the corpus tsv and every seeded wild random program, converted for each hook, must verify
 * under that hook's own spec (XDP, tc, socket filter — whose translations copy packet bytes with
 * bpf_skb_load_bytes into uninitialised stack windows), as the kernel's verifier accepts them
 * (kernel.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/index.ts';
import { formatDDDLine } from '../../src/isa/cbpf/format.ts';
import type { CbpfProgram } from '../../src/isa/cbpf/types.ts';
import type { ConvertHook } from '../../src/convert/index.ts';
import { socketFilterHook, tcHook, verify, xdpHook } from '../../src/runtime/verifier/index.ts';
import { tsvPrograms } from './support.ts';
import { wildCases } from './random-programs.ts';

const SPECS = { xdp: xdpHook, tc: tcHook, socket: socketFilterHook } as const;
const HOOKS: readonly ConvertHook[] = ['xdp', 'tc', 'socket'];

function failures(progs: readonly { label: string; prog: CbpfProgram }[], target: ConvertHook): string[] {
  const out: string[] = [];
  // Loops (protochain's backward jumps) run under the instruction budget, as the pipeline loads them.
  const hook = SPECS[target](undefined, 'budget');
  for (const { label, prog } of progs) {
    try {
      verify(convert(prog, { hook: target }).prog, hook);
    } catch (e) {
      if (out.length < 5) out.push(`${label}: ${(e as Error).message}`);
    }
  }
  return out;
}

const programs = tsvPrograms();

describe.each(HOOKS)('our verifier accepts programs converted for %s under that hook', (target) => {
  it.skipIf(programs === null)('every libpcap program of the tsv', () => {
    expect(failures(programs!.map((p) => ({ label: `row ${p.row} ${JSON.stringify(p.expr)}`, prog: p.prog })), target)).toEqual([]);
  }, 120_000);

  it('seeded wild random programs (loops, jumps off the end, unknown opcodes)', () => {
    expect(failures(wildCases(0x7e51, 1500).map((c) => ({ label: formatDDDLine(c.prog), prog: c.prog })), target)).toEqual([]);
  }, 120_000);
});
