/**
 * The three printers of `tcpdump -d`, `-dd` and `-ddd`, byte-identical to tcpdump 4.99.3 /
 * libpcap 1.10.3 (checked against golden text generated from the local tcpdump and libpcap's
 * bpf_dump for every opcode, see test/tools/gen-cbpf-golden.ts).
 *
 * `-d` is libpcap's bpf_image: "(pc) mnemonic operand", the mnemonic left-justified in 8
 * columns; a conditional jump pads its operand to 17 columns and appends the absolute targets
 * "jt N<TAB>jf M" (pc + 1 + offset). How each opcode's operand is shown (hex, signed decimal,
 * [k], M[k], ...) is the `image` column of the opcode table; codes without one print as
 * "unimp 0x<code>", with jump targets when the class is JMP and the op is not JA. An absolute
 * load at a Linux ancillary offset prints the field's name (`ld [proto]`), as libpcap does.
 * `-dd` is a C initializer per instruction; `-ddd` is the count then "code jt jf k" in decimal.
 */
import type { CbpfInsn, CbpfProgram } from './types.ts';
import { BPF_JA, BPF_JMP, bpfClass, bpfOp, extensionAt, opcodeRow, type ImageOperand } from './opcodes.ts';

const hex = (n: number): string => (n >>> 0).toString(16);
const signed = (n: number): string => String(n | 0);

function operandText(kind: ImageOperand, k: number, pc: number): string {
  switch (kind) {
    case 'hex': return `#0x${hex(k)}`;
    case 'dec': return `#${signed(k)}`;
    case 'abs': return `[${extensionAt(k)?.image ?? signed(k)}]`; // ld [proto] for Linux ancillary loads
    case 'ind': return `[x + ${signed(k)}]`;
    case 'mem': return `M[${signed(k)}]`;
    case 'msh': return `4*([${signed(k)}]&0xf)`;
    case 'pktlen': return '#pktlen';
    case 'x': return 'x';
    case 'none': return '';
    case 'target': return signed(pc + 1 + (k | 0)); // C int arithmetic: wraps like libpcap's
  }
}

/** libpcap's bpf_image(insn, pc): one `-d` line without the newline. */
export function bpfImage(insn: CbpfInsn, pc: number): string {
  const row = opcodeRow(insn.code);
  let mnem: string;
  let operand: string;
  let jumps: boolean;
  if (row?.image) {
    mnem = row.image.mnem;
    operand = operandText(row.image.operand, insn.k, pc);
    jumps = row.shape.kind === 'jcond';
  } else {
    mnem = 'unimp';
    operand = `0x${hex(insn.code)}`;
    jumps = bpfClass(insn.code) === BPF_JMP && bpfOp(insn.code) !== BPF_JA;
  }
  const head = `(${String(pc).padStart(3, '0')}) ${mnem.padEnd(8)} `;
  if (!jumps) return head + operand;
  return `${head}${operand.padEnd(17)}jt ${pc + 1 + insn.jt}\tjf ${pc + 1 + insn.jf}`;
}

/** `tcpdump -d`: one bpf_image line per instruction, each ending in a newline. */
export function formatD(prog: CbpfProgram): string {
  let s = '';
  for (let pc = 0; pc < prog.length; pc++) s += bpfImage(prog[pc]!, pc) + '\n';
  return s;
}

/** `tcpdump -dd`: `{ 0x28, 0, 0, 0x0000000c },` per instruction. */
export function formatDD(prog: CbpfProgram): string {
  let s = '';
  for (const i of prog) s += `{ 0x${hex(i.code)}, ${i.jt}, ${i.jf}, 0x${hex(i.k).padStart(8, '0')} },\n`;
  return s;
}

/** `tcpdump -ddd`: the instruction count, then `code jt jf k` in decimal per line. */
export function formatDDD(prog: CbpfProgram): string {
  let s = `${prog.length}\n`;
  for (const i of prog) s += `${i.code} ${i.jt} ${i.jf} ${i.k >>> 0}\n`;
  return s;
}

/** The one-line `-ddd` form iptables/xdpcap take: `N,code jt jf k,code jt jf k,...`. */
export function formatDDDLine(prog: CbpfProgram): string {
  return [String(prog.length), ...prog.map((i: CbpfInsn) => `${i.code} ${i.jt} ${i.jf} ${i.k >>> 0}`)].join(',');
}
