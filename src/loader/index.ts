/**
 * The object loader: eBPF objects built by clang (`clang -O2 -g -target bpf -c prog.c`) made
 * runnable. `loadElf(bytes)` parses the ELF file, creates its maps (BTF-defined `.maps`, legacy
 * `maps`, global data as array maps) and links and relocates each program; `loadObject(obj)`
 * verifies every program for the hook its section names and compiles it on an engine, giving
 * `run(packet)` per program. ./btf.ts reads the BTF types (map definitions, value formatting).
 */
export { loadElf, hookForSection, BPF_F_RDONLY_PROG, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE } from './elf.ts';
export type { ElfObject, ElfProgram, ProgramHook } from './elf.ts';
export { loadObject, XDP_HEADROOM, XDP_TAILROOM } from './load.ts';
export type { LoadedObject, LoadObjectOptions, RunnableProgram } from './load.ts';
export { parseBtf, btfMapDefs, btfSizeof, skipModifiers, BtfKind } from './btf.ts';
export type { Btf, BtfType, BtfMember, BtfMapDef } from './btf.ts';
export { formatBtf, jsonText, mapFormatter, dumpObjectMaps } from './btf-format.ts';
export { attachObject } from './attach.ts';
export type { AttachOptions, Fate, ObjectHook, ObjectRunner } from './attach.ts';
export { helperName } from './helper-names.ts';
