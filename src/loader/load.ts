/**
 * From an ELF object to runnable programs: each program of an object loaded by ./elf.ts is
 * verified for the hook its section names and handed, verified, to `load` (./index.ts), which
 * rewrites its context loads to shadow pointer slots (verifier/ctx-rewrite.ts) and compiles it
 * with an engine, the real helpers and the object's maps. `run(packet)` then builds the context for the hook and follows tail calls.
 *
 * Contexts. XDP: the packet is copied into a reusable frame buffer with 256 bytes of headroom
 * and 320 of tailroom (what xdp_adjust_head/xdp_adjust_tail may use, like the kernel's
 * XDP_PACKET_HEADROOM and skb_shared_info reserve); the shadow slots hold pointers to data,
 * data_end and data_meta and are re-synced when a helper moves them; `packetOut()` is the frame's
 * data after the run. Socket filter and tc: the context is a `__sk_buff` with `len` (and for tc
 * data/data_end pointers); the packet itself is the region LD_ABS/LD_IND and direct access read.
 *
 * Tail calls: `tail_call` stops the current program and names the next (see ../helpers.ts); run()
 * continues with that program on the same context until one returns normally. Programs become
 * tail-call targets with `setTailCall(map, index, program)`.
 *
 * Per packet nothing is allocated beyond what the engine and helpers do: the frame buffer,
 * context and run input are reused.
 */
import { UserError } from '../errors.ts';
import { ProgArray } from '../maps/prog-array.ts';
import type { ElfObject, ElfProgram } from './elf.ts';
import { createHelperState, helperFns, lddwResolver } from '../runtime/helpers.ts';
import type { HelperState, XdpFrame } from '../runtime/helpers.ts';
import { load, REGION, TAG_BASE } from '../runtime/index.ts';
import type { EngineName, LoadedProgram, RunInput } from '../runtime/index.ts';
import type { ShadowLayout } from '../runtime/verifier/ctx-rewrite.ts';
import { socketFilterHook, tcHook, xdpHook } from '../runtime/verifier/hooks.ts';
import type { HookSpec, LoopPolicy } from '../runtime/verifier/hooks.ts';
import { verify } from '../runtime/verifier/verify.ts';
import type { VerifiedProgram } from '../runtime/verifier/verify.ts';

export const XDP_HEADROOM = 256;
export const XDP_TAILROOM = 320;

export interface RunnableProgram {
  readonly name: string;
  readonly source: ElfProgram;
  readonly verified: VerifiedProgram;
  readonly loaded: LoadedProgram;
  /** Runs on one packet; returns r0 (XDP action, bytes to keep, tc action). */
  run(packet: Uint8Array): number;
  /** XDP: the packet as the program(s) left it (after adjust_head/adjust_tail). */
  packetOut(): Uint8Array;
}

export interface LoadedObject {
  programs: Map<string, RunnableProgram>;
  program(name: string): RunnableProgram;
  /** Per-run helper state (CPU, clock, traces…), shared by the object's programs. */
  state: HelperState & { traces: string[] };
  /** Puts `program` at `index` of program-array map `mapName` (what user space does with an fd). */
  setTailCall(mapName: string, index: number, program: string): void;
}

export interface LoadObjectOptions {
  engine?: EngineName;
  loops?: LoopPolicy;
  /** Instruction budget per program run. */
  budget?: number;
  cpu?: number;
  /** Which programs to verify and compile (default: all). Others are left out of `programs`. */
  select?: (p: ElfProgram) => boolean;
  /** Where bpf_printk / trace_printk lines go (default: collected in `state.traces`). */
  trace?: (line: string) => void;
  /** get_prandom_u32 and ktime_get_ns sources (defaults: Math.random, the process clock). */
  random?: () => number;
  clockNs?: () => bigint;
}

function hookFor(p: ElfProgram, obj: ElfObject, loops?: LoopPolicy): HookSpec {
  const maps = (id: number) => obj.registry.get(id);
  switch (p.hook) {
    case 'xdp': return xdpHook(maps, loops);
    case 'socket_filter': return socketFilterHook(maps, loops);
    case 'sched_cls':
    case 'sched_act': return tcHook(maps, loops);
    default: throw new UserError('ELF_HOOK', `program '${p.name}': section '${p.section}' is not a hook tsdump can run (xdp, socket, classifier/tc)`);
  }
}

