/**
 * Novell IPX as tcpdump 4.99.3 prints it: `IPX net.node.socket > net.node.socket: <payload>`,
 * where the payload is named by the destination socket (SAP and RIP responses list their
 * entries, NetBIOS and the rest print a name and the data length).
 *
 * Technique: the 30-byte IPX header at fixed offsets; the length printed for the payload is the
 * header's own length field minus the header, as tcpdump does (frames are often padded). Entries
 * of SAP (64 bytes) and RIP (8 bytes) are read while they were captured; a cut one ends the line
 * with tcpdump's "[|ipx]".
 */
import { macAt } from '../addr.ts';
import { be16, be32, hex, type L2Options } from './l2.ts';

/** SAP service type names tcpdump prints without -n (those confirmed on captures). */
const SAP_NAMES: ReadonlyMap<number, string> = new Map([
  [0x030c, 'IntelNetport2/HP JetDirect/HP Quicksilver'],
  [0x064e, 'MicrosoftIIS'],
]);

function addr(p: Uint8Array, off: number): string {
  return `${hex(be32(p, off), 8)}.${macAt(p, off + 4)}`;
}

/**
 * IPX at `off` (captured up to `end`): tcpdump's text, and whether it is reproduced exactly.
 * Without -e the line starts with "IPX ".
 */
export function ipx(p: Uint8Array, off: number, end: number, o: L2Options): { text: string; exact: boolean } {
  let s = o.linkHeader ? '' : 'IPX ';
  if (end < off + 30) return { text: `${s}[|ipx]`, exact: false };
  s += `${addr(p, off + 18)}.${hex(be16(p, off + 28), 4)} > ${addr(p, off + 6)}.${hex(be16(p, off + 16), 4)}: `;
  const total = be16(p, off + 2);
  if (total < 30) return { text: `${s}[length ${total} < 30] (invalid)`, exact: true };
  const len = total - 30;
  const d = off + 30;
  const dport = be16(p, off + 16);
  switch (dport) {
    case 0x0452: {
      // SAP: operation, then up to 8 entries of type, 48-byte name, address, socket, hops.
      if (end < d + 2) return { text: `${s}[|ipx]`, exact: false };
      const op = be16(p, d);
      if (op !== 2 && op !== 4) return { text: `${s}ipx-sap-?${hex(op, 1)}`, exact: false };
      s += op === 2 ? 'ipx-sap-resp' : 'ipx-sap-nearest-resp';
      let exact = true;
      let rest = len - 2;
      for (let e = d + 2, i = 0; i < 8 && rest > 0; i++, e += 64, rest -= 64) {
        if (end < e + 2) return { text: `${s}[|ipx]`, exact: false };
        const type = be16(p, e);
        const name = o.names ? SAP_NAMES.get(type) : undefined;
        if (o.names && name === undefined) exact = false;
        s += ` ${name ?? hex(type, 4)} '`;
        let i2 = e + 2;
        for (; i2 < e + 50 && i2 < end && p[i2] !== 0; i2++) {
          const c = p[i2]!;
          if (c < 0x20 || c > 0x7e) exact = false;
          s += String.fromCharCode(c);
        }
        if (end < e + 60) return { text: `${s}[|ipx]`, exact: false };
        s += `' addr ${addr(p, e + 50)}`;
      }
      return { text: s, exact };
    }
    case 0x0453: {
      // RIP: operation, then entries of network, hops, ticks.
      if (end < d + 2) return { text: `${s}[|ipx]`, exact: false };
      const op = be16(p, d);
      if (op !== 2) return { text: `${s}ipx-rip-${op}`, exact: false };
      s += 'ipx-rip-resp';
      for (let e = d + 2, rest = len - 2; rest > 0; e += 8, rest -= 8) {
        if (end < e + 8) return { text: `${s}[|ipx]`, exact: false };
        s += ` ${hex(be32(p, e), 8)}/${be16(p, e + 4)}.${be16(p, e + 6)}`;
      }
      return { text: s, exact: true };
    }
    case 0x0455:
      return { text: `${s}ipx-netbios ${len}`, exact: true };
    case 0x0553:
      return { text: `${s}ipx-nwlink-dgm ${len}`, exact: true };
    default:
      return { text: `${s}ipx-#${dport.toString(16)} ${len}`, exact: true };
  }
}
