/**
 * The ELF loader's output against the Linux kernel, from committed data
 * (test/fixtures/verifier/elf-kernel-verdicts.jsonl, made by test/tools/gen-elf-kernel-verdicts.ts
 * with real maps in the running kernel): every example program as our loader links and relocates
 * it is accepted by the kernel verifier, and broken variants are refused. Here, without a kernel,
 * we check that the loader still produces exactly those bytes and maps, and that tsdump's
 * verifier reaches the same verdict as the kernel on every row. Then behaviour: the kernel's
 * results and final map contents for a list of packets (elf-kernel-runs.jsonl, made by
 * test/tools/gen-elf-kernel-runs.ts) must be reproduced by tsdump on every engine.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ArrayMap } from '../../src/maps/index.ts';
import { MapType } from '../../src/maps/types.ts';
import { loadElf } from '../../src/loader/elf.ts';
import { loadObject } from '../../src/loader/load.ts';
import { ENGINE_NAMES } from '../../src/runtime/index.ts';
import { kernelRunPackets } from './elf-kernel-packets.ts';
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

describe('example programs run by the kernel vs tsdump (committed results and map contents)', () => {
  const runs = readFileSync(join(here, '../fixtures/verifier/elf-kernel-runs.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as { object: string; program: string; results: (number | null)[]; maps: { name: string; dump: string }[] });
  const packets = kernelRunPackets();
  const entries = (dump: string) => (dump === '(empty)' || dump === '-' ? [] : dump.split(';').sort());

  it.each(ENGINE_NAMES.flatMap((engine) => runs.map((r) => [`${r.object}:${r.program} on ${engine}`, r, engine] as const)))('%s', async (_n, r, engine) => {
    const o = loadElf(readFileSync(join(here, '../fixtures/bpf', r.object)));
    const p = loadObject(o, { engine }).program(r.program);
    const got = packets.map((pkt, i) => (r.results[i] === null ? null : p.run(pkt)));
    expect(got).toEqual(r.results);
    const maps = o.registry.list();
    expect(maps.map((m) => m.name)).toEqual(r.maps.map((m) => m.name));
    maps.forEach((m, i) => {
      if (r.maps[i]!.dump === '-') return;
      const ours = o.registry.entries(m).map((e) => `${Buffer.from(e.key).toString('hex')}=${Buffer.from(e.value).toString('hex')}`).sort();
      expect(ours, `map ${m.name}`).toEqual(entries(r.maps[i]!.dump));
    });
  });
});
