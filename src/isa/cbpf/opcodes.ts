/**
 * The single classic-BPF opcode table. Every other cBPF module derives from the rows below:
 * decode/encode (the row's `shape` is the decoded form minus operands), the printers (the row's
 * `image` says how libpcap's bpf_image renders it; `null` means libpcap prints it as "unimp"),
 * the bpf_asm assembler and disassembler (`asm`), the validator and the interpreter (`exec`, a
 * small dense number the interpreter switches on).
 *
 * An opcode is 16 bits: class (bits 0-2) | size or ALU/jump op | addressing mode or source.
 * Only the encodings listed here are instructions; anything else is "raw" (kept losslessly,
 * printed as unimp, rejected by the validator, and it makes the interpreter return 0).
 *
 * Note on what libpcap 1.10.3 knows: bpf_image has no text for `ldx #len` (0x81) although
 * bpf_filter executes it, so its row has `image: null`. `ret x` (0x0e) is not an instruction in
 * libpcap's interpreter nor in the kernel, so it is not in the table.
 */

// ---- Field constants (the <linux/filter.h> / <pcap/bpf.h> vocabulary) ----
export const BPF_LD = 0x00, BPF_LDX = 0x01, BPF_ST = 0x02, BPF_STX = 0x03;
export const BPF_ALU = 0x04, BPF_JMP = 0x05, BPF_RET = 0x06, BPF_MISC = 0x07;
export const BPF_W = 0x00, BPF_H = 0x08, BPF_B = 0x10;
export const BPF_IMM = 0x00, BPF_ABS = 0x20, BPF_IND = 0x40, BPF_MEM = 0x60, BPF_LEN = 0x80, BPF_MSH = 0xa0;
export const BPF_ADD = 0x00, BPF_SUB = 0x10, BPF_MUL = 0x20, BPF_DIV = 0x30, BPF_OR = 0x40, BPF_AND = 0x50;
export const BPF_LSH = 0x60, BPF_RSH = 0x70, BPF_NEG = 0x80, BPF_MOD = 0x90, BPF_XOR = 0xa0;
export const BPF_JA = 0x00, BPF_JEQ = 0x10, BPF_JGT = 0x20, BPF_JGE = 0x30, BPF_JSET = 0x40;
export const BPF_K = 0x00, BPF_X = 0x08, BPF_A = 0x10;
export const BPF_TAX = 0x00, BPF_TXA = 0x80;

/** Scratch memory words M[0..15]. */
export const BPF_MEMWORDS = 16;
/** The kernel's limit on a classic program's length (libpcap's userland interpreter allows more). */
export const BPF_MAXINSNS = 4096;
/** Linux ancillary-data loads: `ld [SKF_AD_OFF + n]` reads skb metadata in the kernel. */
export const SKF_AD_OFF = 0xfffff000;

/** The fields of an opcode (the kernel's BPF_CLASS, BPF_SIZE, BPF_MODE, BPF_OP, BPF_SRC). */
export const bpfClass = (code: number): number => code & 0x07;
export const bpfSize = (code: number): number => code & 0x18;
export const bpfMode = (code: number): number => code & 0xe0;
export const bpfOp = (code: number): number => code & 0xf0;
export const bpfSrc = (code: number): number => code & 0x08;

/**
 * Linux ancillary-data fields: `ld [SKF_AD_OFF + off]` reads skb metadata in the kernel. `asm` is
 * the bpf_asm spelling (`ld #proto`), `image` what libpcap's bpf_image prints for an absolute
 * load at that offset (`ld [proto]`).
 */
