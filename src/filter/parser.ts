/**
 * Recursive-descent parser for pcap-filter(7) expressions, producing the AST of ast.ts.
 *
 * Boolean level: `and`/`&&` and `or`/`||` have equal precedence and associate to the left;
 * `not`/`!` binds tightest. Qualifier inheritance: after `and`/`or`, a bare value (`443` in
 * `tcp port 80 or 443`, `b` in `not host a and b`, also `not v` and `(v or w)`) takes the
 * qualifiers of the last primitive that had some; we keep them in `lastQuals` (undefined after a
 * primitive without qualifiers, like `tcp`, which makes a following bare value an error, as in
 * libpcap). Arithmetic level: precedence climbing with libpcap's table (`|` < `&` < shifts <
 * `+ -` < `* / %` < unary minus); `^` has no precedence in libpcap's grammar, so yacc always
 * shifts it: `a ^ b + c` is `a ^ (b + c)` and `a + b ^ c` is `a + (b ^ c)`; we reproduce that.
 *
 * Depth: nothing recurses on the JavaScript stack. The boolean level (and/or chains, `not`,
 * parentheses), the arithmetic level (operator chains, unary minus, parentheses, loads) and
 * parenthesised value lists (`host (a or (b or c))`) are each parsed with an explicit stack of
 * open constructs, so 100,000 nested parentheses, `not`s or arithmetic terms parse as tcpdump
 * parses them; what bounds them is the expression's size limit (FILTER_TOO_LARGE, index.ts).
 */
import { UserError } from '../errors.ts';
import type { Span } from '../errors.ts';
import { lex } from './lexer.ts';
import type { Token, TokenKind } from './tokens.ts';
import type { Arith, ArithOp, Ast, DirQual, ProtoQual, Quals, RelOp, TypeQual, Value } from './ast.ts';

const PROTO_QUALS: ReadonlySet<string> = new Set<ProtoQual>([
  'link', 'ether', 'fddi', 'tr', 'wlan', 'ppp', 'slip', 'radio', 'ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp',
  'sctp', 'icmp', 'icmp6', 'igmp', 'igrp', 'pim', 'vrrp', 'carp', 'ah', 'esp', 'atalk', 'aarp', 'decnet',
  'lat', 'sca', 'moprc', 'mopdl', 'iso', 'esis', 'isis', 'clnp', 'stp', 'ipx', 'netbeui',
  'l1', 'l2', 'iih', 'lsp', 'snp', 'csnp', 'psnp',
]);
const TYPE_QUALS: ReadonlySet<string> = new Set<TypeQual>(['host', 'net', 'port', 'portrange', 'gateway', 'proto', 'protochain']);
const SIMPLE_DIRS: ReadonlySet<string> = new Set(['addr1', 'addr2', 'addr3', 'addr4', 'ra', 'ta']);
const RELOPS: ReadonlySet<string> = new Set(['>', '<', '>=', '<=', '=', '!=']);
/**
 * Binary arithmetic operators and their precedence (higher binds tighter). '^' and '%' are
 * special: libpcap 1.10.3's grammar gives them no precedence, so yacc always shifts them.
 */
const ARITH_PREC: ReadonlyMap<string, number> = new Map([
  ['|', 1], ['&', 2], ['<<', 3], ['>>', 3], ['+', 4], ['-', 4], ['*', 5], ['/', 5],
]);
/** Operators without precedence: the whole rest of the expression is their right operand. */
const NO_PREC: ReadonlySet<string> = new Set(['^', '%']);
/** Keywords that take an optional numeric argument. */
const OPT_NUM_KW: ReadonlySet<string> = new Set(['vlan', 'mpls', 'pppoes', 'geneve']);
/** Keywords that need a numeric argument. */
const NUM_KW: ReadonlySet<string> = new Set(['less', 'greater', 'ifindex', 'rnr', 'srnr']);
/** Keywords that stand alone. */
const BARE_KW: ReadonlySet<string> = new Set([
  'inbound', 'outbound', 'pppoed', 'lane', 'metac', 'bcc', 'oam', 'oamf4', 'oamf4sc', 'oamf4ec', 'sc', 'ilmic', 'connectmsg',
  'metaconnect', 'fisu', 'lssu', 'msu', 'hfisu', 'hlssu', 'hmsu',
]);
/** Keywords that need a name (or number) argument. */
const NAME_KW: ReadonlySet<string> = new Set(['on', 'reason', 'rset', 'action', 'dir']);
/** Field keywords compared with a number: `sio 3`, `vpi > 10`, `opc (1 or 2)`. */
const MTP3_KW: ReadonlySet<string> = new Set(['sio', 'opc', 'dpc', 'sls', 'hsio', 'hopc', 'hdpc', 'hsls', 'vpi', 'vci']);

