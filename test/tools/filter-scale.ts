/**
 * Measures how the filter compiler scales with the size of the expression: for generated
 * filters (long `or` chains of hosts and ports, `ether host` lists, deep parentheses, `not`
 * chains, long arithmetic) it times each stage — lex, parse, compile with and without the
 * optimizer — and the heap growth, one fresh process per case so measurements do not mix.
 *
 *   npx tsx test/tools/filter-scale.ts [case-name …]      # all cases, or the named ones
 *
 * Prints one line per case: input size, milliseconds per stage, instructions emitted, and the
 * peak resident set size of the process. Times are machine-dependent: the tests assert
 * behaviour (test/filter/scale.test.ts), this script is for measuring.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compile, parse } from '../../src/filter/index.ts';
import { lex } from '../../src/filter/lexer.ts';

const mac = (i: number) => Array.from({ length: 6 }, (_, k) => ((i >> (8 * (5 - k))) & 0xff).toString(16).padStart(2, '0')).join(':');
const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** Generated expressions by name. */
export const SCALE_CASES: Record<string, () => string> = {
  'or-hosts-1k': () => Array.from({ length: 1000 }, (_, i) => `host ${ip(i)}`).join(' or '),
  'or-hosts-10k': () => Array.from({ length: 10000 }, (_, i) => `host ${ip(i)}`).join(' or '),
  'or-hosts-100k': () => Array.from({ length: 100000 }, (_, i) => `host ${ip(i)}`).join(' or '),
  'or-ports-10k': () => Array.from({ length: 10000 }, (_, i) => `port ${i + 1}`).join(' or '),
  'ether-host-120KB': () => { const n = Math.ceil(120_000 / 32); return Array.from({ length: n }, (_, i) => `ether host ${mac(i)}`).join(' or '); },
  'ether-host-1MB': () => { const n = Math.ceil(1_000_000 / 32); return Array.from({ length: n }, (_, i) => `ether host ${mac(i)}`).join(' or '); },
  'parens-3000': () => `${'('.repeat(3000)}tcp${')'.repeat(3000)}`,
  'not-5000': () => `${'not '.repeat(5000)}tcp`,
  'arith-5000': () => `ip[0]${' + 1'.repeat(5000)} > 0`,
  'and-chain-20k': () => Array.from({ length: 20000 }, (_, i) => `ip[${i % 20}] != ${i & 255}`).join(' and '),
};

function measure(name: string): void {
  const text = SCALE_CASES[name]!();
  const t = () => performance.now();
  const heap0 = process.memoryUsage().heapUsed;
  let t0 = t();
  let out = `${name.padEnd(18)} ${(text.length / 1024).toFixed(0).padStart(5)} KB`;
  try {
    const toks = lex(text);
    out += `  lex ${(t() - t0).toFixed(0).padStart(6)} ms (${toks.length} tokens)`;
    t0 = t();
    parse(text);
    out += `  parse ${(t() - t0).toFixed(0).padStart(6)} ms`;
    t0 = t();
    const p = compile(text, { linkType: 1, snaplen: 262144, optimize: true });
    out += `  compile -O ${(t() - t0).toFixed(0).padStart(6)} ms (${p.length} insns)`;
  } catch (e) {
    out += `  error after ${(t() - t0).toFixed(0)} ms: ${(e as Error).message.split('\n')[0]}`;
  }
  const mem = process.memoryUsage();
  out += `  heap +${((mem.heapUsed - heap0) / 2 ** 20).toFixed(0)} MB, rss ${(mem.rss / 2 ** 20).toFixed(0)} MB`;
  console.log(out);
}

if (process.argv[2] === '--one') measure(process.argv[3]!);
else {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SCALE_CASES);
  for (const n of names) {
    try {
      execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--one', n], { stdio: 'inherit', timeout: 300_000 });
    } catch (e) {
      console.log(`${n}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
}
