/**
 * cBPF interpreter benchmark: ns per packet of createInterpreter() for a few typical programs
 * libpcap 1.10.3 compiles for Ethernet (taken from the corpus tsv), over the packets of a corpus
 * capture (tcpdump-captures/afs.pcap; the repo's generated filters/verdicts/packets/EN10MB.pcap
 * when the reference corpus is absent). Each op is one packet, cycling through the capture.
 *
 * Comparison: when gcc and libpcap-dev are present, a small C program (source below) is built
 * under a temp dir and times libpcap's own bpf_filter on the same programs and packets; its
 * ns/packet are printed in the notes next to ours.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCase, BenchResult, BenchSuite } from './harness.ts';
import { createInterpreter, interpret } from '../../src/cbpf/interpret.ts';
import { loadPackets, loadPrograms } from './inputs.ts';
import type { Pkt } from './inputs.ts';


const EXPRESSIONS = ['ip6', 'ip proto 6', 'tcp src port 25', 'udp dst portrange 67-68', 'portrange 1023-1', 'vlan 10'];

const C_SOURCE = String.raw`
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
/* argv: packets-file reps prog... ; packets file: (caplen u32 LE, wirelen u32 LE, bytes)* */
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "rb"); if (!f) return 2;
  static unsigned char buf[1 << 24]; size_t len = fread(buf, 1, sizeof buf, f); fclose(f);
  size_t offs[100000]; unsigned cap[100000], wire[100000]; int n = 0;
  for (size_t o = 0; o + 8 <= len && n < 100000; n++) {
    memcpy(&cap[n], buf + o, 4); memcpy(&wire[n], buf + o + 4, 4); offs[n] = o + 8; o += 8 + cap[n];
  }
  long reps = atol(argv[2]);
  for (int a = 3; a < argc; a++) {
    static struct bpf_insn insns[4096]; char *s = strdup(argv[a]); char *save = NULL;
    int cnt = atoi(strtok_r(s, ",", &save));
    for (int i = 0; i < cnt; i++) {
      unsigned c, jt, jf; unsigned long k; sscanf(strtok_r(NULL, ",", &save), "%u %u %u %lu", &c, &jt, &jf, &k);
      insns[i].code = c; insns[i].jt = jt; insns[i].jf = jf; insns[i].k = (bpf_u_int32)k;
    }
    double best = 1e30; volatile unsigned sink = 0;
    for (int round = 0; round < 5; round++) {
      struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
      for (long r = 0; r < reps; r++) for (int i = 0; i < n; i++) sink += bpf_filter(insns, buf + offs[i], wire[i], cap[i]);
      clock_gettime(CLOCK_MONOTONIC, &t1);
      double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / ((double)reps * n);
      if (ns < best) best = ns;
    }
    printf("%.2f\n", best); free(s); (void)sink;
  }
  return 0;
}
`;

let notes: string[] = [];

function libpcapTimes(progs: { line: string }[], packets: Pkt[]): number[] | string {
  const dir = mkdtempSync(join(tmpdir(), 'tsdump-cbpf-bench-'));
  try {
    writeFileSync(join(dir, 'b.c'), C_SOURCE);
    const cc = spawnSync('gcc', ['-O2', '-o', join(dir, 'b'), join(dir, 'b.c'), '-lpcap'], { encoding: 'utf8' });
    if (cc.status !== 0) return `libpcap comparison skipped: gcc -lpcap failed (${(cc.stderr || String(cc.error)).split('\n')[0]})`;
    const parts: Buffer[] = [];
    for (const p of packets) {
      const h = Buffer.alloc(8);
      h.writeUInt32LE(p.caplen, 0); h.writeUInt32LE(p.wirelen, 4);
      parts.push(h, Buffer.from(p.data));
    }
    writeFileSync(join(dir, 'pkts'), Buffer.concat(parts));
    const reps = Math.max(1, Math.round(2_000_000 / packets.length));
    const run = spawnSync(join(dir, 'b'), [join(dir, 'pkts'), String(reps), ...progs.map((p) => p.line)], { encoding: 'utf8' });
    if (run.status !== 0) return `libpcap comparison failed: ${run.stderr}`;
    return run.stdout.trim().split('\n').map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const suite: BenchSuite = {
  name: 'cbpf interpreter (ns/packet)',
  setup(): BenchCase[] {
    const { name, packets } = loadPackets();
    const progs = loadPrograms(EXPRESSIONS);
    const c = libpcapTimes(progs, packets);
    notes = [`packets: ${packets.length} from ${name}; one op = one packet`];
    const cases: BenchCase[] = progs.map(({ expr, prog }) => {
      const f = createInterpreter(prog);
      return {
        name: `${expr} (${prog.length} insns)`,
        run(n: number): unknown {
          let acc = 0;
          const m = packets.length;
          for (let i = 0, j = 0; i < n; i++, j = j + 1 === m ? 0 : j + 1) {
            const p = packets[j]!;
            acc += f(p.data, p.caplen, p.wirelen);
          }
          return acc;
        },
      };
    });
    // The convenience entry point (WeakMap lookup per call) on the first program.
    const first = progs[0];
    if (first) {
      cases.push({
        name: `interpret() ${first.expr}`,
        run(n: number): unknown {
          let acc = 0;
          for (let i = 0; i < n; i++) {
            const p = packets[i % packets.length]!;
            acc += interpret(first.prog, p.data, p.wirelen);
          }
          return acc;
        },
      });
    }
    if (typeof c === 'string') notes.push(c);
    else notes.push(...progs.map((p, i) => `libpcap 1.10.3 bpf_filter (gcc -O2) ${p.expr}: ${c[i]!.toFixed(1)} ns/packet`));
    return cases;
  },
  notes(results: BenchResult[]): string[] {
    // Side by side: ours against libpcap for the same program.
    return notes.map((line) => {
      const m = /^libpcap 1.10.3 bpf_filter \(gcc -O2\) (.*): ([\d.]+) ns\/packet$/.exec(line);
      const ours = m ? results.find((r) => r.name.startsWith(`${m[1]} (`)) : undefined;
      return ours ? `${line} (tsdump: ${ours.nsPerOp.toFixed(1)}, ratio ${(ours.nsPerOp / Number(m![2])).toFixed(2)}x)` : line;
    });
  },
};
