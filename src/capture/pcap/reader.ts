/**
 * pcap savefile reader, mirroring libpcap 1.10.3's sf-pcap.c semantics.
 *
 * File header (24 bytes): magic, version major/minor, thiszone, sigfigs, snaplen, link-type
 * field. Magic 0xa1b2c3d4 = µs timestamps, 0xa1b23c4d = ns, 0xa1b2cd34 = Kuznetzov's patched
 * format (8 extra bytes per record header); read in either byte order. Each record: 16-byte
 * header (ts_sec, ts_frac, caplen, wirelen), then caplen bytes.
 *
 * libpcap rules reproduced here (checked against tcpdump on the whole corpus):
 * - version major < 2 is "archaic"; anything but 2.0..2.4 (or 543.0) is unsupported;
 * - files older than 2.3 have caplen/len swapped; 2.3 files swap them when caplen > len;
 * - the snapshot length is the header's, unless it is 0 or negative as a C int, then the
 *   link type's maximum (262144 for most);
 * - the link-type field's low 26 bits are the LINKTYPE, the top 6 bits (FCS info) are kept
 *   aside and written back when the file is rewritten;
 * - a record whose caplen exceeds the link type's maximum snapshot is an error; one whose caplen
 *   exceeds the file's snapshot length is cut to it (the rest is read and discarded);
 * - Kuznetzov files get 14 added to their snapshot length.
 *
 * Technique: `next()` parses the record header in place in the ByteSource block buffer with a
 * DataView and points the reused MutableRecord at the bytes: nothing is allocated per packet.
 */
import { UserError } from '../../errors.ts';
import type { ByteSource } from '../byte-source.ts';
import { linkTypeToDlt, maxSnaplenForDlt } from '../link-types.ts';
import { MutableRecord } from '../record.ts';
import type { CaptureInfo, CaptureReader, PacketRecord } from '../types.ts';
import type { RecordBlock } from '../batch.ts';

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
export const PCAP_MAGIC_KUZNETZOV = 0xa1b2cd34;

/** Extra information a pcap reader exposes beyond the CaptureInfo contract. */
export interface PcapInfo extends CaptureInfo {
  format: 'pcap';
  /** DLT_* value libpcap uses for the file's link type. */
  dlt: number;
  /** Top 6 bits of the link-type field (FCS length info), as libpcap keeps them. */
  linkTypeExt: number;
  /** The snaplen field exactly as stored. */
  headerSnaplen: number;
  thiszone: number;
  sigfigs: number;
}

/** A UserError for a capture file, with the byte offset appended to libpcap's wording. */
export function captureError(code: string, message: string, offset: number): UserError {
  return new UserError(code, `${message} (at byte offset ${offset})`, { offset });
}

const enum LengthSwap {
  None,
  Always,
  IfCaplenBigger,
}

export class PcapReader implements CaptureReader {
  readonly info: PcapInfo;
  error: UserError | null = null;
  private readonly src: ByteSource;
  private readonly le: boolean;
  private readonly nano: boolean;
  private readonly hdrLen: number;
  private readonly swap: LengthSwap;
  private readonly maxCaplen: number;
  private readonly snapshot: number;
  private readonly rec = new MutableRecord();
  private scratch = new Uint8Array(0);
  private done = false;
  /** Records are stored as PcapWriter writes them (little-endian, 16-byte headers, lengths not swapped). */
  private readonly rawLayout: boolean;

