/**
 * An object's program attached to a hook, ready for packets: what `tsdump --xdp/--tc/
 * --socket-filter prog.o` and library users run. `attachObject(bytes, hook, opts)` loads the ELF
 * object, preloads maps from bpftool JSON, picks the program (the one named, or the object's
 * only program for that hook), refuses helpers the hook lacks by name (before the verifier, so
 * the message says `bpf_fib_lookup` rather than a number), then verifies and compiles that
 * program and its tail-call siblings (the object's other programs of the same kind).
 *
 * The result runs one packet (`run`) or a block of packets (`runBatch`, the batch contract of
 * ../runtime/batch.ts) and says what r0 means at the hook (`fate`: pass, tx or drop) and which
 * bytes go on (`output`: the frame as an XDP program left it after adjust_head/tail and stores,
 * the tc program's stored-into copy, the bytes a socket filter keeps). Maps stay live in
 * `object.registry` / `object.maps` for reading and writing between runs.
 */
import { UserError } from '../errors.ts';
import { loadMapJson } from '../maps/json.ts';
import type { PacketBlock } from '../runtime/batch.ts';
import type { EngineName } from '../runtime/index.ts';
import { socketFilterHook, tcHook, xdpHook } from '../runtime/verifier/hooks.ts';
import { loadElf } from './elf.ts';
import type { ElfObject, ElfProgram, ProgramHook } from './elf.ts';
import { helperName } from './helper-names.ts';
import { loadObject } from './load.ts';
import type { LoadedObject, RunnableProgram } from './load.ts';

export type ObjectHook = 'xdp' | 'tc' | 'socket';
export type Fate = 'pass' | 'tx' | 'drop';

const PROGRAM_HOOK: Record<ObjectHook, ProgramHook[]> = { xdp: ['xdp'], tc: ['sched_cls', 'sched_act'], socket: ['socket_filter'] };
const HOOK_WORD: Record<ObjectHook, string> = { xdp: 'xdp', tc: 'tc', socket: 'socket-filter' };

export interface AttachOptions {
  /** Engine tier (default: the runtime's choice per program). */
  engine?: EngineName;
  /** The program's function name or section; default: the object's only program for the hook. */
  program?: string;
  /** How errors name the object (a file path). */
  name?: string;
  /** Map contents to write before the programs are verified: bpftool `map dump -j` text. */
  maps?: { map: string; json: string; source?: string }[];
  /** Where bpf_printk lines go (default: `loaded.state.traces`). */
  trace?: (line: string) => void;
  random?: () => number;
  clockNs?: () => bigint;
}

export interface ObjectRunner {
  readonly object: ElfObject;
  readonly loaded: LoadedObject;
  readonly program: RunnableProgram;
  readonly hook: ObjectHook;
  /** Runs one packet (not modified: XDP and tc programs run on a copy); returns r0. */
  run(packet: Uint8Array): number;
  /** verdicts[i] = r0 for packet i of the block; `each(i, r0)` (optional) sees each run's result. */
  runBatch(block: PacketBlock, verdicts: Int32Array, each?: (i: number, r0: number) => void): void;
  /** What r0 means for the packet at this hook. */
  fate(r0: number): Fate;
  /** The bytes to pass on after the last run (valid until the next run). */
  output(packet: Uint8Array, r0: number): Uint8Array;
}

const describe = (p: ElfProgram) => `${p.name} (section ${p.section})`;

/** The program to run: the one named, or the object's only program for the hook. */
function chooseProgram(obj: ElfObject, hook: ObjectHook, program: string | undefined): ElfProgram {
  const wanted = PROGRAM_HOOK[hook];
  if (program !== undefined) {
    const p = obj.programs.find((x) => x.name === program) ?? obj.programs.find((x) => x.section === program);
    if (p === undefined) throw new UserError('ELF_NO_PROGRAM', `no program or section named '${program}' (have: ${obj.programs.map(describe).join(', ')})`);
    if (!wanted.includes(p.hook)) throw new UserError('ELF_HOOK', `program ${describe(p)} is not a ${HOOK_WORD[hook]} program (its section makes it ${p.hook})`);
    return p;
  }
  const fit = obj.programs.filter((p) => wanted.includes(p.hook));
  if (fit.length === 0) throw new UserError('ELF_NO_PROGRAM', `no ${HOOK_WORD[hook]} program in the object (have: ${obj.programs.map(describe).join(', ')})`);
  // Tail-call targets are programs of the same kind; the object does not say which is the entry.
  if (fit.length > 1) throw new UserError('ELF_AMBIGUOUS', `${fit.length} ${HOOK_WORD[hook]} programs (${fit.map(describe).join(', ')}): name the one to run (prog.o:NAME)`);
  return fit[0]!;
}

