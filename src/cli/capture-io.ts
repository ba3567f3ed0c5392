/**
 * Capture input and output for the command line: `-r FILE|-` readers, `-w FILE|-` writers and
 * the link-type names of the "reading from file" banner and `-y`.
 *
 * Readers and the link-type table come from src/capture (block-based pcap + pcapng readers, and
 * the `pcap-parser` adapter behind `--reader pcap-parser`). The writers are looked up there too
 * (`createWriter`); while src/capture does not export them yet, a small classic-pcap writer kept
 * here does the job (µs or ns magic, 16-byte record headers, 64 KiB output blocks).
 */
import { openSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { openCapture, describeDlt, linkTypeByName, linkTypeToDlt } from '../capture/index.ts';
import type { CaptureReader, PacketRecord } from '../capture/types.ts';

/** A packet destination (`-w`). */
export interface PacketSink {
  write(rec: PacketRecord): void;
  /** Push buffered bytes to the file (for -U). */
  flush(): void;
  close(): void;
}

export interface WriterOptions {
  linkType: number;
  snaplen: number;
  precision: 'micro' | 'nano';
  pcapng: boolean;
}

// ------------------------------------------------------------------------------ link types

/** `EN10MB (Ethernet)`, or just the number for link types libpcap 1.10.3 has no name for. */
export function linkTypeLabel(linkType: number): string {
  return describeDlt(linkTypeToDlt(linkType));
}

/** `-y NAME`: a name (with or without `DLT_`/`LINKTYPE_`, any case) → LINKTYPE_* value. */
export function parseLinkTypeName(text: string): number {
  const t = linkTypeByName(text);
  if (t === undefined) throw new UserError('cli.bad-linktype', `invalid data link type ${text}`);
  return t.linkType;
}

// ------------------------------------------------------------------------------ readers

/** Opens `-r` input ('-' = stdin) with the chosen reader (`ours` is src/capture's block reader). */
export function openReader(path: string, reader: 'ours' | 'pcap-parser'): CaptureReader {
  return openCapture(path, { reader: reader === 'ours' ? 'tsdump' : 'pcap-parser' });
}

/** A variable specifier: src/capture's writers may not exist yet, so TypeScript must not resolve it. */
const CAPTURE_MODULE = '../capture/index.ts';

// ------------------------------------------------------------------------------ writers

interface RecordWriterLike {
  writePacket(p: PacketRecord): void;
  flush(): void;
  close(): void;
}
type WriterCtor = new (sink: unknown, opts: { linkType: number; snaplen: number; precision: 'micro' | 'nano'; packetBuffered?: boolean }) => RecordWriterLike;
interface CaptureWriters {
  fileSink?: (path: string) => unknown;
  PcapWriter?: WriterCtor;
  PcapngWriter?: WriterCtor;
}

/**
 * Opens `-w` output ('-' = stdout) with src/capture's writers (pcap with the input's link-type
 * field and snaplen, µs unless --time-stamp-precision nano, as tcpdump does; or pcapng), or the
 * fallback pcap writer below while those are not exported.
 */
export async function openWriter(path: string, opts: WriterOptions, packetBuffered = false): Promise<PacketSink> {
  let mod: CaptureWriters | null = null;
  try {
    mod = (await import(CAPTURE_MODULE)) as CaptureWriters;
  } catch {
    mod = null;
  }
  if (mod?.fileSink && mod.PcapWriter && mod.PcapngWriter) {
    const Ctor = opts.pcapng ? mod.PcapngWriter : mod.PcapWriter;
    const w = new Ctor(mod.fileSink(path), { linkType: opts.linkType, snaplen: opts.snaplen, precision: opts.precision, packetBuffered });
    return { write: (rec) => w.writePacket(rec), flush: () => w.flush(), close: () => w.close() };
  }
  if (opts.pcapng) {
    throw new UserError('cli.unavailable', '--pcapng needs the pcapng writer of src/capture, which is not available yet');
  }
  let fd: number;
  try {
    fd = path === '-' ? 1 : openSync(path, 'w');
  } catch (e) {
    throw new UserError('capture.open', `${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
  }
  return new FallbackPcapWriter(fd, path !== '-', opts);
}

/** Classic pcap writer: file header, then 16-byte record headers; buffered in 64 KiB blocks. */
class FallbackPcapWriter implements PacketSink {
  private readonly fd: number;
  private readonly ownsFd: boolean;
  private readonly nano: boolean;
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private used = 0;

  constructor(fd: number, ownsFd: boolean, opts: WriterOptions) {
    this.fd = fd;
    this.ownsFd = ownsFd;
    this.nano = opts.precision === 'nano';
    const v = this.view;
    v.setUint32(0, this.nano ? 0xa1b23c4d : 0xa1b2c3d4, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setUint32(8, 0, true);
    v.setUint32(12, 0, true);
    v.setUint32(16, opts.snaplen, true);
    v.setUint32(20, opts.linkType, true);
    this.used = 24;
  }

  write(rec: PacketRecord): void {
    const need = 16 + rec.caplen;
    if (this.used + need > this.buf.length) {
      this.flush();
      if (need > this.buf.length) {
        this.buf = new Uint8Array(need);
        this.view = new DataView(this.buf.buffer);
      }
    }
    const v = this.view;
    v.setUint32(this.used, rec.tsSec, true);
    v.setUint32(this.used + 4, this.nano ? rec.tsNsec : Math.floor(rec.tsNsec / 1000), true);
    v.setUint32(this.used + 8, rec.caplen, true);
    v.setUint32(this.used + 12, rec.wirelen, true);
    this.buf.set(rec.data.subarray(0, rec.caplen), this.used + 16);
    this.used += need;
  }

  flush(): void {
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.buf, off, this.used - off);
    this.used = 0;
  }

  close(): void {
    this.flush();
    if (this.ownsFd) {
      try {
        fsyncSync(this.fd);
      } catch {
        // not every file supports fsync (e.g. /dev/null); the data is written either way
      }
      closeSync(this.fd);
    }
  }
}