/** An open construct of the arithmetic level (see parseArith). */
type ArithFrame =
  | { k: 'chain'; minPrec: number; left: Arith | undefined; op: ArithOp | undefined }
  | { k: 'neg'; tok: Token }
  | { k: 'paren'; tok: Token }
  | { k: 'load'; tok: Token };

/** An open construct of a value list (see parseId). */
type IdFrame =
  | { k: 'list'; tok: Token; left: Ast | undefined; op: 'and' | 'or' | undefined }
  | { k: 'not'; tok: Token };

/** One open parenthesis of the boolean level (or the whole expression, `open` undefined). */
interface Level {
  /** What the level has so far, and the operator waiting for its right operand. */
  left: Ast | undefined;
  op: 'and' | 'or' | undefined;
  /** The `(` that opened the level and the `not`s in front of it. */
  open: Token | undefined;
  nots: Token[];
}

function spanOf(a: Span, b: Span): Span {
  return { start: a.start, end: b.end };
}

class Parser {
  private toks: Token[];
  private i = 0;
  private lastQuals: Quals | undefined = undefined;

  /** Index of the matching `)`/`]` for each `(`/`[` token (-1: unmatched), computed once. */
  private readonly match: Int32Array;

  constructor(private readonly src: string) {
    this.toks = lex(src);
    this.match = new Int32Array(this.toks.length).fill(-1);
    const open: number[] = [];
    this.toks.forEach((t, j) => {
      if (t.kind === '(' || t.kind === '[') open.push(j);
      else if ((t.kind === ')' || t.kind === ']') && open.length > 0) this.match[open.pop()!] = j;
    });
  }

  private peek(o = 0): Token { return this.toks[Math.min(this.i + o, this.toks.length - 1)]!; }
  private next(): Token { const t = this.peek(); if (t.kind !== 'eof') this.i++; return t; }
  private isKw(t: Token, k: string): boolean { return t.kind === 'kw' && t.text === k; }
  private fail(msg: string, span: Span, code = 'FILTER_SYNTAX'): never {
    throw new UserError(code, msg, { span, source: this.src });
  }
  private expect(kind: TokenKind, what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(`expected ${what}`, t.span);
    return this.next();
  }

  parseAll(): Ast {
    const t = this.peek();
    if (t.kind === 'eof') return { type: 'empty', span: t.span };
    const e = this.parseExpr();
    const end = this.peek();
    if (end.kind !== 'eof') this.fail(`unexpected '${end.text}'`, end.span);
    return e;
  }

  private isAndOr(t: Token): 'and' | 'or' | undefined {
    if (t.kind === '&&' || this.isKw(t, 'and')) return 'and';
    if (t.kind === '||' || this.isKw(t, 'or')) return 'or';
    return undefined;
  }

  /**
   * expr := term (and|or (inherited-value | term))*, term := not* (relation | '(' expr ')' |
   * primitive). Iterative: `levels` is the stack of open parentheses; each holds the left
   * operand built so far and the operator waiting for the next term.
   */
  private parseExpr(): Ast {
    const levels: Level[] = [{ left: undefined, op: undefined, open: undefined, nots: [] }];
    for (;;) {
      // A term: `not`s, then an opening parenthesis (a new level) or a relation / primitive.
      const nots: Token[] = [];
      let term: Ast | undefined;
      const top = levels[levels.length - 1]!;
      if (top.op !== undefined && this.bareIdAhead()) term = this.parseInheritedId();
      else {
        for (let t = this.peek(); t.kind === '!' || this.isKw(t, 'not'); t = this.peek()) nots.push(this.next());
        if (this.peek().kind === '(' && !this.arithAhead()) {
          levels.push({ left: undefined, op: undefined, open: this.next(), nots });
          continue;
        }
        term = this.withNots(nots, this.parseRterm());
      }
      // Fold the term into its level; close levels while a ')' follows.
      for (;;) {
        const lv = levels[levels.length - 1]!;
        lv.left = lv.left === undefined || lv.op === undefined ? term : { type: lv.op, left: lv.left, right: term!, span: spanOf(lv.left.span, term!.span) };
        const op = this.isAndOr(this.peek());
        if (op) {
          this.next();
          lv.op = op;
          break;
        }
        if (lv.open === undefined) return lv.left!;
        const close = this.expect(')', "')'");
        levels.pop();
        term = this.withNots(lv.nots, { type: 'paren', inner: lv.left!, span: spanOf(lv.open.span, close.span) });
      }
    }
  }

