/**
 * Link-layer field primitives of specific link types: 802.11 frame type/subtype/direction and
 * address roles, MTP2 signal-unit types and MTP3 routing-label fields, SunATM circuits, pflog
 * header fields, and the old `byte` operator. Each function lowers one primitive for a Lowerer.
 */
import type { Span } from '../../errors.ts';
import type { Keyword, Quals } from '../ast.ts';
import { and, andAll, not, or, orAll, test } from '../cfg.ts';
import type { Frag, Stmt } from '../cfg.ts';
import * as I from '../insn.ts';
import type { Lowerer } from './gen.ts';
import type { Ctx } from './context.ts';

/** 802.11 frame types (already shifted into place in the frame-control byte). */
const WLAN_TYPES: Record<string, number> = { mgt: 0x00, management: 0x00, ctl: 0x04, control: 0x04, data: 0x08 };
/** 802.11 frame subtypes per type (shifted into place). */
const WLAN_SUBTYPES: Record<number, Record<string, number>> = {
  0x00: { assocreq: 0x00, 'assoc-req': 0x00, assocresp: 0x10, 'assoc-resp': 0x10, reassocreq: 0x20, 'reassoc-req': 0x20,
    reassocresp: 0x30, 'reassoc-resp': 0x30, probereq: 0x40, 'probe-req': 0x40, proberesp: 0x50, 'probe-resp': 0x50,
    beacon: 0x80, atim: 0x90, disassoc: 0xa0, disassociation: 0xa0, auth: 0xb0, authentication: 0xb0,
    deauth: 0xc0, deauthentication: 0xc0 },
  0x04: { 'ps-poll': 0xa0, rts: 0xb0, cts: 0xc0, ack: 0xd0, 'cf-end': 0xe0, 'cf-end-ack': 0xf0 },
  0x08: { data: 0x00, 'data-cf-ack': 0x10, 'data-cf-poll': 0x20, 'data-cf-ack-poll': 0x30, null: 0x40, 'cf-ack': 0x50,
    'cf-poll': 0x60, 'cf-ack-poll': 0x70, 'qos-data': 0x80, 'qos-data-cf-ack': 0x90, 'qos-data-cf-poll': 0xa0,
    'qos-data-cf-ack-poll': 0xb0, qos: 0xc0, 'qos-cf-poll': 0xe0, 'qos-cf-ack-poll': 0xf0 },
};
const WLAN_DIRS: Record<string, number> = { nods: 0, tods: 1, fromds: 2, dstods: 3 };

/** pf's reason and action codes, as pflog records them. */
const PF_REASONS: Record<string, number> = {
  match: 0, 'bad-offset': 1, fragment: 2, short: 3, normalize: 4, memory: 5, 'bad-timestamp': 6, congestion: 7,
  'ip-option': 8, 'proto-cksum': 9, 'state-mismatch': 10, 'state-insert': 11, 'state-limit': 12, 'src-limit': 13, synproxy: 14,
};
const PF_ACTIONS: Record<string, number> = {
  pass: 0, accept: 0, block: 1, drop: 1, scrub: 2, noscrub: 3, nat: 4, nonat: 5, binat: 6, nobinat: 7, rdr: 8, nordr: 9,
  'synproxy-drop': 10,
};

