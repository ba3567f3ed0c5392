/**
 * Link types decoded in src/print/link (vsock monitor, NFLOG, Cisco HDLC -e), on corpus packets,
 * against what tcpdump 4.99.3 prints for them (`tcpdump -nn [-e] [-v] -r FILE`).
 */
import { describe, expect, it } from 'vitest';
import { haveCorpus, printedLines } from './support.ts';


const lines = printedLines;

const have = haveCorpus('vsock-1.pcapng');

describe.skipIf(!have)('link types as tcpdump prints them', () => {
  it('vsock: addresses and operation; -v the virtio header; -vv the payload bytes', () => {
    expect(lines('vsock-1.pcapng', 1)[0]).toEqual({ text: 'VIRTIO 3.1024 > 2.1234 CONNECT, length 76', exact: true });
    expect(lines('vsock-1.pcapng', 1, { verbose: 1 })[0]!.text).toBe(
      'VIRTIO (len 0, type STREAM, op REQUEST, flags 0, buf_alloc 262144, fwd_cnt 0)\n\t3.1024 > 2.1234 CONNECT, length 76',
    );
    expect(lines('vsock-1.pcapng', 3, { verbose: 2 })[2]!.text).toBe(
      'VIRTIO (len 6, type STREAM, op RW, flags 0, buf_alloc 262144, fwd_cnt 0)\n\t3.1024 > 2.1234 PAYLOAD, length 82\n\t0x0000:  4865 6c6c 6f0a',
    );
  });
  it('NFLOG: the logged IPv4 packet; -e the NFLOG header first', () => {
    expect(lines('nflog.pcap', 1)[0]!.text).toBe('IP 74.82.42.42.53 > 10.0.0.20.42585: 17265 1/0/0 A 93.184.216.119 (45)');
    expect(lines('nflog.pcap', 1, { linkHeader: true })[0]!.text).toBe(
      'version 0, resource ID 20, family IPv4 (2), length 180: 74.82.42.42.53 > 10.0.0.20.42585: 17265 1/0/0 A 93.184.216.119 (45)',
    );
  });
  it('Cisco HDLC -e: address and protocol, then IS-IS behind the OSI protocol value', () => {
    expect(lines('ISIS_p2p_adjacency.pcap', 1, { linkHeader: true })[0]!.text).toBe(
      'bcast, ethertype OSI (0xfefe), length 1504: OSI NLPID IS-IS (0x83): p2p IIH, src-id 1111.1111.1111, length 1499',
    );
    expect(lines('ISIS_p2p_adjacency.pcap', 1)[0]!.text).toBe('IS-IS, p2p IIH, src-id 1111.1111.1111, length 1499');
  });
});
