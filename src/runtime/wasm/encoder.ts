/**
 * A small WebAssembly binary encoder: enough of the format (MVP plus sign-extension and bulk
 * memory, both in Node 20) to write the modules the eBPF → wasm translator produces, with no
 * toolchain at run time and no dependency.
 *
 * Technique: a module is built from plain arrays of bytes. `Code` is a growable byte buffer with
 * one method per instruction family (the opcode byte, then its immediates: indices and memory
 * offsets as unsigned LEB128, constants as signed LEB128); `encodeModule` lays out the sections
 * in the order the binary format requires (type 1, import 2, function 3, global 6, export 7,
 * code 10), each as id, byte length (LEB128), contents. Function types are deduplicated by their
 * signature. Memory is always imported (the runtime owns it and reads it from JavaScript).
 */

export const I32 = 0x7f;
export const I64 = 0x7e;
export type ValType = typeof I32 | typeof I64;
/** Block type of a block/loop/if with no result. */
const VOID = 0x40;

/** Unsigned LEB128 of a non-negative integer below 2^32. */
export function uleb(out: number[], v: number): void {
  v >>>= 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb32(out: number[], v: number): void {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) { out.push(b); return; }
    out.push(b | 0x80);
  }
}

/** Signed LEB128 of a 64-bit integer given as a BigInt. */
export function sleb64(out: number[], v: bigint): void {
  v = BigInt.asIntN(64, v);
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) { out.push(b); return; }
    out.push(b | 0x80);
  }
}

/** Opcodes used by the translator (names as in the text format, `.` → `_`). */
export const Op = {
  unreachable: 0x00, nop: 0x01, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b,
  br: 0x0c, br_if: 0x0d, br_table: 0x0e, return: 0x0f, call: 0x10, drop: 0x1a, select: 0x1b,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22, global_get: 0x23, global_set: 0x24,
  i32_load: 0x28, i64_load: 0x29, i32_load8_u: 0x2d, i32_load16_u: 0x2f,
  i64_load8_s: 0x30, i64_load8_u: 0x31, i64_load16_s: 0x32, i64_load16_u: 0x33, i64_load32_s: 0x34, i64_load32_u: 0x35,
  i32_store: 0x36, i64_store: 0x37, i32_store8: 0x3a, i32_store16: 0x3b, i64_store8: 0x3c, i64_store16: 0x3d, i64_store32: 0x3e,
  i32_const: 0x41, i64_const: 0x42,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_gt_s: 0x4a, i32_gt_u: 0x4b,
  i32_le_s: 0x4c, i32_le_u: 0x4d, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  i64_eqz: 0x50, i64_eq: 0x51, i64_ne: 0x52, i64_lt_s: 0x53, i64_lt_u: 0x54, i64_gt_s: 0x55, i64_gt_u: 0x56,
  i64_le_s: 0x57, i64_le_u: 0x58, i64_ge_s: 0x59, i64_ge_u: 0x5a,
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_div_s: 0x6d, i32_div_u: 0x6e, i32_rem_s: 0x6f, i32_rem_u: 0x70,
  i32_and: 0x71, i32_or: 0x72, i32_xor: 0x73, i32_shl: 0x74, i32_shr_s: 0x75, i32_shr_u: 0x76, i32_rotl: 0x77, i32_rotr: 0x78,
  i64_add: 0x7c, i64_sub: 0x7d, i64_mul: 0x7e, i64_div_s: 0x7f, i64_div_u: 0x80, i64_rem_s: 0x81, i64_rem_u: 0x82,
  i64_and: 0x83, i64_or: 0x84, i64_xor: 0x85, i64_shl: 0x86, i64_shr_s: 0x87, i64_shr_u: 0x88,
  i32_wrap_i64: 0xa7, i64_extend_i32_s: 0xac, i64_extend_i32_u: 0xad,
  i32_extend8_s: 0xc0, i32_extend16_s: 0xc1, i64_extend8_s: 0xc2, i64_extend16_s: 0xc3, i64_extend32_s: 0xc4,
} as const;

/** Natural alignment (log2) of each load/store opcode, for its memarg. */
const ALIGN: Record<number, number> = {
  [Op.i32_load]: 2, [Op.i64_load]: 3, [Op.i32_load8_u]: 0, [Op.i32_load16_u]: 1,
  [Op.i64_load8_s]: 0, [Op.i64_load8_u]: 0, [Op.i64_load16_s]: 1, [Op.i64_load16_u]: 1, [Op.i64_load32_s]: 2, [Op.i64_load32_u]: 2,
  [Op.i32_store]: 2, [Op.i64_store]: 3, [Op.i32_store8]: 0, [Op.i32_store16]: 1, [Op.i64_store8]: 0, [Op.i64_store16]: 1, [Op.i64_store32]: 2,
};

