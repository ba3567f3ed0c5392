/**
 * eBPF semantics written once, as code templates.
 *
 * Integer representation (decided by test/bench/ebpf-bench.ts): every 64-bit register is a pair
 * of int32 halves, `lo` and `hi`. 32-bit ALU/JMP32 code — all that converted classic BPF
 * produces — touches only `lo` with plain int32 arithmetic (`|0`, `>>>0`, Math.imul), which V8
 * keeps in machine registers; 64-bit add/sub/logic/compare are a few int32 operations with a
 * carry; 64-bit div/mod and variable shifts call the small support functions below, which
 * write their result pair into the scratch array `T` (div/mod fall back to BigInt only when an
 * operand does not fit 32 bits); 64-bit mul goes through a typed-array BigInt scratch (XU).
 * BigInt locals were measured slower on every shape; BigInt in a BigUint64Array is the one case
 * that wins — multiply and constant shifts, which V8 compiles to native i64 — hence the mul row
 * here, and a second tier (jit64) that keeps registers in typed arrays and uses the BigInt rows
 * at the end of this file for all 64-bit ALU ops (see chooseEngine in ./index.ts).
 *
 * Each ALU op and each jump condition is ONE row here: a function from operand expressions to
 * a JavaScript statement (ALU) or boolean expression (JMP). The interpreter
 * (src/runtime/interpreter.ts) expands the rows once, with operands that index its register
 * array; the JIT (src/runtime/jit/js.ts) expands them per program, with operands that are local
 * variables or constants. Both therefore share every corner case: division by zero (div → 0,
 * mod → dst unchanged), INT_MIN / -1 (wraps to INT_MIN, mod → 0), shift counts masked to the
 * operand width, and zero-extension of every 32-bit result (RFC 9669 §4.1).
 */
import type { AluOp, EndOrder, EndWidth, JmpOp } from '../isa/ebpf/opcodes.ts';

/** Scratch result pair of the 64-bit support functions: T[0] = lo, T[1] = hi. */
export const T = new Int32Array(2);

// ---- 64-bit support functions (int32 pairs in, pair out through T) -----------------------------

const big = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo >>> 0);
const setBig = (v: bigint): void => {
  T[0] = Number(BigInt.asIntN(32, v));
  T[1] = Number(BigInt.asIntN(32, v >> 32n));
};

/**
 * 64-bit multiply scratch: 16 bytes seen as two int32 pairs (XI) and two unsigned 64-bit
 * BigInts (XU). The mul row writes both operand pairs, does `XU[0] *= XU[1]` — which V8 compiles
 * to one native 64-bit multiply, no BigInt allocation — and reads the product pair back.
 * Measured ~2x faster on a multiply-heavy loop than multiplying 16-bit limbs in doubles.
 */
const XB = new ArrayBuffer(16);
const XI = new Int32Array(XB);
const XU = new BigUint64Array(XB);

/** Unsigned 64-bit division; division by zero gives 0. */
function udiv64(al: number, ah: number, bl: number, bh: number): void {
  if (bl === 0 && bh === 0) { T[0] = 0; T[1] = 0; return; }
  if (ah === 0 && bh === 0) { T[0] = ((al >>> 0) / (bl >>> 0)) | 0; T[1] = 0; return; }
  setBig(BigInt.asUintN(64, big(al, ah)) / BigInt.asUintN(64, big(bl, bh)));
}

/** Unsigned 64-bit modulo; modulo by zero leaves the dividend unchanged. */
function umod64(al: number, ah: number, bl: number, bh: number): void {
  if (bl === 0 && bh === 0) { T[0] = al; T[1] = ah; return; }
  if (ah === 0 && bh === 0) { T[0] = (al >>> 0) % (bl >>> 0) | 0; T[1] = 0; return; }
  setBig(BigInt.asUintN(64, big(al, ah)) % BigInt.asUintN(64, big(bl, bh)));
}

/** Signed 64-bit division, truncating; /0 → 0; INT64_MIN / -1 → INT64_MIN. */
export function sdiv64(al: number, ah: number, bl: number, bh: number): void {
  if (bl === 0 && bh === 0) { T[0] = 0; T[1] = 0; return; }
  setBig(BigInt.asIntN(64, big(al, ah) / big(bl, bh)));
}

