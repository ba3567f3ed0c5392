/**
 * The classic-BPF case table: program, packet, expected return value. Pure data, independent
 * of any engine: the reference interpreter runs it (interpret.test.ts), libpcap 1.10.3's
 * bpf_filter is checked against it (golden libpcap-cases.jsonl, made by
 * test/tools/gen-cbpf-golden.ts), and the eBPF engines run it through the cBPF→eBPF converter.
 *
 * `program` is bpf_asm text (or any form parseProgram reads); `packet` is hex (spaces ignored);
 * `wirelen` defaults to the packet length (caplen is always the packet length). `libpcapDiffers`
 * says why libpcap 1.10.3 gives another result (it crashes or reads undefined memory there);
 * every other case must agree with it exactly. An engine may skip a case only with a reason.
 */
import type { CbpfProgram } from '../../src/isa/cbpf/types.ts';
import { parseProgram } from '../../src/isa/cbpf/parse.ts';

export interface CbpfCase {
  name: string;
  program: string;
  packet: string;
  wirelen?: number;
  expect: number;
  libpcapDiffers?: string;
}

/** 14-byte Ethernet header (IPv4) + 20-byte IPv4 header (TCP) + TCP ports 1234 → 80. */
const ETH_IP_TCP =
  '000102030405 0a0b0c0d0e0f 0800' +
  '45 00 0028 1234 4000 40 06 0000 c0a80001 c0a80002' +
  '04d2 0050 00000001 00000000 5002 2000 0000 0000';
const PKT16 = '00112233 44556677 8899aabb ccddeeff';

/** `tcp port 80` on Ethernet as libpcap 1.10.3 compiles it (optimized). */
const TCP_PORT_80 = `
  ldh [12]
  jeq #0x86dd, v6, v4
v6: ldb [20]
  jeq #6, v6ports, drop
v6ports: ldh [54]
  jeq #80, accept, v6dst
v6dst: ldh [56]
  jeq #80, accept, drop
v4: jeq #0x800, v4proto, drop
v4proto: ldb [23]
  jeq #6, frag, drop
frag: ldh [20]
  jset #0x1fff, drop, hlen
hlen: ldx 4*([14]&0xf)
  ldh [x + 14]
  jeq #80, accept, dport
dport: ldh [x + 16]
  jeq #80, accept, drop
accept: ret #262144
drop: ret #0`;

