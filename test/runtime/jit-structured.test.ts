/**
 * The structured JIT's shape check without preparing the program (shortStructured in
 * src/runtime/jit/structured.ts, what `--engine auto` asks first) must answer as structuredFits
 * (prepare + canStructure + segmented) on every program short enough for it: the bpf_conformance
 * programs (back edges, local calls, callx among them) and translated filters on two hooks.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/filter/index.ts';
import { convert } from '../../src/convert/index.ts';
import { assemble } from '../../src/isa/ebpf/asm.ts';
import { decodeProgram } from '../../src/isa/ebpf/codec.ts';
import type { EbpfProgram } from '../../src/isa/ebpf/types.ts';
import { structuredFits } from '../../src/runtime/jit/js.ts';
import { SEGMENT, shortStructured } from '../../src/runtime/jit/structured.ts';
import { readAssembled, readDataDir } from '../isa/ebpf/corpus.ts';

function programs(): Array<[string, EbpfProgram]> {
  const out: Array<[string, EbpfProgram]> = [];
  const assembled = readAssembled();
  for (const t of readDataDir('tests')) {
    const hex = assembled.get(t.file)?.program_hex;
    try {
      const prog = hex ? decodeProgram(Uint8Array.from(Buffer.from(hex, 'hex'))) : t.asm ? assemble(t.asm) : undefined;
      if (prog && prog.length > 0 && prog.every((i) => i.kind !== 'raw')) out.push([t.file, prog]);
    } catch {
      // a program our decoder refuses is not a shape question
    }
  }
  const exprs = ['tcp port 80', 'ip6 protochain 6', 'vlan and tcp', 'icmp or arp', 'ip proto 47 or ip6 protochain 17', 'net 10.0.0.0/8 and not port 22'];
  for (const e of exprs) for (const hook of ['tc', 'xdp', 'socket'] as const) out.push([`${hook}: ${e}`, convert(compile(e, { linkType: 1, snaplen: 262144, optimize: true }), { hook }).prog]);
  return out;
}

describe('shortStructured', () => {
  const progs = programs();
  it('answers as structuredFits on every short program', () => {
    let backEdges = 0, structured = 0;
    for (const [name, prog] of progs) {
      let fits: boolean;
      try {
        fits = structuredFits(prog);
      } catch {
        continue; // prepare refuses it (a jump out of range): load would refuse it too
      }
      expect(prog.length).toBeLessThanOrEqual(SEGMENT);
      expect(shortStructured(prog), name).toBe(fits);
      if (fits) structured++;
      else backEdges++;
    }
    // Both answers occur (the corpus has loops and local calls; filters are forward-only).
    expect(backEdges).toBeGreaterThan(5);
    expect(structured).toBeGreaterThan(20);
  });
  it('leaves long programs to structuredFits', () => {
    const long = assemble(`${'mov %r0, 1\n'.repeat(SEGMENT + 1)}exit`);
    expect(shortStructured(long)).toBeUndefined();
    expect(structuredFits(long)).toBe(false);
  });
});
