/**
 * The classic-BPF validator: libpcap's bpf_validate rules plus the Linux kernel's
 * (bpf_check_classic / check_load_and_stores) stricter ones. A program that passes runs safely
 * in the kernel and in every tsdump engine.
 *
 * Rules, each with a stable code:
 *   CBPF_EMPTY / CBPF_TOO_LONG   1 <= length <= maxInsns (kernel BPF_MAXINSNS = 4096; libpcap's
 *                                userland filter has no such limit)
 *   CBPF_BAD_OPCODE              the code is an instruction of the opcode table
 *   CBPF_BAD_FIELDS              `canonical` only: fields the instruction ignores are 0 (the
 *                                kernel and libpcap do not check this; decode() needs it to
 *                                give the canonical form rather than `raw`)
 *   CBPF_MEM_INDEX               M[k] with k < 16
 *   CBPF_DIV_ZERO                no division/modulo by the constant 0
 *   CBPF_SHIFT_RANGE             constant shifts by < 32 (the kernel's rule)
 *   CBPF_BAD_ANCILLARY           an absolute load at k >= SKF_AD_OFF must be a Linux ancillary
 *                                field the kernel knows (SKF_AD_OFF + 0, 4, ..., 60)
 *   CBPF_JUMP_RANGE              every jump lands inside the program (jt/jf are unsigned
 *                                forward offsets; `ja` k, taken as signed, must land in range)
 *   CBPF_BACKWARD_JUMP           strict only: `ja` with a negative k. libpcap emits these for
 *                                `protochain` and its bpf_filter follows them, the kernel
 *                                rejects them (all its jumps are forward)
 *   CBPF_NO_RET                  the last instruction is a return
 *   CBPF_MEM_UNINIT              M[k] is written before it is read on every path, exactly as
 *                                the kernel's check_load_and_stores decides it (one forward pass,
 *                                see checkMemoryInit)
 * `strict: true` (the default) is exactly the running kernel's classic-BPF checker: checked
 * against its answers (SO_ATTACH_FILTER) on 20,000 random programs, validate-kernel.test.ts.
 * `strict: false` keeps libpcap's rules (opcode, M index, constant division by 0, jump range,
 * no `ja` to itself, final return) and drops the kernel's shift, ancillary-offset,
 * backward-jump and scratch-memory rules, so libpcap's protochain programs pass. libpcap 1.10.3's
 * own bpf_validate is laxer still: it lets some unknown opcodes and `ja -1` through (its
 * bpf_filter then aborts or never returns); we reject those in both modes.
 *
 * Errors name the pc and the instruction as `tcpdump -d` would print it.
 */
import { UserError } from '../errors.ts';
import type { CbpfProgram } from '../isa/cbpf/types.ts';
import { decode } from '../isa/cbpf/decode.ts';
import { bpfImage } from '../isa/cbpf/format.ts';
import { BPF_MAXINSNS, BPF_MEMWORDS, SKF_AD_OFF, extensionAt, opcodeRow, usesOf } from '../isa/cbpf/opcodes.ts';

export interface ValidateOptions {
  /** Longest accepted program (default: 4096, the kernel's limit, when strict; else none). */
  maxInsns?: number;
  /** Apply the kernel's extra rules (default true). */
  strict?: boolean;
  /** Also require fields an instruction ignores to be 0 (tsdump's own rule; default false). */
  canonical?: boolean;
}

export interface ValidationIssue {
  code: string;
  /** Instruction index, or -1 for whole-program issues. */
  pc: number;
  message: string;
}

