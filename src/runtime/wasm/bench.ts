/**
 * Measures the wasm tier's batch path against the cBPF interpreter and the JavaScript JIT, in ns
 * per packet, on one capture's packets held in one buffer (the hot regime: the block stays in
 * cache). Not a test: run it by hand,
 *
 *   npx tsx src/runtime/wasm/bench.ts [-r FILE] [--ms N]
 *
 * (default FILE: test/corpus/tcpdump-captures/afs.pcap, else captures/http.pcap). For each
 * filter and engine it repeats whole passes over the packets for about N ms (default 300), five
 * rounds interleaved across engines, and prints the best and the median round. Time is this
 * process's CPU time (user + system), so that other load on the machine inflates the figures
 * less than wall time would. Before timing it checks that every engine selects the same packets
 * as the cBPF interpreter. "in place" rows run a copy of the block that was placed in the
 * module's own memory (blockBuffer), without the per-call copy of the packet bytes.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterpreter } from '../../cbpf/interpret.ts';
import { openCapture } from '../../capture/index.ts';
import { convert } from '../../convert/index.ts';
import { loadConverted } from '../../pipeline.ts';
import { compile } from '../../filter/index.ts';
import { createPacketBlock } from '../batch.ts';
import type { PacketBlock } from '../batch.ts';
import { loadConvertedWasm } from './converted.ts';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const corpus = join(root, 'test', 'corpus', 'tcpdump-captures', 'afs.pcap');
const file = arg('-r') ?? (existsSync(corpus) ? corpus : join(root, 'captures', 'http.pcap'));
const MS = Number(arg('--ms') ?? 300);

function readBlock(path: string): PacketBlock {
  const r = openCapture(path);
  const pk: Array<{ data: Uint8Array; wirelen: number }> = [];
  for (let rec = r.next(); rec; rec = r.next()) pk.push({ data: rec.data.slice(), wirelen: rec.wirelen });
  r.close();
  const block = createPacketBlock(pk.length);
  block.buf = new Uint8Array(pk.reduce((a, p) => a + p.data.length, 0));
  let at = 0;
  pk.forEach((p, i) => {
    block.buf.set(p.data, at);
    block.offsets[i] = at; block.caplens[i] = p.data.length; block.wirelens[i] = p.wirelen;
    at += p.data.length;
  });
  block.count = pk.length;
  return block;
}

const hosts = Array.from({ length: 1000 }, (_, i) => `host 10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`).join(' or ');
const FILTERS: Array<[string, string]> = [
  ['tcp port 80', 'tcp port 80'],
  ['ip6', 'ip6'],
  ['portrange 1023-1', 'portrange 1023-1'],
  ['host 10.0.0.1', 'host 10.0.0.1'],
  ['1,000 hosts', hosts],
];

const block = readBlock(file);
const n = block.count;
const verdicts = new Int32Array(n);
console.log(`${n} packets of ${file}; ${MS} ms per round, 5 rounds; node ${process.version}`);

type Pass = () => number;
const cpuNs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
function timePass(pass: Pass): number {
  // calibrate the number of passes per round, then time rounds
  let reps = 1;
  for (;;) {
    const t0 = cpuNs();
    for (let k = 0; k < reps; k++) pass();
    const ms = (cpuNs() - t0) / 1e6;
    if (ms > MS / 4) { reps = Math.max(1, Math.round(reps * MS / ms)); break; }
    reps *= 2;
  }
  return reps;
}

for (const [label, expr] of FILTERS) {
  const prog = compile(expr, { linkType: 1, snaplen: 262144, optimize: true });
  const cbpf = createInterpreter(prog);
  const xdp = convert(prog, { hook: 'xdp' });
  const sock = convert(prog, { hook: 'socket' });
  const jitX = loadConverted(xdp, 'xdp', { engine: 'jit' });
  const jitS = loadConverted(sock, 'socket', { engine: 'jit' });
  const wasmX = loadConvertedWasm(xdp, 'xdp');
  const wasmS = loadConvertedWasm(sock, 'socket');
  const { buf, offsets, caplens, wirelens } = block;
  const perPacket = (f: (b: Uint8Array, o: number, c: number, w: number) => number, accept: (v: number) => boolean): Pass => () => {
    let m = 0;
    for (let i = 0; i < n; i++) if (accept(f(buf, offsets[i]!, caplens[i]!, wirelens[i]!))) m++;
    return m;
  };
  const batch = (run: (b: PacketBlock, v: Int32Array) => void, accept: (v: number) => boolean): Pass => () => {
    run(block, verdicts);
    let m = 0;
    for (let i = 0; i < n; i++) if (accept(verdicts[i]!)) m++;
    return m;
  };
  const placed = (w: typeof wasmX): PacketBlock => {
    const view = w.program.blockBuffer(block.buf.length, n);
    view.set(block.buf);
    return { ...block, buf: view };
  };
  const blockX = placed(wasmX), blockS = placed(wasmS);
  const cbpfRun = (b: Uint8Array, o: number, c: number, w: number) => cbpf(b.subarray(o, o + c), c, w);
  const isPass = (v: number) => v === 2, nonZero = (v: number) => v !== 0;
  const engines: Array<[string, Pass]> = [
    ['cBPF interpreter', perPacket(cbpfRun, nonZero)],
    ['JS JIT, xdp, per packet', perPacket(jitX.run, isPass)],
    ['JS JIT, socket, per packet', perPacket(jitS.run, nonZero)],
    ['wasm, xdp, batch', batch(wasmX.runBatch, isPass)],
    ['wasm, socket, batch', batch(wasmS.runBatch, nonZero)],
    ['wasm, xdp, batch in place', () => { wasmX.runBatch(blockX, verdicts); let m = 0; for (let i = 0; i < n; i++) if (verdicts[i] === 2) m++; return m; }],
    ['wasm, socket, batch in place', () => { wasmS.runBatch(blockS, verdicts); let m = 0; for (let i = 0; i < n; i++) if (verdicts[i] !== 0) m++; return m; }],
  ];
  // XDP sees the frame only: `len`-free filters select the same packets at every hook.
  const want = engines[0]![1]();
  for (const [name, pass] of engines) {
    const got = pass();
    if (got !== want) throw new Error(`${label}: ${name} selects ${got} packets, the cBPF interpreter ${want}`);
  }
  const reps = engines.map(([, pass]) => timePass(pass));
  const rounds: number[][] = engines.map(() => []);
  for (let round = 0; round < 5; round++) {
    engines.forEach(([, pass], e) => {
      const t0 = cpuNs();
      for (let k = 0; k < reps[e]!; k++) pass();
      rounds[e]!.push((cpuNs() - t0) / (reps[e]! * n));
    });
  }
  console.log(`\n${label} (${prog.length} cBPF insns, ${want} of ${n} match; wasm module ${wasmX.program.moduleBytes} B xdp, ${wasmS.program.moduleBytes} B socket)`);
  engines.forEach(([name], e) => {
    const r = rounds[e]!.slice().sort((a, b) => a - b);
    console.log(`  ${name.padEnd(28)} best ${r[0]!.toFixed(1).padStart(6)} ns/packet   median ${r[2]!.toFixed(1).padStart(6)}`);
  });
}
