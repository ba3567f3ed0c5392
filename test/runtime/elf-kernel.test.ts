/**
 * The ELF loader's output against the Linux kernel, from committed data
 * (test/fixtures/verifier/elf-kernel-verdicts.jsonl, made by test/tools/gen-elf-kernel-verdicts.ts
 * with real maps in the running kernel): every example program as our loader links and relocates
 * it is accepted by the kernel verifier, and broken variants are refused. Here, without a kernel,
 * we check that the loader still produces exactly those bytes and maps, and that tsdump's
 * verifier reaches the same verdict as the kernel on every row.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ArrayMap } from '../../src/maps/index.ts';
import { MapType } from '../../src/maps/types.ts';
import { loadElf } from '../../src/runtime/elf.ts';
import { socketFilterHook, tcHook, VerifierError, verify, xdpHook } from '../../src/runtime/verifier/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
interface Row { object: string; program: string; prog_type: number; maps: string[]; program_hex: string; kernel: string; reason?: string }
const rows = readFileSync(join(here, '../fixtures/verifier/elf-kernel-verdicts.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);

describe('ELF loader output vs the kernel (committed verdicts)', () => {
  it('covers every example program, accepted by the kernel, and some broken variants, refused', () => {
    expect(rows.filter((r) => r.kernel === 'accept').length).toBeGreaterThanOrEqual(9);
    expect(rows.filter((r) => r.kernel === 'reject').length).toBeGreaterThanOrEqual(5);
    expect(rows.every((r) => r.kernel === 'accept' || r.kernel === 'reject')).toBe(true);
  });

  it.each(rows.map((r) => [`${r.object}:${r.program}`, r] as const))('%s', (_n, r) => {
    const o = loadElf(readFileSync(join(here, '../fixtures/bpf', r.object)));
    const maps = o.registry.list().map((m) => {
      const init = m instanceof ArrayMap && m.name.startsWith('.') ? Buffer.from(m.slot(0)).toString('hex') : '-';
      return `${MapType[m.kind]}:${m.keySize}:${m.valueSize}:${m.maxEntries}:${m.flags}:${init}`;
    });
    expect(maps).toEqual(r.maps);
    const base = o.programs.find((p) => r.program === p.name || r.program.startsWith(`${p.name} (`))!;
    if (r.program === base.name) expect(Buffer.from(base.bytecode).toString('hex'), 'loader output changed: regenerate').toBe(r.program_hex);
    const lookup = (id: number) => o.registry.get(id);
    const hook = r.prog_type === 6 ? xdpHook(lookup) : r.prog_type === 1 ? socketFilterHook(lookup) : tcHook(lookup);
    let ours = 'accept';
    let why = '';
    try {
      verify(new Uint8Array(Buffer.from(r.program_hex, 'hex')), hook);
    } catch (e) {
      if (!(e instanceof VerifierError)) throw e;
      ours = 'reject';
      why = e.message;
    }
    expect(ours, `kernel: ${r.kernel} ${r.reason ?? ''}; tsdump: ${why}`).toBe(r.kernel);
  });
});
