/**
 * The kernel as oracle for the verdict counters: the converted XDP filter with its counting
 * epilogue (src/convert/counters.ts) is loaded into the running kernel with a real
 * BPF_MAP_TYPE_ARRAY (test/tools/verifier-elf-kernel.c, built with gcc here), run on every packet
 * of a capture with BPF_PROG_TEST_RUN, and the kernel's verdicts and final counters must equal
 * ours. Needs root and gcc: elsewhere the test says why it is skipped; under CI=true it fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/index.ts';
import { convert, withVerdictCounters } from '../../src/convert/index.ts';
import { loadConverted } from '../../src/pipeline.ts';
import { compile } from '../../src/filter/index.ts';
import { encodeProgram } from '../../src/isa/ebpf/codec.ts';
import { MapType } from '../../src/maps/index.ts';
import { kernelOrSkip } from '../tools/kernel-oracle.ts';

const root = join(import.meta.dirname, '..', '..');
const corpus = join(root, 'test', 'corpus', 'tcpdump-captures', 'afs.pcap');
const file = existsSync(corpus) ? corpus : join(root, 'captures', 'http.pcap');
const dir = mkdtempSync(join(tmpdir(), 'tsdump-counters-kernel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Packets of at least an Ethernet header (the kernel's XDP test run refuses shorter ones). */
function packets(): Uint8Array[] {
  const r = openCapture(file);
  const out: Uint8Array[] = [];
  for (let rec = r.next(); rec; rec = r.next()) if (rec.caplen >= 14 && out.length < 200) out.push(rec.data.slice());
  r.close();
  return out;
}

describe('verdict counters against the kernel', () => {
  for (const expr of ['tcp port 80', 'udp', 'ip[2:2] > 576 or ip6']) it(`'${expr}': the kernel's verdicts and array-map counters equal ours`, (ctx) => {
    kernelOrSkip((why) => ctx.skip(why) as never);
    const bin = join(dir, 'verifier-elf-kernel');
    if (!existsSync(bin)) {
      const cc = spawnSync('gcc', ['-O2', '-Wall', '-o', bin, join(root, 'test', 'tools', 'verifier-elf-kernel.c')], { encoding: 'utf8' });
      expect(cc.status, cc.stderr).toBe(0);
    }
    const pkts = packets();
    const res = convert(compile(expr, { linkType: 1, snaplen: 262144, optimize: true }), { hook: 'xdp' });
    // The kernel tool numbers the maps it creates 1..n: the counters map is map 1.
    const prog = encodeProgram(withVerdictCounters(res.prog, 'xdp', 1));
    const req = `run 6 ${MapType.array}:4:8:2:0:- -- ${Buffer.from(prog).toString('hex')} ${pkts.map((p) => Buffer.from(p).toString('hex')).join(',')}`;
    const out = spawnSync(bin, [], { input: `${req}\n`, encoding: 'utf8', maxBuffer: 1 << 26 }).stdout.trim();
    expect(out.startsWith('ran '), out).toBe(true);
    const [, verdicts, dump] = out.split(' ');
    const ours = loadConverted(res, 'xdp', { engine: 'jit', counters: true });
    const mine = pkts.map((p) => ours.run(p, 0, p.length, p.length));
    expect(verdicts!.split(',').map(Number)).toEqual(mine);
    // The dump is key=value pairs in hex (little-endian bytes) in key order.
    const counts = Object.fromEntries(dump!.split(';').map((kv) => {
      const [k, v] = kv.split('=');
      return [Buffer.from(k!, 'hex').readUInt32LE(0), Buffer.from(v!, 'hex').readBigUInt64LE(0)];
    }));
    const c = ours.counters()!;
    expect({ accepted: counts[1], rejected: counts[0] }).toEqual(c);
    expect(c.accepted + c.rejected).toBe(BigInt(pkts.length));
  });
});
