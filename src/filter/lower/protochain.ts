/**
 * `[ip|ip6] protochain P`: walks the IPv6 extension-header chain (and AH) looking for P, as an
 * unrolled sequence of pinned blocks (classic BPF has no backward jumps).
 */
import type { Primitive } from '../ast.ts';
import { and, FALSE, newBlock, or } from '../cfg.ts';
import type { Block, Frag, Stmt } from '../cfg.ts';
import type { CbpfInsn } from '../../isa/cbpf/types.ts';
import * as I from '../insn.ts';
import { ETHERTYPE } from './link.ts';
import type { Lowerer } from './gen.ts';
import { PROTOCHAIN_SLOT, slotOf } from './context.ts';
import type { Ctx } from './context.ts';

/**
 * `[ip|ip6] protochain P`: follow the IPv6 extension-header chain (and AH) looking for P.
 * Like libpcap 1.10.3 we emit a loop: the walk is one pinned block whose `raw` code jumps
 * back with a `ja` of negative offset (tcpdump runs such programs in userland; the project's
 * validator accepts them in non-strict mode and the eBPF converter turns them into bounded
 * loops). The block leaves the header the walk stopped at in A and ends with `jeq #P`.
 * Like libpcap 1.10.3, stepping over AH sets X to the AH length alone (it loses the running
 * offset). libpcap does not optimize programs with a protochain, nor do we.
 */
export function protochain(L: Lowerer, p: Primitive, ctx: Ctx): Frag {
  // libpcap 1.10.3 takes a register for the walk before anything else and frees it at the
  // end; without `ip`/`ip6` it walks both (each taking and freeing its own register) and the
  // first one is never freed. Counted here, so that long chains fail as libpcap's do; with
  // libpcap's register layout (L.regMode) the walk uses the register it got.
  const q = p.quals.proto;
  const top = L.allocReg();
  const walkReg = (): { reg: number; done: () => void } => {
    if (q === 'ip' || q === 'ip6') return { reg: top, done: () => L.regs.free(top) };
    const r = L.allocReg();
    return { reg: r, done: () => L.regs.free(r) };
  };
  L.noOptimize = true;
  const v = p.value;
  let proto: number | undefined;
  if (v.kind === 'num') proto = v.num!;
  else if (v.kind === 'name') proto = L.o.resolver.protocol(v.text);
  if (proto === undefined) L.err('FILTER_UNKNOWN_PROTO', `unknown protocol '${v.text}'`, v.span);
  if (slotOf(ctx.nlOff) !== undefined) L.err('FILTER_LINK_UNSUPPORTED', "'protochain' not supported with variable length headers", p.span);
  if (q !== undefined && q !== 'ip' && q !== 'ip6') L.err('FILTER_BAD_QUAL', `bad protocol applied for 'protochain'`, p.span);
  const walk = (v6: boolean): Frag => {
    const r = walkReg();
    const f = and(L.linkProto(ctx, v6 ? ETHERTYPE.IPV6 : ETHERTYPE.IP), protoWalk(ctx, proto!, v6, L.regMode ? r.reg : PROTOCHAIN_SLOT));
    r.done();
    return f;
  };
  const v4 = q === 'ip6' ? FALSE : walk(false);
  const v6 = q === 'ip' ? FALSE : walk(true);
  return or(v4, v6);
}

/** A tiny assembler for the loop: instructions with symbolic jump targets. */
type Asm = Array<{ insn: CbpfInsn; jt?: string; jf?: string; ja?: string } | { label: string }>;

function assemble(code: Asm): CbpfInsn[] {
  const at = new Map<string, number>();
  let n = 0;
  for (const c of code) { if ('label' in c) at.set(c.label, n); else n++; }
  const out: CbpfInsn[] = [];
  for (const c of code) {
    if ('label' in c) continue;
    const pc = out.length;
    const rel = (l: string): number => at.get(l)! - (pc + 1);
    const insn = { ...c.insn };
    if (c.jt !== undefined) insn.jt = rel(c.jt);
    if (c.jf !== undefined) insn.jf = rel(c.jf);
    if (c.ja !== undefined) insn.k = rel(c.ja) >>> 0; // negative offsets wrap, as in libpcap
    out.push(insn);
  }
  return out;
}

function protoWalk(ctx: Ctx, proto: number, v6: boolean, slot: number): Frag {
  const nl = ctx.nlOff;
  const s = (st: Stmt): CbpfInsn => ({ code: st.code, jt: 0, jf: 0, k: st.k >>> 0 });
  const jeq = (k: number, jt: string, jf: string): Asm[number] => ({ insn: { code: I.JEQ_K, jt: 0, jf: 0, k }, jt, jf });
  const ja = (to: string): Asm[number] => ({ insn: { code: I.JMP | I.JA, jt: 0, jf: 0, k: 0 }, ja: to });
  const code: Asm = [
    { insn: s(v6 ? I.ldb(nl + 6) : I.ldb(nl + 9)) },
    { insn: s(v6 ? I.ldxImm(40) : I.ldxMsh(nl)) },
    { label: 'loop' },
    jeq(proto, 'fin', 'n1'), { label: 'n1' },
    jeq(59, 'fin', 'n2'), { label: 'n2' }, // IPPROTO_NONE: no next header
  ];
  if (v6) {
    // Hop-by-hop, destination options, routing, fragment: next = h[0]; X += (h[1] + 1) * 8
    code.push(jeq(0, 'ext', 'n3'), { label: 'n3' }, jeq(60, 'ext', 'n4'), { label: 'n4' },
      jeq(43, 'ext', 'n5'), { label: 'n5' }, jeq(44, 'ext', 'ahchk'),
      { label: 'ext' },
      ...[I.ldInd(nl, 1), I.st(slot), I.ldInd(nl + 1, 1), I.aluK(I.ADD, 1), I.aluK(I.MUL, 8), I.aluX(I.ADD), I.tax(), I.ldMem(slot)].map((st) => ({ insn: s(st) })),
      ja('loop'));
  }
  code.push({ label: 'ahchk' }, jeq(51, 'ah', 'fin'), { label: 'ah' },
    // AH: next = h[0]; X = (h[1] + 2) * 4 (sic)
    ...[I.txa(), I.ldInd(nl, 1), I.st(slot), I.txa(), I.aluK(I.ADD, 1), I.tax(), I.ldInd(nl, 1), I.aluK(I.ADD, 2),
      I.aluK(I.MUL, 4), I.tax(), I.ldMem(slot)].map((st) => ({ insn: s(st) })),
    ja('loop'),
    { label: 'fin' }, { insn: s(I.aluK(I.ADD, 0)) });
  const b: Block = newBlock([], I.JEQ_K, proto);
  b.pinned = true;
  b.raw = assemble(code);
  return { kind: 'blocks', head: b, trues: [{ block: b, onTrue: true }], falses: [{ block: b, onTrue: false }] };
}
