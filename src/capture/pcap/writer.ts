/**
 * pcap savefile writer: the 24-byte file header, then a 16-byte header + bytes per packet.
 *
 * Defaults are what libpcap's pcap_dump_open writes: version 2.4, thiszone 0, sigfigs 0, host
 * byte order (little-endian here), µs magic (0xa1b2c3d4) unless nanosecond precision is asked
 * for (0xa1b23c4d). Timestamps are stored as 32-bit seconds (wrapping, as a C cast does) and
 * the fraction in the file's unit: tsNsec / 1000 truncated toward zero for µs (a corrupt
 * file's negative fraction converts as libpcap's C division does).
 */
import { dltToLinkType, linkTypeByDlt, linkTypeByLinkType } from '../link-types.ts';
import type { ByteSink } from '../sink.ts';
import { RecordWriter, type WritablePacket, type WriterOptions } from '../record-writer.ts';
import { PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO } from './reader.ts';

export interface PcapWriterOptions extends WriterOptions {
  /** LINKTYPE_* value; may include the FCS bits (the whole header field). */
  linkType: number;
  snaplen: number;
  precision?: 'micro' | 'nano';
  /** Default false (little-endian, the host order of every machine we run on). */
  bigEndian?: boolean;
}

export class PcapWriter extends RecordWriter {
  private readonly le: boolean;
  private readonly nano: boolean;
  packets = 0;

  constructor(sink: ByteSink, opts: PcapWriterOptions) {
    super(sink, opts);
    this.le = !opts.bigEndian;
    this.nano = opts.precision === 'nano';
    this.reserve(24);
    const v = this.outView;
    const a = this.at;
    v.setUint32(a, this.nano ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, this.le);
    v.setUint16(a + 4, 2, this.le);
    v.setUint16(a + 6, 4, this.le);
    v.setInt32(a + 8, 0, this.le);
    v.setUint32(a + 12, 0, this.le);
    v.setUint32(a + 16, opts.snaplen >>> 0, this.le);
    v.setUint32(a + 20, opts.linkType >>> 0, this.le);
    this.commit();
  }

  /** Appends one packet (caplen bytes from `buf`/`dataOffset`, or `data`). */
  writePacket(p: WritablePacket): void {
    const caplen = p.caplen;
    this.reserve(16 + caplen);
    const v = this.outView;
    const a = this.at;
    const le = this.le;
    // the low 32 bits of the seconds, as tcpdump -w writes them (exact for huge pcapng offsets too)
    v.setUint32(a, p.tsSecBig !== undefined ? Number(BigInt.asUintN(32, p.tsSecBig)) : p.tsSec >>> 0, le);
    v.setUint32(a + 4, (this.nano ? p.tsNsec : Math.trunc(p.tsNsec / 1000)) >>> 0, le);
    v.setUint32(a + 8, caplen, le);
    v.setUint32(a + 12, p.wirelen >>> 0, le);
    this.copyPayload(p, 16, caplen);
    this.packets++;
    this.commit();
  }

  /**
   * Whether records read from a pcap file in the little-endian, 16-byte-header layout with
   * timestamps in `precision` (a RecordBlock with `rawRecords`) are already in this writer's
   * form, byte for byte, so `writeRecords` may copy them.
   */
  copiesRecordsOf(precision: 'micro' | 'nano'): boolean {
    return this.le && this.nano === (precision === 'nano');
  }

  /**
   * Appends `count` whole records already in this writer's form (see copiesRecordsOf), lying
   * back to back in buf[start, end): one copy for the run instead of one header and payload per
   * packet. The bytes equal what `writePacket` would write for each record.
   */
  writeRecords(buf: Uint8Array, start: number, end: number, count: number): void {
    this.sink.write(buf.subarray(start, end));
    this.packets += count;
    if (this.packetBuffered) this.sink.flush();
  }
}

/**
 * The header's link-type field for `linkType`: a value that is not a LINKTYPE but a DLT whose
 * LINKTYPE differs (DLT_ATM_RFC1483 11, DLT_RAW 12, DLT_SLIP_BSDOS 15, DLT_PPP_BSDOS 16 — what a
 * pcap file carrying a DLT number in its field reads back as) is written as that LINKTYPE
 * (100–103), as libpcap's pcap_dump_open does; the FCS bits above are kept. The writer itself
 * writes the value it is given (a LINKTYPE); a caller copying an input's raw field passes it
 * through this first.
 */
export function savefileLinkType(linkType: number): number {
  const base = linkType & 0x03ffffff;
  if (linkTypeByLinkType(base) !== undefined || linkTypeByDlt(base) === undefined) return linkType >>> 0;
  const lt = dltToLinkType(base);
  return lt < 0 || lt === base ? linkType >>> 0 : ((linkType & ~0x03ffffff) | lt) >>> 0;
}
