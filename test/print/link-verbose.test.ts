/**
 * Link-layer protocols with -v / -vv (src/print/link: IS-IS's TLVs, …) on corpus packets,
 * against what tcpdump 4.99.3 printed for the same packets in the recorded print-parity goldens
 * (test/golden/cli/parity/nn-v.jsonl and nn-vv.jsonl, `tcpdump -nn -v[v] -c 30 -r FILE`). Each
 * listed packet must come out byte for byte as tcpdump's text after the timestamp, and be marked
 * exact.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { packetKeys, readParityGolden, splitPackets } from '../tools/print-parity.lib.ts';
import type { PrinterOptions } from '../../src/print/packet-printer.ts';
import { CAPTURES, haveCorpus, printedLines } from './support.ts';

type Mode = 'nn' | 'nn-q' | 'nn-e' | 'nn-v' | 'nn-vv';
const golden = new Map<Mode, ReturnType<typeof readParityGolden>>();
const OPTIONS: Record<Mode, Partial<PrinterOptions>> = {
  nn: {},
  'nn-q': { quiet: true },
  'nn-e': { linkHeader: true },
  'nn-v': { verbose: 1 },
  'nn-vv': { verbose: 2 },
};

/** tcpdump's text for packet `i` of `file` in `mode` (a verbosity: -v or -vv), without the timestamp. */
function theirs(file: string, m: Mode | 1 | 2, i: number): string {
  const mode: Mode = m === 1 ? 'nn-v' : m === 2 ? 'nn-vv' : m;
  if (!golden.has(mode)) golden.set(mode, readParityGolden(mode));
  const rec = golden.get(mode)!.find((r) => r.file === file);
  if (rec === undefined) throw new Error(`${file} is not in the -v goldens`);
  const chunk = splitPackets(rec.stdout)[i];
  if (chunk === undefined) throw new Error(`${file} has no packet ${i}`);
  return chunk.replace(/^\d\d:\d\d:\d\d\.\d{6} /, '');
}

/** Packets (0-based indexes into the first 30) that must match tcpdump in `m` (-v, -vv or a mode). */
function check(file: string, indexes: number[], m: Mode | 1 | 2): void {
  expect(indexes.length, file).toBeGreaterThan(0);
  const ours = printedLines(file, 30, typeof m === 'number' ? { verbose: m } : OPTIONS[m]);
  for (const i of indexes) {
    expect(ours[i]!.text, `${file} #${i + 1} ${m}`).toBe(theirs(file, m, i));
    expect(ours[i]!.exact, `${file} #${i + 1} exact`).toBe(true);
  }
}

/** Indexes of the packets among the first 30 of `file` whose protocol key matches `re`. */
function packetsOf(file: string, re: RegExp): number[] {
  return packetKeys(join(CAPTURES, file), 30).flatMap((k, i) => (re.test(k) ? [i] : []));
}

