/**
 * Just enough BTF (BPF Type Format) to read BTF-defined maps out of an object's `.BTF` section.
 *
 * BTF is a header, a type section and a string section. Each type record is 12 bytes (name
 * offset, info = kind<<24 | vlen, size-or-type) followed by kind-specific data whose length the
 * kind and vlen determine; type ids are implicit, counting from 1 in file order. We decode every
 * kind's record length (so we can walk the whole section) but keep only what map definitions
 * need: names, sizes, pointer targets, array lengths, struct members, variables and data sections.
 *
 * A BTF-defined map is a variable in the `.maps` DATASEC whose type is an anonymous struct with
 * members like `int (*type)[BPF_MAP_TYPE_HASH]` (a number encoded as an array length behind a
 * pointer: `__uint`) and `u32 *key` (a type encoded as a pointee: `__type`, whose size gives
 * key_size). `btfMapDefs` turns each such variable into a plain description.
 */
import { UserError } from '../errors.ts';

export const BtfKind = {
  INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9, CONST: 10,
  RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19,
} as const;

export interface BtfMember {
  name: string;
  type: number;
  /** Bit offset (kind_flag structs pack a bitfield size in the high byte; not needed here). */
  offset: number;
}

export interface BtfType {
  id: number;
  kind: number;
  name: string;
  /** INT/STRUCT/UNION/ENUM/DATASEC/FLOAT: byte size. */
  size: number;
  /** PTR/TYPEDEF/modifiers/VAR/FUNC: referenced type id. */
  type: number;
  /** ARRAY: element type and number of elements. */
  elemType: number;
  nelems: number;
  /** STRUCT/UNION members; DATASEC entries use `type` (the VAR) and `offset` (bytes) and `size`. */
  members: BtfMember[];
  secinfo: { type: number; offset: number; size: number }[];
  /** INT: encoding bits (1 signed, 2 char, 4 bool), bit offset and bit count of the value. */
  intEncoding: number;
  intOffset: number;
  intBits: number;
  /** ENUM/ENUM64: the enumerators (values as signed or unsigned per kind_flag). */
  enumValues: { name: string; value: bigint }[];
  /** The info word's kind_flag (bitfield members; signed enums). */
  kindFlag: boolean;
}

export interface Btf {
  types: BtfType[];
  byId(id: number): BtfType | undefined;
}

const bad = (msg: string): never => {
  throw new UserError('ELF_BTF', `BTF: ${msg}`);
};