/** Signed 64-bit modulo (sign of the dividend); %0 → dividend; INT64_MIN % -1 → 0. */
export function smod64(al: number, ah: number, bl: number, bh: number): void {
  if (bl === 0 && bh === 0) { T[0] = al; T[1] = ah; return; }
  setBig(BigInt.asIntN(64, big(al, ah) % big(bl, bh)));
}

/** Shifts by n & 63. */
export function lsh64(l: number, h: number, n: number): void {
  n &= 63;
  if (n === 0) { T[0] = l; T[1] = h; } else if (n < 32) { T[1] = (h << n) | (l >>> (32 - n)); T[0] = l << n; } else { T[1] = l << (n - 32); T[0] = 0; }
}
export function rsh64(l: number, h: number, n: number): void {
  n &= 63;
  if (n === 0) { T[0] = l; T[1] = h; } else if (n < 32) { T[0] = (l >>> n) | (h << (32 - n)); T[1] = h >>> n; } else { T[0] = h >>> (n - 32); T[1] = 0; }
}
export function arsh64(l: number, h: number, n: number): void {
  n &= 63;
  if (n === 0) { T[0] = l; T[1] = h; } else if (n < 32) { T[0] = (l >>> n) | (h << (32 - n)); T[1] = h >> n; } else { T[0] = h >> (n - 32); T[1] = h >> 31; }
}

/** Byte-reverses a 32-bit value. */
export function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** The support functions generated code may call, by name. */
export const support = { T, XI, XU, udiv64, umod64, sdiv64, smod64, lsh64, rsh64, arsh64, bswap32 };
/** Prologue that binds the support functions to locals in generated code (argument `F`). */
export const SUPPORT_PROLOGUE = `const {T, XI, XU, udiv64, umod64, sdiv64, smod64, lsh64, rsh64, arsh64, bswap32} = F;`;

// ---- the rows ----------------------------------------------------------------------------------

/**
 * Operands of one ALU/JMP instruction as JavaScript source: `dl`/`dh` are assignable
 * expressions for the destination's halves, `sl`/`sh` expressions for the source's halves (for
 * an immediate: the constant and its sign extension). `t` is the name of a scratch local.
 */
export interface Operands { dl: string; dh: string; sl: string; sh: string; t: string }

/** 32-bit ALU rows: set the low half; the expander then zeroes the high half. */
export const ALU32: Record<AluOp, (o: Operands) => string> = {
  add: (o) => `${o.dl} = (${o.dl} + ${o.sl}) | 0;`,
  sub: (o) => `${o.dl} = (${o.dl} - ${o.sl}) | 0;`,
  mul: (o) => `${o.dl} = Math.imul(${o.dl}, ${o.sl});`,
  div: (o) => `${o.t} = ${o.sl} >>> 0; ${o.dl} = ${o.t} === 0 ? 0 : ((${o.dl} >>> 0) / ${o.t}) | 0;`,
  // JS `/` then `|0` truncates toward zero; INT_MIN / -1 = 2^31 wraps back to INT_MIN.
  sdiv: (o) => `${o.t} = ${o.sl} | 0; ${o.dl} = ${o.t} === 0 ? 0 : (${o.dl} / ${o.t}) | 0;`,
  or: (o) => `${o.dl} |= ${o.sl};`,
  and: (o) => `${o.dl} &= ${o.sl};`,
  lsh: (o) => `${o.dl} <<= ${o.sl};`, // JS masks the count to 5 bits, as eBPF requires
  rsh: (o) => `${o.dl} = (${o.dl} >>> ${o.sl}) | 0;`,
  neg: (o) => `${o.dl} = (-${o.dl}) | 0;`,
  mod: (o) => `${o.t} = ${o.sl} >>> 0; if (${o.t} !== 0) ${o.dl} = ((${o.dl} >>> 0) % ${o.t}) | 0;`,
  // JS `%` takes the dividend's sign, like C; INT_MIN % -1 = -0 → 0.
  smod: (o) => `${o.t} = ${o.sl} | 0; if (${o.t} !== 0) ${o.dl} = (${o.dl} % ${o.t}) | 0;`,
  xor: (o) => `${o.dl} ^= ${o.sl};`,
  mov: (o) => `${o.dl} = ${o.sl};`,
  movsx8: (o) => `${o.dl} = (${o.sl} << 24) >> 24;`,
  movsx16: (o) => `${o.dl} = (${o.sl} << 16) >> 16;`,
  movsx32: (o) => `${o.dl} = ${o.sl};`, // not encodable in class ALU; kept for totality
  arsh: (o) => `${o.dl} >>= ${o.sl};`,
};

