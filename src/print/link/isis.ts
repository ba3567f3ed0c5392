/**
 * OSI network-layer protocols behind LLC SAP 0xfe, with IS-IS in tcpdump 4.99.3's one-line
 * form: `IS-IS, L2 Lan IIH, src-id 4444.4444.4444, lan-id 4444.4444.4444.01, prio 64, length
 * 1497`, and likewise for point-to-point hellos, link-state PDUs and sequence-number PDUs. With
 * -e the NLPID is named first (`OSI NLPID IS-IS (0x83): …`). With -v/-vv IS-IS is printed by
 * ./isis-verbose.ts (every TLV). CLNP and ES-IS have their one-line forms here
 * (`CLNP, 49.0001 > 49.0002, Data, length 60`, `ES-IS, redirect, length 40`); their -v forms are
 * not reproduced and marked approximate.
 *
 * Technique: the 8-byte common header (NLPID, header length, version, system-ID length, PDU
 * type), then the PDU type's fixed header at known offsets. System IDs print as three dotted
 * groups of four hex digits, with the pseudonode byte after a dot and the LSP number after a
 * dash, as tcpdump writes them.
 */
import { be16, be32, hex, type L2Options, type L2Result } from './l2.ts';
import { isisVerbose, osiChecksum } from './isis-verbose.ts';
import { bitNames, hexPrint } from './l2.ts';

const PDU_NAMES: ReadonlyMap<number, string> = new Map([
  [15, 'L1 Lan IIH'], [16, 'L2 Lan IIH'], [17, 'p2p IIH'], [18, 'L1 LSP'], [20, 'L2 LSP'],
  [24, 'L1 CSNP'], [25, 'L2 CSNP'], [26, 'L1 PSNP'], [27, 'L2 PSNP'],
]);

/** Fixed header length (common part included) per PDU type. */
const PDU_HEADER: ReadonlyMap<number, number> = new Map([
  [15, 27], [16, 27], [17, 20], [18, 27], [20, 27], [24, 33], [25, 33], [26, 17], [27, 17],
]);

/** A system ID (6 bytes) as "xxxx.xxxx.xxxx", plus ".nn" for a 7th and "-nn" for an 8th byte. */
function sysId(p: Uint8Array, off: number, len: number): string {
  let s = `${hex(be16(p, off), 4)}.${hex(be16(p, off + 2), 4)}.${hex(be16(p, off + 4), 4)}`;
  if (len >= 7) s += `.${hex(p[off + 6]!, 2)}`;
  if (len >= 8) s += `-${hex(p[off + 7]!, 2)}`;
  return s;
}

const NLPID_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'NULL'], [0x81, 'CLNP'], [0x82, 'ES-IS'], [0x83, 'IS-IS'], [0xcc, 'IPv4'], [0x8e, 'IPv6'],
]);

/** An OSI packet (the byte after the LLC header): `length` on the wire, captured up to `end`. */
export function osi(p: Uint8Array, off: number, length: number, end: number, o: L2Options): L2Result {
  if (end < off + 1) return { text: ' [|isoclns]' };
  const nlpid = p[off]!;
  const head = o.linkHeader ? `OSI NLPID ${NLPID_NAMES.get(nlpid) ?? 'Unknown'} (0x${hex(nlpid, 2)}): ` : '';
  if (nlpid === 0x81) {
    const c = o.verbose === 0 ? clnp(p, off, length, end, o) : clnpVerbose(p, off, length, end, o);
    if (c !== null) return { text: head + c };
  }
  if (nlpid === 0x82) {
    const e = o.verbose === 0 ? esis(p, off, length, end, o) : esisVerbose(p, off, length, end, o);
    if (e !== null) return { text: head + e };
  }
  if (nlpid !== 0x83) return { text: `${head}OSI NLPID 0x${hex(nlpid, 2)}, length ${length}`, approx: true };
  if (o.verbose > 0) {
    const v = isisVerbose(p, off, length, end, o);
    return { text: head + v.text, approx: v.approx };
  }
  const t = isis(p, off, length, end, o);
  if (t === null) return { text: `${head}IS-IS, length ${length}`, approx: true };
  return { text: `${head}${o.linkHeader ? '' : 'IS-IS, '}${t}` };
}

