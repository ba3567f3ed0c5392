/**
 * Program text input: format detection and the numeric forms (-ddd one line, -ddd multi-line,
 * -dd C array), with UserErrors naming line and column.
 */
import { describe, expect, it } from 'vitest';
import { detectFormat, formatDD, formatDDD, formatDDDLine, parseProgram } from '../../../src/isa/cbpf/index.ts';
import { UserError } from '../../../src/errors.ts';

const LINE = '4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0';

function parseError(text: string): UserError {
  try {
    parseProgram(text);
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

describe('parseProgram', () => {
  it('detects and reads every form to the same program', () => {
    const prog = parseProgram(LINE);
    expect(detectFormat(LINE)).toBe('ddd-line');
    expect(detectFormat(formatDDD(prog))).toBe('ddd');
    expect(detectFormat(formatDD(prog))).toBe('dd');
    expect(detectFormat('ldh [12]')).toBe('asm');
    for (const text of [LINE, `${LINE},`, `  ${LINE}\n`, formatDDD(prog), formatDD(prog), `\n${formatDD(prog)}\n`, 'ldh [12]\njeq #0x800, a, b\na: ret #262144\nb: ret #0']) {
      expect(formatDDDLine(parseProgram(text))).toBe(LINE);
    }
  });
  it('reads CRLF text', () => {
    expect(formatDDDLine(parseProgram(formatDDD(parseProgram(LINE)).replace(/\n/g, '\r\n')))).toBe(LINE);
  });
  it('rejects a wrong count with its position', () => {
    const e = parseError('3,6 0 0 1,6 0 0 2');
    expect(e.code).toBe('CBPF_PARSE');
    expect(e.message).toBe('line 1, column 1: count says 3 instructions, found 2');
  });
  it('rejects out-of-range fields with line and column', () => {
    expect(parseError('2\n6 0 0 1\n21 256 0 1').message).toBe("line 3, column 4: bad jt '256' (0..255)");
    expect(parseError('1,6 0 0 4294967296').message).toBe("line 1, column 9: bad k '4294967296' (0..4294967295)");
    expect(parseError('1,65536 0 0 0').message).toBe("line 1, column 3: bad code '65536' (0..65535)");
    expect(parseError('1,6 0 0').message).toBe('line 1, column 8: expected 4 fields (code jt jf k), found 3');
    expect(parseError('{ 0x6, 0, 0, 0x1 },\n{ 0x6, 0, zz, 0x1 },').message).toBe("line 2, column 11: bad jf 'zz' (0..255)");
    expect(parseError("1\n6 0 0 1 9").message).toBe("line 2, column 9: expected 4 fields (code jt jf k), found 5");
  });
  it('accepts 16-bit codes (kept raw)', () => {
    expect(parseProgram('1,4660 0 0 0')).toEqual([{ code: 0x1234, jt: 0, jf: 0, k: 0 }]);
  });
});
