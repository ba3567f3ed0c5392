/**
 * The Linux kernel as the judge of the converter's output: every libpcap program of the corpus
 * tsv (optimized and unoptimized) is converted for every hook and loaded with BPF_PROG_LOAD as
 * a socket filter, an XDP program and a tc classifier (SCHED_CLS, whose test run also starts at
 * the Ethernet header); the kernel verifier must accept every one, and
 * BPF_PROG_TEST_RUN on sample golden packets must return what the reference interpreter
 * returns (the kernel's skb/frame length is the captured length, so wirelen = caplen here).
 * The same for seeded wild random programs (loops, unknown opcodes, jumps off the end), and for
 * compare chains translated as search trees (src/convert/sets.ts): compiled host, port and ARP
 * lists up to 1,000 addresses and seeded random chains (./sets-cases.ts).
 *
 * How packets reach the program: XDP's test run hands the bytes over as the frame (at least an
 * Ethernet header's 14 bytes); a socket filter's test run treats the first 14 bytes as an
 * Ethernet header and starts the skb after it, so the packet goes in behind a 14-byte dummy
 * header. Test runs are limited to about a page, so packets over 3000 bytes are left out.
 * Needs root and the bpf() syscall: skips with the reason otherwise, fails under CI=true.
 */
import { describe, expect, it } from 'vitest';
import { convert, XDP_DROP, XDP_PASS } from '../../src/convert/index.ts';
import type { ConvertHook } from '../../src/convert/index.ts';
import { createInterpreter } from '../../src/cbpf/interpret.ts';
import { formatDDDLine } from '../../src/isa/cbpf/format.ts';
import type { CbpfProgram } from '../../src/isa/cbpf/types.ts';
import { encodeProgram } from '../../src/isa/ebpf/codec.ts';
import { kernelOrSkip, PROG_TYPE, type KernelOracle, type RawRequest } from '../tools/kernel-oracle.ts';
import { listVerdictFiles, loadSourcePackets, loadVerdicts } from '../tools/verdicts.ts';
import { farJumpProgram, loopBudgetDifference, tsvPrograms, type TsvProgram } from './support.ts';
import { wildCases } from './random-programs.ts';
import { chainCases, listPackets, listPrograms } from './sets-cases.ts';
import { analyze } from '../../src/convert/analysis.ts';
import { planCompareTrees } from '../../src/convert/sets.ts';

const ETH_HLEN = 14;
const MAX_TEST_RUN = 3000;
const PER_PROGRAM = 6;

type Mode = 'socket' | 'xdp-value' | 'xdp-action' | 'tc-value' | 'tc-action';
/** BPF_PROG_TYPE_SCHED_CLS (tc); its test run starts the skb at the Ethernet header, like XDP's frame. */
const SCHED_CLS = 3;
const TC_ACT_OK = 0, TC_ACT_SHOT = 2;
interface Job { label: string; mode: Mode; prog: CbpfProgram; packet: Uint8Array; want: number; value: number }

function request(j: Job, insns: Uint8Array): RawRequest {
  if (j.mode === 'socket') {
    const data = new Uint8Array(ETH_HLEN + j.packet.length);
    data.set(j.packet, ETH_HLEN);
    return { progType: PROG_TYPE.SOCKET_FILTER, insns, data };
  }
  if (j.mode.startsWith('tc')) return { progType: SCHED_CLS as unknown as typeof PROG_TYPE.XDP, insns, data: j.packet, dataOutSize: j.packet.length + 256 };
  return { progType: PROG_TYPE.XDP, insns, data: j.packet, dataOutSize: j.packet.length + 256 };
}

/** Runs the jobs in the kernel (batches); returns failure descriptions. */
function runJobs(k: KernelOracle, jobs: readonly Job[]): { failures: string[]; loaded: number } {
  const failures: string[] = [];
  const cache = new Map<CbpfProgram, Map<Mode, Uint8Array>>();
  const insnsOf = (j: Job): Uint8Array => {
    let m = cache.get(j.prog);
    if (!m) cache.set(j.prog, (m = new Map()));
    let b = m.get(j.mode);
    if (!b) {
      const hook: ConvertHook = j.mode === 'socket' ? 'socket' : j.mode.startsWith('tc') ? 'tc' : 'xdp';
      b = encodeProgram(convert(j.prog, { hook, xdpResult: j.mode.endsWith('-value') ? 'value' : 'action' }).prog);
      m.set(j.mode, b);
    }
    return b;
  };
  let loaded = 0;
  const BATCH = 1500;
  for (let i = 0; i < jobs.length; i += BATCH) {
    const batch = jobs.slice(i, i + BATCH);
    const out = k.runRaw(batch.map((j) => request(j, insnsOf(j))));
    out.forEach((o, n) => {
      const j = batch[n]!;
      if (o.kind === 'ok') {
        loaded++;
        const hook: ConvertHook = j.mode === 'xdp-action' ? 'xdp' : j.mode === 'tc-action' ? 'tc' : 'socket'; // 'value' results compare like socket
        if (o.retval !== j.want && !loopBudgetDifference(j.prog, hook, o.retval, j.value)) failures.push(`${j.label} [${j.mode}] on ${j.packet.length} bytes: kernel returned ${o.retval}, reference ${j.want}`);
      } else if (o.kind === 'reject') {
        failures.push(`${j.label} [${j.mode}] rejected by the kernel verifier: ${o.reason}\n${o.log.split('\n').slice(-6).join('\n')}`);
      } else {
        failures.push(`${j.label} [${j.mode}] test run failed (${o.stage}): ${o.message}`);
      }
    });
  }
  return { failures, loaded };
}

