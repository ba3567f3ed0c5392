/**
 * The payload chain tcpdump 4.99.3 prints for ISAKMP/IKE under -v (print-isakmp.c): every
 * payload on its own line, indented four spaces per nesting level and wrapped in parentheses,
 *
 *     (sa: len=44
 *         (p: #1 protoid=isakmp transform=4 len=44
 *             (t: #1 type=encr id=aes (type=keylen value=0080))))
 *     (v2ke: len=128 group=modp1024)
 *     (nonce: len=32 data=(b31c379f272ce2984bd1...905954a783be2c37e2ccc4fdd270a532dbe6f428))
 *
 * for IKEv1 (SA/proposal/transform with the Oakley and IPsec attribute names, KE, identification,
 * nonce, hash, signature, certificate, notify, delete, vendor ID) and IKEv2 (the same plus v2 notify names,
 * authentication, identification, the encrypted payload's length).
 *
 * Technique: a recursive walk over the generic payload headers (next type, length), with the
 * printer's own quirks kept: "some data" shows the first 10 bytes and the last 20 bytes of the
 * captured packet (not of the payload), and the IKEv2 notify data runs to the end of the
 * capture. A field read past the captured bytes where tcpdump would stop with its own marker is
 * not reproduced: the walk returns null and the caller marks the line approximate.
 */

import { ipv4At, ipv6At } from '../addr.ts';
import { be16, be32, hexBytes, printChar } from './bytes.ts';

function ascii(p: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += p[i]! >= 0x20 && p[i]! < 0x7f ? String.fromCharCode(p[i]!) : '.';
  return s;
}

/** Thrown when a field tcpdump needs was not captured (the caller gives up: null). */
class Short extends Error {}
/** A read past the capture where tcpdump's GET_ macros abandon the packet with " [|isakmp]". */
class Jump extends Error {}

const NPSTR = ['none', 'sa', 'p', 't', 'ke', 'id', 'cert', 'cr', 'hash', 'sig', 'nonce', 'n', 'd', 'vid'];
const NPSTR_V2 = ['v2sa', 'v2ke', 'v2IDi', 'v2IDr', 'v2cert', 'v2cr', 'v2auth', 'v2nonce', 'v2n', 'v2d', 'v2vid', 'v2TSi', 'v2TSr', 'v2e', 'v2cp', 'v2eap'];

function strOrId(x: number, tab: ReadonlyArray<string | null>): string {
  return x < tab.length && tab[x] ? tab[x]! : `#${x}`;
}

/** tcpdump's name of a payload type ("sa", "v2ke", "pay20", "#60"). */
function npName(np: number): string {
  if (np < NPSTR.length) return NPSTR[np]!;
  if (np <= 32) return `pay${np}`;
  if (np <= 48) return NPSTR_V2[np - 33]!;
  return `#${np}`;
}

const PROTOIDS = [null, 'isakmp', 'ipsec-ah', 'ipsec-esp', 'ipcomp'];
const IKEV1_P = [null, 'ike'];
const IKEV2_T_TYPES = [null, 'encr', 'prf', 'integ', 'dh', 'esn'];
const AH_P = [null, '(reserved)', 'md5', 'sha', '1des', 'sha2-256', 'sha2-384', 'sha2-512'];
const PRF_P = [null, 'hmac-md5', 'hmac-sha', 'hmac-tiger', 'aes128_xcbc'];
const INTEG_P = [null, 'hmac-md5', 'hmac-sha', 'dec-mac', 'kpdk-md5', 'aes-xcbc'];
const ESN_P = ['no-esn', 'esn'];
const DH_GROUPS = [null, 'modp768', 'modp1024', 'EC2N 2^155', 'EC2N 2^185', 'modp1536', 'iana-grp06', 'iana-grp07', 'iana-grp08',
  'iana-grp09', 'iana-grp10', 'iana-grp11', 'iana-grp12', 'iana-grp13', 'modp2048', 'modp3072', 'modp4096', 'modp6144', 'modp8192'];
