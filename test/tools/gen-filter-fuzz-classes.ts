/**
 * Golden data for test/filter/fuzz-classes.test.ts: the classes of difference the
 * filters-libpcap fuzz campaign found between tsdump's compiler and libpcap 1.10.3, each as a
 * few expressions, with what libpcap 1.10.3 answers (its error message, or its verdict on every
 * packet of a generated Ethernet capture that carries Geneve, MPLS, VLAN, TCP and UDP traffic),
 * compiled optimized and not. Needs gcc and libpcap-dev (the oracle, libpcap-oracle.ts).
 * Usage: npx tsx test/tools/gen-filter-fuzz-classes.ts
 * Writes test/filter/data/fuzz-classes.pcap and test/filter/data/fuzz-classes.json.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractBias, generatePackets, writePcap } from './packet-gen.ts';
import { oracleBatch } from './libpcap-oracle.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, '../filter/data');
const G = 'geneve 11562497';
const chain = (term: string, n: number, op = 'or'): string => Array.from({ length: n }, () => term).join(` ${op} `);
/** `a + (b + (a + (… b)))`, `n` operands nested to the right. */
const nest = (a: string, b: string, n: number): string => {
  let e = n % 2 ? a : b;
  for (let i = n - 1; i > 0; i--) e = `${i % 2 ? a : b} + (${e})`;
  return e;
};

/** class name → expressions (numbers only: no name lookups, so the answers do not depend on /etc). */
export const FUZZ_CLASSES: Record<string, string[]> = {
  // Each geneve takes three registers libpcap never frees; arithmetic needs free ones too.
  'geneve registers': [
    chain(G, 5), chain(G, 6), chain('geneve', 6, 'and'), `${chain('geneve', 5, 'and')} and ip[0] = 1`,
    `${chain('geneve', 4, 'and')} and ip[0] + ip[1] = ip[2]`, `${chain('geneve', 4, 'and')} and ip[0] + (ip[1] + ip[2]) = 3`,
  ],
  // Arithmetic registers reused by geneve (libpcap's round-robin allocator): same slots, same values.
  'geneve after arithmetic': [
    '(tcp[13] & 2 = 5 or geneve) or tcp port 67', '(ip[0] & 0xf = 5 or geneve) and ip', 'len - 40 > 10 or geneve and udp',
    'geneve 7 and (geneve or ip[9] = 17) and udp', 'geneve and (geneve or tcp)', 'geneve and (geneve or udp port 53)',
    '(udp portrange 25-80 and (tcp[13] & 2 != 0 or geneve) or !tcp src or dst port 67)', 'geneve and ip[2:2] - 4 > len or geneve and udp',
  ],
  // protochain takes a register; without ip/ip6 it keeps one for good.
  'protochain registers': [
    chain('protochain 6', 15), chain('protochain 6', 16), chain('ip6 protochain 6', 20), `${chain('protochain 17', 4)} or ${chain('geneve', 4)}`,
    `${chain('protochain 17', 5)} or ${chain('geneve', 4)}`, 'ip protochain 6 or geneve and tcp[0:2] > 3',
  ],
  // Arithmetic needs libpcap's registers at its peak: up to 16 (a deep relation is fine), fewer
  // when protochains keep theirs.
  'arithmetic registers': [
    `${nest('ip[0]', 'ip[1]', 12)} = 1`, `${nest('1', 'len', 15)} = 1`, `${nest('1', 'len', 16)} = 1`, `${nest('1', 'len', 17)} = 1`, `${nest('len', 'len', 14)} > 100`,
    `${nest('tcp[0]', 'tcp[1]', 12)} > 30`, `${chain('protochain 6', 13)} or ip[0] + ip[1] = ip[2]`, `${chain('protochain 6', 14)} or ip[0] + ip[1] = ip[2]`,
  ],
  // libpcap's MPLS label depth is not reset by geneve.
  'mpls over geneve': [
    'mpls and geneve and iso', 'mpls 5 && geneve and ip', 'mpls && geneve and mpls 3 and ip6', 'mpls and geneve and tcp port 80',
    'mpls and geneve and vlan', 'mpls and geneve and arp', 'mpls and geneve and ether host 1:2:3:4:5:6',
  ],
  // A portrange word is first read as sscanf("%d-%d"), trailing text ignored.
  'portrange words': [
    'tcp portrange 22-67m', 'tcp portrange 67-10.0.0.14789', 'portrange 1--3', 'portrange 99999999999-1', 'portrange 1-4294967297',
    'portrange 22-0x1f', 'portrange 0x10-20', 'portrange 5-3x', 'portrange 1-2-3', 'portrange 1.2-3', 'portrange 070-80', 'portrange 99999-2',
  ],
  // After pppoes libpcap compiles for PPP, also behind MPLS labels (until a geneve).
  'link type after pppoes': [
    'not pppoes 60408 and mpls 777954 || !llc ua', 'pppoes and llc', 'pppoes and geneve and llc', 'pppoes and mpls and ether host 1:2:3:4:5:6',
    'pppoes and mpls and broadcast', 'pppoes and mpls and multicast', 'pppoes and geneve and ether broadcast', 'pppoes and mpls and ip',
  ],
  // `\word` is a name up to a blank, '!' or a parenthesis; an address literal resolves to itself; no `NUM/len`.
  'escaped names and masks': [
    'host \\92.168.1.1 or 255.255.255.255', 'host \\::1', 'ether proto \\ip', 'ether proto \\ip)', 'protochain 1/7', 'net 10/8', 'net 10.0/8',
    'ip proto 1/7', 'port 1/7',
  ],
  // A MAC address needs a link-level qualifier (also inherited).
  'mac address qualifiers': [
    'host 01:00:5e:00:00:01', 'dst host 01:00:5e:00:00:01', 'ether src or dst host 01:00:5e:00:00:0c or dst host 01:00:5e:00:00:01',
    'ether host 1:2:3:4:5:6 or 01:00:5e:00:00:01', 'ether src 1:2:3:4:5:6 or not 01:00:5e:00:00:01', 'ether host 01:00:5e:00:00:0or ip',
  ],
};

