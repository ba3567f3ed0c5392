/**
 * Scale and depth: long and deeply nested expressions compile (no JavaScript stack limit on the
 * boolean structure: the parser keeps a stack of open parentheses, the lowering an explicit
 * job stack), long host lists give the right verdicts. Deep arithmetic and value lists are
 * tested in deep.test.ts. Behaviour only: times and memory are measured by
 * test/tools/filter-scale.ts.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { compile, MAX_FILTER_BYTES, MAX_PRIMITIVES } from '../../src/filter/index.ts';
import { tableResolver } from '../../src/filter/names.ts';
import { runCbpf } from './helpers/vm.ts';

const hosts = (n: number): string => Array.from({ length: n }, (_, i) => `host 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`).join(' or ');
const opts = { linkType: 1, snaplen: 65535, optimize: true, resolver: tableResolver({}) };

/** An Ethernet/IPv4/TCP packet from `src` to 192.168.0.1. */
function ipv4(src: number): Uint8Array {
  const p = new Uint8Array(54);
  p[12] = 0x08; p[14] = 0x45; p[23] = 6;
  p[26] = src >>> 24; p[27] = (src >>> 16) & 255; p[28] = (src >>> 8) & 255; p[29] = src & 255;
  p.set([192, 168, 0, 1], 30);
  return p;
}

function errorOf(text: string): UserError | undefined {
  try {
    compile(text, opts);
    return undefined;
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e; // a RangeError (stack overflow) or any other crash fails the test
  }
}

describe('filter compiler scale', () => {
  it('compiles 1,000 hosts with long jumps and matches the right packets', () => {
    const prog = compile(hosts(1000), opts);
    for (const insn of prog) expect(insn.jt <= 255 && insn.jf <= 255).toBe(true);
    expect(runCbpf(prog, ipv4(0x0a000000), 54)).toBe(65535); // host 10.0.0.0 (the first)
    expect(runCbpf(prog, ipv4(0x0a0003e7), 54)).toBe(65535); // host 10.0.3.231 (the last)
    expect(runCbpf(prog, ipv4(0x0a0003e8), 54)).toBe(0);
  });
  it('compiles 10,000 hosts', () => {
    const prog = compile(hosts(10000), opts);
    expect(runCbpf(prog, ipv4(0x0a00270f), 54)).toBe(65535);
    expect(runCbpf(prog, ipv4(0x0a002710), 54)).toBe(0);
  });
});

describe('huge filters (issue 12): past the documented size, one FILTER_TOO_LARGE error before any work', () => {
  it('refuses more than MAX_PRIMITIVES and/or-joined primitives, naming the limit and pointing at the connective', () => {
    expect(MAX_PRIMITIVES).toBeGreaterThanOrEqual(10_000); // 10,000-host lists compile (above)
    const e = errorOf(hosts(MAX_PRIMITIVES + 1));
    expect(e?.code).toBe('FILTER_TOO_LARGE');
    expect(e?.message).toBe(`filter expression too large: more than ${MAX_PRIMITIVES} primitives joined by and/or (limit ${MAX_PRIMITIVES})`);
    expect(e?.span?.end! - e?.span?.start!).toBe(2); // the last ` or `
    // Refused before lexing: 100,000 terms (minutes and gigabytes before) and a 1 MB `ether host`
    // list, with && / || counted as well.
    expect(errorOf(hosts(100_000))?.code).toBe('FILTER_TOO_LARGE');
    expect(errorOf(Array.from({ length: 31_250 }, (_, i) => `ether host 0:0:0:0:${(i >> 8) & 255}:${i & 255}`).join(' or '))?.code).toBe('FILTER_TOO_LARGE');
    expect(errorOf(Array.from({ length: MAX_PRIMITIVES + 1 }, () => 'tcp').join(' && '))?.code).toBe('FILTER_TOO_LARGE');
    expect(errorOf(Array.from({ length: MAX_PRIMITIVES + 1 }, () => 'tcp').join('||'))?.code).toBe('FILTER_TOO_LARGE');
  });
  it('words that only contain and/or are not connectives', () => {
    // `port` contains `or` but is not a connective: counted, these 6,000 terms would pass 12,000.
    const text = Array.from({ length: 6000 }, () => 'port 80').join(' or ');
    expect(errorOf(text)).toBeUndefined();
  });
  it(`refuses an expression longer than ${MAX_FILTER_BYTES} characters`, () => {
    const e = errorOf(`${' '.repeat(MAX_FILTER_BYTES)}tcp`);
    expect(e?.code).toBe('FILTER_TOO_LARGE');
    expect(e?.message).toBe(`filter expression too large: ${MAX_FILTER_BYTES + 3} characters (limit ${MAX_FILTER_BYTES})`);
    expect(errorOf(`${' '.repeat(MAX_FILTER_BYTES - 3)}tcp`)).toBeUndefined();
  });
});

describe('deep input (issue 12): accepted like tcpdump, or a one-line error, never a stack overflow', () => {
  const tcp = compile('tcp', opts);
  it('3,000 and 100,000 nested parentheses compile to the program of the bare primitive', () => {
    expect(compile(`${'('.repeat(3000)}tcp${')'.repeat(3000)}`, opts)).toEqual(tcp);
    expect(compile(`${'('.repeat(100000)}tcp${')'.repeat(100000)}`, opts)).toEqual(tcp);
  });
  it('`not` repeated 5,000 and 100,001 times', () => {
    expect(compile(`${'not '.repeat(5000)}tcp`, opts)).toEqual(tcp);
    expect(compile(`${'not '.repeat(100001)}tcp`, opts)).toEqual(compile('not tcp', opts));
  });
  it('3,000 right-nested `or (…)` levels compile and select the right packets', () => {
    const text = `${Array.from({ length: 3000 }, (_, i) => `src host 10.0.${i >> 8}.${i & 255} or (`).join('')}dst host 10.9.9.9${')'.repeat(3000)}`;
    const prog = compile(text, opts);
    expect(runCbpf(prog, ipv4(0x0a000bb7), 54)).toBe(65535); // 10.0.11.183 = term 2999
    expect(runCbpf(prog, ipv4(0x0a000bb8), 54)).toBe(0);
  });
  it('a 5,000-term and chain compiles', () => {
    expect(() => compile(Array.from({ length: 5000 }, (_, i) => `ip[${i % 20}] != ${(i * 7) & 255}`).join(' and '), opts)).not.toThrow();
  });
  it('unbalanced deep input is a syntax error, not a crash', () => {
    expect(errorOf(`${'('.repeat(50000)}tcp`)?.code).toBe('FILTER_SYNTAX');
    expect(errorOf(`tcp${')'.repeat(50000)}`)?.code).toBe('FILTER_SYNTAX');
    expect(errorOf(`${'not '.repeat(50000)}`)?.code).toBe('FILTER_SYNTAX');
  });
});
