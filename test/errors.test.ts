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
