/**
 * IP-layer printers (src/print/ip/*) on packets from the corpus, against the lines tcpdump 4.99.3
 * prints for them (`tcpdump -t -nn [-v] -r FILE`, here without the timestamp): GRE with -e,
 * ISAKMP/IKE (v2 header, v1's initiator-cookie cache), OSPFv2 with an MD5 trailer, OSPFv3 behind
 * AH with -v, the IPv6 chain (routing header, mobility with its options, a fragment header whose
 * length wraps), DCCP with -v, PIM, OpenFlow over TCP, MLDv2 behind hop-by-hop options with -v,
 * BFD's -v form; and the port-dispatch tables alone.
 */
import { describe, expect, it } from 'vitest';
import type { PrinterOptions } from '../../src/print/packet-printer.ts';
import { haveCorpus, printedLines } from './support.ts';
import { udpDecoder } from '../../src/print/ip/udp.ts';
import { tcpDecoder } from '../../src/print/ip/tcp-apps.ts';
import { fragment } from '../../src/print/ip/ip6-ext.ts';


const lines = (file: string, opts: Partial<PrinterOptions>, count: number) => printedLines(file, count, opts);

const have = haveCorpus('ikev2four.pcap');

describe.skipIf(!have)('IP and above as tcpdump prints it', () => {
  it('ISAKMP: IKEv2 exchange and initiator/responder flags; IKEv1 with an all-zero cookie is "?"', () => {
    const l = lines('ikev2four.pcap', {}, 2);
    expect(l[0]).toEqual({ text: 'IP 192.168.1.2.500 > 192.168.1.1.500: isakmp: parent_sa ikev2_init[I]', exact: true });
    expect(l[1]!.text).toBe('IP 192.168.1.1.500 > 192.168.1.2.500: isakmp: parent_sa ikev2_init[R]');
    expect(lines('isakmp-pointer-loop.pcap', {}, 1)[0]!.text).toBe('IP 129.170.249.126.500 > 129.170.249.87.500: isakmp: phase 1 ? base');
  });

  it('GRE: sequence number, -e names the carried protocol, undecoded payload as gre-proto-0xNNNN', () => {
    const l = lines('erspan-type-ii-1.pcap', { linkHeader: true }, 1);
    expect(l[0]).toEqual({
      text: '00:25:9e:81:b3:54 > 00:e0:00:9b:6d:81, ethertype IPv4 (0x0800), length 122: 1.1.1.2 > 192.168.255.5: GREv0, seq 171, proto unknown (0x88be), length 88: gre-proto-0x88be',
      exact: true,
    });
  });

  it('OSPF: an MD5 trailer is not counted; OSPFv3 behind AH with -v', () => {
    expect(lines('OSPFv2_Capture_FINAL.pcapng', {}, 1)[0]!.text).toBe('IP 192.168.121.5 > 224.0.0.5: OSPFv2, Hello, length 88');
    const v = lines('OSPFv3_with_AH.pcap', { verbose: 1 }, 1)[0]!;
    expect(v.exact).toBe(true);
    expect(v.text).toBe(
      'IP6 (class 0xe0, hlim 1, next-header AH (51) payload length: 60) fe80::1 > ff02::5: AH(length=4(24-bytes),spi=0x00000100,seq=0x13,icv=0x21d3a95c5ffd4d184622b9f8): OSPFv3, Hello, length 36' +
        '\n\tRouter-ID 1.1.1.1, Area 0.0.0.1\n\tOptions [V6, External, Router]\n\t  Hello Timer 10s, Dead Timer 40s, Interface-ID 0.0.0.5, Priority 1',
    );
  });

  it('IPv6 chain: routing header, then UDP with ports only; mobility options under -v; a wrapping fragment length', () => {
    const rt = lines('ipv6-routing-header.pcap', {}, 3);
    expect(rt[0]!.text).toBe('IP6 2200::244:212:3fff:feae:22f7 > 2200::240:2:0:0:4: RT6 (len=2, type=0 [Deprecated], segleft=1, [0]2200::210:2:0:0:4) ICMP6, echo request, id 0, seq 0, length 8');
    expect(rt[2]).toEqual({ text: 'IP6 2200::244:212:3fff:feae:22f7 > 2200::240:2:0:0:4: RT6 (len=2, type=0 [Deprecated], segleft=1, [0]2200::210:2:0:0:4) 5645 > 5642: UDP, length 0', exact: true });
    const mob = lines('ipv6_mobility_1.pcap', { verbose: 1 }, 7);
    expect(mob[3]!.text).toBe('IP6 (hlim 64, next-header Mobility (135) payload length: 24) 2001:db8::1 > 2001:db8::2: mobility: HoT nonce id=0x90a Home Init Cookie=0b0c0d0e:0f1004d2 Home Keygen Token=11121314:15161718');
    expect(mob[6]!.text).toBe('IP6 (hlim 64, next-header Mobility (135) payload length: 32) 2001:db8::1 > 2001:db8::2: mobility: BU seq#=1000 A lifetime=14400(alt-CoA: 2001:660:4701:f004:20d:54ff:fe98:bc93) [|mobility]');
    expect(lines('ipv6_frag6_negative_len.pcap', {}, 1)[0]!.text).toBe('IP6 7fff:ffff:c3b2:a102:1305:80:38:2949 > 9675:86dd:7300:2c:1c7f:ffff:ffc3:b2a1: frag (1280|18446744073709551608)');
  });

  it('DCCP with -v (checksum over the covered part), PIM, OpenFlow message headers', () => {
    const d = lines('dccp_partial_csum_v4_longer.pcap', { verbose: 1 }, 2);
    expect(d[1]!.text).toBe(
      'IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto DCCP (33), length 68)\n    139.133.209.65.5001 > 139.133.209.176.39420: DCCP (CCVal 0, CsCov 0, cksum 0xb04b (correct)) DCCP-Response (service=0) (ack=38464816766) ',
    );
    expect(lines('PIMv2_bootstrap.pcap', {}, 1)[0]!.text).toBe('IP 10.0.0.5 > 224.0.0.13: PIMv2, Bootstrap, length 46');
    const of = lines('of10_pf5240.pcap', {}, 9);
    expect(of[8]).toEqual({
      text: 'IP 172.16.1.51.6633 > 172.16.1.101.62221: Flags [P.], seq 9:17, ack 9, win 114, options [nop,nop,TS val 2256457994 ecr 0], length 8: OpenFlow\n\tversion 1.0, type FEATURES_REQUEST, length 8, xid 0x00000002',
      exact: true,
    });
  });

  it('MLDv2 behind hop-by-hop options and BFD, both with -v', () => {
    expect(lines('dcb_ets.pcap', { verbose: 1 }, 1)[0]!.text).toBe(
      'IP6 (hlim 1, next-header Options (0) payload length: 36) fe80::a00:27ff:fe46:e884 > ff02::16: HBH (rtalert: 0x0000) (padn) [icmp6 sum ok] ICMP6, multicast listener report v2, 1 group record(s) [gaddr ff02::1:ff00:0 to_ex, 0 source(s)]',
    );
    const b = lines('bfd-multihop.pcap', { verbose: 1 }, 1)[0]!;
    expect(b.exact).toBe(true);
    expect(b.text.split('\n').slice(-4)).toEqual([
      '\tMy Discriminator: 0x7429abf9, Your Discriminator: 0xd43a40c1',
      '\t  Desired min Tx Interval:     300 ms',
      '\t  Required min Rx Interval:    300 ms',
      '\t  Required min Echo Interval:  300 ms',
    ]);
  });
});

