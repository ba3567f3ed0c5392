/**
 * Regenerates the Linux cooked v2 (LINKTYPE_LINUX_SLL2) test data in test/golden/sll2/:
 *  - crafted.pcap: packets built here covering each packet type (In, B, M, P, Out, unknown),
 *    interface 1 (lo on every Linux) and an index no interface has, 6-byte and empty link
 *    addresses, IPv4 UDP/TCP/ICMP, IPv6, ARP, an unknown ethertype and a cut header;
 *  - v1-crafted.pcap: Linux cooked v1 (what tsdump -i any captures through `cap`) with link
 *    addresses of 4, 0, 8 and 6 bytes and an unknown packet type;
 *  - sll2.json: what tcpdump 4.99.3 prints for them and for any-lo.pcap (a `tcpdump -i any -w`
 *    capture of loopback traffic) with several flag sets, and the SHA-256 of what
 *    `tcpdump -r F -w - EXPR` writes for a few filters.
 *
 * Usage: npx tsx test/tools/gen-sll2-golden.ts   (needs tcpdump)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'sll2');

function sum16(b: number[], from: number, to: number, init = 0): number {
  let s = init;
  for (let i = from; i < to; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

function ipv4(proto: number, src: number[], dst: number[], payload: number[]): number[] {
  const h = [0x45, 0, ...u16(20 + payload.length), 0x12, 0x34, 0x40, 0, 64, proto, 0, 0, ...src, ...dst];
  const c = ~sum16(h, 0, 20) & 0xffff;
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return [...h, ...payload];
}
function udp(sport: number, dport: number, data: number[]): number[] {
  return [...u16(sport), ...u16(dport), ...u16(8 + data.length), 0, 0, ...data];
}
function tcpSyn(sport: number, dport: number): number[] {
  return [...u16(sport), ...u16(dport), ...u32(1000), ...u32(0), 0x50, 0x02, ...u16(65535), 0, 0, 0, 0];
}
const icmpEcho = (): number[] => {
  const m = [8, 0, 0, 0, 0, 1, 0, 7, 1, 2, 3, 4];
  const c = ~sum16(m, 0, m.length) & 0xffff;
  m[2] = c >> 8;
  m[3] = c & 0xff;
  return m;
};
function ipv6Udp(): number[] {
  const u = udp(40000, 9999, [0x61, 0x62]);
  return [0x60, 0, 0, 0, ...u16(u.length), 17, 64, ...Array(15).fill(0), 1, 0xff, 2, ...Array(13).fill(0), 1, ...u];
}
const arpRequest = (): number[] => [0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 9, 10, 0, 0, 9, ...Array(6).fill(0), 10, 0, 0, 1];

/** The 20-byte cooked v2 header. */
function sll2(proto: number, ifindex: number, pkttype: number, addr: number[]): number[] {
  const a = [...addr, ...Array(8 - addr.length).fill(0)];
  return [...u16(proto), 0, 0, ...u32(ifindex), ...u16(1), pkttype, addr.length, ...a];
}

const lo = [127, 0, 0, 1];
const mac = [0x02, 0x42, 0xac, 0x11, 0x00, 0x02];
const zero = [0, 0, 0, 0, 0, 0];
const packets: number[][] = [
  [...sll2(0x0800, 1, 0, zero), ...ipv4(17, lo, lo, udp(40000, 9999, [1, 2, 3, 4]))],
  [...sll2(0x0800, 1, 4, zero), ...ipv4(6, lo, lo, tcpSyn(40001, 8080))],
  [...sll2(0x0806, 999999, 1, mac), ...arpRequest()],
  [...sll2(0x86dd, 1, 2, zero), ...ipv6Udp()],
  [...sll2(0x0800, 999999, 3, []), ...ipv4(1, [10, 0, 0, 9], [10, 0, 0, 1], icmpEcho())],
  [...sll2(0x0800, 1, 7, mac), ...ipv4(17, [10, 0, 0, 9], [10, 0, 0, 1], udp(5000, 6000, [0x41]))],
  [...sll2(0x88b5, 1, 0, mac), 0xde, 0xad, 0xbe, 0xef],
  [...sll2(0x0800, 1, 4, mac), ...ipv4(6, [10, 0, 0, 1], [10, 0, 0, 9], tcpSyn(22, 50000))],
];
// Records: the last packet is cut inside the cooked header.
const records: { data: number[]; wirelen: number }[] = packets.map((p) => ({ data: p, wirelen: p.length }));
records.push({ data: packets[0]!.slice(0, 18), wirelen: packets[0]!.length });

