/**
 * Lowering: AST → CFG fragments, following libpcap 1.10.3's semantics per primitive.
 *
 * The walk is left to right and threads an immutable encapsulation context (`Ctx`, see
 * context.ts): `vlan`, `mpls`, `pppoes` and `geneve` return a new context whose offsets are
 * shifted, and every primitive written after them (textually, whatever the boolean structure)
 * uses the shifted offsets — libpcap's behaviour, without its mutable compiler state.
 *
 * This file has the walk, the link layer ("the next protocol is P"), IPv4/IPv6 and transport
 * primitives (host, net, port, proto, gateway); the other families live beside it:
 * encap.ts (vlan, mpls, pppoes, geneve), arith.ts (relations, `proto[expr:size]`),
 * protochain.ts, link-fields.ts (802.11, MTP2/MTP3, SunATM, pflog fields).
 *
 * Every test block recomputes what it tests from the packet (see cfg.ts); redundant loads are
 * left for the optimizer. Transport-layer fields of IPv4 are read through X = IP header length
 * (`ldxb 4*([nl]&0xf)`), and only in the first fragment (`ldh [nl+6]; jset #0x1fff`), like libpcap.
 */
import { UserError } from '../../errors.ts';
import type { Span } from '../../errors.ts';
import type { Ast, Keyword, Primitive, Quals } from '../ast.ts';
import { and, andAll, FALSE, not, or, orAll, test, TRUE } from '../cfg.ts';
import type { Frag, Stmt } from '../cfg.ts';
import * as I from '../insn.ts';
import { ETHERTYPE, LANE_LINK, linkInfo, LLCSAP, nlNosnap, PPP_PROTO } from './link.ts';
import { parseIPv6, parseMac } from '../names.ts';
import { AF_INET, AF_INET6, GENEVE_SLOTS, IPPROTO, LINK_SLOT, SKF_AD_IFINDEX, SKF_AD_PKTTYPE, slotBase, slotOf, untag, VAR_SLOT } from './context.ts';
import type { Ctx, GenOptions } from './context.ts';
import { relation } from './arith.ts';
import { geneve, mpls, pppoes, vlan } from './encap.ts';
import { atmField, byteOp, mtp2Type, mtp3Field, pflogField, wlanAddr, wlanField } from './link-fields.ts';
import { protochain } from './protochain.ts';
import { RegisterFile } from './registers.ts';
import { linkTypeByLinkType } from '../../capture/link-types.ts';

export { initialCtx, slotBase, VAR_SLOT, LINK_SLOT } from './context.ts';
export type { Ctx, GenOptions } from './context.ts';

/** Built-in names for `ether proto NAME` / `proto NAME` (libpcap's table of link protocols). */
const LINK_PROTO_NAMES: ReadonlyMap<string, number> = new Map([
  ['ip', ETHERTYPE.IP], ['ip6', ETHERTYPE.IPV6], ['arp', ETHERTYPE.ARP], ['rarp', ETHERTYPE.REVARP],
  ['atalk', ETHERTYPE.ATALK], ['aarp', ETHERTYPE.AARP], ['decnet', ETHERTYPE.DN], ['sca', ETHERTYPE.SCA],
  ['lat', ETHERTYPE.LAT], ['mopdl', ETHERTYPE.MOPDL], ['moprc', ETHERTYPE.MOPRC], ['iso', LLCSAP.ISONS],
  ['stp', LLCSAP.STP], ['ipx', LLCSAP.IPX], ['netbeui', LLCSAP.NETBEUI],
  ['pup', 0x0200], ['xns', 0x0600], ['sprite', 0x0500], ['lanbridge', 0x8038], ['decdns', 0x803c],
  ['decdts', 0x803e], ['vexp', 0x805b], ['vprod', 0x805c], ['atalkarp', ETHERTYPE.AARP], ['loopback', 0x9000],
]);

/** OSI network-layer protocol identifiers (after the 3-byte LLC header) and IS-IS PDU types. */
const ISO_NLPID = { CLNP: 0x81, ESIS: 0x82, ISIS: 0x83 } as const;
const ISIS_PDUS: Record<string, number[]> = {
  l1: [0x1a, 0x18, 0x12, 0x0f, 0x11], l2: [0x1b, 0x19, 0x14, 0x10, 0x11], iih: [0x0f, 0x10, 0x11],
  lsp: [0x12, 0x14], snp: [0x1b, 0x1a, 0x18, 0x19], csnp: [0x18, 0x19], psnp: [0x1a, 0x1b],
};

/** IP-level protocol primitives: number, and which IP versions they apply to. */
const IP_PROTOS: ReadonlyMap<string, { p: number; v4: boolean; v6: boolean }> = new Map([
  ['tcp', { p: IPPROTO.TCP, v4: true, v6: true }], ['udp', { p: IPPROTO.UDP, v4: true, v6: true }],
  ['sctp', { p: IPPROTO.SCTP, v4: true, v6: true }], ['icmp', { p: IPPROTO.ICMP, v4: true, v6: false }],
  ['igmp', { p: IPPROTO.IGMP, v4: true, v6: false }], ['igrp', { p: IPPROTO.IGRP, v4: true, v6: false }],
  ['pim', { p: IPPROTO.PIM, v4: true, v6: true }], ['vrrp', { p: IPPROTO.VRRP, v4: true, v6: false }],
  ['carp', { p: IPPROTO.VRRP, v4: true, v6: false }], ['icmp6', { p: IPPROTO.ICMPV6, v4: false, v6: true }],
  ['ah', { p: IPPROTO.AH, v4: true, v6: true }], ['esp', { p: IPPROTO.ESP, v4: true, v6: true }],
]);

/** Protocols that are link-level "next protocol" values. */
const LINK_LEVEL: ReadonlyMap<string, number> = new Map([
  ['ip', ETHERTYPE.IP], ['ip6', ETHERTYPE.IPV6], ['arp', ETHERTYPE.ARP], ['rarp', ETHERTYPE.REVARP],
  ['atalk', ETHERTYPE.ATALK], ['aarp', ETHERTYPE.AARP], ['decnet', ETHERTYPE.DN], ['lat', ETHERTYPE.LAT],
  ['sca', ETHERTYPE.SCA], ['moprc', ETHERTYPE.MOPRC], ['mopdl', ETHERTYPE.MOPDL], ['iso', LLCSAP.ISONS],
  ['stp', LLCSAP.STP], ['ipx', LLCSAP.IPX], ['netbeui', LLCSAP.NETBEUI],
]);


/** Lowers an AST for one link type; one instance per compilation. */
export class Lowerer {
  constructor(readonly o: GenOptions) {}

  /** True while lowering the implied ARP/RARP parts of a protocol-less `host`/`net`. */
  implicitProto = false;

  /** Span of the primitive being lowered (for errors raised deep in link-layer code). */
  curSpan: Span = { start: 0, end: 0 };

  /** Set when some code read the variable link-header length: the prologue is then needed. */
  usedVariable = false;
  /** The link type libpcap compiles for after the last `pppoes` (PPP) or `geneve` (Ethernet) so far. */
  pushedLink: 'PPP' | 'EN10MB' | undefined = undefined;
  /** Set when a relation too deep for our scratch slots was generated in libpcap's registers (arith.ts). */
  usedRegisters = false;
  /** Set when code read 802.11 header fields behind a radio header (needs LINK_SLOT). */
  usedLink = false;
  /**
   * Set when the program computes a variable header offset the way libpcap 1.10.3 disables
   * its optimizer for (the 802.11 header length, Geneve): libpcap then emits the unoptimized
   * program, so we do too — same loads, same verdicts on truncated packets.
   */
  noOptimize = false;

  /**
   * Set once `pppoes` or `geneve` appears anywhere: libpcap 1.10.3 then compiles the rest for
   * PPP / Ethernet and never switches back, and its link-header prologue, built at the end,
   * sees that link type (on radiotap it then leaves out the padding adjustment).
   */
  linkPushed = false;

  /** libpcap's register allocator (802.11 links: see registers.ts). */
  readonly regs = new RegisterFile();
  /** The register libpcap assigned to VAR_SLOT / LINK_SLOT on 802.11 links, in first-use order. */
  readonly varRegs = new Map<number, number>();

  /**
   * libpcap's register allocation is emulated program-wide when the capture's link type is
   * 802.11 (see registers.ts), also inside encapsulations that change the link type.
   */
  get wlanRegs(): boolean { return linkInfo(this.o.linkType)?.wlan === true; }

  /**
   * Set (before lowering) when the expression has a `geneve`: its registers come from
   * libpcap's allocator too, so arithmetic is then generated in libpcap's registers as on
   * 802.11 (arith.ts), and the same slots hold the same values on every path.
   */
  hasGeneve = false;
  /** How many `geneve`s were lowered so far (each gets its own slots: context.ts). */
  geneveCount = 0;
  /** Arithmetic and protochain use libpcap's register allocation (see wlanRegs, hasGeneve). */
  get regMode(): boolean { return this.wlanRegs || this.hasGeneve; }

  /**
   * The link layer libpcap compiles for at this point is still 802.11 (not PPP after `pppoes`,
   * not Ethernet after `geneve`): 802.11 addresses, frame types and data-frame checks apply.
   */
  wlanHere(ctx: Ctx): boolean { return ctx.link.wlan === true && ctx.kind === 'llc'; }

