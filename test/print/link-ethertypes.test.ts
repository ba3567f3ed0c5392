/**
 * Ethertypes decoded in src/print/link/ethertypes.ts and decnet.ts, on corpus packets, against
 * the lines tcpdump 4.99.3 prints (`tcpdump -nn [-e] -r FILE`): DECnet hellos and NSP messages,
 * GeoNetworking beacons, Arista timestamps with the inner type, MPLS, LLDP, Loopback.
 */
import { describe, expect, it } from 'vitest';
import { haveCorpus, printedLines } from './support.ts';


const lines = printedLines;

const have = haveCorpus('DECnet_Phone.pcap');

describe.skipIf(!have)('ethertypes as tcpdump prints them', () => {
  it('DECnet: endnode hello, connect, an invalid NSP length, link service, data and acks', () => {
    const l = lines('DECnet_Phone.pcap', 14);
    expect(l[0]!.text).toBe('endnode-hello endnode vers 2 eco 0 ueco 0 src 1.1 blksize 16434 rtr 0.0 hello 10 data 2');
    expect(l[5]!.text).toBe('1.1 > 1.1 34 conn-initiate 8195>0 ver 4.1 segsize 16403 ');
    expect(l[6]!.text).toBe('1.1 > 1.1 9  (nsplen 3 < 5) (invalid)');
    expect(l[7]!.text).toBe('1.1 > 1.1 16 conn-confirm 8196>8195 ver 4.1 segsize 16403 ');
    expect(l[8]!.text).toBe('1.1 > 1.1 19 link-service 8195>8196 ack 0 ackdat 0 seg 1 dat seg count 0 ');
    expect(l[9]!.text).toBe('1.1 > 1.1 15 ils-ack 8196>8195 ack 1 ackdat 0 ');
    expect(l[10]!.text).toBe('1.1 > 1.1 45 data 8195>8196 ack 0 oack 0 seg 1 ');
    expect(l[11]!.text).toBe('1.1 > 1.1 15 data-ack 8196>8195 ack 1 oack 1 ');
    expect(l.every((x) => x.exact)).toBe(true);
  });
  it('GeoNetworking beacon', () => {
    expect(lines('geonet_v0_and_calm_fast.pcap', 2)[1]).toEqual({
      text: 'GeoNet src:00:0c:42:6d:54:d5; v:0 NH:0-Any HT:1-0-Beacon HopLim:1 Payload:0 GN_ADDR:00:00:00:0c:42:6d:54:d5 lat:514769562 lon:56597275',
      exact: true,
    });
  });
  it('Arista timestamp, then MPLS, then IPv4; with -e the inner type is printed like an Ethernet header', () => {
    const ts = 'SubType Timestamp (0x0001), Timescale TAI (0), Format 64-bit (1), HwInfo R/R2 (0), Timestamp 2019-05-29 20:36:40.917204604: ';
    expect(lines('arista_ether.pcap', 3)[2]!.text).toBe(
      `ethertype Arista Vendor Specific Protocol (0xd28b), length 110: ${ts}MPLS (label 1024, tc 0, [S], ttl 64) IP 10.136.1.32 > 10.2.23.24:  ip-proto-63 58`,
    );
    expect(lines('arista_ether.pcap', 3, { linkHeader: true })[2]!.text).toBe(
      `00:11:22:33:44:55 > 00:00:00:00:00:01, ethertype Arista Vendor Specific Protocol (0xd28b), length 110: ${ts}ethertype MPLS unicast (0x8847), length 110: MPLS (label 1024, tc 0, [S], ttl 64) 10.136.1.32 > 10.2.23.24:  ip-proto-63 58`,
    );
  });
  it('LLDP one-line form with the system name; Loopback', () => {
    expect(lines('lldp_mudurl.pcap', 1)[0]!.text).toBe('LLDP, length 288: upstairs.ofcourseimright.com');
    const lb = lines('loopback.pcap', 2);
    expect(lb[0]!.text).toBe('Loopback, skipCount 0, Forward Data, forwarding address aa:00:04:00:1d:04, data (44 octets)');
    expect(lb[1]!.text).toBe('Loopback, skipCount 8, Reply, receipt number 1, data (40 octets)');
  });
});
