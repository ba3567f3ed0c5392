/**
 * What tcpdump 4.99.3 adds to a BOOTP/DHCP line under -v (print-bootp.c): the interesting
 * header fields (", xid 0x3c41e764, secs 8, Flags [none]"), the addresses on their own lines,
 * then the vendor area: RFC 1048 options, one per line, each as "Name (tag), length n: value",
 *
 *     Vendor-rfc1048 Extensions
 *       Magic Cookie 0x63825363
 *       DHCP-Message (53), length 1: Discover
 *       Parameter-Request (55), length 4:
 *         Subnet-Mask (1), BR (28), Time-Zone (2), Default-Gateway (3)
 *
 * or the CMU vendor block.
 *
 * Technique: tcpdump's option table gives each tag a name and a one-letter format (i: IPv4
 * addresses, l/L: 32-bit numbers, s: 16-bit, b/x: bytes, a: text, B: booleans, p: address pairs,
 * $: a special decoder); unknown tags get a format from their length. Reading past the captured
 * bytes ends the text with tcpdump's " [|bootp]".
 */
import { printChar } from './bytes.ts';

class Short extends Error {}

/** tag → [format letter, name], from tcpdump's tag2str. */
const TAGS: ReadonlyMap<number, string> = new Map([
  [0, ' PAD'], [1, 'iSubnet-Mask'], [2, 'LTime-Zone'], [3, 'iDefault-Gateway'], [4, 'iTime-Server'], [5, 'iIEN-Name-Server'],
  [6, 'iDomain-Name-Server'], [7, 'iLOG'], [8, 'iCS'], [9, 'iLPR-Server'], [10, 'iIM'], [11, 'iRL'], [12, 'aHostname'], [13, 'sBS'],
  [255, ' END'], [14, 'aDP'], [15, 'aDomain-Name'], [16, 'iSS'], [17, 'aRP'], [18, 'aEP'], [19, 'BIPF'], [20, 'BSRT'], [21, 'pPF'],
  [22, 'sRSZ'], [23, 'bTTL'], [24, 'lMTU-Timeout'], [25, 'sMTU-Table'], [26, 'sMTU'], [27, 'BLSN'], [28, 'iBR'], [29, 'BMD'],
  [30, 'BMS'], [31, 'BRouter-Discovery'], [32, 'iRSA'], [33, 'pStatic-Route'], [34, 'BUT'], [35, 'lAT'], [36, 'BIE'], [37, 'bTT'],
  [38, 'lKI'], [39, 'BKG'], [40, 'aYD'], [41, 'iYS'], [42, 'iNTP'], [43, 'bVendor-Option'], [44, 'iNetbios-Name-Server'],
  [45, 'iWDD'], [46, '$Netbios-Node'], [47, 'aNetbios-Scope'], [48, 'iXFS'], [49, 'iXDM'], [64, 'sN+D'], [65, 'iN+S'], [68, 'iMH'],
  [69, 'iSMTP'], [70, 'iPOP3'], [71, 'iNNTP'], [72, 'iWWW'], [73, 'iFG'], [74, 'iIRC'], [75, 'iSTS'], [76, 'iSTDA'],
  [50, 'iRequested-IP'], [51, 'lLease-Time'], [52, '$OO'], [66, 'aTFTP'], [67, 'aBF'], [53, ' DHCP-Message'], [54, 'iServer-ID'],
  [55, 'bParameter-Request'], [56, 'aMSG'], [57, 'sMSZ'], [58, 'lRN'], [59, 'lRB'], [60, 'aVendor-Class'], [61, '$Client-ID'],
  [98, 'aUAP'], [116, 'BNOAUTO'], [78, 'bSLP-DA'], [79, 'bSLP-SCOPE'], [117, 'sNSSEARCH'], [77, '$User-Class'], [118, 'iSUBNET'],
  [121, '$Classless-Static-Route'], [249, '$Classless-Static-Route-Microsoft'], [150, 'iTFTP-Server-Address'], [80, 'aSLP-NA'],
  [81, '$FQDN'], [82, '$Agent-Information'], [83, 'bARMT'], [88, 'aTZSTR'], [89, 'bFQDNS'], [90, 'bAUTH'],
  [91, 'LLast-Transaction-Time'], [92, 'iAssociated-IP'], [93, 'sARCH'], [94, 'bNDI'], [97, 'bGUID'], [95, 'aLDAP'],
  [100, 'aPOSIX-TZ'], [101, 'aTZ-Name'], [112, 'iNI'], [113, 'aNITAG'], [114, 'aURL'], [161, 'aMUD-URL'],
]);