/** `[wlan] type T [subtype S]`, `subtype S`, `dir D` on the 802.11 frame-control bytes. */
export function wlanField(L: Lowerer, k: Keyword, ctx: Ctx): Frag {
  if (!L.wlanHere(ctx) || ctx.link.radio === 'ppi') L.err('FILTER_LINK_UNSUPPORTED', `802.11 link-layer types supported only on 802.11 (not ${ctx.link.name})`, k.span);
  const fc = (mask: number, v: number): Frag => test([...L.wl(ctx, 0, 1), I.aluK(I.AND, mask)], I.JEQ_K, v);
  const num = (v: Keyword['args'][number], table: Record<string, number>, what: string): number => {
    if (v.kind === 'num') return v.num!;
    const n = table[v.text];
    if (n === undefined) L.err('FILTER_BAD_VALUE', `unknown 802.11 ${what} name "${v.text}"`, v.span);
    return n;
  };
  if (k.name === 'dir') return test([...L.wl(ctx, 1, 1), I.aluK(I.AND, 0x03)], I.JEQ_K, num(k.args[0]!, WLAN_DIRS, 'direction'));
  if (k.name === 'subtype') {
    const v = k.args[0]!;
    if (v.kind === 'num') return fc(0xf0, v.num!);
    for (const t of [0x00, 0x04, 0x08]) {
      const st = WLAN_SUBTYPES[t]![v.text];
      if (st !== undefined) return fc(0xfc, t | st);
    }
    return L.err('FILTER_BAD_VALUE', `unknown 802.11 subtype name "${v.text}"`, v.span);
  }
  const type = num(k.args[0]!, WLAN_TYPES, 'type');
  if ((type & ~0x0c) !== 0) L.err('FILTER_BAD_VALUE', `invalid 802.11 type value 0x${type.toString(16)}`, k.args[0]!.span);
  const sub = k.args[1];
  if (!sub) return fc(0x0c, type);
  const st = sub.kind === 'num' ? sub.num! : WLAN_SUBTYPES[type]?.[sub.text];
  if (st === undefined) L.err('FILTER_BAD_VALUE', `unknown 802.11 subtype name "${sub.text}"`, sub.span);
  return fc(0xfc, type | st);
}

/**
 * 802.11 address fields by role. Control frames carry no source/destination address; data
 * frames place them according to the To-DS / From-DS bits; management frames use addr1/addr2.
 */
export function wlanAddr(L: Lowerer, ctx: Ctx, dir: Quals['dir'], mac: Uint8Array, span: Span): Frag {
  const fcb = (bit: number): Frag => test(L.wl(ctx, 0, 1), I.JSET_K, bit);
  const dsb = (bit: number): Frag => test(L.wl(ctx, 1, 1), I.JSET_K, bit);
  const isCtl = (): Frag => fcb(0x04);
  const isData = (): Frag => fcb(0x08);
  const at = (off: number): Frag => L.macEq(off, mac, ctx);
  // In libpcap 1.10.3's order (each `or` tries the "bit clear" case first): the order of the
  // loads decides the verdicts on truncated frames when the program is not optimized.
  const src = (): Frag => and(not(isCtl()), or(and(not(isData()), at(10)), and(isData(), or(and(not(dsb(0x02)), at(10)),
    and(dsb(0x02), or(and(not(dsb(0x01)), at(16)), and(dsb(0x01), at(24))))))));
  const dst = (): Frag => and(not(isCtl()), or(and(not(isData()), at(4)), and(isData(), or(and(not(dsb(0x01)), at(4)), and(dsb(0x01), at(16))))));
  const fcm = (mask: number, v: number): Frag => test([...L.wl(ctx, 0, 1), I.aluK(I.AND, mask)], I.JEQ_K, v);
  const noAddr2 = (): Frag => and(fcm(0x0c, 0x04), or(fcm(0xf0, 0xc0), fcm(0xf0, 0xd0)));
  switch (dir) {
    case 'addr1': return at(4);
    case 'addr2': return and(not(noAddr2()), at(10));
    case 'addr3': return and(not(fcm(0x0c, 0x04)), at(16));
    case 'addr4': return and(test([...L.wl(ctx, 1, 1), I.aluK(I.AND, 0x03)], I.JEQ_K, 0x03), at(24));
    case 'ra': return and(isData(), at(4));
    case 'ta': return and(isData(), and(not(noAddr2()), at(10)));
    default: return L.dirCombine(dir, src, dst, span, 'wlan host');
  }
}