  /** A register for arithmetic, or the error libpcap reports when none is left. */
  allocReg(): number {
    const r = this.regs.alloc();
    if (r === undefined) this.err('FILTER_TOO_COMPLEX', 'too many registers needed to evaluate expression', this.curSpan);
    return r;
  }

  /** First use of a variable-offset slot on an 802.11 link: libpcap allocates its register now. */
  useVarReg(ctx: Ctx, slot: number): void {
    if (ctx.link.wlan && !this.varRegs.has(slot)) this.varRegs.set(slot, this.allocReg());
  }

  /** A = 802.11-header byte(s) at `off` (behind the radio header, if the link type has one). */
  wl(ctx: Ctx, off: number, size: 1 | 2 | 4): Stmt[] {
    if (!ctx.link.radio) return [I.ldAbs(off, size)];
    this.usedLink = true;
    this.useVarReg(ctx, LINK_SLOT);
    return [I.ldxMem(LINK_SLOT), I.ldInd(off, size)];
  }

  noteSlot(ctx: Ctx | undefined, slot: number): void {
    if (slot === VAR_SLOT) {
      if (!ctx) throw new Error('noteSlot: VAR_SLOT needs the context');
      this.usedVariable = true;
      this.useVarReg(ctx, VAR_SLOT);
      if (ctx.link.wlan) this.noOptimize = true;
    } else if (slot >= GENEVE_SLOTS) {
      this.noOptimize = true;
    }
  }

  /** A = pkt[off:size]; `off` may be slot-relative (see slotBase). */
  at(ctx: Ctx, off: number, size: 1 | 2 | 4): Stmt[] {
    void ctx;
    const slot = slotOf(off);
    if (slot === undefined) return [I.ldAbs(off, size)];
    this.noteSlot(ctx, slot);
    return [I.ldxMem(slot), I.ldInd(untag(off), size)];
  }

  /**
   * A = pkt[off + delta:size] where `delta` may be negative and `off` slot-relative: libpcap
   * 1.10.3 reads the MPLS label before the network layer at `off_nl - 2` of the link payload,
   * which right after `geneve` is `ld [x + 0xfffffffe]` (a load that always fails).
   */
  atDelta(ctx: Ctx, off: number, delta: number, size: 1 | 2 | 4): Stmt[] {
    const slot = slotOf(off);
    if (slot === undefined) return this.at(ctx, off + delta, size);
    this.noteSlot(ctx, slot);
    return [I.ldxMem(slot), I.ldInd((untag(off) + delta) >>> 0, size)];
  }

  /** X = offset of the IPv4 payload minus nlOff (X = 4*(ip[0]&0xf), plus the variable header length). */
  ipHdrLenX(ctx: Ctx): Stmt[] {
    const slot = slotOf(ctx.nlOff);
    if (slot === undefined) return [I.ldxMsh(ctx.nlOff)];
    this.noteSlot(ctx, slot);
    return [I.ldxMem(slot), I.ldInd(untag(ctx.nlOff), 1), I.aluK(I.AND, 0x0f), I.aluK(I.LSH, 2), I.aluX(I.ADD), I.tax()];
  }

  /**
   * The errors libpcap 1.10.3's optimizer reports while folding a statement (a constant divisor
   * 0, a constant shift count > 31), by the statement: compile() throws the first one whose
   * statement is still reachable after optimizing (libpcap folds only the blocks it kept).
   */
  deferredOptErrors = new Map<Stmt, UserError>();

  optError(code: string, msg: string, span: Span, at: Stmt): void {
    this.deferredOptErrors.set(at, new UserError(code, msg, { span, source: this.o.source }));
  }

  err(code: string, msg: string, span: Span): never {
    throw new UserError(code, msg, { span, source: this.o.source });
  }

  // ---- boolean structure -------------------------------------------------------------------

  /**
   * Lowers the boolean structure with an explicit stack (post-order), not recursion, so nesting
   * depth is bounded by memory rather than the JavaScript stack: 100,000 nested parentheses or
   * `not`s, or a 100,000-term `or` chain, lower like short ones. The encapsulation context flows
   * left to right: a node's left operand starts from the node's context, its right operand from
   * the context the left one left behind.
   */
  gen(ast: Ast, ctx: Ctx): { f: Frag; ctx: Ctx } {
    interface Job { node: Ast; ctx: Ctx; step: number; left?: { f: Frag; ctx: Ctx } }
    const jobs: Job[] = [{ node: ast, ctx, step: 0 }];
    let ret: { f: Frag; ctx: Ctx } = { f: TRUE, ctx };
    while (jobs.length > 0) {
      const j = jobs[jobs.length - 1]!;
      const n = j.node;
      switch (n.type) {
        case 'paren':
        case 'not':
          if (j.step++ === 0) { jobs.push({ node: n.type === 'paren' ? n.inner : n.operand, ctx: j.ctx, step: 0 }); continue; }
          jobs.pop();
          if (n.type === 'not') ret = { f: not(ret.f), ctx: ret.ctx };
          continue;
        case 'and':
        case 'or':
          if (j.step === 0) { j.step = 1; jobs.push({ node: n.left, ctx: j.ctx, step: 0 }); continue; }
          if (j.step === 1) { j.step = 2; j.left = ret; jobs.push({ node: n.right, ctx: ret.ctx, step: 0 }); continue; }
          jobs.pop();
          ret = { f: n.type === 'and' ? and(j.left!.f, ret.f) : or(j.left!.f, ret.f), ctx: ret.ctx };
          continue;
        default:
          jobs.pop();
          ret = this.genLeaf(n, j.ctx);
      }
    }
    return ret;
  }

  /** A primitive, keyword or relation (the leaves of the boolean structure). */
  private genLeaf(ast: Exclude<Ast, { type: 'and' | 'or' | 'not' | 'paren' }>, ctx: Ctx): { f: Frag; ctx: Ctx } {
    switch (ast.type) {
      case 'empty': return { f: TRUE, ctx };
      case 'rel': this.curSpan = ast.span; return { f: relation(this, ast.op, ast.left, ast.right, ctx), ctx };
      case 'prim': this.curSpan = ast.span; return { f: this.primitive(ast, ctx), ctx };
      case 'kw': this.curSpan = ast.span; return this.keyword(ast, ctx);
    }
  }

  // ---- link layer -----------------------------------------------------------------------------

  /** "The link layer carries protocol `p`" (an Ethernet type, or an LLC SAP below 1500). */
  /**
   * LANE (after `lane`): Ethernet-level tests (protocol, MAC addresses, broadcast, multicast)
   * hold only in frames that are not LE Control, whose 2-byte LE header is 0xff00.
   */
  notLeControl(ctx: Ctx, f: Frag): Frag {
    if (!ctx.link.lane || ctx.kind !== 'ether' || ctx.mplsDepth > 0) return f;
    return and(not(test([I.ldh(4)], I.JEQ_K, 0xff00)), f);
  }

  linkProto(ctx: Ctx, p: number): Frag {
    const inner = this.linkProtoInner(ctx, p);
    if (ctx.link.lane) return this.notLeControl(ctx, inner);
    // 802.11: only data frames carry a payload (also behind VLAN tags: libpcap checks the frame
    // type whenever the link is still 802.11 — not after mpls, pppoes or geneve).
    if (ctx.link.wlan && ctx.kind === 'llc' && !(inner.kind === 'const' && !inner.value)) {
      return andAll([not(test(this.wl(ctx, 0, 1), I.JSET_K, 0x04)), test(this.wl(ctx, 0, 1), I.JSET_K, 0x08), inner]);
    }
    return inner;
  }