/** A function body under construction: instructions appended as bytes. */
export class Code {
  readonly bytes: number[] = [];
  op(...ops: number[]): this { for (const o of ops) this.bytes.push(o); return this; }
  i32(v: number): this { this.bytes.push(Op.i32_const); sleb32(this.bytes, v); return this; }
  i64(v: bigint): this { this.bytes.push(Op.i64_const); sleb64(this.bytes, v); return this; }
  get(l: number): this { this.bytes.push(Op.local_get); uleb(this.bytes, l); return this; }
  set(l: number): this { this.bytes.push(Op.local_set); uleb(this.bytes, l); return this; }
  tee(l: number): this { this.bytes.push(Op.local_tee); uleb(this.bytes, l); return this; }
  gget(g: number): this { this.bytes.push(Op.global_get); uleb(this.bytes, g); return this; }
  gset(g: number): this { this.bytes.push(Op.global_set); uleb(this.bytes, g); return this; }
  call(f: number): this { this.bytes.push(Op.call); uleb(this.bytes, f); return this; }
  br(depth: number): this { this.bytes.push(Op.br); uleb(this.bytes, depth); return this; }
  brIf(depth: number): this { this.bytes.push(Op.br_if); uleb(this.bytes, depth); return this; }
  brTable(depths: readonly number[], dflt: number): this {
    this.bytes.push(Op.br_table);
    uleb(this.bytes, depths.length);
    for (const d of depths) uleb(this.bytes, d);
    uleb(this.bytes, dflt);
    return this;
  }
  block(type: number = VOID): this { this.bytes.push(Op.block, type); return this; }
  loop(type: number = VOID): this { this.bytes.push(Op.loop, type); return this; }
  if(type: number = VOID): this { this.bytes.push(Op.if, type); return this; }
  else(): this { this.bytes.push(Op.else); return this; }
  end(): this { this.bytes.push(Op.end); return this; }
  /** A load or store with a constant byte offset (added to the address operand, unsigned). */
  mem(opcode: number, offset: number): this {
    if (offset < 0 || offset > 0xffffffff) throw new RangeError(`wasm memarg offset ${offset}`);
    this.bytes.push(opcode);
    uleb(this.bytes, ALIGN[opcode]!);
    uleb(this.bytes, offset);
    return this;
  }
  /** memory.copy (dst, src, n on the stack) and memory.fill (dst, byte, n). */
  memoryCopy(): this { this.bytes.push(0xfc, 10, 0, 0); return this; }
  memoryFill(): this { this.bytes.push(0xfc, 11, 0); return this; }
}

export interface FuncType { params: ValType[]; results: ValType[] }
export interface ImportFunc { module: string; name: string; type: FuncType }
export interface Func { type: FuncType; locals: ValType[]; code: Code; export?: string }
export interface Global { type: ValType; mutable: boolean; init: number; export?: string }

export interface ModuleSpec {
  /** Function imports (they take the first function indices, in order). */
  imports: ImportFunc[];
  /** The imported memory ("env"."memory") with at least this many 64 KiB pages. */
  memory: { module: string; name: string; minPages: number };
  funcs: Func[];
  globals?: Global[];
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  for (const b of body) out.push(b);
}

function name(out: number[], s: string): void {
  const b = new TextEncoder().encode(s);
  uleb(out, b.length);
  for (const x of b) out.push(x);
}

/** The binary module for `spec`. */
export function encodeModule(spec: ModuleSpec): Uint8Array {
  const types: FuncType[] = [];
  const keys = new Map<string, number>();
  const typeIndex = (t: FuncType): number => {
    const k = `${t.params.join(',')}>${t.results.join(',')}`;
    let i = keys.get(k);
    if (i === undefined) { i = types.length; types.push(t); keys.set(k, i); }
    return i;
  };
  const importTypes = spec.imports.map((f) => typeIndex(f.type));
  const funcTypes = spec.funcs.map((f) => typeIndex(f.type));

  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  // type section
  const ts: number[] = [];
  uleb(ts, types.length);
  for (const t of types) {
    ts.push(0x60);
    uleb(ts, t.params.length); ts.push(...t.params);
    uleb(ts, t.results.length); ts.push(...t.results);
  }
  section(out, 1, ts);
  // import section: functions, then the memory
  const is: number[] = [];
  uleb(is, spec.imports.length + 1);
  spec.imports.forEach((f, k) => { name(is, f.module); name(is, f.name); is.push(0x00); uleb(is, importTypes[k]!); });
  name(is, spec.memory.module); name(is, spec.memory.name); is.push(0x02, 0x00); uleb(is, spec.memory.minPages);
  section(out, 2, is);
  // function section
  const fs: number[] = [];
  uleb(fs, spec.funcs.length);
  for (const t of funcTypes) uleb(fs, t);
  section(out, 3, fs);
  // global section
  const globals = spec.globals ?? [];
  if (globals.length > 0) {
    const gs: number[] = [];
    uleb(gs, globals.length);
    for (const g of globals) {
      gs.push(g.type, g.mutable ? 1 : 0);
      if (g.type === I32) { gs.push(Op.i32_const); sleb32(gs, g.init); } else { gs.push(Op.i64_const); sleb64(gs, BigInt(g.init)); }
      gs.push(Op.end);
    }
    section(out, 6, gs);
  }
  // export section
  const exps: Array<[string, number, number]> = [];
  spec.funcs.forEach((f, k) => { if (f.export !== undefined) exps.push([f.export, 0x00, spec.imports.length + k]); });
  globals.forEach((g, k) => { if (g.export !== undefined) exps.push([g.export, 0x03, k]); });
  const es: number[] = [];
  uleb(es, exps.length);
  for (const [n, kind, idx] of exps) { name(es, n); es.push(kind); uleb(es, idx); }
  section(out, 7, es);
  // code section: each body is its locals (run-length groups) and its instructions
  const cs: number[] = [];
  uleb(cs, spec.funcs.length);
  for (const f of spec.funcs) {
    const body: number[] = [];
    const groups: Array<[number, ValType]> = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(body, groups.length);
    for (const [n, t] of groups) { uleb(body, n); body.push(t); }
    for (const b of f.code.bytes) body.push(b);
    body.push(Op.end);
    uleb(cs, body.length);
    for (const b of body) cs.push(b);
  }
  section(out, 10, cs);
  return new Uint8Array(out);
}