export function loadObject(obj: ElfObject, opts: LoadObjectOptions = {}): LoadedObject {
  const state = createHelperState({ registry: obj.registry, cpu: opts.cpu, trace: opts.trace, random: opts.random, clockNs: opts.clockNs });
  const helpers = helperFns();
  const resolveLddw = lddwResolver(obj.registry);
  const programs = new Map<string, RunnableProgram>();
  const frameBuf = { bytes: new Uint8Array(XDP_HEADROOM + 2048 + XDP_TAILROOM) };
  const frame: XdpFrame = { buf: frameBuf.bytes, data: 0, dataEnd: 0, dataMeta: 0, hardEnd: 0 };
  /** The frame buffer whose headroom is known to be all zero, unless a helper moved data or
   * data_meta into it during a run (then `headTouched`). */
  let cleanHead: Uint8Array | undefined;
  let headTouched = false;

  for (const src of obj.programs) {
    if (opts.select && !opts.select(src)) continue;
    const hook = hookFor(src, obj, opts.loops);
    let verified: VerifiedProgram;
    try {
      verified = verify(src.bytecode, hook);
    } catch (e) {
      // Name the program: an object may hold several.
      if (e instanceof UserError) throw new UserError(e.code, `program '${src.name}' (section ${src.section}): ${e.message}`, { offset: e.offset });
      throw e;
    }
    // load() runs exactly the verified bytes, after the context conversion (shadow slots).
    const loaded = load(verified, { engine: opts.engine, helpers, resolveLddw, budget: opts.budget });
    const layout = loaded.ctxLayout;
    const ctxSize = Math.max(layout.size, hook.entry.kind === 'ctx' ? hook.entry.size : 0);
    const ctx = new Uint8Array(ctxSize);
    const ctxView = new DataView(ctx.buffer);
    const input: RunInput = { ctx, packet: undefined, env: state };
    const isXdp = src.hook === 'xdp';
    const runnable: RunnableProgram = {
      name: src.name, source: src, verified, loaded,
      run(packet: Uint8Array): number {
        if (isXdp) {
          const need = XDP_HEADROOM + packet.length + XDP_TAILROOM;
          if (frameBuf.bytes.length < need) frameBuf.bytes = new Uint8Array(need);
          frame.buf = frameBuf.bytes;
          // Headroom is zero at the start of every run; only a run that moved data or data_meta
          // into it (adjust_head/adjust_meta) can have written there: then it is cleared again.
          if (headTouched || frame.buf !== cleanHead) {
            frame.buf.fill(0, 0, XDP_HEADROOM);
            cleanHead = frame.buf;
            headTouched = false;
          }
          frame.buf.set(packet, XDP_HEADROOM);
          frame.data = frame.dataMeta = XDP_HEADROOM;
          frame.dataEnd = XDP_HEADROOM + packet.length;
          frame.hardEnd = XDP_HEADROOM + packet.length + XDP_TAILROOM;
          state.xdp = frame;
        } else {
          state.xdp = undefined;
        state.packet = packet;
        }
        state.tailCalls = 0;
        state.tailCallTarget = undefined;
        let prog: RunnableProgram = runnable;
        for (;;) {
          const r = (prog as Runnable).runOnce(packet, frame);
          const next = state.tailCallTarget as Runnable | undefined;
          if (next === undefined) return r;
          state.tailCallTarget = undefined;
          prog = next;
        }
      },
      packetOut(): Uint8Array {
        return frame.buf.subarray(frame.data, frame.dataEnd);
      },
    };
    const dataAt = layout.offsets.get('data') ?? -1;
    const endAt = layout.offsets.get('data_end') ?? -1;
    const onChange = (g: XdpFrame) => {
      if (g.data < XDP_HEADROOM || g.dataMeta < XDP_HEADROOM) headTouched = true;
      setShadow(ctxView, layout, loaded, g);
    };
    (runnable as Runnable).runOnce = (packet: Uint8Array, f: XdpFrame): number => {
      if (isXdp) {
        setShadow(ctxView, layout, loaded, f);
        f.onChange = onChange;
        input.packet = f.buf;
      } else {
        ctxView.setUint32(0, packet.length, true); // __sk_buff.len
        if (dataAt >= 0) ctxView.setBigUint64(dataAt, loaded.pointer(REGION.packet, 0), true);
        if (endAt >= 0) ctxView.setBigUint64(endAt, loaded.pointer(REGION.packet, packet.length), true);
        input.packet = packet;
      }
      return loaded.run(input);
    };
    programs.set(src.name, runnable);
  }

  const loadedObject: LoadedObject = {
    programs,
    state,
    program(name: string): RunnableProgram {
      const p = programs.get(name);
      if (p === undefined) throw new UserError('ELF_NO_PROGRAM', `no program named '${name}' (have: ${[...programs.keys()].join(', ')})`);
      return p;
    },
    setTailCall(mapName: string, index: number, program: string): void {
      const m = obj.maps.get(mapName);
      if (!(m instanceof ProgArray)) throw new UserError('MAP_NOT_FOUND', `no program array named '${mapName}'`);
      const p = this.program(program);
      // Like the kernel, one program array serves programs of one type only.
      for (let i = 0; i < m.maxEntries; i++) {
        const other = m.program(i) as RunnableProgram | undefined;
        if (other !== undefined && other.source.hook !== p.source.hook)
          throw new UserError('MAP_UPDATE', `program array '${mapName}' holds ${other.source.hook} programs; '${program}' is ${p.source.hook}`);
      }
      const r = m.setProgram(index, p);
      if (r !== 0) throw new UserError('MAP_UPDATE', `program array '${mapName}': index ${index} is out of range`);
    },
  };
  // Slots the object initialises itself, as libbpf fills them at load (programs left out by
  // `select` cannot be tail-called here).
  for (const init of obj.progArrayInit) if (programs.has(init.program)) loadedObject.setTailCall(init.map, init.index, init.program);
  return loadedObject;
}

interface Runnable extends RunnableProgram {
  runOnce(packet: Uint8Array, frame: XdpFrame): number;
}

/**
 * Writes the XDP shadow pointers for the frame's current data/data_end/data_meta: a pointer's
 * high half is the packet region's tag, its low half the offset (no BigInt per packet).
 */
function setShadow(ctx: DataView, layout: ShadowLayout, _loaded: LoadedProgram, f: XdpFrame): void {
  const hi = TAG_BASE + REGION.packet;
  const d = layout.offsets.get('data'), e = layout.offsets.get('data_end'), m = layout.offsets.get('data_meta');
  if (d !== undefined) {
    ctx.setUint32(d, f.data, true);
    ctx.setUint32(d + 4, hi, true);
  }
  if (e !== undefined) {
    ctx.setUint32(e, f.dataEnd, true);
    ctx.setUint32(e + 4, hi, true);
  }
  if (m !== undefined) {
    ctx.setUint32(m, f.dataMeta, true);
    ctx.setUint32(m + 4, hi, true);
  }
}