const be16 = (v: number): number[] => [(v >> 8) & 255, v & 255];
const be32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const ETH = (type: number): number[] => [0, 0x11, 0x22, 0x33, 0x44, 0x55, 1, 2, 3, 4, 5, 6, ...be16(type)];
function ipv4(proto: number, payload: number[], ihl = 5): number[] {
  const h = [0x40 | ihl, 0, ...be16(ihl * 4 + payload.length), 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, ...new Array<number>((ihl - 5) * 4).fill(1)];
  return [...h, ...payload];
}
function ipv6(next: number, payload: number[]): number[] {
  return [0x60, 0, 0, 0, ...be16(payload.length), next, 64, ...new Array<number>(15).fill(0), 1, ...new Array<number>(15).fill(0), 2, ...payload];
}
const udp = (sport: number, dport: number, body: number[]): number[] => [...be16(sport), ...be16(dport), ...be16(8 + body.length), 0, 0, ...body];
const tcp = (sport: number, dport: number, flags: number): number[] => [...be16(sport), ...be16(dport), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0x20, 0, 0, 0, 0, 0];
/** A Geneve header (version 0, `opt` 4-byte option words) carrying `proto`, then `inner`. */
const geneveHdr = (vni: number, proto: number, opt: number, inner: number[]): number[] =>
  [opt & 0x3f, 0, ...be16(proto), ...be32((vni << 8) >>> 0), ...new Array<number>(opt * 4).fill(0xab), ...inner];
/** Hand-built packets: Geneve over IPv4/IPv6/MPLS with inner Ethernet (TEB) or bare IP, options, VNIs. */
function handPackets(): { data: Uint8Array; wirelen: number }[] {
  const innerEth = (l4: number[], proto = 6): number[] => [...ETH(0x0800), ...ipv4(proto, l4)];
  const frames: number[][] = [];
  for (const vni of [11562497, 7, 0]) {
    for (const opt of [0, 2]) {
      frames.push([...ETH(0x0800), ...ipv4(17, udp(1000, 6081, geneveHdr(vni, 0x6558, opt, innerEth(tcp(80, 67, 2)))))]);
      frames.push([...ETH(0x0800), ...ipv4(17, udp(1000, 6081, geneveHdr(vni, 0x6558, opt, innerEth(udp(53, 67, [1, 2, 3, 4]), 17))), 6)]);
      frames.push([...ETH(0x0800), ...ipv4(17, udp(1000, 6081, geneveHdr(vni, 0x0800, opt, ipv4(17, udp(5, 53, [9, 9])))))]);
      frames.push([...ETH(0x86dd), ...ipv6(17, udp(1000, 6081, geneveHdr(vni, 0x6558, opt, innerEth(tcp(22, 67, 0x12)))))]);
      frames.push([...ETH(0x8847), 0, 0x05, 0x01, 64, ...ipv4(17, udp(1000, 6081, geneveHdr(vni, 0x6558, opt, [...ETH(0x8847), 0, 0x03, 0x01, 64, ...ipv6(6, tcp(1, 80, 2))])))]);
      frames.push([...ETH(0x8847), 0, 0x05, 0x01, 64, ...ipv4(17, udp(1000, 6081, geneveHdr(vni, 0x0800, opt, ipv4(6, tcp(80, 80, 2)))))]);
    }
  }
  frames.push([...ETH(0x0800), ...ipv4(6, tcp(67, 25, 2))], [...ETH(0x0800), ...ipv4(17, udp(67, 68, [1]))], [...ETH(0x86dd), ...ipv6(6, tcp(22, 67, 2))]);
  const out = frames.map((f) => ({ data: Uint8Array.from(f), wirelen: f.length }));
  // and each cut short at a few places
  for (const f of frames.slice(0, 12)) for (const cut of [40, 60, 80]) if (cut < f.length) out.push({ data: Uint8Array.from(f.slice(0, cut)), wirelen: f.length });
  return out;
}

export interface FuzzClassRow { class: string; expr: string; optimize: boolean; libpcap: { ok: true; rle: string } | { ok: false; error: string } }

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const all = Object.values(FUZZ_CLASSES).flat();
  const packets = [...handPackets(), ...generatePackets('EN10MB', 20261202, 500, extractBias(all))];
  const pcap = join(dataDir, 'fuzz-classes.pcap');
  writePcap(pcap, 1, 262144, packets);
  const jobs = Object.entries(FUZZ_CLASSES).flatMap(([cls, exprs]) => exprs.flatMap((expr) => [true, false].map((optimize) => ({ cls, expr, optimize }))));
  const answers = oracleBatch([pcap], jobs.map((j) => ({ dlt: 1, snaplen: 262144, netmask: '0xffffffff', optimize: j.optimize, expr: j.expr })));
  const rows: FuzzClassRow[] = jobs.map((j, i) => ({ class: j.cls, expr: j.expr, optimize: j.optimize, libpcap: answers[i]! }));
  writeFileSync(join(dataDir, 'fuzz-classes.json'), `${JSON.stringify(rows, null, 1)}\n`);
  console.log(`${rows.length} rows, ${packets.length} packets`);
}