  linkProtoInner(ctx: Ctx, p: number): Frag {
    const t = ctx.typeOff;
    if (ctx.link.plainType && !ctx.shifted && (ctx.kind === 'ether' || ctx.kind === 'sll')) return test([...this.at(ctx, t, 2)], I.JEQ_K, p);
    switch (ctx.kind) {
      // LocalTalk carries AppleTalk and nothing else libpcap can name; MTP2 has no protocol
      // field libpcap 1.10.3 knows, so naming any protocol there is an error.
      case 'none':
        if (ctx.link.name === 'LTALK') return p === ETHERTYPE.ATALK ? TRUE : FALSE;
        return this.err('FILTER_LINK_UNSUPPORTED', `${linkTypeByLinkType(this.o.linkType)?.description ?? ctx.link.name} link-layer type filtering not implemented`, this.curSpan);
      case 'magic': return test([I.ld(0), I.aluK(I.AND, ctx.link.magic!.mask)], I.JEQ_K, ctx.link.magic!.value);
      case 'opaque':
        return this.err('FILTER_LINK_UNSUPPORTED', `${ctx.link.description ?? ctx.link.name} link-layer type filtering not implemented`, this.curSpan);
      case 'atm':
        // SunATM: only LLC-multiplexed traffic (low nibble of the flags byte is 2) has a protocol.
        return and(test([I.ldb(0), I.aluK(I.AND, 0x0f)], I.JEQ_K, 2), this.linkProtoInner({ ...ctx, kind: 'llc' }, p));
      case 'arcnet': {
        const ids = p === ETHERTYPE.IP ? [0xd4, 0xf0] : p === ETHERTYPE.IPV6 ? [0xc4] : p === ETHERTYPE.ARP ? [0xd5, 0xf1]
          : p === ETHERTYPE.REVARP ? [0xd6] : p === ETHERTYPE.ATALK ? [0xdd] : [];
        return orAll(ids.map((id) => test([I.ldb(t)], I.JEQ_K, id)));
      }
      case 'ppp-bsdos': {
        // IP also travels as Van Jacobson compressed / uncompressed TCP.
        const ids = p === ETHERTYPE.IP ? [0x21, 0x2d, 0x2f] : [PPP_PROTO.get(p) ?? p];
        return orAll(ids.map((id) => test([I.ldh(t)], I.JEQ_K, id)));
      }
      case 'llc':
        // An 802.2 LLC header at t (SNAP: aa aa 03, OUI, type) as on FDDI, token ring, 802.11.
        if (p === LLCSAP.ISONS || p === LLCSAP.NETBEUI || p === LLCSAP.IP) return test(this.at(ctx, t, 2), I.JEQ_K, (p << 8) | p);
        if (p <= 1500) return test(this.at(ctx, t, 1), I.JEQ_K, p);
        // AppleTalk: SNAP with Apple's OUI 08:00:07. Every other Ethernet type (AARP too) is
        // checked only where a SNAP header would hold it, as libpcap 1.10.3 does.
        if (p === ETHERTYPE.ATALK) {
          return and(test(this.at(ctx, t + 4, 4), I.JEQ_K, ((0x0007 << 16) | p) >>> 0), test(this.at(ctx, t, 4), I.JEQ_K, 0xaaaa0308));
        }
        return test(this.at(ctx, t + 6, 2), I.JEQ_K, p);
      case 'chdlc':
        // Cisco HDLC: an Ethernet type, or 0xfefe for OSI.
        if (p === LLCSAP.ISONS) return test(this.at(ctx, t, 2), I.JEQ_K, 0xfefe);
        // Other values, SAPs too, are compared with the protocol field as they are.
        return test(this.at(ctx, t, 2), I.JEQ_K, p);
      case 'ether':
        if (p <= 1500) return this.etherLlc(ctx, p);
        if (p === ETHERTYPE.ATALK || p === ETHERTYPE.AARP) {
          // Ethernet II, or 802.3 + SNAP with the matching OUI (Apple's for AppleTalk, 0 for AARP).
          const oui = p === ETHERTYPE.ATALK ? 0x080007 : 0;
          const llc = this.llcOff(ctx);
          const snap = andAll([
            not(test([...this.at(ctx, t, 2)], I.JGT_K, 1500)),
            test([...this.at(ctx, llc + 4, 4)], I.JEQ_K, ((oui & 0xffff) << 16 | p) >>> 0),
            test([...this.at(ctx, llc, 4)], I.JEQ_K, (0xaaaa0300 | (oui >>> 16)) >>> 0),
          ]);
          return or(test([...this.at(ctx, t, 2)], I.JEQ_K, p), snap);
        }
        if (p === ETHERTYPE.IPX) return this.etherLlc(ctx, LLCSAP.IPX);
        return test([...this.at(ctx, t, 2)], I.JEQ_K, p);
      case 'sll':
        if (p <= 1500) {
          // Linux cooked headers carry 802.2 frames as protocol LINUX_SLL_P_802_2 (4).
          if (p === LLCSAP.IPX) {
            // IPX: Ethernet II type, 802.3 raw (protocol 1), or 802.2 (protocol 4) with SNAP or SAP 0xe0.
            const snap = and(test([...this.at(ctx, t + 6, 4)], I.JEQ_K, ETHERTYPE.IPX), test([...this.at(ctx, t + 2, 4)], I.JEQ_K, 0xaaaa0300));
            return orAll([test([...this.at(ctx, t, 2)], I.JEQ_K, ETHERTYPE.IPX), test([...this.at(ctx, t, 2)], I.JEQ_K, 1),
              and(test([...this.at(ctx, t, 2)], I.JEQ_K, 4), or(test([...this.at(ctx, t + 2, 1)], I.JEQ_K, LLCSAP.IPX), snap))]);
          }
          const llc = p === LLCSAP.ISONS || p === LLCSAP.NETBEUI || p === LLCSAP.IP ? test([...this.at(ctx, t + 2, 2)], I.JEQ_K, (p << 8) | p)
            : test([...this.at(ctx, t + 2, 1)], I.JEQ_K, p);
          return and(test([...this.at(ctx, t, 2)], I.JEQ_K, 4), llc);
        }
        if (p === ETHERTYPE.ATALK || p === ETHERTYPE.AARP) {
          const oui = p === ETHERTYPE.ATALK ? 0x080007 : 0;
          // The 802.2 LLC/SNAP header follows the protocol field directly.
          const snap = andAll([test([...this.at(ctx, t, 2)], I.JEQ_K, 4),
            test([...this.at(ctx, t + 6, 4)], I.JEQ_K, ((oui & 0xffff) << 16 | p) >>> 0),
            test([...this.at(ctx, t + 2, 4)], I.JEQ_K, (0xaaaa0300 | (oui >>> 16)) >>> 0)]);
          return or(test([...this.at(ctx, t, 2)], I.JEQ_K, p), snap);
        }
        return test([...this.at(ctx, t, 2)], I.JEQ_K, p);
      case 'ppp': {
        const q = PPP_PROTO.get(p) ?? p;
        return test([...this.at(ctx, t, 2)], I.JEQ_K, q);
      }
      case 'af-host':
      case 'af-net':
      case 'af-byte': {
        const af = p === ETHERTYPE.IP ? AF_INET : p === ETHERTYPE.IPV6 ? AF_INET6 : -1;
        if (af < 0) return FALSE;
        // IPNET (Solaris) numbers IPv6 26 (IPH_AF_INET6); pflog uses this machine's AF_INET6.
        if (ctx.kind === 'af-byte') return test([I.ldb(t)], I.JEQ_K, af === AF_INET6 && ctx.link.name === 'IPNET' ? 26 : af);
        // The 4-byte family is in the byte order of the machine that wrote the capture: this
        // machine's (little-endian) unless the savefile is swapped; LOOP's is network order.
        const netOrder = ctx.kind === 'af-net' || (this.o.context === 'savefile' && this.o.swapped === true);
        const word = (a: number) => test([...this.at(ctx, t, 4)], I.JEQ_K, netOrder ? a : (a << 24) >>> 0);
        // A savefile may come from any BSD: libpcap 1.10.3 then accepts each of their AF_INET6
        // values (Darwin 30, NetBSD/OpenBSD 24, FreeBSD 28) instead of this machine's.
        if (af === AF_INET6 && this.o.context === 'savefile' && ctx.link.name !== 'PFLOG') return orAll([30, 24, 28].map(word));
        return word(af);
      }
      case 'ipver': {
        const v = ctx.link.verOff ?? ctx.nlOff;
        if (p === ETHERTYPE.IP) return test([...this.at(ctx, v, 1), I.aluK(I.AND, 0xf0)], I.JEQ_K, 0x40);
        if (p === ETHERTYPE.IPV6) return test([...this.at(ctx, v, 1), I.aluK(I.AND, 0xf0)], I.JEQ_K, 0x60);
        return FALSE;
      }
      case 'fr':
        // Frame Relay: control byte 0x03 followed by the NLPID (IPv4 0xcc, IPv6 0x8e, OSI 0x81-0x83).
        if (p === ETHERTYPE.IP) return test(this.at(ctx, t, 2), I.JEQ_K, 0x03cc);
        if (p === ETHERTYPE.IPV6) return test(this.at(ctx, t, 2), I.JEQ_K, 0x038e);
        if (p === LLCSAP.ISONS) return orAll([0x0381, 0x0382, 0x0383].map((v) => test(this.at(ctx, t, 2), I.JEQ_K, v)));
        return FALSE;
      case 'mpls': {
        if (p !== ETHERTYPE.IP && p !== ETHERTYPE.IPV6) {
          // Named explicitly (`mpls and arp`) this is an error in libpcap; the ARP/RARP halves
          // of a plain `host`/`net` just never match.
          if (this.implicitProto) return FALSE;
          return this.err('FILTER_BAD_PROTO', 'unsupported protocol over mpls', this.curSpan);
        }
        // The last label must have the bottom-of-stack bit, then look at the IP version.
        return and(test([...this.atDelta(ctx, ctx.nlOff, -2, 1)], I.JSET_K, 0x01),
          test([...this.at(ctx, ctx.nlOff, 1), I.aluK(I.AND, 0xf0)], I.JEQ_K, p === ETHERTYPE.IP ? 0x40 : 0x60));
      }
      case 'ipv4': return p === ETHERTYPE.IP ? TRUE : FALSE;
      case 'ipv6': return p === ETHERTYPE.IPV6 ? TRUE : FALSE;
    }
  }

  /** 802.3 frames (length ≤ 1500 in the type field) whose LLC header announces SAP `p`. */
  etherLlc(ctx: Ctx, p: number): Frag {
    const t = ctx.typeOff;
    const l = this.llcOff(ctx);
    const is8023 = not(test([...this.at(ctx, t, 2)], I.JGT_K, 1500));
    if (p === LLCSAP.ISONS || p === LLCSAP.NETBEUI || p === LLCSAP.IP) return and(is8023, test([...this.at(ctx, l, 2)], I.JEQ_K, (p << 8) | p));
    if (p === LLCSAP.IPX) {
      // IPX: Ethernet II type 0x8137, 802.2 with SAP 0xe0, 802.3 "raw" (0xffff), or SNAP.
      const snap = and(test([...this.at(ctx, l + 4, 4)], I.JEQ_K, ETHERTYPE.IPX), test([...this.at(ctx, l, 4)], I.JEQ_K, 0xaaaa0300));
      const llc = orAll([snap, test([...this.at(ctx, l, 1)], I.JEQ_K, LLCSAP.IPX), test([...this.at(ctx, l, 2)], I.JEQ_K, 0xffff)]);
      return or(test([...this.at(ctx, t, 2)], I.JEQ_K, ETHERTYPE.IPX), and(is8023, llc));
    }
    return and(is8023, test([...this.at(ctx, l, 1)], I.JEQ_K, p));
  }

