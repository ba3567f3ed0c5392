/**
 * DHCPv6 (UDP 546/547) as tcpdump 4.99.3 prints it (print-dhcp6.c): `dhcp6 solicit`, and with
 * -v the transaction id (or a relay's link and peer addresses) and every option in parentheses,
 *
 *   dhcp6 advertise (xid=90b45c (IA_NA IAID:33752069 T1:3600 T2:5400 (IA_ADDR 2a00:1::1
 *   pltime:4500 vltime:7200)) (client-ID hwaddr type 1 000102030405))
 *
 * with the nested options of IA_NA/IA_PD/IA_TA/IA_ADDR/IA_PD-prefix and the relayed message
 * printed recursively.
 *
 * Technique: two kinds of stop, as in tcpdump: an option that runs past the end of the message
 * ends the option list with " [|dhcp6]" and the enclosing text goes on; a field read beyond the
 * captured bytes (tcpdump's longjmp) ends the whole line with " [|dhcp6]". A relayed message is
 * printed with the captured end moved to its option's end. A compressed name in a domain list
 * is not reproduced (null).
 */
import { ipv6At } from '../addr.ts';
import { printChar } from './bytes.ts';

const MSG_TYPES = ['', 'solicit', 'advertise', 'request', 'confirm', 'renew', 'rebind', 'reply', 'release', 'decline',
  'reconfigure', 'inf-req', 'relay-fwd', 'relay-reply', 'leasequery', 'leasequery-reply'];

const OPTS: ReadonlyMap<number, string> = new Map([
  [1, 'client-ID'], [2, 'server-ID'], [3, 'IA_NA'], [4, 'IA_TA'], [5, 'IA_ADDR'], [6, 'option-request'], [7, 'preference'],
  [8, 'elapsed-time'], [9, 'relay-message'], [11, 'authentication'], [12, 'server-unicast'], [13, 'status-code'],
  [14, 'rapid-commit'], [15, 'user-class'], [16, 'vendor-class'], [17, 'vendor-specific-info'], [18, 'interface-ID'],
  [19, 'reconfigure-message'], [20, 'reconfigure-accept'], [21, 'SIP-servers-domain'], [22, 'SIP-servers-address'],
  [23, 'DNS-server'], [24, 'DNS-search-list'], [25, 'IA_PD'], [26, 'IA_PD-prefix'], [31, 'SNTP-servers'], [32, 'lifetime'],
  [27, 'NIS-server'], [28, 'NIS+-server'], [29, 'NIS-domain-name'], [30, 'NIS+-domain-name'], [33, 'BCMCS-domain-name'],
  [34, 'BCMCS-server'], [36, 'Geoconf-Civic'], [37, 'Remote-ID'], [38, 'Subscriber-ID'], [39, 'Client-FQDN'], [40, 'PANA-agent'],
  [41, 'POSIX-timezone'], [42, 'POSIX-tz-database'], [43, 'Echo-request-option'], [44, 'Lease-query'], [45, 'LQ-client-data'],
  [46, 'Clt-time'], [47, 'LQ-relay-data'], [48, 'LQ-client-link'], [56, 'NTP-server'], [64, 'AFTR-Name'], [112, 'MUD-URL'],
]);

const STATUS = ['Success', 'UnspecFail', 'NoAddrsAvail', 'NoBinding', 'NotOnLink', 'UseMulticast', 'NoPrefixAvail',
  'UnknownQueryType', 'MalformedQuery', 'NotConfigured', 'NotAllowed'];

/** A read past the captured bytes: tcpdump abandons the packet's text with " [|dhcp6]". */
class Jump extends Error {}
/** An option list running past its end: " [|dhcp6]" ends the list only. */
class ListEnd extends Error {}
/** A compressed or extended name label: not reproduced (null). */
class Unsupported extends Error {}

function optName(t: number): string {
  return OPTS.get(t) ?? `opt_${t}`;
}

