/**
 * Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 276): what `tcpdump -i any` writes since
 * libpcap 1.10, printed as tcpdump 4.99.3's sll2_if_print does.
 *
 * The 20-byte header: protocol (2), reserved (2), interface index (4), ARPHRD type (2), packet
 * type (1), address length (1), address (8). Every line starts with the interface name, padded
 * to 5 columns, and the packet type ("In", "Out", "B", "M", "P", else "?"), padded to 3 — with
 * or without -e. The name is what the interface index is called on the machine that prints the
 * capture (tcpdump calls if_indextoname, and warns on stderr that names might be incorrect when
 * reading a file); an index no interface has prints "?". With -e follow `ifindex N`, the
 * 6-byte link address when there is one, and unless -q the ethertype and the frame length.
 *
 * Technique: the interface names come from /sys/class/net/NAME/ifindex (what if_indextoname
 * answers on Linux), read once. The layer after the header is handed back to the packet printer
 * (IPv4, IPv6, ARP, other ethertypes) like the v1 header's; 802.2/802.3 payloads, VLAN tags and
 * radiotap (ARPHRD 803) are left approximate.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { be16, be32, macText, type L2Options, type L2Result } from './l2.ts';
import { ETHERTYPE_NAMES } from './ethertypes.ts';

/** Packet type names (LINUX_SLL_HOST … LINUX_SLL_OUTGOING). */
export const SLL_PKTTYPES: readonly string[] = ['In', 'B', 'M', 'P', 'Out'];

const SLL2_HDR_LEN = 20;

let ifNames: Map<number, string> | undefined;

/** The name of interface `index` on this machine (if_indextoname), or undefined. */
export function interfaceName(index: number): string | undefined {
  if (ifNames === undefined) {
    ifNames = new Map();
    let names: string[] = [];
    try {
      names = readdirSync('/sys/class/net');
    } catch {
      // not Linux, or no sysfs: every index prints as "?"
    }
    for (const name of names) {
      try {
        const i = Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'latin1').trim());
        if (Number.isInteger(i)) ifNames.set(i, name);
      } catch {
        // an interface that went away meanwhile
      }
    }
  }
  return ifNames.get(index);
}

/** A Linux cooked v2 packet: the header's text and the layer that follows. */
export function sll2(p: Uint8Array, cap: number, length: number, o: L2Options): L2Result {
  // A cut header: tcpdump's truncation mark, and -x dumps the whole record.
  if (cap < SLL2_HDR_LEN) return { text: ' [|sll2]', hdrlen: 0 };
  const proto = be16(p, 0);
  const ifindex = be32(p, 4);
  const hatype = be16(p, 8);
  const pkttype = p[10]!;
  const halen = p[11]!;
  let approx = false;
  let s = `${(interfaceName(ifindex) ?? '?').padEnd(5)} ${(SLL_PKTTYPES[pkttype] ?? '?').padEnd(3)} `;
  if (o.linkHeader) {
    s += `ifindex ${ifindex} `;
    if (halen === 6) {
      const m = macText(p, 12, o.names);
      if (!m.exact) approx = true;
      s += `${m.text} `;
    }
    if (!o.quiet) {
      if (proto <= 1500) s += proto === 1 ? '802.3' : proto === 4 ? '802.2' : `ethertype Unknown (0x${proto.toString(16).padStart(4, '0')})`;
      else {
        const name = ETHERTYPE_NAMES.get(proto);
        if (name === undefined) approx = true;
        s += `ethertype ${name ?? 'Unknown'} (0x${proto.toString(16).padStart(4, '0')})`;
      }
      s += `, length ${length}: `;
    }
  }
  // Radiotap behind the header, 802.3/802.2 payloads and VLAN tags: not reproduced here.
  if (hatype === 803 || proto <= 1500 || proto === 0x8100) {
    return { text: `${s}linux-sll2 protocol 0x${proto.toString(16).padStart(4, '0')}, length ${length - SLL2_HDR_LEN}`, approx: true, hdrlen: SLL2_HDR_LEN };
  }
  return { text: s, approx, hdrlen: SLL2_HDR_LEN, next: { type: proto, off: SLL2_HDR_LEN, len: length - SLL2_HDR_LEN, end: cap } };
}
