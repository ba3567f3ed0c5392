/**
 * DECnet Phase IV (ethertype 0x6003) in tcpdump 4.99.3's form: routing-layer control messages
 * (endnode hellos) and data packets with the short routing header (`1.1 > 1.1 15 data-ack
 * 8196>8195 ack 1 oack 1 `), whose NSP message is decoded for the connect, data, link-service
 * and acknowledgement messages (with -v the hop count too). Anything else (long routing
 * headers, router hellos, the data -vv dumps) is marked approximate.
 *
 * Technique: all DECnet fields are little-endian. A node address is 16 bits: the area in the top
 * 6 bits, the node in the low 10 ("1.1"). NSP acknowledgement words carry flag bits (0x8000 an
 * ack number is present, 0x1000 it is a negative ack, 0x2000 it acknowledges the other
 * subchannel) above a 12-bit number; a data message's first word is either such an ack or, when
 * that flag is clear, already the segment number.
 */
import { le16, type L2Options, type L2Result } from './l2.ts';

function node(a: number): string {
  return `${a >> 10}.${a & 0x3ff}`;
}

const VERSIONS: readonly string[] = ['ver 3.2 ', 'ver 3.1 ', 'ver 4.0 ', 'ver 4.1 '];

/** DECnet at `off` (after the ethertype), `len` bytes on the wire, captured up to `end`. */
export function decnet(p: Uint8Array, off: number, len: number, end: number, o: L2Options): L2Result {
  if (end < off + 3 || len < 3) return { text: '[|decnet]', approx: true };
  const pktlen = le16(p, off);
  const flags = p[off + 2]!;
  // Padding, long headers, -v (hop counts, data): not reproduced.
  if (flags & 0x80 || pktlen + 2 > len) return { text: `DECnet, length ${pktlen}`, approx: true };
  const m = off + 2;
  if (flags & 1) {
    // Control messages: the endnode hello.
    if (((flags >> 1) & 7) !== 6 || end < m + 34 || pktlen < 34) return { text: `DECnet control, length ${pktlen}`, approx: true };
    const iinfo = p[m + 10]!;
    if ((iinfo & 3) !== 3) return { text: 'endnode-hello', approx: true };
    return {
      text: `endnode-hello endnode vers ${p[m + 1]} eco ${p[m + 2]} ueco ${p[m + 3]} src ${node(le16(p, m + 8))} blksize ${le16(p, m + 11)} rtr ${node(le16(p, m + 26))} hello ${le16(p, m + 28)} data ${p[m + 31]}`,
    };
  }
  if ((flags & 7) !== 2 || end < m + 6 || pktlen < 6) return { text: `DECnet, length ${pktlen}`, approx: true };
  let s = `${node(le16(p, m + 3))} > ${node(le16(p, m + 1))} ${pktlen} `;
  // -v: the visit count (hops so far, plus this one).
  if (o.verbose > 0) s += `${(p[m + 5]! & 0x3f) + 1} hops `;
  const n = m + 6;
  const nsplen = pktlen - 6;
  if (nsplen < 5) return { text: `${s} (nsplen ${nsplen} < 5) (invalid)` };
  if (end < n + 5) return { text: `${s}[|decnet]`, approx: true };
  const mf = p[n]!;
  const ports = `${le16(p, n + 3)}>${le16(p, n + 1)} `;
  const stop = Math.min(end, n + nsplen);
  let approx = false;
  let at = n + 5;
  /** An optional acknowledgement word: printed when its ack flag is set. */
  const ack = (names: [string, string], other: boolean): boolean => {
    if (at + 2 > stop) return false;
    const w = le16(p, at);
    if (!(w & 0x8000)) return false;
    if (other && !(w & 0x2000)) return false;
    if (!other && w & 0x2000) approx = true;
    s += `${w & 0x1000 ? names[1] : names[0]} ${w & 0xfff} `;
    at += 2;
    return true;
  };
  switch (mf) {
    case 0x00:
    case 0x20:
    case 0x40:
    case 0x60:
    case 0x10: {
      const ils = mf === 0x10;
      s += (ils ? 'link-service ' : 'data ') + ports;
      if (ack(['ack', 'nak'], false)) ack(ils ? ['ackdat', 'nakdat'] : ['oack', 'onak'], true);
      if (at + 2 > stop) return { text: `${s}[|decnet]`, approx: true };
      s += `seg ${le16(p, at) & 0xfff} `;
      at += 2;
      if (ils) {
        if (at + 2 > stop) return { text: `${s}[|decnet]`, approx: true };
        const lsflags = p[at]!;
        if (lsflags !== 0) approx = true;
        const fc = p[at + 1]!;
        s += `dat seg count ${fc >= 128 ? fc - 256 : fc} `;
      }
      return { text: s, approx };
    }
    case 0x04:
    case 0x14:
      s += (mf === 0x04 ? 'data-ack ' : 'ils-ack ') + ports;
      if (ack(['ack', 'nak'], false)) ack(mf === 0x04 ? ['oack', 'onak'] : ['ackdat', 'nakdat'], true);
      return { text: s, approx };
    case 0x18:
    case 0x28: {
      s += (mf === 0x18 ? 'conn-initiate ' : 'conn-confirm ') + ports;
      if (n + 9 > stop) return { text: `${s}[|decnet]`, approx: true };
      if (p[n + 5]! & 0x0c) approx = true;
      s += `${VERSIONS[p[n + 6]! & 3]}segsize ${le16(p, n + 7)} `;
      return { text: s, approx };
    }
    default:
      return { text: `${s}NSP 0x${mf.toString(16)}`, approx: true };
  }
}
