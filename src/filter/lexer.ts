/**
 * The filter lexer: turns an expression into tokens with spans. It scans "words" the way
 * libpcap's flex scanner does (longest match: `tcp-syn`, `host.example.com` and `10.0.0.1` are
 * each one word) and then classifies the word: number, dotted IPv4, keyword, named number, or
 * name. IPv6 literals and MAC addresses are tried before plain words because they contain `:`,
 * which is also the separator in `ether[0:2]`. Errors are `UserError`s pointing at the bad text.
 */
import { isIPv6 } from 'node:net';
import { UserError } from '../errors.ts';
import { KEYWORDS, NAMED_NUMBERS } from './tokens.ts';
import type { Token, TokenKind } from './tokens.ts';

const WORD = /[A-Za-z0-9_](?:[-_.A-Za-z0-9]*[._A-Za-z0-9])?/y;
/** What follows a backslash: libpcap 1.10.3 scans `\\[^ !()\n\t]+` as a name. */
const ESCAPED = /[^ !()\n\t]+/y;
const V6_RUN = /[0-9A-Fa-f:][0-9A-Fa-f:.]*/y;
const MAC_FORMS = [
  /[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2}){5}/y,
  /[0-9A-Fa-f]{1,2}(-[0-9A-Fa-f]{1,2}){5}/y,
  /[0-9A-Fa-f]{1,2}(\.[0-9A-Fa-f]{1,2}){5}/y,
  /[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}/y,
  /[0-9A-Fa-f]{12}/y,
];
const ARC = /\$[0-9A-Fa-f]{1,2}/y;
const PUNCT: readonly string[] = ['<<', '>>', '>=', '<=', '!=', '==', '&&', '||',
  '(', ')', '[', ']', ':', '+', '-', '*', '/', '%', '&', '|', '^', '!', '=', '>', '<'];
const WORD_CHAR = /[-_.A-Za-z0-9:]/;

function stickyMatch(re: RegExp, text: string, pos: number): string | undefined {
  re.lastIndex = pos;
  const m = re.exec(text);
  return m ? m[0] : undefined;
}

/**
 * Parses a numeric literal the way libpcap does: `0x` hex, leading `0` octal, else decimal;
 * values above 2^32-1 are an error. Returns undefined if `s` is not a number at all.
 */
function parseNumber(s: string, span: { start: number; end: number }, source: string): number | undefined {
  let digits: string;
  let radix: number;
  if (/^0[xX][0-9A-Fa-f]+$/.test(s)) { digits = s.slice(2); radix = 16; }
  else if (/^0[0-7]*$/.test(s)) { digits = s; radix = 8; }
  else if (/^[0-9]+$/.test(s)) { digits = s; radix = 10; }
  else return undefined;
  const v = parseInt(digits, radix);
  if (!Number.isFinite(v) || v > 0xffffffff) {
    throw new UserError('FILTER_NUMBER_OVERFLOW', `number ${s} overflows 32 bits`, { span, source });
  }
  return v;
}

export function lex(source: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  const n = source.length;
  while (pos < n) {
    const c = source[pos]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { pos++; continue; }
    const start = pos;
    // `\word`: the word is a plain name even if it is a keyword (`ether proto \ip`). As in
    // libpcap 1.10.3's scanner the word runs to the next blank, '!', '(' or ')' (`host \::1`).
    if (c === '\\') {
      const w = stickyMatch(ESCAPED, source, pos + 1);
      if (!w) throw new UserError('FILTER_SYNTAX', "expected a name after '\\'", { span: { start, end: start + 1 }, source });
      pos += 1 + w.length;
      out.push({ kind: 'name', text: w, span: { start, end: pos } });
      continue;
    }
    if (c === '$') {
      const a = stickyMatch(ARC, source, pos);
      if (!a) throw new UserError('FILTER_SYNTAX', "expected an ARCnet address after '$'", { span: { start, end: start + 1 }, source });
      pos += a.length;
      out.push({ kind: 'arc', text: a, span: { start, end: pos } });
      continue;
    }
    // IPv6 literal: the longest run of hex digits, colons and dots that is a valid address.
    const run = stickyMatch(V6_RUN, source, pos);
    if (run && run.includes(':')) {
      const end = pos + run.length;
      const nextIsWord = end < n && WORD_CHAR.test(source[end]!);
      if (!nextIsWord && isIPv6(run)) {
        pos = end;
        out.push({ kind: 'ipv6', text: run, span: { start, end } });
        continue;
      }
    }
    let mac: string | undefined;
    // libpcap's scanner takes the longest match: a MAC address followed by letters is still a
    // MAC address when no name rule matches more (`01:00:5e:00:00:0or` is the address, then `or`).
    const wordLen = stickyMatch(WORD, source, pos)?.length ?? 0;
    for (const re of MAC_FORMS) {
      const m = stickyMatch(re, source, pos);
      if (m && (m.length > wordLen || !(pos + m.length < n && WORD_CHAR.test(source[pos + m.length]!)))) { mac = m; break; }
    }
    // libpcap's scanner prefers its MAC rule for a word of exactly 12 hex digits, even all decimal.
    if (mac && (/[^0-9]/.test(mac) || /^[0-9]{12}$/.test(mac))) {
      pos += mac.length;
      out.push({ kind: 'mac', text: mac, span: { start, end: pos } });
      continue;
    }
    const w = stickyMatch(WORD, source, pos);
    if (w) {
      pos += w.length;
      const span = { start, end: pos };
      const num = parseNumber(w, span, source);
      if (num !== undefined) { out.push({ kind: 'num', text: w, num, span }); continue; }
      if (/^[0-9]+(\.[0-9]+){1,3}$/.test(w)) { out.push({ kind: 'ipv4', text: w, span }); continue; }
      if (mac === w) { out.push({ kind: 'mac', text: w, span }); continue; }
      const kw = KEYWORDS.get(w);
      if (kw !== undefined) { out.push({ kind: 'kw', text: kw, span }); continue; }
      const named = NAMED_NUMBERS.get(w);
      if (named !== undefined) { out.push({ kind: 'num', text: w, num: named, span }); continue; }
      out.push({ kind: 'name', text: w, span });
      continue;
    }
    const p = PUNCT.find((q) => source.startsWith(q, pos));
    if (p) {
      pos += p.length;
      const kind = (p === '==' ? '=' : p) as TokenKind;
      out.push({ kind, text: p, span: { start, end: pos } });
      continue;
    }
    throw new UserError('FILTER_BAD_CHAR', `illegal character '${c}'`, { span: { start, end: start + 1 }, source });
  }
  out.push({ kind: 'eof', text: '', span: { start: n, end: n } });
  return out;
}