describe.skipIf(!haveCorpus('ISIS_level2_adjacency.pcap'))('link layers with -v / -vv as tcpdump prints them', () => {
  it('IS-IS: hellos, LSPs with their checksums, CSNPs, every TLV (-v and -vv)', () => {
    for (const v of [1, 2] as const) {
      check('ISIS_level2_adjacency.pcap', packetsOf('ISIS_level2_adjacency.pcap', /802\.3/), v);
      check('isis_iid_tlv.pcap', packetsOf('isis_iid_tlv.pcap', /802\.3/), v);
      check('isis_sr.pcapng', [0], v);
    }
  });

  it('IS-IS malformed: a wrong LSP checksum, bad areas, cut TLVs, sub-TLVs longer than their TLV', () => {
    for (const v of [1, 2] as const) {
      check('fletcher-checksum-negative-shift.pcap', [0], v);
      check('isis-seg-fault-1.pcapng', [0], v);
      check('isis-areaaddr-oobr-2.pcap', [0], v);
    }
  });

  it('the Fletcher checksum: a correct LSP verifies, a changed byte does not', async () => {
    const { osiChecksum } = await import('../../src/print/link/isis-verbose.ts');
    // 4444.4444.4444.00-00 seq 0x0a from ISIS_level2_adjacency.pcap #8: tcpdump says 0xf252 (correct).
    const ours = printedLines('ISIS_level2_adjacency.pcap', 8, { verbose: 1 })[7]!.text;
    expect(ours).toContain('chksum: 0xf252 (correct)');
    const bytes = new Uint8Array([1, 2, 3, 4, 0, 0, 5, 6]);
    const c = osiChecksum(bytes, 0, 4, 8);
    bytes[4] = c >> 8;
    bytes[5] = c & 0xff;
    // With the checksum in place the computed value is the same; another byte changes it.
    expect(osiChecksum(bytes, 0, 4, 8)).toBe(c);
    bytes[7] = 7;
    expect(osiChecksum(bytes, 0, 4, 8)).not.toBe(c);
  });

  it('PTP (0x88f7) management messages, in every mode (tcpdump prints PTP the same with -q and -v)', () => {
    for (const m of ['nn', 'nn-q', 'nn-e', 'nn-v', 'nn-vv'] as const) check('ptp_management.pcap', packetsOf('ptp_management.pcap', /0x88f7/), m);
  });

  it('spanning tree: MSTP with -v/-vv (CIST, configuration digest, every MSTI), and a BPDU cut short', () => {
    for (const m of ['nn', 'nn-e', 'nn-v', 'nn-vv'] as const) check('MSTP_Intra-Region_BPDUs.pcap', packetsOf('MSTP_Intra-Region_BPDUs.pcap', /802\.3/), m);
    for (const m of ['nn', 'nn-v'] as const) check('stp-heapoverflow-3.pcap', [13], m);
  });

  it("STP timers print as C's %.2f: exact halves round to even", async () => {
    const { stpTime } = await import('../../src/print/link/stp.ts');
    expect(stpTime(256)).toBe('1.00');
    expect(stpTime(32)).toBe('0.12'); // 0.125 exactly
    expect(stpTime(96)).toBe('0.38'); // 0.375 exactly
    expect(stpTime(1)).toBe('0.00');
    expect(stpTime(3840)).toBe('15.00');
  });

  it('LLDP: chassis/port IDs, TTL, names, capabilities, management addresses, 802.1 (VLANs, ETS, aggregation), 802.3 (MAC/PHY), IANA MUD URL', () => {
    for (const m of ['nn', 'nn-v', 'nn-vv'] as const) {
      for (const f of ['dcb_ets.pcap', 'lldp_8021_linkagg.pcap', 'lldp_mudurl.pcap']) check(f, packetsOf(f, /0x88cc/), m);
    }
  });

  it('MS NLB heartbeats (0x886f) in every mode', () => {
    for (const m of ['nn', 'nn-q', 'nn-e', 'nn-v'] as const) check('msnlb.pcap', packetsOf('msnlb.pcap', /0x886f/), m);
  });

  it('MACsec (0x88e5): encrypted frames as addresses, SecTAG and hex; clear ones as their payload; -e shows the SecTAG', () => {
    for (const m of ['nn', 'nn-q', 'nn-e', 'nn-v'] as const) {
      for (const f of ['macsec-encrypted.pcap', 'macsec-short-valid.pcap', 'icmp-rfc8335-missing-bytes.pcap']) check(f, packetsOf(f, /0x88e5/), m);
    }
  });

  it('Frame Relay (Q.922 address, Cisco-style type, UI/pad/NLPID) carrying IS-IS, ES-IS and FRF.15, with -e its header', () => {
    for (const m of ['nn', 'nn-q', 'nn-e'] as const) {
      for (const f of ['esis_snpa_asan-3.pcap', 'isis_stlv_asan.pcap', 'frf15-heapoverflow.pcap']) check(f, packetsOf(f, /FRELAY/), m);
    }
  });

  it('OSI over ethertype 0xfefe (CLNP one-line form, a cut NLPID) and IS-IS SPB port-capability sub-TLVs', () => {
    for (const m of ['nn', 'nn-q', 'nn-e'] as const) {
      for (const f of ['hoobr_lookup_nsap.pcap', 'isoclns-heapoverflow.pcap']) check(f, packetsOf(f, /0xfefe/), m);
    }
    for (const v of [1, 2] as const) check('isis_stlv_asan.pcap', packetsOf('isis_stlv_asan.pcap', /FRELAY/), v);
  });

  it('GeoNetworking with BTP and the ITS PDU header, CALM FAST, the old GeoNet ethertype with a short extended header', () => {
    for (const m of ['nn', 'nn-q', 'nn-e', 'nn-v', 'nn-vv'] as const) {
      check('geonet_v0_and_calm_fast.pcap', packetsOf('geonet_v0_and_calm_fast.pcap', /0x8947|0x1111/), m);
      check('cve-2014-8768-Geonet.pcap', [0], m);
    }
  });

  it('EAPOL frame headers and slow protocols with an unknown subtype', () => {
    for (const m of ['nn', 'nn-q', 'nn-e', 'nn-v', 'nn-vv'] as const) {
      check('eap_extract_read2_asan.pcap', packetsOf('eap_extract_read2_asan.pcap', /0x888e/), m);
      check('slow-ossp.pcap', packetsOf('slow-ossp.pcap', /0x8809/), m);
    }
  });

  it('MPLS: -v puts each further label on its own line; a payload cut before its first byte', () => {
    for (const m of ['nn', 'nn-q', 'nn-e', 'nn-v', 'nn-vv'] as const) check('mpls-label-heapoverflow.pcap', [0], m);
  });

  it('SLIP: a pseudo-header cut before the IP version, with -e the direction', () => {
    for (const m of ['nn', 'nn-q', 'nn-e', 'nn-v'] as const) check('heapoverflow-sl_if_print.pcap', [0], m);
    // The IPv6 packet's link part (-e: `I slip-0!: `); its ICMPv6 node information reply is another printer's.
    expect(printedLines('icmp6_nodeinfo_oobr.pcap', 1, { linkHeader: true })[0]!.text).toMatch(/^I slip-0!: a072:7f00:1:7f00:1:e01a:17:6785 > c903::a002:8018:fe30:0:204: ICMP6, /);
  });

  it('PKTAP: an impossible header length, and a packet handed to its own link type (PPP serial, cut short)', () => {
    for (const m of ['nn', 'nn-q', 'nn-e', 'nn-v'] as const) check('pktap-heap-overflow.pcap', [0, 1], m);
  });

  it('Cisco HDLC carrying OSI cut before the byte that tells whether a pad precedes the NLPID', () => {
    for (const m of ['nn', 'nn-q', 'nn-e', 'nn-v'] as const) check('hoobr_chdlc_print.pcap', [25], m);
  });

  it('CLNP with -v/-vv: fixed header, flags and addresses, then a cut option', () => {
    for (const v of [1, 2] as const) check('hoobr_lookup_nsap.pcap', packetsOf('hoobr_lookup_nsap.pcap', /0xfefe/), v);
  });

  it('ES-IS with -v/-vv: an unknown type with its bytes, a redirect cut in its options', () => {
    for (const v of [1, 2] as const) check('esis_snpa_asan-3.pcap', packetsOf('esis_snpa_asan-3.pcap', /FRELAY/), v);
  });
});