/** MTP2 signal-unit types from the length indicator (normal or high-speed link). */
export function mtp2Type(L: Lowerer, k: Keyword, ctx: Ctx): Frag {
  const base = ctx.link.mtp2;
  if (base === undefined) L.err('FILTER_LINK_UNSUPPORTED', `'${k.name}' supported only on MTP2`, k.span);
  const hsl = k.name.startsWith('h');
  const li = (): Stmt[] => hsl ? [I.ldh(base + 4), I.aluK(I.AND, 0xff80)] : [I.ldb(base + 2), I.aluK(I.AND, 0x3f)];
  const two = hsl ? 0x100 : 2;
  switch (hsl ? k.name.slice(1) : k.name) {
    case 'fisu': return test(li(), I.JEQ_K, 0);
    case 'lssu': return and(test(li(), I.JGT_K, 0), not(test(li(), I.JGT_K, two)));
    default: return test(li(), I.JGT_K, two);
  }
}

/**
 * MTP3 routing-label fields (sio, dpc, opc, sls; h* = high-speed link offsets). Point codes
 * are stored little-endian across byte boundaries, so the value is encoded into the packed
 * word and the comparison is done on that word — as libpcap 1.10.3 does, which also treats
 * `!=` like `=` here; we keep both behaviours to give the same verdicts.
 */
export function mtp3Field(L: Lowerer, k: Keyword, ctx: Ctx): Frag {
  const base = ctx.link.mtp2;
  if (base === undefined) L.err('FILTER_LINK_UNSUPPORTED', `'${k.name}' supported only on MTP2`, k.span);
  const [opv, v] = k.args as [Keyword['args'][number], Keyword['args'][number]];
  const hsl = k.name.startsWith('h');
  const field = hsl ? k.name.slice(1) : k.name;
  const off = base + (hsl ? 3 : 0);
  const n = v.num!;
  let stmts: Stmt[];
  let val: number;
  const max = field === 'sio' ? 255 : field === 'sls' ? 15 : 16383;
  if (n > max) L.err('FILTER_BAD_VALUE', `${k.name} ${n} greater than maximum ${max}`, v.span);
  switch (field) {
    case 'sio': stmts = [I.ldb(off + 3)]; val = n; break;
    case 'dpc': stmts = [I.ld(off + 4), I.aluK(I.AND, 0xff3f0000)]; val = (((n & 0xff) << 24) | (((n >> 8) & 0x3f) << 16)) >>> 0; break;
    case 'opc': stmts = [I.ld(off + 4), I.aluK(I.AND, 0x00c0ff0f)]; val = (((n & 0x3) << 22) | (((n >> 2) & 0xff) << 8) | ((n >> 10) & 0x0f)) >>> 0; break;
    default: stmts = [I.ldb(off + 7), I.aluK(I.AND, 0xf0)]; val = n << 4; break;
  }
  return cmpOp(L, opv.text, stmts, val);
}

/** `stmts` then compare A with `val` by a relational operator (`!=` as `=`, see mtp3Field). */
function cmpOp(L: Lowerer, op: string, stmts: Stmt[], val: number): Frag {
  switch (op) {
    case '>': return test(stmts, I.JGT_K, val);
    case '>=': return test(stmts, I.JGE_K, val);
    case '<': return not(test(stmts, I.JGE_K, val));
    case '<=': return not(test(stmts, I.JGT_K, val));
    default: return test(stmts, I.JEQ_K, val);
  }
}

