import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, UserError, caretLines, formatUserError } from '../src/errors.ts';
import { verifierCode } from '../src/runtime/verifier/error.ts';

describe('errors', () => {
  it('draws a caret under a span', () => {
    expect(caretLines('tcp port', { start: 8, end: 8 })).toBe('tcp port\n        ^');
    expect(caretLines('host 1.2.3', { start: 5, end: 10 })).toBe('host 1.2.3\n     ^^^^^');
  });
  it('formats the column 1-based', () => {
    const e = new UserError('FILTER_SYNTAX', "expected a port number after 'port'", { span: { start: 8, end: 8 }, source: 'tcp port' });
    expect(formatUserError(e)).toBe("expected a port number after 'port' (column 9)\ntcp port\n        ^");
  });
});

describe('caretLines on a long source', () => {
  it('shows a window around the span, marked with … on the cut sides, the caret under the span', () => {
    const source = Array.from({ length: 2000 }, (_, i) => `host 10.0.${i >> 8}.${i & 255}`).join(' or ');
    const at = source.indexOf('host 10.0.3.200');
    const [line, carets] = caretLines(source, { start: at, end: at + 4 }).split('\n');
    expect(line!.length).toBeLessThan(200);
    expect(line!.startsWith('…') && line!.endsWith('…')).toBe(true);
    expect(carets).toBe(`${' '.repeat(carets!.indexOf('^'))}^^^^`);
    expect(line!.slice(carets!.indexOf('^'), carets!.indexOf('^') + 15)).toBe('host 10.0.3.200');
  });
  it('leaves a short source whole', () => {
    expect(caretLines('tcp port', { start: 8, end: 8 })).toBe('tcp port\n        ^');
  });
});

describe('the error-code registry (ERROR_CODES in src/errors.ts)', () => {
  // Every code raised in src/: an AREA_WHAT string literal of a known area, or a verifier rule
  // (fail('rule', …) / new VerifierError('rule', …) in src/runtime/verifier → VERIFIER_<RULE>).
  const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const files = (readdirSync(srcDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(srcDir, f));
  const AREAS = ['FILTER', 'CBPF', 'CONVERT', 'PIPELINE', 'EBPF', 'VERIFIER', 'CAPTURE', 'LIVE', 'ELF', 'MAP', 'CLI', 'BENCH'];
  const literal = new RegExp(`['"\`]((?:${AREAS.join('|')})_[A-Z0-9_]+)['"\`]`, 'g');
  const used = new Map<string, string>();
  for (const f of files) {
    if (f.endsWith(join('src', 'errors.ts'))) continue;
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(literal)) used.set(m[1]!, f);
    if (f.includes(join('runtime', 'verifier'))) {
      for (const m of text.matchAll(/(?:fail\(|new VerifierError\()\s*'([a-z0-9-]+)'/g)) used.set(verifierCode(m[1]!), f);
    }
  }

  it('every code raised in src/ is registered', () => {
    expect([...used].filter(([c]) => !(c in ERROR_CODES)).map(([c, f]) => `${c} (${f})`)).toEqual([]);
  });
  it('every registered code is raised somewhere', () => {
    expect(Object.keys(ERROR_CODES).filter((c) => !used.has(c))).toEqual([]);
  });
  it('one style: AREA_WHAT in upper snake case, a known area, a one-line meaning', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z0-9]+)+$/);
      expect(AREAS).toContain(code.split('_')[0]);
      expect(meaning.length).toBeGreaterThan(0);
      expect(meaning).not.toMatch(/\n/);
    }
    // No code of another style is raised (the old dotted lower-case form).
    const other = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/new (?:UserError|VerifierError)\(\s*['"`]([a-z]+\.[a-z-]+)/g)].map((m) => `${m[1]} (${f})`));
    expect(other).toEqual([]);
  });
});
