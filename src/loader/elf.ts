/**
 * ELF loader for eBPF objects built with `clang -O2 -target bpf` (the libbpf conventions, no
 * libbpf): finds programs by section, links `.text` sub-programs for bpf-to-bpf calls, creates
 * the maps (BTF-defined `.maps`, legacy `maps`) and the global-data maps (`.rodata*`, `.data*`,
 * `.bss*`), and applies the BPF relocations, producing kernel-style bytecode ready to verify.
 *
 * Technique. We parse the ELF64 little-endian section table, the symbol table and the `.rel*`
 * sections that target executable sections. Each global function in an executable section other
 * than `.text` is a program; its hook comes from the section name (`xdp`, `socket`,
 * `classifier`/`tc`, …, prefixes allowed, as in libbpf). The linked program is the function's
 * instructions followed, if it calls anything outside itself, by the whole `.text` section. Then
 * each relocation is applied to the copy at its new position:
 *   - R_BPF_64_64 on `lddw` against a map symbol → src = BPF_PSEUDO_MAP_FD (1), imm = map id;
 *   - R_BPF_64_64 on `lddw` against a global variable (or its section) → src =
 *     BPF_PSEUDO_MAP_VALUE (2), imm = data-map id, second imm = byte offset in the section;
 *   - R_BPF_64_64 on `lddw` against a function → src = BPF_PSEUDO_FUNC (4), imm = pc-relative;
 *   - R_BPF_64_32 on a pseudo call (`call` with src = 1) → imm = target − (pc + 1), where the
 *     target is `symbol value / 8 + imm + 1` in the symbol's section (clang leaves the addend in
 *     imm: −1 for a named function, the instruction offset − 1 for a section symbol).
 * Relocations of type R_BPF_64_ABS64/ABS32/NODYLD32 only occur in debug and BTF sections, which
 * we do not load. Map ids come from a `MapRegistry` (a fresh one unless the caller passes one).
 *
 * Every malformed input is a `UserError` (code `elf.*`) with the byte offset where it applies.
 */
import { UserError } from '../errors.ts';
import { bytesToSlots, slotsToBytes } from '../isa/ebpf/codec.ts';
import type { EbpfSlot } from '../isa/ebpf/types.ts';
import { MapRegistry } from '../maps/registry.ts';
import type { AnyMap } from '../maps/registry.ts';
import { BPF_F_RDONLY_PROG, MapType } from '../maps/types.ts';
import type { MapKind } from '../maps/types.ts';
import { BtfKind, btfMapDefs, parseBtf } from './btf.ts';
import { mapTypeName } from './helper-names.ts';
import type { Btf, BtfMapDef } from './btf.ts';

export type ProgramHook = 'xdp' | 'socket_filter' | 'sched_cls' | 'sched_act' | 'kprobe' | 'tracepoint' | 'syscall' | 'other';

export interface ElfProgram {
  /** The function's symbol name. */
  name: string;
  /** The ELF section it came from, e.g. "xdp" or "socket". */
  section: string;
  hook: ProgramHook;
  /** Linked, relocated instructions. */
  insns: EbpfSlot[];
  /** The same as 8-byte little-endian kernel encoding. */
  bytecode: Uint8Array;
  /** Index where `.text` was appended, or -1 when the program needs no sub-programs. */
  textBase: number;
}

export interface ElfObject {
  programs: ElfProgram[];
  /** Every map the object defines (named by symbol; data maps by section name). */
  maps: Map<string, AnyMap>;
  registry: MapRegistry;
  license: string;
  btf?: Btf;
  /**
   * Program-array slots the object fills itself (libbpf's `.values = { [i] = &prog }` in a
   * BTF-defined map, written as relocations in `.rel.maps`); loadObject applies them.
   */
  progArrayInit: { map: string; index: number; program: string }[];
  /** BTF type ids of each map's key and value (BTF-defined maps, global data), for formatting. */
  mapTypes: Map<AnyMap, { key?: number; value?: number }>;
  program(name: string): ElfProgram;
}

export { BPF_F_RDONLY_PROG };

export const BPF_PSEUDO_MAP_FD = 1;
export const BPF_PSEUDO_MAP_VALUE = 2;
export const BPF_PSEUDO_CALL = 1;
export const BPF_PSEUDO_FUNC = 4;