  /** `not`s applied to a term, innermost last: each `not` spans from itself to the term's end. */
  private withNots(nots: Token[], term: Ast): Ast {
    let t = term;
    for (let k = nots.length - 1; k >= 0; k--) t = { type: 'not', operand: t, span: spanOf(nots[k]!.span, term.span) };
    return t;
  }

  /** Is the next thing a bare value that inherits qualifiers (`443`, `not b`, `(b or c)`)? */
  private bareIdAhead(): boolean {
    let j = 0;
    for (;;) {
      const t = this.peek(j);
      if (t.kind === '!' || this.isKw(t, 'not') || t.kind === '(') { j++; continue; }
      if (t.kind === 'name' || t.kind === 'ipv4' || t.kind === 'ipv6' || t.kind === 'mac' || t.kind === 'arc') return true;
      if (t.kind === 'num') {
        const u = this.peek(j + 1);
        return !(RELOPS.has(u.kind) || ARITH_PREC.has(u.kind) || NO_PREC.has(u.kind));
      }
      return false;
    }
  }

  private parseInheritedId(): Ast {
    const q = this.lastQuals;
    if (!q) this.fail('a value here needs qualifiers to inherit (e.g. "host", "port")', this.peek().span);
    return this.parseId(q);
  }

  /** After '(' at offset 0: does the matching ')' precede an arithmetic/relational operator? */
  private parenIsArith(): boolean {
    // Brackets count as one kind, as the scan they replace did: the precomputed match is that scan's.
    const j = this.match[this.i] ?? -1;
    if (j < 0) return false;
    const u = this.toks[j + 1] ?? this.toks[this.toks.length - 1]!;
    return RELOPS.has(u.kind) || ARITH_PREC.has(u.kind) || NO_PREC.has(u.kind);
  }

  private arithAhead(): boolean {
    const t = this.peek();
    if (t.kind === '-') return true;
    if (t.kind === 'num') {
      const u = this.peek(1);
      return RELOPS.has(u.kind) || ARITH_PREC.has(u.kind) || NO_PREC.has(u.kind);
    }
    if (this.isKw(t, 'len')) return true;
    if (t.kind === 'kw' && this.peek(1).kind === '[') return true;
    if (t.kind === '(') return this.parenIsArith();
    return false;
  }

  private parseRterm(): Ast {
    const t = this.peek();
    if (this.arithAhead()) return this.parseRelation();
    if (t.kind !== 'kw') {
      if (t.kind === 'eof') this.fail('unexpected end of expression', t.span);
      this.fail(`unexpected '${t.text}'; expected a primitive such as "host", "port", "tcp"`, t.span);
    }
    return this.parsePrimitive();
  }

  private parseRelation(): Ast {
    const left = this.parseArith();
    const t = this.peek();
    if (!RELOPS.has(t.kind)) this.fail('expected a relational operator (=, !=, <, <=, >, >=)', t.span);
    this.next();
    const right = this.parseArith();
    this.lastQuals = undefined;
    return { type: 'rel', op: t.kind as RelOp, left, right, span: spanOf(left.span, right.span) };
  }