const callPair = (fn: string, o: Operands) => `${fn}(${o.dl}, ${o.dh}, ${o.sl}, ${o.sh}); ${o.dl} = T[0]; ${o.dh} = T[1];`;
/**
 * 64-bit shifts. A literal count (what the JIT passes for `lsh r1, 12`) is specialized inline to
 * the two or three int32 operations it needs; a variable count calls lsh64/rsh64/arsh64.
 */
function shiftPair(kind: 'lsh' | 'rsh' | 'arsh', o: Operands): string {
  if (!/^-?\d+$/.test(o.sl)) return `${kind}64(${o.dl}, ${o.dh}, ${o.sl}); ${o.dl} = T[0]; ${o.dh} = T[1];`;
  const n = Number(o.sl) & 63;
  if (n === 0) return '';
  const { dl, dh } = o;
  if (kind === 'lsh') return n < 32 ? `${dh} = (${dh} << ${n}) | (${dl} >>> ${32 - n}); ${dl} <<= ${n};` : `${dh} = ${dl} << ${n - 32}; ${dl} = 0;`;
  const hiShift = kind === 'rsh' ? '>>>' : '>>';
  if (n < 32) return `${dl} = (${dl} >>> ${n}) | (${dh} << ${32 - n}); ${dh} = (${dh} ${hiShift} ${n}) | 0;`;
  return `${dl} = (${dh} ${hiShift} ${n - 32}) | 0; ${dh} = ${kind === 'rsh' ? '0' : `${dh} >> 31`};`;
}

/** 64-bit ALU rows: set both halves. */
export const ALU64: Record<AluOp, (o: Operands) => string> = {
  // All-int32 carry: the low sum wrapped iff it is (unsigned) below an addend; borrow iff dl < sl.
  add: (o) => `${o.t} = (${o.dl} + ${o.sl}) | 0; ${o.dh} = (${o.dh} + ${o.sh} + ((${o.t} >>> 0) < (${o.dl} >>> 0) ? 1 : 0)) | 0; ${o.dl} = ${o.t};`,
  sub: (o) => `${o.t} = (${o.dl} - ${o.sl}) | 0; ${o.dh} = (${o.dh} - ${o.sh} - ((${o.dl} >>> 0) < (${o.sl} >>> 0) ? 1 : 0)) | 0; ${o.dl} = ${o.t};`,
  mul: (o) => `XI[0] = ${o.dl}; XI[1] = ${o.dh}; XI[2] = ${o.sl}; XI[3] = ${o.sh}; XU[0] *= XU[1]; ${o.dl} = XI[0]; ${o.dh} = XI[1];`,
  div: (o) => callPair('udiv64', o),
  sdiv: (o) => callPair('sdiv64', o),
  or: (o) => `${o.dl} |= ${o.sl}; ${o.dh} |= ${o.sh};`,
  and: (o) => `${o.dl} &= ${o.sl}; ${o.dh} &= ${o.sh};`,
  lsh: (o) => shiftPair('lsh', o),
  rsh: (o) => shiftPair('rsh', o),
  // -(h:l) = (~h + (l == 0)) : -l
  neg: (o) => `${o.dh} = (~${o.dh} + (${o.dl} === 0 ? 1 : 0)) | 0; ${o.dl} = (-${o.dl}) | 0;`,
  mod: (o) => callPair('umod64', o),
  smod: (o) => callPair('smod64', o),
  xor: (o) => `${o.dl} ^= ${o.sl}; ${o.dh} ^= ${o.sh};`,
  mov: (o) => `${o.dl} = ${o.sl}; ${o.dh} = ${o.sh};`,
  movsx8: (o) => `${o.dl} = (${o.sl} << 24) >> 24; ${o.dh} = ${o.dl} >> 31;`,
  movsx16: (o) => `${o.dl} = (${o.sl} << 16) >> 16; ${o.dh} = ${o.dl} >> 31;`,
  movsx32: (o) => `${o.dl} = ${o.sl}; ${o.dh} = ${o.dl} >> 31;`,
  arsh: (o) => shiftPair('arsh', o),
};

