/**
 * The packets and programs of the kernel run comparison (gen-elf-kernel-runs.ts writes the
 * kernel's results, elf-kernel.test.ts replays them): a fixed, hand-made mix of Ethernet frames
 * — IPv4 TCP/UDP/ICMP with various ports and sizes, VLAN-tagged, IPv6, ARP, a truncated IPv4
 * frame — so every branch of the example programs is taken at least once.
 */
export const KERNEL_RUN_PROGRAMS: [string, string][] = [
  ['xdp-counter.o', 'xdp_count'],
  ['proto-hash.o', 'xdp_proto'],
  ['parser.o', 'parse'],
  ['rodata-call.o', 'xdp_big'],
  ['legacy-maps.o', 'tc_hist'],
];
// Not socket-filter.o: BPF_PROG_TEST_RUN starts a socket filter's skb at the network header,
// while tsdump's socket hook (like a packet socket) starts at the Ethernet header.

function frame(etherType: number, len: number, vlan = false): Uint8Array {
  const b = new Uint8Array(len);
  b.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]);
  let at = 12;
  if (vlan) {
    b.set([0x81, 0x00, 0x00, 0x05], at);
    at += 4;
  }
  b[at] = etherType >> 8;
  b[at + 1] = etherType & 0xff;
  return b;
}

function ipv4(proto: number, sport: number, dport: number, len: number, opts: { vlan?: boolean; syn?: boolean; frag?: boolean } = {}): Uint8Array {
  const b = frame(0x0800, len, opts.vlan);
  const ip = opts.vlan ? 18 : 14;
  b[ip] = 0x45;
  b[ip + 6] = opts.frag ? 0x20 : 0;
  b[ip + 9] = proto;
  const l4 = ip + 20;
  b.set([sport >> 8, sport & 0xff, dport >> 8, dport & 0xff], l4);
  if (opts.syn) b[l4 + 13] = 0x02;
  return b;
}

function ipv6(proto: number, sport: number, dport: number, len: number): Uint8Array {
  const b = frame(0x86dd, len);
  b[14] = 0x60;
  b[20] = proto;
  b.set([sport >> 8, sport & 0xff, dport >> 8, dport & 0xff], 54);
  return b;
}

export function kernelRunPackets(): Uint8Array[] {
  return [
    ipv4(6, 40000, 80, 74, { syn: true }),
    ipv4(6, 80, 40000, 1514),
    ipv4(17, 5353, 53, 90),
    ipv4(17, 53, 33333, 300),
    ipv4(1, 0, 0, 98),
    ipv4(1, 0, 0, 98),
    ipv4(6, 1234, 22, 66, { vlan: true }),
    ipv4(6, 5555, 80, 120, { vlan: true, syn: true }),
    ipv4(17, 9, 9, 60, { frag: true }),
    ipv6(17, 53, 1000, 120),
    ipv6(6, 443, 80, 86),
    frame(0x0806, 60),
    frame(0x0800, 15),
    ipv4(6, 80, 80, 600),
  ];
}