/** Jobs for one program and its sample packets (every mode; xdp needs 14+ bytes). */
function jobsFor(label: string, prog: CbpfProgram, packets: readonly Uint8Array[]): Job[] {
  const ref = createInterpreter(prog);
  const jobs: Job[] = [];
  let actionDone = false;
  for (const packet of packets) {
    const v = ref(packet, packet.length, packet.length);
    jobs.push({ label, mode: 'socket', prog, packet, want: v, value: v });
    if (packet.length >= ETH_HLEN) {
      jobs.push({ label, mode: 'xdp-value', prog, packet, want: v, value: v });
      jobs.push({ label, mode: 'tc-value', prog, packet, want: v, value: v });
      if (!actionDone) jobs.push({ label, mode: 'xdp-action', prog, packet, want: v !== 0 ? XDP_PASS : XDP_DROP, value: v });
      if (!actionDone) jobs.push({ label, mode: 'tc-action', prog, packet, want: v !== 0 ? TC_ACT_OK : TC_ACT_SHOT, value: v });
      actionDone = true;
    }
  }
  return jobs;
}

/** Up to PER_PROGRAM packets for a program: half it accepts, half it rejects, where possible. */
function samplePackets(prog: TsvProgram, pool: readonly Uint8Array[]): Uint8Array[] {
  const ref = createInterpreter(prog.prog);
  const acc: Uint8Array[] = [], rej: Uint8Array[] = [];
  for (const p of pool) {
    if (acc.length >= PER_PROGRAM / 2 && rej.length >= PER_PROGRAM / 2) break;
    const list = ref(p, p.length, p.length) !== 0 ? acc : rej;
    if (list.length < PER_PROGRAM / 2) list.push(p);
  }
  return [...acc, ...rej];
}

const programs = tsvPrograms();

describe('converted programs in the Linux kernel', () => {
  it.skipIf(programs === null)('every libpcap program of the tsv loads as socket filter and XDP, and test-runs like bpf_filter', ({ skip }) => {
    const k = kernelOrSkip(skip);
    // Packet pools per link type: golden packets that fit a test run.
    const pools = new Map<string, Uint8Array[]>();
    for (const dlt of listVerdictFiles()) {
      const { packets } = loadSourcePackets(loadVerdicts(dlt));
      pools.set(dlt, packets.filter((p) => p.caplen <= MAX_TEST_RUN).map((p) => p.data.subarray(0, p.caplen)));
    }
    const fallback = [new Uint8Array(64)];
    const jobs: Job[] = [];
    for (const p of programs!) {
      const pool = pools.get(p.dlt);
      const sample = pool && pool.length ? samplePackets(p, pool) : fallback;
      jobs.push(...jobsFor(`row ${p.row}${p.optimized ? '' : ' unopt'} ${p.dlt} ${JSON.stringify(p.expr)}`, p.prog, sample));
    }
    const { failures, loaded } = runJobs(k, jobs);
    expect(failures.slice(0, 8)).toEqual([]);
    expect(loaded).toBe(jobs.length);
    expect(programs!.length).toBeGreaterThan(2000);
  }, 120_000);

  it('seeded wild random programs load in both hooks and test-run like bpf_filter', ({ skip }) => {
    const k = kernelOrSkip(skip);
    const jobs: Job[] = [];
    const far = farJumpProgram(); // > 32767 eBPF insns as a socket filter: gotol + exit islands
    jobs.push(...jobsFor('far-jump program', far, [new Uint8Array(64).map((_, i) => i * 3), new Uint8Array(20)]));
    for (const c of wildCases(0x5eed, 4000)) {
      jobs.push(...jobsFor(formatDDDLine(c.prog), c.prog, c.packets.slice(0, 2).map((p) => p.data)));
    }
    const { failures, loaded } = runJobs(k, jobs);
    expect(failures.slice(0, 8)).toEqual([]);
    expect(loaded).toBe(jobs.length);
  }, 120_000);

  it('host/port lists and random compare chains, translated as search trees, load and test-run like bpf_filter', ({ skip }) => {
    const k = kernelOrSkip(skip);
    const jobs: Job[] = [];
    let trees = 0, guarded = 0;
    const count = (prog: CbpfProgram) => {
      const p = planCompareTrees(analyze(prog, 0xffff), prog.length, { directPacket: true });
      trees += p.trees.size;
      guarded += p.guarded.size;
    };
    listPrograms().forEach((p, i) => {
      count(p.prog);
      jobs.push(...jobsFor(p.label, p.prog, listPackets(p.addrs, p.ports, 0x7ee + i, 8).map((x) => x.data)));
    });
    for (const c of chainCases(0x7ee5, 200)) {
      count(c.prog);
      jobs.push(...jobsFor(c.label, c.prog, c.packets.filter((_, i) => i % 3 === 0).map((x) => x.data)));
    }
    // the trees are really there (the linear form would pass too)
    expect(trees).toBeGreaterThan(40);
    expect(guarded).toBeGreaterThan(10);
    // A tc test run refuses (EINVAL) a bare Ethernet header and an IPv4 / IPv6 packet cut inside
    // its IP header, whatever the program: such packets go to the socket and xdp runs only.
    const tcAccepts = (d: Uint8Array): boolean => {
      const type = d.length >= 14 ? (d[12]! << 8) | d[13]! : 0;
      return d.length > 14 && !(type === 0x0800 && d.length < 34) && !(type === 0x86dd && d.length < 54);
    };
    const kept = jobs.filter((j) => !j.mode.startsWith('tc') || tcAccepts(j.packet));
    expect(kept.length).toBeGreaterThan(jobs.length / 2);
    const { failures, loaded } = runJobs(k, kept);
    expect(failures.slice(0, 8)).toEqual([]);
    expect(loaded).toBe(kept.length);
  }, 300_000);
});
