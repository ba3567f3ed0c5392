/**
 * Regenerates the PPP / PPPoE test data in test/golden/ppp/:
 *  - ppp.pcap (LINKTYPE_PPP), ppp-ether.pcap (LINKTYPE_PPP_ETHER) and pppoe-eth.pcap (Ethernet):
 *    control-protocol messages built here (LCP Conf-Request with MRU, ACCM, CHAP/PAP
 *    authentication, magic number, PFC, ACFC and an undecoded option; LCP echo with trailing
 *    data, Term-Request; IPCP with addresses and DNS servers; CHAP challenge/response/success;
 *    PAP request and ack; multilink; IPv4 and IPv6 payloads, an unknown protocol) and PPPoE
 *    discovery (PADI, PADO with text and binary tags) and session frames;
 *  - ppp.json: what tcpdump 4.99.3 prints for them and for the corpus's PPP and PPPoE captures
 *    with several flag sets.
 *
 * Usage: npx tsx test/tools/gen-ppp-golden.ts   (needs tcpdump and test/corpus)
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'test', 'golden', 'ppp');
const corpus = join(root, 'test', 'corpus', 'tcpdump-captures');

const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** A control-protocol message: code, id, length, data. */
const cp = (code: number, id: number, data: number[]): number[] => [code, id, ...u16(4 + data.length), ...data];
function ipv4Udp(): number[] {
  const udp = [...u16(1000), ...u16(2000), ...u16(12), 0, 0, 1, 2, 3, 4];
  const h = [0x45, 0, ...u16(20 + udp.length), 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  let s = 0;
  for (let i = 0; i < 20; i += 2) s += (h[i]! << 8) | h[i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  h[10] = (~s >> 8) & 0xff;
  h[11] = ~s & 0xff;
  return [...h, ...udp];
}
function ipv6Udp(): number[] {
  const udp = [...u16(1000), ...u16(2000), ...u16(10), 0, 0, 0x61, 0x62];
  return [0x60, 0, 0, 0, ...u16(udp.length), 17, 64, 0x20, 1, 0x0d, 0xb8, ...Array(11).fill(0), 1, 0x20, 1, 0x0d, 0xb8, ...Array(11).fill(0), 2, ...udp];
}

const lcpConfReq = cp(1, 1, [1, 4, ...u16(1492), 2, 6, ...u32(0), 3, 5, ...u16(0xc223), 5, 5, 6, ...u32(0x12345678), 7, 2, 8, 2, 11, 3, 0x42]);
const lcpPapReq = cp(1, 2, [3, 4, ...u16(0xc023), 17, 4, ...u16(1600), 23, 4, ...u16(7)]);
const lcpEcho = cp(9, 7, [...u32(0xa1b2c3d4), 1, 2, 3, 4, 5]);
const lcpTerm = cp(5, 3, ascii('bye'));
const ipcpReq = cp(1, 4, [3, 6, 192, 168, 1, 2, 129, 6, 8, 8, 8, 8, 131, 6, 8, 8, 4, 4]);
const ipcpNak = cp(3, 4, [3, 6, 10, 0, 0, 9]);
const chapChal = [1, 1, ...u16(4 + 1 + 4 + 6), 4, 0xde, 0xad, 0xbe, 0xef, ...ascii('server')];
const chapResp = [2, 1, ...u16(4 + 1 + 4 + 4), 4, 1, 2, 3, 4, ...ascii('user')];
const chapOk = [3, 1, ...u16(4 + 7), ...ascii('Welcome')];
const papReq = [1, 5, ...u16(4 + 1 + 4 + 1 + 6), 4, ...ascii('user'), 6, ...ascii('secret')];
const papAck = [2, 5, ...u16(4 + 1 + 2), 2, ...ascii('OK')];

/** PPP frames as (protocol, payload). */
const frames: [number, number[]][] = [
  [0xc021, lcpConfReq], [0xc021, lcpPapReq], [0xc021, lcpEcho], [0xc021, lcpTerm], [0x8021, ipcpReq], [0x8021, ipcpNak],
  [0xc223, chapChal], [0xc223, chapResp], [0xc223, chapOk], [0xc023, papReq], [0xc023, papAck],
  [0x003d, [0xc0, 0x05, 1, 2, 3]], [0x0021, ipv4Udp()], [0x0057, ipv6Udp()], [0x4321, [9, 8, 7, 6]], [0x00fd, [1, 2]],
];

function pcap(linkType: number, packets: number[][]): Buffer {
  const parts: Buffer[] = [];
  const fh = Buffer.alloc(24);
  fh.writeUInt32LE(0xa1b2c3d4, 0);
  fh.writeUInt16LE(2, 4);
  fh.writeUInt16LE(4, 6);
  fh.writeUInt32LE(65535, 16);
  fh.writeUInt32LE(linkType, 20);
  parts.push(fh);
  packets.forEach((p, i) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(1700000000 + i, 0);
    h.writeUInt32LE(i, 4);
    h.writeUInt32LE(p.length, 8);
    h.writeUInt32LE(p.length, 12);
    parts.push(h, Buffer.from(p));
  });
  return Buffer.concat(parts);
}

const pppoeSession = (proto: number, payload: number[], session = 0x1234): number[] => [0x11, 0, ...u16(session), ...u16(2 + payload.length), ...u16(proto), ...payload];
const tag = (type: number, value: number[]): number[] => [...u16(type), ...u16(value.length), ...value];
const padi = (): number[] => { const t = [...tag(0x0101, []), ...tag(0x0103, [0xde, 0xad, 0xbe, 0xef])]; return [0x11, 0x09, 0, 0, ...u16(t.length), ...t]; };
const pado = (): number[] => { const t = [...tag(0x0101, ascii('isp')), ...tag(0x0102, ascii('BRAS-1')), ...tag(0x0104, [1, 2, 3, 4, 5, 6, 7, 8]), ...tag(0x0120, u16(1500)), ...tag(0, [])]; return [0x11, 0x07, 0, 0, ...u16(t.length), ...t]; };
const padt = (): number[] => [0x11, 0xa7, ...u16(0x1234), 0, 0];
const eth = (type: number, payload: number[]): number[] => [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, ...u16(type), ...payload];

const pppPackets = frames.map(([proto, payload], i) => (i % 3 === 2 ? [...u16(proto), ...payload] : [0xff, 0x03, ...u16(proto), ...payload]));
const etherPackets = [padi(), pado(), padt(), ...frames.slice(0, 6).map(([proto, payload]) => pppoeSession(proto, payload)), pppoeSession(0x0021, ipv4Udp())];
writeFileSync(join(dir, 'ppp.pcap'), pcap(9, pppPackets));
writeFileSync(join(dir, 'ppp-ether.pcap'), pcap(51, etherPackets));
writeFileSync(join(dir, 'pppoe-eth.pcap'), pcap(1, etherPackets.map((p, i) => eth(i < 3 ? 0x8863 : 0x8864, p))));

const FLAGS = [['-nn'], ['-nn', '-e'], ['-nn', '-q'], ['-nn', '-v'], ['-nn', '-vv'], ['-nn', '-x'], ['-nn', '-e', '-x']];
const CORPUS = ['pppoe.pcap', 'pppoes.pcap', 'ppp_ip_udp_dns.pcap', 'ppp_error_hexdump.pcap', 'bgp_vpn_attrset.pcap', 'mpls-traceroute.pcap', 'lspping-fec-ldp.pcap', 'ppp-invalid-lengths.pcap', 'mlppp-oobr.pcap', 'truncated-aack.pcap', 'heapoverflow-ppp_hdlc_if_print.pcap', 'mpls-ldp-hello.pcap'];
const out: Record<string, unknown> = { tcpdump: spawnSync('tcpdump', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] };
for (const file of ['ppp.pcap', 'ppp-ether.pcap', 'pppoe-eth.pcap', ...CORPUS]) {
  const where = CORPUS.includes(file) ? corpus : dir;
  out[file] = FLAGS.map((args) => {
    const r = spawnSync('tcpdump', ['-r', file, ...args], { cwd: where, encoding: 'latin1', env: { ...process.env, TZ: 'UTC' } });
    return { args, stdout: r.stdout };
  });
}
writeFileSync(join(dir, 'ppp.json'), JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${dir}: ppp.pcap, ppp-ether.pcap, pppoe-eth.pcap, ppp.json`);