export function parseBtf(sec: Uint8Array): Btf {
  if (sec.length < 24) bad('section too short');
  const dv = new DataView(sec.buffer, sec.byteOffset, sec.byteLength);
  if (dv.getUint16(0, true) !== 0xeb9f) bad('bad magic (big-endian BTF is not supported)');
  const hdrLen = dv.getUint32(4, true);
  const typeOff = hdrLen + dv.getUint32(8, true);
  const typeEnd = typeOff + dv.getUint32(12, true);
  const strOff = hdrLen + dv.getUint32(16, true);
  const strEnd = strOff + dv.getUint32(20, true);
  if (typeEnd > sec.length || strEnd > sec.length) bad('sections run past the end');
  const str = (off: number): string => {
    if (off === 0) return '';
    let e = strOff + off;
    if (e >= strEnd) bad(`string offset ${off} out of range`);
    const s = e;
    while (e < strEnd && sec[e] !== 0) e++;
    return new TextDecoder().decode(sec.subarray(s, e));
  };
  const types: BtfType[] = [];
  let p = typeOff;
  let id = 1;
  while (p < typeEnd) {
    if (p + 12 > typeEnd) bad(`truncated type ${id}`);
    const info = dv.getUint32(p + 4, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const t: BtfType = {
      id, kind, name: str(dv.getUint32(p, true)), size: dv.getUint32(p + 8, true), type: dv.getUint32(p + 8, true),
      elemType: 0, nelems: 0, members: [], secinfo: [], intEncoding: 0, intOffset: 0, intBits: 0, enumValues: [], kindFlag: (info >>> 31) === 1,
    };
    p += 12;
    // Bytes of kind-specific data after the 12-byte header, checked before anything is read.
    const extra: Record<number, number> = {
      [BtfKind.INT]: 4, [BtfKind.VAR]: 4, [BtfKind.DECL_TAG]: 4, [BtfKind.ARRAY]: 12, [BtfKind.STRUCT]: 12 * vlen, [BtfKind.UNION]: 12 * vlen,
      [BtfKind.ENUM]: 8 * vlen, [BtfKind.FUNC_PROTO]: 8 * vlen, [BtfKind.ENUM64]: 12 * vlen, [BtfKind.DATASEC]: 12 * vlen,
    };
    if (p + (extra[kind] ?? 0) > typeEnd) bad(`type ${id} runs past the end of the type section`);
    switch (kind) {
      case BtfKind.INT: {
        const enc = dv.getUint32(p, true);
        t.intEncoding = (enc >>> 24) & 0x0f;
        t.intOffset = (enc >>> 16) & 0xff;
        t.intBits = enc & 0xff;
        p += 4;
        break;
      }
      case BtfKind.VAR:
      case BtfKind.DECL_TAG:
        p += 4;
        break;
      case BtfKind.ARRAY:
        t.elemType = dv.getUint32(p, true);
        t.nelems = dv.getUint32(p + 8, true);
        p += 12;
        break;
      case BtfKind.STRUCT:
      case BtfKind.UNION:
        for (let i = 0; i < vlen; i++, p += 12)
          t.members.push({ name: str(dv.getUint32(p, true)), type: dv.getUint32(p + 4, true), offset: dv.getUint32(p + 8, true) });
        break;
      case BtfKind.ENUM:
        for (let i = 0; i < vlen; i++, p += 8) {
          const v = t.kindFlag ? BigInt(dv.getInt32(p + 4, true)) : BigInt(dv.getUint32(p + 4, true));
          t.enumValues.push({ name: str(dv.getUint32(p, true)), value: v });
        }
        break;
      case BtfKind.FUNC_PROTO:
        p += 8 * vlen;
        break;
      case BtfKind.ENUM64:
        for (let i = 0; i < vlen; i++, p += 12) {
          const u = (BigInt(dv.getUint32(p + 8, true)) << 32n) | BigInt(dv.getUint32(p + 4, true));
          t.enumValues.push({ name: str(dv.getUint32(p, true)), value: t.kindFlag ? BigInt.asIntN(64, u) : u });
        }
        break;
      case BtfKind.DATASEC:
        for (let i = 0; i < vlen; i++, p += 12)
          t.secinfo.push({ type: dv.getUint32(p, true), offset: dv.getUint32(p + 4, true), size: dv.getUint32(p + 8, true) });
        break;
      case BtfKind.PTR:
      case BtfKind.FWD:
      case BtfKind.TYPEDEF:
      case BtfKind.VOLATILE:
      case BtfKind.CONST:
      case BtfKind.RESTRICT:
      case BtfKind.FUNC:
      case BtfKind.FLOAT:
      case BtfKind.TYPE_TAG:
        break;
      default:
        bad(`unknown kind ${kind} for type ${id}`);
    }
    types.push(t);
    id++;
  }
  return { types, byId: (i) => types[i - 1] };
}

/** Follows typedefs and qualifiers to the underlying type. */
export function skipModifiers(btf: Btf, id: number): BtfType | undefined {
  let t = btf.byId(id);
  for (let guard = 0; t && guard < 64; guard++) {
    if (t.kind === BtfKind.TYPEDEF || t.kind === BtfKind.VOLATILE || t.kind === BtfKind.CONST || t.kind === BtfKind.RESTRICT || t.kind === BtfKind.TYPE_TAG)
      t = btf.byId(t.type);
    else return t;
  }
  return undefined;
}

/** Byte size of a type (what sizeof would say), or undefined for void/functions. */
export function btfSizeof(btf: Btf, id: number): number | undefined {
  const t = skipModifiers(btf, id);
  if (!t) return undefined;
  switch (t.kind) {
    case BtfKind.INT:
    case BtfKind.STRUCT:
    case BtfKind.UNION:
    case BtfKind.ENUM:
    case BtfKind.ENUM64:
    case BtfKind.FLOAT:
    case BtfKind.DATASEC:
      return t.size;
    case BtfKind.PTR:
      return 8;
    case BtfKind.ARRAY: {
      const e = btfSizeof(btf, t.elemType);
      return e === undefined ? undefined : e * t.nelems;
    }
    default:
      return undefined;
  }
}

export interface BtfMapDef {
  name: string;
  /** Byte offset of the variable inside `.maps`. */
  offset: number;
  type?: number;
  keySize?: number;
  valueSize?: number;
  maxEntries?: number;
  mapFlags?: number;
  /** BTF type ids of the key and value (`__type(key, …)`, `__type(value, …)`), when given. */
  keyType?: number;
  valueType?: number;
  /** Byte size of the map's definition in `.maps`, and of the `values` array in it (libbpf's
   * declarative initialisation, e.g. a program array's slots), when present. */
  size: number;
  valuesOffset?: number;
}

/** Reads every map variable of the `.maps` DATASEC. Unknown members are ignored. */
export function btfMapDefs(btf: Btf): BtfMapDef[] {
  const sec = btf.types.find((t) => t.kind === BtfKind.DATASEC && t.name === '.maps');
  if (!sec) return [];
  const out: BtfMapDef[] = [];
  for (const si of sec.secinfo) {
    const v = btf.byId(si.type);
    if (!v || v.kind !== BtfKind.VAR) bad(`.maps entry ${si.type} is not a variable`);
    const def: BtfMapDef = { name: v!.name, offset: si.offset, size: si.size };
    const st = skipModifiers(btf, v!.type);
    if (!st || st.kind !== BtfKind.STRUCT) bad(`map '${v!.name}' is not a struct`);
    for (const m of st!.members) {
      // __array(values, …): the initial slots, filled by relocations in .rel.maps.
      if (m.name === 'values') def.valuesOffset = (st!.kindFlag ? m.offset & 0xffffff : m.offset) / 8;
      const mt = skipModifiers(btf, m.type);
      if (!mt || mt.kind !== BtfKind.PTR) continue;
      // __uint(name, N): pointer to an array of N ints.
      const target = skipModifiers(btf, mt.type);
      const asUint = target && target.kind === BtfKind.ARRAY ? target.nelems : undefined;
      switch (m.name) {
        case 'type':
          def.type = asUint;
          break;
        case 'max_entries':
          def.maxEntries = asUint;
          break;
        case 'map_flags':
          def.mapFlags = asUint;
          break;
        case 'key_size':
          def.keySize = asUint;
          break;
        case 'value_size':
          def.valueSize = asUint;
          break;
        case 'key':
          def.keySize = btfSizeof(btf, mt.type);
          def.keyType = mt.type;
          break;
        case 'value':
          def.valueSize = btfSizeof(btf, mt.type);
          def.valueType = mt.type;
          break;
      }
    }
    out.push(def);
  }
  return out;
}
