/**
 * Records what tcpdump 4.99.3 prints with -nn, -nn -v and -nn -vv for corpus captures of the
 * TCP applications and IP protocols decoded in src/print/ip (RESP, OpenFlow 1.0, LDP, BGP,
 * OSPFv2/v3, PIMv2, DCCP, HTTP, TCP options), into test/golden/print/ip-verbose.json: per capture and mode, the text of
 * each of the first PER_FILE packets (keyed by its 0-based index; timestamp removed).
 * test/print/ip-verbose.test.ts compares against it.
 *
 * Usage: npx tsx test/tools/gen-ip-verbose-golden.ts   (needs tcpdump 4.99.3 on PATH)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitPackets } from './print-parity.lib.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CAPTURES = join(ROOT, 'test', 'corpus', 'tcpdump-captures');
const OUT = join(ROOT, 'test', 'golden', 'print', 'ip-verbose.json');
const PER_FILE = 20;

/** The captures: each one holds packets of one of the protocols above. */
export const IP_VERBOSE_FILES = [
  'resp_1_benchmark.pcap', 'resp_2_inline.pcap', 'resp_3_malicious.pcap', 'resp_4_infiniteloop.pcapng',
  'of10_7050q.pcapng', 'of10_7050sx_bsn.pcap', 'of10_7050sx_bsn-oobr.pcap', 'of10_inv_OFPST_FLOW.pcap', 'of10_inv_QUEUE_GET_CONFIG_REPLY.pcap',
  'of10_p3295.pcap', 'of10_pf5240.pcap', 'of10_s4810.pcap',
  'ldp-common-session.pcap', 'ldp-infinite-loop.pcap', 'ldp-ldp_tlv_print-oobr.pcap', 'ldp_tlv_print-oobr.pcap', 'mpls-ldp-hello.pcap',
  'bgp-4byte-asn.pcap', 'bgp-addpath.pcap', 'bgp-bfd-cease.pcap',
  'bgp-bgp_capabilities_print-oobr-1.pcap', 'bgp-cease-hard-reset.pcap', 'bgp-infinite-loop.pcap', 'bgp-large-community.pcap',
  'bgp-link-bw-extcommunity.pcapng', 'bgp-rt-prefix.pcap', 'bgp-shutdown-communication.pcapng', 'bgp_pmsi_tunnel-oobr.pcap',
  'bgp_notification_rr_msg_error.pcap', 'mpbgp-linklocal-nexthop.pcap',
  'OSPFv2_Capture_FINAL.pcapng', 'ospf-ack.pcap', 'ospf-gmpls.pcap', 'ospf-nssa-bitnt.pcap', 'ospf-sr-ri-sid.pcap',
  'ospf2-seg-fault-1.pcapng', 'ospf_graceful_restart_rfc3623.pcap', 'OSPFv3_with_AH.pcap',
  'OSPFv3_broadcast_adjacency.pcap', 'ospf3_auth.pcapng', 'ospf6_decode_v3_asan.pcap', 'ospf6_print_lshdr-oobr.pcap', 'ospf-signed-integer-ubsan.pcap',
  'dccp_partial_csum_v4_longer.pcap', 'dccp_partial_csum_v4_simple.pcap', 'dccp_partial_csum_v6_longer.pcap',
  'PIM-DM_pruning.pcap', 'PIM-SM_join_prune.pcap', 'PIM_register_register-stop.pcap', 'PIMv2_bootstrap.pcap', 'PIMv2_hellos.pcap',
  'pim-packet-assortment.pcap', 'pim_header_asan.pcap', 'pimv2-oobr-1.pcap', 'pimv2-oobr-2.pcap',
  'ipv4_tcp_http_xml.pcap', 'print-flags.pcap', 'accecn_handshake.pcap', 'mptcp-aa-echo.pcap', 'mptcp-tcprst.pcap', 'scps_invalid.pcap',
  'tcp-auth-heapoverflow.pcap', 'tcp_rst_data-trunc.pcap', 'kday4.pcap', 'igrp-oobr.pcap', 'gre-heapoverflow-2.pcap', 'icmpv6-rfc7112.pcap',
  'ipv6-too-long-jumbo.pcap', 'EIGRP_ipv6.pcap', 'rsvp-inf-loop-2.pcapng', 'telnet-iac-check-oobr.pcap', 'pgm_opts_asan_2.pcap',
  'icmpv6_nodeinfo_replyipv4.pcap', 'icmp6_nodeinfo_oobr.pcap', 'unaligned-nfs-1.pcap', 'rpl-14-dao.pcap', 'rpl-19-pickdag.pcap',
  'rpl-26-senddaoack.pcap', 'rpl-dao-oobr.pcap',
];

function main(): void {
  const golden: Record<string, Record<string, Record<number, string>>> = {};
  for (const file of IP_VERBOSE_FILES) {
    golden[file] = {};
    for (const flag of ['-nn', '-v', '-vv']) {
      const args = flag === '-nn' ? ['-nn'] : ['-nn', flag];
      const r = spawnSync('tcpdump', [...args, '-c', String(PER_FILE), '-r', file], { cwd: CAPTURES, env: { ...process.env, TZ: 'UTC' }, encoding: 'latin1' });
      if (r.error) throw r.error;
      const texts = splitPackets(r.stdout);
      golden[file]![flag] = Object.fromEntries(texts.map((c, i) => [i, c.replace(/^\d\d:\d\d:\d\d\.\d{6} /, '')]));
    }
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(golden, null, 1) + '\n', 'latin1');
  console.log(`wrote ${OUT}: ${IP_VERBOSE_FILES.length} captures`);
}

main();