/** Emits one ALU instruction: the row, plus zero-extension for 32-bit ops. */
export function emitAlu(op: AluOp, wide: boolean, o: Operands): string {
  return wide ? ALU64[op](o) : `${ALU32[op](o)} ${o.dh} = 0;`;
}

/** Byte-swap rows (host is little-endian: `le` only truncates, `be`/`bswap` reverse bytes). */
export function emitEnd(order: EndOrder, width: EndWidth, o: Pick<Operands, 'dl' | 'dh' | 't'>): string {
  if (order === 'le') return width === 16 ? `${o.dl} &= 0xffff; ${o.dh} = 0;` : width === 32 ? `${o.dh} = 0;` : '';
  if (width === 16) return `${o.dl} = ((${o.dl} & 0xff) << 8) | ((${o.dl} >>> 8) & 0xff); ${o.dh} = 0;`;
  if (width === 32) return `${o.dl} = bswap32(${o.dl}); ${o.dh} = 0;`;
  return `${o.t} = ${o.dl}; ${o.dl} = bswap32(${o.dh}); ${o.dh} = bswap32(${o.t});`;
}

/** 32-bit (JMP32) conditions on the low halves. */
export const JMP32: Record<JmpOp, (o: Operands) => string> = {
  jeq: (o) => `${o.dl} === ${o.sl}`,
  jne: (o) => `${o.dl} !== ${o.sl}`,
  jgt: (o) => `(${o.dl} >>> 0) > (${o.sl} >>> 0)`,
  jge: (o) => `(${o.dl} >>> 0) >= (${o.sl} >>> 0)`,
  jlt: (o) => `(${o.dl} >>> 0) < (${o.sl} >>> 0)`,
  jle: (o) => `(${o.dl} >>> 0) <= (${o.sl} >>> 0)`,
  jsgt: (o) => `(${o.dl} | 0) > (${o.sl} | 0)`,
  jsge: (o) => `(${o.dl} | 0) >= (${o.sl} | 0)`,
  jslt: (o) => `(${o.dl} | 0) < (${o.sl} | 0)`,
  jsle: (o) => `(${o.dl} | 0) <= (${o.sl} | 0)`,
  jset: (o) => `(${o.dl} & ${o.sl}) !== 0`,
};

/** Lexicographic (hi, lo) comparison: `hiCmp` on the high halves (signed or unsigned), unsigned on the low. */
const cmp64 = (o: Operands, rel: '>' | '>=' | '<' | '<=', signed: boolean) => {
  const dh = signed ? `(${o.dh} | 0)` : `(${o.dh} >>> 0)`;
  const sh = signed ? `(${o.sh} | 0)` : `(${o.sh} >>> 0)`;
  const strict = rel[0] as '>' | '<';
  return `(${dh} ${strict} ${sh} || (${o.dh} === ${o.sh} && (${o.dl} >>> 0) ${rel} (${o.sl} >>> 0)))`;
};

/** 64-bit (JMP) conditions. */
const JMP64: Record<JmpOp, (o: Operands) => string> = {
  jeq: (o) => `(${o.dl} === ${o.sl} && ${o.dh} === ${o.sh})`,
  jne: (o) => `(${o.dl} !== ${o.sl} || ${o.dh} !== ${o.sh})`,
  jgt: (o) => cmp64(o, '>', false),
  jge: (o) => cmp64(o, '>=', false),
  jlt: (o) => cmp64(o, '<', false),
  jle: (o) => cmp64(o, '<=', false),
  jsgt: (o) => cmp64(o, '>', true),
  jsge: (o) => cmp64(o, '>=', true),
  jslt: (o) => cmp64(o, '<', true),
  jsle: (o) => cmp64(o, '<=', true),
  jset: (o) => `((${o.dl} & ${o.sl}) !== 0 || (${o.dh} & ${o.sh}) !== 0)`,
};

