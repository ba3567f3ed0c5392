/**
 * The expressions of the parity harness: one or more uses of every primitive of pcap-filter(7)
 * (qualifier chains, names, ranges, encapsulations, protochain, arithmetic, `len`, directions,
 * link-layer fields, ICMP/ICMPv6/TCP field names, 802.11, pflog, ATM, MTP fields, LLC frame
 * types), a few invalid ones (to compare rejection), and seeded boolean combinations of them
 * (`and`/`or`/`not`, with the encapsulation keywords in every position, since they change the
 * offsets of what follows them in the text).
 */
import type { Rng } from './packet-gen.ts';

export const PARITY_PRIMITIVES: readonly string[] = [
  // link layer
  'ether host 00:11:22:33:44:55', 'ether src 00:11:22:33:44:55', 'ether dst ff:ff:ff:ff:ff:ff', 'ether broadcast', 'ether multicast',
  'ether host 001122334455', 'ether src host 0011.2233.4455', 'ether proto \\ip', 'ether proto 0x86dd', 'ether proto \\arp', 'ether proto 0x88cc',
  'link proto \\ip', 'link proto 0x800', 'ether[0] = 1', 'ether[12:2] = 0x800', 'ether[0:4] & 0xffff0000 = 0x00110000', 'link[0] = 0x45', 'link[1:2] > 3',
  'broadcast', 'multicast', 'arp', 'rarp', 'arp host 10.0.0.1', 'rarp src 10.0.0.1', 'atalk', 'aarp', 'decnet', 'lat', 'sca', 'mopdl', 'moprc', 'iso', 'stp', 'ipx', 'netbeui',
  'clnp', 'esis', 'isis', 'l1', 'l2', 'iih', 'lsp', 'snp', 'csnp', 'psnp', 'decnet src 1.2', 'decnet host 10.5',
  'llc', 'llc i', 'llc s', 'llc u', 'llc rr', 'llc rnr', 'llc rej', 'llc ui', 'llc ua', 'llc disc', 'llc dm', 'llc sabme', 'llc test', 'llc xid', 'llc frmr',
  // IPv4 / IPv6
  'ip', 'ip6', 'host 10.0.0.1', 'src host 10.0.0.1', 'dst host 192.168.1.1', 'src or dst host 10.1.2.3', 'src and dst host 10.1.2.3',
  'net 10.0.0.0/8', 'dst net 192.168.0.0/16', 'src net 10.0.0.0 mask 255.0.0.0', 'net 10', 'net 172.16', 'ip host 1.2.3.4', 'ip src net 0.0.0.0/0',
  'ip6 host ::1', 'ip6 net fe80::/10', 'host fe80::1', 'src net 2001:db8::/32', 'ip6 dst host ff02::1', 'ip6 net ::/0',
  'ip broadcast', 'ip multicast', 'ip6 multicast', 'host localhost', 'net loopback', 'arp net 10.0.0.0/24',
  'ip proto 6', 'ip proto \\tcp', 'ip6 proto 17', 'proto 47', 'proto \\udp', 'ip proto gre', 'tcp', 'udp', 'icmp', 'icmp6', 'igmp', 'igrp', 'pim', 'vrrp', 'carp', 'ah', 'esp', 'sctp',
  'ip protochain 6', 'ip6 protochain 17', 'protochain 58', 'protochain \\tcp', 'ip6 protochain 44',
  // ports
  'port 80', 'tcp port 80', 'udp dst port 53', 'src port 1024', 'portrange 1-1024', 'tcp portrange 6000-6010', 'udp src portrange 67-68', 'port http', 'port domain', 'udp port ntp', 'port ntp',
  'sctp port 80', 'ip6 and port 80', 'tcp src port ssh', 'dst port www', 'port 0', 'portrange 65535-0',
  // sizes
  'len < 100', 'less 60', 'greater 1000', 'len = 64', 'len >= 1', 'len - 14 >= 60',
  // arithmetic and fields
  'ip[0] & 0xf > 5', 'tcp[tcpflags] & tcp-syn != 0', 'tcp[tcpflags] & (tcp-fin|tcp-rst|tcp-push|tcp-ack|tcp-urg|tcp-ece|tcp-cwr) = tcp-ack', 'tcp[13] = 2',
  'icmp[icmptype] = icmp-echo', 'icmp[icmpcode] = 0', 'icmp[0] = icmp-unreach', 'icmp6[icmp6type] = icmp6-echo', 'icmp6[icmp6type] = icmp6-echoreply', 'icmp6[icmp6code] = 0',
  'icmp6[icmp6type] = icmp6-neighborsolicit', 'icmp6[icmp6type] = icmp6-routeradvert', 'icmp6[0] = icmp6-multicastlistenerquery', 'icmp6[0] = icmp6-neighboradvert',
  'ip6[40] = 128', 'udp[8:2] = 0x1234', 'ip[2:2] - 20 > 40', 'ip[6:2] & 0x1fff = 0', 'ip[0] * 2 < 100', 'ip[0] / 2 > 1', 'ip[0] % 3 = 1', 'ip[0] ^ 0xff = 0xba',
  'ip[0] | 1 = 0x45', 'ip[0] << 1 = 0x8a', 'ip[0] >> 4 = 4', '-ip[0] != 0', 'ip[ip[0] & 0xf] = 0', 'ether[ether[12]] > 1', 'tcp[0:2] = 80', 'igmp[0] = 0x11', 'arp[6:2] = 1',
  'rarp[0] = 0', 'ip6[6] = 6', 'icmp[0] = 8', 'sctp[0:2] = 80', 'vrrp[0] = 0x21', 'udp[0:4] = 0', 'tcp[12] >> 4 > 5', 'ip[0:4] = 0x45000054', 'ppp[0] = 0xff', 'slip[0] = 0', 'fddi[0] = 0',
  'tr[0] = 0', 'wlan[0] = 0x80', 'radio[0] = 0', 'decnet[0] = 0', 'atalk[0] = 0', 'aarp[0] = 0', 'igrp[0] = 0', 'pim[0] = 0x20', 'ah[0] = 0', 'esp[0:4] = 1', 'udp[len - 1] = 0', 'ip[len & 0xff] = 0',
  'ip[1] != ip[2]', 'ip[0] & 0xf0 = ip[9] << 2', '1 = 1', '0 = 1', 'len = len',
  // directions and interfaces
  'inbound', 'outbound', 'ifindex 1',
  // encapsulations
  'vlan', 'vlan 100', 'vlan and ip', 'vlan 10 and vlan 20', 'vlan and vlan', 'vlan and ip6 and tcp', 'mpls', 'mpls 100', 'mpls and ip', 'mpls and mpls 3', 'mpls 5 and ip6',
  'pppoed', 'pppoes', 'pppoes 0x27', 'pppoes and ip', 'pppoes and ip6 and udp port 53', 'geneve', 'geneve 5', 'geneve and ip', 'udp and geneve', 'geneve and ether src 00:11:22:33:44:55',
  'not vlan and ip', 'vlan or ip', 'not pppoes and ether[12:2] = 0x8100', 'ip or vlan and ip', 'vlan or mpls and ip', 'not mpls or ip', 'tcp or mpls and tcp', 'vlan and mpls and ip',
  'pppoes or tcp', 'ip or geneve', 'not geneve', 'vlan and geneve and ip',
  // inside Geneve: libpcap compiles the rest for an Ethernet link whose header is the inner frame
  'geneve and ether dst ff:ff:ff:ff:ff:ff', 'geneve and broadcast', 'geneve and multicast', 'geneve and ether[0] = 1', 'geneve and link[12:2] = 0x800',
  'geneve and llc', 'geneve and llc i', 'geneve and vlan and ip', 'geneve and mpls and ip', 'geneve and arp', 'geneve and aarp', 'geneve and ipx', 'geneve and iso',
  'geneve and ether host 00:11:22:33:44:55', 'geneve and ip[0] + 1 = 0x46', 'geneve and ether[len - 60] = 0', 'geneve and netbeui', 'geneve and clnp',
  'pppoes and wlan addr2 00:11:22:33:44:55', 'pppoes and type data', 'pppoes and ether[0] = 1', 'geneve and wlan host 00:11:22:33:44:55',
  // 802.11
  'wlan host 00:11:22:33:44:55', 'wlan addr1 00:11:22:33:44:55', 'wlan addr2 00:11:22:33:44:55', 'wlan addr3 00:11:22:33:44:55', 'wlan addr4 00:11:22:33:44:55',
  'wlan ra 00:11:22:33:44:55', 'wlan ta 00:11:22:33:44:55', 'wlan src 00:11:22:33:44:55', 'wlan dst 00:11:22:33:44:55', 'type mgt', 'type ctl', 'type data',
  'type data subtype qos-data', 'subtype beacon', 'type mgt subtype probe-req', 'subtype ack', 'dir fromds', 'dir nods', 'dir tods', 'dir dstods', 'wlan[0] & 0x0c = 0x08',
  // pflog
  'on fxp0', 'ifname eth0', 'action pass', 'action block', 'reason match', 'rnr 1', 'rulenum 1', 'ruleset foo', 'srnr 1', 'subrulenum 2',
  // ATM / SS7
  'lane', 'oamf4', 'oamf4s', 'oamf4e', 'oam', 'metac', 'bcc', 'sc', 'ilmic', 'connectmsg', 'metaconnect', 'vpi 1', 'vci 5', 'vpi 0 and vci 16',
  'fisu', 'lssu', 'msu', 'sio 3', 'opc 1', 'dpc 1', 'sls 1', 'hfisu', 'hlssu', 'hmsu', 'hsio 3', 'hopc 1', 'hdpc 1', 'hsls 1',
  // gateway and names
  'gateway localhost',
  // invalid
  'tcp port', 'port 70000', 'ip6 protochain', 'vlan 5000', 'mpls 1048576', 'ether proto 70000', 'ip[0:3] = 1', 'host', 'ip6 host 1.2.3.4', 'tcp[20:2] / 0 = 1', 'net 10.0.0.1/8',
  'portrange 80-', 'ip and', 'icmp6[icmptype] = 1', 'pppoes 70000', 'geneve 0x1000000', 'wlan host 1.2.3.4', 'udp[tcpflags] = 0',
];

