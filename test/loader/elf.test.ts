import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { ArrayMap } from '../../src/maps/index.ts';
import { btfMapDefs, parseBtf } from '../../src/loader/btf.ts';
import { bytesToSlots } from '../../src/isa/ebpf/codec.ts';
import { BPF_F_RDONLY_PROG, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE, hookForSection, loadElf } from '../../src/loader/elf.ts';

// The objects are committed (built by test/tools/build-bpf-examples.sh), so no clang is needed.
const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/bpf');
const obj = (name: string) => loadElf(readFileSync(join(fixtures, `${name}.o`)));

describe('ELF loader', () => {
  it('loads a BTF-defined array map and relocates its lddw to a map-fd pseudo load', () => {
    const o = obj('xdp-counter');
    expect(o.license).toBe('GPL');
    const stats = o.maps.get('stats')!;
    expect([stats.kind, stats.keySize, stats.valueSize, stats.maxEntries]).toEqual(['array', 4, 16, 1]);
    const p = o.program('xdp_count');
    expect([p.section, p.hook, p.textBase]).toEqual(['xdp', 'xdp', -1]);
    const ld = p.insns.find((x) => x.code === 0x18)!;
    expect([ld.src, ld.imm]).toEqual([BPF_PSEUDO_MAP_FD, stats.id]);
    expect(p.insns.at(-1)!.code).toBe(0x95);
    expect(bytesToSlots(p.bytecode)).toEqual(p.insns);
  });
  it('reads key/value sizes of a hash map from the BTF pointee types', () => {
    const m = obj('proto-hash').maps.get('proto_count')!;
    expect([m.kind, m.keySize, m.valueSize, m.maxEntries]).toEqual(['hash', 1, 8, 64]);
  });
  it('reads the ringbuf map and legacy maps section', () => {
    const rb = obj('ringbuf-event').maps.get('events')!;
    expect([rb.kind, rb.maxEntries]).toEqual(['ringbuf', 4096]);
    const o = obj('legacy-maps');
    const h = o.maps.get('len_hist')!;
    expect([h.kind, h.keySize, h.valueSize, h.maxEntries]).toEqual(['array', 4, 8, 16]);
    expect(o.program('tc_hist').hook).toBe('sched_cls');
  });
  it('links .text sub-programs, fixes call offsets and turns globals into map-value loads', () => {
    const o = obj('rodata-call');
    const p = o.program('xdp_big');
    expect(p.textBase).toBeGreaterThan(0);
    const callPc = p.insns.findIndex((x) => x.code === 0x85 && x.src === 1);
    expect(callPc + 1 + p.insns[callPc]!.imm).toBe(p.textBase);
    const rodata = o.maps.get('.rodata') as ArrayMap;
    expect(rodata.flags & BPF_F_RDONLY_PROG).toBeTruthy();
    expect(new DataView(rodata.storage.buffer).getUint32(0, true)).toBe(100); // threshold
    const data = o.maps.get('.data') as ArrayMap;
    expect(data.slot(0)[0]).toBe(7); // generation
    expect(o.maps.get('.bss')!.valueSize).toBe(8);
    const valueLoads = p.insns.filter((x) => x.code === 0x18 && x.src === BPF_PSEUDO_MAP_VALUE).map((x) => x.imm);
    expect(valueLoads.sort()).toEqual([rodata.id, data.id, o.maps.get('.bss')!.id].sort());
    // The sub-program reads .rodata: its lddw was relocated too.
    expect(p.insns.slice(p.textBase).some((x) => x.code === 0x18 && x.src === BPF_PSEUDO_MAP_VALUE && x.imm === rodata.id)).toBe(true);
  });
  it('shares a registry between objects when given one', () => {
    const a = obj('xdp-counter');
    const b = loadElf(readFileSync(join(fixtures, 'proto-hash.o')), { registry: a.registry });
    expect(b.maps.get('proto_count')!.id).toBe(2);
    expect(a.registry.get(2)).toBe(b.maps.get('proto_count'));
  });
  it('parses the BTF of every fixture', () => {
    const defs = btfMapDefs(obj('proto-hash').btf!);
    expect(defs.map((d) => d.name)).toEqual(['proto_count']);
    expect(() => parseBtf(new Uint8Array(30))).toThrow(/bad magic/);
  });
  it('maps section names to hooks', () => {
    expect(['xdp', 'xdp.frags', 'socket', 'classifier', 'tc/ingress', 'kprobe/foo', 'weird'].map(hookForSection)).toEqual([
      'xdp', 'xdp', 'socket_filter', 'sched_cls', 'sched_cls', 'kprobe', 'other',
    ]);
  });
  it('never crashes on corrupted objects: every failure is a UserError', () => {
    const files = ['xdp-counter', 'rodata-call', 'legacy-maps', 'tail-call'].map((n) => new Uint8Array(readFileSync(join(fixtures, `${n}.o`))));
    // Corruption aimed where parsing happens: the ELF header, the section headers (at the end of
    // these objects) and anywhere else; sometimes the file is also truncated.
    const edit = fc.record({ where: fc.integer({ min: 0, max: 2 }), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), v: fc.integer({ min: 0, max: 255 }) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: files.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 4 }), fc.option(fc.double({ min: 0, max: 1, noNaN: true })), (fi, edits, cut) => {
        const b = files[fi]!.slice();
        const shoff = Number(new DataView(b.buffer).getBigUint64(0x28, true));
        for (const e of edits) {
          const at = e.where === 0 ? Math.floor(e.at * 64) : e.where === 1 ? shoff + Math.floor(e.at * (b.length - shoff)) : Math.floor(e.at * b.length);
          b[at] = e.v;
        }
        try {
          loadElf(cut === null ? b : b.subarray(0, Math.floor(cut * b.length)));
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
        }
      }),
      { numRuns: 4000, seed: 0x656c66 },
    );
  });
  it('rejects non-ELF and non-BPF input with UserError codes', () => {
    expect(() => loadElf(new Uint8Array(10))).toThrow(UserError);
    const bytes = new Uint8Array(readFileSync(join(fixtures, 'xdp-counter.o')));
    bytes[18] = 62; // e_machine = x86-64
    expect(() => loadElf(bytes)).toThrow(/not an eBPF object/);
    expect(() => obj('xdp-counter').program('nope')).toThrow(/no program named 'nope'/);
  });
});
