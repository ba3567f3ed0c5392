/**
 * The classic BPF program as it crosses module boundaries: an array of `struct sock_filter`
 * (code, jt, jf, k), exactly what the kernel, libpcap and `tcpdump -dd` use. Richer decoded
 * forms live in isa/cbpf/opcodes; this raw shape is the interchange format between the filter
 * compiler, the printers, the validator, the interpreter and the converter to eBPF.
 */
export interface CbpfInsn {
  /** 16-bit opcode: class | size/op | mode/src. */
  code: number;
  /** Jump-if-true offset (0..255), relative to the next instruction. */
  jt: number;
  /** Jump-if-false offset (0..255). */
  jf: number;
  /** 32-bit unsigned constant. */
  k: number;
}

export type CbpfProgram = CbpfInsn[];