  /** Offset of the OSI NLPID byte: after the 3-byte LLC header (after 0xfefe + control on C-HDLC). */
  nlpidOff(ctx: Ctx): number {
    if (ctx.kind === 'llc' || ctx.kind === 'atm') return ctx.typeOff + 3;
    if (ctx.kind === 'chdlc') return ctx.typeOff + 3;
    // PPP: the NLPID follows the protocol field directly. Linux cooked headers and the
    // plain-type links: libpcap 1.10.3 reads it at the network-layer offset (on LINUX_SLL that
    // is the LLC DSAP, so `clnp` there never matches a real frame; we do the same).
    if (ctx.kind === 'ppp') return ctx.typeOff + 2;
    if (ctx.kind === 'magic' && ctx.link.nlpid !== undefined) return ctx.link.nlpid;
    // BSD/OS PPP and Frame Relay: at the network layer (for Frame Relay, offset 0 in 1.10.3).
    if (ctx.kind === 'ppp-bsdos' || ctx.kind === 'fr') return ctx.nlOff;
    // Inside Geneve: the inner payload plus the outer link type's offset (see nlNosnap).
    if (ctx.link.geneve && ctx.kind === 'ether') return this.llcOff(ctx) + nlNosnap(ctx.link);
    if ((ctx.kind === 'sll' || ctx.link.plainType) && !ctx.shifted) return ctx.nlOff;
    return this.llcOff(ctx) + 3;
  }

  /** OSI: `iso` and the NLPID after the LLC header is `nlpid`. */
  isoProto(ctx: Ctx, nlpid: number): Frag {
    // Frame Relay: UI control byte then the NLPID, one compare (libpcap 1.10.3).
    if (ctx.kind === 'fr') return test(this.at(ctx, ctx.typeOff, 2), I.JEQ_K, 0x0300 | nlpid);
    return and(this.linkProto(ctx, LLCSAP.ISONS), test(this.at(ctx, this.nlpidOff(ctx), 1), I.JEQ_K, nlpid));
  }

  /** IS-IS PDU type (4 bytes after the NLPID; 3 on C-HDLC, as libpcap 1.10.3 reads it). */
  isisPdu(ctx: Ctx, pdu: number): Frag {
    const off = this.nlpidOff(ctx) + (ctx.kind === 'chdlc' ? 3 : 4);
    return and(this.isoProto(ctx, ISO_NLPID.ISIS), test(this.at(ctx, off, 1), I.JEQ_K, pdu));
  }

  needMac(ctx: Ctx, span: Span): { dst: number; src: number } {
    // After `pppoes` the link layer is PPP: no MAC addresses.
    // After `pppoes` (also behind MPLS labels) libpcap's link type is PPP: no MAC addresses.
    if (this.pushedLink === 'PPP') this.err('FILTER_LINK_UNSUPPORTED', 'ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel', span);
    const m = ctx.link.mac;
    if (!m) this.err('FILTER_LINK_UNSUPPORTED', `ethernet addresses are not supported on link type ${ctx.link.name}`, span);
    return m;
  }

