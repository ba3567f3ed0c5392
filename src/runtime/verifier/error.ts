/**
 * The verifier's error: a UserError whose code is VERIFIER_<RULE> (the rule that refused the
 * program, kept in `rule` as its kebab-case name: `helper-arg` → VERIFIER_HELPER_ARG), with the
 * pc and the instruction disassembled, so a message reads "pc 7: ldxw %r0, [%r2]: R2 !read_ok (…)".
 */
import { UserError } from '../../errors.ts';

/** The UserError code of a verifier rule. */
export function verifierCode(rule: string): string {
  return `VERIFIER_${rule.toUpperCase().replace(/-/g, '_')}`;
}

export class VerifierError extends UserError {
  /** The rule, in kebab case (`stack-uninit`, `helper-arg`, …). */
  readonly rule: string;
  readonly pc: number;
  readonly insn: string;
  readonly reason: string;
  /** Abstract instructions processed before the refusal (0 when refused before the walk). */
  steps = 0;
  constructor(rule: string, reason: string, pc: number, insn: string) {
    super(verifierCode(rule), pc < 0 ? `verifier: ${reason}` : `verifier: pc ${pc}: ${insn}: ${reason}`);
    this.name = 'VerifierError';
    this.rule = rule;
    this.pc = pc;
    this.insn = insn;
    this.reason = reason;
  }
}
