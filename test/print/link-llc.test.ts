/**
 * 802.3 frames and LLC (src/print/link/llc.ts, isis.ts, ipx.ts) on packets from the corpus,
 * against the lines tcpdump 4.99.3 prints for them (`tcpdump -nn [-e] -r FILE`): IS-IS hellos and
 * link-state PDUs, IPX over 802.2 (NetBIOS, RIP, SAP), spanning tree in a VLAN, and the generic
 * LLC line with its hex dump when the SAPs are unknown.
 */
import { describe, expect, it } from 'vitest';
import type { PrinterOptions } from '../../src/print/packet-printer.ts';
import { haveCorpus, printedLines } from './support.ts';


const lines = (file: string, opts: Partial<PrinterOptions>, count: number) => printedLines(file, count, opts);

const have = haveCorpus('ipx.pcap');

describe.skipIf(!have)('802.3 / LLC as tcpdump prints it', () => {
  it('IS-IS over LLC: LAN hello, LSP and CSNP summaries; -e names the LLC header and the NLPID', () => {
    const l = lines('ISIS_level2_adjacency.pcap', {}, 13);
    expect(l[0]).toEqual({ text: 'IS-IS, L2 Lan IIH, src-id 4444.4444.4444, lan-id 4444.4444.4444.01, prio 64, length 1497', exact: true });
    expect(l[7]!.text).toBe('IS-IS, L2 LSP, lsp-id 4444.4444.4444.00-00, seq 0x0000000a, lifetime  1199s, length 100');
    expect(l[12]!.text).toBe('IS-IS, L2 CSNP, src-id 4444.4444.4444.00, length 83');
    const e = lines('isis_iid_tlv.pcap', { linkHeader: true }, 1);
    expect(e[0]!.text).toBe(
      '02:01:00:03:00:00 > 01:00:5e:90:00:02, 802.3, length 1500: LLC, dsap OSI (0xfe) Individual, ssap OSI (0xfe) Command, ctrl 0x03: OSI NLPID IS-IS (0x83): p2p IIH, src-id 1111.1111.1111, length 1497',
    );
  });

  it('IS-IS -v (every TLV) is reproduced (test/print/link-verbose.test.ts compares it)', () => {
    expect(lines('ISIS_level2_adjacency.pcap', { verbose: 1 }, 1)[0]!.exact).toBe(true);
  });

  it('IPX over 802.2: NetBIOS, RIP and SAP responses; -e adds "IPX 802.2: "', () => {
    const l = lines('ipx.pcap', {}, 6);
    expect(l[0]!.text).toBe('IPX a8f87967.00:00:00:00:00:01.0455 > 00000000.ff:ff:ff:ff:ff:ff.0455: ipx-netbios 50');
    expect(l[4]!.text).toBe('IPX 00000000.00:03:47:1b:c1:a8.0453 > 00000000.ff:ff:ff:ff:ff:ff.0453: ipx-rip-resp a8f87967/1.2');
    expect(l[5]!.text).toBe("IPX 00000000.00:30:c1:bf:57:55.0452 > 00000000.ff:ff:ff:ff:ff:ff.0452: ipx-sap-resp 030c '0030C1BF575580D0NPIBF5755' addr 00000000.00:30:c1:bf:57:55");
    expect(l.every((x) => x.exact)).toBe(true);
    expect(lines('ipx.pcap', { linkHeader: true }, 1)[0]!.text).toBe(
      '00:03:47:1b:c1:a8 > ff:ff:ff:ff:ff:ff, 802.3, length 84: LLC, dsap IPX (0xe0) Individual, ssap IPX (0xe0) Command, ctrl 0x03: IPX 802.2: a8f87967.00:00:00:00:00:01.0455 > 00000000.ff:ff:ff:ff:ff:ff.0455: ipx-netbios 50',
    );
  });

  it('spanning tree behind a VLAN tag: -e prints "802.3" straight before the LLC header', () => {
    const e = lines('MSTP_Intra-Region_BPDUs.pcap', { linkHeader: true }, 1);
    expect(e[0]!.text).toBe(
      '00:1e:f7:05:a8:92 > 01:80:c2:00:00:00, ethertype 802.1Q (0x8100), length 155: vlan 0, p 7, 802.3LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: STP 802.1s, Rapid STP, CIST Flags [Learn, Forward], length 134',
    );
  });

  it('unknown SAPs: addresses, SAP names, an information frame, its length cut to the frame, and the bytes from the LLC header', () => {
    const l = lines('kday4.pcap', {}, 3);
    expect(l[2]!.text).toBe(
      '84:b5:9c:be:30:48 Unknown SSAP 0x10 > 0c:c4:7a:08:e9:12 Unknown DSAP 0x44 Information, send seq 0, rcv seq 26, Flags [Command], length 52' +
        '\n\t0x0000:  4510 0034 f5c8 4000 3e06 4504 cc09 3384  E..4..@.>.E...3.' +
        '\n\t0x0010:  cc09 3650 c39f 0016 49d1 c854 6c6f 1322  ..6P....I..Tlo."' +
        '\n\t0x0020:  8010 0ffc 858b 0000 0101 080a 381c 3209  ............8.2.' +
        '\n\t0x0030:  4fe7 cfd4                                O...',
    );
    expect(l[2]!.exact).toBe(true);
  });
});
