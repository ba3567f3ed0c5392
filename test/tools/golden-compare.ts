/**
 * Shared machinery for the filter golden tests (test/filter/golden-*.test.ts): run a compiled
 * program over golden packets and compare each return value with libpcap 1.10.3's, and render
 * mismatches so that one failure line says everything needed to debug it — the expression, which
 * packet (source file and index), expected vs got, and our `-d` listing next to libpcap's.
 *
 * Technique: each program is turned into a pre-decoded interpreter once (createInterpreter) and
 * run over the packet views; only the first few mismatches per row are kept, counts for the rest.
 */
import { createInterpreter } from '../../src/cbpf/index.ts';
import { formatD, parseProgram } from '../../src/isa/cbpf/index.ts';
import type { CbpfProgram } from '../../src/isa/cbpf/types.ts';
import { UserError } from '../../src/errors.ts';
import type { GoldenPacket } from './verdicts.ts';

export interface PacketMismatch {
  packet: GoldenPacket;
  /** Index into the golden verdict list. */
  global: number;
  expected: number;
  got: number;
}

export interface VerdictComparison {
  compared: number;
  mismatches: number;
  first: PacketMismatch[];
  /**
   * Mismatching packets whose libpcap verdict came from scratch memory libpcap's program never
   * wrote: libpcap 1.10.3's bpf_filter does not clear M[] (its verdict is whatever the previous
   * packet's run left on the C stack), the kernel and our interpreter start from zeros. Counted
   * here, not as mismatches, only when libpcap's own program (when given) reads M[] and, run with
   * M[] zeroed, returns exactly our verdict and not the recorded one: then the recorded verdict
   * differs from ours only through that uninitialised memory.
   */
  undefinedInLibpcap: number;
}

/** Whether a program loads from scratch memory at all (`ld M[k]` / `ldx M[k]`). */
export function readsScratch(prog: CbpfProgram): boolean {
  return prog.some((i) => i.code === 0x60 || i.code === 0x61);
}

/** Runs `prog` on every packet and compares with `expected[globalIndex[i]]`. */
export function compareVerdicts(prog: CbpfProgram, packets: readonly GoldenPacket[], globalIndex: readonly number[], expected: Uint32Array, keep = 3, libpcapProg?: CbpfProgram): VerdictComparison {
  const run = createInterpreter(prog);
  const out: VerdictComparison = { compared: 0, mismatches: 0, first: [], undefinedInLibpcap: 0 };
  const theirs = libpcapProg && readsScratch(libpcapProg) ? createInterpreter(libpcapProg) : undefined;
  for (let i = 0; i < packets.length; i++) {
    const p = packets[i]!;
    const got = run(p.data, p.caplen, p.wirelen) >>> 0;
    const want = expected[globalIndex[i]!]!;
    out.compared++;
    if (got !== want) {
      if (theirs && theirs(p.data, p.caplen, p.wirelen) >>> 0 === got) {
        out.undefinedInLibpcap++;
        continue;
      }
      out.mismatches++;
      if (out.first.length < keep) out.first.push({ packet: p, global: globalIndex[i]!, expected: want, got });
    }
  }
  return out;
}

/** `-d` listing of a `N,code jt jf k,...` line (as in the corpus tsv), or a note when unparsable. */
export function listingFromDddLine(ddd: string | undefined): string {
  if (!ddd) return '(no libpcap listing available)\n';
  try {
    return formatD(parseProgram(ddd, 'ddd-line'));
  } catch (e) {
    return `(unparsable listing: ${(e as Error).message})\n`;
  }
}

/** A first-bytes hex view of a packet for failure messages. */
export function hexHead(data: Uint8Array, n = 48): string {
  let s = '';
  for (let i = 0; i < Math.min(n, data.length); i++) s += data[i]!.toString(16).padStart(2, '0') + (i % 4 === 3 ? ' ' : '');
  return s.trim() + (data.length > n ? ' …' : '');
}

/** Side-by-side-ish rendering: ours then libpcap's listing, indented. */
export function renderListings(ours: CbpfProgram | null, libpcapDdd: string | undefined): string {
  const indent = (t: string) => t.trimEnd().split('\n').map((l) => '      ' + l).join('\n');
  return `    ours (-d):\n${ours ? indent(formatD(ours)) : '      (no program)'}\n    libpcap 1.10.3 (-d):\n${indent(listingFromDddLine(libpcapDdd))}`;
}

export function describeMismatch(m: PacketMismatch, sourceName: (i: number) => string): string {
  return `    packet ${sourceName(m.packet.source)} #${m.packet.indexInSource} (caplen ${m.packet.caplen}, wirelen ${m.packet.wirelen}): expected ${m.expected}, got ${m.got}\n      bytes: ${hexHead(m.packet.data)}`;
}

/** Compiles, turning exceptions into a value: a UserError is a rejection, anything else a crash. */
export function tryCompile(fn: () => CbpfProgram): { ok: true; prog: CbpfProgram } | { ok: false; userError: boolean; code?: string; message: string } {
  try {
    return { ok: true, prog: fn() };
  } catch (e) {
    if (e instanceof UserError) return { ok: false, userError: true, code: e.code, message: e.message };
    return { ok: false, userError: false, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

/** Collects counts and failure texts (by category) for a test, printed once at the end. */
export class GoldenReport {
  readonly counts = new Map<string, number>();
  readonly skips = new Map<string, number>();
  readonly failures = new Map<string, string[]>();
  count(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  skip(reason: string): void {
    this.skips.set(reason, (this.skips.get(reason) ?? 0) + 1);
  }
  fail(category: string, text: string): void {
    const list = this.failures.get(category) ?? [];
    list.push(text);
    this.failures.set(category, list);
  }
  get failureCount(): number {
    let n = 0;
    for (const l of this.failures.values()) n += l.length;
    return n;
  }
  /** Counts, skip reasons, then the first `perCategory` failures of each category. */
  summary(title: string, perCategory = 5): string {
    const c = [...this.counts].map(([k, v]) => `${k} ${v}`).join(', ');
    let out = `${title}: ${c || 'nothing compared'}`;
    for (const [k, v] of this.skips) out += `\n  skipped ${v}: ${k}`;
    for (const [cat, list] of this.failures) {
      out += `\n  FAIL ${list.length} ${cat}; first ${Math.min(perCategory, list.length)}:\n` + list.slice(0, perCategory).join('\n');
    }
    return out;
  }
}
