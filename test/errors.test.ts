import { describe, expect, it } from 'vitest';
import { UserError, caretLines, formatUserError } from '../src/errors.ts';

describe('errors', () => {
  it('draws a caret under a span', () => {
    expect(caretLines('tcp port', { start: 8, end: 8 })).toBe('tcp port\n        ^');
    expect(caretLines('host 1.2.3', { start: 5, end: 10 })).toBe('host 1.2.3\n     ^^^^^');
  });
  it('formats the column 1-based', () => {
    const e = new UserError('filter.syntax', "expected a port number after 'port'", { span: { start: 8, end: 8 }, source: 'tcp port' });
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