/** IS-IS without -v: null when the PDU is one this does not reproduce (verbose, malformed, cut). */
function isis(p: Uint8Array, off: number, length: number, end: number, o: L2Options): string | null {
  if (o.verbose > 0 || end < off + 8) return null;
  const li = p[off + 1]!;
  const idLen = p[off + 3]!;
  const type = p[off + 4]! & 0x1f;
  const name = PDU_NAMES.get(type);
  const hlen = PDU_HEADER.get(type);
  // Version 1, 6-byte system IDs, the header length the PDU type requires, all captured.
  if (name === undefined || hlen === undefined || p[off + 2] !== 1 || p[off + 5] !== 1 || (idLen !== 0 && idLen !== 6)) return null;
  if (li !== hlen || end < off + hlen || length < hlen) return null;
  const b = off + 8;
  switch (type) {
    case 15:
    case 16: {
      if (be16(p, b + 9) > length) return null;
      return `${name}, src-id ${sysId(p, b + 1, 6)}, lan-id ${sysId(p, b + 12, 7)}, prio ${p[b + 11]! & 0x7f}, length ${length}`;
    }
    case 17:
      if (be16(p, b + 9) > length) return null;
      return `${name}, src-id ${sysId(p, b + 1, 6)}, length ${length}`;
    case 18:
    case 20:
      if (be16(p, b) > length) return null;
      return `${name}, lsp-id ${sysId(p, b + 4, 8)}, seq 0x${hex(be32(p, b + 12), 8)}, lifetime ${String(be16(p, b + 2)).padStart(5)}s, length ${length}`;
    default:
      // CSNP and PSNP: the sender's ID with its circuit byte.
      if (be16(p, b) > length) return null;
      return `${name}, src-id ${sysId(p, b + 2, 7)}, length ${length}`;
  }
}

/**
 * ES-IS without -v: `ES-IS, redirect, length N` (`unknown type (T)` for other PDU types), or
 * tcpdump's complaint about the header; null for the forms not reproduced here.
 */
function esis(p: Uint8Array, off: number, length: number, end: number, o: L2Options): string | null {
  let s = o.linkHeader ? '' : 'ES-IS';
  if (length <= 2) return s + (o.quiet ? 'bad pkt!' : 'no header at all!');
  if (end < off + 9) return `${s} [|esis]`;
  const li = p[off + 1]!;
  if (p[off + 2] !== 1) return `${s} version ${p[off + 2]} packet not supported`;
  if (li > length) return `${s} length indicator(${li}) > PDU size (${length})!`;
  if (li < 11) return null;
  const type = p[off + 4]! & 0x1f;
  const name = type === 6 ? 'redirect' : type === 2 ? 'ESH' : type === 4 ? 'ISH' : `unknown type (${type})`;
  s += `${o.linkHeader ? '' : ', '}${name}, length ${length}`;
  return s;
}

const CLNP_TYPES: ReadonlyMap<number, string> = new Map([[1, 'Error Report'], [29, 'MD'], [28, 'Data'], [30, 'Echo Request'], [31, 'Echo Response']]);

/** An NSAP as tcpdump's isonsap_string: hex with a dot after the first byte and every second one. */
function nsap(p: Uint8Array, off: number, len: number): string {
  if (len < 1 || len > 20) return 'isonsap_string: illegal length';
  let s = '';
  for (let i = 0; i < len; i++) s += hex(p[off + i]!, 2) + ((i & 1) === 0 && i + 1 < len ? '.' : '');
  return s;
}

/** Where CLNP's two addresses stand after the fixed header (each a length byte then the NSAP). */
interface ClnpAddresses { dst: number; dl: number; src: number; sl: number; q: number; rem: number }

/**
 * The destination then source address of a CLNP header with length indicator li, as tcpdump's
 * clnp_print reads them: null where it rejects the header, 'trunc' where the capture ends first;
 * q and rem are the offset and header bytes left after the source address.
 */
function clnpAddresses(p: Uint8Array, off: number, li: number, end: number): ClnpAddresses | null | 'trunc' {
  let rem = li - 9;
  let q = off + 9;
  if (rem < 1) return null;
  const dl = p[q]!;
  q++;
  rem--;
  if (rem < dl) return null;
  if (end < q + dl) return 'trunc';
  const dst = q;
  q += dl;
  rem -= dl;
  if (rem < 1) return null;
  if (end < q + 1) return 'trunc';
  const sl = p[q]!;
  q++;
  rem--;
  if (rem < sl) return null;
  if (end < q + sl) return 'trunc';
  return { dst, dl, src: q, sl, q: q + sl, rem: rem - sl };
}