class Printer {
  out = '';
  constructor(
    readonly p: Uint8Array,
    public snap: number,
    readonly host6: (o: number) => string,
  ) {}
  u8(o: number): number {
    if (o >= this.snap) throw new Jump();
    return this.p[o]!;
  }
  u16(o: number): number {
    return (this.u8(o) << 8) | this.u8(o + 1);
  }
  u32(o: number): number {
    return ((this.u16(o) << 16) | this.u16(o + 2)) >>> 0;
  }
  hx(o: number): string {
    return this.u8(o).toString(16).padStart(2, '0');
  }
  ip6(o: number): string {
    this.u8(o + 15);
    return this.host6(o);
  }

  /** fqdn_print for plain labels; its truncation ends the option list. */
  fqdn(cp: number): number {
    if (cp >= this.snap) throw new ListEnd();
    let l = this.p[cp]!;
    if (l & 0xc0) throw new Unsupported();
    if (l === 0) {
      this.out += '.';
      return cp + 1;
    }
    cp++;
    let chars = 0;
    while (l && cp < this.snap) {
      for (let i = 0; i < l; i++) {
        if (cp + i >= this.snap) throw new ListEnd();
        if (chars + i < 255) this.out += printChar(this.p[cp + i]!);
      }
      chars += l;
      cp += l;
      if (chars <= 255) this.out += '.';
      chars++;
      if (cp >= this.snap) throw new ListEnd();
      l = this.p[cp]!;
      if (l & 0xc0) throw new Unsupported();
      cp++;
    }
    if (chars > 255) this.out += '<DOMAIN NAME TOO LONG>';
    return cp;
  }

  message(cp: number, length: number): void {
    this.out += 'dhcp6';
    const ep = Math.min(this.snap, cp + length);
    this.u8(cp + 3);
    const type = this.p[cp]!;
    this.out += ` ${MSG_TYPES[type] || `msgtype-${type}`} (`;
    if (type !== 12 && type !== 13) {
      this.out += `xid=${(this.u32(cp) & 0xffffff).toString(16)}`;
      this.options(cp + 4, ep);
    } else {
      this.out += `linkaddr=${this.ip6(cp + 2)} peeraddr=${this.ip6(cp + 18)}`;
      this.options(cp + 34, ep);
    }
    this.out += ')';
  }

  options(cp: number, ep: number): void {
    try {
      this.optionList(cp, ep);
    } catch (e) {
      if (!(e instanceof ListEnd)) throw e;
      this.out += ' [|dhcp6]';
    }
  }

  optionList(cp: number, ep: number): void {
    while (cp < ep) {
      if (ep < cp + 4 || cp + 4 > this.snap) throw new ListEnd();
      const len = this.u16(cp + 2);
      if (ep < cp + 4 + len) throw new ListEnd();
      const type = this.u16(cp);
      this.out += ` (${optName(type)}`;
      if (cp + 4 + len > this.snap) throw new ListEnd();
      this.option(type, cp + 4, len);
      cp += 4 + len;
    }
  }

