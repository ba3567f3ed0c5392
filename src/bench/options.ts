/**
 * `tsdump bench` arguments: suite names and options. Anything unknown — a suite, a flag, a
 * missing or malformed value — is a one-line UserError (exit status 1), never an empty run.
 */
import { UserError } from '../errors.ts';

export const SUITES = ['filters', 'compile', 'e2e', 'runtime', 'capture', 'maps', 'printers'] as const;
export type SuiteName = (typeof SUITES)[number];

export interface BenchOptions {
  suites: SuiteName[];
  /** Print the results as JSON on stdout instead of tables. */
  json: boolean;
  /** Write a bar chart (SVG) of ns/packet per engine and filter here. */
  svg?: string;
  /** Interleaved measuring rounds (after one warm-up round). */
  rounds: number;
  /** Milliseconds per measurement (one subject, one filter, one regime, one round). */
  ms: number;
  /** Packets of the generated capture. */
  packets: number;
  /** Measure this capture instead of the generated one. */
  read?: string;
  seed: number;
  quick: boolean;
  /** What the filter suite's ns/packet count: the process's CPU time (default) or wall time. */
  clock: 'cpu' | 'wall';
}

export const USAGE = `Usage: tsdump bench [SUITE...] [options]

Suites (default: all): ${SUITES.join(', ')}
  filters   ns/packet of every engine and libpcap's C bpf_filter on the filter set,
            hot (1,024 packets looped) and stream (every block of the capture)
  compile   latency per stage: parse, cBPF, eBPF, verified, ready
  e2e       the command end to end (--count, -w /dev/null, -w FILE) against tcpdump
  runtime   eBPF runtime: interpreter and JIT tiers on arithmetic, memory and load
  capture   pcap / pcapng reading and writing
  maps      eBPF maps and the verifier
  printers  packet printing

Options:
  -r FILE        measure this capture instead of the generated one
  --packets N    packets of the generated capture (default 1000000)
  --seed N       seed of the generated capture (default 1)
  --rounds N     interleaved rounds (default 5; e2e: 3)
  --ms N         milliseconds per measurement (default 100)
  --clock C      cpu (default): ns/packet of the process's CPU time, so time spent
                 preempted on a busy machine is not counted; wall: elapsed time
  --quick        a short smoke run (20,000 packets, 2 rounds, 5 ms)
  --json         print the results as JSON instead of tables
  --svg FILE     write a bar chart of ns/packet per engine and filter
  -h, --help     this text
`;

function intArg(flag: string, v: string | undefined, min: number): number {
  if (v === undefined) throw new UserError('BENCH_USAGE', `tsdump bench: ${flag} needs a value`);
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(n) || n < min) throw new UserError('BENCH_USAGE', `tsdump bench: ${flag} wants a number >= ${min}, not '${v}'`);
  return n;
}

/** Parses the arguments; `null` means help was asked for. */
export function parseBenchArgs(args: string[]): BenchOptions | null {
  const o: BenchOptions = { suites: [], json: false, rounds: 5, ms: 100, packets: 1_000_000, seed: 1, quick: false, clock: 'cpu' };
  let rounds: number | undefined;
  let ms: number | undefined;
  let packets: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string | undefined => (eq > 0 ? a.slice(eq + 1) : args[++i]);
    switch (flag) {
      case '-h': case '--help': return null;
      case '--json': o.json = true; break;
      case '--quick': o.quick = true; break;
      case '--svg': { const v = value(); if (!v) throw new UserError('BENCH_USAGE', 'tsdump bench: --svg needs a file name'); o.svg = v; break; }
      case '-r': { const v = value(); if (!v) throw new UserError('BENCH_USAGE', 'tsdump bench: -r needs a capture file'); o.read = v; break; }
      case '--rounds': rounds = intArg(flag, value(), 1); break;
      case '--ms': ms = intArg(flag, value(), 0.1); break;
      case '--packets': packets = intArg(flag, value(), 1); break;
      case '--seed': o.seed = intArg(flag, value(), 0); break;
      case '--clock': {
        const v = value();
        if (v !== 'cpu' && v !== 'wall') throw new UserError('BENCH_USAGE', `tsdump bench: --clock wants cpu or wall, not '${v ?? ''}'`);
        o.clock = v;
        break;
      }
      default:
        if (a.startsWith('-')) throw new UserError('BENCH_USAGE', `tsdump bench: unknown option '${a}' (tsdump bench --help lists them)`);
        if (!(SUITES as readonly string[]).includes(a)) throw new UserError('BENCH_USAGE', `tsdump bench: unknown suite '${a}' (suites: ${SUITES.join(', ')})`);
        if (!o.suites.includes(a as SuiteName)) o.suites.push(a as SuiteName);
    }
  }
  if (o.suites.length === 0) o.suites = [...SUITES];
  if (o.quick) {
    o.rounds = 2;
    o.ms = 5;
    o.packets = 20_000;
  }
  if (rounds !== undefined) o.rounds = Math.floor(rounds);
  if (ms !== undefined) o.ms = ms;
  if (packets !== undefined) o.packets = Math.floor(packets);
  return o;
}
