/**
 * libpcap's test name database: the hosts, Ethernet hosts and networks under the reserved
 * `libpcap.test` domain (RFC 6761) that libpcap's own filter tests expect the system to resolve
 * (its test driver lists the entries to put into hosts(5), ethers(5) and networks(5)). About 140
 * rows of the corpus tsv use these names; they are marked `namedb` in filters/verdicts/.
 *
 * Two users, one table:
 * - tsdump gets the names injected through `compile`'s `resolver` (libpcapTestResolver: these
 *   tables over the system's services and protocols), so nothing on the machine changes;
 * - libpcap gets them in its own process only: `withTestNames` runs a command in a private mount
 *   namespace (`unshare -m`, needs root) where /etc is a copy of the real one with these
 *   entries appended, so glibc's getaddrinfo/ether_hostton/getnetbyname find them as libpcap
 *   would on a test machine. The real /etc is never written.
 *
 * The entries are data (addresses chosen by libpcap's tests: a DECnet-OUI MAC, RFC 4193 IPv6,
 * private IPv4), written here in the files' own syntax.
 */
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { systemResolver, tableResolver } from '../../src/filter/names.ts';
import type { NameResolver } from '../../src/filter/names.ts';

export const LIBPCAP_TEST_NAMES = {
  ethers: `
aa:00:04:00:14:0e eth-noipv4-noipv6.host123.libpcap.test
aa:00:04:00:14:0e eth-noipv4-ipv6.host123.libpcap.test
aa:00:04:00:14:0e eth-ipv4-noipv6.host123.libpcap.test
aa:00:04:00:14:0e eth-ipv4-ipv6.host123.libpcap.test
aa:00:04:00:01:08 eth-ipv4x4-noipv6.host357.libpcap.test
aa:00:04:00:01:08 eth-noipv4-ipv6x2.host357.libpcap.test
aa:00:04:00:01:08 eth-ipv4x4-ipv6x2.host357.libpcap.test
`,
  hosts: `
10.20.30.40 noeth-ipv4-noipv6.host123.libpcap.test
10.20.30.40 noeth-ipv4-ipv6.host123.libpcap.test
10.20.30.40 eth-ipv4-noipv6.host123.libpcap.test
10.20.30.40 eth-ipv4-ipv6.host123.libpcap.test
fd00:a1b2:c3d4::1020:3040:5060:7080 noeth-noipv4-ipv6.host123.libpcap.test
fd00:a1b2:c3d4::1020:3040:5060:7080 noeth-ipv4-ipv6.host123.libpcap.test
fd00:a1b2:c3d4::1020:3040:5060:7080 eth-noipv4-ipv6.host123.libpcap.test
fd00:a1b2:c3d4::1020:3040:5060:7080 eth-ipv4-ipv6.host123.libpcap.test
192.168.243.1 eth-ipv4x4-noipv6.host357.libpcap.test
192.168.242.4 eth-ipv4x4-noipv6.host357.libpcap.test
192.168.244.2 eth-ipv4x4-noipv6.host357.libpcap.test
192.168.241.3 eth-ipv4x4-noipv6.host357.libpcap.test
192.168.241.3 eth-ipv4x4-ipv6x2.host357.libpcap.test
192.168.244.2 eth-ipv4x4-ipv6x2.host357.libpcap.test
192.168.242.4 eth-ipv4x4-ipv6x2.host357.libpcap.test
192.168.243.1 eth-ipv4x4-ipv6x2.host357.libpcap.test
fd00:a1b2:c3d4::a0b0:c0d0:e0f0:1278 eth-noipv4-ipv6x2.host357.libpcap.test
fd00:a1b2:c3d4::a0b0:c0d0:e0f0:3456 eth-noipv4-ipv6x2.host357.libpcap.test
fd00:a1b2:c3d4::a0b0:c0d0:e0f0:3456 eth-ipv4x4-ipv6x2.host357.libpcap.test
fd00:a1b2:c3d4::a0b0:c0d0:e0f0:1278 eth-ipv4x4-ipv6x2.host357.libpcap.test
`,
  networks: `
net-10-0-0-0.libpcap.test 10.0.0.0
net-10-20-0-0.libpcap.test 10.20.0.0
net-10-20-30-0.libpcap.test 10.20.30.0
`,
};

let cached: NameResolver | undefined;

/** The test names first, then this machine's files (services, protocols, other hosts). */
export function libpcapTestResolver(): NameResolver {
  if (cached) return cached;
  const t = tableResolver(LIBPCAP_TEST_NAMES);
  const sys = systemResolver();
  cached = {
    host: (n) => t.host(n) ?? sys.host(n),
    network: (n) => t.network(n) ?? sys.network(n),
    service: (n, p) => t.service(n, p) ?? sys.service(n, p),
    protocol: (n) => t.protocol(n) ?? sys.protocol(n),
    ether: (n) => t.ether(n) ?? sys.ether(n),
  };
  return cached;
}

/**
 * Runs `cmd args` (spawnSync, stdin from `input`) in a private mount namespace whose /etc has
 * the test names appended to hosts, ethers and networks. Needs root and util-linux `unshare`.
 */
export function withTestNames(cmd: string, args: readonly string[], input: string): SpawnSyncReturns<string> {
  const script = [
    'set -e',
    'd=$(mktemp -d)',
    'cp -a /etc/. "$d"/',
    'printf "%s" "$TSDUMP_TEST_HOSTS" >> "$d/hosts"',
    'printf "%s" "$TSDUMP_TEST_ETHERS" >> "$d/ethers"',
    'printf "%s" "$TSDUMP_TEST_NETWORKS" >> "$d/networks"',
    'mount --bind "$d" /etc',
    'set +e',
    '"$@"',
    'rc=$?',
    'umount /etc',
    'rm -rf "$d"',
    'exit $rc',
  ].join('\n');
  return spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', cmd, ...args], {
    input, encoding: 'utf8', maxBuffer: 1 << 30,
    env: { ...process.env, TSDUMP_TEST_HOSTS: LIBPCAP_TEST_NAMES.hosts, TSDUMP_TEST_ETHERS: LIBPCAP_TEST_NAMES.ethers, TSDUMP_TEST_NETWORKS: LIBPCAP_TEST_NAMES.networks },
  });
}