  /**
   * arith := unary (binop arith)*, with libpcap's precedences; unary := '-' unary | num | len |
   * '(' arith ')' | proto '[' arith [':' size] ']'. Iterative precedence climbing: `frames` holds
   * what the recursive version would keep on the JavaScript stack — an open operator chain (its
   * minimum precedence, the left operand so far, the operator waiting for its right operand), a
   * pending unary minus, an open parenthesis or an open load. A finished operand is handed to
   * the frame on top until one asks for more input.
   */
  private parseArith(): Arith {
    const frames: ArithFrame[] = [{ k: 'chain', minPrec: 0, left: undefined, op: undefined }];
    for (;;) {
      // Prefixes open frames; an atom ends the operand.
      const t = this.peek();
      if (t.kind === '-') { this.next(); frames.push({ k: 'neg', tok: t }); continue; }
      if (t.kind === '(') {
        this.next();
        frames.push({ k: 'paren', tok: t }, { k: 'chain', minPrec: 0, left: undefined, op: undefined });
        continue;
      }
      if (t.kind === 'kw' && this.peek(1).kind === '[') {
        this.next(); this.next();
        frames.push({ k: 'load', tok: t }, { k: 'chain', minPrec: 0, left: undefined, op: undefined });
        continue;
      }
      let v: Arith;
      if (t.kind === 'num') { this.next(); v = { type: 'num', value: t.num!, span: t.span }; }
      else if (this.isKw(t, 'len')) { this.next(); v = { type: 'len', span: t.span }; }
      else if (t.kind === 'eof') this.fail('expected an arithmetic expression', t.span);
      else this.fail(`unexpected '${t.text}' in an arithmetic expression`, t.span);
      // Hand the operand up until a frame needs another one.
      for (;;) {
        const f = frames[frames.length - 1]!;
        if (f.k === 'neg') { frames.pop(); v = { type: 'neg', operand: v, span: spanOf(f.tok.span, v.span) }; continue; }
        if (f.k === 'paren') {
          frames.pop();
          const close = this.expect(')', "')'");
          v = { type: 'paren', inner: v, span: spanOf(f.tok.span, close.span) };
          continue;
        }
        if (f.k === 'load') { frames.pop(); v = this.finishLoad(f.tok, v); continue; }
        f.left = f.left === undefined || f.op === undefined ? v : { type: 'bin', op: f.op, left: f.left, right: v, span: spanOf(f.left.span, v.span) };
        f.op = undefined;
        const o = this.peek();
        // yacc shifts '^' and '%' (no precedence): the whole rest of the expression is the operand.
        const p = NO_PREC.has(o.kind) ? 0 : ARITH_PREC.get(o.kind);
        if (p !== undefined && (NO_PREC.has(o.kind) || p >= f.minPrec)) {
          this.next();
          f.op = o.kind as ArithOp;
          frames.push({ k: 'chain', minPrec: NO_PREC.has(o.kind) ? 0 : p + 1, left: undefined, op: undefined });
          break;
        }
        frames.pop();
        if (frames.length === 0) return f.left;
        v = f.left;
      }
    }
  }

  /** After `proto[index`: an optional `:size`, then `]`. */
  private finishLoad(t: Token, index: Arith): Arith {
    let size: 1 | 2 | 4 = 1;
    let explicitSize = false;
    if (this.peek().kind === ':') {
      this.next();
      const s = this.expect('num', 'a size (1, 2 or 4) after \':\'');
      if (s.num !== 1 && s.num !== 2 && s.num !== 4) this.fail('data size must be 1, 2, or 4', s.span, 'FILTER_BAD_SIZE');
      size = s.num;
      explicitSize = true;
    }
    const close = this.expect(']', "']'");
    return { type: 'load', proto: t.text, index, size, explicitSize, span: spanOf(t.span, close.span) };
  }

