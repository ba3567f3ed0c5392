/**
 * Encapsulation primitives. Each returns its test and the *new* context that the rest of the
 * expression is lowered in: `vlan` and `mpls` shift the network layer by 4 bytes per tag or
 * label, `pppoes` switches to PPP inside PPPoE, `geneve` moves to the encapsulated frame at an
 * offset only known at run time (kept in scratch slots written by pinned blocks).
 */
import type { Keyword } from '../ast.ts';
import { and, andAll, newBlock, not, or, orAll, test, TRUE } from '../cfg.ts';
import type { Block, Frag, Stmt } from '../cfg.ts';
import * as I from '../insn.ts';
import { ETHERTYPE, nlNosnap } from './link.ts';
import type { LinkInfo } from './link.ts';
import type { Lowerer } from './gen.ts';
import { geneveSlots, IPPROTO, slotBase, slotOf, untag } from './context.ts';
import type { Ctx } from './context.ts';

/** Link types on which libpcap 1.10.3 accepts `vlan` / `mpls`. */
const VLAN_LINKS: ReadonlySet<string> = new Set(['EN10MB', 'NETANALYZER', 'NETANALYZER_TRANSPARENT', 'IEEE802_11',
  'IEEE802_11_RADIO', 'IEEE802_11_RADIO_AVS', 'PRISM_HEADER']);
const MPLS_LINKS: ReadonlySet<string> = new Set(['EN10MB', 'NETANALYZER', 'NETANALYZER_TRANSPARENT', 'C_HDLC', 'PPP']);

export function vlan(L: Lowerer, k: Keyword, ctx: Ctx): { f: Frag; ctx: Ctx } {
  if (ctx.mplsDepth > 0) L.err('FILTER_LINK_UNSUPPORTED', 'no VLAN match after MPLS', k.span);
  if (!VLAN_LINKS.has(ctx.link.name) || (ctx.kind !== 'ether' && ctx.kind !== 'llc')) L.err('FILTER_LINK_UNSUPPORTED', `no VLAN support for link type ${ctx.link.name}`, k.span);
  const t = ctx.typeOff;
  const tpid = orAll([ETHERTYPE.VLAN, ETHERTYPE.QINQ, ETHERTYPE.QINQ_OLD].map((e) => L.linkProto(ctx, e)));
  let f = tpid;
  const id = k.args[0];
  if (id) {
    if (id.num! > 4095) L.err('FILTER_BAD_VLAN', `VLAN tag ${id.num} greater than maximum 4095`, id.span);
    // The tag control information is where the network layer would start.
    f = and(f, test([...L.at(ctx, ctx.nlOff, 2), I.aluK(I.AND, 0x0fff)], I.JEQ_K, id.num!));
  }
  return { f, ctx: { ...ctx, typeOff: t + 4, nlOff: ctx.nlOff + 4, shifted: true } };
}

export function mpls(L: Lowerer, k: Keyword, ctx: Ctx): { f: Frag; ctx: Ctx } {
  // After `pppoes` libpcap's link type is PPP, which carries MPLS.
  const afterPppoes = ctx.kind === 'ppp' && ctx.shifted && ctx.mplsDepth === 0;
  if (!MPLS_LINKS.has(ctx.link.name) && !afterPppoes) L.err('FILTER_LINK_UNSUPPORTED', `no MPLS support for link type ${ctx.link.name}`, k.span);
  let f: Frag;
  if (ctx.mplsDepth > 0) {
    // Inside a label stack: the previous label must not be the bottom of the stack.
    f = not(test([...L.atDelta(ctx, ctx.nlOff, -2, 1)], I.JSET_K, 0x01));
  } else {
    f = L.linkProto(ctx, ETHERTYPE.MPLS);
  }
  const label = k.args[0];
  if (label) {
    if (label.num! > 0xfffff) L.err('FILTER_BAD_MPLS', `MPLS label ${label.num} greater than maximum 1048575`, label.span);
    f = and(f, test([...L.at(ctx, ctx.nlOff, 4), I.aluK(I.AND, 0xfffff000)], I.JEQ_K, (label.num! << 12) >>> 0));
  }
  return { f, ctx: { ...ctx, kind: 'mpls', nlOff: ctx.nlOff + 4, mplsDepth: ctx.mplsDepth + 1, shifted: true } };
}

