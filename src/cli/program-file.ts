/**
 * `--program FILE`: a classic BPF program given as text instead of a filter expression.
 *
 * The text may be tcpdump `-ddd` output (or its one-line `N,code jt jf k,...` form), `-dd` C
 * initializers, a `tcpdump -d` listing or `bpf_asm` source; src/isa/cbpf's `parseProgram` detects
 * the form and reports malformed input as a UserError with line, column and caret. This module
 * only adds reading the file (`-` = stdin) with a one-line error when it cannot be read.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { parseProgram } from '../isa/cbpf/parse.ts';
import type { CbpfProgram } from '../isa/cbpf/types.ts';

export function loadProgramFile(path: string): CbpfProgram {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError('CLI_PROGRAM_FILE', `${path}: ${code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
  }
  if (text.trim() === '') throw new UserError('CLI_PROGRAM_FILE', `${path}: the program file is empty`);
  return parseProgram(text);
}