  /**
   * A value, or a parenthesised and/or combination of values (`not` allowed in front of each),
   * under qualifiers `q`: `host (a or (b and not c))`. Iterative like parseArith: `frames` are
   * the open parentheses (with the list built so far) and pending `not`s.
   */
  private parseId(q: Quals): Ast {
    const frames: IdFrame[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === '!' || this.isKw(t, 'not')) { this.next(); frames.push({ k: 'not', tok: t }); continue; }
      if (t.kind === '(') { this.next(); frames.push({ k: 'list', tok: t, left: undefined, op: undefined }); continue; }
      let v = this.parseIdValue(q);
      for (;;) {
        const f = frames[frames.length - 1];
        if (f === undefined) return v;
        if (f.k === 'not') { frames.pop(); v = { type: 'not', operand: v, span: spanOf(f.tok.span, v.span) }; continue; }
        f.left = f.left === undefined || f.op === undefined ? v : { type: f.op, left: f.left, right: v, span: spanOf(f.left.span, v.span) };
        const op = this.isAndOr(this.peek());
        if (op) { this.next(); f.op = op; break; }
        const close = this.expect(')', "')'");
        frames.pop();
        v = { type: 'paren', inner: f.left, span: spanOf(f.tok.span, close.span) };
      }
    }
  }

  /** One value under `q`, with its `/len` or `mask m`. */
  private parseIdValue(q: Quals): Ast {
    const v = this.parseValue(q);
    const prim = { type: 'prim' as const, quals: q, value: v, span: v.span } as Extract<Ast, { type: 'prim' }>;
    // `net 10.0.0.0/8`, `net 10.0.0.0 mask 255.0.0.0`
    // (libpcap 1.10.3's grammar has no `NUM/len`: `net 10/8` is a syntax error.)
    if (this.peek().kind === '/' && (v.kind === 'ipv4' || v.kind === 'ipv6')) {
      this.next();
      const n = this.expect('num', "a prefix length after '/'");
      prim.maskLen = n.num!;
      prim.span = spanOf(v.span, n.span);
    } else if (this.isKw(this.peek(), 'mask') && v.kind === 'ipv4') {
      this.next();
      const m = this.peek();
      if (m.kind !== 'ipv4' && m.kind !== 'num') this.fail("expected an IPv4 mask after 'mask'", m.span);
      this.next();
      prim.mask = { kind: m.kind === 'num' ? 'num' : 'ipv4', text: m.text, num: m.num, span: m.span };
      prim.span = spanOf(v.span, m.span);
    }
    return prim;
  }

  private parseValue(q: Quals): Value {
    const t = this.peek();
    switch (t.kind) {
      case 'num': this.next(); return { kind: 'num', text: t.text, num: t.num, span: t.span };
      case 'name': this.next(); return { kind: 'name', text: t.text, span: t.span };
      case 'ipv4': this.next(); return { kind: 'ipv4', text: t.text, span: t.span };
      case 'ipv6': this.next(); return { kind: 'ipv6', text: t.text, span: t.span };
      case 'mac': this.next(); return { kind: 'mac', text: t.text, span: t.span };
      case 'arc': this.next(); return { kind: 'arc', text: t.text, span: t.span };
      default: {
        const what = q.type === 'port' ? 'a port number' : q.type === 'portrange' ? 'a port range'
          : q.type === 'proto' || q.type === 'protochain' ? 'a protocol' : q.type === 'net' ? 'a network'
          : 'a host address';
        const after = q.type ?? q.dir ?? q.proto;
        const span = t.kind === 'eof' ? { start: t.span.start, end: t.span.start } : t.span;
        this.fail(`expected ${what}${after ? ` after '${after}'` : ''}`, span);
      }
    }
  }

  private parseDir(): DirQual | undefined {
    const t = this.peek();
    if (this.isKw(t, 'src') || this.isKw(t, 'dst')) {
      this.next();
      const u = this.peek();
      const other = t.text === 'src' ? 'dst' : 'src';
      const op = this.isAndOr(u);
      if (op && this.isKw(this.peek(1), other) && u.kind === 'kw') {
        this.next(); this.next();
        return op === 'or' ? 'src or dst' : 'src and dst';
      }
      return t.text as DirQual;
    }
    if (t.kind === 'kw' && SIMPLE_DIRS.has(t.text)) { this.next(); return t.text as DirQual; }
    return undefined;
  }

  private parsePrimitive(): Ast {
    const start = this.peek();
    let proto: ProtoQual | undefined;
    if (PROTO_QUALS.has(start.text)) {
      const u = this.peek(1);
      // A protocol name followed by a qualifier or a keyword that accepts a protocol prefix.
      this.next();
      proto = start.text as ProtoQual;
      if (u.kind !== 'kw' || !(TYPE_QUALS.has(u.text) || u.text === 'src' || u.text === 'dst' || SIMPLE_DIRS.has(u.text)
        || u.text === 'broadcast' || u.text === 'multicast' || u.text === 'type' || u.text === 'subtype' || u.text === 'dir')) {
        // `tcp`, `ip`, ... alone: the protocol primitive.
        this.lastQuals = undefined;
        return { type: 'kw', name: proto, args: [], span: start.span };
      }
    }
    const t = this.peek();
    if (this.isKw(t, 'broadcast') || this.isKw(t, 'multicast')) {
      this.next();
      this.lastQuals = undefined;
      return { type: 'kw', name: t.text, proto, args: [], span: spanOf(start.span, t.span) };
    }
    const dir = this.isKw(t, 'dir') ? undefined : this.parseDir();
    let type: TypeQual | undefined;
    const ty = this.peek();
    if (ty.kind === 'kw' && TYPE_QUALS.has(ty.text)) {
      // `proto` and `protochain` take a protocol qualifier only, never a direction.
      if (dir && (ty.text === 'proto' || ty.text === 'protochain')) this.fail(`'${ty.text}' cannot follow a direction qualifier`, ty.span);
      this.next();
      type = ty.text as TypeQual;
    }
    if (dir || type || (proto && !(t.kind === 'kw' && (t.text === 'type' || t.text === 'subtype' || t.text === 'dir')))) {
      const quals: Quals = { proto, dir, type };
      this.lastQuals = quals;
      return this.parseId(quals);
    }
    // Keyword primitives.
    this.next();
    const name = t.text;
    const args: Value[] = [];
    const numArg = (): Value => {
      const n = this.peek();
      if (n.kind !== 'num') this.fail(`expected a number after '${name}'`, n.kind === 'eof' ? { start: n.span.start, end: n.span.start } : n.span);
      this.next();
      return { kind: 'num', text: n.text, num: n.num, span: n.span };
    };
    let end = t.span;
    if (OPT_NUM_KW.has(name)) {
      if (this.peek().kind === 'num') { const v = numArg(); args.push(v); end = v.span; }
    } else if (NUM_KW.has(name)) {
      const v = numArg(); args.push(v); end = v.span;
    } else if (NAME_KW.has(name)) {
      const n = this.peek();
      if (n.kind !== 'name' && n.kind !== 'num' && n.kind !== 'kw') this.fail(`expected a name after '${name}'`, n.span);
      this.next();
      args.push({ kind: n.kind === 'num' ? 'num' : 'name', text: n.text, num: n.num, span: n.span });
      end = n.span;
    } else if (name === 'llc') {
      const n = this.peek();
      // `rnr` is also a pflog keyword; after `llc` it is the LLC subtype.
      if (n.kind === 'name' || (n.kind === 'kw' && n.text === 'rnr')) { this.next(); args.push({ kind: 'name', text: n.text, span: n.span }); end = n.span; }
    } else if (name === 'type' || name === 'subtype') {
      const n = this.peek();
      // libpcap's grammar takes a number after `type` but only a name after `subtype`.
      if (n.kind !== 'name' && !(n.kind === 'num' && name === 'type')) this.fail(`expected a frame ${name} name after '${name}'`, n.span);
      this.next();
      args.push({ kind: n.kind === 'num' ? 'num' : 'name', text: n.text, num: n.num, span: n.span });
      end = n.span;
      if (name === 'type' && this.isKw(this.peek(), 'subtype')) {
        this.next();
        const s = this.peek();
        if (s.kind !== 'name' && s.kind !== 'num') this.fail("expected a frame subtype after 'subtype'", s.span);
        this.next();
        args.push({ kind: s.kind === 'num' ? 'num' : 'name', text: s.text, num: s.num, span: s.span });
        end = s.span;
      }
    } else if (name === 'byte') {
      // `byte N op V` (an old form: op is one of = < > | &)
      const idx = numArg();
      const r = this.peek();
      if (!['=', '<', '>', '|', '&'].includes(r.kind)) this.fail("expected one of = < > | & after 'byte N'", r.span);
      this.next();
      const v = numArg();
      args.push(idx, { kind: 'name', text: r.kind, span: r.span }, v);
      end = v.span;
    } else if (MTP3_KW.has(name)) {
      // `field (v1 or v2 ...)`: one comparison per value, combined as written.
      if (this.peek().kind === '(') {
        const open = this.next();
        const one = (): Ast => {
          const v = numArg();
          return { type: 'kw', name, args: [{ kind: 'name', text: '=', span: v.span }, v], span: v.span };
        };
        let left = one();
        for (;;) {
          const op = this.isAndOr(this.peek());
          if (!op) break;
          this.next();
          const right = one();
          left = { type: op, left, right, span: spanOf(left.span, right.span) };
        }
        const close = this.expect(')', "')'");
        this.lastQuals = undefined;
        return { type: 'paren', inner: left, span: spanOf(open.span, close.span) };
      }
      const r = this.peek();
      let op = '=';
      if (RELOPS.has(r.kind)) { this.next(); op = r.kind; }
      const v = numArg();
      args.push({ kind: 'name', text: op, span: r.span }, v);
      end = v.span;
    } else if (!BARE_KW.has(name)) {
      this.fail(`unexpected '${t.text}'`, t.span);
    }
    this.lastQuals = undefined;
    return { type: 'kw', name, proto, args, span: spanOf(start.span, end) };
  }
}

/** Parses a filter expression into an AST; throws UserError (with span and source) on bad syntax. */
export function parse(text: string): Ast {
  return new Parser(text).parseAll();
}