  /** Reads the file header; `src` is positioned at the magic (already known to be pcap). */
  constructor(src: ByteSource) {
    this.src = src;
    const start = src.offset;
    if (!src.ensure(24)) {
      // libpcap's wording counts the whole header but only the bytes read after the magic.
      const got = src.available;
      throw captureError('CAPTURE_TRUNCATED', `truncated dump file; tried to read 24 file header bytes, only got ${Math.max(0, got - 4)}`, start);
    }
    const v = src.view;
    const p = src.pos;
    const magicBE = v.getUint32(p, false);
    const le = ![PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, PCAP_MAGIC_KUZNETZOV].includes(magicBE);
    const magic = v.getUint32(p, le);
    const major = v.getUint16(p + 4, le);
    const minor = v.getUint16(p + 6, le);
    if (major < 2) throw captureError('CAPTURE_BAD_VERSION', 'archaic pcap savefile format', start + 4);
    if (!((major === 2 && minor <= 4) || (major === 543 && minor === 0))) {
      throw captureError('CAPTURE_BAD_VERSION', `unsupported pcap savefile version ${major}.${minor}`, start + 4);
    }
    const thiszone = v.getInt32(p + 8, le);
    const sigfigs = v.getUint32(p + 12, le);
    const headerSnaplen = v.getUint32(p + 16, le);
    const field = v.getUint32(p + 20, le);
    const linkType = field & 0x03ffffff;
    const dlt = linkTypeToDlt(linkType);
    const maxSnap = maxSnaplenForDlt(dlt);
    // libpcap keeps the header's value unless it is <= 0 as a C int.
    let snapshot = (headerSnaplen | 0) <= 0 ? maxSnap : headerSnaplen;
    // Kuznetzov's format: on Ethernet, libpcap adds the 14 bytes its patched kernels left out of
    // the count (other link types keep the header's value, as tcpdump -w shows).
    if (magic === PCAP_MAGIC_KUZNETZOV && dlt === 1) snapshot += 14;
    src.pos += 24;

    this.le = le;
    this.nano = magic === PCAP_MAGIC_NANO;
    this.hdrLen = magic === PCAP_MAGIC_KUZNETZOV ? 24 : 16;
    this.swap = major === 2 && minor < 3 ? LengthSwap.Always : major === 2 && minor === 3 ? LengthSwap.IfCaplenBigger : major === 543 ? LengthSwap.Always : LengthSwap.None;
    this.maxCaplen = maxSnap;
    this.snapshot = snapshot;
    this.rawLayout = le && this.hdrLen === 16 && this.swap === LengthSwap.None;
    this.rec.linkType = linkType;
    this.info = {
      format: 'pcap',
      linkType,
      snaplen: snapshot,
      precision: this.nano ? 'nano' : 'micro',
      rawLinkTypeField: field,
      bigEndian: !le,
      versionMajor: major,
      versionMinor: minor,
      dlt,
      linkTypeExt: (field & 0xfc000000) >>> 0,
      headerSnaplen,
      thiszone,
      sigfigs,
    };
  }

  next(): PacketRecord | null {
    if (this.done) return null;
    const src = this.src;
    const hdrLen = this.hdrLen;
    const at = src.offset;
    if (!src.ensure(hdrLen)) {
      const got = src.available;
      if (got === 0) return this.finish(null);
      return this.finish(captureError('CAPTURE_TRUNCATED', `truncated dump file; tried to read ${hdrLen} header bytes, only got ${got}`, at));
    }
    const v = src.view;
    const p = src.pos;
    const le = this.le;
    // Both timestamp fields are signed 32-bit in libpcap (bpf_int32), and so are here.
    const tsSec = v.getInt32(p, le);
    const tsFrac = v.getInt32(p + 4, le);
    let caplen = v.getUint32(p + 8, le);
    let wirelen = v.getUint32(p + 12, le);
    if (this.swap !== LengthSwap.None && (this.swap === LengthSwap.Always || caplen > wirelen)) {
      const t = caplen;
      caplen = wirelen;
      wirelen = t;
    }
    if (caplen > this.maxCaplen) {
      // libpcap names the snapshot length when the record exceeds it too, else the maximum.
      const limit = caplen > this.snapshot ? `snaplen of ${this.snapshot}` : `maximum of ${this.maxCaplen}`;
      return this.finish(captureError('CAPTURE_BAD_LENGTH', `invalid packet capture length ${caplen}, bigger than ${limit}`, at));
    }
    let keep = caplen;
    if (caplen > this.snapshot) keep = this.snapshot;
    // Header and bytes in the buffer together (a refill keeps the header in front of the bytes).
    if (!src.ensure(hdrLen + keep)) {
      const got = src.available - hdrLen;
      src.pos = src.end;
      return this.finish(captureError('CAPTURE_TRUNCATED', `truncated dump file; tried to read ${caplen} captured bytes, only got ${got}`, at));
    }
    src.pos += hdrLen;
    const rec = this.rec;
    if (keep < caplen) {
      // Over-long record (rare): keep the first `keep` bytes in a scratch buffer, then read and
      // discard the rest, as libpcap does; the discarding may refill the block buffer.
      if (this.scratch.length < keep) this.scratch = new Uint8Array(Math.max(keep, this.scratch.length * 2));
      this.scratch.set(src.buf.subarray(src.pos, src.pos + keep));
      src.pos += keep;
      rec.buf = this.scratch;
      rec.dataOffset = 0;
      const skipped = src.skip(caplen - keep);
      if (skipped < caplen - keep) {
        return this.finish(
          captureError('CAPTURE_TRUNCATED', `truncated dump file; tried to read ${caplen} captured bytes, only got ${keep + skipped}`, at),
        );
      }
    } else {
      rec.buf = src.buf;
      rec.dataOffset = src.pos;
      src.pos += keep;
    }
    rec.caplen = keep;
    rec.wirelen = wirelen;
    rec.tsSec = tsSec;
    rec.tsNsec = this.nano ? tsFrac : tsFrac * 1000;
    rec.offset = at;
    return rec;
  }