export function pppoes(L: Lowerer, k: Keyword, ctx: Ctx): { f: Frag; ctx: Ctx } {
  let f = L.linkProto(ctx, ETHERTYPE.PPPOES);
  const id = k.args[0];
  if (id) {
    if (id.num! > 0xffff) L.err('FILTER_BAD_PPPOES', `PPPoE session number ${id.num} greater than maximum 65535`, id.span);
    f = and(f, test([...L.at(ctx, ctx.nlOff + 2, 2)], I.JEQ_K, id.num!));
  }
  // After the 6-byte PPPoE header comes a 2-byte PPP protocol field, then the payload.
  // The link header itself is now the PPP header (libpcap pushes it): `link[]` reads from there.
  return { f, ctx: { ...ctx, kind: 'ppp', typeOff: ctx.nlOff + 6, nlOff: ctx.nlOff + 8, shifted: true, linkBase: ctx.nlOff + 6 } };
}

/** The link after `geneve`: Ethernet (libpcap pushes DLT_EN10MB) at run-time offsets in slots `g`. */
function geneveInnerLink(g: ReturnType<typeof geneveSlots>): LinkInfo {
  return { name: 'EN10MB', kind: 'ether', typeOff: slotBase(g.type), nlOff: slotBase(g.nl), mac: { dst: slotBase(g.link), src: slotBase(g.link) + 6 }, geneve: g };
}

/**
 * `geneve [vni]`: UDP to port 6081 carrying Geneve version 0 (and the VNI, if given). What
 * follows in the expression applies to the encapsulated frame, whose position depends on
 * the IP header length and the Geneve options length. Pinned blocks compute, per path,
 * GENEVE_LINK_SLOT (end of the Geneve header: where an inner Ethernet frame starts),
 * GENEVE_TYPE_SLOT (offset of the inner Ethernet type, or of Geneve's own protocol field
 * when the payload is not Ethernet) and GENEVE_NL_SLOT (offset of the inner network layer);
 * the new context reads through those slots. Like libpcap 1.10.3, the rest of the expression
 * sees an Ethernet link whatever the outer link type is (`geneve and ether src X`, `geneve and
 * mpls` compile on any link), its link header (`ether[]`, MAC addresses) at GENEVE_LINK_SLOT.
 */
