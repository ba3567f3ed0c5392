/**
 * Regenerates test/fixtures/verifier/elf-kernel-verdicts.jsonl: every program of every example
 * object (test/fixtures/bpf/*.o), as tsdump's ELF loader links and relocates it, loaded into the
 * running kernel with real maps by test/tools/verifier-elf-kernel.c (built here with gcc; needs
 * root). Records the kernel verifier's verdict next to the exact bytes, so
 * test/loader/elf-kernel.test.ts can check, without a kernel, that our loader's output is
 * what the kernel accepts and that our verifier agrees.
 * Run: `npx tsx test/tools/gen-elf-kernel-verdicts.ts` and commit the data file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArrayMap } from '../../src/maps/index.ts';
import { MapType } from '../../src/maps/types.ts';
import { loadElf } from '../../src/loader/elf.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '../fixtures/bpf');
const PROG_TYPE: Record<string, number> = { socket_filter: 1, sched_cls: 3, sched_act: 4, xdp: 6 };

const bin = join(mkdtempSync(join(tmpdir(), 'tsdump-elf-kernel-')), 'verifier-elf-kernel');
const cc = spawnSync('gcc', ['-O2', '-Wall', '-o', bin, join(here, 'verifier-elf-kernel.c')], { encoding: 'utf8' });
if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);

const rows: { object: string; program: string; prog_type: number; maps: string[]; program_hex: string }[] = [];
for (const f of readdirSync(fixtures).filter((x) => x.endsWith('.o')).sort()) {
  const o = loadElf(readFileSync(join(fixtures, f)));
  const maps = o.registry.list().map((m) => {
    const init = m instanceof ArrayMap && m.name.startsWith('.') ? Buffer.from(m.slot(0)).toString('hex') : '-';
    return `${MapType[m.kind]}:${m.keySize}:${m.valueSize}:${m.maxEntries}:${m.flags}:${init}`;
  });
  for (const p of o.programs) {
    rows.push({ object: f, program: p.name, prog_type: PROG_TYPE[p.hook] ?? 0, maps, program_hex: Buffer.from(p.bytecode).toString('hex') });
    // A broken variant: the first map reference becomes a plain constant (src 0), so a helper
    // gets a scalar where it needs a map (or a scalar is dereferenced). Both verifiers must refuse.
    const variant = (what: string, pc: number, patch: (b: Uint8Array) => void) => {
      if (pc < 0) return;
      const bytes = p.bytecode.slice();
      patch(bytes.subarray(pc * 8, pc * 8 + 8));
      rows.push({ object: f, program: `${p.name} (${what})`, prog_type: PROG_TYPE[p.hook] ?? 0, maps, program_hex: Buffer.from(bytes).toString('hex') });
    };
    const NOP = [0x05, 0, 0, 0, 0, 0, 0, 0]; // ja +0
    variant('map reference made a constant', p.insns.findIndex((x) => x.code === 0x18 && (x.src === 1 || x.src === 2)), (b) => { b[1] = b[1]! & 0x0f; });
    // The NULL check after map_lookup_elem / ringbuf_reserve removed: a possibly-NULL dereference.
    const nullCheck = p.insns.findIndex((x, k) => k > 0 && (x.code === 0x15 || x.code === 0x55) && x.dst === 0 && x.imm === 0 && p.insns.slice(0, k).some((y) => y.code === 0x85 && (y.imm === 1 || y.imm === 131)));
    variant('NULL check removed', nullCheck, (b) => b.set(NOP));
    // The first register-register compare (the data_end check in packet programs) removed.
    if (p.hook === 'xdp') variant('first pointer compare removed', p.insns.findIndex((x) => (x.code & 0x0f) === 0x0d && [0x20, 0x30, 0xa0, 0xb0].includes(x.code & 0xf0)), (b) => b.set(NOP));
  }
}
const run = spawnSync(bin, [], { input: rows.map((r) => `load ${r.prog_type} ${r.maps.join(' ')} -- ${r.program_hex}`).join('\n') + '\n', encoding: 'utf8' });
if (run.status !== 0) throw new Error(`verifier-elf-kernel failed: ${run.stderr}`);
const answers = run.stdout.trim().split('\n');
if (answers.length !== rows.length) throw new Error(`${rows.length} requests, ${answers.length} answers`);
const out = rows.map((r, i) => {
  const a = answers[i]!;
  const m = /^reject (\d+) (.*)$/.exec(a);
  return { ...r, kernel: a === 'ok' ? 'accept' : m ? 'reject' : 'error', reason: a === 'ok' ? undefined : m ? m[2] : a };
});
const file = join(here, '../fixtures/verifier/elf-kernel-verdicts.jsonl');
writeFileSync(file, out.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log(out.map((r) => `${r.kernel.padEnd(7)} ${r.object}:${r.program} ${r.reason ?? ''}`).join('\n'));