/** SunATM fields: VPI/VCI and the well-known signalling circuits. */
export function atmField(L: Lowerer, k: Keyword, ctx: Ctx): Frag {
  if (ctx.link.kind !== 'atm' && !ctx.link.lane) L.err('FILTER_LINK_UNSUPPORTED', `'${k.name}' supported only on raw ATM`, k.span);
  // Offsets are relative to the link header, which `lane` moves past the LE header (to 6) and
  // `pppoes` to the PPP header inside the session (libpcap reads the fields there too).
  const o = ctx.linkBase ?? ctx.link.linkOff ?? 0;
  const vpi = (v: number): Frag => test([I.ldb(o + 1)], I.JEQ_K, v);
  const vci = (v: number): Frag => test([I.ldh(o + 2)], I.JEQ_K, v);
  const circuit = (c: number): Frag => and(vpi(0), vci(c));
  const msgType = (types: number[]): Frag => orAll(types.map((t) => test([I.ldb(o + 9)], I.JEQ_K, t)));
  switch (k.name) {
    case 'vpi': { const [op, v] = k.args; return cmpOp(L, op!.text, [I.ldb(o + 1)], v!.num!); } // pkt[1] op v
    case 'vci': { const [op, v] = k.args; return cmpOp(L, op!.text, [I.ldh(o + 2)], v!.num!); } // pkt[2:2] op v
    case 'lane': return test([I.ldb(o), I.aluK(I.AND, 0x0f)], I.JEQ_K, 1); // protocol type LANE
    case 'metac': return circuit(1);
    case 'bcc': return circuit(2);
    case 'oamf4sc': return circuit(3);
    case 'oamf4ec': return circuit(4);
    case 'oam': case 'oamf4': return and(vpi(0), or(vci(3), vci(4)));
    case 'sc': return circuit(5);
    case 'ilmic': return circuit(16);
    case 'connectmsg': return and(circuit(5), msgType([0x5a, 0x4d, 0x0f, 0x07, 0x05, 0x02]));
    default: return and(circuit(1), msgType([0x5a, 0x4d, 0x07, 0x05, 0x02]));
  }
}

/** pflog header fields: interface, rule numbers, reason, ruleset, action. */
export function pflogField(L: Lowerer, k: Keyword, ctx: Ctx): Frag {
  if (ctx.link.name !== 'PFLOG') L.err('FILTER_LINK_UNSUPPORTED', `'${k.name}' supported only on pflog`, k.span);
  const v = k.args[0]!;
  const str = (off: number, text: string): Frag => {
    if (text.length > 15) L.err('FILTER_BAD_VALUE', `name "${text}" is longer than 15 characters`, v.span);
    // Compare the bytes of the name from its end: words, then a half-word, then a byte.
    const parts: Frag[] = [];
    let n = text.length;
    const byte = (i: number): number => text.charCodeAt(i) & 0xff;
    while (n > 0) {
      const size = n >= 4 ? 4 : n >= 2 ? 2 : 1;
      n -= size;
      let val = 0;
      for (let i = 0; i < size; i++) val = (val * 256 + byte(n + i)) >>> 0;
      parts.push(test([I.ldAbs(off + n, size as 1 | 2 | 4)], I.JEQ_K, val));
    }
    return andAll(parts);
  };
  const named = (table: Record<string, number>, what: string): number => {
    if (v.kind === 'num') return v.num!;
    const r = table[v.text];
    if (r === undefined) L.err('FILTER_BAD_VALUE', `unknown PF ${what} ${v.text}`, v.span);
    return r;
  };
  switch (k.name) {
    case 'on': return str(4, v.text);
    case 'rset': return str(20, v.text);
    case 'rnr': return test([I.ld(36)], I.JEQ_K, v.num!);
    case 'srnr': return test([I.ld(40)], I.JEQ_K, v.num!);
    case 'reason': return test([I.ldb(3)], I.JEQ_K, named(PF_REASONS, 'reason'));
    default: return test([I.ldb(2)], I.JEQ_K, named(PF_ACTIONS, 'action'));
  }
}

/** `byte N op V`: the old byte comparison on the packet's N-th byte. */
export function byteOp(L: Lowerer, k: Keyword): Frag {
  const [idx, op, v] = k.args as [Keyword['args'][number], Keyword['args'][number], Keyword['args'][number]];
  switch (op.text) {
    case '=': return test([I.ldb(idx.num!)], I.JEQ_K, v.num!);
    case '>': return test([I.ldb(idx.num!)], I.JGT_K, v.num!);
    case '<': return not(test([I.ldb(idx.num!)], I.JGE_K, v.num!));
    // libpcap 1.10.3 emits no load for | and & (A is still 0 there): A | v != 0, A & v != 0.
    // A program starts with A = 0, which is what this reads when the primitive stands alone;
    // no load is emitted so that, as in libpcap, the optimizer cannot fold it away.
    case '|': return not(test([I.aluK(I.OR, v.num!)], I.JEQ_K, 0));
    default: return not(test([I.aluK(I.AND, v.num!)], I.JEQ_K, 0));
  }
}
