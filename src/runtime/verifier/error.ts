/**
 * The verifier's error: a UserError with a stable code (`verifier.<rule>`), the pc and the
 * instruction disassembled, so a message reads "pc 7: ldxw %r0, [%r2]: R2 !read_ok (…)".
 */
import { UserError } from '../../errors.ts';

export class VerifierError extends UserError {
  readonly pc: number;
  readonly insn: string;
  readonly reason: string;
  constructor(code: string, reason: string, pc: number, insn: string) {
    super(code, pc < 0 ? `verifier: ${reason}` : `verifier: pc ${pc}: ${insn}: ${reason}`);
    this.name = 'VerifierError';
    this.pc = pc;
    this.insn = insn;
    this.reason = reason;
  }
}