const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const SHT_REL = 9;
const SHF_EXECINSTR = 0x4;
const STT_SECTION = 3;
const STT_FUNC = 2;
const STB_LOCAL = 0;
const EM_BPF = 247;
const R_BPF_64_64 = 1;
const R_BPF_64_ABS64 = 2;
const R_BPF_64_ABS32 = 3;
const R_BPF_64_NODYLD32 = 4;
const R_BPF_64_32 = 10;
const LDDW = 0x18;
const CALL = 0x85;

interface Section {
  index: number;
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  data: Uint8Array;
}

interface Sym {
  name: string;
  bind: number;
  type: number;
  shndx: number;
  value: number;
  size: number;
}

const HOOKS: [string, ProgramHook][] = [
  ['xdp', 'xdp'],
  ['socket', 'socket_filter'],
  ['classifier', 'sched_cls'],
  ['tcx', 'sched_cls'],
  ['tc', 'sched_cls'],
  ['action', 'sched_act'],
  ['kprobe', 'kprobe'],
  ['kretprobe', 'kprobe'],
  ['tracepoint', 'tracepoint'],
  ['tp', 'tracepoint'],
  ['syscall', 'syscall'],
];

/** Program hook for a section name: exact match or "name/…" / "name.…" prefix. */
export function hookForSection(section: string): ProgramHook {
  for (const [prefix, hook] of HOOKS) {
    if (section === prefix || section.startsWith(`${prefix}/`) || section.startsWith(`${prefix}.`)) return hook;
  }
  return 'other';
}

const fail = (code: string, msg: string, offset?: number): never => {
  throw new UserError(code, msg, offset === undefined ? {} : { offset });
};

const MAP_KIND_BY_TYPE = new Map<number, MapKind>(Object.entries(MapType).map(([k, v]) => [v, k as MapKind]));

