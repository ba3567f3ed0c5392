/**
 * What the link-layer decoders in this folder hand back to the packet printer, and the byte
 * readers they share.
 *
 * Technique: each decoder is a pure function of the packet bytes (where its header starts, the
 * length on the wire, where the captured bytes end) and the print options. It returns the text
 * of its own layer and, when another layer follows that the printer already dissects (IPv4,
 * IPv6, ARP, another ethertype), where that layer starts — the printer appends the text and
 * carries on from there, the way tcpdump's printers hand (bytes, length) to the next one. A
 * decoder never guesses: when a packet is one it does not reproduce exactly, `approx` is set and
 * the printer marks the line so (the golden tests then do not require it to equal tcpdump's).
 */

export interface L2Options {
  quiet: boolean;
  linkHeader: boolean;
  verbose: number;
  /** Names are on (tcpdump without -n). */
  names: boolean;
  /** -x/-X/-A given: tcpdump's default hex print of undecoded bytes is left out. */
  dumps: boolean;
}

/** The layer that follows, for the packet printer to dissect. */
export interface L2Next {
  /** An ethertype (0x0800, 0x86dd, 0x0806, 0x8100 …). */
  type: number;
  off: number;
  /** Length on the wire from `off`. */
  len: number;
  /** Where the captured bytes for this layer end. */
  end: number;
}

export interface L2Result {
  text: string;
  approx?: boolean;
  next?: L2Next;
  /** Where -x/-X/-A dumps of this packet start, when the decoder knows it. */
  hdrlen?: number;
}

export { be16, be32 } from '../ip/bytes.ts';
export function le16(p: Uint8Array, o: number): number {
  return p[o]! | (p[o + 1]! << 8);
}
export function le32(p: Uint8Array, o: number): number {
  return (p[o]! | (p[o + 1]! << 8) | (p[o + 2]! << 16) | (p[o + 3]! << 24)) >>> 0;
}
export function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Bytes as lowercase hex without separators. */
export function hexBytes(p: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += hex(p[off + i]!, 2);
  return s;
}

/** A result for a packet the decoder does not reproduce: tcpdump's header part plus a marker. */
export function approx(text: string): L2Result {
  return { text, approx: true };
}

/**
 * OUIs that tcpdump's table may name (Cisco, IEEE 802.1/802.3, ITU-T, Juniper, …): a MAC address
 * with one of these is printed without a name here and the line marked approximate.
 */
const NAMED_OUIS: ReadonlySet<number> = new Set([0x000000, 0x00000c, 0x0000f8, 0x0080c2, 0x00120f, 0x0019a7, 0x00e02b, 0x00d0ca, 0x000585, 0x00601d, 0x0007e9, 0x001018, 0x000a99, 0x00a0c5, 0x0014cd]);

/**
 * A MAC address as tcpdump prints it in a line's own text: with names on (no -n) and no ethers
 * entry, followed by the vendor part, " (oui Unknown)" for a vendor it does not name.
 * `exact` is false when the vendor might have a name in tcpdump's table.
 */
export function macText(p: Uint8Array, off: number, names: boolean): { text: string; exact: boolean } {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + hex(p[off + i]!, 2);
  if (!names) return { text: s, exact: true };
  const oui = (p[off]! << 16) | (p[off + 1]! << 8) | p[off + 2]!;
  return { text: `${s} (oui Unknown)`, exact: !NAMED_OUIS.has(oui) };
}

/**
 * tcpdump's `print_unknown_data`/`hex_print`: `len` bytes from `off` (cut at `end`), each line
 * `${indent}0x%04x: ` and then 2-byte groups preceded by a space (an odd last byte alone).
 */
export function hexPrint(p: Uint8Array, off: number, len: number, end: number, indent: string): string {
  const n = Math.max(0, Math.min(len, end - off));
  let s = '';
  for (let i = 0; i < n; i += 2) {
    if (i % 16 === 0) s += `${indent}0x${hex(i, 4)}: `;
    s += i + 1 < n ? ` ${hex(p[off + i]!, 2)}${hex(p[off + i + 1]!, 2)}` : ` ${hex(p[off + i]!, 2)}`;
  }
  return s;
}

/** tcpdump's `bittok2str`: the names of the bits set, joined by ", ", or `none` when none is. */
export function bitNames(table: ReadonlyArray<readonly [number, string]>, v: number, none: string): string {
  const names = table.filter(([bit]) => bit !== 0 && (v & bit) === bit).map(([, n]) => n);
  return names.length > 0 ? names.join(', ') : none;
}

/** One byte as tcpdump's `fn_print_char` shows it: `M-` for the high bit, `^X` for controls. */
export { printChar as safeChar } from '../ip/bytes.ts';

/** tcpdump's `oui_values`: organisation names by OUI (the first entry wins for 0x0080c2). */
export const OUI_NAMES: ReadonlyMap<number, string> = new Map([
  [0x000000, 'Ethernet'], [0x00000c, 'Cisco'], [0x00005e, 'IANA'], [0x000081, 'Nortel Networks SONMP'], [0x0000f8, 'Cisco bridged'],
  [0x0080c2, 'Ethernet bridged'], [0x00a03e, 'ATM Forum'], [0x00e02f, 'DOCSIS Spanning Tree'], [0x080007, 'Appletalk'], [0x009069, 'Juniper'],
  [0x080009, 'Hewlett-Packard'], [0x00120f, 'IEEE 802.3 Private'], [0x0012bb, 'ANSI/TIA'], [0x001b21, 'DCBX'], [0x002320, 'Nicira Networks'],
  [0x5c16c7, 'Big Switch Networks'], [0xb0d2f5, 'Vello Systems'], [0x002481, 'HP'], [0x0004ea, 'HP-Labs'], [0x748771, 'Infoblox Inc'],
  [0xa42305, 'Open Networking Lab'], [0x00049f, 'Freescale'], [0x0015ad, 'Netronome'], [0x001018, 'Broadcom'], [0x00e004, 'PMC-Sierra'],
  [0xd0f0db, 'Ericsson'],
]);