/** The helper ids the verifier's hook provides to a program of this kind. */
function helperIds(hook: ProgramHook): ReadonlySet<number> {
  const spec = hook === 'xdp' ? xdpHook() : hook === 'socket_filter' ? socketFilterHook() : tcHook();
  return new Set(spec.helpers === 'all' ? [] : spec.helpers);
}

/** Refuses a call to a helper the hook does not provide, naming it. */
function checkHelpers(p: ElfProgram, allowed: ReadonlySet<number>): void {
  const insns = p.insns;
  for (let pc = 0; pc < insns.length; pc++) {
    const x = insns[pc]!;
    if (x.code === 0x18) {
      pc++; // lddw: skip its second slot
      continue;
    }
    if (x.code !== 0x85 || x.src !== 0 || allowed.has(x.imm)) continue;
    const why = x.imm === 69 ? ": it needs the kernel's routing and neighbour tables, which tsdump does not have" : '';
    throw new UserError('ELF_HELPER', `program '${p.name}' calls ${helperName(x.imm)} (helper ${x.imm}) at pc ${pc}, which tsdump does not provide at this hook${why}`);
  }
}

/** Loads `bytes` (or an object already parsed) and attaches its program to `hook`. */
export function attachObject(bytes: Uint8Array | ElfObject, hook: ObjectHook, opts: AttachOptions = {}): ObjectRunner {
  if (opts.name === undefined) return attach(bytes, hook, opts);
  try {
    return attach(bytes, hook, opts);
  } catch (e) {
    // Every loader, verifier and map-file error names the object it is about.
    if (e instanceof UserError && !e.message.startsWith(`${opts.name}:`)) throw new UserError(e.code, `${opts.name}: ${e.message}`, { offset: e.offset });
    throw e;
  }
}

function attach(bytes: Uint8Array | ElfObject, hook: ObjectHook, opts: AttachOptions): ObjectRunner {
  const obj = bytes instanceof Uint8Array ? loadElf(bytes) : bytes;
  const chosen = chooseProgram(obj, hook, opts.program);
  for (const { map, json, source } of opts.maps ?? []) {
    const m = obj.maps.get(map) ?? obj.registry.byName(map);
    if (m === undefined) throw new UserError('MAP_NOT_FOUND', `no map named '${map}' (have: ${[...obj.maps.keys()].join(', ')})`);
    loadMapJson(m, json, source ?? `map ${map}`);
  }
  const same = (p: ElfProgram) => p.hook === chosen.hook;
  const allowed = helperIds(chosen.hook);
  for (const p of obj.programs) if (same(p)) checkHelpers(p, allowed);
  const loaded = loadObject(obj, { engine: opts.engine, select: same, trace: opts.trace, random: opts.random, clockNs: opts.clockNs });
  const program = loaded.program(chosen.name);
  let scratch = new Uint8Array(2048);
  const run = (packet: Uint8Array): number => {
    if (hook !== 'tc') return program.run(packet);
    // tc programs may store into the packet: they run on a copy, which is then the output.
    if (scratch.length < packet.length) scratch = new Uint8Array(packet.length * 2);
    scratch.set(packet);
    return program.run(scratch.subarray(0, packet.length));
  };
  return {
    object: obj,
    loaded,
    program,
    hook,
    run,
    runBatch(block, verdicts, each) {
      for (let i = 0; i < block.count; i++) {
        const at = block.offsets[i]!;
        const r0 = run(block.buf.subarray(at, at + block.caplens[i]!));
        verdicts[i] = r0;
        each?.(i, r0);
      }
    },
    fate(r0) {
      if (hook === 'xdp') return r0 === 2 ? 'pass' : r0 === 3 || r0 === 4 ? 'tx' : 'drop';
      // TC_ACT_OK and TC_ACT_UNSPEC (-1: the default action) pass; TC_ACT_REDIRECT leaves.
      if (hook === 'tc') return r0 === 0 || r0 === 0xffffffff ? 'pass' : r0 === 7 ? 'tx' : 'drop';
      return r0 === 0 ? 'drop' : 'pass';
    },
    output(packet, r0) {
      if (hook === 'xdp') return program.packetOut();
      if (hook === 'tc') return scratch.subarray(0, packet.length);
      return packet.subarray(0, Math.min(r0, packet.length));
    },
  };
}
