/** Parser and printer tests: precedence, qualifier inheritance, arithmetic, round trips. */
import { describe, expect, it } from 'vitest';
import { parse, printAst } from '../../src/filter/index.ts';
import type { Ast } from '../../src/filter/ast.ts';

/** A compact s-expression view of the tree (no spans). */
function sx(a: Ast): string {
  switch (a.type) {
    case 'and': case 'or': return `(${a.type} ${sx(a.left)} ${sx(a.right)})`;
    case 'not': return `(not ${sx(a.operand)})`;
    case 'paren': return sx(a.inner);
    case 'empty': return '()';
    case 'prim': return `[${[a.quals.proto, a.quals.dir, a.quals.type].filter(Boolean).join(' ')} ${a.value.text}${a.maskLen !== undefined ? `/${a.maskLen}` : ''}]`;
    case 'kw': return `{${[a.proto, a.name, ...a.args.map((v) => v.text)].filter(Boolean).join(' ')}}`;
    case 'rel': return `<${a.op}>`;
  }
}

describe('parser', () => {
  it('gives and/or equal precedence, left-associative, with not tightest', () => {
    expect(sx(parse('tcp or udp and icmp'))).toBe('(and (or {tcp} {udp}) {icmp})');
    expect(sx(parse('tcp && udp || icmp'))).toBe('(or (and {tcp} {udp}) {icmp})');
    expect(sx(parse('not tcp and udp'))).toBe('(and (not {tcp}) {udp})');
    expect(sx(parse('! (tcp or udp)'))).toBe('(not (or {tcp} {udp}))');
  });
  it('inherits qualifiers for bare values', () => {
    expect(sx(parse('tcp port 80 or 443'))).toBe('(or [tcp port 80] [tcp port 443])');
    expect(sx(parse('not host a and b'))).toBe('(and (not [host a]) [host b])');
    expect(sx(parse('host a and not b'))).toBe('(and [host a] (not [host b]))');
    expect(sx(parse('src net 10.0.0.0/8 or (192.168.0.0/16 or 172.16.0.0/12)')))
      .toBe('(or [src net 10.0.0.0/8] (or [src net 192.168.0.0/16] [src net 172.16.0.0/12]))');
  });
  it('parses direction combinations', () => {
    expect(sx(parse('src or dst host a'))).toBe('[src or dst host a]');
    expect(sx(parse('dst and src port 1'))).toBe('[src and dst port 1]');
    expect(sx(parse('src host a or dst host b'))).toBe('(or [src host a] [dst host b])');
  });
  it('parses keyword primitives', () => {
    expect(sx(parse('vlan 10 and mpls and pppoes 3'))).toBe('(and (and {vlan 10} {mpls}) {pppoes 3})');
    expect(sx(parse('ether broadcast or ip multicast'))).toBe('(or {ether broadcast} {ip multicast})');
    expect(sx(parse('less 100'))).toBe('{less 100}');
    expect(sx(parse('ether proto \\ip'))).toBe('[ether proto ip]');
  });
  it('parses arithmetic with libpcap precedence, including yacc\'s shifting of ^', () => {
    const rel = parse('ip[0] + 2 * 3 = 8') as Extract<Ast, { type: 'rel' }>;
    expect(printAst(rel)).toBe('ip[0] + (2 * 3) = 8');
    expect(printAst(parse('ip[0] = 1 ^ 2 & 3'))).toBe('ip[0] = 1 ^ (2 & 3)');
    expect(printAst(parse('ip[0] = 1 | 2 ^ 3'))).toBe('ip[0] = 1 | (2 ^ 3)');
    expect(printAst(parse('ip[0] = 2 + 1 << 1'))).toBe('ip[0] = (2 + 1) << 1');
    expect(printAst(parse('tcp[tcpflags] & (tcp-syn|tcp-ack) != 0'))).toBe('tcp[13] & (2 | 16) != 0');
    expect(printAst(parse('(len) > 5'))).toBe('(len) > 5');
  });
  it('round-trips through the printer', () => {
    for (const s of ['tcp port 80 or 443', 'not host a and b', 'ip6 net 2001:db8::/32', 'ether src 0:1:2:3:4:5',
      'vlan 10 and (tcp or udp)', 'ip[2:2] - 20 > 0', 'net 10.0.0.0 mask 255.0.0.0', 'ether proto \\arp']) {
      const a = parse(s);
      expect(sx(parse(printAst(a)))).toBe(sx(a));
    }
  });
  it('parses the empty expression', () => {
    expect(parse('  ').type).toBe('empty');
  });
});