export interface LinuxExtension { off: number; asm: string | null; image: string }
export const LINUX_EXTENSIONS: readonly LinuxExtension[] = [
  { off: 0, asm: 'proto', image: 'proto' }, { off: 4, asm: 'type', image: 'type' },
  { off: 8, asm: 'ifidx', image: 'ifidx' }, { off: 12, asm: 'nla', image: 'nla' },
  { off: 16, asm: 'nlan', image: 'nlan' }, { off: 20, asm: 'mark', image: 'mark' },
  { off: 24, asm: 'queue', image: 'queue' }, { off: 28, asm: 'hatype', image: 'hatype' },
  { off: 32, asm: 'rxhash', image: 'rxhash' }, { off: 36, asm: 'cpu', image: 'cpu' },
  { off: 40, asm: null, image: 'xor_x' }, { off: 44, asm: 'vlan_tci', image: 'vlan_tci' },
  { off: 48, asm: 'vlan_avail', image: 'vlanp' }, { off: 52, asm: 'poff', image: 'poff' },
  { off: 56, asm: 'rand', image: 'random' }, { off: 60, asm: 'vlan_tpid', image: 'vlan_tpid' },
];
const extByAsm = new Map(LINUX_EXTENSIONS.filter((e) => e.asm !== null).map((e) => [e.asm!, e]));
const extByK = new Map(LINUX_EXTENSIONS.map((e) => [(SKF_AD_OFF + e.off) >>> 0, e]));
/** The extension with this bpf_asm name (`proto` for `ld #proto`), if any. */
export const extensionByAsmName = (name: string): LinuxExtension | undefined => extByAsm.get(name);
/** The extension an absolute load at k reads, if k is one of SKF_AD_OFF + off. */
export const extensionAt = (k: number): LinuxExtension | undefined => extByK.get(k >>> 0);

// ---- Shapes: the decoded form of an instruction without its operands ----
export type AluOp = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'and' | 'or' | 'xor' | 'lsh' | 'rsh';
export type JmpOp = 'jeq' | 'jgt' | 'jge' | 'jset';
export type LoadMode = 'imm' | 'abs' | 'ind' | 'mem' | 'len' | 'msh';
export type Size = 1 | 2 | 4;

export type Shape =
  | { kind: 'load'; dst: 'a' | 'x'; mode: LoadMode; size: Size }
  | { kind: 'store'; src: 'a' | 'x' }
  | { kind: 'alu'; op: AluOp; src: 'k' | 'x' }
  | { kind: 'neg' }
  | { kind: 'ja' }
  | { kind: 'jcond'; op: JmpOp; src: 'k' | 'x' }
  | { kind: 'ret'; src: 'k' | 'a' }
  | { kind: 'tax' }
  | { kind: 'txa' };

/** Which operand fields an instruction uses; unused ones must be 0 for the canonical decoding. */
export interface Uses { k: boolean; jumps: boolean }

export function usesOf(s: Shape): Uses {
  switch (s.kind) {
    case 'load': return { k: s.mode !== 'len', jumps: false };
    case 'store': return { k: true, jumps: false };
    case 'alu': return { k: s.src === 'k', jumps: false };
    case 'neg': case 'tax': case 'txa': return { k: false, jumps: false };
    case 'ja': return { k: true, jumps: false };
    case 'jcond': return { k: s.src === 'k', jumps: true };
    case 'ret': return { k: s.src === 'k', jumps: false };
  }
}

/** A stable string key for a shape (used to map decoded forms back to opcodes). */
export function shapeKey(s: Shape): string {
  switch (s.kind) {
    case 'load': return `load/${s.dst}/${s.mode}/${s.size}`;
    case 'store': return `store/${s.src}`;
    case 'alu': return `alu/${s.op}/${s.src}`;
    case 'jcond': return `jcond/${s.op}/${s.src}`;
    case 'ret': return `ret/${s.src}`;
    default: return s.kind;
  }
}

// ---- How libpcap's bpf_image prints the operand ----
export type ImageOperand =
  | 'hex' // #0x%x
  | 'dec' // #%d (k as signed 32-bit)
  | 'abs' // [%d]
  | 'ind' // [x + %d]
  | 'mem' // M[%d]
  | 'msh' // 4*([%d]&0xf)
  | 'pktlen' // #pktlen
  | 'x' // x
  | 'none' // nothing
  | 'target'; // ja: the absolute pc pc+1+k (signed)

export interface ImageSpec { mnem: string; operand: ImageOperand }

// ---- Interpreter operations (dense, for the switch) ----
export const Exec = {
  INVALID: 0, RET_K: 1, RET_A: 2,
  LD_W_ABS: 3, LD_H_ABS: 4, LD_B_ABS: 5, LD_W_IND: 6, LD_H_IND: 7, LD_B_IND: 8,
  LD_IMM: 9, LDX_IMM: 10, LD_LEN: 11, LDX_LEN: 12, LD_MEM: 13, LDX_MEM: 14, LDX_MSH: 15,
  ST: 16, STX: 17,
  ADD_K: 18, SUB_K: 19, MUL_K: 20, DIV_K: 21, MOD_K: 22, AND_K: 23, OR_K: 24, XOR_K: 25, LSH_K: 26, RSH_K: 27,
  ADD_X: 28, SUB_X: 29, MUL_X: 30, DIV_X: 31, MOD_X: 32, AND_X: 33, OR_X: 34, XOR_X: 35, LSH_X: 36, RSH_X: 37,
  NEG: 38, JA: 39,
  JEQ_K: 40, JGT_K: 41, JGE_K: 42, JSET_K: 43, JEQ_X: 44, JGT_X: 45, JGE_X: 46, JSET_X: 47,
  TAX: 48, TXA: 49,
} as const;
export type ExecOp = (typeof Exec)[keyof typeof Exec];

