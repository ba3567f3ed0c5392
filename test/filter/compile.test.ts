/**
 * compile() semantics that are easy to state: qualifier inheritance gives the same program as
 * writing the qualifiers out, the encapsulation context is threaded left to right, name
 * resolution goes through the injected resolver, and programs behave on hand-built packets.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/filter/index.ts';
import { tableResolver } from '../../src/filter/names.ts';
import { runCbpf } from './helpers/vm.ts';

const resolver = tableResolver({
  hosts: '192.0.2.7 gw.example\n2001:db8::7 gw.example\n',
  services: 'http 80/tcp\nwww 80/tcp\n',
  protocols: 'tcp 6 TCP\nudp 17 UDP\n',
  ethers: '02:00:00:00:00:07 gw.example\n',
  networks: 'testnet 10.20\n',
});
const opt = { linkType: 1, snaplen: 65535, optimize: true, resolver };
const c = (e: string, o = opt): ReturnType<typeof compile> => compile(e, o);

/** Ethernet + IPv4 (+ 20-byte TCP header) with the given addresses and ports; optional VLAN tag. */
function tcp4(src: number[], dst: number[], sport: number, dport: number, vlan?: number): Uint8Array {
  const tag = vlan === undefined ? [] : [0x81, 0x00, vlan >> 8, vlan & 255];
  const eth = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 7, ...tag, 0x08, 0x00];
  const ip = [0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, ...src, ...dst];
  const l4 = [sport >> 8, sport & 255, dport >> 8, dport & 255, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0, 0, 0, 0, 0, 0];
  return Uint8Array.from([...eth, ...ip, ...l4]);
}
const run = (e: string, p: Uint8Array): number => runCbpf(c(e), p, p.length);

describe('compile', () => {
  it('inherits qualifiers exactly like the spelled-out expression', () => {
    expect(c('tcp port 80 or 443')).toEqual(c('tcp port 80 or tcp port 443'));
    expect(c('not host 10.0.0.1 and 10.0.0.2')).toEqual(c('not host 10.0.0.1 and host 10.0.0.2'));
    expect(c('src net 10.0.0.0/8 and not (192.168.0.0/16 or 172.16.0.0/12)'))
      .toEqual(c('src net 10.0.0.0/8 and not (src net 192.168.0.0/16 or src net 172.16.0.0/12)'));
  });
  it('threads the vlan context left to right, whatever the boolean structure', () => {
    const tagged = tcp4([10, 0, 0, 1], [10, 0, 0, 2], 1000, 80, 5);
    const plain = tcp4([10, 0, 0, 1], [10, 0, 0, 2], 1000, 80);
    expect(run('vlan 5 and tcp port 80', tagged)).toBe(65535);
    expect(run('tcp port 80', plain)).toBe(65535);
    expect(run('vlan or tcp port 80', plain)).toBe(0); // after `vlan`, offsets are shifted
  });
  it('resolves names through the injected resolver', () => {
    const p = tcp4([192, 0, 2, 7], [10, 20, 0, 9], 1000, 80);
    expect(run('host gw.example', p)).toBe(65535);
    expect(run('dst net testnet', p)).toBe(65535);
    expect(run('tcp dst port http', p)).toBe(65535);
    expect(run('ip proto \\tcp', p)).toBe(65535);
    expect(run('ether src gw.example', p)).toBe(65535);
    // libpcap 1.10.3 with IPv6 support (tcpdump 4.99 on Linux) refuses `gateway` for any name.
    expect(() => run('gateway gw.example', p)).toThrow("'gateway' not supported in this configuration");
  });
  it('keeps the first-fragment rule for transport fields', () => {
    const p = tcp4([10, 0, 0, 1], [10, 0, 0, 2], 1000, 80);
    p[20] = 0x00; p[21] = 0x10; // fragment offset 16: not the first fragment
    expect(run('tcp port 80', p)).toBe(0);
    expect(run('tcp[13] & tcp-syn != 0', p)).toBe(0);
    expect(run('tcp', p)).toBe(65535);
  });
  it('evaluates arithmetic like the VM (32-bit unsigned)', () => {
    const p = tcp4([10, 0, 0, 1], [10, 0, 0, 2], 1000, 80);
    expect(run('ip[2:2] - 40 = 0', p)).toBe(65535);
    expect(run('ip[2:2] * 2 + 1 = 81', p)).toBe(65535);
    expect(run('(ip[0] & 0xf) << 2 = 20', p)).toBe(65535);
    expect(run('len - 1 = -1 + len', p)).toBe(65535);
    expect(run('ip[9] % 4 = 2 and ip[9] / 4 = 1', p)).toBe(65535);
  });
  it('walks long IPv6 extension-header chains with a protochain loop (a backward ja, like libpcap)', () => {
    // Ethernet + IPv6 + 20 destination-options headers (8 bytes each) + UDP.
    const n = 20;
    const eth = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 7, 0x86, 0xdd];
    const ip6 = [0x60, 0, 0, 0, 0, n * 8 + 8, 60, 64, ...new Array<number>(32).fill(0)];
    const ext: number[] = [];
    for (let i = 0; i < n; i++) ext.push(i === n - 1 ? 17 : 60, 0, 1, 4, 0, 0, 0, 0);
    const p = Uint8Array.from([...eth, ...ip6, ...ext, 0, 53, 0, 53, 0, 8, 0, 0]);
    const prog = c('ip6 protochain 17');
    expect(prog.some((i) => i.code === 0x05 && (i.k | 0) < 0)).toBe(true);
    expect(runCbpf(prog, p, p.length)).toBe(65535);
    expect(runCbpf(c('ip6 protochain 6'), p, p.length)).toBe(0);
  });
  it('returns the snaplen, and 0 for the empty-filter complement', () => {
    expect(c('')).toEqual([{ code: 6, jt: 0, jf: 0, k: 65535 }]);
    expect(compile('ip', { ...opt, snaplen: 96 }).at(-2)).toEqual({ code: 6, jt: 0, jf: 0, k: 96 });
  });
});