export function validate(prog: CbpfProgram, opts: ValidateOptions = {}): ValidationIssue[] {
  const strict = opts.strict ?? true;
  const maxInsns = opts.maxInsns ?? (strict ? BPF_MAXINSNS : Infinity);
  const canonical = opts.canonical ?? false;
  const issues: ValidationIssue[] = [];
  const n = prog.length;
  if (n === 0) return [{ code: 'CBPF_EMPTY', pc: -1, message: 'the program has no instructions' }];
  if (n > maxInsns) issues.push({ code: 'CBPF_TOO_LONG', pc: -1, message: `the program has ${n} instructions (at most ${maxInsns})` });
  const at = (pc: number, code: string, why: string): void => {
    issues.push({ code, pc, message: `instruction ${pc} '${bpfImage(prog[pc]!, pc).replace(/^\(\d+\) /, '').replace(/\s+/g, ' ').trim()}': ${why}` });
  };

  for (let pc = 0; pc < n; pc++) {
    const insn = prog[pc]!;
    const row = opcodeRow(insn.code);
    if (!row) { at(pc, 'CBPF_BAD_OPCODE', `unknown opcode 0x${insn.code.toString(16)}`); continue; }
    const s = row.shape;
    const k = insn.k >>> 0;
    if (canonical && decode(insn).kind === 'raw') {
      const uses = usesOf(s);
      at(pc, 'CBPF_BAD_FIELDS', uses.jumps ? 'k must be 0' : uses.k ? 'jt and jf must be 0' : 'jt, jf and k must be 0');
    }
    if ((s.kind === 'load' && s.mode === 'mem') || s.kind === 'store') {
      if (k >= BPF_MEMWORDS) at(pc, 'CBPF_MEM_INDEX', `scratch memory index ${k} is not below ${BPF_MEMWORDS}`);
    }
    if (strict && s.kind === 'load' && s.mode === 'abs' && k >= SKF_AD_OFF && !extensionAt(k)) {
      at(pc, 'CBPF_BAD_ANCILLARY', `absolute load at SKF_AD_OFF + ${k - SKF_AD_OFF} is not a Linux ancillary field`);
    }
    if (s.kind === 'alu' && s.src === 'k') {
      if ((s.op === 'div' || s.op === 'mod') && k === 0) at(pc, 'CBPF_DIV_ZERO', 'division by the constant 0');
      if (strict && (s.op === 'lsh' || s.op === 'rsh') && k >= 32) at(pc, 'CBPF_SHIFT_RANGE', `shift by ${k} (must be below 32)`);
    }
    if (s.kind === 'ja') {
      const to = pc + 1 + (k | 0);
      if (to < 0 || to >= n) at(pc, 'CBPF_JUMP_RANGE', `jump to ${to} is outside the program (${n} instructions)`);
      else if (to <= pc && (strict || to === pc)) {
        at(pc, 'CBPF_BACKWARD_JUMP', to === pc ? 'jump to itself (an endless loop)' : `backward jump to ${to} (the kernel allows forward jumps only)`);
      }
    }
    if (s.kind === 'jcond') {
      if (pc + 1 + insn.jt >= n) at(pc, 'CBPF_JUMP_RANGE', `true branch to ${pc + 1 + insn.jt} is past the end (${n} instructions)`);
      if (pc + 1 + insn.jf >= n) at(pc, 'CBPF_JUMP_RANGE', `false branch to ${pc + 1 + insn.jf} is past the end (${n} instructions)`);
    }
  }
  const last = opcodeRow(prog[n - 1]!.code);
  if (last?.shape.kind !== 'ret') at(n - 1, 'CBPF_NO_RET', 'the program must end with a return');

  // The memory pass needs a well-formed control flow graph (known opcodes, in-range forward
  // jumps, M indexes < 16); other issues (shift counts, ancillary offsets...) do not stop it.
  const cfgBroken = issues.some((i) => ['CBPF_BAD_OPCODE', 'CBPF_JUMP_RANGE', 'CBPF_BACKWARD_JUMP', 'CBPF_MEM_INDEX'].includes(i.code));
  if (strict && !cfgBroken) checkMemoryInit(prog, at);
  return issues;
}

/**
 * The kernel's scratch-memory rule, reproduced exactly (it decides which programs the kernel
 * accepts): walk the instructions in order with the set of words written so far; a jump passes
 * that set to its targets (intersected with what other edges bring) and the instruction after a
 * jump starts from what its incoming jumps brought (all words if none). Every other
 * instruction — a return included — falls through to the next, so code after a `ret` that no jump
 * reaches is checked as if reached from the `ret`. Bit i set = M[i] written.
 */
function checkMemoryInit(prog: CbpfProgram, at: (pc: number, code: string, why: string) => void): void {
  const n = prog.length;
  const ALL = (1 << BPF_MEMWORDS) - 1;
  const incoming = new Int32Array(n).fill(ALL); // AND of the sets jumps bring to each pc
  let written = 0;
  for (let pc = 0; pc < n; pc++) {
    written &= incoming[pc]!;
    const insn = prog[pc]!;
    const s = opcodeRow(insn.code)!.shape;
    const k = insn.k >>> 0;
    switch (s.kind) {
      case 'store': written |= 1 << k; break;
      case 'load':
        if (s.mode === 'mem' && !(written & (1 << k))) at(pc, 'CBPF_MEM_UNINIT', `M[${k}] may be read before it is written`);
        break;
      case 'ja': // forward only here: strict mode rejected backward jumps before this pass
        incoming[pc + 1 + k] &= written;
        written = ALL;
        break;
      case 'jcond':
        incoming[pc + 1 + insn.jt] &= written;
        incoming[pc + 1 + insn.jf] &= written;
        written = ALL;
        break;
      default:
        break;
    }
  }
}

/** Throws a UserError (code of the first issue) listing every issue when the program is not valid. */
export function assertValid(prog: CbpfProgram, opts: ValidateOptions = {}): void {
  const issues = validate(prog, opts);
  if (issues.length > 0) {
    throw new UserError(issues[0]!.code, `invalid classic BPF program: ${issues.map((i) => i.message).join('; ')}`);
  }
}
