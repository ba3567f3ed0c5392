/**
 * Prints an AST back to filter text. The output parses back to the same tree (modulo spans):
 * every primitive is printed with its full (inherited) qualifiers, boolean operators are written
 * as words, and parentheses are kept exactly where the user wrote them — since `and`/`or` have
 * equal precedence and associate left, the tree shape is recoverable from the parenthesised text
 * only if a right operand that is itself an `and`/`or` gets parentheses, which we add.
 */
import type { Arith, Ast, Quals } from './ast.ts';

function quals(q: Quals): string {
  return [q.proto, q.dir, q.type].filter((x) => x !== undefined).join(' ');
}

function isKeywordLike(s: string): boolean {
  return /^[a-z][a-z0-9]*$/.test(s);
}

function printArith(a: Arith): string {
  switch (a.type) {
    case 'num': return String(a.value);
    case 'len': return 'len';
    case 'load': return `${a.proto}[${printArith(a.index)}${a.explicitSize ? `:${a.size}` : ''}]`;
    case 'neg': return `-${printArith(a.operand)}`;
    case 'paren': return `(${printArith(a.inner)})`;
    case 'bin': {
      // Binary nodes the user did not parenthesise are printed with parentheses around nested
      // binary operands, which is always correct (and reparses to the same values).
      const l = a.left.type === 'bin' ? `(${printArith(a.left)})` : printArith(a.left);
      const r = a.right.type === 'bin' ? `(${printArith(a.right)})` : printArith(a.right);
      return `${l} ${a.op} ${r}`;
    }
  }
}

export function printAst(ast: Ast): string {
  switch (ast.type) {
    case 'empty': return '';
    case 'paren': return `(${printAst(ast.inner)})`;
    case 'not': return `not ${printAst(ast.operand)}`;
    case 'and':
    case 'or': {
      const r = ast.right.type === 'and' || ast.right.type === 'or' ? `(${printAst(ast.right)})` : printAst(ast.right);
      return `${printAst(ast.left)} ${ast.type} ${r}`;
    }
    case 'rel': return `${printArith(ast.left)} ${ast.op} ${printArith(ast.right)}`;
    case 'kw': return [ast.proto, ast.name, ...ast.args.map((v) => v.text)].filter((x) => x !== undefined).join(' ');
    case 'prim': {
      const q = quals(ast.quals);
      // A name that is spelled like a keyword was escaped in the source; keep the escape.
      let v = ast.value.kind === 'name' && isKeywordLike(ast.value.text) && KEYWORD_SET.has(ast.value.text)
        ? `\\${ast.value.text}` : ast.value.text;
      if (ast.maskLen !== undefined) v += `/${ast.maskLen}`;
      if (ast.mask) v += ` mask ${ast.mask.text}`;
      return q ? `${q} ${v}` : v;
    }
  }
}

import { KEYWORDS } from './tokens.ts';
const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS.keys());
