/**
 * `tsdump --xdp / --tc / --socket-filter prog.o`: the example objects over captures through the
 * command (in process, output captured), and hostile objects through the real launcher (exit
 * status 1 and exactly one stderr line naming the problem, never a stack trace).
 *
 * What is checked against what: `--dump-maps` against the library's attachObject run of the
 * same packets (which object-kernel.test.ts checks against the kernel); `-w` and `--tx-out`
 * files against the program's per-packet actions and rewritten bytes; every `--engine` tier
 * against the default one, byte for byte (the capture files, the map JSON, the printed lines).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FILTER_ENGINES } from '../../src/cli/engine.ts';
import { runTcpdump } from '../../src/cli/tcpdump-command.ts';
import { attachObject } from '../../src/loader/attach.ts';
import { dumpObjectMaps, jsonText } from '../../src/loader/btf-format.ts';
import { UserError } from '../../src/errors.ts';
import { capturePackets, fixtures, preloadJson, repo } from '../loader/object-examples.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsdump-object-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = (n: string) => join(repo, 'test', 'corpus', 'tcpdump-captures', n);
const http = join(repo, 'captures', 'http.pcap');
const obj = (n: string) => join(fixtures, n);

async function tsdump(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const status = await runTcpdump(args, { write: (fd, t) => void (fd === 1 ? (stdout += t) : (stderr += t)) });
  return { status, stdout, stderr };
}

/** tsdump's error line for args run in process, as main() would print it. */
async function userError(args: string[]): Promise<string> {
  try {
    await tsdump(args);
  } catch (e) {
    if (e instanceof UserError) return e.message;
    throw e;
  }
  throw new Error('expected a UserError');
}

const packetsOf = (file: string) => capturePackets(file);

