/**
 * A seeded generator of random eBPF programs that the Linux verifier accepts, for differential
 * testing (our interpreter ≡ our JIT ≡ the kernel). Each program uses the bpf_conformance calling
 * convention: r1 points to `mem` (64 random bytes), r2 is its length, the result is the 64-bit r0.
 *
 * Shape of a program:
 *   1. prologue (of main): every register r0..r8 gets a value, either loaded from `mem` (a value the
 *      verifier cannot know, so it must explore both sides of every branch) or a constant
 *      (mov imm or lddw); r9 becomes a copy of the `mem` pointer (option `memory`, the default)
 *      or another value; r1 and r2 are overwritten last, so no other register holds a pointer.
 *      Then the 64 stack bytes below r10 are initialised with 8-byte stores.
 *   2. body: random ALU32/ALU64 operations (K and X forms, including sdiv/smod, movsx and byte
 *      swaps of cpu v4), loads and stores of every size to the stack and to `mem` through r9
 *      (naturally aligned, as the verifier demands for the stack), sign-extending loads, stack
 *      atomics (the kernel allows atomics on neither packet nor context memory), pointer
 *      arithmetic on copies of r10 and r9 (constant and masked-register offsets), and forward
 *      branches: JMP/JMP32 conditionals to a later instruction, and `ja`/`gotol` guarded by a
 *      conditional that skips them (an unguarded forward `ja` would leave unreachable code,
 *      which the verifier rejects).
 *   3. epilogue: r0 = fold of the scalar registers, the 8 stack slots and the 8 words of `mem`,
 *      each step `r0 = r0 * K ^ x` with an odd K. Multiplying by an odd number is a bijection on
 *      64-bit words, so a difference in any single register or memory word changes the full
 *      64-bit result.
 *   Optionally (see RandomProgramOptions.loops) bounded loops with a constant trip count.
 *   4. optionally a subprogram that main calls (`call local`) from random points: it takes
 *      r1..r5, sets its own r6..r9 (the caller's are callee-saved and must survive the call)
 *      and its own stack frame, runs a body of its own and returns a fold of everything; main
 *      re-initialises r1..r5 after each call (the verifier treats them as clobbered).
 *
 * Choices the verifier forces, each noted where it is made: no division or modulo by an
 * immediate 0, immediate shift counts below the operand width, r10 only as a memory base,
 * every stack byte written before any read, all jumps forward and in range.
 *
 * The generator is a pure function of (seed, index, options): a failing case is reproduced
 * from the two numbers printed by the test.
 */

/** A small, fast, seedable PRNG (mulberry32): 32-bit state, full period, good enough for tests. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }
  /** A 64-bit value biased toward the edges where arithmetic goes wrong. */
  interesting64(): bigint {
    switch (this.below(8)) {
      case 0: return this.pick([0n, 1n, 2n, 0xffffffffffffffffn, 0x8000000000000000n, 0x7fffffffffffffffn]);
      case 1: return this.pick([0x80000000n, 0x7fffffffn, 0xffffffffn, 0x100000000n, 0xffffffff80000000n, 0xffffffff7fffffffn]);
      case 2: return BigInt(this.below(64)); // small: shift counts, small divisors
      case 3: return BigInt.asUintN(64, -BigInt(this.below(64) + 1)); // small negative
      case 4: return BigInt(this.u32()); // 32-bit, high half zero
      case 5: return BigInt.asUintN(64, BigInt(this.u32() | 0)); // sign-extended 32-bit
      default: return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
    }
  }
  /** A 32-bit immediate (as a signed int32), biased like interesting64. */
  imm32(): number {
    return Number(BigInt.asIntN(32, this.interesting64()));
  }
}