/** tcpdump's note after an OSI header checksum ck over li bytes at off (the checksum at off + 7). */
function checksumNote(p: Uint8Array, off: number, li: number, end: number, ck: number): string {
  if (ck === 0 || off + li > end) return ' (unverified)';
  const c = osiChecksum(p, off, 7, li);
  return c === ck ? ' (correct)' : ` (incorrect should be 0x${hex(c, 4)})`;
}

/**
 * Whether the capture ends inside the first option of the rem header bytes at q (tcpdump then
 * prints the truncation mark; otherwise it would decode the options, which is not reproduced).
 */
function optionsTruncated(p: Uint8Array, q: number, rem: number, end: number): boolean {
  if (rem < 2) return false;
  if (end < q + 2) return true;
  const opli = p[q + 1]!;
  return opli <= rem - 2 && end < q + 2 + opli;
}

/**
 * CLNP without -v: `CLNP, <source NSAP> > <destination NSAP>, <PDU type>, length N`; null for
 * headers tcpdump rejects (it then dumps the PDU: not reproduced).
 */
function clnp(p: Uint8Array, off: number, length: number, end: number, o: L2Options): string | null {
  const s = o.linkHeader ? '' : 'CLNP';
  if (end < off + 9) return `${s} [|clnp]`;
  const li = p[off + 1]!;
  if (p[off + 2] !== 1 || li > length || li < 9) return null;
  const a = clnpAddresses(p, off, li, end);
  if (a === null) return null;
  if (a === 'trunc') return `${s} [|clnp]`;
  const type = p[off + 4]! & 0x1f;
  return `${s}${o.linkHeader ? '' : ', '}${nsap(p, a.src, a.sl)} > ${nsap(p, a.dst, a.dl)}, ${CLNP_TYPES.get(type) ?? `unknown (${type})`}, length ${length}`;
}

/**
 * CLNP with -v: the fixed header (lifetime, segment length, checksum verified), flags, both
 * addresses, the segmentation part, and the undecoded data as hex; null when an option is
 * present (options and error reports are not reproduced) or tcpdump would reject the header.
 */
function clnpVerbose(p: Uint8Array, off: number, length: number, end: number, o: L2Options): string | null {
  let s = o.linkHeader ? '' : 'CLNP';
  if (end < off + 9) return `${s} [|clnp]`;
  const li = p[off + 1]!;
  if (p[off + 2] !== 1 || li > length || li < 9) return null;
  const type = p[off + 4]! & 0x1f;
  const flags = p[off + 4]! & 0xe0;
  const a = clnpAddresses(p, off, li, end);
  if (a === null) return null;
  if (a === 'trunc') return `${s} [|clnp]`;
  const { dst, dl, src, sl } = a;
  let { q, rem } = a;
  const lifetime = p[off + 3]!;
  const ck = be16(p, off + 7);
  s += `${o.linkHeader ? '' : ', '}length ${length}`;
  s += `\n\t${CLNP_TYPES.get(type) ?? `unknown (${type})`} PDU, hlen: ${li}, v: 1, lifetime: ${lifetime >> 1}.${(lifetime % 2) * 5}s, Segment PDU length: ${be16(p, off + 5)}, checksum: 0x${hex(ck, 4)}`;
  s += checksumNote(p, off, li, end, ck);
  s += `\n\tFlags [${bitNames([[0x80, 'Segmentation permitted'], [0x40, 'more Segments'], [0x20, 'request Error Report']], flags, 'none')}]`;
  s += `\n\tsource address (length ${sl}): ${nsap(p, src, sl)}\n\tdest   address (length ${dl}): ${nsap(p, dst, dl)}`;
  if (flags & 0x80) {
    if (rem < 6) return null;
    if (end < q + 6) return `${s} [|clnp]`;
    s += `\n\tData Unit ID: 0x${hex(be16(p, q), 4)}, Segment Offset: ${be16(p, q + 2)}, Total PDU Length: ${be16(p, q + 4)}`;
    q += 6;
    rem -= 6;
  }
  // Options: only their absence from the capture is reproduced.
  if (rem !== 0) return optionsTruncated(p, q, rem, end) ? `${s} [|clnp]` : null;
  if (type === 1 || type === 31) return null;
  if (length > q - off) {
    s += `\n\t  undecoded non-header data, length ${length - li}`;
    s += hexPrint(p, q, length - (q - off), end, '\n\t  ');
  }
  return s;
}

