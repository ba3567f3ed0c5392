/**
 * A small reference cBPF interpreter and pcap reader for the filter compiler's differential
 * tests, kept here so these tests do not depend on modules other engineers are still writing.
 * The interpreter follows libpcap's bpf_filter: out-of-bounds loads and division by zero reject
 * (return 0), arithmetic is unsigned 32-bit, shifts by 32 or more give 0. Linux ancillary loads
 * (k >= 0xfffff000) are not modelled and return -1 so callers can skip such programs.
 */
import { readFileSync } from 'node:fs';
import type { CbpfProgram } from '../../../src/isa/cbpf/types.ts';

export function runCbpf(prog: CbpfProgram, pkt: Uint8Array, wirelen: number): number {
  let A = 0, X = 0;
  const M = new Uint32Array(16);
  const n = pkt.length;
  for (let pc = 0; pc < prog.length; pc++) {
    const { code, jt, jf, k } = prog[pc]!;
    const cls = code & 7;
    switch (cls) {
      case 0: case 1: { // LD / LDX
        const mode = code & 0xe0, size = code & 0x18;
        let v: number;
        if (mode === 0x00) v = k;
        else if (mode === 0x80) v = wirelen;
        else if (mode === 0x60) v = M[k]!;
        else if (mode === 0xa0) { if (k >= n) return 0; v = (pkt[k]! & 0xf) * 4; }
        else {
          const off = mode === 0x40 ? (X + k) >>> 0 : k;
          if (mode === 0x20 && k >= 0xfffff000) return -1; // Linux ancillary data: not modelled
          const sz = size === 0x00 ? 4 : size === 0x08 ? 2 : 1;
          if (off + sz > n) return 0;
          v = sz === 1 ? pkt[off]! : sz === 2 ? (pkt[off]! << 8) | pkt[off + 1]! : ((pkt[off]! << 24) | (pkt[off + 1]! << 16) | (pkt[off + 2]! << 8) | pkt[off + 3]!) >>> 0;
        }
        if (cls === 0) A = v >>> 0; else X = v >>> 0;
        break;
      }
      case 2: M[k] = A; break;
      case 3: M[k] = X; break;
      case 4: {
        const op = code & 0xf0;
        const s = code & 0x08 ? X : k;
        switch (op) {
          case 0x00: A = (A + s) >>> 0; break;
          case 0x10: A = (A - s) >>> 0; break;
          case 0x20: A = Math.imul(A, s) >>> 0; break;
          case 0x30: if (s === 0) return 0; A = Math.floor(A / s) >>> 0; break;
          case 0x90: if (s === 0) return 0; A = (A % s) >>> 0; break;
          case 0x40: A = (A | s) >>> 0; break;
          case 0x50: A = (A & s) >>> 0; break;
          case 0xa0: A = (A ^ s) >>> 0; break;
          case 0x60: A = s >= 32 ? 0 : (A << s) >>> 0; break;
          case 0x70: A = s >= 32 ? 0 : A >>> s; break;
          case 0x80: A = (-A) >>> 0; break;
          default: throw new Error(`bad alu ${code}`);
        }
        break;
      }
      case 5: {
        const op = code & 0xf0;
        if (op === 0x00) { pc += k | 0; break; } // ja: libpcap emits backward jumps (protochain)
        const s = code & 0x08 ? X : k;
        let c: boolean;
        if (op === 0x10) c = A === s; else if (op === 0x20) c = A > s; else if (op === 0x30) c = A >= s; else c = (A & s) !== 0;
        pc += c ? jt : jf;
        break;
      }
      case 6: return (code & 0x18) === 0x10 ? A : k;
      case 7: if (code & 0x80) A = X; else X = A; break;
    }
  }
  return 0;
}

export interface Pkt { data: Uint8Array; wirelen: number }

/** Reads a classic pcap file (either byte order, µs or ns); undefined for pcapng or junk. */
export function readPcap(path: string): { linkType: number; packets: Pkt[] } | undefined {
  const b = readFileSync(path);
  if (b.length < 24) return undefined;
  const magic = b.readUInt32LE(0);
  let le: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = false;
  else return undefined;
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  const packets: Pkt[] = [];
  let o = 24;
  while (o + 16 <= b.length) {
    const incl = u32(o + 8), orig = u32(o + 12);
    o += 16;
    if (incl > 262144 || o + incl > b.length) break;
    packets.push({ data: new Uint8Array(b.buffer, b.byteOffset + o, incl), wirelen: orig });
    o += incl;
  }
  return { linkType, packets };
}

/** Parses the tsv's `N,code jt jf k,...` form of `tcpdump -ddd`. */
export function parseDdd(s: string): CbpfProgram {
  const parts = s.split(',');
  return parts.slice(1).map((p) => {
    const [code, jt, jf, k] = p.trim().split(/\s+/).map(Number);
    return { code: code!, jt: jt!, jf: jf!, k: k! >>> 0 };
  });
}