export interface OpcodeRow {
  code: number;
  shape: Shape;
  /** libpcap bpf_image rendering, or null when libpcap 1.10.3 prints the code as "unimp". */
  image: ImageSpec | null;
  /** bpf_asm mnemonic (the operand syntax follows from the shape). */
  asm: string;
  exec: ExecOp;
}

// ---- The table ----
const rows: OpcodeRow[] = [];
function row(code: number, shape: Shape, image: ImageSpec | null, asm: string, exec: ExecOp): void {
  rows.push({ code, shape, image, asm, exec });
}

const sizes: [Size, number, string][] = [[4, BPF_W, ''], [2, BPF_H, 'h'], [1, BPF_B, 'b']];
const ldAbs = [Exec.LD_W_ABS, Exec.LD_H_ABS, Exec.LD_B_ABS] as const;
const ldInd = [Exec.LD_W_IND, Exec.LD_H_IND, Exec.LD_B_IND] as const;
sizes.forEach(([size, bits, suffix], i) => {
  // A = pkt[k:size]
  row(BPF_LD | bits | BPF_ABS, { kind: 'load', dst: 'a', mode: 'abs', size }, { mnem: `ld${suffix}`, operand: 'abs' }, `ld${suffix}`, ldAbs[i]!);
  // A = pkt[X+k:size]
  row(BPF_LD | bits | BPF_IND, { kind: 'load', dst: 'a', mode: 'ind', size }, { mnem: `ld${suffix}`, operand: 'ind' }, `ld${suffix}`, ldInd[i]!);
});
// A = k ; X = k
row(BPF_LD | BPF_W | BPF_IMM, { kind: 'load', dst: 'a', mode: 'imm', size: 4 }, { mnem: 'ld', operand: 'hex' }, 'ld', Exec.LD_IMM);
row(BPF_LDX | BPF_W | BPF_IMM, { kind: 'load', dst: 'x', mode: 'imm', size: 4 }, { mnem: 'ldx', operand: 'hex' }, 'ldx', Exec.LDX_IMM);
// A = wirelen ; X = wirelen
row(BPF_LD | BPF_W | BPF_LEN, { kind: 'load', dst: 'a', mode: 'len', size: 4 }, { mnem: 'ld', operand: 'pktlen' }, 'ld', Exec.LD_LEN);
row(BPF_LDX | BPF_W | BPF_LEN, { kind: 'load', dst: 'x', mode: 'len', size: 4 }, null, 'ldx', Exec.LDX_LEN);
// A = M[k] ; X = M[k]
row(BPF_LD | BPF_W | BPF_MEM, { kind: 'load', dst: 'a', mode: 'mem', size: 4 }, { mnem: 'ld', operand: 'mem' }, 'ld', Exec.LD_MEM);
row(BPF_LDX | BPF_W | BPF_MEM, { kind: 'load', dst: 'x', mode: 'mem', size: 4 }, { mnem: 'ldx', operand: 'mem' }, 'ldx', Exec.LDX_MEM);
// X = 4 * (pkt[k] & 0xf)   (the IPv4 header length idiom)
row(BPF_LDX | BPF_B | BPF_MSH, { kind: 'load', dst: 'x', mode: 'msh', size: 1 }, { mnem: 'ldxb', operand: 'msh' }, 'ldx', Exec.LDX_MSH);
// M[k] = A ; M[k] = X
row(BPF_ST, { kind: 'store', src: 'a' }, { mnem: 'st', operand: 'mem' }, 'st', Exec.ST);
row(BPF_STX, { kind: 'store', src: 'x' }, { mnem: 'stx', operand: 'mem' }, 'stx', Exec.STX);

