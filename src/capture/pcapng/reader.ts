/**
 * pcapng reader: Section Header Blocks in either byte order (several sections per file),
 * Interface Description Blocks (link type, snaplen, if_tsresol, if_tsoffset per interface),
 * Enhanced, Simple and obsolete Packet Blocks; every other block type is skipped.
 *
 * Semantics follow libpcap 1.10.3's sf-pcapng.c where tcpdump's behaviour depends on them: the
 * same checks and messages for bad blocks (length < 12, not a multiple of 4, header/trailer
 * length mismatch, truncation, unsupported version), the snapshot length of the first interface
 * (0 means the link type's maximum; larger values are kept), packets longer than it refused,
 * and timestamps converted from the interface's resolution with its offset added. With
 * `libpcapCompat` (what tcpdump does, and what rewriting to pcap needs) an interface whose link
 * type differs from the first one's is an error, and so is a section in another byte order, as
 * in libpcap 1.10.3; otherwise each record carries its own interface's link type and sections
 * may switch byte order.
 *
 * Technique: each block is made fully available in the ByteSource buffer and parsed in place
 * with a DataView; interface descriptions are small objects created once per IDB, so the
 * per-packet path allocates nothing. Timestamps of decimal resolutions (µs, ns, ...) are divided
 * exactly with doubles (long division in 16-bit digits); only binary resolutions and absurd
 * values take a BigInt path.
 */
import type { UserError } from '../../errors.ts';
import type { ByteSource } from '../byte-source.ts';
import { linkTypeToDlt, maxSnaplenForDlt } from '../link-types.ts';
import { captureError } from '../pcap/reader.ts';
import { MutableRecord } from '../record.ts';
import type { CaptureInfo, CaptureReader, PacketRecord } from '../types.ts';

