/**
 * Records what tcpdump 4.99.3 prints with -nn, -nn -v and -nn -vv for corpus captures of the UDP
 * applications decoded in src/print (ISAKMP/IKE, BOOTP/DHCP, DHCPv6, RADIUS, LWAPP, DNS, NTP,
 * timed, SOME/IP, Babel, LISP, RIP, RIPng, VXLAN/OTV/VXLAN-GPE, sFlow, VQP), into
 * test/golden/print/udp-verbose.json: per capture and mode, the text of each UDP packet among
 * the first PER_FILE (keyed by its 0-based index; timestamp removed). test/print/udp-verbose.test.ts compares against it.
 *
 * Usage: npx tsx test/tools/gen-udp-verbose-golden.ts   (needs tcpdump 4.99.3 on PATH)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packetKeys, splitPackets } from './print-parity.lib.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CAPTURES = join(ROOT, 'test', 'corpus', 'tcpdump-captures');
const OUT = join(ROOT, 'test', 'golden', 'print', 'udp-verbose.json');
const PER_FILE = 20;

/** The captures: each one holds packets of one of the UDP applications above. */
const UDP_VERBOSE_FILES = [
  'ISAKMP_sa_setup.pcap', 'ikev2-id-normal.pcap', 'ikev2-id-short.pcap', 'ikev2four.pcap', 'ikev2pI2.pcap', 'isakmp4500.pcap',
  'espudp1.pcap', 'isakmp-delete-segfault.pcap', 'isakmp-identification-segfault.pcap', 'isakmp-pointer-loop.pcap',
  'dhcp-mud.pcap', 'dhcp-option-108.pcapng', 'dhcp-option-33.pcap', 'dhcp-rfc3004.pcap', 'dhcp-rfc5859.pcap', 'dhcp-rfc4388.pcap',
  'dhcpv4v6-rfc5970-rfc8572.pcap', 'dhcpv6-AFTR-Name-RFC6334.pcap', 'dhcpv6-domain-list.pcap', 'dhcpv6-ia-na.pcap',
  'dhcpv6-ia-pd.pcap', 'dhcpv6-ia-ta.pcap', 'dhcpv6-mud.pcap', 'dhcpv6-ntp-server.pcap', 'dhcpv6-rfc6355-duid-uuid.pcap',
  'dhcpv6-rfc8415-duid-type2.pcap', 'dhcpv6-sip-server-d.pcap', 'dhcpv6-vendor-specific-information.pcap',
  'RADIUS-RFC3162.pcap', 'RADIUS-RFC4675.pcap', 'RADIUS-RFC5176-2.pcap', 'RADIUS-RFC5176.pcap', 'RADIUS-RFC5580.pcap',
  'RADIUS-port1700.pcap', 'RADIUS.pcap', 'radius_rfc5447.pcap', 'lwapp-data.pcap',
  'dns-badcookie.pcap', 'dns-badvers.pcap', 'dns-uri.pcap', 'dns_udp_2.pcap', 'ntp-control.pcap', 'ntp-mode7.pcap',
  'ntp-time-ef.pcap', 'ntp-time.pcap', 'ntp.pcap', 'timed_1.pcap', 'kh-timed-001-oobr.pcap', 'kh-timed-004-oobr.pcap',
  'someip1.pcap', 'someip2.pcap', 'babel_auth.pcap', 'babel_pad1.pcap', 'babel_rfc6126bis.pcap', 'babel_rtt.pcap',
  'lisp_eid_notify.pcap', 'lisp_eid_register.pcap', 'lisp_invalid.pcap', 'lisp_invalid_length.pcap', 'lisp_ipv6.pcap',
  'rip_error_hexdump.pcap', 'ripv1v2.pcap', 'ripv2-invalid-length.pcap', 'ripv2_auth.pcap', 'gso-ipv4-vxlan-ipv4.pcap',
  'gso-ipv4-vxlan-ipv6.pcap', 'gso-ipv6-vxlan-ipv4.pcap', 'gso-ipv6-vxlan-ipv6.pcap', 'nsh-over-vxlan-gpe.pcap',
  'sflow-print-v6.pcap', 'sflow_multiple_counter_30_pdus.pcap', 'sflow_print-segv.pcap', 'hoobr_ripng_print.pcap', 'vqp-oobr.pcap',
];

function main(): void {
  const golden: Record<string, Record<string, Record<number, string>>> = {};
  for (const file of UDP_VERBOSE_FILES) {
    golden[file] = {};
    const keys = packetKeys(join(CAPTURES, file), PER_FILE);
    for (const flag of ['', '-v', '-vv']) {
      const r = spawnSync('tcpdump', ['-nn', ...(flag ? [flag] : []), '-c', String(PER_FILE), '-r', file], { cwd: CAPTURES, env: { ...process.env, TZ: 'UTC' }, encoding: 'latin1' });
      if (r.error) throw r.error;
      const texts = splitPackets(r.stdout);
      golden[file]![flag] = Object.fromEntries(texts.flatMap((c, i) => (/ UDP\//.test(keys[i] ?? '') ? [[i, c.replace(/^\d\d:\d\d:\d\d\.\d{6} /, '')]] : [])));
    }
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(golden, null, 1) + '\n', 'latin1');
  console.log(`wrote ${OUT}: ${UDP_VERBOSE_FILES.length} captures`);
}

main();