  option(type: number, tp: number, len: number): void {
    const bad = (): void => {
      this.out += ' ?)';
    };
    switch (type) {
      case 1:
      case 2: {
        if (len < 2) return bad();
        const dt = this.u16(tp);
        const hexFrom = (from: number, to: number): string => {
          let s = '';
          for (let i = from; i < to; i++) s += this.hx(tp + i);
          return s;
        };
        if (dt === 1) {
          if (len < 8) return bad();
          this.out += ` hwaddr/time type ${this.u16(tp + 2)} time ${this.u32(tp + 4)} ${hexFrom(8, len)})`;
        } else if (dt === 2) {
          if (len < 10) return bad();
          this.out += ` vid ${hexFrom(2, 10)})`;
        } else if (dt === 3) {
          if (len < 4) return bad();
          this.out += ` hwaddr type ${this.u16(tp + 2)} ${hexFrom(4, len)})`;
        } else this.out += ` type ${dt})`;
        return;
      }
      case 5:
        if (len < 24) return bad();
        this.out += ` ${this.ip6(tp)} pltime:${this.u32(tp + 16)} vltime:${this.u32(tp + 20)}`;
        if (len > 24) this.options(tp + 24, tp + len);
        this.out += ')';
        return;
      case 6:
      case 43:
        if (len % 2) return bad();
        for (let i = 0; i < len; i += 2) this.out += ` ${optName(this.u16(tp + i))}`;
        this.out += ')';
        return;
      case 7:
        if (len !== 1) return bad();
        this.out += ` ${this.u8(tp)})`;
        return;
      case 8:
        if (len !== 2) return bad();
        this.out += ` ${this.u16(tp)})`;
        return;
      case 9: {
        this.out += ' (';
        const save = this.snap;
        this.snap = Math.min(tp + len, this.snap);
        this.message(tp, len);
        this.snap = save;
        this.out += ')';
        return;
      }
      case 11:
        return this.auth(tp, len);
      case 14:
      case 20:
        this.out += ')';
        return;
      case 18:
      case 38: {
        this.out += ' ';
        for (let i = 0; i < len && i < 10; i++) this.out += this.hx(tp + i);
        this.out += '...)';
        return;
      }
      case 19: {
        if (len !== 1) return bad();
        const t = this.u8(tp);
        this.out += t === 5 ? ' for renew)' : t === 11 ? ' for inf-req)' : ` for ???(${t.toString(16).padStart(2, '0')}))`;
        return;
      }
      case 22:
      case 23:
      case 31:
      case 27:
      case 28:
      case 34:
      case 40:
      case 48:
        if (len % 16) return bad();
        for (let i = 0; i < len; i += 16) this.out += ` ${this.ip6(tp + i)}`;
        this.out += ')';
        return;
      case 21:
      case 24: {
        let q = tp;
        while (q < tp + len) {
          this.out += ' ';
          q = this.fqdn(q);
        }
        this.out += ')';
        return;
      }
      case 13: {
        if (len < 2) return bad();
        const code = this.u16(tp);
        this.out += ` ${code > 255 ? 'INVALID code' : STATUS[code] ?? `code${code}`})`;
        return;
      }
      case 3:
      case 25:
        if (len < 12) return bad();
        this.out += ` IAID:${this.u32(tp)} T1:${this.u32(tp + 4)} T2:${this.u32(tp + 8)}`;
        if (len > 12) this.options(tp + 12, tp + len);
        this.out += ')';
        return;
      case 4:
        if (len < 4) return bad();
        this.out += ` IAID:${this.u32(tp)}`;
        if (len > 4) this.options(tp + 4, tp + len);
        this.out += ')';
        return;
      case 26:
        if (len < 25) return bad();
        this.out += ` ${this.ip6(tp + 9)}/${this.u8(tp + 8)} pltime:${this.u32(tp)} vltime:${this.u32(tp + 4)}`;
        if (len > 25) this.options(tp + 25, tp + len);
        this.out += ')';
        return;
      case 32:
      case 46:
        if (len !== 4) return bad();
        this.out += ` ${this.u32(tp)})`;
        return;
      case 37: {
        if (len < 4) return bad();
        this.out += ` ${this.u32(tp)} `;
        for (let i = 4; i < len && i < 14; i++) this.out += this.hx(tp + i);
        this.out += '...)';
        return;
      }
      case 44: {
        if (len < 17) return bad();
        const qt = this.u8(tp);
        this.out += qt === 1 ? ' by-address' : qt === 2 ? ' by-clientID' : ` type_${qt}`;
        this.out += ` ${this.ip6(tp + 1)}`;
        if (len > 17) this.options(tp + 17, tp + len);
        this.out += ')';
        return;
      }
      case 45:
        if (len > 0) this.options(tp, tp + len);
        this.out += ')';
        return;
      case 47: {
        if (len < 16) return bad();
        this.out += ` ${this.ip6(tp)} `;
        for (let i = 16; i < len && i < 26; i++) this.out += this.hx(tp + i);
        this.out += '...)';
        return;
      }
      case 56: {
        if (len < 4) return bad();
        let q = tp;
        const end = tp + len;
        while (q < end - 4) {
          const code = this.u16(q);
          const sl = this.u16(q + 2);
          q += 4;
          if (q + sl > end) throw new ListEnd();
          this.out += ` subopt:${code}`;
          if (code === 1 || code === 2) this.out += sl !== 16 ? ' ?' : ` ${this.ip6(q)}`;
          else if (code === 3) {
            this.out += ' ';
            this.fqdn(q);
          } else this.out += ' ?';
          q += sl;
        }
        this.out += ')';
        return;
      }
      case 64: {
        if (len < 3) return bad();
        let q = tp;
        let remain = len;
        this.out += ' ';
        while (remain && this.u8(q)) {
          const l = this.u8(q);
          q++;
          if (l < remain - 1) {
            this.printjnp(q, l);
            q += l;
            remain -= l + 1;
            if (this.u8(q)) this.out += '.';
          } else {
            this.out += ' ?';
            break;
          }
        }
        this.out += ')';
        return;
      }
      case 41:
      case 42:
      case 112:
        if (len < 5) return bad();
        this.out += ' ';
        this.printjnp(tp, len);
        this.out += ')';
        return;
      default:
        this.out += ')';
    }
  }