const ESP_P = [null, '1des-iv64', '1des', '3des', 'rc5', 'idea', 'cast', 'blowfish', '3idea', '1des-iv32', 'rc4', 'null', 'aes'];
const IPCOMP_P = [null, 'oui', 'deflate', 'lzs'];

/** An attribute map: per attribute type its name and the names of its values (tcpdump's attrmap). */
type AttrMap = ReadonlyArray<readonly [string | null, ReadonlyArray<string | null>]>;

const IPSEC_T_MAP: AttrMap = [
  [null, []], ['lifetype', [null, 'sec', 'kb']], ['life', []], ['group desc', DH_GROUPS], ['enc mode', [null, 'tunnel', 'transport']],
  ['auth', [null, 'hmac-md5', 'hmac-sha1', '1des-mac', 'keyed']], ['keylen', []], ['rounds', []], ['dictsize', []], ['privalg', []],
];
// IKEv2 encryption transforms name only attribute 14 (keylen), whose values are printed raw.
const ENCR_T_MAP: AttrMap = [...Array.from({ length: 14 }, () => [null, []] as const), ['keylen', []]];
const OAKLEY_T_MAP: AttrMap = [
  [null, []], ['enc', [null, '1des', 'idea', 'blowfish', 'rc5', '3des', 'cast', 'aes']],
  ['hash', [null, 'md5', 'sha1', 'tiger', 'sha2-256', 'sha2-384', 'sha2-512']],
  ['auth', [null, 'preshared', 'dss', 'rsa sig', 'rsa enc', 'rsa enc revised']], ['group desc', DH_GROUPS],
  ['group type', [null, 'MODP', 'ECP', 'EC2N']], ['group prime', []], ['group gen1', []], ['group gen2', []], ['group curve A', []],
  ['group curve B', []], ['lifetype', [null, 'sec', 'kb']], ['lifeduration', []], ['prf', []], ['keylen', []], ['field', []], ['order', []],
];

const IPSEC_ID_TYPES = [null, 'IPv4', 'FQDN', 'user FQDN', 'IPv4net', 'IPv6', 'IPv6net', 'IPv4range', 'IPv6range', 'ASN1 DN', 'ASN1 GN', 'keyid'];
const CERT_TYPES = ['none', 'pkcs7', 'pgp', 'dns', 'x509sign', 'x509ke', 'kerberos', 'crl', 'arl', 'spki', 'x509attr'];

const V1_NOTIFY_ERRORS = [null, 'INVALID-PAYLOAD-TYPE', 'DOI-NOT-SUPPORTED', 'SITUATION-NOT-SUPPORTED', 'INVALID-COOKIE',
  'INVALID-MAJOR-VERSION', 'INVALID-MINOR-VERSION', 'INVALID-EXCHANGE-TYPE', 'INVALID-FLAGS', 'INVALID-MESSAGE-ID',
  'INVALID-PROTOCOL-ID', 'INVALID-SPI', 'INVALID-TRANSFORM-ID', 'ATTRIBUTES-NOT-SUPPORTED', 'NO-PROPOSAL-CHOSEN',
  'BAD-PROPOSAL-SYNTAX', 'PAYLOAD-MALFORMED', 'INVALID-KEY-INFORMATION', 'INVALID-ID-INFORMATION', 'INVALID-CERT-ENCODING',
  'INVALID-CERTIFICATE', 'CERT-TYPE-UNSUPPORTED', 'INVALID-CERT-AUTHORITY', 'INVALID-HASH-INFORMATION', 'AUTHENTICATION-FAILED',
  'INVALID-SIGNATURE', 'ADDRESS-NOTIFICATION', 'NOTIFY-SA-LIFETIME', 'CERTIFICATE-UNAVAILABLE', 'UNSUPPORTED-EXCHANGE-TYPE',
  'UNEQUAL-PAYLOAD-LENGTHS'];
