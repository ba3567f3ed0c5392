/** Lexer tests: word classification, addresses, operators, escapes and spans. */
import { describe, expect, it } from 'vitest';
import { lex } from '../../src/filter/lexer.ts';
import { UserError } from '../../src/errors.ts';

const kinds = (s: string): string[] => lex(s).map((t) => `${t.kind}:${t.text}`);

describe('lexer', () => {
  it('classifies words', () => {
    expect(kinds('tcp port 80')).toEqual(['kw:tcp', 'kw:port', 'num:80', 'eof:']);
    expect(kinds('host foo.example.com')).toEqual(['kw:host', 'name:foo.example.com', 'eof:']);
    expect(kinds('net 10.1')).toEqual(['kw:net', 'ipv4:10.1', 'eof:']);
  });
  it('reads hex and octal numbers and named constants', () => {
    const t = lex('0x1f 010 tcp-syn icmp-echo tcpflags');
    expect(t.slice(0, 5).map((x) => x.num)).toEqual([31, 8, 2, 8, 13]);
  });
  it('keeps hyphenated words together as libpcap does', () => {
    expect(kinds('len-1')).toEqual(['name:len-1', 'eof:']);
    expect(kinds('len - 1')).toEqual(['kw:len', '-:-', 'num:1', 'eof:']);
  });
  it('recognises IPv6 and MAC literals but not ether[0:2]', () => {
    expect(kinds('2001:db8::1')).toEqual(['ipv6:2001:db8::1', 'eof:']);
    expect(kinds('0:1:2:3:4:5')[0]).toBe('mac:0:1:2:3:4:5');
    expect(kinds('0001.0203.0405')[0]).toBe('mac:0001.0203.0405');
    expect(kinds('ether[0:2]')).toEqual(['kw:ether', '[:[', 'num:0', ':::', 'num:2', ']:]', 'eof:']);
  });
  it('maps aliases and escapes keywords', () => {
    expect(kinds('es-is length')).toEqual(['kw:esis', 'kw:len', 'eof:']);
    expect(kinds('ether proto \\arp')).toEqual(['kw:ether', 'kw:proto', 'name:arp', 'eof:']);
  });
  it('reads two-character operators and normalises ==', () => {
    expect(kinds('<< >> >= <= != == && || !').slice(0, 9)).toEqual(['<<:<<', '>>:>>', '>=:>=', '<=:<=', '!=:!=', '=:==', '&&:&&', '||:||', '!:!']);
  });
  it('gives spans', () => {
    const t = lex('  tcp  port');
    expect(t[0]!.span).toEqual({ start: 2, end: 5 });
    expect(t[1]!.span).toEqual({ start: 7, end: 11 });
    expect(t[2]!.span).toEqual({ start: 11, end: 11 });
  });
  it('rejects illegal characters and overflowing numbers with a span', () => {
    try { lex('tcp @'); expect.unreachable(); } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).span).toEqual({ start: 4, end: 5 });
    }
    expect(() => lex('ip[0] = 4294967296')).toThrow(/overflow/);
  });
  it('is case sensitive like libpcap', () => {
    expect(kinds('TCP')[0]).toBe('name:TCP');
  });
});
