/**
 * Linux vsock monitor captures (LINKTYPE_VSOCK, 271, what `vsockmon` devices give) as tcpdump
 * 4.99.3 prints them: `VIRTIO 3.1024 > 2.1234 CONNECT, length 76`, and with -v first the virtio
 * transport header (`VIRTIO (len 0, type STREAM, op REQUEST, flags 0, buf_alloc 262144, fwd_cnt
 * 0)`) with the addresses on the next line.
 *
 * Technique: a 32-byte little-endian monitor header (source and destination CID and port, the
 * monitor's operation, the transport, the transport header's length), then for the virtio
 * transport its 44-byte header. A context ID is 64 bits wide; BigInt prints it.
 */
import { hexDump } from '../hexdump.ts';
import { le16, le32, type L2Options, type L2Result } from './l2.ts';

const TRANSPORTS: readonly string[] = ['UNKNOWN', 'NO_INFO', 'VIRTIO'];
const MON_OPS: readonly string[] = ['UNKNOWN', 'CONNECT', 'DISCONNECT', 'CONTROL', 'PAYLOAD'];
const VIRTIO_TYPES: ReadonlyMap<number, string> = new Map([[1, 'STREAM']]);
const VIRTIO_OPS: readonly string[] = ['INVALID', 'REQUEST', 'RESPONSE', 'RST', 'SHUTDOWN', 'RW', 'CREDIT UPDATE', 'CREDIT REQUEST'];

function cid(p: Uint8Array, off: number): string {
  return (BigInt(le32(p, off)) | (BigInt(le32(p, off + 4)) << 32n)).toString();
}

export function vsock(p: Uint8Array, caplen: number, length: number, o: L2Options): L2Result {
  if (caplen < 32) return { text: '[|vsock]', approx: true, hdrlen: caplen };
  const op = le16(p, 24);
  const transport = le16(p, 26);
  const tname = TRANSPORTS[transport];
  const opName = MON_OPS[op];
  if (tname === undefined || opName === undefined) return { text: `vsock, length ${length}`, approx: true, hdrlen: 32 };
  const addrs = `${cid(p, 0)}.${le32(p, 16)} > ${cid(p, 8)}.${le32(p, 20)} ${opName}, length ${length}`;
  if (o.verbose === 0) return { text: `${tname} ${addrs}`, hdrlen: 32 };
  // -v: the virtio header, then the addresses on their own line. (Other transports are not
  // reproduced.)
  if (transport !== 2 || caplen < 76) return { text: `${tname} ${addrs}`, approx: true, hdrlen: 32 };
  const h = 32;
  const type = VIRTIO_TYPES.get(le16(p, h + 28));
  const vop = VIRTIO_OPS[le16(p, h + 30)];
  const exact = type !== undefined && vop !== undefined && o.verbose <= 2;
  // -vv shows the payload bytes.
  const dump = o.verbose > 1 && caplen > 76 ? hexDump(p, 76, caplen) : '';
  return {
    text: `VIRTIO (len ${le32(p, h + 24)}, type ${type ?? le16(p, h + 28)}, op ${vop ?? le16(p, h + 30)}, flags ${le32(p, h + 32).toString(16)}, buf_alloc ${le32(p, h + 36)}, fwd_cnt ${le32(p, h + 40)})\n\t${addrs}${dump}`,
    approx: !exact,
    hdrlen: 32,
  };
}