export interface RandomProgramOptions {
  /** Body instructions (not counting prologue and epilogue); default 40. */
  length?: number;
  /** Highest cpu version whose instructions may appear (3 or 4); default 4. */
  cpu?: 3 | 4;
  /** Include stack atomics (add/or/and/xor, fetch forms, xchg, cmpxchg); default true. */
  atomics?: boolean;
  /** Include forward branches; default true (false gives straight-line programs). */
  branches?: boolean;
  /**
   * Keep r9 as a pointer to `mem` and load/store through it as well as through r10; default
   * true. r9 then never appears in arithmetic (a pointer value differs between engines), and
   * the epilogue folds mem's final contents instead of r9.
   */
  memory?: boolean;
  /**
   * Add a subprogram after main and call it (bpf-to-bpf `call local`) from random points of
   * main's body; default true. The callee takes r1..r5, sets r6..r9 itself (the caller's must
   * survive: they are callee-saved) and has its own stack frame.
   */
  calls?: boolean;
  /**
   * Add bounded loops (default false): `mov c, n` (n = 1..4), a short branch-free body that
   * leaves c alone, `add c, -1`, `jne c, 0, <back>`. The verifier walks each iteration (c is a
   * known constant), so it accepts them; the engines get real back-edges. Combine with
   * `branches: false`: loops mixed with branches on values the verifier cannot know make the
   * kernel 6.18 verifier hit its 1M-instruction limit (states cannot be pruned across
   * iterations), and take minutes doing so.
   */
  loops?: boolean;
}

export interface RandomProgram {
  seed: number;
  index: number;
  /** The program: 8-byte little-endian instructions, ready for any engine or the kernel. */
  prog: Uint8Array;
  /** The memory r1 points to at entry. */
  mem: Uint8Array;
  /**
   * Slot index of main's first body instruction: always executed, always a plain ALU operation,
   * so a test can replace it with another single-slot instruction without changing reachability.
   */
  bodyPc: number;
  /** One line per instruction slot, for reporting a failing case. */
  listing: string[];
}

// Opcode fields (RFC 9669): class in the low 3 bits, then source bit and operation.
const LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, JMP32 = 0x06, ALU64 = 0x07;
const K = 0x00, X = 0x08;
const MEM = 0x60, MEMSX = 0x80, ATOMIC = 0xc0, IMM = 0x00;
const SIZE = { w: 0x00, h: 0x08, b: 0x10, dw: 0x18 } as const;
const BYTES = { w: 4, h: 2, b: 1, dw: 8 } as const;
type Size = keyof typeof SIZE;

const ALU_OPS = {
  add: 0x00, sub: 0x10, mul: 0x20, div: 0x30, or: 0x40, and: 0x50, lsh: 0x60, rsh: 0x70,
  neg: 0x80, mod: 0x90, xor: 0xa0, mov: 0xb0, arsh: 0xc0,
} as const;
type AluOp = keyof typeof ALU_OPS;
const END = 0xd0;
const JMP_OPS = {
  jeq: 0x10, jgt: 0x20, jge: 0x30, jset: 0x40, jne: 0x50, jsgt: 0x60, jsge: 0x70,
  jlt: 0xa0, jle: 0xb0, jslt: 0xc0, jsle: 0xd0,
} as const;
type JmpOp = keyof typeof JMP_OPS;
const JA = 0x00, CALL = 0x80, EXIT = 0x90, PSEUDO_CALL = 1;
const ATOMIC_OPS = { add: 0x00, or: 0x40, and: 0x50, xor: 0xa0 } as const;
const FETCH = 0x01, XCHG = 0xe1, CMPXCHG = 0xf1;

/** One instruction before jump resolution: `target` (an op index) replaces off/imm for jumps. */
interface Op {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
  /** lddw: the upper 32 bits, emitted as a second slot. */
  hi?: number;
  /** Jumps: index into the op list of the jump target (must be greater than this op's index). */
  target?: number;
  /** Jumps: the target offset goes in imm (gotol) instead of off. */
  targetInImm?: boolean;
  /** Inside a pointer-arithmetic group or a loop: no forward jump may land here. */
  noTarget?: boolean;
  text: string;
}

const MEM_BYTES = 64;
const STACK_SLOTS = 8; // r10-8 ... r10-64
const FOLD_K = 0x2545f491; // odd, positive as an int32 (so the sign-extended immediate is odd too)