describe('running example objects over captures', () => {
  it('--dump-maps prints every map as bpftool JSON equal to the library run; --count counts passes; --stats the actions', async () => {
    const cap = corpus('ldp-common-session.pcap');
    const r = await tsdump(['-r', cap, '--xdp', obj('proto-counter.o'), '--dump-maps', '--count', '--stats']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const lib = attachObject(readFileSync(obj('proto-counter.o')), 'xdp');
    const pkts = packetsOf(cap);
    for (const p of pkts) lib.run(p);
    expect(lines[0]).toBe(jsonText(dumpObjectMaps(lib.object)));
    const maps = JSON.parse(lines[0]!) as Record<string, { key: string[]; value: string[]; formatted: { key: { ethertype: number; ipproto: number }; value: { packets: number; bytes: number } } }[]>;
    const total = maps.protocols!.reduce((n, e) => n + e.formatted.value.packets, 0);
    expect(total).toBe(pkts.length);
    expect(maps.protocols!.find((e) => e.formatted.key.ethertype === 0x0800 && e.formatted.key.ipproto === 6)?.formatted.value.packets).toBeGreaterThan(0);
    expect(lines[1]).toBe(`${pkts.length} packets`);
    expect(r.stderr).toContain(`count_protocols (xdp) on ${pkts.length} packets:\n  XDP_PASS: ${pkts.length}\n`);
  });

  it('--map preloads a blocklist; -w writes exactly the packets the tc program passes', async () => {
    const cap = corpus('ldp-common-session.pcap');
    const mapFile = join(dir, 'blocked.json');
    writeFileSync(mapFile, preloadJson([{ map: 'blocked_ports', key: '8602', value: '0000000000000000' }])); // port 646 (LDP)
    const out = join(dir, 'passed.pcap');
    const r = await tsdump(['-r', cap, '--tc', obj('port-blocklist.o'), '--map', `blocked_ports=${mapFile}`, '-w', out, '--dump-maps', '--stats']);
    expect(r.status).toBe(0);
    const pkts = packetsOf(cap);
    const lib = attachObject(readFileSync(obj('port-blocklist.o')), 'tc', { maps: [{ map: 'blocked_ports', json: readFileSync(mapFile, 'utf8') }] });
    const passed = pkts.filter((p) => lib.fate(lib.run(p)) === 'pass').map((p) => Buffer.from(p).toString('hex'));
    expect(passed.length).toBeGreaterThan(0);
    expect(passed.length).toBeLessThan(pkts.length);
    expect(packetsOf(out).map((p) => Buffer.from(p).toString('hex'))).toEqual(passed);
    const maps = JSON.parse(r.stdout) as Record<string, { formatted: { key?: number; value: unknown } }[]>;
    expect(maps.blocked_ports![0]!.formatted).toEqual({ key: 646, value: pkts.length - passed.length });
    expect(r.stderr).toMatch(/TC_ACT_OK: \d+\n {2}TC_ACT_SHOT: \d+\n/);
  });

  it('--tx-out collects XDP_TX frames with the rewrite the program made (MACs and IPv4 addresses swapped, TTL and checksum through bpf_csum_diff)', async () => {
    const tx = join(dir, 'tx.pcap');
    const passed = join(dir, 'pass.pcap');
    const cap = corpus('dhcp-rfc4388.pcap');
    const r = await tsdump(['-r', cap, '--xdp', obj('mac-swap.o'), '--tx-out', tx, '-w', passed, '--dump-maps']);
    expect(r.status).toBe(0);
    const input = packetsOf(cap);
    const ipv4 = input.filter((p) => p.length >= 34 && p[12] === 0x08 && p[13] === 0x00);
    const bounced = packetsOf(tx);
    expect(bounced.length).toBe(ipv4.length);
    // One's-complement sum of the IPv4 header's 16-bit words: 0xffff when its checksum is right.
    const headerSum = (f: Uint8Array): number => {
      let sum = 0;
      for (let i = 14; i < 14 + (f[14]! & 15) * 4; i += 2) sum += (f[i]! << 8) | f[i + 1]!;
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
      return sum;
    };
    bounced.forEach((b, i) => {
      const p = ipv4[i]!;
      const swapped = Buffer.concat([p.subarray(6, 12), p.subarray(0, 6), p.subarray(12, 26), p.subarray(30, 34), p.subarray(26, 30), p.subarray(34)]);
      swapped[22] = 64; // TTL, and the checksum patched with bpf_csum_diff:
      swapped[24] = b[24]!;
      swapped[25] = b[25]!;
      expect(Buffer.from(b).equals(swapped)).toBe(true);
      // An incremental update keeps a right checksum right (and a wrong one as wrong).
      expect(headerSum(b)).toBe(headerSum(p));
    });
    expect(bounced.filter((b) => headerSum(b) === 0xffff).length).toBeGreaterThan(0);
    expect(packetsOf(passed).length).toBe(input.length - ipv4.length);
    expect(JSON.parse(r.stdout)['.bss'][0].formatted).toEqual({ value: { '.bss': [{ bounced: ipv4.length }] } });
  });

  it('ring-buffer records are printed as they arrive, between the packet lines', async () => {
    const r = await tsdump(['-nn', '-r', http, '--xdp', obj('event-logger.o'), '-c', '3']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    // SYN, SYN-ACK: an event before each of their lines; the ACK has none.
    expect(lines[0]).toBe('ringbuf syn_events: 7f 00 00 01 7f 00 00 01 70 da 50 00 02 00 00 00 4a 00 00 00');
    expect(lines[1]).toMatch(/Flags \[S\],/);
    expect(lines[2]).toBe('ringbuf syn_events: 7f 00 00 01 7f 00 00 01 50 00 70 da 12 00 00 00 4a 00 00 00');
    expect(lines[3]).toMatch(/Flags \[S\.\],/);
    expect(lines[4]).toMatch(/Flags \[\.\],/);
    expect(lines.length).toBe(5);
  });

  it('perf-event records are printed as they arrive: the sample, then the frame bytes the flags asked for', async () => {
    const r = await tsdump(['-nn', '-r', corpus('dhcp-rfc4388.pcap'), '--xdp', obj('perf-sample.o'), '-c', '2']);
    const lines = r.stdout.trim().split('\n');
    // 342-byte DHCP frame, ports 67 → 67, then its Ethernet header.
    expect(lines[0]).toBe('perf samples cpu 0: 56 01 00 00 43 00 43 00 a6 82 4b c9 a1 a7 74 83 ef 07 d0 a9 08 00');
    expect(lines[1]).toMatch(/BOOTP\/DHCP, Request/);
    expect(lines[2]).toMatch(/ICMP echo request/);
    expect(lines).toHaveLength(3);
  });

  it('bpf_printk lines go to stderr; a socket filter keeps the bytes it returns', async () => {
    const t = await tsdump(['-r', http, '--xdp', obj('trace.o'), '--count']);
    expect(t.stderr.split('\n').filter((l) => l.startsWith('len='))).toHaveLength(packetsOf(http).length);
    expect(t.stderr).toContain('big packet: ');
    const out = join(dir, 'sock.pcap');
    const s = await tsdump(['-r', http, '--socket-filter', obj('socket-filter.o'), '-w', out, '--stats']);
    expect(s.status).toBe(0);
    const lib = attachObject(readFileSync(obj('socket-filter.o')), 'socket');
    const want = packetsOf(http).map((p) => ({ p, r0: lib.run(p) })).filter((x) => x.r0 > 0).map((x) => Buffer.from(x.p.subarray(0, Math.min(x.r0, x.p.length))).toString('hex'));
    expect(want.length).toBeGreaterThan(0);
    expect(packetsOf(out).map((p) => Buffer.from(p).toString('hex'))).toEqual(want);
  });

  it('passed packets print as the expression path prints them: names without -n, -X/-x/-A dumps', async () => {
    // proto-counter passes every packet unchanged, so its lines must equal the unfiltered run's
    // (whose text the golden tests hold to tcpdump's).
    for (const flags of [['-X'], ['-n', '-x'], ['-nn', '-AA'], ['-e', '-XX']]) {
      const viaObject = await tsdump(['-r', http, '-c', '4', ...flags, '--xdp', obj('proto-counter.o')]);
      const plain = await tsdump(['-r', http, '-c', '4', ...flags]);
      expect(viaObject.stdout, flags.join(' ')).toBe(plain.stdout);
      expect(viaObject.stdout.length).toBeGreaterThan(0);
    }
  });

  it('every --engine gives the same printed lines, -w and --tx-out bytes and maps', async () => {
    const cap = corpus('mptcp-aa-v1.pcap');
    const results = [];
    for (const engine of FILTER_ENGINES) {
      const w = join(dir, `w-${engine}.pcap`), tx = join(dir, `tx-${engine}.pcap`);
      const runs = [];
      for (const o of ['proto-counter.o', 'mac-swap.o', 'event-logger.o']) {
        const r = await tsdump(['-nn', '-r', cap, '--engine', engine, '--xdp', obj(o), '-w', w, '--tx-out', tx, '--dump-maps', '--print']);
        runs.push(r.stdout, readFileSync(w).toString('hex'), readFileSync(tx).toString('hex'));
      }
      results.push(runs);
    }
    for (const r of results.slice(1)) expect(r).toEqual(results[0]);
  });
});

describe('object options and hostile objects: one clear line, exit 1', () => {
  const bin = join(repo, 'src', 'cli', 'bin.mjs');
  const spawn = (args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    return { status: r.status, lines: r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('reading from file')) };
  };

  /** Offsets and sizes of an ELF64 object's sections, by name. */
  function sections(b: Buffer): Map<string, { off: number; size: number; hdr: number }> {
    const shoff = Number(b.readBigUInt64LE(0x28)), n = b.readUInt16LE(0x3c), strIdx = b.readUInt16LE(0x3e);
    const strOff = Number(b.readBigUInt64LE(shoff + strIdx * 64 + 24));
    const out = new Map<string, { off: number; size: number; hdr: number }>();
    for (let i = 0; i < n; i++) {
      const h = shoff + i * 64;
      const nameAt = strOff + b.readUInt32LE(h);
      const name = b.subarray(nameAt, b.indexOf(0, nameAt)).toString();
      out.set(name, { off: Number(b.readBigUInt64LE(h + 24)), size: Number(b.readBigUInt64LE(h + 32)), hdr: h });
    }
    return out;
  }

  const hostile: [string, () => string, RegExp][] = [
    ['a truncated object', () => {
      const f = join(dir, 'truncated.o');
      writeFileSync(f, readFileSync(obj('proto-counter.o')).subarray(0, 900));
      return f;
    }, /truncated\.o: (section header table out of range|section \d+ runs past the end of the file)$/],
    ['a relocation of an unknown type', () => {
      const b = Buffer.from(readFileSync(obj('proto-counter.o')));
      const rel = sections(b).get('.relxdp')!;
      b.writeUInt32LE(99, rel.off + 8); // r_info low half: the type
      const f = join(dir, 'bad-reloc-type.o');
      writeFileSync(f, b);
      return f;
    }, /bad-reloc-type\.o: unsupported relocation type 99 on opcode 0x18 at xdp\+\d+ \(count_protocols pc \d+\)$/],
    ['a relocation naming a missing symbol', () => {
      const b = Buffer.from(readFileSync(obj('proto-counter.o')));
      const rel = sections(b).get('.relxdp')!;
      b.writeUInt32LE(0xffff, rel.off + 12); // r_info high half: the symbol index
      const f = join(dir, 'bad-reloc-sym.o');
      writeFileSync(f, b);
      return f;
    }, /bad-reloc-sym\.o: relocation at \.relxdp\+0 names a missing symbol$/],
    ['not an ELF file', () => join(repo, 'captures', 'http.pcap'), /http\.pcap: not an ELF file$/],
    ['a program in a section no hook uses', () => obj('hostile/odd-section.o'), /odd-section\.o: no xdp program in the object \(have: sampler \(section perf_event\)\)$/],
    ['an oversized map', () => obj('hostile/huge-map.o'), /huge-map\.o: map 'huge': max_entries too large for this runtime/],
    ['a program the verifier must refuse', () => obj('hostile/unchecked-read.o'), /unchecked-read\.o: program 'unchecked' \(section xdp\): verifier: pc \d+: .*invalid access to packet/],
    ['an unsupported map type', () => obj('hostile/devmap.o'), /devmap\.o: map 'ports': BPF_MAP_TYPE_DEVMAP \(14\) is not supported/],
    ['an unsupported helper', () => obj('hostile/fib-lookup.o'), /fib-lookup\.o: program 'route' calls bpf_fib_lookup \(helper 69\) at pc \d+, which tsdump does not provide/],
  ];

  it.each(hostile)('%s', (_what, make, message) => {
    const r = spawn(['-r', http, '--xdp', make()]);
    expect(r.status).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^tsdump: /);
    expect(r.lines[0]).toMatch(message);
  });

  it('usage errors name the fix', async () => {
    expect(await userError(['-r', http, '--xdp', obj('proto-counter.o'), '--tc', obj('port-blocklist.o')])).toMatch(/--xdp and --tc cannot be used together/);
    expect(await userError(['-r', http, '--tc', obj('proto-counter.o')])).toMatch(/no tc program in the object \(have: count_protocols \(section xdp\)\)/);
    expect(await userError(['-r', http, '--xdp', obj('tail-call.o')])).toMatch(/3 xdp programs .*name the one to run/);
    expect(await userError(['-r', http, '--xdp', `${obj('tail-call.o')}:nope`])).toMatch(/no program or section named 'nope'/);
    expect(await userError(['-r', http, '--dump-maps'])).toMatch(/need an object to run/);
    expect(await userError(['-r', http, '--xdp', obj('proto-counter.o'), 'tcp'])).toMatch(/instead of a filter expression/);
    expect(await userError(['-r', http, '--xdp', obj('proto-counter.o'), '--map', 'nope=x.json'])).toMatch(/x\.json: No such file or directory/);
    const bad = join(dir, 'bad-map.json');
    writeFileSync(bad, '[{"key":["0x01"],"value":["0x00"]}]');
    expect(await userError(['-r', http, '--tc', obj('port-blocklist.o'), '--map', `blocked_ports=${bad}`])).toMatch(/bad-map\.json: entry 0 key has 1 bytes; the map needs 2/);
    expect(await userError(['-r', http, '--tc', obj('port-blocklist.o'), '--map', `nope=${bad}`])).toMatch(/no map named 'nope' \(have: blocked_ports, \.bss\)/);
  });

  it('a named program in an object with several runs (xdp section)', async () => {
    const r = await tsdump(['-r', http, '--xdp', `${obj('tail-call.o')}:drop_all`, '--count', '--stats']);
    expect(r.stdout).toBe('0 packets\n');
    expect(r.stderr).toContain('XDP_DROP: 10');
  });
});
