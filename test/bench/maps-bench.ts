/**
 * Maps, helpers and verifier benchmarks: raw map operations (what a helper costs beyond the
 * call), a full XDP program with a hash-map update per packet on the JIT (the example object
 * proto-hash.o, verified and context-rewritten), and verification time for a typical object and
 * the whole bpf_conformance corpus (when test/corpus is present).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeSlots } from '../../src/isa/ebpf/codec.ts';
import { BPF_ANY, createMap, u32Key } from '../../src/maps/index.ts';
import { loadElf } from '../../src/loader/elf.ts';
import { createHelperState, helperFns, lddwResolver } from '../../src/runtime/helpers.ts';
import { load, REGION } from '../../src/runtime/index.ts';
import { conformanceHook, rewriteCtxLoads, verify, xdpHook } from '../../src/runtime/verifier/index.ts';
import type { BenchCase, BenchSuite } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));

export const suite: BenchSuite = {
  name: 'maps, helpers, verifier',
  setup(): BenchCase[] {
    const keys = Array.from({ length: 1024 }, (_, i) => u32Key(i * 2654435761));
    const hash = createMap({ kind: 'hash', keySize: 4, valueSize: 8, maxEntries: 1024 });
    const lru = createMap({ kind: 'lru_hash', keySize: 4, valueSize: 8, maxEntries: 512 });
    const arr = createMap({ kind: 'array', keySize: 4, valueSize: 8, maxEntries: 1024 });
    const rb = createMap({ kind: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 1 << 16 });
    const val = new Uint8Array(8);
    for (const k of keys) hash.update(k, val, BPF_ANY);

    const objFile = join(here, '../fixtures/bpf/proto-hash.o');
    const o = loadElf(readFileSync(objFile));
    const p = o.program('xdp_proto');
    const hook = xdpHook((id) => o.registry.get(id));
    const { slots, layout } = rewriteCtxLoads(verify(p.bytecode, hook));
    const prog = load(decodeSlots(slots), { engine: 'jit', helpers: helperFns(), resolveLddw: lddwResolver(o.registry) });
    const pkt = new Uint8Array(64);
    pkt.set([8, 0], 12);
    pkt[14] = 0x45;
    pkt[23] = 6;
    const ctx = new Uint8Array(layout.size);
    const dv = new DataView(ctx.buffer);
    dv.setBigUint64(layout.offsets.get('data')!, prog.pointer(REGION.packet, 0), true);
    dv.setBigUint64(layout.offsets.get('data_end')!, prog.pointer(REGION.packet, pkt.length), true);
    dv.setBigUint64(layout.offsets.get('data_meta')!, prog.pointer(REGION.packet, 0), true);
    const input = { ctx, packet: pkt, env: createHelperState({ registry: o.registry }) };

    const corpus = join(here, '../corpus/bpf_conformance/assembled-by-bpf_conformance-assembler.jsonl');
    const conf = existsSync(corpus)
      ? readFileSync(corpus, 'utf8').trim().split('\n').map((l) => new Uint8Array(Buffer.from((JSON.parse(l) as { program_hex: string }).program_hex, 'hex')))
      : [];
    let sink = 0;
    const cases: BenchCase[] = [
      { name: 'hash lookup (4-byte key, hit)', run: (n) => { for (let i = 0; i < n; i++) sink += hash.lookup(keys[i & 1023]!)!.length; return sink; } },
      { name: 'hash update existing (BPF_ANY)', run: (n) => { for (let i = 0; i < n; i++) sink += hash.update(keys[i & 1023]!, val, BPF_ANY); return sink; } },
      { name: 'LRU update, 2x over capacity (evicting)', run: (n) => { for (let i = 0; i < n; i++) sink += lru.update(keys[i & 1023]!, val, BPF_ANY); return sink; } },
      { name: 'array lookup', run: (n) => { for (let i = 0; i < n; i++) sink += arr.lookup(keys[i & 1023]!)?.length ?? 0; return sink; } },
      { name: 'ringbuf reserve+submit+consume (16 B)', run: (n) => { for (let i = 0; i < n; i++) { const r = (rb as import('../../src/maps/index.ts').RingBuf); const v = r.reserve(16)!; r.commit(v); if ((i & 255) === 255) r.consume(() => sink++); } return sink; } },
      { name: 'xdp proto-hash.o per packet (jit, lookup helper)', run: (n) => { for (let i = 0; i < n; i++) sink += prog.run(input); return sink; } },
      { name: 'verify proto-hash.o', run: (n) => { for (let i = 0; i < n; i++) sink += verify(p.bytecode, hook).stats.steps; return sink; } },
    ];
    if (conf.length) cases.push({ name: `verify all ${conf.length} conformance programs`, run: (n) => { for (let i = 0; i < n; i++) for (const c of conf) sink += verify(c, conformanceHook()).stats.steps; return sink; } });
    return cases;
  },
};