export const CBPF_CASES: readonly CbpfCase[] = [
  // ---- returns and immediates
  { name: 'ret k', program: 'ret #42', packet: '', expect: 42 },
  { name: 'ret k max', program: 'ret #0xffffffff', packet: '', expect: 0xffffffff },
  { name: 'ret a starts at 0', program: 'ret a', packet: PKT16, expect: 0 },
  { name: 'ld imm', program: 'ld #0x80000001\nret a', packet: '', expect: 0x80000001 },
  { name: 'ldx imm + txa', program: 'ldx #7\ntxa\nret a', packet: '', expect: 7 },
  { name: 'tax copies A to X', program: 'ld #9\ntax\nld #0\ntxa\nret a', packet: '', expect: 9 },
  // ---- absolute loads, bounded by caplen
  { name: 'ld word', program: 'ld [4]\nret a', packet: PKT16, expect: 0x44556677 },
  { name: 'ldh half', program: 'ldh [14]\nret a', packet: PKT16, expect: 0xeeff },
  { name: 'ldb byte', program: 'ldb [15]\nret a', packet: PKT16, expect: 0xff },
  { name: 'ld word ending exactly at caplen', program: 'ld [12]\nret a', packet: PKT16, expect: 0xccddeeff },
  { name: 'ld word one past caplen rejects', program: 'ld [13]\nret #1', packet: PKT16, expect: 0 },
  { name: 'ldh one past caplen rejects', program: 'ldh [15]\nret #1', packet: PKT16, expect: 0 },
  { name: 'ldb at caplen rejects', program: 'ldb [16]\nret #1', packet: PKT16, expect: 0 },
  { name: 'ld beyond caplen but within wirelen rejects', program: 'ldb [20]\nret #1', packet: PKT16, wirelen: 100, expect: 0 },
  { name: 'ld huge k rejects without wrapping', program: 'ld [0xffffffff]\nret #1', packet: PKT16, expect: 0 },
  { name: 'ld on empty packet rejects', program: 'ldb [0]\nret #1', packet: '', expect: 0 },
  { name: 'linux extension load is an ordinary out-of-range load', program: 'ld #proto\nret #1', packet: PKT16, expect: 0 },
  // ---- indirect loads
  { name: 'ld ind word', program: 'ldx #4\nld [x + 4]\nret a', packet: PKT16, expect: 0x8899aabb },
  { name: 'ldh ind', program: 'ldx #1\nldh [x + 1]\nret a', packet: PKT16, expect: 0x2233 },
  { name: 'ldb ind', program: 'ldx #10\nldb [x + 5]\nret a', packet: PKT16, expect: 0xff },
  { name: 'ldb ind at caplen rejects', program: 'ldx #10\nldb [x + 6]\nret #1', packet: PKT16, expect: 0 },
  { name: 'ld ind X+k wrapping 32 bits rejects', program: 'ldx #0xffffffff\nldb [x + 1]\nret #1', packet: PKT16, expect: 0 },
  { name: 'ldh ind X+k wrapping 32 bits rejects', program: 'ldx #0xfffffffe\nldh [x + 2]\nret #1', packet: PKT16, expect: 0 },
  // ---- msh, len
  { name: 'ldx msh (IPv4 header length)', program: 'ldx 4*([14]&0xf)\ntxa\nret a', packet: ETH_IP_TCP, expect: 20 },
  { name: 'ldx msh uses only the low nibble', program: 'ldx 4*([15]&0xf)\ntxa\nret a', packet: PKT16, expect: 60 },
  { name: 'ldx msh at caplen rejects', program: 'ldx 4*([16]&0xf)\nret #1', packet: PKT16, expect: 0 },
  { name: 'ld len is wirelen', program: 'ld #len\nret a', packet: PKT16, wirelen: 1514, expect: 1514 },
  { name: 'ldx len is wirelen', program: 'ldx #len\ntxa\nret a', packet: PKT16, wirelen: 60, expect: 60 },
  // ---- scratch memory
  { name: 'st / ld M[]', program: 'ld #5\nst M[3]\nld #0\nld M[3]\nret a', packet: '', expect: 5 },
  { name: 'stx / ldx M[]', program: 'ldx #6\nstx M[15]\nldx #0\nldx M[15]\ntxa\nret a', packet: '', expect: 6 },
  { name: 'memory is per word', program: 'ld #1\nst M[0]\nld #2\nst M[1]\nld M[0]\nret a', packet: '', expect: 1 },
  { name: 'unwritten memory reads 0', program: 'ld M[7]\nadd #1\nret a', packet: '', expect: 1, libpcapDiffers: '1.10.3 leaves scratch memory uninitialised' },
  // ---- ALU, 32-bit unsigned
  { name: 'add k', program: 'ld #40\nadd #2\nret a', packet: '', expect: 42 },
  { name: 'add wraps', program: 'ld #0xffffffff\nadd #2\nret a', packet: '', expect: 1 },
  { name: 'sub wraps', program: 'ld #1\nsub #2\nret a', packet: '', expect: 0xffffffff },
  { name: 'mul wraps', program: 'ld #0x10000\nmul #0x10001\nret a', packet: '', expect: 0x10000 },
  { name: 'mul big operands exact low 32 bits', program: 'ld #0xffffffff\nmul #0xffffffff\nret a', packet: '', expect: 1 },
  { name: 'div k unsigned', program: 'ld #0xfffffffe\ndiv #2\nret a', packet: '', expect: 0x7fffffff },
  { name: 'div k truncates', program: 'ld #7\ndiv #2\nret a', packet: '', expect: 3 },
  { name: 'mod k', program: 'ld #0xffffffff\nmod #10\nret a', packet: '', expect: 5 },
  { name: 'and k', program: 'ld #0xf0f0f0f0\nand #0xffff0000\nret a', packet: '', expect: 0xf0f00000 },
  { name: 'or k', program: 'ld #0x0f\nor #0x80000000\nret a', packet: '', expect: 0x8000000f },
  { name: 'xor k', program: 'ld #0xffffffff\nxor #0x0f0f0f0f\nret a', packet: '', expect: 0xf0f0f0f0 },
  { name: 'lsh k', program: 'ld #1\nlsh #31\nret a', packet: '', expect: 0x80000000 },
  { name: 'rsh k is logical', program: 'ld #0x80000000\nrsh #31\nret a', packet: '', expect: 1 },
  { name: 'lsh k >= 32 uses k mod 32 (as 1.10.3 on x86-64)', program: 'ld #5\nlsh #33\nret a', packet: '', expect: 10 },
  { name: 'rsh k = 32 uses k mod 32 (as 1.10.3 on x86-64)', program: 'ld #5\nrsh #32\nret a', packet: '', expect: 5 },
  { name: 'neg', program: 'ld #1\nneg\nret a', packet: '', expect: 0xffffffff },
  { name: 'neg 0', program: 'neg\nret a', packet: '', expect: 0 },
  { name: 'neg min int', program: 'ld #0x80000000\nneg\nret a', packet: '', expect: 0x80000000 },
  { name: 'add x', program: 'ld #0xfffffff0\nldx #0x20\nadd x\nret a', packet: '', expect: 0x10 },
  { name: 'sub x', program: 'ld #3\nldx #5\nsub x\nret a', packet: '', expect: 0xfffffffe },
  { name: 'mul x', program: 'ld #0x12345678\nldx #0x9abcdef0\nmul x\nret a', packet: '', expect: 0x242d2080 },
  { name: 'div x', program: 'ld #100\nldx #7\ndiv x\nret a', packet: '', expect: 14 },
  { name: 'div x by 0 returns 0', program: 'ld #100\nldx #0\ndiv x\nret #1', packet: '', expect: 0 },
  { name: 'mod x', program: 'ld #100\nldx #7\nmod x\nret a', packet: '', expect: 2 },
  { name: 'mod x by 0 returns 0', program: 'ld #100\nldx #0\nmod x\nret #1', packet: '', expect: 0 },
  { name: 'and x', program: 'ld #0xff00ff00\nldx #0x0ff00ff0\nand x\nret a', packet: '', expect: 0x0f000f00 },
  { name: 'or x', program: 'ld #0xff000000\nldx #0xff\nor x\nret a', packet: '', expect: 0xff0000ff },
  { name: 'xor x', program: 'ld #0xaaaaaaaa\nldx #0xffffffff\nxor x\nret a', packet: '', expect: 0x55555555 },
  { name: 'lsh x', program: 'ld #3\nldx #30\nlsh x\nret a', packet: '', expect: 0xc0000000 },
  { name: 'rsh x', program: 'ld #0xc0000000\nldx #30\nrsh x\nret a', packet: '', expect: 3 },
  { name: 'lsh x by 32 gives 0', program: 'ld #5\nldx #32\nlsh x\nret a', packet: '', expect: 0 },
  { name: 'rsh x by 0xffffffff gives 0', program: 'ld #5\nldx #0xffffffff\nrsh x\nret a', packet: '', expect: 0 },
  // ---- jumps (unsigned comparisons)
  { name: 'ja skips', program: 'ja l\nret #1\nl: ret #2', packet: '', expect: 2 },
  { name: 'jeq k true', program: 'ld #5\njeq #5, t, f\nt: ret #1\nf: ret #2', packet: '', expect: 1 },
  { name: 'jeq k false', program: 'ld #6\njeq #5, t, f\nt: ret #1\nf: ret #2', packet: '', expect: 2 },
  { name: 'jgt k is unsigned', program: 'ld #0x80000000\njgt #1, t, f\nt: ret #1\nf: ret #2', packet: '', expect: 1 },
  { name: 'jgt k equal is false', program: 'ld #7\njgt #7, t, f\nt: ret #1\nf: ret #2', packet: '', expect: 2 },
  { name: 'jge k equal is true', program: 'ld #7\njge #7, t, f\nt: ret #1\nf: ret #2', packet: '', expect: 1 },
  { name: 'jset k', program: 'ld #0x80000000\njset #0x80000001, t, f\nt: ret #1\nf: ret #2', packet: '', expect: 1 },
  { name: 'jset k no common bit', program: 'ld #6\njset #9, t, f\nt: ret #1\nf: ret #2', packet: '', expect: 2 },
  { name: 'jeq x', program: 'ld #0xffffffff\nldx #0xffffffff\njeq x, t, f\nt: ret #1\nf: ret #2', packet: '', expect: 1 },
  { name: 'jgt x unsigned', program: 'ld #1\nldx #0xffffffff\njgt x, t, f\nt: ret #1\nf: ret #2', packet: '', expect: 2 },
  { name: 'jge x', program: 'ld #0xffffffff\nldx #0xffffffff\njge x, t, f\nt: ret #1\nf: ret #2', packet: '', expect: 1 },
  { name: 'jset x', program: 'ld #0xf0\nldx #0x10\njset x, t, f\nt: ret #1\nf: ret #2', packet: '', expect: 1 },
  { name: 'jne pseudo-op', program: 'ld #1\njne #2, t\nret #9\nt: ret #1', packet: '', expect: 1 },
  { name: 'jlt pseudo-op', program: 'ld #1\njlt #2, t\nret #9\nt: ret #1', packet: '', expect: 1 },
  { name: 'jle pseudo-op', program: 'ld #2\njle #2, t\nret #9\nt: ret #1', packet: '', expect: 1 },
  { name: 'jump offsets up to 255', program: `ld #1\njeq #1, far, near\nnear: ret #2\n${'ret #3\n'.repeat(253)}far: ret #4`, packet: '', expect: 4 },
  // ---- invalid programs: the interpreter still returns 0, never throws
  { name: 'unknown opcode returns 0', program: '2,14 0 0 7,6 0 0 1', packet: '', expect: 0, libpcapDiffers: '1.10.3 calls abort() on an unknown opcode' },
  { name: 'div k by 0 returns 0', program: 'ld #1\ndiv #0\nret #1', packet: '', expect: 0, libpcapDiffers: '1.10.3 divides by zero (SIGFPE); bpf_validate rejects it' },
  { name: 'falling off the end returns 0', program: 'ld #1', packet: '', expect: 0, libpcapDiffers: '1.10.3 runs past the program' },
  { name: 'conditional jump past the end returns 0', program: '2,21 5 5 0,6 0 0 1', packet: '', expect: 0, libpcapDiffers: '1.10.3 runs past the program' },
  { name: 'backward ja not reached', program: '3,6 0 0 7,5 0 0 4294967294,6 0 0 1', packet: '', expect: 7 },
  { name: 'backward ja is followed (libpcap protochain)', program: '3,5 0 0 1,6 0 0 7,5 0 0 4294967294', packet: '', expect: 7 },
  { name: 'ja out of range backwards returns 0', program: '2,5 0 0 4294967286,6 0 0 1', packet: '', expect: 0, libpcapDiffers: '1.10.3 jumps outside the program' },
  { name: 'ja to itself returns 0', program: '2,5 0 0 4294967295,6 0 0 1', packet: '', expect: 0, libpcapDiffers: '1.10.3 loops forever' },
  // The interpreter's budget is 8 × (caplen + 1) backward jumps per backward ja: 136 for a
  // 16-byte packet (interpret.test.ts probes its edges; the eBPF converter allows 64).
  { name: 'backward loop within the budget', program: 'ldx #0\nloop: txa\nadd #1\ntax\njge #60, out, back\nback: ja loop\nout: ret a', packet: PKT16, expect: 60 },
  { name: 'backward loop over the budget returns 0', program: 'ldx #0\nloop: txa\nadd #1\ntax\njge #138, out, back\nback: ja loop\nout: ret a', packet: PKT16, expect: 0, libpcapDiffers: '1.10.3 has no backward-jump budget (returns 138)' },
  { name: 'scratch index 16 returns 0', program: '2,2 0 0 16,6 0 0 1', packet: '', expect: 0, libpcapDiffers: '1.10.3 writes past its scratch array' },
  // ---- a real filter
  { name: 'tcp port 80 accepts a TCP packet to port 80', program: TCP_PORT_80, packet: ETH_IP_TCP, expect: 262144 },
  { name: 'tcp port 80 rejects a truncated packet', program: TCP_PORT_80, packet: ETH_IP_TCP.replace(/\s/g, '').slice(0, 2 * 36), wirelen: 54, expect: 0 },
  { name: 'tcp port 80 rejects port 81', program: TCP_PORT_80, packet: ETH_IP_TCP.replace('04d2 0050', '04d2 0051'), expect: 0 },
];

export function caseProgram(c: CbpfCase): CbpfProgram {
  return parseProgram(c.program);
}

export function casePacket(c: CbpfCase): Uint8Array {
  const hex = c.packet.replace(/\s+/g, '');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}