describe('port dispatch and header arithmetic', () => {
  const none = new Uint8Array(0);
  it('UDP: the first port in tcpdump order wins, on either side', () => {
    expect(udpDecoder(53, 500, none, 0, 0)).toBe('domain');
    expect(udpDecoder(500, 4500, none, 0, 0)).toBe('isakmp');
    expect(udpDecoder(40000, 4500, none, 0, 0)).toBe('isakmp-natt');
    expect(udpDecoder(546, 1645, none, 0, 0)).toBe('dhcp6');
    // HSRP and BFD are chosen by the destination port only.
    expect(udpDecoder(1985, 40000, none, 0, 0)).toBe(null);
    expect(udpDecoder(40000, 3784, none, 0, 0)).toBe('bfd');
    expect(udpDecoder(443, 40000, none, 0, 0)).toBe(null);
  });

  it('TCP: BGP before HTTP, OpenFlow on either port, nothing for unknown ports', () => {
    expect(tcpDecoder(179, 80)).toBe('bgp');
    expect(tcpDecoder(50000, 6653)).toBe('openflow');
    expect(tcpDecoder(50000, 443)).toBe(null);
  });

  it('fragment header: offset and the length left in the payload; a later fragment ends the chain', () => {
    const p = new Uint8Array(48 + 8);
    p[4] = 0;
    p[5] = 16; // payload length 16: the fragment header and 8 bytes
    p[40] = 17; // next header UDP
    p[42] = 0x05;
    p[43] = 0x00; // offset 1280, no more fragments
    expect(fragment(p, 40, 56, 0, 0)).toEqual({ text: 'frag (1280|8)', advance: -1, ok: true });
    p[42] = 0;
    p[43] = 1; // offset 0, more fragments
    expect(fragment(p, 40, 56, 0, 0)).toEqual({ text: 'frag (0|8) ', advance: 8, ok: true });
  });
});