export const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_IDB = 1;
const PCAPNG_OPB = 2;
const PCAPNG_SPB = 3;
const PCAPNG_EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Largest block accepted (libpcap's initial limit; a packet block of a 262144 snaplen fits). */
const MAX_BLOCK = 16 * 1024 * 1024;
/** The first SHB may be at most this long. */
const MAX_SHB = 1024 * 1024;

export interface PcapngInterface {
  linkType: number;
  dlt: number;
  snaplen: number;
  /** Ticks per second is base ** exp (base 10 or 2). */
  tsBase: number;
  tsExp: number;
  /** Seconds added to every timestamp (if_tsoffset), as a double and exactly. */
  tsOffset: number;
  tsOffsetBig: bigint;
}

export interface PcapngInfo extends CaptureInfo {
  format: 'pcapng';
  /** DLT_* of the first interface. */
  dlt: number;
  /** Interfaces of the current section (grows as IDBs are read). */
  interfaces: PcapngInterface[];
  /** Section version of the first SHB. */
  versionMajor: number;
  versionMinor: number;
}

export interface PcapngOptions {
  /**
   * Mirror libpcap 1.10.3 where it is stricter than the pcapng spec: every interface must have
   * the first one's link type, and a later section cannot change the byte order (1.10.3 reads
   * its header in the old order and fails on the length). What tcpdump does, and what
   * rewriting to one pcap file needs.
   */
  libpcapCompat?: boolean;
}

export class PcapngReader implements CaptureReader {
  readonly info: PcapngInfo;
  error: UserError | null = null;
  private readonly src: ByteSource;
  private le = true;
  private readonly rec = new MutableRecord();
  private done = false;
  private readonly snapshot: number;
  private readonly compat: boolean;

  /** Reads the first SHB and the blocks up to the first IDB. `src` is at the SHB. */
  constructor(src: ByteSource, opts: PcapngOptions = {}) {
    this.src = src;
    this.compat = opts.libpcapCompat ?? false;
    const start = src.offset;
    // Without a complete byte-order magic this is not recognisably pcapng.
    if (!src.ensure(12)) throw captureError('CAPTURE_BAD_MAGIC', 'unknown file format', start);
    const { major, minor } = this.readShb(true);
    this.info = {
      format: 'pcapng',
      linkType: 0,
      snaplen: 0,
      precision: 'nano',
      rawLinkTypeField: 0,
      bigEndian: !this.le,
      versionMajor: major,
      versionMinor: minor,
      dlt: 0,
      interfaces: [],
    };
    // libpcap needs an IDB before any packet to know the link type and snapshot length.
    for (;;) {
      const at = src.offset;
      const type = this.readBlock();
      if (type === null) {
        throw this.error ?? captureError('CAPTURE_NO_IDB', 'the capture file has no Interface Description Blocks', at);
      }
      if (type === PCAPNG_IDB) {
        const idb = this.parseIdb(at);
        if (!idb) throw this.error!;
        this.info.linkType = idb.linkType;
        this.info.rawLinkTypeField = idb.linkType;
        this.info.dlt = idb.dlt;
        break;
      }
      if (type === PCAPNG_EPB || type === PCAPNG_SPB || type === PCAPNG_OPB) {
        throw captureError('CAPTURE_NO_IDB', 'the capture file has a packet block before any Interface Description Blocks', at);
      }
      if (type === PCAPNG_SHB) this.info.interfaces.length = 0;
    }
    const first = this.info.interfaces[0]!;
    this.snapshot = first.snaplen;
    this.info.snaplen = first.snaplen;
  }

  // The block being parsed occupies [bStart, bStart + bLen) of src.buf once readBlock returns.
  private bStart = 0;
  private bLen = 0;

  /**
   * Parses an SHB at the read position (byte order from its byte-order magic) and consumes it;
   * throws a UserError when it is invalid (readBlock turns that into `error` mid-file).
   */
  private readShb(first: boolean): { major: number; minor: number } {
    const src = this.src;
    const at = src.offset;
    const v = src.view;
    const p = src.pos;
    const bom = v.getUint32(p + 8, true);
    if (bom === BYTE_ORDER_MAGIC) this.le = true;
    else if (bom === 0x4d3c2b1a) this.le = false;
    else throw captureError('CAPTURE_BAD_MAGIC', first ? 'unknown file format' : 'the file has a section with an unknown byte-order magic', at);
    const le = this.le;
    const len = v.getUint32(p + 4, le);
    if (len < 28) throw captureError('CAPTURE_CORRUPT', `block in pcapng dump file has a length of ${len} < 28`, at);
    if (len > (first ? MAX_SHB : MAX_BLOCK)) throw captureError('CAPTURE_CORRUPT', `pcapng block size ${len} > maximum ${first ? MAX_SHB : MAX_BLOCK}`, at);
    if (!src.ensure(len)) {
      // libpcap counts the rest of the block after the 12 bytes it has already consumed.
      throw captureError('CAPTURE_TRUNCATED', `truncated pcapng dump file; tried to read ${len - 12} bytes, only got ${src.available - 12}`, at);
    }
    const major = src.view.getUint16(src.pos + 12, le);
    const minor = src.view.getUint16(src.pos + 14, le);
    if (!(major === 1 && (minor === 0 || minor === 2))) {
      throw captureError('CAPTURE_BAD_VERSION', `unsupported pcapng savefile version ${major}.${minor}`, at);
    }
    // libpcap 1.10.3 reads the first SHB without looking at its trailing length (tcpdump reads
    // every packet of such a file); a later SHB goes through the generic block check.
    if (!first && src.view.getUint32(src.pos + len - 4, le) !== len) {
      throw captureError('CAPTURE_CORRUPT', "block total length in header and trailer don't match", at);
    }
    src.pos += len;
    return { major, minor };
  }

  /**
   * Reads the next whole block into the buffer and returns its type, or null at the end of the
   * input (clean) or on an error (then `this.error` is set). SHBs are consumed here.
   */
  private readBlock(): number | null {
    const src = this.src;
    const at = src.offset;
    if (!src.ensure(8)) {
      if (src.available === 0) return null;
      this.error = captureError('CAPTURE_TRUNCATED', `truncated pcapng dump file; tried to read 8 bytes, only got ${src.available}`, at);
      return null;
    }
    const type = src.view.getUint32(src.pos, this.le);
    if (type === PCAPNG_SHB && this.compat) {
      // libpcap 1.10.3 checks a later SHB's length in the current byte order first.
      const len = src.view.getUint32(src.pos + 4, this.le);
      if (len > MAX_BLOCK) {
        this.error = captureError('CAPTURE_CORRUPT', `pcapng block size ${len} > maximum ${MAX_BLOCK}`, at);
        return null;
      }
      if (src.ensure(12) && src.view.getUint32(src.pos + 8, this.le) !== BYTE_ORDER_MAGIC) {
        this.error = captureError('CAPTURE_CORRUPT', 'the file has sections with different byte orders', at);
        return null;
      }
    }
    if (type === PCAPNG_SHB) {
      try {
        if (!src.ensure(12)) {
          throw captureError('CAPTURE_TRUNCATED', `truncated pcapng dump file; tried to read 12 bytes, only got ${src.available}`, at);
        }
        this.readShb(false);
      } catch (e) {
        this.error = e as UserError;
        return null;
      }
      return PCAPNG_SHB;
    }
    const len = src.view.getUint32(src.pos + 4, this.le);
    if (len < 12) {
      this.error = captureError('CAPTURE_CORRUPT', `block in pcapng dump file has a length of ${len} < 12`, at);
      return null;
    }
    if (len % 4 !== 0) {
      this.error = captureError('CAPTURE_CORRUPT', `block in pcapng dump file has a length of ${len} that is not a multiple of 4`, at);
      return null;
    }
    if (len > MAX_BLOCK) {
      this.error = captureError('CAPTURE_CORRUPT', `pcapng block size ${len} > maximum ${MAX_BLOCK}`, at);
      return null;
    }
    if (!src.ensure(len)) {
      this.error = captureError('CAPTURE_TRUNCATED', `truncated pcapng dump file; tried to read ${len - 8} bytes, only got ${src.available - 8}`, at);
      return null;
    }
    if (src.view.getUint32(src.pos + len - 4, this.le) !== len) {
      this.error = captureError('CAPTURE_CORRUPT', "block total length in header and trailer don't match", at);
      return null;
    }
    this.bStart = src.pos;
    this.bLen = len;
    src.pos += len;
    return type;
  }

  /** Parses the IDB just read; adds it to the interface list. Null (error set) when invalid. */
  private parseIdb(at: number): PcapngInterface | null {
    const v = this.src.view;
    const le = this.le;
    const b = this.bStart;
    const bodyEnd = b + this.bLen - 4;
    if (b + 16 > bodyEnd) {
      this.error = captureError('CAPTURE_CORRUPT', 'block of type 1 in pcapng dump file is too short', at);
      return null;
    }
    const linkType = v.getUint16(b + 8, le);
    const rawSnaplen = v.getUint32(b + 12, le);
    // libpcap 1.10.3 checks a later interface's link type, then its snapshot length (0 or more
    // than INT_MAX adjusted to the link type's maximum), against the first's before its options.
    if (this.compat && this.firstLinkType !== -1) {
      if (this.firstLinkType !== linkType) {
        this.error = captureError('CAPTURE_LINKTYPE', `an interface has a type ${linkType} different from the type of the first interface`, at);
        return null;
      }
      const adjusted = (rawSnaplen | 0) <= 0 ? maxSnaplenForDlt(linkTypeToDlt(linkType)) : rawSnaplen;
      if (adjusted !== this.snapshot) {
        this.error = captureError('CAPTURE_CORRUPT', `an interface has a snapshot length ${rawSnaplen} different from the snapshot length of the first interface`, at);
        return null;
      }
    }
    let tsBase = 10;
    let tsExp = 6;
    let tsOffset = 0n;
    // Options: code (2), length (2), value padded to 4 bytes; code 0 ends the list.
    let o = b + 16;
    while (o + 4 <= bodyEnd) {
      const code = v.getUint16(o, le);
      const olen = v.getUint16(o + 2, le);
      if (code === 0) break;
      const padded = (olen + 3) & ~3;
      if (o + 4 + padded > bodyEnd) {
        this.error = captureError('CAPTURE_CORRUPT', `Interface Description Block option ${code} with length ${olen} runs past the end of the block`, at);
        return null;
      }
      if (code === 9) {
        // if_tsresol: bit 7 set = negative power of 2, else negative power of 10.
        if (olen !== 1) {
          this.error = captureError('CAPTURE_CORRUPT', `Interface Description Block if_tsresol option has length ${olen} != 1`, at);
          return null;
        }
        const r = this.src.buf[o + 4]!;
        if (r & 0x80) {
          tsBase = 2;
          tsExp = r & 0x7f;
          if (tsExp > 63) {
            this.error = captureError('CAPTURE_CORRUPT', `Interface Description Block if_tsresol option resolution 2^-${tsExp} is too high`, at);
            return null;
          }
        } else {
          tsBase = 10;
          tsExp = r;
          if (tsExp > 19) {
            this.error = captureError('CAPTURE_CORRUPT', `Interface Description Block if_tsresol option resolution 10^-${tsExp} is too high`, at);
            return null;
          }
        }
      } else if (code === 14) {
        // if_tsoffset: signed 64-bit seconds.
        if (olen !== 8) {
          this.error = captureError('CAPTURE_CORRUPT', `Interface Description Block if_tsoffset option has length ${olen} != 8`, at);
          return null;
        }
        tsOffset = v.getBigInt64(o + 4, le);
      }
      o += 4 + padded;
    }
    const dlt = linkTypeToDlt(linkType);
    const max = maxSnaplenForDlt(dlt);
    // As for pcap, libpcap 1.10.3 keeps large values and replaces only 0 (or negative as a C int).
    const snaplen = (rawSnaplen | 0) <= 0 ? max : rawSnaplen;
    const ifaces = this.info.interfaces;
    if (this.firstLinkType === -1) this.firstLinkType = linkType;
    const idb: PcapngInterface = { linkType, dlt, snaplen, tsBase, tsExp, tsOffset: Number(tsOffset), tsOffsetBig: tsOffset };
    ifaces.push(idb);
    return idb;
  }

  private firstLinkType = -1;

  next(): PacketRecord | null {
    if (this.done) return null;
    const src = this.src;
    for (;;) {
      const at = src.offset;
      const type = this.readBlock();
      if (type === null) return this.finish();
      if (type === PCAPNG_EPB || type === PCAPNG_OPB) {
        const v = src.view;
        const le = this.le;
        const b = this.bStart;
        const bodyEnd = b + this.bLen - 4;
        if (b + 28 > bodyEnd) {
          this.error = captureError('CAPTURE_CORRUPT', `block of type ${type} in pcapng dump file is too short`, at);
          return this.finish();
        }
        const ifId = type === PCAPNG_EPB ? v.getUint32(b + 8, le) : v.getUint16(b + 8, le);
        const hi = v.getUint32(b + 12, le);
        const lo = v.getUint32(b + 16, le);
        const caplen = v.getUint32(b + 20, le);
        const wirelen = v.getUint32(b + 24, le);
        const iface = this.info.interfaces[ifId];
        if (iface === undefined) {
          this.error = captureError('CAPTURE_CORRUPT', `a packet arrived on interface ${ifId}, but there's no Interface Description Block for that interface`, at);
          return this.finish();
        }
        if (caplen > this.snapshot) {
          // libpcap 1.10.3 refuses (rather than cuts) a pcapng record above the snapshot length.
          this.error = captureError('CAPTURE_BAD_LENGTH', `invalid packet capture length ${caplen}, bigger than snaplen of ${this.snapshot}`, at);
          return this.finish();
        }
        if (b + 28 + caplen > bodyEnd) {
          this.error = captureError('CAPTURE_CORRUPT', `block of type ${type} in pcapng dump file is too short`, at);
          return this.finish();
        }
        return this.fill(b + 28, caplen, wirelen, ifId, iface, hi, lo, at);
      }
      if (type === PCAPNG_SPB) {
        const b = this.bStart;
        const bodyEnd = b + this.bLen - 4;
        if (b + 12 > bodyEnd) {
          this.error = captureError('CAPTURE_CORRUPT', 'block of type 3 in pcapng dump file is too short', at);
          return this.finish();
        }
        const iface = this.info.interfaces[0];
        if (iface === undefined) {
          this.error = captureError('CAPTURE_CORRUPT', "a packet arrived on interface 0, but there's no Interface Description Block for that interface", at);
          return this.finish();
        }
        // An SPB has no caplen: libpcap takes the original length cut to the snapshot length
        // and requires that many bytes in the block.
        const wirelen = src.view.getUint32(b + 8, this.le);
        const caplen = wirelen > this.snapshot ? this.snapshot : wirelen;
        if (b + 12 + caplen > bodyEnd) {
          this.error = captureError('CAPTURE_CORRUPT', 'block of type 3 in pcapng dump file is too short', at);
          return this.finish();
        }
        const rec = this.fill(b + 12, caplen, wirelen, 0, iface, 0, 0, at);
        // Simple Packet Blocks carry no timestamp.
        rec.tsSec = 0;
        rec.tsNsec = 0;
        return rec;
      }
      if (type === PCAPNG_IDB) {
        if (!this.parseIdb(at)) return this.finish();
        continue;
      }
      if (type === PCAPNG_SHB) {
        // A new section: its interfaces are numbered from 0 again.
        this.info.interfaces = [];
        continue;
      }
      // Any other block (statistics, name resolution, custom, ...) is skipped.
    }
  }

  /** Points the record at the packet and converts the timestamp. */
  private fill(dataAt: number, caplen: number, wirelen: number, ifId: number, iface: PcapngInterface, hi: number, lo: number, at: number): MutableRecord {
    const rec = this.rec;
    rec.buf = this.src.buf;
    rec.dataOffset = dataAt;
    rec.caplen = caplen;
    rec.wirelen = wirelen;
    rec.interfaceId = ifId;
    rec.linkType = iface.linkType;
    rec.offset = at;
    const e = iface.tsExp;
    if (iface.tsBase === 10 && e <= 11) {
      // ticks = hi·2^32 + lo divided by D = 10^e as long division in 16-bit digits, so every
      // intermediate stays below 2^53 (D < 2^37): exact, and no BigInt on the hot path.
      const d = DEC[e]!;
      const q1 = Math.floor(hi / d);
      if (q1 < 0x200000) {
        let r = hi - q1 * d;
        let t = r * 65536 + (lo >>> 16);
        const q2 = Math.floor(t / d);
        r = t - q2 * d;
        t = r * 65536 + (lo & 0xffff);
        const q3 = Math.floor(t / d);
        const frac = t - q3 * d;
        const s = q1 * 4294967296 + q2 * 65536 + q3;
        rec.tsNsec = e <= 9 ? frac * DEC[9 - e]! : Math.floor(frac / DEC[e - 9]!);
        // Exact unless the sum leaves the safe integers (an if_tsoffset near ±2^62): then BigInt.
        const sec = s + iface.tsOffset;
        if (sec <= Number.MAX_SAFE_INTEGER && sec >= -Number.MAX_SAFE_INTEGER && Number.isSafeInteger(iface.tsOffset)) {
          rec.tsSec = sec;
          rec.tsSecBig = undefined;
        } else {
          // libpcap adds in 64 bits: a sum past 2^63 wraps
          const big = BigInt.asIntN(64, BigInt(s) + iface.tsOffsetBig);
          rec.tsSec = Number(big);
          rec.tsSecBig = big;
        }
        return rec;
      }
    }
    // Binary resolutions, resolutions finer than 10^-11 s and absurd tick counts.
    const ticks = (BigInt(hi) << 32n) | BigInt(lo);
    const unit = BigInt(iface.tsBase) ** BigInt(e);
    const sec = BigInt.asIntN(64, ticks / unit + iface.tsOffsetBig);
    rec.tsSec = Number(sec);
    rec.tsSecBig = Number.isSafeInteger(rec.tsSec) ? undefined : sec;
    rec.tsNsec = Number(((ticks % unit) * 1_000_000_000n) / unit);
    return rec;
  }

  private finish(): null {
    this.done = true;
    return null;
  }

  close(): void {
    this.done = true;
    this.src.close();
  }
}

const DEC: number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);
