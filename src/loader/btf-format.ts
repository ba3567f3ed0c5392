/**
 * Bytes → JSON values by their BTF type, the way `bpftool map dump -j` prints its `formatted`
 * field: integers as JSON numbers (signed when the BTF int is signed, `true`/`false` for bool),
 * structs and unions as objects of their members (bitfields extracted), arrays as lists except
 * char arrays holding a printable NUL-terminated string, which become that string, enums as the
 * enumerator's name (its number when no enumerator matches), and a global-data section as
 * `{".bss": [{var: value}, …]}`.
 *
 * Technique: one recursive walk over the type graph, reading little-endian integers of any
 * width as BigInt (64-bit counters must not lose precision), then `jsonText` serialises the tree
 * with BigInts written as plain JSON numbers, as bpftool does (JSON.stringify cannot).
 */
import { BtfKind, skipModifiers } from './btf.ts';
import type { Btf } from './btf.ts';
import { dumpMapJson } from '../maps/json.ts';
import type { JsonValue, MapFormatter } from '../maps/json.ts';
import type { AnyMap } from '../maps/registry.ts';
import type { ElfObject } from './elf.ts';

export type { JsonValue };


/** Little-endian unsigned integer of `n` bytes at `off`. */
function readUint(b: Uint8Array, off: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[off + i] ?? 0);
  return v;
}

/** Bits [bitOff, bitOff + bits) of the bytes at `off` (little-endian bit numbering). */
function readBits(b: Uint8Array, off: number, bitOff: number, bits: number, signed: boolean): bigint {
  const bytes = Math.ceil((bitOff + bits) / 8);
  const raw = (readUint(b, off, bytes) >> BigInt(bitOff)) & ((1n << BigInt(bits)) - 1n);
  return signed ? BigInt.asIntN(bits, raw) : raw;
}

const num = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

/** The value of type `id` stored at `bytes[off…]`, with an optional bitfield position. */
export function formatBtf(btf: Btf, id: number, bytes: Uint8Array, off = 0, bitOff = 0, bitSize = 0): JsonValue {
  const t = skipModifiers(btf, id);
  if (t === undefined) return null;
  switch (t.kind) {
    case BtfKind.INT: {
      const signed = (t.intEncoding & 1) !== 0;
      const bits = bitSize || t.intBits || t.size * 8;
      const v = readBits(bytes, off, bitOff + t.intOffset, bits, signed);
      if (t.intEncoding & 4) return v !== 0n;
      return num(v);
    }
    case BtfKind.PTR:
      return num(readUint(bytes, off, 8));
    case BtfKind.ENUM:
    case BtfKind.ENUM64: {
      const size = t.size || 4;
      const raw = bitSize ? readBits(bytes, off, bitOff, bitSize, false) : readUint(bytes, off, size);
      const v = t.kindFlag ? BigInt.asIntN(size * 8, raw) : raw;
      const e = t.enumValues.find((x) => BigInt.asUintN(size * 8, x.value) === BigInt.asUintN(size * 8, v));
      return e ? e.name : num(v);
    }
    case BtfKind.FLOAT: {
      const dv = new DataView(bytes.buffer, bytes.byteOffset + off, t.size);
      return t.size === 4 ? dv.getFloat32(0, true) : t.size === 8 ? dv.getFloat64(0, true) : null;
    }
    case BtfKind.ARRAY: {
      const elem = skipModifiers(btf, t.elemType);
      const size = elemSize(btf, t.elemType);
      if (elem && elem.kind === BtfKind.INT && elem.size === 1 && (elem.intEncoding & 2 || elem.name === 'char')) {
        const s = printableString(bytes, off, t.nelems);
        if (s !== undefined) return s;
      }
      const out: JsonValue[] = [];
      for (let i = 0; i < t.nelems; i++) out.push(formatBtf(btf, t.elemType, bytes, off + i * size));
      return out;
    }
    case BtfKind.STRUCT:
    case BtfKind.UNION: {
      const out: { [k: string]: JsonValue } = {};
      for (const m of t.members) {
        const bitPos = t.kindFlag ? m.offset & 0xffffff : m.offset;
        const bits = t.kindFlag ? m.offset >>> 24 : 0;
        const v = formatBtf(btf, m.type, bytes, off + Math.floor(bitPos / 8), bitPos % 8, bits);
        // Anonymous struct/union members are inlined, as their fields are reachable by name in C.
        if (m.name === '' && v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, v);
        else out[m.name] = v;
      }
      return out;
    }
    case BtfKind.DATASEC: {
      const vars: JsonValue[] = [];
      for (const si of t.secinfo) {
        const v = btf.byId(si.type);
        if (v && v.kind === BtfKind.VAR) vars.push({ [v.name]: formatBtf(btf, v.type, bytes, off + si.offset) });
      }
      return { [t.name]: vars };
    }
    default:
      return null;
  }
}

function elemSize(btf: Btf, id: number): number {
  const t = skipModifiers(btf, id);
  if (!t) return 0;
  if (t.kind === BtfKind.ARRAY) return elemSize(btf, t.elemType) * t.nelems;
  if (t.kind === BtfKind.PTR) return 8;
  return t.size;
}

/** The bytes as a string when they are printable ASCII up to a NUL inside the array. */
function printableString(b: Uint8Array, off: number, n: number): string | undefined {
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = b[off + i]!;
    if (c === 0) return s;
    if (c < 0x20 || c > 0x7e) return undefined;
    s += String.fromCharCode(c);
  }
  return undefined;
}

/** JSON text with BigInts as plain numbers (compact, like `bpftool -j`). */
export function jsonText(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
}

/** bpftool's `formatted` for one of the object's maps, from its BTF key and value types. */
export function mapFormatter(obj: ElfObject, map: AnyMap): MapFormatter {
  const types = obj.mapTypes.get(map);
  const btf = obj.btf;
  if (btf === undefined || types === undefined) return {};
  const fmt: MapFormatter = {};
  if (types.key !== undefined) fmt.key = (b) => formatBtf(btf, types.key!, b);
  if (types.value !== undefined) fmt.value = (b) => formatBtf(btf, types.value!, b);
  // Global data: the DATASEC value stands alone (bpftool prints no key for it).
  if (skipModifiers(btf, types.value ?? 0)?.kind === BtfKind.DATASEC) fmt.valueOnly = true;
  return fmt;
}

/** Every map of the object as `{name: bpftool map dump -j list}`, in creation order. */
export function dumpObjectMaps(obj: ElfObject): { [name: string]: JsonValue } {
  const out: { [name: string]: JsonValue } = {};
  for (const m of obj.registry.list()) out[m.name || String(m.id)] = dumpMapJson(obj.registry, m, mapFormatter(obj, m));
  return out;
}
