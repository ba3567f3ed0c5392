/**
 * Every engine tier gives the same results on the example objects: for each example
 * (object-examples.ts) over each capture, the interpreter is the oracle and every engine in
 * ENGINE_NAMES must give, packet by packet, the same r0, the same output bytes (the frame after
 * the program's rewrites) and the same ring-buffer records, and end with the same maps (as
 * the `--dump-maps` JSON). Also checks `runBatch` against per-packet runs.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attachObject } from '../../src/loader/attach.ts';
import type { ObjectRunner } from '../../src/loader/attach.ts';
import { dumpObjectMaps, jsonText } from '../../src/loader/btf-format.ts';
import { RingBuf } from '../../src/maps/ringbuf.ts';
import { createPacketBlock } from '../../src/runtime/batch.ts';
import { ENGINE_NAMES } from '../../src/runtime/index.ts';
import type { EngineName } from '../../src/runtime/index.ts';
import { capturePackets, EXAMPLES, exampleCaptures, fixtures, preloadJson } from './object-examples.ts';
import type { Example } from './object-examples.ts';

interface Trace { r0: number[]; out: string[]; rings: string[]; maps: string }

function attach(ex: Example, engine: EngineName): ObjectRunner {
  const maps = [...new Set(ex.preload.map((p) => p.map))].map((map) => ({ map, json: preloadJson(ex.preload.filter((p) => p.map === map)) }));
  return attachObject(readFileSync(join(fixtures, ex.object)), ex.hook, { program: ex.program, engine, maps });
}

function trace(ex: Example, engine: EngineName, packets: Uint8Array[]): Trace {
  const r = attach(ex, engine);
  const rings = r.object.registry.list().filter((m): m is RingBuf => m instanceof RingBuf);
  const t: Trace = { r0: [], out: [], rings: [], maps: '' };
  packets.forEach((p, i) => {
    const r0 = r.run(p);
    t.r0.push(r0);
    t.out.push(r.fate(r0) === 'drop' ? '-' : Buffer.from(r.output(p, r0)).toString('hex'));
    for (const rb of rings) rb.consume((rec) => void t.rings.push(`${i}:${Buffer.from(rec).toString('hex')}`));
  });
  t.maps = jsonText(dumpObjectMaps(r.object));
  return t;
}

const captures = exampleCaptures();

describe('example objects: every engine equals the interpreter', () => {
  for (const ex of EXAMPLES) {
    for (const cap of captures) {
      const packets = capturePackets(cap);
      const oracle = trace(ex, 'interp', packets);
      it.each(ENGINE_NAMES.filter((e) => e !== 'interp'))(`${ex.object}:${ex.program} over ${basename(cap)} on %s`, (engine) => {
        const t = trace(ex, engine, packets);
        expect(t.r0).toEqual(oracle.r0);
        expect(t.out).toEqual(oracle.out);
        expect(t.rings).toEqual(oracle.rings);
        expect(t.maps).toEqual(oracle.maps);
      });
    }
  }

  it('the examples do something: drops, bounces, events and counts happen on these captures', () => {
    const all = (ex: Example) => captures.map((c) => trace(ex, 'interp', capturePackets(c)));
    const [counter, blocklist, swap, logger] = EXAMPLES.map(all);
    expect(counter!.some((t) => t.maps.includes('"packets":'))).toBe(true);
    expect(blocklist!.some((t) => t.r0.includes(2))).toBe(true); // TC_ACT_SHOT
    expect(swap!.some((t) => t.r0.includes(3))).toBe(true); // XDP_TX
    expect(logger!.some((t) => t.rings.length > 0)).toBe(true);
  });

  it('runBatch gives the per-packet results', () => {
    const ex = EXAMPLES[0]!;
    const packets = capturePackets(captures[captures.length - 1]!);
    const block = createPacketBlock(packets.length);
    const total = packets.reduce((n, p) => n + p.length, 0);
    block.buf = new Uint8Array(total);
    let at = 0;
    packets.forEach((p, i) => {
      block.buf.set(p, at);
      block.offsets[i] = at;
      block.caplens[i] = block.wirelens[i] = p.length;
      at += p.length;
    });
    block.count = packets.length;
    const r = attach(ex, 'jit');
    const verdicts = new Int32Array(packets.length);
    r.runBatch(block, verdicts);
    expect(Array.from(verdicts)).toEqual(trace(ex, 'interp', packets).r0);
    expect(jsonText(dumpObjectMaps(r.object))).toEqual(trace(ex, 'interp', packets).maps);
  });
});
