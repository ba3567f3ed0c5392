/**
 * The capture I/O contract shared by readers (pcap, pcapng, pcap-parser adapter, live),
 * writers and the CLI.
 *
 * Readers are pull-based and synchronous for files: `next()` returns the same `PacketRecord`
 * object each time, refilled in place (no per-packet allocation); `data` is a view into the
 * reader's block buffer and is valid only until the next call. When the input ends early
 * (truncated record, corrupt block), `next()` returns null and `error` says what and where
 * (byte offset); every intact record before it has been delivered.
 */
import type { UserError } from '../errors.ts';

export interface PacketRecord {
  /** The captured bytes (length === caplen). A view valid until the next `next()` call. */
  data: Uint8Array;
  /** Captured length (bytes present). */
  caplen: number;
  /** Original length on the wire. */
  wirelen: number;
  /**
   * Timestamp: whole seconds since the epoch. pcap stores a signed 32-bit value (libpcap reads
   * it as such, so a corrupt file can give a negative number); pcapng a 64-bit tick count.
   */
  tsSec: number;
  /**
   * The exact whole seconds when they are not a safe integer (beyond ±2^53: a pcapng interface's
   * if_tsoffset near ±2^62, or a tick count of a coarse resolution); `tsSec` is then only the
   * nearest double. Undefined for every ordinary timestamp. Writers and the timestamp printer
   * use it when present, so the low 32 bits and the differences between packets stay exact.
   */
  tsSecBig?: bigint | undefined;
  /**
   * Timestamp: fraction of a second, in nanoseconds (0..999_999_999). A corrupt pcap file's
   * out-of-range fraction is passed through unnormalized (µs × 1000), as libpcap does.
   */
  tsNsec: number;
  /** LINKTYPE_* value of the interface the packet was captured on. */
  linkType: number;
  /** pcapng interface id (0 for pcap). */
  interfaceId: number;
  /** Byte offset of the record (pcap record header / pcapng block) in the input. */
  offset: number;
  /**
   * Optional zero-allocation access to the bytes: `data` equals
   * `buf.subarray(dataOffset, dataOffset + caplen)`. Readers in src/capture set both.
   */
  buf?: Uint8Array;
  dataOffset?: number;
}

export interface CaptureInfo {
  format: 'pcap' | 'pcapng' | 'live';
  /** LINKTYPE_* value of the first interface (pcap: the file's link type, without FCS bits). */
  linkType: number;
  snaplen: number;
  /** Timestamp resolution of the source: 'micro' | 'nano' for pcap; pcapng reports 'nano'. */
  precision: 'micro' | 'nano';
  /** pcap: the raw link-type field (with the FCS bits); pcapng: first IDB's link type. */
  rawLinkTypeField: number;
  /** Byte order of the file. */
  bigEndian: boolean;
  /** pcap: version major/minor from the header. */
  versionMajor?: number;
  versionMinor?: number;
}

export interface CaptureReader {
  readonly info: CaptureInfo;
  /** The next record, or null at the end (check `error`). */
  next(): PacketRecord | null;
  /** Set when the input ended badly; every intact record before it was returned. */
  readonly error: UserError | null;
  close(): void;
}