export function geneve(L: Lowerer, k: Keyword, ctx: Ctx): { f: Frag; ctx: Ctx } {
  L.noOptimize = true;
  const vni = k.args[0];
  if (vni && vni.num! > 0xffffff) L.err('FILTER_BAD_VALUE', `Geneve VNI ${vni.num} greater than maximum 16777215`, vni.span);
  // Each `geneve` takes three registers from libpcap's allocator, never freed, in this order:
  // the inner type's, the inner link header's, the inner network layer's (so the sixth
  // `geneve` of an expression is refused: "too many registers needed to evaluate expression").
  // They may be registers arithmetic used and freed earlier; index.ts renumbers our symbolic
  // slots to them.
  const g = geneveSlots(L.geneveCount++);
  for (const slot of [g.type, g.link, g.nl]) L.varRegs.set(slot, L.allocReg());
  const GENEVE_TYPE_SLOT = g.type, GENEVE_LINK_SLOT = g.link, GENEVE_NL_SLOT = g.nl;
  const nl = ctx.nlOff;
  const pin = (stmts: Stmt[]): Block => { const b = newBlock(stmts, I.JEQ_K, 0); b.pinned = true; return b; };
  // From A = offset of the Geneve header: fill both slots, then an exit whose two edges are "true".
  const slots = (toGeneve: Stmt[]): Frag => {
    const exit = pin([]);
    const ether = pin([I.txa(), I.aluK(I.ADD, 12), I.st(GENEVE_TYPE_SLOT), I.aluK(I.ADD, 2), I.st(GENEVE_NL_SLOT)]);
    ether.jt = exit; ether.jf = exit;
    // X = Geneve header; M[type] = X + 2; A = X + 8 + 4 * option length = end of the Geneve
    // header: the inner link header and, unless the payload is Ethernet, the network layer.
    const head = newBlock([...toGeneve, I.tax(), I.aluK(I.ADD, 2), I.st(GENEVE_TYPE_SLOT),
      I.ldInd(0, 1), I.aluK(I.AND, 0x3f), I.aluK(I.MUL, 4), I.aluK(I.ADD, 8), I.aluX(I.ADD), I.st(GENEVE_LINK_SLOT), I.st(GENEVE_NL_SLOT),
      I.ldInd(2, 2), I.ldxMem(GENEVE_LINK_SLOT)], I.JEQ_K, 0x6558);
    head.pinned = true;
    head.jt = ether; head.jf = exit;
    return { kind: 'blocks', head, trues: [{ block: exit, onTrue: true }, { block: exit, onTrue: false }], falses: [] };
  };
  const rnl = untag(nl);
  const hdr = (): Stmt[] => L.ipHdrLenX(ctx);
  const v4 = andAll([
    L.linkProto(ctx, ETHERTYPE.IP), test(L.ipv4Field(ctx, 9, 1), I.JEQ_K, IPPROTO.UDP), L.firstFrag(ctx),
    test([...hdr(), I.ldInd(rnl + 2, 2)], I.JEQ_K, 6081),
    test([...hdr(), I.ldInd(rnl + 8, 1), I.aluK(I.AND, 0xc0)], I.JEQ_K, 0),
    vni ? test([...hdr(), I.ldInd(rnl + 12, 4), I.aluK(I.AND, 0xffffff00)], I.JEQ_K, (vni.num! << 8) >>> 0) : TRUE,
    // A = X + nl + 8: the Geneve header follows the 8-byte UDP header.
    slots([...hdr(), I.txa(), I.aluK(I.ADD, rnl + 8)]),
  ]);
  const v6 = andAll([
    L.linkProto(ctx, ETHERTYPE.IPV6), test(L.at(ctx, nl + 6, 1), I.JEQ_K, IPPROTO.UDP),
    test(L.at(ctx, nl + 42, 2), I.JEQ_K, 6081),
    test([...L.at(ctx, nl + 48, 1), I.aluK(I.AND, 0xc0)], I.JEQ_K, 0),
    vni ? test([...L.at(ctx, nl + 52, 4), I.aluK(I.AND, 0xffffff00)], I.JEQ_K, (vni.num! << 8) >>> 0) : TRUE,
    slots(slotOf(nl) === undefined ? [I.ldImm(nl + 48)] : [I.ldMem(slotOf(nl)!), I.aluK(I.ADD, rnl + 48)]),
  ]);
  // libpcap keeps its MPLS label depth across `geneve`: after `mpls … geneve` the protocol
  // tests are still MPLS ones (IPv4/IPv6 by version nibble, anything else refused) and a
  // further `mpls` checks the previous label, all relative to the inner network layer.
  const inner: Ctx = { ...ctx, link: { ...geneveInnerLink(g), nosnap: nlNosnap(ctx.link) }, kind: ctx.mplsDepth > 0 ? 'mpls' : 'ether',
    typeOff: slotBase(GENEVE_TYPE_SLOT), nlOff: slotBase(GENEVE_NL_SLOT), shifted: true, mplsDepth: ctx.mplsDepth, linkBase: slotBase(GENEVE_LINK_SLOT) };
  return { f: or(v4, v6), ctx: inner };
}
