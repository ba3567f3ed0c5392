/**
 * The filter AST: what the parser produces and the lowering consumes. It stays close to the
 * surface language (pcap-filter(7)) so that `printAst` can write it back as text: a primitive
 * keeps its qualifiers exactly as the user gave them (after qualifier inheritance has been
 * applied), values keep their raw spelling, and every node keeps the `span` of the text it came
 * from so that semantic errors found later can still point at the right column.
 */
import type { Span } from '../errors.ts';

/** Protocol qualifiers (`ether host`, `tcp port`, `ip6 net`, `wlan addr1`, ...). */
export type ProtoQual =
  | 'link' | 'ether' | 'fddi' | 'tr' | 'wlan' | 'ppp' | 'slip' | 'radio'
  | 'ip' | 'ip6' | 'arp' | 'rarp' | 'tcp' | 'udp' | 'sctp' | 'icmp' | 'icmp6' | 'igmp' | 'igrp'
  | 'pim' | 'vrrp' | 'carp' | 'ah' | 'esp' | 'atalk' | 'aarp' | 'decnet' | 'lat' | 'sca'
  | 'moprc' | 'mopdl' | 'iso' | 'esis' | 'isis' | 'clnp' | 'stp' | 'ipx' | 'netbeui'
  | 'l1' | 'l2' | 'iih' | 'lsp' | 'snp' | 'csnp' | 'psnp';

/** Direction qualifiers. */
export type DirQual = 'src' | 'dst' | 'src or dst' | 'src and dst' | 'addr1' | 'addr2' | 'addr3' | 'addr4' | 'ra' | 'ta';

/** Address-type qualifiers. */
export type TypeQual = 'host' | 'net' | 'port' | 'portrange' | 'gateway' | 'proto' | 'protochain';

export interface Quals {
  proto?: ProtoQual;
  dir?: DirQual;
  type?: TypeQual;
}

/** The spelling classes of an identifier-like value, as the lexer recognised them. */
export type ValueKind =
  | 'num'   // 80, 0x50, 017
  | 'name'  // www.example.com, http, ip (escaped keyword)
  | 'ipv4'  // 10.0.0.1, 10.0.0 (1 to 4 dotted parts)
  | 'ipv6'  // 2001:db8::1
  | 'mac'   // 00:11:22:33:44:55
  | 'arc';  // $ab (ARCnet)

export interface Value {
  kind: ValueKind;
  text: string;
  /** Numeric value for kind 'num'. */
  num?: number;
  span: Span;
}

/** `[quals] value`, optionally `value/len` or `value mask value`. */
export interface Primitive {
  type: 'prim';
  quals: Quals;
  value: Value;
  maskLen?: number;
  mask?: Value;
  span: Span;
}

/** A keyword primitive with optional arguments (`tcp`, `vlan 10`, `less 100`, `ether broadcast`, ...). */
export interface Keyword {
  type: 'kw';
  /** The canonical keyword (e.g. 'tcp', 'vlan', 'broadcast', 'inbound', 'llc', 'wlan type'). */
  name: string;
  /** Protocol qualifier in front (`ether broadcast`, `ip multicast`, `ip proto`...). */
  proto?: ProtoQual;
  args: Value[];
  span: Span;
}

export type ArithOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>';
export type RelOp = '>' | '<' | '>=' | '<=' | '=' | '!=';

export type Arith =
  | { type: 'num'; value: number; span: Span }
  | { type: 'len'; span: Span }
  | { type: 'load'; proto: string; index: Arith; size: 1 | 2 | 4; explicitSize: boolean; span: Span }
  | { type: 'bin'; op: ArithOp; left: Arith; right: Arith; span: Span }
  | { type: 'neg'; operand: Arith; span: Span }
  | { type: 'paren'; inner: Arith; span: Span };

export interface Relation {
  type: 'rel';
  op: RelOp;
  left: Arith;
  right: Arith;
  span: Span;
}

export type Ast =
  | Primitive
  | Keyword
  | Relation
  | { type: 'and' | 'or'; left: Ast; right: Ast; span: Span }
  | { type: 'not'; operand: Ast; span: Span }
  | { type: 'paren'; inner: Ast; span: Span }
  /** The empty expression: accepts every packet. */
  | { type: 'empty'; span: Span };