const V1_IPSEC_STATUS = ['RESPONDER-LIFETIME', 'REPLAY-STATUS', 'INITIAL-CONTACT'];

/** IKEv2 notify types: name, and whether the SPI is shown. */
const V2_NOTIFY: ReadonlyMap<number, readonly [string, boolean]> = new Map([
  [1, ['unsupported_critical_payload', false]], [4, ['invalid_ike_spi', true]], [5, ['invalid_major_version', false]],
  [7, ['invalid_syntax', true]], [9, ['invalid_message_id', true]], [11, ['invalid_spi', true]], [14, ['no_protocol_chosen', true]],
  [17, ['invalid_ke_payload', true]], [24, ['authentication_failed', true]], [34, ['single_pair_required', true]],
  [35, ['no_additional_sas', false]], [36, ['internal_address_failure', false]], [37, ['failed:cp_required', false]],
  [39, ['invalid_selectors', false]], [16384, ['initial_contact', false]], [16385, ['set_window_size', false]],
  [16386, ['additional_ts_possible', false]], [16387, ['ipcomp_supported', false]], [16388, ['nat_detection_source_ip', true]],
  [16389, ['nat_detection_destination_ip', true]], [16390, ['cookie', true]], [16391, ['use_transport_mode', false]],
  [16392, ['http_cert_lookup_supported', false]], [16393, ['rekey_sa', true]], [16394, ['tfc_padding_not_supported', false]],
  [16395, ['non_first_fragment_also', false]],
]);

const V2_AUTH = ['invalid', 'rsasig', 'shared-secret', 'dsssig'];

/** One walk over the payloads of a message: the packet, the captured end and the -v level. */
class Walk {
  out = '';
  constructor(
    readonly p: Uint8Array,
    readonly end: number,
    readonly v: number,
    readonly numeric: boolean,
  ) {}

  need(to: number): void {
    if (to > this.end) throw new Short();
  }
  raw(from: number, len: number): string {
    this.need(from + len);
    return hexBytes(this.p, from, from + len);
  }
  /** ike_show_somedata: the first (up to) 10 bytes, "...", the last 20 bytes of the capture. */
  someData(cp: number): string {
    const ep = this.end;
    let len = Math.min(ep - cp, 10);
    let tail = ep - 20;
    let elen = 20;
    if (tail < cp + len) {
      tail = cp + len;
      elen = ep - tail;
    }
    return ` data=(${this.raw(cp, len)}...${elen ? this.raw(tail, elen) : ''})`;
  }
  indent(depth: number): string {
    return '\n' + '    '.repeat(depth) + '(';
  }

  /** ikev1_sub_print: a chain of payloads starting with type `np` at `ext`; the end, or -1. */
  v1Chain(np: number, ext: number, depth: number, doi: number, proto: number): number {
    return this.payloads(np, ext, depth, (n, e, len) => this.v1Payload(n, e, len, depth + 1, doi, proto));
  }

