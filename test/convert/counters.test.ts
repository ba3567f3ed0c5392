/**
 * Verdict counters kept by the converted program itself in an eBPF array map
 * (src/convert/counters.ts): on every engine and both hooks, after a capture the map holds the
 * numbers of packets the cBPF interpreter accepts and rejects, and the program still returns
 * what it returned without counters. The counting program passes the XDP verifier.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createInterpreter } from '../../src/cbpf/interpret.ts';
import { openCapture } from '../../src/capture/index.ts';
import { convert, withVerdictCounters } from '../../src/convert/index.ts';
import { loadConverted } from '../../src/pipeline.ts';
import { compile } from '../../src/filter/index.ts';
import { ENGINE_NAMES } from '../../src/runtime/index.ts';
import { verify, xdpHook } from '../../src/runtime/verifier/index.ts';
import { ArrayMap } from '../../src/maps/index.ts';
import { MapRegistry } from '../../src/maps/index.ts';

const root = join(import.meta.dirname, '..', '..');
const corpus = join(root, 'test', 'corpus', 'tcpdump-captures', 'afs.pcap');
const file = existsSync(corpus) ? corpus : join(root, 'captures', 'http.pcap');

function packets(): Array<{ data: Uint8Array; wirelen: number }> {
  const r = openCapture(file);
  const out: Array<{ data: Uint8Array; wirelen: number }> = [];
  for (let rec = r.next(); rec; rec = r.next()) out.push({ data: rec.data.slice(), wirelen: rec.wirelen });
  r.close();
  return out;
}

describe('verdict counters in an eBPF map', () => {
  const pkts = packets();
  for (const expr of ['tcp port 80', 'udp', 'ip[2:2] > 576 or ip6', 'tcp[(tcp[12] >> 4) * 4] = 0x47']) {
    it(`'${expr}': the map counts what the cBPF interpreter accepts and rejects`, () => {
      const prog = compile(expr, { linkType: 1, snaplen: 262144, optimize: true });
      const ref = createInterpreter(prog);
      let accepted = 0;
      for (const p of pkts) if (ref(p.data, p.data.length, p.wirelen) !== 0) accepted++;
      expect(pkts.length).toBeGreaterThan(5);
      for (const hook of ['socket', 'xdp'] as const) {
        const res = convert(prog, { hook });
        for (const engine of ENGINE_NAMES) {
          const plain = loadConverted(res, hook, { engine });
          const counting = loadConverted(res, hook, { engine, counters: true });
          for (const p of pkts) {
            expect(counting.run(p.data, 0, p.data.length, p.wirelen)).toBe(plain.run(p.data, 0, p.data.length, p.wirelen));
          }
          expect(counting.counters(), `${hook} ${engine}`).toEqual({ accepted: BigInt(accepted), rejected: BigInt(pkts.length - accepted) });
          expect(plain.counters()).toBeUndefined();
        }
      }
    });
  }

  it('the counting program passes the XDP verifier (key on the stack, NULL-checked value, atomic add)', () => {
    const reg = new MapRegistry();
    const m = reg.create({ kind: 'array', keySize: 4, valueSize: 8, maxEntries: 2 }) as ArrayMap;
    const prog = withVerdictCounters(convert(compile('tcp port 80', { linkType: 1, snaplen: 262144, optimize: true }), { hook: 'xdp' }).prog, 'xdp', m.id);
    const v = verify(prog, xdpHook((id) => reg.get(id)));
    expect(v.maps).toEqual([m.id]);
    expect(prog.filter((i) => i.kind === 'exit')).toHaveLength(1);
  });
});
