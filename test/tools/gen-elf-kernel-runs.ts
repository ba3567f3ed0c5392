/**
 * Regenerates test/fixtures/verifier/elf-kernel-runs.jsonl: example programs run by the Linux
 * kernel (BPF_PROG_TEST_RUN, through test/tools/verifier-elf-kernel.c with real maps; needs root
 * and gcc) on a fixed list of packets, with each run's r0 and every map's final contents.
 * test/loader/elf-kernel.test.ts replays the same packets through tsdump's loader, verifier,
 * helpers, maps and engines and must end with the same results and the same map contents.
 * Run: `npx tsx test/tools/gen-elf-kernel-runs.ts` and commit the data file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArrayMap } from '../../src/maps/index.ts';
import { MapType } from '../../src/maps/types.ts';
import { loadElf } from '../../src/loader/elf.ts';
import { kernelRunPackets, KERNEL_RUN_PROGRAMS } from '../loader/elf-kernel-packets.ts';

const here = dirname(fileURLToPath(import.meta.url));
const PROG_TYPE: Record<string, number> = { socket_filter: 1, sched_cls: 3, xdp: 6 };
const bin = join(mkdtempSync(join(tmpdir(), 'tsdump-elf-kernel-')), 'verifier-elf-kernel');
const cc = spawnSync('gcc', ['-O2', '-Wall', '-o', bin, join(here, 'verifier-elf-kernel.c')], { encoding: 'utf8' });
if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);

const packets = kernelRunPackets();
const rows = KERNEL_RUN_PROGRAMS.map(([object, program]) => {
  const o = loadElf(readFileSync(join(here, '../fixtures/bpf', object)));
  const maps = o.registry.list().map((m) => {
    const init = m instanceof ArrayMap && m.name.startsWith('.') ? Buffer.from(m.slot(0)).toString('hex') : '-';
    return `${MapType[m.kind]}:${m.keySize}:${m.valueSize}:${m.maxEntries}:${m.flags}:${init}`;
  });
  const p = o.program(program);
  const req = `run ${PROG_TYPE[p.hook]} ${maps.join(' ')} -- ${Buffer.from(p.bytecode).toString('hex')} ${packets.map((x) => Buffer.from(x).toString('hex')).join(',')}`;
  const r = spawnSync(bin, [], { input: `${req}\n`, encoding: 'utf8' });
  const line = r.stdout.trim();
  if (!line.startsWith('ran ')) throw new Error(`${object}:${program}: ${line} ${r.stderr}`);
  const [, results, ...dumps] = line.split(' ');
  // `E<errno>`: the kernel refused to run that packet (e.g. too short for an skb); kept as null.
  return { object, program, results: results!.split(',').map((x) => (x.startsWith('E') ? null : Number(x))), refused: results!.split(',').filter((x) => x.startsWith('E')), maps: o.registry.list().map((m, i) => ({ name: m.name, dump: dumps[i]! })) };
});
writeFileSync(join(here, '../fixtures/verifier/elf-kernel-runs.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
for (const r of rows) console.log(`${r.object}:${r.program} ${r.results.join(',')} ${r.maps.map((m) => `${m.name}=${m.dump.slice(0, 60)}`).join(' ')}`);