  v1Payload(np: number, ext: number, len: number, depth: number, doi0: number, proto0: number): number {
    const p = this.p;
    const body = (what: string): number => {
      this.out += `${what}: len=${len - 4}`;
      if (this.v > 2) this.out += ` ${this.raw(ext + 4, len - 4)}`;
      return ext + len;
    };
    switch (np) {
      case 1: {
        this.out += 'sa:';
        this.need(ext + 12);
        const doi = be32(p, ext + 4);
        const sit = be32(p, ext + 8);
        if (doi !== 1) {
          this.out += ` doi=${doi} situation=${sit}`;
          return ext + 12;
        }
        this.out += ' doi=ipsec situation=';
        const names = [[1, 'identity'], [2, 'secrecy'], [4, 'integrity']].filter(([b]) => sit & (b as number)).map(([, n]) => n);
        this.out += names.join('+');
        let next = ext + 12;
        if (sit !== 1) {
          this.need(ext + 8);
          this.out += ` ident=${be32(p, ext + 4)}`;
          next += 4;
        }
        this.need(next + 4);
        return this.v1Chain(2, next, depth, doi, proto0);
      }
      case 2: {
        this.out += 'p:';
        this.need(ext + 8);
        const spi = p[ext + 6]!;
        this.out += ` #${p[ext + 4]} protoid=${strOrId(p[ext + 5]!, PROTOIDS)} transform=${p[ext + 7]}`;
        if (spi) this.out += ` spi=${this.raw(ext + 8, spi)}`;
        this.need(ext + 8 + spi + 4);
        return this.v1Chain(3, ext + 8 + spi, depth, doi0, p[ext + 5]!);
      }
      case 3: {
        this.out += 't:';
        this.need(ext + 8);
        const id = p[ext + 5]!;
        const [tab, map] = proto0 === 1 ? [IKEV1_P, OAKLEY_T_MAP] : proto0 === 2 ? [AH_P, IPSEC_T_MAP] : proto0 === 3 ? [ESP_P, IPSEC_T_MAP] : proto0 === 4 ? [IPCOMP_P, IPSEC_T_MAP] : [null, null];
        this.out += tab ? ` #${p[ext + 4]} id=${strOrId(id, tab)} ` : ` #${p[ext + 4]} id=${id} `;
        return this.attrs(ext + 8, ext + len, map);
      }
      case 4:
        this.out += `ke: key len=${len - 4}`;
        if (this.v > 2) this.out += ` ${this.raw(ext + 4, len - 4)}`;
        return ext + len;
      case 5:
        return this.v1Id(ext, len);
      case 6:
      case 7: {
        this.need(ext + 5);
        this.out += `${np === 6 ? 'cert' : 'cr'}: len=${len - 4} type=${strOrId(p[ext + 4]!, CERT_TYPES)}`;
        if (this.v > 2) this.out += ` ${this.raw(ext + 4, len - 4)}`;
        return ext + len;
      }
      case 8:
        return body('hash');
      case 9:
        return body('sig');
      case 10:
        this.out += `nonce: n len=${len - 4}`;
        if (len > 4) {
          if (this.v > 2) this.out += ` ${this.raw(ext + 4, len - 4)}`;
          else if (this.v > 1) this.out += ` ${this.someData(ext + 4)}`;
        }
        return ext + len;
      case 11:
        return this.v1Notify(ext, len);
      case 12: {
        this.out += 'd:';
        this.need(ext + 12);
        const doi = be32(p, ext + 4);
        const proto = p[ext + 8]!;
        this.out += doi !== 1 ? ` doi=${doi} proto=${proto}` : ` doi=ipsec proto=${strOrId(proto, PROTOIDS)}`;
        const spi = p[ext + 9]!;
        const n = be16(p, ext + 10);
        this.out += ` spilen=${spi} nspi=${n} spi=`;
        let q = ext + 12;
        for (let i = 0; i < n; i++) {
          if (i) this.out += ',';
          this.out += this.raw(q, spi);
          q += spi;
        }
        return q;
      }
      case 13:
        return body('vid');
      default:
        // (tcpdump's payload table is shared: an IKEv1 chain may hold IKEv2 payload types)
        if (np >= 33 && np <= 48 && np !== 46) return this.v2Payload(np, ext, len, depth);
        this.out += npName(np);
        return ext + len;
    }
  }

