/**
 * libpcap's own C `bpf_filter`, timed on the same packets as tsdump's engines. The C source below
 * is built at run time with `gcc -O2 … -lpcap` (when gcc and libpcap-dev exist) into the
 * per-user cache folder (benchCacheDir in traffic.ts), named by a hash of the source so an edited helper is rebuilt.
 *
 * The helper runs as ONE child process for the whole benchmark, so its measurements interleave
 * with the JavaScript engines' (A B C A B C …): it loads the capture with pcap_open_offline /
 * pcap_next_ex into memory, then answers commands on stdin, one line each:
 *   compile ID EXPR   pcap_compile(optimize=1, PCAP_NETMASK_UNKNOWN) on the capture's own
 *                     pcap_t — libpcap's program, exactly what `tcpdump -r FILE EXPR` runs
 *                     → "ok N code jt jf k …" (the program) | "err MESSAGE"
 *   load ID N code jt jf k …   installs a program compiled before (libpcap's optimizer takes
 *                     tens of seconds on the 1,000-host filter, so programs are cached on disk)
 *   hot ID MS         loops bpf_filter over the first HOT packets for MS milliseconds
 *                     → "NS_PER_PACKET MATCHES_PER_LOOP LOOPS"
 *   stream ID MS      walks the packets from this filter's cursor (wrapping) for MS milliseconds
 *                     → "NS_PER_PACKET FIRST_PACKET PACKETS MATCHES"
 * While timing it adds up bpf_filter != 0 per packet, as the JavaScript loops do. Its clock is
 * the process's CPU time (CLOCK_PROCESS_CPUTIME_ID) or the wall clock, as the JavaScript side's.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchCacheDir } from './traffic.ts';

const LIBPCAP_TIMER_C = String.raw`/* tsdump bench: times libpcap's bpf_filter (see src/bench/libpcap-helper.ts). */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXF 64
static unsigned char *arena; static size_t arenaLen, arenaCap;
static size_t *offs; static unsigned *cap, *wire; static long n, ncap;
static struct bpf_program progs[MAXF]; static int have[MAXF]; static long cursor[MAXF];