const DHCP_MESSAGES: ReadonlyMap<number, string> = new Map([
  [1, 'Discover'], [2, 'Offer'], [3, 'Request'], [4, 'Decline'], [5, 'ACK'], [6, 'NACK'], [7, 'Release'], [8, 'Inform'],
  [10, 'LeaseQuery'], [11, 'LeaseUnassigned'], [12, 'LeaseUnknown'], [13, 'LeaseActive'],
]);
const NETBIOS_NODES: ReadonlyMap<number, string> = new Map([[1, 'b-node'], [2, 'p-node'], [4, 'm-node'], [8, 'h-node']]);
const OVERLOAD: ReadonlyMap<number, string> = new Map([[1, 'file'], [2, 'sname'], [3, 'file+sname']]);
const ARP_TYPES: ReadonlyMap<number, string> = new Map([[1, 'ether'], [6, 'ieee802'], [7, 'arcnet'], [15, 'frelay'], [23, 'strip'], [24, 'ieee1394']]);
const AGENT_SUBOPTS: ReadonlyMap<number, string> = new Map([[1, 'Circuit-ID'], [2, 'Remote-ID'], [6, 'Subscriber-ID']]);

class Reader {
  out = '';
  constructor(
    readonly p: Uint8Array,
    readonly end: number,
  ) {}
  u8(o: number): number {
    if (o >= this.end) throw new Short();
    return this.p[o]!;
  }
  u16(o: number): number {
    return (this.u8(o) << 8) | this.u8(o + 1);
  }
  u32(o: number): number {
    return ((this.u16(o) << 16) | this.u16(o + 2)) >>> 0;
  }
  /** nd_printn: the text of n bytes; true when the capture ended first (tcpdump then stops). */
  printn(o: number, n: number): boolean {
    for (; n > 0 && o < this.end; n--, o++) this.out += printChar(this.p[o]!);
    return n !== 0;
  }
}

/**
 * The -v part after "BOOTP/DHCP, Request from …, length N": `off` is the BOOTP header, `end`
 * the end of the captured bytes, `host4` the text of an IPv4 address at an offset, `mac` of a
 * MAC address.
 */
export function bootpVerbose(p: Uint8Array, off: number, end: number, verbose: number, host4: (o: number) => string, mac: (o: number) => string): string {
  const r = new Reader(p, end);
  try {
    details(r, off, verbose, host4, mac);
  } catch (e) {
    if (!(e instanceof Short)) throw e;
    r.out += ' [|bootp]';
  }
  return r.out;
}

function details(r: Reader, off: number, v: number, host4: (o: number) => string, mac: (o: number) => string): void {
  r.u16(off + 8); // secs: the first field the -v part needs
  const htype = r.u8(off + 1);
  const hlen = r.u8(off + 2);
  if (htype !== 1) r.out += `, htype ${htype}`;
  if (htype !== 1 || hlen !== 6) r.out += `, hlen ${hlen}`;
  if (r.u8(off + 3)) r.out += `, hops ${r.u8(off + 3)}`;
  if (r.u32(off + 4)) r.out += `, xid 0x${r.u32(off + 4).toString(16)}`;
  if (r.u16(off + 8)) r.out += `, secs ${r.u16(off + 8)}`;
  const flags = r.u16(off + 10);
  r.out += `, Flags [${flags & 0x8000 ? 'Broadcast' : 'none'}]`;
  if (v > 1) r.out += ` (0x${flags.toString(16).padStart(4, '0')})`;
  const addr = (o: number, label: string): void => {
    if (r.u32(o)) r.out += `\n\t  ${label} ${host4(o)}`;
  };
  addr(off + 12, 'Client-IP');
  addr(off + 16, 'Your-IP');
  addr(off + 20, 'Server-IP');
  addr(off + 24, 'Gateway-IP');
  if (htype === 1 && hlen === 6) {
    r.u8(off + 28 + 5);
    r.out += `\n\t  Client-Ethernet-Address ${mac(off + 28)}`;
  }
  for (const [o, n, label] of [[off + 44, 64, 'sname'], [off + 108, 128, 'file']] as const) {
    if (!r.u8(o)) continue;
    r.out += `\n\t  ${label} "`;
    // nd_printztn: up to a NUL within the field and the capture; none found is truncation.
    let i = 0;
    let ok = false;
    for (; i < n && o + i < r.end; i++) {
      const c = r.p[o + i]!;
      if (c === 0) {
        ok = true;
        break;
      }
      r.out += printChar(c);
    }
    r.out += '"';
    if (!ok) {
      r.out += ' [|bootp]';
      return;
    }
  }
  const vend = off + 236;
  r.u32(vend);
  const magic = r.u32(vend);
  if (magic === 0x63825363) rfc1048(r, vend, v, host4);
  else if (magic === 0x434d5500) cmu(r, vend, host4);
  else if (magic !== 0) r.out += `\n\t  Vendor-#0x${magic.toString(16)}`;
}