  /** ikev1_id_print, IPsec DOI form (tcpdump uses it in phase 1 and 2 alike). */
  v1Id(ext: number, itemLen: number): number {
    const p = this.p;
    this.out += 'id:';
    this.need(ext + 8);
    let len = itemLen > 8 ? itemLen - 8 : 0;
    const data = ext + 8;
    const type = p[ext + 4]!;
    const proto = p[ext + 5]!;
    if (proto !== 0 && !this.numeric) throw new Short(); // (a protocol name from the system's table)
    this.out += ` idtype=${strOrId(type, IPSEC_ID_TYPES)} protoid=${proto} port=${be16(p, ext + 6)}`;
    if (len) {
      if (data + len > this.end) {
        this.out += ' [|id]';
        return -1;
      }
      const bad = (n: number): boolean => {
        if (len >= n) return false;
        this.out += ` len=${len} [bad: < ${n}]`;
        return true;
      };
      switch (type) {
        case 1:
          if (!bad(4)) this.out += ` len=${len} ${ipv4At(p, data)}`;
          len = 0;
          break;
        case 2:
        case 3:
          this.out += ` len=${len} `;
          for (let i = data; i < data + len; i++) this.out += printChar(p[i]!);
          len = 0;
          break;
        case 4:
          if (!bad(8)) this.out += ` len=${len} ${ipv4At(p, data)}/${p[data + 4]}.${p[data + 5]}.${p[data + 6]}.${p[data + 7]}`;
          len = 0;
          break;
        case 5:
          if (!bad(16)) this.out += ` len=${len} ${ipv6At(p, data)}`;
          len = 0;
          break;
        case 6:
          if (!bad(32)) this.out += ` len=${len} ${ipv6At(p, data)}/0x${hexBytes(p, data + 16, data + 32)}`;
          len = 0;
          break;
        case 7:
          if (!bad(8)) this.out += ` len=${len} ${ipv4At(p, data)}-${ipv4At(p, data + 4)}`;
          len = 0;
          break;
        case 8:
          if (!bad(32)) this.out += ` len=${len} ${ipv6At(p, data)}-${ipv6At(p, data + 16)}`;
          len = 0;
          break;
      }
    }
    if (len) {
      this.out += ` len=${len}`;
      if (this.v > 2) this.out += ` ${this.raw(data, len)}`;
    }
    return ext + itemLen;
  }

  /** A run of data attributes (ikev1_attrmap_print / ikev1_attr_print) up to `ep2`. */
  attrs(cp: number, ep2: number, map: AttrMap | null, dots = true): number {
    const p = this.p;
    while (cp < this.end && cp < ep2) {
      this.need(cp + 4);
      const fixed = (p[cp]! & 0x80) !== 0;
      const total = fixed ? 4 : 4 + be16(p, cp + 2);
      if (ep2 < cp + total) {
        this.out += '[|attr]';
        cp = ep2 + 1;
        continue;
      }
      const t = be16(p, cp) & 0x7fff;
      const ent = map && t < map.length ? map[t]! : null;
      this.out += ent && ent[0] ? `(type=${ent[0]} ` : `(type=#${t} `;
      if (fixed) {
        const v = be16(p, cp + 2);
        this.out += `value=${ent && v < ent[1].length && ent[1][v] ? ent[1][v] : this.raw(cp + 2, 2)}`;
      } else this.out += `len=${total - 4} value=${this.raw(cp + 4, total - 4)}`;
      this.out += ')';
      cp += total;
    }
    if (dots && this.end < ep2) this.out += '...';
    return cp;
  }