/**
 * ES-IS with -v/-vv: the header (type, version, checksum verified, holding time), then the
 * redirect's destination, SNPA and NET, the ESH's or ISH's NETs, other types' bytes as hex; null
 * when options follow or the header is one tcpdump rejects (not reproduced).
 */
function esisVerbose(p: Uint8Array, off: number, length: number, end: number, o: L2Options): string | null {
  let s = o.linkHeader ? '' : 'ES-IS';
  if (length <= 2) return null;
  if (end < off + 9) return `${s} [|esis]`;
  let li = p[off + 1]!;
  if (p[off + 2] !== 1 || li > length || li < 11) return null;
  const type = p[off + 4]! & 0x1f;
  const name = type === 6 ? 'redirect' : type === 2 ? 'ESH' : type === 4 ? 'ISH' : `unknown type: ${type}`;
  const ck = be16(p, off + 7);
  s += `${o.linkHeader ? '' : ', '}length ${length}\n\t${name} (${type}), v: 1, checksum: 0x${hex(ck, 4)}`;
  s += checksumNote(p, off, li, end, ck);
  s += `, holding time: ${be16(p, off + 5)}s, length indicator: ${li}`;
  if (o.verbose > 1) s += hexPrint(p, off, 9, end, '\n\t');
  let q = off + 9;
  li -= 9;
  const trunc = (): string => `${s} [|esis]`;
  /**
   * Steps over the length byte of a field (counting it in li unless told not to, as tcpdump's
   * redirect NET): the field's length, or the line to print when it does not fit.
   */
  const field = (what: string, countLengthByte = true): number | string => {
    if (end < q + 1) return trunc();
    if (li < 1) return `${s}, bad ${what}/li`;
    const l = p[q]!;
    q++;
    if (countLengthByte) li--;
    if (end < q + l) return trunc();
    if (li < l) return `${s}, bad ${what}/li`;
    return l;
  };
  if (type === 6) {
    const dstl = field('redirect');
    if (typeof dstl === 'string') return dstl;
    s += `\n\t  ${nsap(p, q, dstl)}`;
    q += dstl;
    li -= dstl;
    const snpal = field('redirect');
    if (typeof snpal === 'string') return snpal;
    const snpa = q;
    q += snpal;
    li -= snpal;
    const netal = field('redirect', false);
    if (typeof netal === 'string') return netal;
    const neta = q;
    q += netal;
    li -= netal;
    let a = '';
    for (let i = 0; i < snpal; i++) a += (i ? ':' : '') + hex(p[snpa + i]!, 2);
    if (snpal === 6 && o.names) return null;
    s += `\n\t  SNPA (length: ${snpal}): ${snpal === 0 ? '<empty>' : a}`;
    if (netal !== 0) s += `\n\t  NET (length: ${netal}) ${nsap(p, neta, netal)}`;
  } else if (type === 2 || type === 4) {
    if (end < q + 1) return trunc();
    if (li < 1) return `${s}, bad ${type === 2 ? 'esh' : 'ish'}/li`;
    let n = type === 2 ? p[q++]! : 1;
    if (type === 2) {
      li--;
      s += `\n\t  Number of Source Addresses: ${n}`;
    }
    for (; n > 0; n--) {
      const l = field(type === 2 ? 'esh' : 'ish');
      if (typeof l === 'string') return l;
      s += `\n\t  NET (length: ${l}): ${nsap(p, q, l)}`;
      q += l;
      li -= l;
    }
  } else {
    if (o.verbose <= 1 && q < end) s += hexPrint(p, q, end - q, end, '\n\t  ');
    return s;
  }
  if (li === 0) return s;
  // Options: only their absence from the capture is reproduced.
  return optionsTruncated(p, q, li, end) ? trunc() : null;
}
