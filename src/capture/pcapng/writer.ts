/**
 * pcapng writer: one Section Header Block, Interface Description Blocks, Enhanced Packet Blocks.
 *
 * Little-endian (host order), version 1.0, section length -1 (unknown), an shb_userappl option
 * naming tsdump. Interface 0 is described from the constructor options; `addInterface` adds more
 * (each packet names its interface). if_tsresol is 6 (µs) or 9 (ns) per interface.
 *
 * Technique: the 64-bit EPB timestamp (seconds × 10^res + fraction) is computed exactly with
 * doubles by splitting 10^res = 2^res × 5^res: m = sec × 5^res stays below 2^53 for 32-bit
 * seconds, and the high/low words follow from dividing m by 2^(32-res). No BigInt, no
 * allocation per packet.
 */
import type { ByteSink } from '../sink.ts';
import { RecordWriter, type WritablePacket, type WriterOptions } from '../record-writer.ts';

export interface PcapngInterfaceOptions {
  linkType: number;
  snaplen: number;
  /** Timestamp resolution written as if_tsresol (default 'micro'). */
  precision?: 'micro' | 'nano';
}

export interface PcapngWriterOptions extends WriterOptions, PcapngInterfaceOptions {
  /** Text for the shb_userappl option (default "tsdump"). */
  application?: string;
}

const enc = new TextEncoder();

export class PcapngWriter extends RecordWriter {
  private readonly resolutions: number[] = [];
  packets = 0;

  constructor(sink: ByteSink, opts: PcapngWriterOptions) {
    super(sink, opts);
    const app = enc.encode(opts.application ?? 'tsdump');
    const optLen = 4 + ((app.length + 3) & ~3) + 4; // shb_userappl + opt_endofopt
    const len = 28 + optLen;
    this.reserve(len);
    const v = this.outView;
    const a = this.at;
    v.setUint32(a, 0x0a0d0d0a, true);
    v.setUint32(a + 4, len, true);
    v.setUint32(a + 8, 0x1a2b3c4d, true);
    v.setUint16(a + 12, 1, true);
    v.setUint16(a + 14, 0, true);
    v.setInt32(a + 16, -1, true); // section length: -1 (64-bit) = not given
    v.setInt32(a + 20, -1, true);
    v.setUint16(a + 24, 4, true); // shb_userappl
    v.setUint16(a + 26, app.length, true);
    this.out.fill(0, a + 28, a + len);
    this.out.set(app, a + 28);
    v.setUint32(a + len - 4, len, true);
    this.commit();
    this.addInterface(opts);
  }

  /** Writes an IDB; returns the new interface id. */
  addInterface(opts: PcapngInterfaceOptions): number {
    const res = opts.precision === 'nano' ? 9 : 6;
    const len = 16 + 8 + 4 + 4; // fixed part, if_tsresol option (padded), opt_endofopt, trailer
    this.reserve(len);
    const v = this.outView;
    const a = this.at;
    v.setUint32(a, 1, true);
    v.setUint32(a + 4, len, true);
    v.setUint16(a + 8, opts.linkType & 0xffff, true);
    v.setUint16(a + 10, 0, true);
    v.setUint32(a + 12, opts.snaplen >>> 0, true);
    v.setUint16(a + 16, 9, true); // if_tsresol
    v.setUint16(a + 18, 1, true);
    v.setUint32(a + 20, res, true); // value byte + 3 padding bytes (little-endian → byte 0)
    v.setUint32(a + 24, 0, true); // opt_endofopt
    v.setUint32(a + 28, len, true);
    this.commit();
    this.resolutions.push(res);
    return this.resolutions.length - 1;
  }

  /** Appends an EPB for `p` on interface `ifId` (default 0). */
  writePacket(p: WritablePacket, ifId = 0): void {
    const res = this.resolutions[ifId];
    if (res === undefined) throw new RangeError(`pcapng writer: no interface ${ifId}`);
    const caplen = p.caplen;
    const padded = (caplen + 3) & ~3;
    const len = 32 + padded;
    this.reserve(len);
    const v = this.outView;
    const a = this.at;
    // ticks = sec × 10^res + frac, split as m = sec × 5^res, ticks = m × 2^res + frac.
    const sec = p.tsSecBig !== undefined ? Number(BigInt.asUintN(32, p.tsSecBig)) : p.tsSec >>> 0;
    const frac = res === 9 ? p.tsNsec : Math.floor(p.tsNsec / 1000);
    const m = sec * (res === 9 ? 1953125 : 15625);
    const lowSpan = res === 9 ? 8388608 : 67108864; // 2^(32-res)
    const mHi = Math.floor(m / lowSpan);
    const loFull = (m - mHi * lowSpan) * (res === 9 ? 512 : 64) + frac;
    const carry = Math.floor(loFull / 4294967296);
    v.setUint32(a, 6, true);
    v.setUint32(a + 4, len, true);
    v.setUint32(a + 8, ifId, true);
    v.setUint32(a + 12, mHi + carry, true);
    v.setUint32(a + 16, loFull - carry * 4294967296, true);
    v.setUint32(a + 20, caplen, true);
    v.setUint32(a + 24, p.wirelen >>> 0, true);
    this.copyPayload(p, 28, caplen);
    this.out.fill(0, a + 28 + caplen, a + 28 + padded);
    v.setUint32(a + 28 + padded, len, true);
    this.packets++;
    this.commit();
  }
}