  v1Notify(ext: number, len: number): number {
    const p = this.p;
    this.out += 'n:';
    this.need(ext + 12);
    const doi = be32(p, ext + 4);
    const proto = p[ext + 8]!;
    const spi = p[ext + 9]!;
    const type = be16(p, ext + 10);
    const errName = (): string => strOrId(type, V1_NOTIFY_ERRORS);
    if (doi !== 1) {
      this.out += ` doi=${doi} proto=${proto}`;
      this.out += ` type=${type < 8192 ? errName() : type < 16384 ? `#${type}` : type < 24576 ? (type === 16384 ? 'CONNECTED' : `#${type - 16384}`) : `#${type}`}`;
      if (spi) this.out += ` spi=${this.raw(ext + 12, spi)}`;
      return ext + 12 + spi;
    }
    this.out += ` doi=ipsec proto=${strOrId(proto, PROTOIDS)}`;
    this.out += ` type=${type < 8192 ? errName() : type < 16384 ? (type === 8192 ? 'RESERVED' : `#${type - 8192}`) : type < 24576 ? (type === 16384 ? 'CONNECTED' : `#${type - 16384}`) : type < 32768 ? strOrId(type - 24576, V1_IPSEC_STATUS) : `#${type}`}`;
    if (spi) this.out += ` spi=${this.raw(ext + 12, spi)}`;
    let cp = ext + 12 + spi;
    const ep2 = ext + len;
    if (cp < this.end) {
      if (type === 24576) {
        this.out += ' attrs=(';
        cp = this.attrs(cp, ep2, OAKLEY_T_MAP, false);
        this.out += ')';
      } else if (type === 24577) {
        this.out += ' status=(';
        if (cp + 4 > this.end) throw new Jump();
        this.out += `replay detection ${be32(p, cp) ? 'en' : 'dis'}abled)`;
      } else if (this.v > 3) this.out += ` data=(${this.raw(cp, this.end - cp)})`;
      else this.out += this.someData(cp);
    }
    return ext + len;
  }

  /** ikev2_sub_print: the chain of IKEv2 payloads; the end, or -1 (an encrypted payload ends it). */
  v2Chain(np: number, ext: number, depth: number): number {
    return this.payloads(np, ext, depth, (n, e, len) => this.v2Payload(n, e, len, depth + 1));
  }

  /**
   * A chain of ISAKMP payloads (IKEv1's or IKEv2's) starting with type np at ext, each printed by
   * payload (given its type, offset and length) in parentheses; the end, or -1 where the capture
   * ends inside one or one is invalid.
   */
  payloads(np: number, ext: number, depth: number, payload: (np: number, ext: number, len: number) => number): number {
    let cp = ext;
    while (np) {
      if (ext + 4 > this.end || ext + be16(this.p, ext + 2) > this.end) {
        this.out += ` [|${npName(np)}]`;
        return -1;
      }
      const len = be16(this.p, ext + 2);
      this.out += this.indent(depth + 1);
      cp = len <= 4 ? -1 : payload(np, ext, len);
      this.out += ')';
      if (cp < 0) return -1;
      np = this.p[ext]!;
      ext = cp;
    }
    return cp;
  }

  v2Head(name: string, ext: number): void {
    this.out += `${name}${this.p[ext + 1]! & 0x80 ? '[C]' : ''}:`;
  }

  /** ikev2_gen_print: the name and length, the bytes at -vvv. */
  v2Gen(np: number, ext: number, len: number): number {
    this.v2Head(npName(np), ext);
    this.out += ` len=${len - 4}`;
    if (this.v > 2 && len > 4) this.out += ` ${this.raw(ext + 4, len - 4)}`;
    return ext + len;
  }

