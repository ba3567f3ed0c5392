/**
 * TCP applications and IP protocols (src/print/ip: resp.ts, openflow.ts, ldp.ts, bgp.ts,
 * ospf.ts, pim.ts, protos.ts' DCCP, txtproto.ts, tcp-options.ts, mptcp.ts) on corpus packets with -nn, -nn -v and
 * -nn -vv, against what tcpdump 4.99.3 printed for them (test/golden/print/ip-verbose.json,
 * recorded by test/tools/gen-ip-verbose-golden.ts). Every recorded packet must come out byte for
 * byte as tcpdump's text and be marked exact, except the few listed below whose difference lies
 * outside these printers (those must then not claim to be exact).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { haveCorpus, printedLines } from './support.ts';

type Mode = '-nn' | '-v' | '-vv';
type Golden = Record<string, Record<Mode, Record<string, string>>>;
const golden = JSON.parse(readFileSync(join(__dirname, '..', 'golden', 'print', 'ip-verbose.json'), 'latin1')) as Golden;

/** Packets whose text is not expected to match, with the reason (1-based packet numbers; all modes unless given). */
const NOT_EXACT: Record<string, { packets: number[]; modes?: Mode[]; why: string }> = {
  'PIM-SM_join_prune.pcap': { packets: [11, 20], why: 'PIMv1 carried in IGMP is not reproduced' },
  'of10_inv_QUEUE_GET_CONFIG_REPLY.pcap': { packets: [1], why: 'a link-layer frame tcpdump calls an invalid protocol' },
  'ldp-ldp_tlv_print-oobr.pcap': { packets: [1], modes: ['-v', '-vv'], why: 'IPv4 header options not rendered with -v' },
  'EIGRP_ipv6.pcap': { packets: [1], modes: ['-v', '-vv'], why: "EIGRP's -v TLVs are not reproduced" },
  'gre-heapoverflow-2.pcap': { packets: [2], why: 'the packet printer marks a truncated GRE header approximate (its text matches)' },
  'pgm_opts_asan_2.pcap': { packets: [1], modes: ['-v', '-vv'], why: "PGM's -v form and these IPv4 options are not reproduced" },
  'rpl-19-pickdag.pcap': { packets: [1], modes: ['-vv'], why: "RPL's -vv options are not reproduced" },
  'rpl-dao-oobr.pcap': { packets: [1], modes: ['-vv'], why: "RPL's -vv options are not reproduced" },
  'rsvp-inf-loop-2.pcapng': { packets: [1], modes: ['-v', '-vv'], why: "RSVP's -v objects are not reproduced" },
};

/** Captures of mixed traffic: only the packets whose tcpdump text matches are checked here. */
const ONLY: Record<string, RegExp> = { 'kday4.pcap': /RPKI|\[\|ssh\]/ };

function check(file: string, mode: Mode): void {
  const theirs = golden[file]![mode];
  const indexes = Object.keys(theirs).map(Number);
  expect(indexes.length, file).toBeGreaterThan(0);
  const ours = printedLines(file, Math.max(...indexes) + 1, { verbose: mode === '-nn' ? 0 : mode === '-v' ? 1 : 2 });
  const skip = NOT_EXACT[file];
  for (const i of indexes) {
    if (ONLY[file] && !ONLY[file]!.test(theirs[i]!)) continue;
    const label = `${file} #${i + 1} ${mode}`;
    if (skip && skip.packets.includes(i + 1) && (!skip.modes || skip.modes.includes(mode))) {
      expect(ours[i]!.exact && ours[i]!.text !== theirs[i], label).toBe(false);
      continue;
    }
    expect(ours[i]!.text, label).toBe(theirs[i]);
    expect(ours[i]!.exact, `${label} exact`).toBe(true);
  }
}

const files = (re: RegExp): string[] => Object.keys(golden).filter((f) => re.test(f));
const MODES: Mode[] = ['-nn', '-v', '-vv'];

describe.skipIf(!haveCorpus('resp_1_benchmark.pcap'))('TCP applications and IP protocols as tcpdump prints them', () => {
  it('RESP: strings, errors, integers, bulk strings, arrays, inline commands, pipelining, truncation', () => {
    for (const m of MODES) for (const f of files(/^resp_/)) check(f, m);
  });

  it('OpenFlow 1.0: message headers; with -v bodies (features, flow mods, matches, actions, stats, queues, BSN vendor)', () => {
    for (const m of MODES) for (const f of files(/^of10_/)) check(f, m);
  });

  it('LDP over TCP and UDP: PDU headers; with -v messages and TLVs; -vv hex', () => {
    for (const m of MODES) for (const f of files(/ldp/)) check(f, m);
  });

  it('BGP: open/capabilities, update attributes and NLRI (MP reach/unreach, RT membership, communities), notification', () => {
    for (const m of MODES) for (const f of files(/bgp/)) check(f, m);
  });

  it('OSPFv2 and v3: LS-Update LSAs (router, network, external, opaque TE/grace/RI; v3 prefixes), LS-Ack, LS-Request, trailers', () => {
    for (const m of MODES) for (const f of files(/ospf|OSPF/)) check(f, m);
  });

  it('PIMv2: checksums, hello options, join/prune, bootstrap, candidate RP, register with its inner packet', () => {
    for (const m of MODES) for (const f of files(/pim|PIM/)) check(f, m);
  });

  it('DCCP: checksum coverage with -v, sequence numbers and options with -vv', () => {
    for (const m of MODES) for (const f of files(/^dccp/)) check(f, m);
  });

  it('IGRP, GRE source routes, ICMPv6 errors, jumbograms, EIGRP/RSVP/PGM one-line forms; ICMPv6 node information and RPL; RPKI-RTR, SSH, telnet, NFS replies, RST data', () => {
    for (const m of MODES) for (const f of files(/igrp|^gre-|icmpv6-rfc|nodeinfo|^rpl-|jumbo|EIGRP|rsvp|pgm|kday4|rst_data|telnet|nfs/)) check(f, m);
  });

  it('HTTP text lines, TCP options (md5, scps, tcp-ao, MPTCP, unknown) and their bad-option ends', () => {
    for (const m of MODES) for (const f of files(/http|print-flags|accecn|mptcp|scps|tcp-auth/)) check(f, m);
  });
});