  /**
   * pkt[off:6] == mac, as a 4-byte then a 2-byte compare (802.11-relative when `wctx` is given;
   * `off` may be slot-relative, inside Geneve).
   */
  macEq(off: number, mac: Uint8Array, wctx?: Ctx): Frag {
    const lo = ((mac[2]! << 24) | (mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) >>> 0;
    const hi = (mac[0]! << 8) | mac[1]!;
    if (wctx) return and(test(this.wl(wctx, off + 2, 4), I.JEQ_K, lo), test(this.wl(wctx, off, 2), I.JEQ_K, hi));
    const slot = slotOf(off);
    if (slot !== undefined) {
      this.noteSlot(undefined, slot);
      return and(test([I.ldxMem(slot), I.ldInd(untag(off) + 2, 4)], I.JEQ_K, lo), test([I.ldxMem(slot), I.ldInd(untag(off), 2)], I.JEQ_K, hi));
    }
    return and(test([I.ld(off + 2)], I.JEQ_K, lo), test([I.ldh(off)], I.JEQ_K, hi));
  }

  /**
   * The check libpcap 1.10.3 puts before Ethernet-address tests on an encapsulated link layer:
   * LANE data, not LE Control (see notLeControl); inside Geneve, that the payload is an
   * Ethernet frame, i.e. the inner link header and network layer differ (M[link] != M[nl]).
   */
  prevLinkCheck(ctx: Ctx, f: Frag): Frag {
    const g = ctx.link.geneve;
    if (g) {
      this.noteSlot(undefined, g.link);
      return and(not(test([I.ldMem(g.link), I.ldxMem(g.nl)], I.JEQ_K | I.X, 0)), f);
    }
    return this.notLeControl(ctx, f);
  }

  /**
   * Where the 802.2 LLC header of an Ethernet-kind link starts (libpcap's OR_LLC: the link-layer
   * payload, before any MPLS labels): right after the type field, except inside Geneve, where
   * the payload offset is its own slot (they differ when the payload is not Ethernet).
   */
  llcOff(ctx: Ctx): number {
    const g = ctx.link.geneve;
    if (g && slotOf(ctx.typeOff) === g.type) return slotBase(g.nl) + untag(ctx.typeOff);
    return ctx.typeOff + 2;
  }

  dirCombine(dir: Quals['dir'], src: () => Frag, dst: () => Frag, span: Span, what: string): Frag {
    switch (dir) {
      case 'src': return src();
      case 'dst': return dst();
      case 'src and dst': return and(src(), dst());
      case undefined:
      case 'src or dst': return or(src(), dst());
      default: return this.err('FILTER_BAD_QUAL', `'${dir}' is not a valid qualifier for ${what}`, span);
    }
  }

  // ---- IP layer ---------------------------------------------------------------------------------

  ipv4Field(ctx: Ctx, off: number, size: 1 | 2 | 4): Stmt[] { return this.at(ctx, ctx.nlOff + off, size); }

  /** IPv4 and ip[9] == p */
  ip4Proto(ctx: Ctx, p: number): Frag {
    return and(this.linkProto(ctx, ETHERTYPE.IP), test(this.ipv4Field(ctx, 9, 1), I.JEQ_K, p));
  }

  /** IPv6 and next header == p (directly, or after one fragment header). */
  ip6Proto(ctx: Ctx, p: number): Frag {
    const nl = ctx.nlOff;
    const direct = test([...this.at(ctx, nl + 6, 1)], I.JEQ_K, p);
    const viaFrag = and(test([...this.at(ctx, nl + 6, 1)], I.JEQ_K, IPPROTO.FRAGMENT), test([...this.at(ctx, nl + 40, 1)], I.JEQ_K, p));
    return and(this.linkProto(ctx, ETHERTYPE.IPV6), or(direct, viaFrag));
  }

  /** Not a later fragment: (ip[6:2] & 0x1fff) == 0. */
  firstFrag(ctx: Ctx): Frag {
    return not(test([...this.at(ctx, ctx.nlOff + 6, 2)], I.JSET_K, 0x1fff));
  }

  protoAbbrev(name: string, ctx: Ctx): Frag {
    const ll = LINK_LEVEL.get(name);
    if (ll !== undefined) return this.linkProto(ctx, ll);
    const ipp = IP_PROTOS.get(name);
    if (ipp) {
      const v4 = ipp.v4 ? this.ip4Proto(ctx, ipp.p) : FALSE;
      const v6 = ipp.v6 ? this.ip6Proto(ctx, ipp.p) : FALSE;
      return or(v4, v6);
    }
    return this.err('FILTER_UNSUPPORTED', `'${name}' is not supported`, { start: 0, end: 0 });
  }

  /** Transport port fields: src at +0, dst at +2 from the transport header. */
  portFrag(ctx: Ctx, protos: number[], lo: number, hi: number, dir: Quals['dir'], span: Span, v6only: boolean, v4only: boolean): Frag {
    const nl = ctx.nlOff;
    const cmp4 = (off: number): Frag => {
      const load = [...this.ipHdrLenX(ctx), I.ldInd(untag(nl) + off, 2)];
      return lo === hi ? test(load, I.JEQ_K, lo) : and(test(load, I.JGE_K, lo), not(test([...load], I.JGT_K, hi)));
    };
    const cmp6 = (off: number): Frag => {
      const load = [...this.at(ctx, nl + 40 + off, 2)];
      return lo === hi ? test(load, I.JEQ_K, lo) : and(test(load, I.JGE_K, lo), not(test([...this.at(ctx, nl + 40 + off, 2)], I.JGT_K, hi)));
    };
    const what = lo === hi ? 'port' : 'portrange';
    const v4 = v6only ? FALSE : and(this.linkProto(ctx, ETHERTYPE.IP), orAll(protos.map((p) =>
      andAll([test(this.ipv4Field(ctx, 9, 1), I.JEQ_K, p), this.firstFrag(ctx),
        this.dirCombine(dir, () => cmp4(0), () => cmp4(2), span, what)]))));
    const v6 = v4only ? FALSE : and(this.linkProto(ctx, ETHERTYPE.IPV6), orAll(protos.map((p) =>
      and(test([...this.at(ctx, nl + 6, 1)], I.JEQ_K, p), this.dirCombine(dir, () => cmp6(0), () => cmp6(2), span, what)))));
    return or(v6, v4);
  }

  /** IPv4 address compare at the given offsets (ip/arp/rarp): (pkt[off:4] & mask) == addr. */
  hostCmp4(ctx: Ctx, srcOff: number, dstOff: number, addr: number, mask: number, dir: Quals['dir'], span: Span): Frag {
    const one = (off: number): Frag => {
      const stmts = [...this.at(ctx, ctx.nlOff + off, 4)];
      if (mask !== 0xffffffff) stmts.push(I.aluK(I.AND, mask));
      return test(stmts, I.JEQ_K, (addr & mask) >>> 0);
    };
    return this.dirCombine(dir, () => one(srcOff), () => one(dstOff), span, 'host');
  }

  host4(ctx: Ctx, proto: Quals['proto'], addr: number, mask: number, dir: Quals['dir'], span: Span): Frag {
    const ip = (): Frag => and(this.linkProto(ctx, ETHERTYPE.IP), this.hostCmp4(ctx, 12, 16, addr, mask, dir, span));
    const arp = (e: number): Frag => and(this.linkProto(ctx, e), this.hostCmp4(ctx, 14, 24, addr, mask, dir, span));
    const implicitArp = (e: number): Frag => {
      this.implicitProto = true;
      try { return arp(e); } finally { this.implicitProto = false; }
    };
    switch (proto) {
      case undefined: return orAll([ip(), implicitArp(ETHERTYPE.ARP), implicitArp(ETHERTYPE.REVARP)]);
      case 'ip': return ip();
      case 'arp': return arp(ETHERTYPE.ARP);
      case 'rarp': return arp(ETHERTYPE.REVARP);
      case 'ip6': return this.err('FILTER_BAD_QUAL', "'ip6' modifier applied to an IPv4 address", span);
      default: return this.err('FILTER_BAD_QUAL', `'${proto}' modifier applied to host`, span);
    }
  }

  host6(ctx: Ctx, proto: Quals['proto'], addr: Uint8Array, maskLen: number, dir: Quals['dir'], span: Span): Frag {
    if (proto !== undefined && proto !== 'ip6') {
      this.err('FILTER_BAD_QUAL', `'${proto}' modifier applied to an IPv6 address`, span);
    }
    const one = (off: number): Frag => {
      // Compare the 16-byte address a word at a time, first word first, masking each word —
      // also the fully masked-out ones (`and #0`), which the optimizer then folds away, as in
      // libpcap (the order and the loads matter for truncated packets).
      const parts: Frag[] = [];
      for (let w = 0; w < 4; w++) {
        const bits = Math.max(0, Math.min(32, maskLen - 32 * w));
        const mask = bits === 32 ? 0xffffffff : bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        const v = ((addr[4 * w]! << 24) | (addr[4 * w + 1]! << 16) | (addr[4 * w + 2]! << 8) | addr[4 * w + 3]!) >>> 0;
        const stmts = [...this.at(ctx, ctx.nlOff + off + 4 * w, 4)];
        if (mask !== 0xffffffff) stmts.push(I.aluK(I.AND, mask));
        parts.push(test(stmts, I.JEQ_K, (v & mask) >>> 0));
      }
      return andAll(parts);
    };
    return and(this.linkProto(ctx, ETHERTYPE.IPV6), this.dirCombine(dir, () => one(8), () => one(24), span, 'host'));
  }

  // ---- primitives with values ------------------------------------------------------------------

  /** `[proto] [dir] [type] value`; a missing type means `host`. */
  primitive(p: Primitive, ctx: Ctx): Frag {
    const type = p.quals.type ?? 'host';
    switch (type) {
      case 'host':
      case 'net':
        return this.hostOrNet(p, ctx, type);
      case 'port':
      case 'portrange':
        return this.port(p, ctx, type);
      case 'proto':
        return this.protoQual(p, ctx);
      case 'gateway':
        return this.gateway(p, ctx);
      case 'protochain':
        return protochain(this, p, ctx);
    }
  }

  hostOrNet(p: Primitive, ctx: Ctx, type: 'host' | 'net'): Frag {
    const q = p.quals;
    const v = p.value;
    const span = p.span;
    if (v.kind === 'arc' || (ctx.link.kind === 'arcnet' && (q.proto === 'link' || q.proto === undefined) && type === 'host' && v.kind === 'num')) {
      if (ctx.link.kind !== 'arcnet') this.err('FILTER_LINK_UNSUPPORTED', 'ARCnet addresses are supported only on ARCnet', v.span);
      if ((q.proto !== undefined && q.proto !== 'link') || type !== 'host') this.err('FILTER_BAD_QUAL', 'ARCnet address used in non-arc expression', span);
      // libpcap 1.10.3 converts "$xy" starting at the '$', which yields 0xd0 | x; we match it.
      const a = v.kind === 'arc' ? (0xd0 | parseInt(v.text[1]!, 16)) : v.num! & 0xff;
      return this.dirCombine(q.dir, () => test([I.ldb(0)], I.JEQ_K, a), () => test([I.ldb(1)], I.JEQ_K, a), span, 'link host');
    }
    // libpcap 1.10.3 is built without DECnet name support: a name is an error before any lookup.
    if (q.proto === 'decnet' && type === 'host' && v.kind === 'name') {
      this.err('FILTER_UNKNOWN_HOST', `decnet name support not included, '${v.text}' cannot be translated`, v.span);
    }
    if (q.proto === 'decnet' && (v.kind === 'num' || v.kind === 'ipv4')) {
      if (type === 'host' && (p.maskLen !== undefined || p.mask)) this.err('FILTER_BAD_MASK', 'mask syntax for networks only', span);
      return this.decnetHost(ctx, v, q.dir, span);
    }
    const linkQual = q.proto === 'ether' || q.proto === 'link' || q.proto === 'fddi' || q.proto === 'tr' || q.proto === 'wlan';
    if (linkQual) {
      if (type === 'net') this.err('FILTER_BAD_QUAL', `'${q.proto} net' is not valid`, span);
      let mac: Uint8Array | undefined;
      if (v.kind === 'mac') mac = parseMac(v.text);
      else if (v.kind === 'name') {
        mac = this.o.resolver.ether(v.text);
        if (!mac) this.err('FILTER_UNKNOWN_HOST', `unknown ether host '${v.text}'`, v.span);
      } else this.err('FILTER_BAD_VALUE', `'${v.text}' is not an Ethernet address`, v.span);
      if (this.wlanHere(ctx)) return wlanAddr(this, ctx, q.dir, mac!, span);
      const m = this.needMac(ctx, span);
      const addr = mac!;
      return this.prevLinkCheck(ctx, this.dirCombine(q.dir, () => this.macEq(m.src, addr), () => this.macEq(m.dst, addr), span, 'ether host'));
    }
    // libpcap 1.10.3 takes a MAC address only with a link-level qualifier (`ether`, `link`,
    // `fddi`, `tr`, `wlan`, also inherited: `ether src A or B`); `host A`, `dst A` are refused.
    if (v.kind === 'mac') this.err('FILTER_BAD_VALUE', 'ethernet address used in non-ether expression', v.span);
    if (v.kind === 'ipv6') {
      const addr = parseIPv6(v.text)!;
      let len = 128;
      if (p.maskLen !== undefined) {
        if (p.maskLen > 128) this.err('FILTER_BAD_MASK', `mask length must be <= 128`, span);
        len = p.maskLen;
        for (let bit = len; bit < 128; bit++) {
          if (addr[bit >> 3]! & (0x80 >> (bit & 7))) this.err('FILTER_NET_BITS', `non-network bits set in "${v.text}/${len}"`, span);
        }
      }
      if (type === 'host' && len !== 128) this.err('FILTER_BAD_MASK', 'mask syntax for networks only', span);
      return this.host6(ctx, q.proto, addr, len, q.dir, span);
    }
    if (v.kind === 'name') {
      if (type === 'net') {
        const n = this.o.resolver.network(v.text);
        if (n === undefined) this.err('FILTER_UNKNOWN_NET', `unknown network '${v.text}'`, v.span);
        let addr = n, mask = 0xffffffff;
        // Left-justify a short network number as libpcap does ("loopback 127" → 127.0.0.0/8).
        if (addr !== 0) { while ((addr & 0xff000000) === 0) { addr = (addr << 8) >>> 0; mask = (mask << 8) >>> 0; } }
        return this.host4(ctx, q.proto, addr >>> 0, mask >>> 0, q.dir, span);
      }
      // A word that is an address literal (`\\92.168.1.1`: the backslash makes any word a name)
      // is what libpcap's getaddrinfo lookup returns for it: that address.
      const dotted = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v.text);
      const v6lit = v.text.includes(':') ? parseIPv6(v.text) : undefined;
      const h = dotted && dotted.slice(1).every((d) => Number(d) <= 255)
        ? { v4: [dotted.slice(1).reduce((a, d) => ((a << 8) | Number(d)) >>> 0, 0)], v6: [] }
        : v6lit ? { v4: [], v6: [v6lit] } : this.o.resolver.host(v.text);
      if (!h || (h.v4.length === 0 && h.v6.length === 0)) this.err('FILTER_UNKNOWN_HOST', `unknown host '${v.text}'`, v.span);
      const fs: Frag[] = [];
      // On a link without a protocol field (BACnet MS/TP) libpcap 1.10.3 looks a name's
      // addresses up as IPv4 / IPv6 only: no ARP/RARP alternatives.
      const noType = q.proto === undefined && ctx.link.name === 'BACNET_MS_TP' && !ctx.shifted;
      if (q.proto !== 'ip6') for (const a of h.v4) fs.push(this.host4(ctx, noType ? 'ip' : q.proto, a, 0xffffffff, q.dir, span));
      // Like libpcap: IPv6 addresses are skipped only under `ip`; under `arp`, `tcp`… they are an error.
      if (q.proto !== 'ip') for (const a of h.v6) fs.push(this.host6(ctx, noType ? 'ip6' : q.proto, a, 128, q.dir, span));
      if (fs.length === 0) this.err('FILTER_UNKNOWN_HOST', `unknown host '${v.text}' for '${q.proto}'`, v.span);
      return orAll(fs);
    }
    // IPv4: dotted (1 to 4 parts) or a number.
    let addr: number;
    let len: number;
    if (v.kind === 'num') {
      addr = v.num!;
      len = 32;
      if (type === 'net') {
        // A bare network number is left-justified: "net 10" is 10.0.0.0/8.
        // (libpcap keeps a full mask for network 0: `net 0` means the address 0.0.0.0.)
        if (addr !== 0) { while ((addr & 0xff000000) === 0) { addr = (addr << 8) >>> 0; len -= 8; } }
      }
    } else {
      const parts = v.text.split('.').map(Number);
      if (parts.some((x) => x > 255)) this.err('FILTER_BAD_ADDR', `invalid IPv4 address '${v.text}'`, v.span);
      addr = 0;
      for (let i = 0; i < 4; i++) addr = ((addr << 8) | (parts[i] ?? 0)) >>> 0;
      len = parts.length * 8;
    }
    let mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    if (p.maskLen !== undefined) {
      if (type !== 'net') this.err('FILTER_BAD_MASK', 'mask syntax for networks only', span);
      if (p.maskLen > 32) this.err('FILTER_BAD_MASK', 'mask length must be <= 32', span);
      mask = p.maskLen === 0 ? 0 : (0xffffffff << (32 - p.maskLen)) >>> 0;
    } else if (p.mask) {
      if (type !== 'net') this.err('FILTER_BAD_MASK', 'mask syntax for networks only', span);
      // A dotted mask with fewer than four parts is left-justified, like an address ("255.255").
      const m = p.mask.kind === 'num' ? p.mask.num! : dottedLeft(p.mask.text);
      if (m === undefined) this.err('FILTER_BAD_MASK', `invalid mask '${p.mask.text}'`, p.mask.span);
      mask = m;
    }
    if (type === 'net' && ((addr & ~mask) >>> 0) !== 0) {
      const shown = p.maskLen !== undefined ? `${v.text}/${p.maskLen}` : p.mask ? `${v.text} mask ${p.mask.text}` : v.text;
      this.err('FILTER_NET_BITS', `non-network bits set in "${shown}"`, span);
    }
    return this.host4(ctx, q.proto, addr, mask, q.dir, span);
  }