  v2Payload(np: number, ext: number, len: number, depth: number): number {
    const p = this.p;
    if (np < 33) return this.v1Payload(np, ext, len, depth, 0, 0);
    // The fixed part of the IKEv2 payloads with one (ND_TCHECK_SIZE): cut, tcpdump ends the chain.
    const fixed = np === 34 || np === 35 || np === 36 || np === 39 || np === 41 ? 8 : 4;
    if (ext + fixed > this.end) {
      this.out += ` [|${npName(np)}]`;
      return -1;
    }
    switch (np) {
      case 33:
        return this.v2Sa(ext, len, depth);
      case 34: {
        this.need(ext + 8);
        this.v2Head(npName(np), ext);
        if (len < 8) {
          this.out += ` len=${len} < 8`;
          return ext + len;
        }
        this.out += ` len=${len - 8} group=${strOrId(be16(p, ext + 4), DH_GROUPS)}`;
        if (this.v > 2 && len > 8) this.out += ` ${this.raw(ext + 8, len - 8)}`;
        return ext + len;
      }
      case 35:
      case 36: {
        this.need(ext + 8);
        this.v2Head(npName(np), ext);
        this.out += ` len=${len - 4}`;
        if (this.v > 2 && len > 4) this.out += ` ${this.raw(ext + 4, len - 4)}`;
        const kinds: Record<number, [string, boolean]> = { 1: ['ipv4', false], 2: ['fqdn', true], 3: ['rfc822', true], 5: ['ipv6', false], 9: ['dn', false], 10: ['gn', false], 11: ['keyid', false] };
        const k = kinds[p[ext + 4]!];
        if (k) {
          this.out += ` ${k[0]}:`;
          // (the data length is unsigned in tcpdump: a payload shorter than its header wraps)
          const idLen = (len - 8) >>> 0;
          if (ext + 8 + idLen > this.end) {
            this.out += ` [|${npName(np)}]`;
            return -1;
          }
          this.out += k[1] ? ascii(p, ext + 8, ext + len) : hexBytes(p, ext + 8, ext + len);
        }
        return ext + len;
      }
      case 39: {
        this.need(ext + 8);
        this.v2Head(npName(np), ext);
        this.out += ` len=${len - 4} method=${strOrId(p[ext + 4]!, V2_AUTH)}`;
        if (this.v > 1) this.out += ` authdata=(${this.raw(ext + 8, len - 8)}) `;
        else this.out += this.someData(ext + 8);
        return ext + len;
      }
      case 40:
        this.v2Head('nonce', ext);
        this.out += ` len=${len - 4}`;
        if (this.v > 1) this.out += ` nonce=(${this.raw(ext + 4, len - 4)}) `;
        else this.out += this.someData(ext + 4);
        return ext + len;
      case 41:
        return this.v2Notify(ext, len);
      case 43:
        this.v2Head(npName(np), ext);
        this.out += ` len=${len - 4} vid=${ascii(p, ext + 4, ext + len)}`;
        if (this.v > 2 && len - 4 > 4) this.out += ` ${this.raw(ext + 4, len - 4)}`;
        return ext + len;
      case 46:
        this.v2Head(npName(np), ext);
        this.out += ` len=${len - 4}`;
        if (this.v > 2 && len - 4 > 4) this.out += ` ${this.raw(ext + 4, len - 4)}`;
        return -1; // encrypted: the chain continues inside, which tcpdump cannot see
      case 37:
      case 38:
      case 42:
      case 44:
      case 45:
      case 47:
      case 48:
        return this.v2Gen(np, ext, len);
      default:
        this.out += npName(np);
        return ext + len;
    }
  }

  /**
   * A chain of IKEv2 substructures (an SA's proposals, a proposal's transforms) from cp within left
   * bytes, the first of type np: those of that type printed by inner (given their number in the
   * chain), others named; a chain longer than left bytes is cut with ` [|tag]`.
   */
  v2Substructures(cp: number, left: number, np: number, depth: number, tag: string, inner: (n: number, e: number, len: number) => number): number {
    const p = this.p;
    const want = np;
    let count = 0;
    while (np) {
      count++;
      const e = cp;
      if (left < 4) {
        this.out += ` [|${tag}]`;
        return cp + left;
      }
      this.need(e + 4);
      const len = be16(p, e + 2);
      if (len <= 4) throw new Short();
      if (left < len) {
        this.out += ` [|${tag}]`;
        return cp + left;
      }
      this.need(e + len);
      this.out += this.indent(depth + 1);
      if (np === want) cp = inner(count, e, len);
      else {
        this.out += npName(np);
        cp += len;
      }
      this.out += ')';
      left -= len;
      np = p[e]!;
    }
    return cp;
  }

  v2Sa(ext: number, osa: number, depth: number): number {
    this.v2Head('sa', ext);
    const left = osa - 4;
    this.out += ` len=${left}`;
    return this.v2Substructures(ext + 4, left, 2, depth, npName(33), (_, e, len) => this.v2Proposal(e, len, depth + 1));
  }