  /**
   * Fills `block` with consecutive records that all lie in the current block buffer (see
   * ../batch.ts), parsed in place while header and bytes are already buffered and need no cut to
   * the snapshot (nor are refused as too long). When not even the first record is like that, it
   * goes through `next()` (which refills the buffer, cuts, or reports the error) and the rest of
   * the block follows in place. Anything else ends the block and is left for the next call, so
   * errors and every intact record come out exactly as with `next()`. Returns the count (0: end,
   * see `error`).
   *
   * The in-place loop is its own small method: V8 optimizes it soon after the first blocks,
   * while `next()` with its refills and error paths stays out of it.
   */
  nextBlock(block: RecordBlock): number {
    block.count = 0;
    block.rawRecords = false;
    block.scratch = this.src.ownsBuffer;
    if (this.done) return 0;
    const src = this.src;
    block.buf = src.buf;
    let n = this.parseInPlace(block, 0);
    if (n === 0) {
      if (this.next() === null) return 0;
      const rec = this.rec;
      block.buf = rec.buf;
      block.offsets[0] = rec.dataOffset;
      block.caplens[0] = rec.caplen;
      block.wirelens[0] = rec.wirelen;
      block.tsSec[0] = rec.tsSec;
      block.tsNsec[0] = rec.tsNsec;
      block.recOffsets[0] = rec.offset;
      block.linkTypes[0] = rec.linkType;
      block.interfaceIds[0] = 0;
      // An over-long record lives in the scratch buffer: it is a block on its own.
      if (rec.buf !== src.buf) {
        block.count = 1;
        return 1;
      }
      n = this.parseInPlace(block, 1);
    }
    block.count = n;
    // Every record lies in the buffer as read (a first record from next() too, unless a refill
    // separated its header from its bytes), so with this file's layout the block is the pcap form
    // a writer makes.
    block.rawRecords = this.rawLayout && block.recOffsets[0] === src.base + block.offsets[0]! - this.hdrLen;
    return n;
  }

  /** Parses records whole in src.buf into block[n..]; returns the new count (see nextBlock). */
  private parseInPlace(block: RecordBlock, n: number): number {
    const src = this.src;
    const v = src.view;
    const le = this.le;
    const hdrLen = this.hdrLen;
    const swap = this.swap;
    // Records above either limit are cut or refused by next().
    const limit = Math.min(this.snapshot, this.maxCaplen);
    const nano = this.nano;
    const linkType = this.rec.linkType;
    const cap = block.capacity;
    const base = src.base;
    const end = src.end;
    const { tsSec, tsNsec, recOffsets, offsets, caplens, wirelens, linkTypes, interfaceIds } = block;
    let p = src.pos;
    while (n < cap && end - p >= hdrLen) {
      let caplen = v.getUint32(p + 8, le);
      let wirelen = v.getUint32(p + 12, le);
      if (swap !== LengthSwap.None && (swap === LengthSwap.Always || caplen > wirelen)) {
        const t = caplen;
        caplen = wirelen;
        wirelen = t;
      }
      // Errors and over-long records: left to next().
      if (caplen > limit || end - p - hdrLen < caplen) break;
      const tsFrac = v.getInt32(p + 4, le);
      tsSec[n] = v.getInt32(p, le);
      tsNsec[n] = nano ? tsFrac : tsFrac * 1000;
      recOffsets[n] = base + p;
      offsets[n] = p + hdrLen;
      caplens[n] = caplen;
      wirelens[n] = wirelen;
      linkTypes[n] = linkType;
      interfaceIds[n] = 0;
      p += hdrLen + caplen;
      n++;
    }
    src.pos = p;
    return n;
  }

  private finish(err: UserError | null): null {
    this.done = true;
    this.error = err;
    return null;
  }

  close(): void {
    this.done = true;
    this.src.close();
  }
}
