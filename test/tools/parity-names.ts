/**
 * The name database the parity harness and its golden slice compile with: the entries of this
 * reference machine's /etc/services, /etc/protocols, /etc/hosts and /etc/networks that the
 * harness's expressions use, copied as text. libpcap resolves names from the system files when
 * the oracle runs; recording the same entries here lets tsdump compile the recorded rows
 * identically on a machine whose files differ (injected through `compile`'s `resolver`).
 */
import { tableResolver } from '../../src/filter/names.ts';
import type { NameResolver } from '../../src/filter/names.ts';

export const PARITY_NAME_TABLES = {
  services: `
echo 7/tcp
echo 7/udp
ftp-data 20/tcp
ftp 21/tcp
ssh 22/tcp
telnet 23/tcp
smtp 25/tcp mail
domain 53/tcp
domain 53/udp
bootps 67/udp
tftp 69/udp
http 80/tcp www
sunrpc 111/tcp portmapper
sunrpc 111/udp portmapper
ntp 123/udp
snmp 161/tcp
snmp 161/udp
bgp 179/tcp
https 443/tcp
https 443/udp
syslog 514/udp
http-alt 8080/tcp webcache
`,
  protocols: `
ip 0 IP
icmp 1 ICMP
igmp 2 IGMP
tcp 6 TCP
udp 17 UDP
gre 47 GRE
esp 50 IPSEC-ESP
ah 51 IPSEC-AH
ipv6-icmp 58 IPv6-ICMP
ospf 89 OSPFIGP
pim 103 PIM
vrrp 112 VRRP
sctp 132 SCTP
`,
  hosts: `
127.0.0.1 localhost
`,
  networks: `
default 0.0.0.0
loopback 127.0.0.0
link-local 169.254.0.0
`,
  ethers: '',
};

let cached: NameResolver | undefined;
export function parityResolver(): NameResolver {
  cached ??= tableResolver(PARITY_NAME_TABLES);
  return cached;
}