// A = A <op> k ; A = A <op> X. libpcap prints the bitwise ops' constants in hex, the others signed.
const aluOps: [AluOp, number, 'hex' | 'dec', ExecOp, ExecOp][] = [
  ['add', BPF_ADD, 'dec', Exec.ADD_K, Exec.ADD_X], ['sub', BPF_SUB, 'dec', Exec.SUB_K, Exec.SUB_X],
  ['mul', BPF_MUL, 'dec', Exec.MUL_K, Exec.MUL_X], ['div', BPF_DIV, 'dec', Exec.DIV_K, Exec.DIV_X],
  ['mod', BPF_MOD, 'dec', Exec.MOD_K, Exec.MOD_X], ['and', BPF_AND, 'hex', Exec.AND_K, Exec.AND_X],
  ['or', BPF_OR, 'hex', Exec.OR_K, Exec.OR_X], ['xor', BPF_XOR, 'hex', Exec.XOR_K, Exec.XOR_X],
  ['lsh', BPF_LSH, 'dec', Exec.LSH_K, Exec.LSH_X], ['rsh', BPF_RSH, 'dec', Exec.RSH_K, Exec.RSH_X],
];
for (const [op, bits, fmt, execK, execX] of aluOps) {
  row(BPF_ALU | bits | BPF_K, { kind: 'alu', op, src: 'k' }, { mnem: op, operand: fmt }, op, execK);
  row(BPF_ALU | bits | BPF_X, { kind: 'alu', op, src: 'x' }, { mnem: op, operand: 'x' }, op, execX);
}
// A = -A
row(BPF_ALU | BPF_NEG, { kind: 'neg' }, { mnem: 'neg', operand: 'none' }, 'neg', Exec.NEG);
// pc += k
row(BPF_JMP | BPF_JA, { kind: 'ja' }, { mnem: 'ja', operand: 'target' }, 'ja', Exec.JA);
// pc += (A <op> k) ? jt : jf
const jmpOps: [JmpOp, number, ExecOp, ExecOp][] = [
  ['jeq', BPF_JEQ, Exec.JEQ_K, Exec.JEQ_X], ['jgt', BPF_JGT, Exec.JGT_K, Exec.JGT_X],
  ['jge', BPF_JGE, Exec.JGE_K, Exec.JGE_X], ['jset', BPF_JSET, Exec.JSET_K, Exec.JSET_X],
];
for (const [op, bits, execK, execX] of jmpOps) {
  row(BPF_JMP | bits | BPF_K, { kind: 'jcond', op, src: 'k' }, { mnem: op, operand: 'hex' }, op, execK);
  row(BPF_JMP | bits | BPF_X, { kind: 'jcond', op, src: 'x' }, { mnem: op, operand: 'x' }, op, execX);
}
// return k ; return A
row(BPF_RET | BPF_K, { kind: 'ret', src: 'k' }, { mnem: 'ret', operand: 'dec' }, 'ret', Exec.RET_K);
row(BPF_RET | BPF_A, { kind: 'ret', src: 'a' }, { mnem: 'ret', operand: 'none' }, 'ret', Exec.RET_A);
// X = A ; A = X
row(BPF_MISC | BPF_TAX, { kind: 'tax' }, { mnem: 'tax', operand: 'none' }, 'tax', Exec.TAX);
row(BPF_MISC | BPF_TXA, { kind: 'txa' }, { mnem: 'txa', operand: 'none' }, 'txa', Exec.TXA);

/** Every instruction, one row each. */
export const OPCODES: readonly OpcodeRow[] = rows;

/** Row by 16-bit opcode (undefined for unknown encodings). Dense array: codes are < 0x10000. */
const byCode: (OpcodeRow | undefined)[] = new Array(0x100);
const byKey = new Map<string, OpcodeRow>();
for (const r of rows) {
  if (byCode[r.code]) throw new Error(`opcode table: duplicate code 0x${r.code.toString(16)}`);
  byCode[r.code] = r;
  const key = shapeKey(r.shape);
  if (byKey.has(key)) throw new Error(`opcode table: duplicate shape ${key}`);
  byKey.set(key, r);
}

export function opcodeRow(code: number): OpcodeRow | undefined {
  return code >= 0 && code < 0x100 ? byCode[code] : undefined;
}

export function rowForShape(s: Shape): OpcodeRow {
  const r = byKey.get(shapeKey(s));
  if (!r) throw new Error(`opcode table: no opcode for shape ${shapeKey(s)}`);
  return r;
}

/** The interpreter operation for a code (Exec.INVALID for unknown encodings). */
export function execOf(code: number): ExecOp {
  return opcodeRow(code)?.exec ?? Exec.INVALID;
}
