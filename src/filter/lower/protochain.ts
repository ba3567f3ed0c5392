/**
 * `[ip|ip6] protochain P`: walks the IPv6 extension-header chain (and AH) looking for P, as an
 * unrolled sequence of pinned blocks (classic BPF has no backward jumps).
 */
import type { Primitive } from '../ast.ts';
import { and, FALSE, newBlock, not, or, test } from '../cfg.ts';
import type { Block, Frag, Stmt } from '../cfg.ts';
import * as I from '../insn.ts';
import { ETHERTYPE } from './link.ts';
import type { Lowerer } from './gen.ts';
import { PROTOCHAIN_SLOT, slotOf } from './context.ts';
import type { Ctx } from './context.ts';

/**
 * How many headers the unrolled walk follows (it uses scratch slot PROTOCHAIN_SLOT). Each
 * IPv6 step costs about 26 instructions, so 16 steps (~420 instructions) keep a program well
 * under the kernel's 4096-instruction limit; libpcap's loop has no bound, so chains longer than
 * 16 headers (like the ~100 of libpcap's ipv6_ext_headers.pcap test) get a different verdict.
 * IPv4 only loops over AH.
 */
const PROTOCHAIN_DEPTH_V6 = 16, PROTOCHAIN_DEPTH_V4 = 8;

/**
 * `[ip|ip6] protochain P`: follow the IPv6 extension-header chain (and AH) looking for P.
 * libpcap emits a loop with a backward `ja`, which classic BPF validators reject; we unroll
 * it (PROTOCHAIN_DEPTH_V6 / _V4 steps). The walk carries A (next header) and X (offset) from block to
 * block, so its blocks are pinned: the optimizer must not skip or fold them. Like libpcap
 * 1.10.3, stepping over AH sets X to the AH length alone (it loses the running offset).
 */
export function protochain(L: Lowerer, p: Primitive, ctx: Ctx): Frag {
  // libpcap 1.10.3 does not optimize programs with a protochain (its loop), nor do we.
  L.noOptimize = true;
  const v = p.value;
  let proto: number | undefined;
  if (v.kind === 'num') proto = v.num!;
  else if (v.kind === 'name') proto = L.o.resolver.protocol(v.text);
  if (proto === undefined) L.err('FILTER_UNKNOWN_PROTO', `unknown protocol '${v.text}'`, v.span);
  if (slotOf(ctx.nlOff) !== undefined) L.err('FILTER_LINK_UNSUPPORTED', `'protochain' not supported here (link type ${ctx.link.name})`, p.span);
  const q = p.quals.proto;
  if (q !== undefined && q !== 'ip' && q !== 'ip6') L.err('FILTER_BAD_QUAL', `bad protocol applied for 'protochain'`, p.span);
  const v4 = q === 'ip6' ? FALSE : and(L.linkProto(ctx, ETHERTYPE.IP), protoWalk(L, ctx, proto!, false));
  const v6 = q === 'ip' ? FALSE : and(L.linkProto(ctx, ETHERTYPE.IPV6), protoWalk(L, ctx, proto!, true));
  return or(v4, v6);
}

export function protoWalk(L: Lowerer, ctx: Ctx, proto: number, v6: boolean): Frag {
  const nl = ctx.nlOff;
  const slot = PROTOCHAIN_SLOT;
  const pin = (stmts: Stmt[], code: number, k: number): Block => { const b = newBlock(stmts, code, k); b.pinned = true; return b; };
  // The final test: A == proto (A is whatever header the walk stopped at).
  const fin = pin([I.aluK(I.ADD, 0)], I.JEQ_K, proto);
  // One step of the walk: returns the block that examines A at this depth.
  const step = (depth: number): Block => {
    if (depth === (v6 ? PROTOCHAIN_DEPTH_V6 : PROTOCHAIN_DEPTH_V4)) return fin;
    const next = step(depth + 1);
    const checks: Block[] = [];
    const chain = (k: number, to: Block): void => { const b = pin([], I.JEQ_K, k); b.jt = to; checks.push(b); };
    chain(proto, fin);
    chain(59, fin); // IPPROTO_NONE: no next header
    if (v6) {
      // Hop-by-hop, destination options, routing, fragment: next = h[0]; X += (h[1] + 1) * 8
      const ext = pin([I.ldInd(nl, 1), I.st(slot), I.ldInd(nl + 1, 1), I.aluK(I.ADD, 1), I.aluK(I.MUL, 8), I.aluX(I.ADD), I.tax(), I.ldMem(slot)], I.JEQ_K, 0);
      ext.jt = next; ext.jf = next;
      for (const h of [0, 60, 43, 44]) chain(h, ext);
    }
    // AH: next = h[0]; X = (h[1] + 2) * 4 (sic, as in libpcap 1.10.3)
    const ah = pin([I.txa(), I.ldInd(nl, 1), I.st(slot), I.txa(), I.aluK(I.ADD, 1), I.tax(), I.ldInd(nl, 1), I.aluK(I.ADD, 2), I.aluK(I.MUL, 4), I.tax(), I.ldMem(slot)], I.JEQ_K, 0);
    ah.jt = next; ah.jf = next;
    chain(51, ah);
    for (let i = 0; i < checks.length; i++) checks[i]!.jf = checks[i + 1] ?? fin;
    return checks[0]!;
  };
  const first = step(0);
  const entry = pin(v6 ? [I.ldb(nl + 6), I.ldxImm(40)] : [I.ldb(nl + 9), I.ldxMsh(nl)], I.JEQ_K, 0);
  entry.jt = first; entry.jf = first;
  return { kind: 'blocks', head: entry, trues: [{ block: fin, onTrue: true }], falses: [{ block: fin, onTrue: false }] };
}