const parts: Buffer[] = [];
const fh = Buffer.alloc(24);
fh.writeUInt32LE(0xa1b2c3d4, 0);
fh.writeUInt16LE(2, 4);
fh.writeUInt16LE(4, 6);
fh.writeUInt32LE(262144, 16);
fh.writeUInt32LE(276, 20);
parts.push(fh);
records.forEach((r, i) => {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(1700000000 + i, 0);
  h.writeUInt32LE(i * 1000, 4);
  h.writeUInt32LE(r.data.length, 8);
  h.writeUInt32LE(r.wirelen, 12);
  parts.push(h, Buffer.from(r.data));
});
writeFileSync(join(dir, 'crafted.pcap'), Buffer.concat(parts));

/** The 16-byte cooked v1 header (ARPHRD 778: IP-over-GRE style link, any address length). */
function sll1(proto: number, pkttype: number, addr: number[]): number[] {
  return [...u16(pkttype), ...u16(778), ...u16(addr.length), ...addr, ...Array(8 - addr.length).fill(0), ...u16(proto)];
}
const v1 = [
  [...sll1(0x0800, 0, [1, 2, 3, 4]), ...ipv4(17, [10, 0, 0, 1], [10, 0, 0, 2], udp(1000, 2000, [7]))],
  [...sll1(0x0800, 4, []), ...ipv4(17, [10, 0, 0, 2], [10, 0, 0, 1], udp(2000, 1000, [8]))],
  [...sll1(0x0800, 1, [1, 2, 3, 4, 5, 6, 7, 8]), ...ipv4(1, [10, 0, 0, 9], [10, 0, 0, 1], icmpEcho())],
  [...sll1(0x86dd, 3, mac), ...ipv6Udp()],
  [...sll1(0x0806, 9, mac), ...arpRequest()],
];
const v1parts: Buffer[] = [Buffer.from(fh)];
v1parts[0]!.writeUInt32LE(113, 20);
v1.forEach((d, i) => {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(1700000100 + i, 0);
  h.writeUInt32LE(i * 1000, 4);
  h.writeUInt32LE(d.length, 8);
  h.writeUInt32LE(d.length, 12);
  v1parts.push(h, Buffer.from(d));
});
writeFileSync(join(dir, 'v1-crafted.pcap'), Buffer.concat(v1parts));

const FLAGS = [['-nn'], ['-nn', '-e'], ['-nn', '-q'], ['-nn', '-q', '-e'], ['-nn', '-x'], ['-nn', '-v']];
const FILTERS = ['tcp', 'udp', 'arp', 'ip6', 'icmp', 'inbound', 'outbound', 'ifindex 1', 'ether proto 0x88b5', 'host 10.0.0.9 and tcp'];
const out: Record<string, unknown> = { tcpdump: spawnSync('tcpdump', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] };
for (const file of ['crafted.pcap', 'any-lo.pcap', 'v1-crafted.pcap']) {
  const print = FLAGS.map((args) => {
    const r = spawnSync('tcpdump', ['-r', file, ...args], { cwd: dir, encoding: 'latin1', env: { ...process.env, TZ: 'UTC' } });
    return { args, stdout: r.stdout, stderr: r.stderr };
  });
  const filters = FILTERS.map((expr) => {
    const r = spawnSync('tcpdump', ['-r', file, '-w', '-', expr], { cwd: dir, env: { ...process.env, TZ: 'UTC' } });
    return { expr, exit: r.status, sha256: createHash('sha256').update(r.stdout).digest('hex'), bytes: r.stdout.length };
  });
  out[file] = { print, filters };
}
writeFileSync(join(dir, 'sll2.json'), JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${join(dir, 'crafted.pcap')} and sll2.json`);
