/**
 * Seeded fuzz campaigns over tsdump's input surfaces. Each campaign is a function of (seed,
 * time budget or input count) that generates inputs deterministically from the seed — a
 * grammar-aware or structure-aware generator, then random byte-level mutations — feeds them to
 * the product code and classifies each outcome:
 *
 *   ok        accepted and, where there is an oracle, agreeing with it
 *   error     a UserError (counted by its code: the distinct errors)
 *   crash     any other exception (a bug: a stack trace would reach a user)
 *   hang      one input took longer than HANG_MS twice (sync code cannot be interrupted; it is
 *             timed, and timed again when slow, so one run slowed by a loaded machine is no hang)
 *   escape    an eBPF run wrote outside its regions (canary bytes around memory changed)
 *   mismatch  engines disagree (interpreter ≡ every JIT tier, results and memory)
 *
 * Campaigns: `filters` (pcap-filter expressions from the corpus generator, plus mutations and
 * deep/long shapes, compiled for Ethernet with and without the optimizer), `captures` (the
 * sample and synthetic captures with flipped bytes, overwritten length fields, truncations and
 * splices, read to the end and written back), `ebpf` (random kernel-style programs, mutated
 * instruction by instruction, verified, then run on every engine with canaries around the
 * memory), `xdp-adversarial` (the verifier's hostile pointer/stack/call cases with mutated
 * immediates and offsets, verified for XDP; accepted ones run on every engine on a packet
 * window inside a canary-filled buffer) and `elf` (the committed clang objects, mutated, loaded).
 * Every failing input is kept (first few per kind) with the seed and index that rebuild it.
 * The campaigns against tcpdump, the kernel and signals are in ./oracles.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memorySink, openCaptureBytes, PcapWriter } from '../../src/capture/index.ts';
import { UserError } from '../../src/errors.ts';
import { compile } from '../../src/filter/index.ts';
import { tableResolver } from '../../src/filter/names.ts';
import { decodeProgram } from '../../src/isa/ebpf/codec.ts';
import { loadElf, loadObject } from '../../src/loader/index.ts';
import { ENGINE_NAMES, load, REGION, TAG_BASE } from '../../src/runtime/index.ts';
import { verify, xdpHook } from '../../src/runtime/verifier/index.ts';
import { caseBytes, VERIFIER_CASES } from '../runtime/verifier-cases.ts';
import { createInterpreter } from '../../src/cbpf/interpret.ts';
import { buildPool, ExprGen } from '../tools/filter-expr-gen.ts';
import { buildOracle, oracleBatch } from '../tools/libpcap-oracle.ts';
import { encodeRle } from '../tools/verdicts.ts';
import { Rng as PacketRng } from '../tools/packet-gen.ts';
import { randomProgram, Rng } from '../tools/random-ebpf.ts';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const HANG_MS = 5000;

export interface Finding {
  kind: 'crash' | 'hang' | 'escape' | 'mismatch';
  index: number;
  detail: string;
}

export interface CampaignResult {
  campaign: string;
  seed: number;
  inputs: number;
  accepted: number;
  errors: Map<string, number>;
  crashes: number;
  hangs: number;
  escapes: number;
  mismatches: number;
  findings: Finding[];
  ms: number;
  /** One line when the campaign's oracle is absent (the campaign then ran without it). */
  note?: string;
  /** Counted differences that are not findings (e.g. tsdump stricter than its oracle), each with its reason. */
  tallies?: Map<string, number>;
}

export interface CampaignOptions {
  seed: number;
  /** Stop after this many milliseconds … */
  ms?: number;
  /** … or after this many inputs, whichever comes first. */
  max?: number;
}

export type Outcome = { ok: true } | { error: string } | Finding;

