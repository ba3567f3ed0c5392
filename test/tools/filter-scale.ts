/**
 * Measures how the filter compiler scales with the size of the expression: for generated
 * filters (long `or` chains of hosts and ports, `ether host` lists, deep parentheses, `not`
 * chains, long arithmetic) it times each stage — lex, parse, compile with and without the
 * optimizer — and the heap growth, one fresh process per case so measurements do not mix.
 *
 *   npx tsx test/tools/filter-scale.ts [case-name …]      # all cases, or the named ones
 *
 * Prints one line per case: input size, milliseconds per stage (lex, parse, lower, optimize,
 * emit; process CPU time, which a loaded machine inflates less than wall time), instructions
 * emitted, the optimizer's work counters (steps, rounds, layout passes: src/filter/optimize/work.ts)
 * and the heap growth and resident set size of the process. Times are machine-dependent: the
 * tests assert behaviour and work counts (test/filter/scale.test.ts,
 * test/filter/optimize-work.test.ts), this script is for measuring.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildCfg, checkFilterSize, emit, MAX_PRIMITIVES, parse } from '../../src/filter/index.ts';
import { lex } from '../../src/filter/lexer.ts';
import { optimize } from '../../src/filter/optimize/index.ts';
import { newWork } from '../../src/filter/optimize/work.ts';

const mac = (i: number) => Array.from({ length: 6 }, (_, k) => ((i >> (8 * (5 - k))) & 0xff).toString(16).padStart(2, '0')).join(':');
const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** Generated expressions by name. */
export const SCALE_CASES: Record<string, () => string> = {
  'or-hosts-1k': () => Array.from({ length: 1000 }, (_, i) => `host ${ip(i)}`).join(' or '),
  'or-hosts-10k': () => Array.from({ length: 10000 }, (_, i) => `host ${ip(i)}`).join(' or '),
  'or-hosts-limit': () => Array.from({ length: MAX_PRIMITIVES }, (_, i) => `host ${ip(i)}`).join(' or '),
  'or-hosts-100k': () => Array.from({ length: 100000 }, (_, i) => `host ${ip(i)}`).join(' or '),
  'or-ip6-hosts-1k': () => Array.from({ length: 1000 }, (_, i) => `host 2001:db8::${i.toString(16)}`).join(' or '),
  'or-nets-1k': () => Array.from({ length: 1000 }, (_, i) => `net 10.${(i >> 8) & 255}.${i & 255}.0/24`).join(' or '),
  'or-ports-1k': () => Array.from({ length: 1000 }, (_, i) => `port ${i + 1}`).join(' or '),
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
  const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const heap0 = process.memoryUsage().heapUsed;
  let t0 = cpu();
  const ms = (): string => { const t = cpu(); const r = (t - t0).toFixed(0).padStart(6); t0 = t; return r; };
  let out = `${name.padEnd(18)} ${(text.length / 1024).toFixed(0).padStart(5)} KB`;
  try {
    checkFilterSize(text);
    const toks = lex(text);
    out += `  lex ${ms()} ms (${toks.length} tokens)`;
    parse(text);
    out += `  parse ${ms()} ms`;
    const cfg = buildCfg(text, { linkType: 1, snaplen: 262144, optimize: true });
    out += `  parse+lower ${ms()} ms`;
    const work = newWork();
    const opt = optimize(cfg, work);
    out += `  optimize ${ms()} ms`;
    const p = emit(opt, work);
    out += `  emit ${ms()} ms (${p.length} insns; work: ${work.steps} steps, ${work.rounds} rounds, ${work.layouts} layouts)`;
  } catch (e) {
    out += `  error after ${ms()} ms: ${(e as Error).message.split('\n')[0]}`;
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
