/**
 * The JavaScript side of a wasm-tier module: its linear memory, the imports its code calls, and
 * the Machine binding that lets the runtime's JavaScript helpers and fault paths work unchanged.
 *
 * The Machine's stack region (region 0) is pointed at the stack inside linear memory on entry
 * to every import (one Machine may serve two modules, each with its own memory), so a helper
 * reading a key from the stack (`env.argMem`) reads the bytes this module wrote. The other
 * fixed regions are bound by the caller before each import call (`beforeJs`): a single run keeps
 * them on the caller's own arrays (copied in and out around the run and around helper calls, see
 * ./engine.ts), a batch run points them at its windows of linear memory. Slow-path accesses
 * (pointers into regions only JavaScript holds, such as map values, and every access that fails
 * the wasm check) go through the Machine's checked accessors, which perform them or throw the
 * interpreter's own EbpfFault. No import takes or returns an i64, so no BigInt is created:
 * 64-bit values travel as two i32 arguments, or through the scratch area at RES_AT.
 */
import { EbpfFault, MAX_CALL_DEPTH, REGION, STACK_BYTES } from '../semantics-memory.ts';
import type { Machine } from '../semantics-memory.ts';
import { T } from '../semantics.ts';
import { ARGS_AT, PAGE, RES_AT, STACK_AT, TABLE_AT, TABLE_ENTRY } from './layout.ts';
import { FAULT } from './translate.ts';
import { Wasm } from './webassembly.ts';
import type { WasmGlobal, WasmMemory } from './webassembly.ts';

const FAULTS: Record<number, [string, string]> = {
  [FAULT.budget]: ['instruction budget exhausted', 'EBPF_BUDGET'],
  [FAULT.callDepth]: [`call depth exceeds ${MAX_CALL_DEPTH}`, 'EBPF_CALL_DEPTH'],
  [FAULT.kfunc]: ['kfunc calls are not supported', 'EBPF_KFUNC'],
  [FAULT.invalid]: ['invalid instruction', 'EBPF_INVALID_INSN'],
  [FAULT.fallsOff]: ['control left the program', 'EBPF_FALLS_OFF'],
};

export interface Hooks {
  /** Called before a helper runs (the Machine must show the regions' current bytes). */
  beforeHelper(): void;
  /** Called before a slow-path access through the Machine (it must see the regions' windows). */
  beforeAccess(): void;
  /** Called after a helper returned (it may have changed regions or their bytes). */
  afterHelper(): void;
  /** bpf_skb_load_bytes slow path of a batch module (argument registers in the scratch area). */
  skb?(pc: number): void;
}

export class WasmInstance {
  readonly memory: WasmMemory;
  u8!: Uint8Array;
  i32!: Int32Array;
  dv!: DataView;
  readonly exports: Record<string, unknown>;
  private buffer: ArrayBuffer | undefined;

  constructor(bytes: Uint8Array, readonly m: Machine, hooks: Hooks, minBytes = 4 * PAGE) {
    this.memory = new Wasm.Memory({ initial: Math.ceil(minBytes / PAGE) });
    this.refresh();
    const self = this;
    const A = m.A;
    const R = RES_AT >> 2, AR = ARGS_AT >> 2;
    const writeT = () => { self.i32[R] = T[0]!; self.i32[R + 1] = T[1]!; };
    const e = {
      memory: this.memory,
      helper(id: number, pc: number): number {
        const v = self.i32;
        for (let k = 0; k < 10; k++) A[k] = v[AR + k]!;
        self.bindStack();
        hooks.beforeHelper();
        m.call(id, pc);
        self.refresh();
        writeT();
        hooks.afterHelper();
        const stopped = m.stopped;
        m.stopped = false;
        return stopped ? 1 : 0;
      },
      ld(n: number, hi: number, lo: number, off: number, pc: number): void {
        self.bindStack();
        hooks.beforeAccess();
        const a = lo + off;
        if (n === 8) m.ld64(hi, a, pc);
        else { T[0] = n === 1 ? m.ld8(hi, a, pc) : n === 2 ? m.ld16(hi, a, pc) : m.ld32(hi, a, pc); T[1] = 0; }
        writeT();
      },
      st(n: number, hi: number, lo: number, off: number, pc: number, vlo: number, vhi: number): void {
        self.bindStack();
        hooks.beforeAccess();
        const a = lo + off;
        if (n === 8) m.st64(hi, a, vlo, vhi, pc);
        else if (n === 4) m.st32(hi, a, vlo, pc);
        else if (n === 2) m.st16(hi, a, vlo, pc);
        else m.st8(hi, a, vlo, pc);
      },
      atomic(op: number, n: number, hi: number, lo: number, off: number, pc: number, xlo: number, xhi: number, clo: number, chi: number): void {
        self.bindStack();
        hooks.beforeAccess();
        if (n === 4) m.atomic32(op, hi, lo + off, xlo, clo, pc);
        else m.atomic64(op, hi, lo + off, xlo, xhi, clo, chi, pc);
        writeT();
      },
      fault(kind: number, pc: number): never {
        const [reason, code] = FAULTS[kind] ?? ['internal fault', 'EBPF_RUNTIME_FAULT'];
        throw new EbpfFault(pc, reason, code);
      },
      skb(pc: number): void {
        for (let k = 0; k < 10; k++) A[k] = self.i32[AR + k]!;
        self.bindStack();
        hooks.beforeAccess();
        hooks.skb!(pc);
      },
    };
    const instance = new Wasm.Instance(new Wasm.Module(bytes), { e });
    this.exports = instance.exports as Record<string, unknown>;
    // The stack's region-table entry never changes.
    const st = (TABLE_AT + REGION.stack * TABLE_ENTRY) >> 2;
    this.i32[st] = STACK_AT;
    this.i32[st + 1] = STACK_BYTES;
    this.i32[st + 2] = 1;
  }

  /** Re-reads the memory's views after it grew, and keeps the Machine's stack region on it. */
  refresh(): void {
    const buf = this.memory.buffer;
    if (buf === this.buffer) return;
    this.buffer = buf;
    this.u8 = new Uint8Array(buf);
    this.i32 = new Int32Array(buf);
    this.dv = new DataView(buf);
    this.bindStack();
  }

  /**
   * Points the Machine's stack region at this module's stack. Called on entry to every import
   * that reaches the Machine, not only when the memory grows: one Machine can serve two modules
   * (a loaded program's single-run module and its batch module, ./engine.ts and ./batch.ts),
   * and each must show the helpers its own stack, e.g. the key a map lookup reads.
   */
  bindStack(): void {
    const m = this.m;
    if (m.bytes[0] === this.u8) return;
    m.bytes[0] = this.u8;
    m.views[0] = this.dv;
    m.base[0] = STACK_AT;
    m.size[0] = STACK_BYTES;
    m.writable[0] = true;
  }

  /** Grows the memory to at least `bytes`. */
  ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      this.memory.grow(Math.ceil((bytes - have) / PAGE));
      this.refresh();
    }
  }

  /** r0's high half after a run (the module's exported global). */
  get r0hi(): number {
    return (this.exports.r0hi as WasmGlobal).value as number;
  }
}