/** Generates program number `index` of the sequence for `seed`. */
export function randomProgram(seed: number, index: number, options: RandomProgramOptions = {}): RandomProgram {
  const rng = new Rng((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
  const length = options.length ?? 40;
  const cpu = options.cpu ?? 4;
  const atomics = options.atomics ?? true;
  const branches = options.branches ?? true;
  const memory = options.memory ?? true;
  const calls = options.calls ?? true;
  const loops = options.loops ?? false;

  // Memory: eight 64-bit little-endian words of interesting values.
  const mem = new Uint8Array(MEM_BYTES);
  const memView = new DataView(mem.buffer);
  for (let i = 0; i < MEM_BYTES / 8; i++) memView.setBigUint64(i * 8, rng.interesting64(), true);

  const ops: Op[] = [];
  const emit = (o: Op) => ops.push(o);
  const scalarRegs = memory ? 9 : 10;
  let pool = scalarRegs; // registers the current body may use: r0..r(pool-1)
  const r = () => rng.below(pool); // r0..r9, or r0..r8 while r9 is the memory pointer
  const rs = (n: number) => `r${n}`;

  // 1. Prologue. Registers other than r1/r2 first, while r1 is still the memory pointer.
  const loadOrConst = (d: number) => {
    const how = rng.below(4);
    if (how <= 1) {
      const off = rng.below(MEM_BYTES / 8) * 8;
      emit({ code: LDX | MEM | SIZE.dw, dst: d, src: 1, off, imm: 0, text: `ldxdw ${rs(d)}, [r1+${off}]` });
    } else if (how === 2) {
      const imm = rng.imm32();
      emit({ code: ALU64 | K | ALU_OPS.mov, dst: d, src: 0, off: 0, imm, text: `mov ${rs(d)}, ${imm}` });
    } else {
      const v = rng.interesting64();
      const lo = Number(BigInt.asIntN(32, v)), hi = Number(BigInt.asIntN(32, v >> 32n));
      emit({ code: LD | IMM | SIZE.dw, dst: d, src: 0, off: 0, imm: lo, hi, text: `lddw ${rs(d)}, 0x${v.toString(16)}` });
    }
  };
  // Without memory at hand (the subprogram): a mov imm or an lddw.
  const loadOrConstNoMem = (d: number) => {
    if (rng.chance(0.5)) {
      const imm = rng.imm32();
      emit({ code: ALU64 | K | ALU_OPS.mov, dst: d, src: 0, off: 0, imm, text: `mov ${rs(d)}, ${imm}` });
    } else {
      const v = rng.interesting64();
      const lo = Number(BigInt.asIntN(32, v)), hi = Number(BigInt.asIntN(32, v >> 32n));
      emit({ code: LD | IMM | SIZE.dw, dst: d, src: 0, off: 0, imm: lo, hi, text: `lddw ${rs(d)}, 0x${v.toString(16)}` });
    }
  };
  for (const d of [0, 3, 4, 5, 6, 7, 8]) loadOrConst(d);
  if (memory) emit({ code: ALU64 | X | ALU_OPS.mov, dst: 9, src: 1, off: 0, imm: 0, text: 'mov r9, r1' });
  else loadOrConst(9);
  // r2 from memory (through r1), then r1 itself: afterwards no register holds a pointer.
  emit({ code: LDX | MEM | SIZE.dw, dst: 2, src: 1, off: 48, imm: 0, text: 'ldxdw r2, [r1+48]' });
  emit({ code: LDX | MEM | SIZE.dw, dst: 1, src: 1, off: 56, imm: 0, text: 'ldxdw r1, [r1+56]' });
  for (let s = 1; s <= STACK_SLOTS; s++) {
    // Every stack byte is written before any read (the verifier tracks uninitialised stack).
    if (rng.chance(0.5)) {
      const src = r();
      emit({ code: STX | MEM | SIZE.dw, dst: 10, src, off: -8 * s, imm: 0, text: `stxdw [r10-${8 * s}], ${rs(src)}` });
    } else {
      const imm = rng.imm32();
      emit({ code: ST | MEM | SIZE.dw, dst: 10, src: 0, off: -8 * s, imm, text: `stdw [r10-${8 * s}], ${imm}` });
    }
  }

  // 2. Body.
  const stackOff = (size: Size) => {
    // Naturally aligned: the verifier requires aligned stack access.
    const n = BYTES[size];
    return -n * (1 + rng.below((STACK_SLOTS * 8) / n));
  };
  // A memory operand: the stack (r10 - k, aligned: the verifier insists) or, with `memory`,
  // mem (r9 + k, half the time unaligned: packet access may be, on x86).
  let placeInMemory = memory;
  const place = (size: Size): { base: number; off: number; text: string } => {
    if (placeInMemory && rng.chance(0.4)) {
      const n = BYTES[size];
      const off = rng.chance(0.5) ? n * rng.below(MEM_BYTES / n) : rng.below(MEM_BYTES - n + 1);
      return { base: 9, off, text: `[r9+${off}]` };
    }
    const off = stackOff(size);
    return { base: 10, off, text: `[r10${off}]` };
  };
  // Pointer arithmetic, as a group no jump may enter (the verifier tracks the pointer through
  // it): a copy of r10 or r9 moved by a constant or by a masked register, a load or store
  // through it, then the register becomes a number again (a pointer must never reach the fold:
  // the verifier forbids arithmetic other than add/sub on pointers, and the value would differ
  // between engines). Three shapes:
  //   stack, constant: p = r10 - 8a;            access [p + o] inside the 64 initialised bytes
  //   stack, variable: x &= 0x18; p = r10 - 64 + x; 8-byte access [p + 8b], b = 0..4
  //   mem,   constant: p = r9 + c;              access [p + o], 0 <= c + o <= 64 - size
  // (A variable offset into the packet would need its own bounds check against data_end, which
  // these programs do not have: the kernel forgets the proven range for the new pointer.)
  const pointerGroup = () => {
    const p = r();
    let x = r();
    while (x === p) x = r();
    const shape = rng.below(placeInMemory ? 3 : 2);
    const group: Op[] = [];
    const add = (o: Op) => group.push(o);
    let base: string;
    let size: Size;
    let off: number;
    if (shape === 0) {
      const a = 1 + rng.below(STACK_SLOTS);
      add({ code: ALU64 | X | ALU_OPS.mov, dst: p, src: 10, off: 0, imm: 0, text: `mov ${rs(p)}, r10` });
      add({ code: ALU64 | K | ALU_OPS.add, dst: p, src: 0, off: 0, imm: -8 * a, text: `add ${rs(p)}, ${-8 * a}` });
      size = rng.pick(['b', 'h', 'w', 'dw'] as const);
      off = stackOff(size) + 8 * a;
      base = `${rs(p)}`;
    } else if (shape === 1) {
      add({ code: ALU64 | K | ALU_OPS.and, dst: x, src: 0, off: 0, imm: 0x18, text: `and ${rs(x)}, 0x18` });
      add({ code: ALU64 | X | ALU_OPS.mov, dst: p, src: 10, off: 0, imm: 0, text: `mov ${rs(p)}, r10` });
      add({ code: ALU64 | K | ALU_OPS.add, dst: p, src: 0, off: 0, imm: -64, text: `add ${rs(p)}, -64` });
      add({ code: ALU64 | X | ALU_OPS.add, dst: p, src: x, off: 0, imm: 0, text: `add ${rs(p)}, ${rs(x)}` });
      size = 'dw';
      off = 8 * rng.below(5);
      base = `${rs(p)}`;
    } else {
      const c = rng.below(MEM_BYTES);
      add({ code: ALU64 | X | ALU_OPS.mov, dst: p, src: 9, off: 0, imm: 0, text: `mov ${rs(p)}, r9` });
      add({ code: ALU64 | K | ALU_OPS.add, dst: p, src: 0, off: 0, imm: c, text: `add ${rs(p)}, ${c}` });
      size = rng.pick(['b', 'h', 'w', 'dw'] as const);
      off = rng.below(MEM_BYTES - BYTES[size] + 1) - c; // may be negative
      base = `${rs(p)}`;
    }
    const at = `[${base}${off < 0 ? off : `+${off}`}]`;
    if (rng.chance(0.5)) {
      const d = r(); // loading into p itself is fine: it becomes a number
      add({ code: LDX | MEM | SIZE[size], dst: d, src: p, off, imm: 0, text: `ldx${size} ${rs(d)}, ${at}` });
    } else {
      let s = r();
      while (s === p) s = r(); // storing the pointer would put an address into the fold
      add({ code: STX | MEM | SIZE[size], dst: p, src: s, off, imm: 0, text: `stx${size} ${at}, ${rs(s)}` });
    }
    const imm = rng.imm32();
    add({ code: ALU64 | K | ALU_OPS.mov, dst: p, src: 0, off: 0, imm, text: `mov ${rs(p)}, ${imm}` });
    group.forEach((o, k) => emit(k === 0 ? o : { ...o, noTarget: true }));
  };
  const aluOpsK: AluOp[] = ['add', 'sub', 'mul', 'div', 'or', 'and', 'lsh', 'rsh', 'neg', 'mod', 'xor', 'mov', 'arsh'];
  const pendingCalls: Op[] = [];
  // Emits `count` random body instructions; `withCalls` allows calls to the subprogram,
  // `withLoops` a loop (whose own body has none). Jumps land inside this body or just after it.
  const body = (count: number, withCalls: boolean, withLoops: boolean, withBranches: boolean) => {
    const pendingJumps: Op[] = [];
    for (let i = 0; i < count; i++) {
      // The first instruction is always a plain ALU operation: tests may replace it (see bodyPc)
      // without disturbing control flow.
      const kind = i === 0 ? rng.below(40) : rng.below(100);
      if (kind >= 40 && kind < 45) {
        pointerGroup();
      } else if (kind < 45) {
        // ALU32 or ALU64, K or X.
        const is64 = rng.chance(0.5);
        const cls = is64 ? ALU64 : ALU;
        const op = rng.pick(aluOpsK);
        const useX = op !== 'neg' && rng.chance(0.5);
        const d = r();
        const width = is64 ? 64 : 32;
        let off = 0;
        const signed = cpu >= 4 && (op === 'div' || op === 'mod') && rng.chance(0.5);
        if (signed) off = 1; // sdiv / smod
        let imm = 0;
        let src = 0;
        if (useX) src = r();
        else if (op === 'lsh' || op === 'rsh' || op === 'arsh') imm = rng.below(width); // verifier: count < width
        else if (op === 'div' || op === 'mod') imm = rng.imm32() || 7; // verifier: no immediate 0 divisor
        else if (op !== 'neg') imm = rng.imm32();
        const name = (signed ? 's' + op : op) + (is64 ? '' : '32');
        emit({ code: cls | (useX ? X : K) | ALU_OPS[op], dst: d, src, off, imm, text: op === 'neg' ? `${name} ${rs(d)}` : `${name} ${rs(d)}, ${useX ? rs(src) : imm}` });
      } else if (kind < 52) {
        // Byte swaps: to-le / to-be (ALU class) and, on cpu v4, unconditional bswap (ALU64 class).
        const bits = rng.pick([16, 32, 64]);
        const d = r();
        const form = rng.below(cpu >= 4 ? 3 : 2);
        const code = form === 2 ? ALU64 | END : ALU | END | (form === 1 ? X : K);
        emit({ code, dst: d, src: 0, off: 0, imm: bits, text: `${['le', 'be', 'bswap'][form]}${bits} ${rs(d)}` });
      } else if (kind < 56 && cpu >= 4) {
        // movsx: sign-extend the low 8/16/32 bits of src (ALU64), or 8/16 (ALU32).
        const is64 = rng.chance(0.5);
        const bits = is64 ? rng.pick([8, 16, 32]) : rng.pick([8, 16]);
        const d = r(), s = r();
        emit({ code: (is64 ? ALU64 : ALU) | X | ALU_OPS.mov, dst: d, src: s, off: bits, imm: 0, text: `movsx${bits}${is64 ? '' : '32'} ${rs(d)}, ${rs(s)}` });
      } else if (kind < 64) {
        // Store to the stack or mem: register (stx) or immediate (st).
        const size = rng.pick(['b', 'h', 'w', 'dw'] as const);
        const at = place(size);
        if (rng.chance(0.6)) {
          const s = r();
          emit({ code: STX | MEM | SIZE[size], dst: at.base, src: s, off: at.off, imm: 0, text: `stx${size} ${at.text}, ${rs(s)}` });
        } else {
          const imm = rng.imm32();
          emit({ code: ST | MEM | SIZE[size], dst: at.base, src: 0, off: at.off, imm, text: `st${size} ${at.text}, ${imm}` });
        }
      } else if (kind < 72) {
        // Load from the stack or mem, zero- or (cpu v4, not dw) sign-extending.
        const size = rng.pick(['b', 'h', 'w', 'dw'] as const);
        const at = place(size);
        const sx = cpu >= 4 && size !== 'dw' && rng.chance(0.4);
        const d = r();
        emit({ code: LDX | (sx ? MEMSX : MEM) | SIZE[size], dst: d, src: at.base, off: at.off, imm: 0, text: `ldx${sx ? 's' : ''}${size} ${rs(d)}, ${at.text}` });
      } else if (kind < 76 && atomics) {
        // Stack atomics, 32 or 64 bits. fetch forms and xchg write the old value to src;
        // cmpxchg compares with r0 and writes the old value to r0.
        const size = rng.pick(['w', 'dw'] as const);
        const off = stackOff(size);
        const s = r();
        const which = rng.below(6);
        let imm: number, name: string;
        if (which < 4) {
          const op = rng.pick(['add', 'or', 'and', 'xor'] as const);
          const fetch = rng.chance(0.5);
          imm = ATOMIC_OPS[op] | (fetch ? FETCH : 0);
          name = `lock ${fetch ? 'fetch_' : ''}${op}`;
        } else if (which === 4) {
          imm = XCHG; name = 'lock xchg';
        } else {
          imm = CMPXCHG; name = 'lock cmpxchg';
        }
        emit({ code: STX | ATOMIC | SIZE[size], dst: 10, src: s, off, imm, text: `${name}${size === 'w' ? '32' : ''} [r10${off}], ${rs(s)}` });
      } else if (withBranches && kind < 92) {
        // Conditional forward jump, JMP or JMP32, K or X. The target is fixed after the body is
        // complete (any later op, or the epilogue).
        const is32 = rng.chance(0.4);
        const op = rng.pick(Object.keys(JMP_OPS) as JmpOp[]);
        const useX = rng.chance(0.5);
        const d = r(), s = useX ? r() : 0;
        const imm = useX ? 0 : rng.imm32();
        const o: Op = { code: (is32 ? JMP32 : JMP) | (useX ? X : K) | JMP_OPS[op], dst: d, src: s, off: 0, imm, target: -1, text: `${op}${is32 ? '32' : ''} ${rs(d)}, ${useX ? rs(s) : imm}` };
        emit(o);
        pendingJumps.push(o);
      } else if (withLoops && kind >= 94 && kind < 96) {
        // Bounded loop on the highest register of the pool, which the loop body may not touch.
        const c = pool - 1;
        const n = 1 + rng.below(4);
        emit({ code: ALU64 | K | ALU_OPS.mov, dst: c, src: 0, off: 0, imm: n, text: `mov ${rs(c)}, ${n}` });
        const head = ops.length;
        pool--;
        body(2 + rng.below(6), withCalls, false, false);
        pool++;
        emit({ code: ALU64 | K | ALU_OPS.add, dst: c, src: 0, off: 0, imm: -1, text: `add ${rs(c)}, -1` });
        emit({ code: JMP | K | JMP_OPS.jne, dst: c, src: 0, off: 0, imm: 0, target: head, text: `jne ${rs(c)}, 0` });
        // Enter only through `mov c, n`: a jump into the body would run it with a stale c.
        for (let k = head; k < ops.length; k++) ops[k]!.noTarget = true;
      } else if (withBranches && kind < 96) {
        // Guarded unconditional jump: "if (cond) skip the ja; ja/gotol +n". Both the ja and the
        // instruction after it are reachable, and so is everything the ja skips (by fall-through).
        const op = rng.pick(Object.keys(JMP_OPS) as JmpOp[]);
        const d = r();
        const imm = rng.imm32();
        emit({ code: JMP | K | JMP_OPS[op], dst: d, src: 0, off: 0, imm, target: ops.length + 2, text: `${op} ${rs(d)}, ${imm}` });
        const gotol = cpu >= 4 && rng.chance(0.5);
        const o: Op = { code: gotol ? JMP32 | JA : JMP | JA, dst: 0, src: 0, off: 0, imm: 0, target: -1, targetInImm: gotol, text: gotol ? 'gotol' : 'ja' };
        emit(o);
        pendingJumps.push(o);
      } else if (withCalls && kind >= 97) {
        // Call the subprogram with the current r1..r5. The call clobbers r1..r5 (the verifier
        // refuses to read them afterwards), so give them fresh values: r0 and stack words.
        const o: Op = { code: JMP | CALL, dst: 0, src: PSEUDO_CALL, off: 0, imm: 0, target: -1, targetInImm: true, text: 'call local' };
        emit(o);
        pendingCalls.push(o);
        emit({ code: ALU64 | X | ALU_OPS.mov, dst: 1, src: 0, off: 0, imm: 0, text: 'mov r1, r0' });
        for (let d = 2; d <= 5; d++) {
          const off = stackOff('dw');
          emit({ code: LDX | MEM | SIZE.dw, dst: d, src: 10, off, imm: 0, text: `ldxdw ${rs(d)}, [r10${off}]` });
        }
      } else {
        // Plain 64-bit move from another register: keeps values flowing between registers.
        const d = r(), s = r();
        emit({ code: ALU64 | X | ALU_OPS.mov, dst: d, src: s, off: 0, imm: 0, text: `mov ${rs(d)}, ${rs(s)}` });
      }
    }
    const epilogueStart = ops.length;
    // Forward targets: anywhere strictly after the jump, up to the first epilogue op. Shorter
    // jumps are likelier, so that branches nest and overlap instead of all jumping to the end.
    for (const j of pendingJumps) {
      const from = ops.indexOf(j);
      const span = epilogueStart - from; // >= 1
      const reach = rng.chance(0.7) ? Math.min(span, 1 + rng.below(6)) : 1 + rng.below(span);
      let target = from + reach;
      while (ops[target]?.noTarget) target++; // never into the middle of a pointer group
      j.target = target;
    }
  };

  // The stack frame's 8 words, then the listed registers, folded into r0 (see the file comment).
  const fold = (regs: number[]) => {
    for (const d of regs) {
      emit({ code: ALU64 | K | ALU_OPS.mul, dst: 0, src: 0, off: 0, imm: FOLD_K, text: `mul r0, ${FOLD_K}` });
      emit({ code: ALU64 | X | ALU_OPS.xor, dst: 0, src: d, off: 0, imm: 0, text: `xor r0, ${rs(d)}` });
    }
    for (let s = 1; s <= STACK_SLOTS; s++) {
      emit({ code: LDX | MEM | SIZE.dw, dst: 1, src: 10, off: -8 * s, imm: 0, text: `ldxdw r1, [r10-${8 * s}]` });
      emit({ code: ALU64 | K | ALU_OPS.mul, dst: 0, src: 0, off: 0, imm: FOLD_K, text: `mul r0, ${FOLD_K}` });
      emit({ code: ALU64 | X | ALU_OPS.xor, dst: 0, src: 1, off: 0, imm: 0, text: 'xor r0, r1' });
    }
  };

  const bodyOp = ops.length;
  body(length, calls, loops, branches);

  // 3. Epilogue: fold registers, stack slots and mem into r0.
  fold([1, 2, 3, 4, 5, 6, 7, 8, 9].slice(0, scalarRegs - 1));
  if (memory) {
    for (let w = 0; w < MEM_BYTES; w += 8) {
      emit({ code: LDX | MEM | SIZE.dw, dst: 1, src: 9, off: w, imm: 0, text: `ldxdw r1, [r9+${w}]` });
      emit({ code: ALU64 | K | ALU_OPS.mul, dst: 0, src: 0, off: 0, imm: FOLD_K, text: `mul r0, ${FOLD_K}` });
      emit({ code: ALU64 | X | ALU_OPS.xor, dst: 0, src: 1, off: 0, imm: 0, text: 'xor r0, r1' });
    }
  }
  emit({ code: JMP | EXIT, dst: 0, src: 0, off: 0, imm: 0, text: 'exit' });

  // 4. The subprogram, if main calls it: r0 from the arguments, its own r6..r9 (so the caller's
  // must be restored on return) and stack frame, a body of its own, a fold, exit.
  if (pendingCalls.length > 0) {
    const start = ops.length;
    for (const c of pendingCalls) c.target = start;
    ops[start - 1]!.text += '\n     ; subprogram';
    emit({ code: ALU64 | X | ALU_OPS.mov, dst: 0, src: 1, off: 0, imm: 0, text: 'mov r0, r1' });
    for (const d of [6, 7, 8, 9]) loadOrConstNoMem(d);
    for (let s = 1; s <= STACK_SLOTS; s++) {
      const src = 1 + rng.below(9);
      emit({ code: STX | MEM | SIZE.dw, dst: 10, src, off: -8 * s, imm: 0, text: `stxdw [r10-${8 * s}], ${rs(src)}` });
    }
    pool = 10;
    placeInMemory = false;
    body(Math.max(4, length >> 1), false, loops, branches);
    fold([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    emit({ code: JMP | EXIT, dst: 0, src: 0, off: 0, imm: 0, text: 'exit' });
  }

  const { prog, listing, slotOf } = encodeOps(ops);
  return { seed, index, prog, mem, bodyPc: slotOf[bodyOp]!, listing };
}

/** Lays ops out in 8-byte slots (lddw takes two) and resolves jump targets to slot offsets. */
function encodeOps(ops: Op[]): { prog: Uint8Array; listing: string[]; slotOf: number[] } {
  const slotOf: number[] = [];
  let slots = 0;
  for (const o of ops) {
    slotOf.push(slots);
    slots += o.hi !== undefined ? 2 : 1;
  }
  slotOf.push(slots);
  const prog = new Uint8Array(slots * 8);
  const v = new DataView(prog.buffer);
  const listing: string[] = [];
  ops.forEach((o, i) => {
    let { off, imm } = o;
    let text = o.text;
    if (o.target !== undefined) {
      const rel = slotOf[o.target]! - slotOf[i]! - 1;
      if (o.targetInImm) imm = rel;
      else off = rel;
      text += rel < 0 ? ` ${rel}` : ` +${rel}`;
    }
    const at = slotOf[i]! * 8;
    v.setUint8(at, o.code);
    v.setUint8(at + 1, (o.dst & 0xf) | ((o.src & 0xf) << 4));
    v.setInt16(at + 2, off, true);
    v.setInt32(at + 4, imm, true);
    listing.push(`${String(slotOf[i]).padStart(3)}: ${text}`);
    if (o.hi !== undefined) v.setInt32(at + 12, o.hi, true);
  });
  return { prog, listing, slotOf };
}

/** The first `count` programs for `seed`, cycling through the option mixes tests want. */
export function randomPrograms(seed: number, count: number, options: RandomProgramOptions = {}): RandomProgram[] {
  const out: RandomProgram[] = [];
  for (let i = 0; i < count; i++) {
    // 1 in 8 programs is straight-line, another 1 in 8 has no branches but bounded loops, every
    // 4th keeps r9 a scalar (no mem operands), every 2nd may call a subprogram; lengths vary
    // from 8 to 72 body instructions.
    const opts: RandomProgramOptions = {
      length: 8 + ((i * 37) % 65),
      branches: i % 8 !== 7 && i % 8 !== 3,
      loops: i % 8 === 3,
      memory: i % 4 !== 1,
      calls: i % 2 === 0,
      ...options,
    };
    out.push(randomProgram(seed, i, opts));
  }
  return out;
}