  v2Proposal(ext: number, oplen: number, depth: number): number {
    const p = this.p;
    this.need(ext + 8);
    this.v2Head('p', ext);
    let left = oplen - 4;
    this.out += ` #${p[ext + 4]} protoid=${strOrId(p[ext + 5]!, PROTOIDS)} transform=${p[ext + 7]} len=${oplen}`;
    let cp = ext + 8;
    const spi = p[ext + 6]!;
    if (spi) {
      if (left < spi) {
        this.out += ' [|p]';
        return cp + left;
      }
      this.out += ` spi=${this.raw(cp, spi)}`;
      cp += spi;
      left -= spi;
    }
    return this.v2Substructures(cp, left, 3, depth, 'p', (n, e, len) => this.v2Transform(n, e, len));
  }

  v2Transform(tcount: number, ext: number, len: number): number {
    const p = this.p;
    this.need(ext + 8);
    this.v2Head('t', ext);
    const type = p[ext + 4]!;
    const id = be16(p, ext + 6);
    const [tab, map]: [ReadonlyArray<string | null> | null, AttrMap | null] =
      type === 1 ? [ESP_P, ENCR_T_MAP] : type === 2 ? [PRF_P, null] : type === 3 ? [INTEG_P, null] : type === 4 ? [DH_GROUPS, null] : type === 5 ? [ESN_P, null] : [null, null];
    this.out += ` #${tcount} type=${strOrId(type, IKEV2_T_TYPES)} id=${tab ? strOrId(id, tab) : id} `;
    return this.attrs(ext + 8, ext + len, map);
  }

  v2Notify(ext: number, len: number): number {
    const p = this.p;
    this.need(ext + 8);
    this.v2Head('n', ext);
    this.out += ` prot_id=${strOrId(p[ext + 4]!, PROTOIDS)}`;
    const type = be16(p, ext + 6);
    const known = V2_NOTIFY.get(type);
    const name = known?.[0] ?? (type < 8192 ? 'error' : type < 16384 ? 'private-error' : type < 40960 ? 'status' : 'private-status');
    const showSpi = known?.[1] ?? true;
    const someData = type === 16390;
    this.out += ` type=${type}(${name})`;
    const spi = p[ext + 5]!;
    if (showSpi && spi) this.out += ` spi=${this.raw(ext + 8, spi)}`;
    const cp = ext + 8 + spi;
    if (cp < this.end) {
      if (this.v > 3 || (someData && this.end - cp < 30)) this.out += ` data=(${this.raw(cp, this.end - cp)})`;
      else if (someData) this.out += this.someData(cp);
    }
    return ext + len;
  }
}

/**
 * The -v text after ISAKMP's header line: ":" and the payload chain (or " [encrypted x]"), then
 * the length check. `off` is the ISAKMP header, `len` the length the UDP layer gives it. Null
 * when a payload is not reproduced (see the module comment).
 */
export function isakmpPayloads(p: Uint8Array, off: number, len: number, end: number, verbose: number, numeric = true): string | null {
  const major = p[off + 17]! >> 4;
  const np = p[off + 16]!;
  const flags = p[off + 19]!;
  const w = new Walk(p, end, verbose, numeric);
  w.out = ':';
  try {
    if (flags & 1) w.out += ` [encrypted ${npName(np)}]`;
    else if (end < off + 28) w.out += ` [|${npName(np)}]`;
    else if (major === 1) w.v1Chain(np, off + 28, 0, 0, 0);
    else w.v2Chain(np, off + 28, 0);
  } catch (e) {
    if (e instanceof Short) return null;
    if (e instanceof Jump) return `${w.out} [|isakmp]`;
    throw e;
  }
  const ilen = be32(p, off + 24);
  if (ilen !== len) w.out += ` (len mismatch: isakmp ${ilen}/ip ${len})`;
  return w.out;
}