  /**
   * DECnet host: "area.node" is (area << 10) | node, stored little-endian. The routing header
   * comes in four layouts (short/long, with or without a pad byte), each with its own address
   * offsets; the flags byte (or the pad length + flags) tells which.
   */
  decnetHost(ctx: Ctx, v: Primitive['value'], dir: Quals['dir'], span: Span): Frag {
    let addr: number;
    if (v.kind === 'num') addr = v.num! & 0xffff;
    else {
      const [area, node] = v.text.split('.').map(Number) as [number, number];
      addr = ((area << 10) | (node & 0x3ff)) & 0xffff;
    }
    const swapped = ((addr & 0xff) << 8) | (addr >> 8);
    const nl = ctx.nlOff;
    const flags2 = (): Frag => test([...this.at(ctx, nl + 2, 1), I.aluK(I.AND, 0x07)], I.JEQ_K, 2);
    const flags6 = (): Frag => test([...this.at(ctx, nl + 2, 1), I.aluK(I.AND, 0x07)], I.JEQ_K, 6);
    const pad2 = (): Frag => test([...this.at(ctx, nl + 2, 2), I.aluK(I.AND, 0xff07)], I.JEQ_K, 0x8102);
    const pad6 = (): Frag => test([...this.at(ctx, nl + 2, 2), I.aluK(I.AND, 0xff07)], I.JEQ_K, 0x8106);
    const eq = (off: number): Frag => test(this.at(ctx, nl + off, 2), I.JEQ_K, swapped);
    const side = (o: [number, number, number, number]): Frag => orAll([
      and(flags2(), eq(o[0])), and(pad2(), eq(o[1])), and(flags6(), eq(o[2])), and(pad6(), eq(o[3]))]);
    const src = (): Frag => side([5, 6, 17, 18]);
    const dst = (): Frag => side([3, 4, 9, 10]);
    return and(this.linkProto(ctx, ETHERTYPE.DN), this.dirCombine(dir, src, dst, span, 'decnet host'));
  }



  resolvePort(text: string, span: Span, proto: 'tcp' | 'udp' | 'sctp' | undefined, unknown?: () => never): number {
    if (/^[0-9]+$/.test(text) || /^0[xX][0-9a-fA-F]+$/.test(text)) {
      const n = Number(text);
      if (n > 65535) this.err('FILTER_BAD_PORT', `illegal port number ${n} > 65535`, span);
      return n;
    }
    const r = this.o.resolver;
    const p = proto ? r.service(text, proto) : (r.service(text, 'tcp') ?? r.service(text, 'udp') ?? r.service(text, 'sctp'));
    if (p === undefined) return unknown ? unknown() : this.err('FILTER_UNKNOWN_PORT', `unknown port '${text}'`, span);
    return p;
  }

  /**
   * The transport protocol a port name implies, as libpcap 1.10.3's name lookup reports it: a
   * name the services file lists for tcp only (http) or udp only (ntp) restricts an unqualified
   * `port NAME` to that protocol; listed for both (domain), or a number, it does not.
   */
  portNameProto(text: string): number | undefined {
    if (/^[0-9]+$/.test(text) || /^0[xX][0-9a-fA-F]+$/.test(text)) return undefined;
    const tcp = this.o.resolver.service(text, 'tcp'), udp = this.o.resolver.service(text, 'udp');
    if (tcp !== undefined && udp === undefined) return IPPROTO.TCP;
    if (tcp === undefined && udp !== undefined) return IPPROTO.UDP;
    return undefined;
  }

  port(p: Primitive, ctx: Ctx, type: 'port' | 'portrange'): Frag {
    const q = p.quals;
    const v = p.value;
    const proto = q.proto;
    let protos: number[];
    let v4only = false, v6only = false;
    switch (proto) {
      case undefined: protos = [IPPROTO.TCP, IPPROTO.UDP, IPPROTO.SCTP]; break;
      case 'tcp': protos = [IPPROTO.TCP]; break;
      case 'udp': protos = [IPPROTO.UDP]; break;
      case 'sctp': protos = [IPPROTO.SCTP]; break;

      default: return this.err('FILTER_BAD_QUAL', `'${proto}' modifier applied to ${type}`, p.span);
    }
    const sproto = proto === 'tcp' || proto === 'udp' || proto === 'sctp' ? proto : undefined;
    if (p.maskLen !== undefined || p.mask) this.err('FILTER_BAD_VALUE', `a mask is not valid for ${type}`, p.span);
    let lo: number, hi: number;
    if (v.kind === 'num') {
      if (v.num! > 65535) this.err('FILTER_BAD_PORT', `illegal port number ${v.num} > 65535`, v.span);
      lo = hi = v.num!;
    } else if (v.kind === 'name') {
      if (type === 'portrange') {
        // libpcap 1.10.3 (pcap_nametoportrange) first reads the word as two C ints, "%d-%d",
        // ignoring whatever follows (`22-67m`, `67-10.0.0.1` are 22-67 and 67-10); only when
        // that fails does it split at the first '-' and look up each side as a port name (or a
        // decimal number). Out-of-range values are then refused.
        const scanned = scanRange(v.text);
        const unknown = (): never => this.err('FILTER_UNKNOWN_PORT', `unknown port in range '${v.text}'`, v.span);
        if (scanned) {
          [lo, hi] = scanned;
        } else {
          const m = /^([^-]*)-(.*)$/.exec(v.text);
          if (!m) unknown();
          const side = (t: string): number => (/^[0-9]+$/.test(t) ? Number(t) : /^0[xX]/.test(t) ? unknown() : this.resolvePort(t, v.span, sproto, unknown));
          lo = side(m![1]!);
          hi = side(m![2]!);
          const a = this.portNameProto(m![1]!), b = this.portNameProto(m![2]!);
          if (!sproto && a !== undefined && a === b) protos = [a];
        }
        for (const n of [lo, hi]) {
          if (n < 0) this.err('FILTER_BAD_PORT', `illegal port number ${n} < 0`, v.span);
          if (n > 65535) this.err('FILTER_BAD_PORT', `illegal port number ${n} > 65535`, v.span);
        }
        if (lo > hi) [lo, hi] = [hi, lo];
      } else {
        lo = hi = this.resolvePort(v.text, v.span, sproto);
        const only = sproto ? undefined : this.portNameProto(v.text);
        if (only !== undefined) protos = [only];
      }
    } else {
      return this.err('FILTER_BAD_PORT', `'${v.text}' is not a port`, v.span);
    }
    return this.portFrag(ctx, protos, lo, hi, q.dir, p.span, v6only, v4only);
  }