  /** nd_printjnp: up to n bytes or a NUL. */
  printjnp(o: number, n: number): void {
    for (; n > 0; n--, o++) {
      const c = this.u8(o);
      if (c === 0) break;
      this.out += printChar(c);
    }
  }

  auth(tp: number, len: number): void {
    if (len < 11) {
      this.out += ' ?)';
      return;
    }
    const proto = this.u8(tp);
    this.out += proto === 2 ? ' proto: delayed' : proto === 3 ? ' proto: reconfigure' : ` proto: ${proto}`;
    const alg = this.u8(tp + 1);
    this.out += alg === 1 ? ', alg: HMAC-MD5' : `, alg: ${alg}`;
    const rdm = this.u8(tp + 2);
    this.out += rdm === 0 ? ', RDM: mono' : `, RDM: ${rdm}`;
    let q = tp + 3;
    this.out += ', RD:';
    for (let i = 0; i < 4; i++, q += 2) this.out += ` ${this.u16(q).toString(16).padStart(4, '0')}`;
    const info = len - 11;
    if (proto === 2) {
      if (info !== 0) {
        if (info < 20) this.out += ' ??';
        else {
          const realm = info - 20;
          if (realm > 0) this.out += ', realm: ';
          for (let i = 0; i < realm; i++, q++) this.out += this.hx(q);
          this.out += `, key ID: ${this.u32(q).toString(16).padStart(8, '0')}`;
          q += 4;
          this.out += ', HMAC-MD5:';
          for (let i = 0; i < 4; i++, q += 4) this.out += ` ${this.u32(q).toString(16).padStart(8, '0')}`;
        }
      }
    } else if (proto === 3) {
      if (info !== 17) this.out += ' ??';
      else {
        const t = this.u8(q);
        this.out += t === 1 ? ' reconfig-key' : t === 2 ? ' type: HMAC-MD5' : ' type: ??';
        q++;
        this.out += ' value:';
        for (let i = 0; i < 4; i++, q += 4) this.out += ` ${this.u32(q).toString(16).padStart(8, '0')}`;
      }
    } else this.out += ' ??';
    this.out += ')';
  }
}

/**
 * DHCPv6 with -v: `off` is the message, `len` its length from the UDP header, `end` the end of
 * the captured bytes, `host6` the text of an IPv6 address at an offset.
 */
export function dhcp6Verbose(p: Uint8Array, off: number, len: number, end: number, host6: (o: number) => string = (o) => ipv6At(p, o)): string | null {
  const pr = new Printer(p, end, host6);
  try {
    pr.message(off, len);
  } catch (e) {
    if (e instanceof Unsupported) return null;
    if (!(e instanceof Jump)) throw e;
    pr.out += ' [|dhcp6]';
  }
  return pr.out;
}