function rfc1048(r: Reader, bp: number, v: number, host4: (o: number) => string): void {
  const p = r.p;
  r.out += '\n\t  Vendor-rfc1048 Extensions';
  r.out += `\n\t    Magic Cookie 0x${r.u32(bp).toString(16).padStart(8, '0')}`;
  bp += 4;
  while (bp < r.end) {
    const tag = p[bp++]!;
    if (tag === 0 && v < 3) continue;
    if (tag === 255 && v < 3) return;
    const entry = TAGS.get(tag) ?? '?Unknown';
    let c = entry[0]!;
    const name = entry.slice(1);
    let len = 0;
    if (tag !== 0 && tag !== 255) len = r.u8(bp++);
    r.out += `\n\t    ${name} (${tag}), length ${len}${len > 0 ? ': ' : ''}`;
    if (tag === 0 && v > 2) {
      let n = 1;
      while (bp < r.end && p[bp] === 0) {
        bp++;
        n++;
      }
      if (n > 1) r.out += `, occurs ${n}`;
    }
    if (bp + len > r.end) throw new Short();
    if (tag === 53 && len === 1) {
      const m = p[bp++]!;
      r.out += DHCP_MESSAGES.get(m) ?? `Unknown (${m})`;
      continue;
    }
    if (tag === 55) {
      for (let idx = 0; len > 0; idx++, len--) {
        const inner = p[bp++]!;
        r.out += idx % 4 === 0 ? '\n\t      ' : ', ';
        r.out += `${(TAGS.get(inner) ?? '?Unknown').slice(1)} (${inner})`;
      }
      continue;
    }
    if (c === '?') c = len & 1 ? 'b' : len & 2 ? 's' : 'l';
    let first = true;
    const sep = (s: string): void => {
      if (!first) r.out += s;
      first = false;
    };
    switch (c) {
      case 'a':
        r.out += '"';
        if (r.printn(bp, len)) {
          r.out += '"';
          throw new Short();
        }
        r.out += '"';
        bp += len;
        len = 0;
        break;
      case 'i':
      case 'l':
      case 'L':
        for (; len >= 4; bp += 4, len -= 4) {
          sep(',');
          r.out += c === 'i' ? host4(bp) : c === 'L' ? `${r.u32(bp) | 0}` : `${r.u32(bp)}`;
        }
        break;
      case 'p':
        for (; len >= 8; bp += 8, len -= 8) {
          sep(',');
          r.out += `(${host4(bp)}:${host4(bp + 4)})`;
        }
        break;
      case 's':
        for (; len >= 2; bp += 2, len -= 2) {
          sep(',');
          r.out += `${r.u16(bp)}`;
        }
        break;
      case 'B':
        for (; len > 0; bp++, len--) {
          sep(',');
          const b = p[bp]!;
          r.out += b === 0 ? 'N' : b === 1 ? 'Y' : `${b}?`;
        }
        break;
      case '$':
        [bp, len] = special(r, tag, bp, len, host4);
        break;
      default:
        for (; len > 0; bp++, len--) {
          sep(c === 'x' ? ':' : '.');
          r.out += c === 'x' ? p[bp]!.toString(16).padStart(2, '0') : `${p[bp]}`;
        }
    }
    if (len) {
      r.out += `\n\t  trailing data length ${len}`;
      bp += len;
    }
  }
}

