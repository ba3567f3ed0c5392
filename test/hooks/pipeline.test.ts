/**
 * createPacketFilter (src/pipeline.ts), the pipeline as one function: on corpus captures of
 * several link types (truncated packets included: `len`, `less` and `greater` see the wire
 * length), every eBPF engine at the tc hook — one packet at a time and a block per call (the
 * structured JIT's and the wasm tier's packet loop inside the generated code) — selects exactly
 * the packets of the reference cBPF interpreter; the XDP hook too on filters that do not read
 * `len`; the default ('auto') is the tc hook on the structured JIT; the verdict counters equal
 * the number of matches.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/index.ts';
import { createPacketFilter } from '../../src/pipeline.ts';
import type { PacketFilterEngine } from '../../src/pipeline.ts';
import { createPacketBlock } from '../../src/runtime/batch.ts';
import type { PacketBlock } from '../../src/runtime/batch.ts';
import { ENGINE_NAMES } from '../../src/runtime/index.ts';

const corpus = join(import.meta.dirname, '..', 'corpus', 'tcpdump-captures');
const CAPTURES = ['afs.pcap', 'print-flags.pcap', 'dhcpv6-ia-na.pcap', 'vrrp.pcap', 'ipv6-bad-version.pcap', 'pppoe.pcap', 'ospf-gmpls.pcap', 'udld-inlinepart.pcap']
  .filter((f) => existsSync(join(corpus, f)));

const EXPRESSIONS = [
  '', 'tcp port 80', 'udp and not port 53', 'ip6', 'icmp or arp', 'host 10.0.0.1 or net 192.168.0.0/16',
  'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0', 'ip[2:2] > 576', 'len > 100 and ether broadcast', 'vlan and ip',
  'greater 200', 'less 100', 'ip[0] & 0xf != 5', 'udp[8:2] = 0x1234 or tcp[(tcp[12] >> 4) * 4] = 0x47', 'portrange 1023-1',
];

/** The capture's packets as one block (copied into one buffer), with caplen < wirelen kept. */
function readBlock(path: string): { block: PacketBlock; linkType: number } {
  const r = openCapture(path);
  const chunks: Uint8Array[] = [];
  const meta: number[][] = [];
  let at = 0;
  for (let rec = r.next(); rec !== null; rec = r.next()) {
    chunks.push(rec.data.slice());
    meta.push([at, rec.caplen, rec.wirelen]);
    at += rec.caplen;
  }
  const block = createPacketBlock(meta.length);
  const buf = new Uint8Array(at);
  chunks.forEach((c, i) => buf.set(c, meta[i]![0]));
  block.buf = buf;
  block.count = meta.length;
  meta.forEach(([o, c, w], i) => { block.offsets[i] = o!; block.caplens[i] = c!; block.wirelens[i] = w!; });
  const linkType = r.info.linkType;
  r.close();
  return { block, linkType };
}

const truncated = (b: PacketBlock) => Array.from({ length: b.count }, (_, i) => b.caplens[i]! < b.wirelens[i]!).filter(Boolean).length;

describe('createPacketFilter', () => {
  it('has corpus captures to run on', () => {
    expect(CAPTURES.length).toBeGreaterThan(4);
  });

  for (const file of CAPTURES) {
    it(`every engine at the tc hook (single and batch) selects the cBPF interpreter's packets: ${file}`, () => {
      const { block, linkType } = readBlock(join(corpus, file));
      const problems: string[] = [];
      let compared = 0;
      for (const expression of EXPRESSIONS) {
        let ref;
        try {
          ref = createPacketFilter({ expression, linkType, engine: 'cbpf' });
        } catch {
          continue; // not valid on this link type
        }
        const want = new Int32Array(block.count);
        ref.runBatch(block, want);
        const wantPass = Array.from(want, (v) => v !== 0);
        const hooks = expression.includes('len') || expression.includes('less') || expression.includes('greater') ? ['tc', 'socket'] as const : ['tc', 'xdp', 'socket'] as const;
        for (const hook of hooks) {
          for (const e of ENGINE_NAMES) {
            const f = createPacketFilter({ expression, linkType, engine: `ebpf-${e}` as PacketFilterEngine, hook, counters: true });
            const single = Array.from({ length: block.count }, (_, i) => f.matches(block.buf, block.offsets[i]!, block.caplens[i]!, block.wirelens[i]!));
            const matches = wantPass.filter(Boolean).length;
            // Three batch runs of the same block: the JIT specializes its code to arrays that
            // come back (src/runtime/jit/js.ts), so the later runs take that code.
            const v = new Int32Array(block.count);
            for (let k = 0; k < 3; k++) {
              v.fill(-7);
              const accepted = f.runBatch(block, v);
              const batch = Array.from(v, (x) => f.accepts(x));
              if (accepted !== matches) problems.push(`${file} '${expression}' ${hook}/${e} run ${k}: runBatch returned ${accepted}, want ${matches}`);
              for (let i = 0; i < block.count; i++) {
                if (single[i] !== wantPass[i] || batch[i] !== wantPass[i]) {
                  problems.push(`${file} '${expression}' ${hook}/${e} run ${k} packet ${i}: want ${wantPass[i]}, single ${single[i]}, batch ${batch[i]}`);
                  break;
                }
              }
            }
            const c = f.counters()!;
            if ((c.accepted !== BigInt(4 * matches) || c.rejected !== BigInt(4 * (block.count - matches)))) problems.push(`${file} '${expression}' ${hook}/${e}: counters ${c.accepted}/${c.rejected}, want ${4 * matches}/${4 * (block.count - matches)}`);
            compared++;
          }
        }
      }
      expect(problems.slice(0, 5)).toEqual([]);
      expect(compared).toBeGreaterThan(0);
      void truncated;
    }, 120_000);
  }

  it('runs truncated packets: len, less and greater on the wire length at the default hook', () => {
    // afs.pcap cut to a 68-byte snapshot (tcpdump -s 68): most packets are truncated.
    const { block } = readBlock(join(corpus, 'afs.pcap'));
    for (let i = 0; i < block.count; i++) block.caplens[i] = Math.min(block.caplens[i]!, 68);
    expect(truncated(block)).toBeGreaterThan(block.count / 2);
    for (const expression of ['greater 200', 'less 100', 'len > 1000', 'udp and len >= 300']) {
      const ref = createPacketFilter({ expression, engine: 'cbpf' });
      const dflt = createPacketFilter({ expression });
      expect(dflt.engine).toBe('ebpf-jit');
      expect(dflt.hook).toBe('tc');
      const a = new Int32Array(block.count), b = new Int32Array(block.count);
      ref.runBatch(block, a);
      dflt.runBatch(block, b);
      const want = Array.from(a, (x) => x !== 0);
      expect(want.some(Boolean) && !want.every(Boolean)).toBe(true);
      expect(Array.from(b, (x) => dflt.accepts(x))).toEqual(want);
      for (const e of ENGINE_NAMES) {
        for (const hook of ['tc', 'socket'] as const) {
          const f = createPacketFilter({ expression, engine: `ebpf-${e}` as PacketFilterEngine, hook });
          const v = new Int32Array(block.count);
          f.runBatch(block, v);
          expect(Array.from(v, (x) => f.accepts(x)), `${expression} ${hook}/${e}`).toEqual(want);
        }
      }
    }
  });

  it('a user error is one UserError line', () => {
    expect(() => createPacketFilter({ expression: 'tcp port' })).toThrow(/port/);
    expect(() => createPacketFilter({})).toThrow(/expression or a program/);
    void readFileSync;
  });
});