export function loadElf(file: Uint8Array, opts: { registry?: MapRegistry; nCpus?: number } = {}): ElfObject {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 64 || file[0] !== 0x7f || file[1] !== 0x45 || file[2] !== 0x4c || file[3] !== 0x46) fail('ELF_INVALID', 'not an ELF file', 0);
  if (file[4] !== 2) fail('ELF_INVALID', 'not a 64-bit ELF file', 4);
  if (file[5] !== 1) fail('ELF_INVALID', 'big-endian eBPF objects are not supported', 5);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_BPF) fail('ELF_INVALID', `not an eBPF object (e_machine ${machine}, want ${EM_BPF})`, 18);
  const u64 = (o: number) => {
    const v = dv.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('ELF_INVALID', 'value too large', o);
    return Number(v);
  };
  const shoff = u64(0x28);
  const shentsize = dv.getUint16(0x3a, true);
  const shnum = dv.getUint16(0x3c, true);
  const shstrndx = dv.getUint16(0x3e, true);
  if (shentsize !== 64 || shoff + shnum * 64 > file.length) fail('ELF_INVALID', 'section header table out of range', 0x28);

  const sections: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * 64;
    const type = dv.getUint32(h + 4, true);
    const offset = u64(h + 24);
    const size = u64(h + 32);
    if (type !== SHT_NOBITS && offset + size > file.length) fail('ELF_INVALID', `section ${i} runs past the end of the file`, h);
    if (type === SHT_NOBITS && size > 1 << 28) fail('ELF_INVALID', `section ${i} (.bss-like) is unreasonably large (${size} bytes)`, h);
    sections.push({
      index: i, name: '', type, flags: u64(h + 8), offset, size, link: dv.getUint32(h + 40, true), info: dv.getUint32(h + 44, true),
      data: type === SHT_NOBITS ? new Uint8Array(size) : file.subarray(offset, offset + size),
    });
  }
  const cstr = (tab: Uint8Array, off: number) => {
    let e = off;
    while (e < tab.length && tab[e] !== 0) e++;
    return new TextDecoder().decode(tab.subarray(off, e));
  };
  const shstr = sections[shstrndx]?.data ?? fail('ELF_INVALID', 'missing section name table', 0x3e);
  for (let i = 0; i < shnum; i++) sections[i]!.name = cstr(shstr, dv.getUint32(shoff + i * 64, true));

  // Symbols.
  const symtab = sections.find((s) => s.type === SHT_SYMTAB) ?? fail('ELF_INVALID', 'no symbol table');
  const strtab = sections[symtab.link]?.data ?? fail('ELF_INVALID', 'symbol table has no string table');
  const syms: Sym[] = [];
  for (let p = symtab.offset; p + 24 <= symtab.offset + symtab.size; p += 24) {
    const info = file[p + 4]!;
    syms.push({ name: cstr(strtab, dv.getUint32(p, true)), bind: info >> 4, type: info & 0xf, shndx: dv.getUint16(p + 6, true), value: u64(p + 8), size: u64(p + 16) });
  }

  const registry = opts.registry ?? new MapRegistry({ nCpus: opts.nCpus });
  const maps = new Map<string, AnyMap>();
  /** (section index, byte offset) → map, for map relocations. */
  const mapAt = new Map<string, AnyMap>();
  /** section index → data map (global variables). */
  const dataMaps = new Map<number, AnyMap>();

  const mapTypes = new Map<AnyMap, { key?: number; value?: number }>();
  const btfSec = sections.find((s) => s.name === '.BTF');
  const btf = btfSec ? parseBtf(btfSec.data) : undefined;

  // BTF-defined maps in ".maps".
  const mapsSec = sections.find((s) => s.name === '.maps');
  let mapDefs: BtfMapDef[] = [];
  if (mapsSec) {
    if (!btf) fail('ELF_MAPS', "object has a '.maps' section but no BTF (build with -g)");
    mapDefs = btfMapDefs(btf!);
    for (const def of mapDefs) {
      const sym = syms.find((s) => s.shndx === mapsSec.index && s.name === def.name);
      if (!sym) fail('ELF_MAPS', `map '${def.name}' has no symbol in .maps`);
      const kind = def.type === undefined ? undefined : MAP_KIND_BY_TYPE.get(def.type);
      if (kind === undefined) fail('ELF_MAPS', def.type === undefined ? `map '${def.name}' has no type` : `map '${def.name}': ${mapTypeName(def.type)} is not supported (tsdump has ${Object.keys(MapType).join(', ')})`);
      // A perf event array without max_entries gets one slot per CPU, as libbpf gives it.
      const maxEntries = def.maxEntries ?? (kind === 'perf_event_array' ? registry.nCpus : 0);
      const m = registry.create({
        kind: kind!, name: def.name, keySize: def.keySize ?? (kind === 'ringbuf' ? 0 : 4), valueSize: def.valueSize ?? (kind === 'ringbuf' ? 0 : 4),
        maxEntries, flags: def.mapFlags ?? 0,
      });
      maps.set(def.name, m);
      mapTypes.set(m, { key: def.keyType, value: def.valueType });
      mapAt.set(`${mapsSec.index}:${sym!.value}`, m);
    }
  }

  // Legacy "maps" section: consecutive struct bpf_map_def { type, key_size, value_size, max_entries, map_flags, … }.
  const legacy = sections.find((s) => s.name === 'maps');
  if (legacy) {
    const msyms = syms.filter((s) => s.shndx === legacy.index && s.type !== STT_SECTION && s.name !== '').sort((a, b) => a.value - b.value);
    if (msyms.length === 0 || legacy.size % msyms.length !== 0) fail('ELF_MAPS', "cannot split the legacy 'maps' section into map definitions", legacy.offset);
    const defSize = legacy.size / msyms.length;
    if (defSize < 16) fail('ELF_MAPS', `legacy map definitions of ${defSize} bytes are too short`, legacy.offset);
    const ldv = new DataView(legacy.data.buffer, legacy.data.byteOffset, legacy.data.byteLength);
    for (const s of msyms) {
      const f = (i: number) => (s.value + i * 4 + 4 <= defSize * msyms.length && i * 4 < defSize ? ldv.getUint32(s.value + i * 4, true) : 0);
      const kind = MAP_KIND_BY_TYPE.get(f(0));
      if (kind === undefined) fail('ELF_MAPS', `map '${s.name}': ${mapTypeName(f(0))} is not supported (tsdump has ${Object.keys(MapType).join(', ')})`, legacy.offset + s.value);
      const m = registry.create({ kind: kind!, name: s.name, keySize: f(1), valueSize: f(2), maxEntries: f(3), flags: f(4) });
      maps.set(s.name, m);
      mapAt.set(`${legacy.index}:${s.value}`, m);
    }
  }

  // Global data: one single-element array map per .rodata/.data/.bss section, initialised from it.
  for (const s of sections) {
    const isData = /^\.(rodata|data|bss)(\.|$)/.test(s.name) && (s.type === SHT_PROGBITS || s.type === SHT_NOBITS);
    if (!isData || s.size === 0) continue;
    const readonly = s.name.startsWith('.rodata');
    const m = registry.create({ kind: 'array', name: s.name, keySize: 4, valueSize: s.size, maxEntries: 1, flags: readonly ? BPF_F_RDONLY_PROG : 0 });
    if (m.kind === 'array') m.slot(0).set(s.data);
    maps.set(s.name, m);
    dataMaps.set(s.index, m);
    const sec = btf?.types.find((t) => t.kind === BtfKind.DATASEC && t.name === s.name);
    if (sec) mapTypes.set(m, { value: sec.id });
  }

  const licSec = sections.find((s) => s.name === 'license');
  const license = licSec ? cstr(licSec.data, 0) : '';

  // Relocations by target section.
  const relocs = new Map<number, { index: number; type: number; sym: Sym }[]>();
  const progArrayInit: { map: string; index: number; program: string }[] = [];
  for (const s of sections) {
    if (s.type !== SHT_REL) continue;
    const target = sections[s.info];
    if (target && mapsSec && target === mapsSec) {
      readMapInit(s);
      continue;
    }
    if (!target || !(target.flags & SHF_EXECINSTR)) continue;
    const list: { index: number; type: number; sym: Sym }[] = [];
    const rdv = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    for (let p = 0; p + 16 <= s.size; p += 16) {
      const off = Number(rdv.getBigUint64(p, true));
      const info = rdv.getBigUint64(p + 8, true);
      const sym = syms[Number(info >> 32n)] ?? fail('ELF_RELOC', `relocation at ${s.name}+${p} names a missing symbol`, s.offset + p);
      if (off % 8 !== 0 || off >= target.size) fail('ELF_RELOC', `relocation offset ${off} outside ${target.name}`, s.offset + p);
      list.push({ index: off / 8, type: Number(info & 0xffffffffn), sym: sym! });
    }
    relocs.set(target.index, list);
  }

  /** `.rel.maps`: each entry points a program-array slot (`values[i]`) at a program. */
  function readMapInit(rel: Section): void {
    const rdv = new DataView(rel.data.buffer, rel.data.byteOffset, rel.data.byteLength);
    for (let p = 0; p + 16 <= rel.size; p += 16) {
      const off = Number(rdv.getBigUint64(p, true));
      const info = rdv.getBigUint64(p + 8, true);
      const sym = syms[Number(info >> 32n)] ?? fail('ELF_RELOC', `relocation at ${rel.name}+${p} names a missing symbol`, rel.offset + p);
      const def = mapDefs.find((d) => off >= d.offset && off < d.offset + d.size);
      if (def === undefined || def.valuesOffset === undefined) fail('ELF_RELOC', `relocation at ${rel.name}+${p} (offset ${off} in .maps) is not inside a map's 'values' array`, rel.offset + p);
      const m = maps.get(def!.name)!;
      if (m.kind !== 'prog_array') fail('ELF_MAPS', `map '${def!.name}': initial values are supported for program arrays only (this is ${m.kind})`, rel.offset + p);
      const slot = (off - def!.offset - def!.valuesOffset!) / 8;
      const fnSec = sections[sym!.shndx];
      if (sym!.type !== STT_FUNC || !fnSec || !(fnSec.flags & SHF_EXECINSTR)) fail('ELF_RELOC', `map '${def!.name}' slot ${slot} names '${sym!.name}', which is not a program`, rel.offset + p);
      if (!Number.isInteger(slot) || slot < 0 || slot >= m.maxEntries) fail('ELF_MAPS', `map '${def!.name}': initial slot ${slot} is outside its ${m.maxEntries} entries`, rel.offset + p);
      progArrayInit.push({ map: def!.name, index: slot, program: sym!.name });
    }
  }

  const text = sections.find((s) => s.name === '.text' && s.flags & SHF_EXECINSTR);
  const programs: ElfProgram[] = [];
  for (const sec of sections) {
    if (sec.type !== SHT_PROGBITS || !(sec.flags & SHF_EXECINSTR) || sec === text || sec.size === 0) continue;
    const funcs = syms.filter((s) => s.shndx === sec.index && s.type === STT_FUNC && s.bind !== STB_LOCAL);
    for (const fn of funcs) programs.push(link(fn, sec));
  }
  if (programs.length === 0) fail('ELF_NO_PROGRAMS', 'the object defines no programs (no function in an SEC("…") section)');

  function link(fn: Sym, sec: Section): ElfProgram {
    if (sec.data.length % 8 !== 0) fail('ELF_INVALID', `section ${sec.name} is not a whole number of instructions`, sec.offset);
    const secInsns = bytesToSlots(sec.data);
    const start = fn.value / 8;
    const len = (fn.size || sec.size - fn.value) / 8;
    if (!Number.isInteger(start) || !Number.isInteger(len) || start + len > secInsns.length) fail('ELF_INVALID', `function '${fn.name}' has a bad extent`, sec.offset);
    const insns = secInsns.slice(start, start + len).map((x) => ({ ...x }));
    const secRel = relocs.get(sec.index) ?? [];
    // Does the program (directly) reach into .text? Then append all of .text once.
    const needsText = text !== undefined && secRel.some((r) => r.sym.shndx === text.index && r.index >= start && r.index < start + len);
    let textBase = -1;
    if (needsText) {
      textBase = insns.length;
      for (const x of bytesToSlots(text!.data)) insns.push({ ...x });
    }
    /** Where instruction `i` of section `s` sits in the linked program, or -1. */
    const place = (s: number, i: number): number => {
      if (s === sec.index && i >= start && i < start + len) return i - start;
      if (text && s === text.index && textBase >= 0) return textBase + i;
      return -1;
    };
    const apply = (srcSec: Section, rels: { index: number; type: number; sym: Sym }[]) => {
      for (const r of rels) {
        const pc = place(srcSec.index, r.index);
        if (pc < 0) continue;
        const insn = insns[pc]!;
        const where = `${srcSec.name}+${r.index * 8} (${fn.name} pc ${pc})`;
        if (r.type === R_BPF_64_ABS64 || r.type === R_BPF_64_ABS32 || r.type === R_BPF_64_NODYLD32) continue;
        if (insn.code === LDDW && r.type === R_BPF_64_64) {
          const next = insns[pc + 1] ?? fail('ELF_RELOC', `lddw at ${where} has no second slot`);
          const m = mapAt.get(`${r.sym.shndx}:${r.sym.value}`);
          const data = dataMaps.get(r.sym.shndx);
          const symSec = sections[r.sym.shndx];
          if (m) {
            insn.src = BPF_PSEUDO_MAP_FD;
            insn.imm = m.id;
            next!.imm = 0;
          } else if (data) {
            insn.src = BPF_PSEUDO_MAP_VALUE;
            const off = (r.sym.type === STT_SECTION ? 0 : r.sym.value) + insn.imm;
            insn.imm = data.id;
            next!.imm = off;
          } else if (symSec && symSec.flags & SHF_EXECINSTR) {
            const target = place(symSec.index, (r.sym.type === STT_SECTION ? 0 : r.sym.value / 8) + insn.imm / 8);
            if (target < 0) fail('ELF_RELOC', `function pointer at ${where} targets code outside the program`);
            insn.src = BPF_PSEUDO_FUNC;
            insn.imm = target - (pc + 1);
            next!.imm = 0;
          } else {
            fail('ELF_RELOC', `lddw at ${where} refers to '${r.sym.name || symSec?.name}', which is neither a map nor global data`);
          }
        } else if (insn.code === CALL && insn.src === BPF_PSEUDO_CALL && r.type === R_BPF_64_32) {
          const target = place(r.sym.shndx, r.sym.value / 8 + insn.imm + 1);
          if (target < 0) fail('ELF_RELOC', `call at ${where} targets '${r.sym.name}' outside the program and .text`);
          insn.imm = target - (pc + 1);
        } else {
          fail('ELF_RELOC', `unsupported relocation type ${r.type} on opcode 0x${insn.code.toString(16)} at ${where}`);
        }
      }
    };
    apply(sec, secRel);
    if (textBase >= 0) apply(text!, relocs.get(text!.index) ?? []);
    return { name: fn.name, section: sec.name, hook: hookForSection(sec.name), insns, bytecode: slotsToBytes(insns), textBase };
  }

  return {
    programs, maps, registry, license, btf, mapTypes, progArrayInit,
    program(name: string): ElfProgram {
      return programs.find((p) => p.name === name || p.section === name) ?? fail('ELF_NO_PROGRAM', `no program named '${name}' (have: ${programs.map((p) => p.name).join(', ')})`);
    },
  };
}