/** The generator of input `index` of a campaign run from `seed`: any input is rebuilt alone. */
export function inputRng(seed: number, index: number): Rng {
  return new Rng(((seed * 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}

/**
 * `rebuilt`: input i is a function of (seed, i) alone, so a slow one can be timed again (the
 * filters campaign draws from one generator for the whole run, so its inputs cannot).
 */
function runCampaign(name: string, o: CampaignOptions, one: (rng: Rng, index: number) => Outcome | Outcome[], rebuilt = true): CampaignResult {
  const res: CampaignResult = { campaign: name, seed: o.seed, inputs: 0, accepted: 0, errors: new Map(), crashes: 0, hangs: 0, escapes: 0, mismatches: 0, findings: [], ms: 0 };
  const t0 = performance.now();
  const stopAt = t0 + (o.ms ?? Infinity);
  const max = o.max ?? Infinity;
  for (let i = 0; i < max && performance.now() < stopAt; i++) {
    // One generator per input, seeded by (seed, index): any input is rebuilt alone.
    const rng = inputRng(o.seed, i);
    const t = performance.now();
    let outs: Outcome | Outcome[];
    try {
      outs = one(rng, i);
    } catch (e) {
      outs = e instanceof UserError ? { error: e.code } : { kind: 'crash', index: i, detail: `${(e as Error).name}: ${(e as Error).message}`.slice(0, 300) };
    }
    let dt = performance.now() - t;
    if (dt > HANG_MS && rebuilt) {
      // Timed once more: on a loaded machine one slow run is not a hang (the input is rebuilt
      // from its seed; the second run's outcome is the same, only its time counts).
      const t2 = performance.now();
      try {
        one(inputRng(o.seed, i), i);
      } catch {
        // classified above
      }
      dt = Math.min(dt, performance.now() - t2);
    }
    for (const out of Array.isArray(outs) ? outs : [outs]) {
      res.inputs++;
      if ('ok' in out) res.accepted++;
      else if ('error' in out) res.errors.set(out.error, (res.errors.get(out.error) ?? 0) + 1);
      else {
        res[out.kind === 'crash' ? 'crashes' : out.kind === 'hang' ? 'hangs' : out.kind === 'escape' ? 'escapes' : 'mismatches']++;
        if (res.findings.length < 20) res.findings.push(out);
      }
    }
    if (dt > HANG_MS) {
      res.hangs++;
      if (res.findings.length < 20) res.findings.push({ kind: 'hang', index: i, detail: `${dt.toFixed(0)} ms` });
    }
  }
  res.ms = performance.now() - t0;
  return res;
}

/** Classifies a thrown value: a UserError is an error outcome, anything else a crash. */
export function classify(e: unknown, index: number): Outcome {
  return e instanceof UserError ? { error: e.code } : { kind: 'crash', index, detail: `${(e as Error).name}: ${(e as Error).message}`.slice(0, 300) };
}

// ---------------------------------------------------------------------------------- filters

const FILTER_ATOMS = ['(', ')', ' and ', ' or ', ' not ', '!', '[', ']', ':', '=', '>', '<<', '-', '+', '*', '/', '%', '&', '|', '^',
  'host ', 'port ', 'net ', 'tcp', 'udp', 'ip', 'ip6', 'vlan ', 'mpls ', 'ether ', 'src ', 'dst ', 'len', '0x', '1', '255', '65536',
  '4294967296', '10.0.0.1', '::1', '00:11:22:33:44:55', '/', 'mask ', 'proto ', 'protochain ', '\\', '$', ' '];

function mutateText(rng: Rng, text: string): string {
  let s = text;
  for (let k = 1 + rng.below(4); k > 0; k--) {
    const at = rng.below(s.length + 1);
    switch (rng.below(6)) {
      case 0: s = s.slice(0, at) + rng.pick(FILTER_ATOMS) + s.slice(at); break; // insert a token
      case 1: s = s.slice(0, at) + s.slice(at + 1 + rng.below(4)); break; // delete
      case 2: s = s.slice(0, at) + String.fromCharCode(32 + rng.below(95)) + s.slice(at + 1); break; // replace a byte
      case 3: { const b = rng.below(s.length + 1); s = s.slice(0, at) + s.slice(Math.min(at, b), Math.max(at, b)) + s.slice(at); break; } // duplicate
      case 4: s = `${'('.repeat(1 + rng.below(3000))}${s}${')'.repeat(rng.below(3000))}`; break; // deep (nested)
      default: s = Array.from({ length: 2 + rng.below(200) }, () => s).join(rng.pick([' or ', ' and '])); // long
    }
    // Keep inputs below 64 KB: the size the scale tests cover (repeated "long" steps multiply).
    if (s.length > 65536) s = s.slice(0, 65536);
  }
  return s;
}

export function filterCampaign(o: CampaignOptions): CampaignResult {
  const prng = new PacketRng(o.seed);
  const gen = new ExprGen(prng, buildPool([], () => 14, 0, prng), 'ether');
  const resolver = tableResolver({});
  return runCampaign('filters', o, (rng) => {
    let text = gen.expr();
    if (rng.chance(0.6)) text = mutateText(rng, text);
    const outs: Outcome[] = [];
    for (const optimize of [true, false]) {
      try {
        compile(text, { linkType: 1, snaplen: 262144, optimize, resolver });
        outs.push({ ok: true });
      } catch (e) {
        outs.push(classify(e, -1));
      }
    }
    return outs;
  }, false);
}

/**
 * Filters against libpcap (test/tools/libpcap-oracle.c): the same generated and mutated
 * expressions, at most 2,000 characters, compiled optimized and not by both; libpcap and
 * tsdump must agree on accept/reject, and on an accepted expression on the verdict of every
 * packet of captures/http.pcap (libpcap's run-length-encoded list against ours, from the
 * reference cBPF interpreter). Batches of 100 expressions per oracle run. Without gcc or
 * libpcap-dev the oracle is absent: the campaign says so in `note` (under CI=true it throws).
 */
export function filterLibpcapCampaign(o: CampaignOptions): CampaignResult {
  const res: CampaignResult = { campaign: 'filters-libpcap', seed: o.seed, inputs: 0, accepted: 0, errors: new Map(), crashes: 0, hangs: 0, escapes: 0, mismatches: 0, findings: [], ms: 0 };
  const t0 = performance.now();
  try {
    buildOracle();
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    res.note = `libpcap oracle absent (${(e as Error).message.split('\n')[0]}): campaign not run`;
    return res;
  }
  const file = join(root, 'captures', 'http.pcap');
  const packets: { data: Uint8Array; caplen: number; wirelen: number }[] = [];
  const reader = openCaptureBytes(new Uint8Array(readFileSync(file)));
  for (let r = reader.next(); r !== null; r = reader.next()) packets.push({ data: r.data.slice(), caplen: r.caplen, wirelen: r.wirelen });
  const prng = new PacketRng(o.seed);
  const gen = new ExprGen(prng, buildPool([], () => 14, 0, prng), 'ether');
  // names from the system's hosts/services/protocols files, as libpcap (and tsdump by default) resolve them
  const resolver = undefined;
  const stopAt = t0 + (o.ms ?? Infinity);
  const max = o.max ?? Infinity;
  const finding = (f: Finding): void => {
    res[f.kind === 'crash' ? 'crashes' : f.kind === 'hang' ? 'hangs' : f.kind === 'escape' ? 'escapes' : 'mismatches']++;
    if (res.findings.length < 20) res.findings.push(f);
  };
  for (let i = 0; i < max && performance.now() < stopAt;) {
    const batch: { index: number; text: string }[] = [];
    for (; batch.length < 100 && i < max; i++) {
      const rng = inputRng(o.seed, i);
      let text = gen.expr();
      if (rng.chance(0.6)) {
        const m = mutateText(rng, text);
        if (m.length <= 2000) text = m;
      }
      // the oracle's line protocol carries one expression per line
      batch.push({ index: i, text: text.replace(/[\n\r]/g, ' ') });
    }
    const jobs = batch.flatMap((b) => [true, false].map((optimize) => ({ dlt: 1, snaplen: 262144, netmask: '0xffffffff', optimize, expr: b.text })));
    const t = performance.now();
    const answers = oracleBatch([file], jobs);
    const dt = performance.now() - t;
    if (dt > HANG_MS * batch.length) finding({ kind: 'hang', index: batch[0]!.index, detail: `libpcap took ${dt.toFixed(0)} ms for ${batch.length} expressions` });
    batch.forEach((b, k) => {
      for (const [j, optimize] of [true, false].entries()) {
        const theirs = answers[2 * k + j]!;
        res.inputs++;
        let ours: { ok: true; rle: string } | { ok: false; code: string };
        const tc = performance.now();
        try {
          const run = createInterpreter(compile(b.text, { linkType: 1, snaplen: 262144, optimize, resolver, netmask: 0xffffffff }));
          ours = { ok: true, rle: encodeRle(packets.map((p) => run(p.data, p.caplen, p.wirelen))) };
        } catch (e) {
          const out = classify(e, b.index);
          if (!('error' in out)) { if ('kind' in out) finding(out); continue; }
          ours = { ok: false, code: out.error };
        }
        if (performance.now() - tc > HANG_MS) finding({ kind: 'hang', index: b.index, detail: `compile and run took ${(performance.now() - tc).toFixed(0)} ms` });
        const what = `${optimize ? '' : '-O '}${JSON.stringify(b.text.slice(0, 120))}`;
        if (ours.ok && theirs.ok) {
          res.accepted++;
          if (ours.rle !== theirs.rle) finding({ kind: 'mismatch', index: b.index, detail: `${what}: verdicts ${ours.rle} (tsdump) vs ${theirs.rle} (libpcap)` });
        } else if (!ours.ok && !theirs.ok) {
          res.errors.set(ours.code, (res.errors.get(ours.code) ?? 0) + 1);
        } else {
          finding({ kind: 'mismatch', index: b.index, detail: `${what}: ${ours.ok ? 'tsdump accepts' : `tsdump refuses (${ours.code})`}, libpcap ${theirs.ok ? 'accepts' : `refuses (${theirs.error})`}` });
        }
      }
    });
  }
  res.ms = performance.now() - t0;
  return res;
}

// --------------------------------------------------------------------------------- captures

export function captureSeeds(): Uint8Array[] {
  const synth = join(root, 'test/golden/capture/synthetic');
  return [
    ...readdirSync(join(root, 'captures')).filter((f) => /\.pcap(ng)?$/.test(f)).sort().map((f) => join(root, 'captures', f)),
    ...readdirSync(synth).sort().map((f) => join(synth, f)),
  ].map((p) => new Uint8Array(readFileSync(p)));
}

export function mutateBytes(rng: Rng, src: Uint8Array, seeds: readonly Uint8Array[]): Uint8Array {
  let b = src.slice();
  for (let k = 1 + rng.below(6); k > 0; k--) {
    const at = rng.below(Math.max(1, b.length));
    switch (rng.below(5)) {
      case 0: if (b.length) b[at] = rng.below(256); break;
      case 1: if (b.length) b[at]! ^= 1 << rng.below(8); break;
      case 2: { // a 32-bit length-like field set to an edge value
        const v = rng.pick([0, 1, 4, 8, 12, 28, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, b.length, rng.u32()]);
        if (at + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, rng.chance(0.5));
        break;
      }
      case 3: b = b.slice(0, at); break; // truncate
      default: { // splice in a piece of another seed
        const other = rng.pick(seeds);
        const from = rng.below(Math.max(1, other.length));
        const piece = other.slice(from, from + 1 + rng.below(256));
        const nb = new Uint8Array(b.length + piece.length);
        nb.set(b.subarray(0, at)); nb.set(piece, at); nb.set(b.subarray(at), at + piece.length);
        b = nb;
      }
    }
  }
  return b;
}

export function captureCampaign(o: CampaignOptions): CampaignResult {
  const seeds = captureSeeds();
  return runCampaign('captures', o, (rng) => {
    const bytes = mutateBytes(rng, rng.pick(seeds), seeds);
    const r = openCaptureBytes(bytes, { libpcapCompat: rng.chance(0.5) });
    const w = new PcapWriter(memorySink(), { linkType: r.info.linkType, snaplen: r.info.snaplen });
    let n = 0;
    for (let p = r.next(); p !== null; p = r.next()) {
      // Never a record whose bytes lie outside the input.
      if (p.caplen < 0 || (p.buf !== undefined && (p.dataOffset ?? 0) + p.caplen > p.buf.length)) return { kind: 'crash', index: -1, detail: `record ${n} outside its buffer` };
      w.writePacket(p);
      if (++n > 1_000_000) return { kind: 'hang', index: -1, detail: 'more than 1e6 records' };
    }
    w.flush();
    return r.error ? { error: r.error.code } : { ok: true };
  });
}

// ------------------------------------------------------------------------------------- eBPF

/** Mutates instructions of a program: bytes, registers, offsets, immediates, swaps. */
export function mutateProgram(rng: Rng, prog: Uint8Array): Uint8Array {
  const p = prog.slice();
  const n = p.length / 8;
  for (let k = 1 + rng.below(3); k > 0; k--) {
    const at = rng.below(n) * 8;
    switch (rng.below(5)) {
      case 0: p[at + rng.below(8)] = rng.below(256); break;
      case 1: p[at + 1] = (rng.below(11) << 4) | rng.below(11); break; // registers
      case 2: new DataView(p.buffer).setInt16(at + 2, rng.pick([0, 1, -1, -8, -512, -520, 8, 504, 512, rng.below(65536) - 32768]), true); break; // off
      case 3: new DataView(p.buffer).setInt32(at + 4, rng.pick([0, 1, -1, 8, 512, 0x1f8, 1 << 29, -(1 << 29), rng.u32() | 0]), true); break; // imm
      default: { const b = rng.below(n) * 8; const t = p.slice(at, at + 8); p.copyWithin(at, b, b + 8); p.set(t, b); }
    }
  }
  return p;
}

const CANARY = 0xa5;
const PAD = 64;

/** Helpers whose result differs from run to run (time, random numbers): engines may disagree. */
const NONDETERMINISTIC = new Set([5, 7, 118, 125, 160]);
export function deterministic(prog: Uint8Array): boolean {
  for (let pc = 0; pc + 8 <= prog.length; pc += 8) {
    if (prog[pc] === 0x85 && (prog[pc + 1]! >> 4) === 0 && NONDETERMINISTIC.has(new DataView(prog.buffer, prog.byteOffset).getInt32(pc + 4, true))) return false;
  }
  return true;
}

/**
 * Runs on every engine; checks the canaries and compares r0 (or the error) and the memory —
 * unless `compare` is false (a program reading the clock or random numbers).
 */
function differential(index: number, run: (engine: string, buf: Uint8Array) => string, size: number, init: Uint8Array, compare = true): Outcome {
  const results: string[] = [];
  for (const engine of ENGINE_NAMES) {
    const buf = new Uint8Array(size + 2 * PAD).fill(CANARY);
    buf.set(init, PAD);
    let r: string;
    try {
      r = run(engine, buf);
    } catch (e) {
      r = e instanceof UserError ? `error ${e.code}` : `crash ${(e as Error).name}: ${(e as Error).message}`;
    }
    for (let k = 0; k < buf.length; k++) {
      if ((k < PAD || k >= PAD + size) && buf[k] !== CANARY) return { kind: 'escape', index, detail: `${engine} wrote byte ${k - PAD} outside its ${size}-byte region` };
    }
    if (r.startsWith('crash')) return { kind: 'crash', index, detail: `${engine}: ${r}` };
    results.push(`${r} mem ${Buffer.from(buf.subarray(PAD, PAD + size)).toString('hex')}`);
  }
  const first = results[0]!;
  const bad = compare ? results.findIndex((r) => r !== first) : -1;
  if (bad >= 0) return { kind: 'mismatch', index, detail: `${ENGINE_NAMES[0]}: ${first.slice(0, 120)} vs ${ENGINE_NAMES[bad]}: ${results[bad]!.slice(0, 120)}` };
  return { ok: true };
}

export function ebpfCampaign(o: CampaignOptions): CampaignResult {
  return runCampaign('ebpf', o, (rng, i) => {
    const rp = randomProgram(o.seed, i, { length: 10 + rng.below(50) });
    const bytes = rng.chance(0.7) ? mutateProgram(rng, rp.prog) : rp.prog;
    let v;
    try {
      v = load(decodeProgram(bytes), { engine: 'interp' }).verified!;
    } catch (e) {
      return classify(e, i);
    }
    return differential(i, (engine, buf) => {
      const l = load(v, { engine: engine as never });
      return String(l.run64({ mem: buf.subarray(PAD, PAD + rp.mem.length) }));
    }, rp.mem.length, rp.mem);
  });
}

/** XDP programs from the verifier's hostile cases, mutated; accepted ones run on a canary-guarded packet. */
/** Input `rng` of the xdp-adversarial campaign: the program bytes and the frame. */
export function xdpAdversarialInput(rng: Rng): { bytes: Uint8Array; frame: Uint8Array } {
  const bytes = mutateProgram(rng, rng.pick(VERIFIER_CASES.map((c) => caseBytes(c))));
  return { bytes, frame: new Uint8Array(14 + rng.below(50)).map(() => rng.below(256)) };
}

export function xdpAdversarialCampaign(o: CampaignOptions): CampaignResult {
  return runCampaign('xdp-adversarial', o, (rng, i) => {
    const { bytes, frame } = xdpAdversarialInput(rng);
    let v;
    try {
      v = verify(bytes, xdpHook());
    } catch (e) {
      return classify(e, i);
    }
    return differential(i, (engine, buf) => {
      const l = load(v, { engine: engine as never });
      const ctx = new Uint8Array(l.ctxLayout.size);
      const view = new DataView(ctx.buffer);
      const data = l.ctxLayout.offsets.get('data');
      const end = l.ctxLayout.offsets.get('data_end');
      if (data !== undefined) view.setUint32(data + 4, TAG_BASE + REGION.packet, true);
      if (end !== undefined) { view.setUint32(end, frame.length, true); view.setUint32(end + 4, TAG_BASE + REGION.packet, true); }
      return String(l.runPacket(ctx, buf, PAD, frame.length));
    }, frame.length, frame, deterministic(bytes));
  });
}

// -------------------------------------------------------------------------------------- ELF

export function elfCampaign(o: CampaignOptions): CampaignResult {
  const dir = join(root, 'test/fixtures/bpf');
  const seeds = readdirSync(dir).filter((f) => f.endsWith('.o')).sort().map((f) => new Uint8Array(readFileSync(join(dir, f))));
  return runCampaign('elf', o, (rng) => {
    const bytes = mutateBytes(rng, rng.pick(seeds), seeds);
    loadObject(loadElf(bytes));
    return { ok: true };
  });
}

export const CAMPAIGNS: Record<string, (o: CampaignOptions) => CampaignResult> = {
  filters: filterCampaign,
  'filters-libpcap': filterLibpcapCampaign,
  captures: captureCampaign,
  ebpf: ebpfCampaign,
  'xdp-adversarial': xdpAdversarialCampaign,
  elf: elfCampaign,
};

/** The report: one block per campaign (what the README's reliability section shows). */
export function formatReport(results: readonly CampaignResult[], command: string): string {
  const lines = [`command: ${command}`, ''];
  lines.push('| campaign | seed | inputs | accepted | distinct errors | crashes | hangs | escapes | mismatches | seconds |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    lines.push(`| ${r.campaign} | ${r.seed} | ${r.inputs} | ${r.accepted} | ${r.errors.size} | ${r.crashes} | ${r.hangs} | ${r.escapes} | ${r.mismatches} | ${(r.ms / 1000).toFixed(1)} |`);
  }
  for (const r of results) {
    if (r.note) lines.push('', `${r.campaign}: ${r.note}`);
    if (r.tallies?.size) lines.push('', `${r.campaign} not findings: ${[...r.tallies].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join('; ')}`);
    if (r.findings.length) {
      lines.push('', `${r.campaign} findings (rebuild with --campaign ${r.campaign} --seed ${r.seed}, input index):`);
      for (const f of r.findings) lines.push(`  ${f.kind} #${f.index}: ${f.detail}`);
    }
    const top = [...r.errors].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${k} ${n}`).join(', ');
    if (top) lines.push(`${r.campaign} errors: ${top}${r.errors.size > 8 ? ', …' : ''}`);
  }
  return lines.join('\n');
}
