/**
 * `openCapture(path | '-', opts)`: opens a capture file (or stdin) and returns a pull-based
 * CaptureReader, choosing the pcap or pcapng reader from the first four bytes (the magic), or
 * the npm `pcap-parser` adapter when asked (`reader: 'pcap-parser'`).
 *
 * Errors that stop the file from being opened at all (missing file, empty or unknown format,
 * unsupported version, corrupt first section) are thrown as one-line UserErrors; errors later in
 * the file end the stream and are left in `reader.error` after every intact packet.
 */
import { UserError } from '../errors.ts';
import { ByteSource } from './byte-source.ts';
import { PcapParserReader } from './pcap-parser-reader.ts';
import { PCAP_MAGIC_KUZNETZOV, PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, PcapReader, captureError } from './pcap/reader.ts';
import { PCAPNG_SHB, PcapngReader } from './pcapng/reader.ts';
import type { CaptureReader } from './types.ts';

export type ReaderKind = 'tsdump' | 'pcap-parser';

export interface OpenCaptureOptions {
  /** Which implementation reads the file; default 'tsdump' (the block reader). */
  reader?: ReaderKind;
  /** Read buffer size in bytes (default 256 KiB: see ByteSource). */
  blockSize?: number;
  /** pcapng: be as strict as libpcap 1.10.3 (one link type, one byte order); see PcapngOptions. */
  libpcapCompat?: boolean;
}

const PCAP_MAGICS = [PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, PCAP_MAGIC_KUZNETZOV];

/** Opens `path` ('-' = standard input). */
export function openCapture(path: string, opts: OpenCaptureOptions = {}): CaptureReader {
  const kind = opts.reader ?? 'tsdump';
  if (kind !== 'tsdump' && kind !== 'pcap-parser') {
    throw new UserError('CAPTURE_READER', `unknown reader '${kind as string}' (expected tsdump or pcap-parser)`);
  }
  const src = ByteSource.open(path, opts.blockSize);
  try {
    return kind === 'pcap-parser' ? new PcapParserReader(src) : openSource(src, opts);
  } catch (e) {
    src.close();
    throw e;
  }
}

/** Opens a capture held in memory (tests, tools). */
export function openCaptureBytes(bytes: Uint8Array, opts: OpenCaptureOptions = {}): CaptureReader {
  return openSource(ByteSource.fromBytes(bytes), opts);
}

/** Detects the format from the magic at the source's read position and builds the reader. */
function openSource(src: ByteSource, opts: OpenCaptureOptions = {}): CaptureReader {
  if (!src.ensure(4)) {
    throw captureError('CAPTURE_TRUNCATED', `truncated dump file; tried to read 4 file header bytes, only got ${src.available}`, src.offset);
  }
  const be = src.view.getUint32(src.pos, false);
  const le = src.view.getUint32(src.pos, true);
  if (PCAP_MAGICS.includes(be) || PCAP_MAGICS.includes(le)) return new PcapReader(src);
  if (be === PCAPNG_SHB) return new PcapngReader(src, { libpcapCompat: opts.libpcapCompat });
  throw captureError('CAPTURE_BAD_MAGIC', 'unknown file format', src.offset);
}
