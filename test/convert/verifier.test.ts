/**
 * tsdump's own eBPF verifier (src/runtime/verifier) on converted programs: every libpcap program
 * of the corpus tsv and every seeded wild random program, converted for XDP, must verify for
 * the XDP hook, as the kernel's verifier accepts them (kernel.test.ts). Socket-filter
 * conversions are not checked here: they call bpf_skb_load_bytes (helper 26), which the
 * runtime's helper table does not define yet, so the verifier refuses the call by design.
 */
import { describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/index.ts';
import { formatDDDLine } from '../../src/isa/cbpf/format.ts';
import type { CbpfProgram } from '../../src/isa/cbpf/types.ts';
import { verify, xdpHook } from '../../src/runtime/verifier/index.ts';
import { tsvPrograms } from './support.ts';
import { wildCases } from './random-programs.ts';

function failures(progs: readonly { label: string; prog: CbpfProgram }[]): string[] {
  const out: string[] = [];
  const hook = xdpHook();
  for (const { label, prog } of progs) {
    try {
      verify(convert(prog, { hook: 'xdp' }).prog, hook);
    } catch (e) {
      if (out.length < 5) out.push(`${label}: ${(e as Error).message}`);
    }
  }
  return out;
}

const programs = tsvPrograms();

describe('our verifier accepts converted XDP programs', () => {
  it.skipIf(programs === null)('every libpcap program of the tsv', () => {
    expect(failures(programs!.map((p) => ({ label: `row ${p.row} ${JSON.stringify(p.expr)}`, prog: p.prog })))).toEqual([]);
  }, 60_000);

  it('seeded wild random programs (loops, jumps off the end, unknown opcodes)', () => {
    expect(failures(wildCases(0x7e51, 1500).map((c) => ({ label: formatDDDLine(c.prog), prog: c.prog })))).toEqual([]);
  }, 60_000);
});