  protoQual(p: Primitive, ctx: Ctx): Frag {
    const q = p.quals;
    const v = p.value;
    if (q.dir) this.err('FILTER_BAD_QUAL', `'${q.dir}' is not valid with 'proto'`, p.span);
    const linkLevel = q.proto === 'ether' || q.proto === 'link' || q.proto === 'fddi' || q.proto === 'tr' || q.proto === 'wlan' || q.proto === 'ppp' || q.proto === 'slip';
    let n: number | undefined;
    if (v.kind === 'num') n = v.num!;
    else if (v.kind === 'name') {
      const osi = q.proto === 'iso' ? ({ clnp: ISO_NLPID.CLNP, esis: ISO_NLPID.ESIS, isis: ISO_NLPID.ISIS } as Record<string, number>)[v.text] : undefined;
      n = linkLevel ? LINK_PROTO_NAMES.get(v.text) : (osi ?? this.o.resolver.protocol(v.text) ?? undefined);
      if (n === undefined) this.err('FILTER_UNKNOWN_PROTO', `unknown ${linkLevel ? 'ether' : 'ip'} proto '${v.text}'`, v.span);
    } else this.err('FILTER_BAD_VALUE', `'${v.text}' is not a protocol`, v.span);
    if (linkLevel) return this.linkProto(ctx, n!);
    switch (q.proto) {
      case 'ip': return this.ip4Proto(ctx, n!);
      case 'ip6': return this.ip6Proto(ctx, n!);
      case undefined: return or(this.ip4Proto(ctx, n!), this.ip6Proto(ctx, n!));
      case 'iso': return this.isoProto(ctx, n!);
      case 'isis': return this.isisPdu(ctx, n!);
      default: return this.err('FILTER_BAD_QUAL', `'${q.proto} proto' is not supported`, p.span);
    }
  }

  /**
   * `gateway NAME`: libpcap 1.10.3 built with IPv6 support (every Linux build, tcpdump 4.99's
   * included) refuses it for any name ("not supported in this configuration"); a number is
   * refused earlier, as not a name.
   */
  gateway(p: Primitive, ctx: Ctx): Frag {
    void ctx;
    const v = p.value;
    if (v.kind !== 'name') this.err('FILTER_BAD_VALUE', "'gateway' requires a name", v.span);
    return this.err('FILTER_UNSUPPORTED', "'gateway' not supported in this configuration", p.span);
  }

  /** Primitives only the kernel's socket filter can evaluate: libpcap refuses them on savefiles. */
  refuseOnSavefile(what: string, span: Span): void {
    if (this.o.context !== 'savefile') return;
    const desc = linkTypeByLinkType(this.o.linkType)?.description ?? String(this.o.linkType);
    this.err('FILTER_LINK_UNSUPPORTED', `${what} not supported on ${desc} when reading savefiles`, span);
  }

  // ---- keyword primitives ---------------------------------------------------------------------

  keyword(k: Keyword, ctx: Ctx): { f: Frag; ctx: Ctx } {
    const arg = k.args[0];
    switch (k.name) {
      case 'less': return { f: not(test([I.ldLen()], I.JGT_K, arg!.num!)), ctx };
      case 'greater': return { f: test([I.ldLen()], I.JGE_K, arg!.num!), ctx };
      case 'broadcast': return { f: this.broadcast(k, ctx), ctx };
      case 'multicast': return { f: this.multicast(k, ctx), ctx };
      case 'inbound':
      case 'outbound': {
        const d = ctx.link.direction;
        let f: Frag;
        if (ctx.link.name === 'PFLOG') {
          // pflog records the direction at offset 60: 1 = in, 2 = out.
          return { f: test([I.ldb(60)], I.JEQ_K, k.name === 'inbound' ? 1 : 2), ctx };
        }
        if (ctx.link.name === 'IPNET') {
          // ipnet: the 16-bit flags at offset 2 say 2 = inbound, 1 = outbound.
          return { f: test([I.ldh(2)], I.JEQ_K, k.name === 'inbound' ? 2 : 1), ctx };
        }
        if (ctx.link.name === 'PPP_PPPD') {
          // pppd's direction byte: 0 = received, 1 = sent (other values are neither).
          return { f: test([I.ldb(0)], I.JEQ_K, k.name === 'inbound' ? 0 : 1), ctx };
        }
        if (ctx.link.name === 'SLIP') {
          // SLIP's pseudo-header starts with a direction byte: 0 = received, 1 = sent.
          const inbound = test([I.ldb(0)], I.JEQ_K, 0);
          return { f: k.name === 'inbound' ? inbound : not(inbound), ctx };
        }
        if (ctx.link.name.startsWith('JUNIPER_') && ctx.link.kind === 'magic') {
          // Juniper pseudo-header flags: bit 0 set = inbound.
          const inbound = test([I.ldb(3), I.aluK(I.AND, 0x01)], I.JEQ_K, 1);
          return { f: k.name === 'inbound' ? inbound : not(inbound), ctx };
        }
        if (d) f = test([I.ldAbs(d.off, d.size)], I.JEQ_K, 4);
        // Otherwise the Linux socket filter's packet type (SKF_AD_PKTTYPE): what libpcap 1.10.3
        // on Linux emits for other link types (PACKET_OUTGOING = 4). Only the kernel can answer
        // that load, so libpcap refuses it when the program will filter a savefile.
        else {
          this.refuseOnSavefile('inbound/outbound', k.span);
          f = test([{ code: I.LD | I.H | I.ABS, k: SKF_AD_PKTTYPE }], I.JEQ_K, 4);
        }
        return { f: k.name === 'outbound' ? f : not(f), ctx };
      }
      case 'ifindex': {
        // LINUX_SLL2 records the interface index at offset 4 (not after pppoes: the link is PPP
        // then); elsewhere the Linux ancillary load.
        const sll2 = ctx.link.name === 'LINUX_SLL2' && !(ctx.kind === 'ppp' && ctx.shifted);
        if (!sll2) this.refuseOnSavefile('ifindex', k.span);
        const idx = sll2 ? I.ld(4) : { code: I.LD | I.W | I.ABS, k: SKF_AD_IFINDEX };
        return { f: test([idx], I.JEQ_K, arg!.num!), ctx };
      }
      case 'vlan': return vlan(this, k, ctx);
      case 'mpls': return mpls(this, k, ctx);
      case 'pppoed': return { f: this.linkProto(ctx, ETHERTYPE.PPPOED), ctx };
      case 'pppoes': this.linkPushed = true; this.pushedLink = 'PPP'; return pppoes(this, k, ctx);
      case 'geneve': this.linkPushed = true; this.pushedLink = 'EN10MB'; return geneve(this, k, ctx);
      case 'llc': return { f: this.llc(k, ctx), ctx };
      case 'type': case 'subtype': case 'dir': return { f: wlanField(this, k, ctx), ctx };
      case 'byte': return { f: byteOp(this, k), ctx };
      case 'fisu': case 'lssu': case 'msu': case 'hfisu': case 'hlssu': case 'hmsu':
        return { f: mtp2Type(this, k, ctx), ctx };
      case 'sio': case 'opc': case 'dpc': case 'sls': case 'hsio': case 'hopc': case 'hdpc': case 'hsls':
        return { f: mtp3Field(this, k, ctx), ctx };
      case 'lane': // SunATM circuit carries LANE; the rest of the expression sees Ethernet behind it
        return { f: atmField(this, k, ctx), ctx: { ...ctx, link: LANE_LINK, kind: 'ether', typeOff: LANE_LINK.typeOff, nlOff: LANE_LINK.nlOff, shifted: false, variable: false } };
      case 'vpi': case 'vci': case 'metac': case 'bcc': case 'oam': case 'oamf4': case 'oamf4sc':
      case 'oamf4ec': case 'sc': case 'ilmic': case 'connectmsg': case 'metaconnect':
        return { f: atmField(this, k, ctx), ctx };
      case 'on': case 'rnr': case 'reason': case 'rset': case 'srnr': case 'action':
        return { f: pflogField(this, k, ctx), ctx };
      case 'clnp': return { f: this.isoProto(ctx, ISO_NLPID.CLNP), ctx };
      case 'esis': return { f: this.isoProto(ctx, ISO_NLPID.ESIS), ctx };
      case 'isis': return { f: this.isoProto(ctx, ISO_NLPID.ISIS), ctx };
      case 'l1': case 'l2': case 'iih': case 'lsp': case 'snp': case 'csnp': case 'psnp':
        return { f: orAll(ISIS_PDUS[k.name]!.map((t) => this.isisPdu(ctx, t))), ctx };
      default:
        if (LINK_LEVEL.has(k.name) || IP_PROTOS.has(k.name)) {
          if (k.proto && k.proto !== k.name) this.err('FILTER_SYNTAX', `unexpected '${k.name}'`, k.span);
          return { f: this.protoAbbrev(k.name, ctx), ctx };
        }
        return this.err('FILTER_UNSUPPORTED', `'${k.name}' is not supported on link type ${ctx.link.name}`, k.span);
    }
  }









