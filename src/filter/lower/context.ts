/**
 * The lowering context: the immutable encapsulation context (`Ctx`) threaded left to right
 * through an expression, the compile options lowering needs, and the scratch-slot layout.
 *
 * Scratch memory M[0..15]: blocks use M[0..SCRATCH_SLOTS-1] for arithmetic, each block on its
 * own; the higher slots hold offsets computed at run time and read by later blocks: Geneve's
 * inner offsets (10, 11, 12), the protochain walk (13), and the link-header prologues (14, 15).
 */
import { UserError } from '../../errors.ts';
import type { NameResolver } from '../names.ts';
import { linkInfo } from './link.ts';
import type { LinkInfo } from './link.ts';
import { VAR_SLOT } from './prologue.ts';

export { VAR_SLOT, LINK_SLOT } from './prologue.ts';

/** Immutable encapsulation context, threaded left to right through the expression. */
export interface Ctx {
  link: LinkInfo;
  /** Kind of the protocol field currently in effect (changes after mpls / pppoes). */
  kind: LinkInfo['kind'];
  /** Offset of the current protocol field (absolute, or slot-relative: see slotBase). */
  typeOff: number;
  /** Offset of the current network-layer header (absolute, or slot-relative). */
  nlOff: number;
  /** Number of MPLS labels seen so far. */
  mplsDepth: number;
  /** True once `vlan`/`mpls`/`pppoes` moved the offsets. */
  shifted: boolean;
  /**
   * True when the link header has a variable length (802.11, radio headers, pflog): then
   * `nlOff` (and for 802.11 `typeOff`) are slot-relative to VAR_SLOT (see slotBase).
   */
  variable: boolean;
  /**
   * Where `link[]`/`ether[]` start when an encapsulation moved the link header (after `pppoes`
   * the link header is the PPP header inside the session; libpcap keeps that for the rest of
   * the expression). Undefined: the link type's own (LinkInfo.linkOff, default 0).
   */
  linkBase?: number;
}

/**
 * Where the program will run, which changes what libpcap generates (see CompileOptions.context):
 * 'savefile' (`tcpdump -r`), 'live' (`tcpdump -i`), 'dead' (`tcpdump -d -y`, no handle).
 */
export type CompileContext = 'savefile' | 'live' | 'dead';

export interface GenOptions {
  linkType: number;
  netmask?: number;
  /** Compile context; lowering treats undefined as 'dead'. */
  context?: CompileContext;
  /** Savefile context: the file was written in the other byte order than this machine's. */
  swapped?: boolean;
  resolver: NameResolver;
  source: string;
}

/** IP protocol numbers. */
export const IPPROTO = { ICMP: 1, IGMP: 2, TCP: 6, IGRP: 9, UDP: 17, ESP: 50, AH: 51, ICMPV6: 58, PIM: 103, VRRP: 112, SCTP: 132, FRAGMENT: 44 } as const;

/** BSD address families as Linux numbers them (what libpcap 1.10.3 on Linux compares with). */
export const AF_INET = 2, AF_INET6 = 10;
/** Linux socket-filter ancillary loads (SKF_AD_OFF + SKF_AD_PKTTYPE / SKF_AD_IFINDEX). */
export const SKF_AD_PKTTYPE = 0xfffff004, SKF_AD_IFINDEX = 0xfffff008;
/** Scratch slot of the protochain walk (see protochain.ts). */
export const PROTOCHAIN_SLOT = 13;
/**
 * Slots written by `geneve` (see encap.ts): the inner link header (where the encapsulated
 * frame starts), the inner protocol field and the inner network layer. These are symbolic:
 * the n-th `geneve` of an expression gets GENEVE_SLOTS + 3n (+ 0 link, + 1 type, + 2 nl), and
 * index.ts renumbers them to the registers libpcap's allocator handed out (lower/registers.ts).
 */
export const GENEVE_SLOTS = 16;
export interface GeneveSlots { link: number; type: number; nl: number }
export function geneveSlots(n: number): GeneveSlots {
  return { link: GENEVE_SLOTS + 3 * n, type: GENEVE_SLOTS + 3 * n + 1, nl: GENEVE_SLOTS + 3 * n + 2 };
}
/** Scratch slots usable inside one block (13 protochain's, 14-15 the prologues'). */
export const SCRATCH_SLOTS = 10;

export function initialCtx(linkType: number, source: string): Ctx {
  const link = linkInfo(linkType);
  if (!link) {
    throw new UserError('FILTER_LINKTYPE', `link type ${linkType} is not supported by the filter compiler`, { span: { start: 0, end: source.length }, source });
  }
  const variable = link.prologue !== undefined || link.radio !== undefined;
  const base = variable ? slotBase(VAR_SLOT) : 0;
  // The protocol field is behind the variable header only for 802.11 (its LLC header); pflog's
  // address family is in its fixed part.
  const typeBase = link.kind === 'llc' ? base : 0;
  return { link, kind: link.kind, typeOff: typeBase + link.typeOff, nlOff: base + link.nlOff, mplsDepth: 0, shifted: false, variable };
}

/**
 * Offsets relative to a scratch slot. Where a header starts at a packet offset known only at
 * run time (behind an 802.11 header, inside Geneve), the offset is encoded as
 * `slotBase(slot) + k`, meaning "M[slot] + k"; `at()` turns it into `ldx M[slot]; ld [x + k]`.
 * Plain offsets stay below SLOT_TAG, so the encoding survives the `+ k` arithmetic of lowering.
 */
const SLOT_TAG = 0x1000000;
export function slotBase(slot: number): number {
  return (slot + 1) * SLOT_TAG;
}
export function slotOf(off: number): number | undefined {
  return off >= SLOT_TAG ? Math.floor(off / SLOT_TAG) - 1 : undefined;
}
export function untag(off: number): number {
  return off % SLOT_TAG;
}