/**
 * Expressions that once disagreed with libpcap 1.10.3 (each was a class the harness found and
 * that was fixed): always compared, and every row of them is kept in the recorded slice.
 */
export const PARITY_REGRESSIONS: readonly string[] = [
  'geneve and ether src 00:11:22:33:44:55', '(geneve 5 or mpls 3) and icmp6[icmp6type] = icmp6-echo', 'aarp', 'ip6 multicast or aarp', 'clnp', 'l1',
  'vlan or ip', 'not vlan and ip', 'src net 2001:db8::/32 and not ip src net 0.0.0.0/0 or dst host 192.168.1.1', '0 = 1',
  'not sctp[0:2] = 80 or wlan dst 00:11:22:33:44:55 and len = len', 'not host localhost or vrrp[0] = 0x21 and 1 = 1',
  'pppoes and type data subtype qos-data', 'not llc xid or pppoes and wlan addr2 00:11:22:33:44:55', 'not (ip or geneve) and dir tods',
  'not isis or udp[0:4] = 0 and not pppoes', 'rarp[0] = 0 or not vlan', '(not vlan or mopdl) and l1', 'udp[ip[0] & 3] = 1', 'tcp[len - 40] = 0',
];

/** `n` seeded boolean combinations of the primitives above (valid ones only). */
export function combos(rng: Rng, n: number): string[] {
  const base = PARITY_PRIMITIVES.slice(0, PARITY_PRIMITIVES.indexOf('tcp port'));
  const enc = ['vlan', 'vlan 100', 'mpls', 'pppoes', 'geneve', 'not vlan', 'not pppoes', 'mpls 3'];
  const pick = (): string => (rng.chance(0.25) ? rng.pick(enc) : rng.pick(base));
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = pick(), b = pick(), c = pick();
    switch (rng.int(6)) {
      case 0: out.push(`${a} and ${b}`); break;
      case 1: out.push(`${a} or ${b}`); break;
      case 2: out.push(`not (${a}) and ${b}`); break;
      case 3: out.push(`(${a} or ${b}) and ${c}`); break;
      case 4: out.push(`${a} and not ${b} or ${c}`); break;
      default: out.push(`not ${a} or ${b} and ${c}`); break;
    }
  }
  return out;
}