static clockid_t clk = CLOCK_MONOTONIC;
static double now(void) { struct timespec t; clock_gettime(clk, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
static double wall(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: %s CAPTURE HOT LIMIT [cpu|wall]\n", argv[0]); return 2; }
  if (argc > 4 && !strcmp(argv[4], "cpu")) clk = CLOCK_PROCESS_CPUTIME_ID;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t *p = pcap_open_offline(argv[1], err);
  if (!p) { printf("err %s\n", err); return 1; }
  long hot = atol(argv[2]), limit = atol(argv[3]);
  struct pcap_pkthdr *h; const u_char *d;
  while (n < limit && pcap_next_ex(p, &h, &d) == 1) {
    if (n == ncap) { ncap = ncap ? ncap * 2 : 65536; offs = realloc(offs, ncap * sizeof *offs); cap = realloc(cap, ncap * sizeof *cap); wire = realloc(wire, ncap * sizeof *wire); }
    if (arenaLen + 16 + h->caplen > arenaCap) { arenaCap = arenaCap ? arenaCap * 2 : (1 << 24); while (arenaCap < arenaLen + 16 + h->caplen) arenaCap *= 2; arena = realloc(arena, arenaCap); }
    if (!offs || !cap || !wire || !arena) { printf("err out of memory\n"); return 1; }
    arenaLen += 16; /* a gap like a pcap record header, as in the JavaScript blocks */
    memcpy(arena + arenaLen, d, h->caplen);
    offs[n] = arenaLen; cap[n] = h->caplen; wire[n] = h->len; arenaLen += h->caplen; n++;
  }
  if (n == 0) { printf("err no packets\n"); return 1; }
  if (hot > n) hot = n;
  printf("ready %ld\n", n); fflush(stdout);
  size_t lineCap = 1 << 16; char *line = malloc(lineCap);
  while (getline(&line, &lineCap, stdin) > 0) {
    line[strcspn(line, "\n")] = 0;
    char *cmd = strtok(line, " "); if (!cmd) continue;
    if (!strcmp(cmd, "quit")) break;
    char *idS = strtok(NULL, " "); int id = idS ? atoi(idS) : -1;
    if (id < 0 || id >= MAXF) { printf("err bad id\n"); fflush(stdout); continue; }
    if (!strcmp(cmd, "compile")) {
      char *expr = strtok(NULL, "");
      if (have[id]) pcap_freecode(&progs[id]);
      have[id] = 0; cursor[id] = 0;
      if (pcap_compile(p, &progs[id], expr ? expr : "", 1, PCAP_NETMASK_UNKNOWN) != 0) printf("err %s\n", pcap_geterr(p));
      else {
        have[id] = 1; printf("ok %u", progs[id].bf_len);
        for (unsigned i = 0; i < progs[id].bf_len; i++) { struct bpf_insn *x = &progs[id].bf_insns[i]; printf(" %u %u %u %u", x->code, x->jt, x->jf, x->k); }
        printf("\n");
      }
    } else if (!strcmp(cmd, "load")) {
      if (have[id]) pcap_freecode(&progs[id]);
      have[id] = 0; cursor[id] = 0;
      char *t = strtok(NULL, " "); unsigned len = t ? (unsigned)atol(t) : 0;
      struct bpf_insn *f = calloc(len ? len : 1, sizeof *f); unsigned i = 0;
      for (; i < len; i++) {
        char *c = strtok(NULL, " "), *jt = strtok(NULL, " "), *jf = strtok(NULL, " "), *k = strtok(NULL, " ");
        if (!k) break;
        f[i].code = (u_short)atol(c); f[i].jt = (u_char)atol(jt); f[i].jf = (u_char)atol(jf); f[i].k = (bpf_u_int32)strtoul(k, NULL, 10);
      }
      if (len == 0 || i != len) { free(f); printf("err bad program\n"); }
      else { progs[id].bf_len = len; progs[id].bf_insns = f; have[id] = 1; printf("ok %u\n", len); }
    } else if (!have[id]) {
      printf("err filter %d not compiled\n", id);
    } else if (!strcmp(cmd, "hot")) {
      double ms = atof(strtok(NULL, " ")); struct bpf_insn *f = progs[id].bf_insns;
      /* The clock is read every k loops, k chosen so that reading it costs under 0.5 %. */
      long loops = 0, k = 1; unsigned matches = 0; double w0 = wall(), t0 = now(), t;
      do {
        for (long j = 0; j < k; j++) {
          unsigned m = 0;
          for (long i = 0; i < hot; i++) m += bpf_filter(f, arena + offs[i], wire[i], cap[i]) != 0;
          matches = m;
        }
        loops += k;
        if (loops == 1) { double per = wall() - w0; k = per > 0 && per < 200000 ? (long)(200000 / per) + 1 : 1; }
        t = now();
      } while (t - t0 < ms * 1e6);
      printf("%.4f %u %ld\n", (t - t0) / ((double)loops * hot), matches, loops);
    } else if (!strcmp(cmd, "stream")) {
      double ms = atof(strtok(NULL, " ")); struct bpf_insn *f = progs[id].bf_insns;
      long start = cursor[id], i = start, done = 0; unsigned long m = 0; double t0 = now(), t;
      do {
        for (int k = 0; k < 16384; k++) { m += bpf_filter(f, arena + offs[i], wire[i], cap[i]) != 0; if (++i == n) i = 0; }
        done += 16384; t = now();
      } while (t - t0 < ms * 1e6);
      cursor[id] = i;
      printf("%.4f %ld %ld %lu\n", (t - t0) / done, start, done, m);
    } else printf("err unknown command %s\n", cmd);
    fflush(stdout);
  }
  return 0;
}
`;

/** Part of the program cache key: a cached program is libpcap's, from this helper's source. */
const LIBPCAP_VERSION_KEY = createHash('sha256').update(LIBPCAP_TIMER_C).digest('hex').slice(0, 12);

/** Builds the helper (cached); returns its path, or why it is not available. */
export function buildLibpcapTimer(): { path: string } | { unavailable: string } {
  const hash = createHash('sha256').update(LIBPCAP_TIMER_C).digest('hex').slice(0, 12);
  const dir = benchCacheDir();
  const bin = join(dir, `libpcap-timer-${hash}`);
  if (existsSync(bin)) return { path: bin };
  const src = join(dir, `libpcap-timer-${hash}.c`);
  writeFileSync(src, LIBPCAP_TIMER_C);
  const tmp = `${bin}.${process.pid}.tmp`;
  const cc = spawnSync('gcc', ['-O2', '-o', tmp, src, '-lpcap'], { encoding: 'utf8' });
  if (cc.error) return { unavailable: 'gcc not found' };
  if (cc.status !== 0) {
    rmSync(tmp, { force: true });
    const first = (cc.stderr || '').split('\n').find((l) => /error/.test(l)) ?? cc.stderr.split('\n')[0];
    return { unavailable: `gcc -lpcap failed (libpcap-dev missing?): ${first?.trim()}` };
  }
  renameSync(tmp, bin);
  return { path: bin };
}

/** The running helper: one command at a time, answered by one line. */
export class LibpcapTimer {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffered = '';
  private readonly waiting: ((line: string) => void)[] = [];
  private readonly lines: string[] = [];
  private exited: string | undefined;
  private stderr = '';

  private constructor(bin: string, capture: string, hot: number, limit: number, clock: 'cpu' | 'wall') {
    this.child = spawn(bin, [capture, String(hot), String(Number.isFinite(limit) ? limit : 0x7fffffff), clock]);
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        const w = this.waiting.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
    this.child.stderr.on('data', (c: Buffer) => { this.stderr += c.toString(); });
    this.child.on('exit', (code) => {
      this.exited = `libpcap helper exited (${code}) ${this.stderr.trim()}`;
      for (const w of this.waiting.splice(0)) w(`err ${this.exited}`);
    });
  }

  /** Starts the helper on the capture; resolves once it has loaded the packets. */
  static async start(bin: string, capture: string, hot: number, limit: number, clock: 'cpu' | 'wall'): Promise<LibpcapTimer | string> {
    const t = new LibpcapTimer(bin, capture, hot, limit, clock);
    const first = await t.nextLine();
    if (!first.startsWith('ready ')) {
      t.close();
      return first.replace(/^err /, '');
    }
    return t;
  }

  private nextLine(): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.exited) return Promise.resolve(`err ${this.exited}`);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private async ask(cmd: string): Promise<string> {
    if (this.exited) return `err ${this.exited}`;
    this.child.stdin.write(`${cmd}\n`);
    return this.nextLine();
  }

  /**
   * Installs libpcap's program for `expression` on a capture of link type `linkType` and
   * snapshot length `snaplen`: from the disk cache when compiled before, else pcap_compile
   * (then cached). Returns its length, or the error.
   */
  async compile(id: number, expression: string, linkType: number, snaplen: number): Promise<{ insns: number; cached: boolean } | { error: string }> {
    const key = createHash('sha256').update(`${LIBPCAP_VERSION_KEY}\n${linkType}\n${snaplen}\n${expression}`).digest('hex').slice(0, 20);
    const file = join(benchCacheDir(), `libpcap-program-${key}.txt`);
    if (existsSync(file)) {
      const r = await this.ask(`load ${id} ${readFileSync(file, 'utf8').trim()}`);
      if (r.startsWith('ok ')) return { insns: Number(r.slice(3)), cached: true };
    }
    const r = await this.ask(`compile ${id} ${expression}`);
    if (!r.startsWith('ok ')) return { error: r.replace(/^err /, '') };
    const program = r.slice(3);
    writeFileSync(`${file}.${process.pid}`, program);
    renameSync(`${file}.${process.pid}`, file);
    return { insns: Number(program.slice(0, program.indexOf(' '))), cached: false };
  }

  async hot(id: number, ms: number): Promise<{ ns: number; matches: number }> {
    const r = await this.ask(`hot ${id} ${ms}`);
    if (r.startsWith('err')) throw new Error(r);
    const [ns, matches] = r.split(' ').map(Number);
    return { ns: ns!, matches: matches! };
  }

  async stream(id: number, ms: number): Promise<{ ns: number; first: number; packets: number; matches: number }> {
    const r = await this.ask(`stream ${id} ${ms}`);
    if (r.startsWith('err')) throw new Error(r);
    const [ns, first, packets, matches] = r.split(' ').map(Number);
    return { ns: ns!, first: first!, packets: packets!, matches: matches! };
  }

  close(): void {
    if (!this.exited) {
      this.child.stdin.end('quit\n');
    }
  }
}