/** The options with their own decoders ('$' in the table); returns the new position and what is left. */
function special(r: Reader, tag: number, bp: number, len: number, host4: (o: number) => string): [number, number] {
  const p = r.p;
  switch (tag) {
    case 46:
    case 52: {
      if (len < 1) {
        r.out += '[ERROR: length < 1 bytes]';
        return [bp, len];
      }
      const x = p[bp]!;
      r.out += (tag === 46 ? NETBIOS_NODES : OVERLOAD).get(x) ?? `#${x}`;
      return [bp + 1, len - 1];
    }
    case 81: {
      if (len < 3) {
        r.out += '[ERROR: length < 3 bytes]';
        return [bp + len, 0];
      }
      const f = p[bp]!;
      if (f & 0xf0) r.out += `[ERROR: MBZ nibble 0x${((f & 0xf0) >> 4).toString(16)} != 0] `;
      if (f & 0x0f) r.out += `[${f & 1 ? 'S' : ''}${f & 2 ? 'O' : ''}${f & 4 ? 'E' : ''}${f & 8 ? 'N' : ''}] `;
      if (p[bp + 1] || p[bp + 2]) r.out += `${p[bp + 1]}/${p[bp + 2]} `;
      r.out += '"';
      if (r.printn(bp + 3, len - 3)) {
        r.out += '"';
        throw new Short();
      }
      r.out += '"';
      return [bp + len, 0];
    }
    case 61: {
      if (len < 1) {
        r.out += '[ERROR: length < 1 bytes]';
        return [bp, len];
      }
      const type = p[bp]!;
      bp++;
      len--;
      if (type === 0) {
        r.out += '"';
        if (r.printn(bp, len)) {
          r.out += '"';
          throw new Short();
        }
        r.out += '"';
        return [bp + len, 0];
      }
      r.out += `${ARP_TYPES.get(type) ?? `hardware-type ${type},`} `;
      const bytes: string[] = [];
      for (; len > 0; bp++, len--) bytes.push(p[bp]!.toString(16).padStart(2, '0'));
      r.out += bytes.join(':');
      return [bp, 0];
    }
    case 82:
      while (len >= 2) {
        const sub = p[bp]!;
        const sl = p[bp + 1]!;
        bp += 2;
        len -= 2;
        const name = AGENT_SUBOPTS.get(sub) ?? 'Unknown';
        if (sl > len) {
          r.out += `\n\t      ${name} SubOption ${sub}, length ${sl}: length goes past end of option`;
          return [bp + len, 0];
        }
        r.out += `\n\t      ${name} SubOption ${sub}, length ${sl}: `;
        if (AGENT_SUBOPTS.has(sub)) {
          if (r.printn(bp, sl)) throw new Short();
        } else throw new Short(); // (a hex dump of the suboption: not reproduced)
        len -= sl;
        bp += sl;
      }
      return [bp, len];
    case 121:
    case 249: {
      if (len < 5) {
        r.out += '[ERROR: length < 5 bytes]';
        return [bp + len, 0];
      }
      let first = true;
      while (len > 0) {
        if (!first) r.out += ',';
        first = false;
        const width = p[bp]!;
        bp++;
        len--;
        if (width > 32) {
          r.out += `[ERROR: Mask width (${width}) > 32]`;
          return [bp + len, 0];
        }
        const sig = Math.floor((width + 7) / 8);
        if (len < sig + 4) {
          r.out += `[ERROR: Remaining length (${len}) < ${sig + 4} bytes]`;
          return [bp + len, 0];
        }
        r.out += '(';
        if (width === 0) r.out += 'default';
        else {
          const octets: number[] = [];
          for (let i = 0; i < 4; i++) octets.push(i < sig ? p[bp + i]! : 0);
          r.out += `${octets.join('.')}/${width}`;
          bp += sig;
        }
        r.out += `:${host4(bp)})`;
        bp += 4;
        len -= sig + 4;
      }
      return [bp, len];
    }
    case 77: {
      if (len < 2) {
        r.out += '[ERROR: length < 2 bytes]';
        return [bp + len, 0];
      }
      for (let n = 1; len > 0; n++) {
        const sl = p[bp]!;
        bp++;
        len--;
        r.out += `\n\t      instance#${n}: `;
        if (sl === 0) {
          r.out += '[ERROR: suboption length must be non-zero]';
          return [bp + len, 0];
        }
        if (len < sl) {
          r.out += '[ERROR: invalid option]';
          return [bp + len, 0];
        }
        r.out += '"';
        if (r.printn(bp, sl)) {
          r.out += '"';
          throw new Short();
        }
        r.out += `", length ${sl}`;
        len -= sl;
        bp += sl;
      }
      return [bp, len];
    }
    default:
      r.out += `[unknown special tag ${tag}, size ${len}]`;
      return [bp + len, 0];
  }
}

function cmu(r: Reader, bp: number, host4: (o: number) => string): void {
  r.out += ' vend-cmu';
  r.u32(bp + 4);
  // (tcpdump tests the first byte of the 32-bit flags word)
  const f = r.p[bp + 4]!;
  if ((f & ~1) !== 0) r.out += ` F:0x${f.toString(16)}`;
  const at = (o: number, label: string): void => {
    r.u32(bp + o);
    if (r.u32(bp + o)) r.out += ` ${label}:${host4(bp + o)}`;
  };
  at(12, 'DG');
  at(8, f & 1 ? 'SM' : 'SM*');
  at(16, 'NS1');
  at(20, 'NS2');
  at(24, 'IEN1');
  at(28, 'IEN2');
  at(32, 'TS1');
  at(36, 'TS2');
}
