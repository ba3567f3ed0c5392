/**
 * Maps as bpftool JSON (src/maps/json.ts) and the library's object API: a dump loads back into an
 * empty map to the same elements; per-CPU arrays use bpftool's `values` list; malformed input
 * is one UserError naming the entry; `formatted` follows the BTF types (the kernel comparison in
 * object-kernel.test.ts checks it against bpftool itself). Through src/index.ts, a user loads
 * an object, attaches it, runs packets, then reads and writes its maps.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attachObject, dumpObjectMaps, maps as mapsApi, UserError } from '../../src/index.ts';
import { jsonText } from '../../src/loader/btf-format.ts';
import { fixtures } from './object-examples.ts';

const { MapRegistry, dumpMapJson, loadMapJson } = mapsApi;

describe('bpftool JSON dump and load', () => {
  it('a hash map dumps as hex byte lists and loads back into an empty map', () => {
    const reg = new MapRegistry();
    const m = reg.create({ kind: 'hash', name: 'h', keySize: 2, valueSize: 4, maxEntries: 8 });
    reg.update(m, Uint8Array.of(1, 2), Uint8Array.of(3, 4, 5, 6));
    reg.update(m, Uint8Array.of(0xff, 0), Uint8Array.of(0, 0, 0, 0x80));
    const dump = dumpMapJson(reg, m);
    // Hash iteration order is the map's own; compare as a set.
    expect(dump.map(jsonText).sort()).toEqual([
      { key: ['0x01', '0x02'], value: ['0x03', '0x04', '0x05', '0x06'] },
      { key: ['0xff', '0x00'], value: ['0x00', '0x00', '0x00', '0x80'] },
    ].map(jsonText).sort());
    const reg2 = new MapRegistry();
    const m2 = reg2.create({ kind: 'hash', name: 'h', keySize: 2, valueSize: 4, maxEntries: 8 });
    expect(loadMapJson(m2, jsonText(dump))).toBe(2);
    expect(dumpMapJson(reg2, m2).map(jsonText).sort()).toEqual(dump.map(jsonText).sort());
    // The --dump-maps document (an object keyed by map name) is accepted too.
    const m3 = new MapRegistry().create({ kind: 'hash', name: 'h', keySize: 2, valueSize: 4, maxEntries: 8 });
    expect(loadMapJson(m3, jsonText({ h: dump }))).toBe(2);
  });

  it('per-CPU arrays use bpftool\'s values list', () => {
    const reg = new MapRegistry({ nCpus: 2 });
    const m = reg.create({ kind: 'percpu_array', name: 'pc', keySize: 4, valueSize: 1, maxEntries: 2 });
    loadMapJson(m, JSON.stringify([{ key: ['0x01', '0', '0', '0'], values: [{ cpu: 0, value: ['0x07'] }, { cpu: 1, value: ['0x09'] }] }]));
    expect(dumpMapJson(reg, m)[1]).toEqual({ key: ['0x01', '0x00', '0x00', '0x00'], values: [{ cpu: 0, value: ['0x07'] }, { cpu: 1, value: ['0x09'] }] });
  });

  it('malformed input is one clear error naming the entry', () => {
    const m = new MapRegistry().create({ kind: 'hash', name: 'h', keySize: 2, valueSize: 1, maxEntries: 1 });
    const err = (text: string) => {
      try {
        loadMapJson(m, text, 'f.json');
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err('{')).toMatch(/^f\.json: not JSON/);
    expect(err('{"other": []}')).toMatch(/no list for map 'h'/);
    expect(err('[{"key":["0x01","0x02"]}]')).toMatch(/entry 0 has no "value"/);
    expect(err('[{"key":["0x01","0x1ff"],"value":["0"]}]')).toMatch(/entry 0 key: byte 1 \("0x1ff"\) is not a byte/);
    expect(err('[{"key":["1","2"],"value":["0"]},{"key":["1","3"],"value":["0"]}]')).toMatch(/entry 1: update of map 'h' failed: E2BIG/);
  });
});

describe('the library: load, attach, run, read and write maps', () => {
  it('runs packets through an object and reads and writes its maps between runs', () => {
    const r = attachObject(readFileSync(join(fixtures, 'port-blocklist.o')), 'tc');
    const frame = (dport: number) => {
      const f = new Uint8Array(54);
      f.set([0x08, 0x00], 12);
      f[14] = 0x45;
      f[23] = 6;
      f[36] = dport >> 8;
      f[37] = dport & 0xff;
      return f;
    };
    expect(r.fate(r.run(frame(22)))).toBe('pass');
    const blocked = r.object.maps.get('blocked_ports')!;
    r.object.registry.update(blocked, Uint8Array.of(22, 0), new Uint8Array(8));
    expect(r.run(frame(22))).toBe(2); // TC_ACT_SHOT
    expect(r.fate(2)).toBe('drop');
    expect(r.object.registry.lookup(blocked, Uint8Array.of(22, 0))).toEqual(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0));
    const dump = JSON.parse(jsonText(dumpObjectMaps(r.object))) as Record<string, { formatted: unknown }[]>;
    expect(dump.blocked_ports![0]!.formatted).toEqual({ key: 22, value: 1 });
    expect(dump['.bss']![0]!.formatted).toEqual({ value: { '.bss': [{ checked: 2 }] } });
  });
});