  broadcast(k: Keyword, ctx: Ctx): Frag {
    // After `pppoes` the link layer is PPP, which has no broadcast address.
    if (this.pushedLink === 'PPP' && k.proto !== 'ip') this.err('FILTER_LINK_UNSUPPORTED', 'not a broadcast link', k.span);
    if (k.proto === 'ip') {
      // PCAP_NETMASK_UNKNOWN (0xffffffff) means "not known", like no netmask at all.
      if (this.o.netmask === undefined || this.o.netmask === 0xffffffff) {
        this.err('FILTER_NETMASK', "netmask not known, so 'ip broadcast' not supported", k.span);
      }
      const hostMask = (~(this.o.netmask ?? 0)) >>> 0;
      const ld = (): Stmt[] => hostMask === 0xffffffff ? [...this.at(ctx, ctx.nlOff + 16, 4)] : [...this.at(ctx, ctx.nlOff + 16, 4), I.aluK(I.AND, hostMask)];
      return and(this.linkProto(ctx, ETHERTYPE.IP), or(test(ld(), I.JEQ_K, 0), test(ld(), I.JEQ_K, hostMask)));
    }
    const linkQual = k.proto === undefined || k.proto === 'ether' || k.proto === 'link' || k.proto === 'fddi' || k.proto === 'tr' || k.proto === 'wlan';
    if (ctx.link.kind === 'arcnet' && linkQual) return test([I.ldb(1)], I.JEQ_K, 0);
    if (linkQual) {
      const all = Uint8Array.of(255, 255, 255, 255, 255, 255);
      if (this.wlanHere(ctx)) return wlanAddr(this, ctx, 'dst', all, k.span);
      if (!ctx.link.mac) this.err('FILTER_LINK_UNSUPPORTED', `not a broadcast link (link type ${ctx.link.name})`, k.span);
      return this.prevLinkCheck(ctx, this.macEq(ctx.link.mac.dst, all));
    }
    return this.err('FILTER_BAD_QUAL', `only link-layer/IP broadcast filters supported`, k.span);
  }

  multicast(k: Keyword, ctx: Ctx): Frag {
    if (this.pushedLink === 'PPP' && k.proto !== 'ip' && k.proto !== 'ip6') this.err('FILTER_LINK_UNSUPPORTED', 'link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel', k.span);
    if (k.proto === 'ip') return and(this.linkProto(ctx, ETHERTYPE.IP), test([...this.at(ctx, ctx.nlOff + 16, 1)], I.JGE_K, 224));
    if (k.proto === 'ip6') return and(this.linkProto(ctx, ETHERTYPE.IPV6), test([...this.at(ctx, ctx.nlOff + 24, 1)], I.JEQ_K, 255));
    const linkQual = k.proto === undefined || k.proto === 'ether' || k.proto === 'link' || k.proto === 'fddi' || k.proto === 'tr' || k.proto === 'wlan';
    if (ctx.link.kind === 'arcnet' && linkQual) return test([I.ldb(1)], I.JEQ_K, 0);
    if (linkQual) {
      if (this.wlanHere(ctx)) {
        // The group bit of the destination address (addr3 for data frames to the DS, else addr1).
        const g = (off: number): Frag => test(this.wl(ctx, off, 1), I.JSET_K, 1);
        const fcb = (byte: number, bit: number): Frag => test(this.wl(ctx, byte, 1), I.JSET_K, bit);
        return and(not(fcb(0, 0x04)), or(and(fcb(0, 0x08), or(and(fcb(1, 0x01), g(16)), and(not(fcb(1, 0x01)), g(4)))),
          and(not(fcb(0, 0x08)), g(4))));
      }
      if (!ctx.link.mac) this.err('FILTER_LINK_UNSUPPORTED', `not a broadcast link (link type ${ctx.link.name})`, k.span);
      return this.prevLinkCheck(ctx, test(this.at(ctx, ctx.link.mac.dst, 1), I.JSET_K, 1));
    }
    return this.err('FILTER_BAD_QUAL', `only link-layer/IP multicast filters supported`, k.span);
  }

  llc(k: Keyword, ctx: Ctx): Frag {
    // After `mpls` the Ethernet type field is still where it was (mpls does not move it).
    if (ctx.kind === 'mpls' && ctx.link.kind === 'ether') ctx = { ...ctx, kind: 'ether' };
    // libpcap 1.10.3 knows LLC on Ethernet, FDDI, token ring, RFC 1483 ATM, SunATM and 802.11.
    const llcLinks = ['EN10MB', 'FDDI', 'IEEE802', 'ATM_RFC1483', 'SUNATM'];
    // After `pppoes` libpcap's link type is PPP, also behind MPLS labels.
    if (this.pushedLink === 'PPP') this.err('FILTER_LINK_UNSUPPORTED', "'llc' not supported for PPP", k.span);
    if (!llcLinks.includes(ctx.link.name) && !this.wlanHere(ctx)) {
      const desc = linkTypeByLinkType(this.o.linkType)?.description ?? ctx.link.name;
      this.err('FILTER_LINK_UNSUPPORTED', `'llc' not supported for ${desc}`, k.span);
    }
    let base: Frag;
    let ctl: number;
    if (ctx.kind === 'llc' || ctx.kind === 'atm') {
      // Every frame of these link types is LLC-encapsulated (802.11: every data frame; SunATM:
      // LLC-multiplexed circuits); the control field follows DSAP and SSAP.
      base = ctx.link.wlan ? and(not(test(this.wl(ctx, 0, 1), I.JSET_K, 0x04)), test(this.wl(ctx, 0, 1), I.JSET_K, 0x08))
        : ctx.kind === 'atm' ? test([I.ldb(0), I.aluK(I.AND, 0x0f)], I.JEQ_K, 2) : TRUE;
      ctl = ctx.typeOff + 2;
    } else {
      if (ctx.kind !== 'ether' || !ctx.link.mac) this.err('FILTER_LINK_UNSUPPORTED', `'llc' not supported on link type ${ctx.link.name}`, k.span);
      const t = ctx.typeOff;
      // An 802.3 frame (length in the type field) that is not Novell "raw" 802.3 (0xffff).
      base = and(not(test([...this.at(ctx, t, 2)], I.JGT_K, 1500)), not(test([...this.at(ctx, this.llcOff(ctx), 2)], I.JEQ_K, 0xffff)));
      ctl = this.llcOff(ctx) + 2;
    }
    const sub = k.args[0];
    if (!sub) return base;
    // LLC control field: I frames have bit 0 clear; S frames 01; U frames 11.
    const S: Record<string, number> = { rr: 0x01, rnr: 0x05, rej: 0x09 };
    const U: Record<string, number> = { ui: 0x03, ua: 0x63, disc: 0x43, dm: 0x0f, sabme: 0x6f, test: 0xe3, xid: 0xaf, frmr: 0x87 };
    let f: Frag;
    if (sub.text === 'i') f = not(test([...this.at(ctx, ctl, 1)], I.JSET_K, 0x01));
    else if (sub.text === 's') f = test([...this.at(ctx, ctl, 1), I.aluK(I.AND, 0x03)], I.JEQ_K, 0x01);
    else if (sub.text === 'u') f = test([...this.at(ctx, ctl, 1), I.aluK(I.AND, 0x03)], I.JEQ_K, 0x03);
    else if (S[sub.text] !== undefined) f = test([...this.at(ctx, ctl, 1), I.aluK(I.AND, 0x0f)], I.JEQ_K, S[sub.text]!);
    else if (U[sub.text] !== undefined) f = test([...this.at(ctx, ctl, 1), I.aluK(I.AND, 0xef)], I.JEQ_K, U[sub.text]!);
    else return this.err('FILTER_BAD_VALUE', `unknown 802.2 LLC subtype '${sub.text}'`, sub.span);
    return and(base, f);
  }





  // ---- arithmetic and relations -----------------------------------------------------------------



}

/**
 * C's `sscanf(text, "%d-%d")` as glibc runs it, when both conversions succeed: each number is
 * optional blanks, an optional sign and decimal digits, read as a `long` (clamped) and stored
 * into an `int` (wrapped to 32 bits); anything after the second number is ignored.
 */
function scanRange(text: string): [number, number] | undefined {
  const m = /^\s*([+-]?[0-9]+)-\s*([+-]?[0-9]+)/.exec(text);
  if (!m) return undefined;
  const toInt = (d: string): number => {
    let n = BigInt(d);
    const max = (1n << 63n) - 1n, min = -(1n << 63n);
    if (n > max) n = max;
    if (n < min) n = min;
    return Number(BigInt.asIntN(32, n));
  };
  return [toInt(m[1]!), toInt(m[2]!)];
}

/** "a.b" → a.b.0.0 (undefined if a part is above 255 or there are more than 4 parts). */
function dottedLeft(text: string): number | undefined {
  const parts = text.split('.').map(Number);
  if (parts.length > 4 || parts.some((x) => !(x >= 0 && x <= 255))) return undefined;
  let v = 0;
  for (let i = 0; i < 4; i++) v = ((v << 8) | (parts[i] ?? 0)) >>> 0;
  return v;
}