export function emitCond(op: JmpOp, wide: boolean, o: Operands): string {
  return wide ? JMP64[op](o) : JMP32[op](o);
}

// ---- BigInt rows for the typed-register JIT tier (jit64) ------------------------------------------

/**
 * Operands as BigInt views of 64-bit registers: `du`/`ds` are the destination read through a
 * BigUint64Array / BigInt64Array (assignable; stores truncate to 64 bits for free), `su`/`ss`
 * the source (a register view or a BigInt literal). V8 compiles these typed-array BigInt
 * operations to native 64-bit arithmetic, which is what makes this tier win on 64-bit code;
 * 32-bit ops, memory and calls keep the int32-pair rows above (on the same registers through an
 * Int32Array view of the same buffer).
 */
export interface BigOperands { du: string; ds: string; su: string; ss: string; t: string }

/**
 * A BigInt shift by a literal count (masked to 6 bits at generation time). V8 lowers only
 * constant-count BigInt shifts to machine shifts — `x <<= (n & 63n)` with a variable count is
 * ~20x slower than the pair code — so a variable count returns undefined: use the pair row.
 */
const bigShift = (op: string, lhs: string, su: string): string | undefined => {
  const m = /^(\d+)n$/.exec(su);
  return m ? `${lhs} ${op}= ${BigInt(m[1]!) & 63n}n;` : undefined;
};

/** 64-bit ALU rows on BigInt views; ops not listed (or returning undefined) use the pair rows (ALU64). */
export const ALU64_BIG: Partial<Record<AluOp, (o: BigOperands) => string | undefined>> = {
  add: (o) => `${o.du} += ${o.su};`,
  sub: (o) => `${o.du} -= ${o.su};`,
  mul: (o) => `${o.du} *= ${o.su};`,
  div: (o) => `${o.t} = ${o.su}; ${o.du} = ${o.t} === 0n ? 0n : ${o.du} / ${o.t};`,
  // BigInt division truncates toward zero; INT64_MIN / -1 = 2^63 wraps to INT64_MIN on store.
  sdiv: (o) => `${o.t} = ${o.ss}; ${o.ds} = ${o.t} === 0n ? 0n : ${o.ds} / ${o.t};`,
  mod: (o) => `${o.t} = ${o.su}; if (${o.t} !== 0n) ${o.du} %= ${o.t};`,
  smod: (o) => `${o.t} = ${o.ss}; if (${o.t} !== 0n) ${o.ds} %= ${o.t};`,
  or: (o) => `${o.du} |= ${o.su};`,
  and: (o) => `${o.du} &= ${o.su};`,
  xor: (o) => `${o.du} ^= ${o.su};`,
  lsh: (o) => bigShift('<<', o.du, o.su),
  rsh: (o) => bigShift('>>', o.du, o.su),
  arsh: (o) => bigShift('>>', o.ds, o.su),
  neg: (o) => `${o.du} = -${o.du};`,
  mov: (o) => `${o.du} = ${o.su};`,
};

/** 64-bit jump conditions on BigInt views. */
export const JMP64_BIG: Record<JmpOp, (o: BigOperands) => string> = {
  jeq: (o) => `${o.du} === ${o.su}`,
  jne: (o) => `${o.du} !== ${o.su}`,
  jgt: (o) => `${o.du} > ${o.su}`,
  jge: (o) => `${o.du} >= ${o.su}`,
  jlt: (o) => `${o.du} < ${o.su}`,
  jle: (o) => `${o.du} <= ${o.su}`,
  jsgt: (o) => `${o.ds} > ${o.ss}`,
  jsge: (o) => `${o.ds} >= ${o.ss}`,
  jslt: (o) => `${o.ds} < ${o.ss}`,
  jsle: (o) => `${o.ds} <= ${o.ss}`,
  jset: (o) => `(${o.du} & ${o.su}) !== 0n`,
};
