/*
 * verifier-elf-kernel: asks the running kernel whether it accepts the programs tsdump's ELF
 * loader produced, with real maps. For each input line
 *
 *   load <prog_type> <map>... -- <insn_hex>
 *   where each <map> is <type>:<key_size>:<value_size>:<max_entries>:<flags>:<value0_hex or ->
 *
 * it creates the maps with BPF_MAP_CREATE (writing element 0 when a value is given: global data),
 * replaces the imm of every lddw whose src is BPF_PSEUDO_MAP_FD or BPF_PSEUDO_MAP_VALUE — tsdump
 * numbers maps 1..n in the order given — with the new map fds, loads the program with
 * BPF_PROG_LOAD (license GPL, verifier log level 1) and answers one line:
 *
 *   ok
 *   reject <errno> <last meaningful line of the verifier log>
 *   error <what>
 *
 * With `run` instead of `load` and a comma-separated list of packets after the instructions,
 *
 *   run <prog_type> <map>... -- <insn_hex> <packet_hex>,<packet_hex>,...
 *
 * it also runs the program once per packet with BPF_PROG_TEST_RUN and answers
 *
 *   ran <r0 of each packet, comma-separated> <dump of map 1> <dump of map 2> ...
 *
 * where a dump is `key=value;key=value…` in hex in the kernel's iteration order (BPF_MAP_GET_NEXT_KEY
 * from no key), or `-` for maps that cannot be read by key (ring buffers, program arrays).
 *
 * Only the raw bpf(2) system call is used; every fd is closed before the next line.
 * Built and driven by test/tools/gen-elf-kernel-verdicts.ts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { MAX_MAPS = 32, LOG_BYTES = 1 << 22 };

static int bpf(int cmd, union bpf_attr *attr) { return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr)); }

/* Hex text to bytes in a new buffer; returns the length, -1 on bad input. */
static long from_hex(const char *text, unsigned char **out) {
  size_t len = strlen(text);
  if (len % 2) return -1;
  unsigned char *buf = calloc(len / 2 + 1, 1);
  for (size_t i = 0; i < len / 2; i++) {
    unsigned byte;
    if (sscanf(text + 2 * i, "%2x", &byte) != 1) { free(buf); return -1; }
    buf[i] = (unsigned char)byte;
  }
  *out = buf;
  return (long)(len / 2);
}

/* The verifier's complaint: the last log line that is not a statistics line. */
static void print_reason(char *log) {
  char *best = "";
  for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
    if (strncmp(line, "processed ", 10) == 0 || strncmp(line, "verification time", 17) == 0 || strncmp(line, "stack depth", 11) == 0) continue;
    best = line;
  }
  printf("%s\n", best);
}

static void print_hex(const unsigned char *b, unsigned n) {
  for (unsigned i = 0; i < n; i++) printf("%02x", b[i]);
}

/* BPF_PROG_TEST_RUN once per packet, then every readable map dumped in iteration order. */
static void run_and_dump(int prog, char *packets, int nmaps, const int *fds, const unsigned *types, const unsigned *keys, const unsigned *values) {
  printf("ran ");
  int first = 1;
  for (char *pk = packets ? strtok(packets, ",") : NULL; pk; pk = strtok(NULL, ",")) {
    unsigned char *data;
    long len = from_hex(pk, &data);
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.test.prog_fd = prog;
    a.test.data_in = (uint64_t)(uintptr_t)data;
    a.test.data_size_in = (uint32_t)len;
    a.test.repeat = 1;
    int r = bpf(BPF_PROG_TEST_RUN, &a);
    printf(first ? "%s" : ",%s", "");
    if (r < 0) printf("E%d", errno);
    else printf("%u", a.test.retval);
    first = 0;
    free(data);
  }
  for (int m = 0; m < nmaps; m++) {
    printf(" ");
    if (types[m] == BPF_MAP_TYPE_RINGBUF || types[m] == BPF_MAP_TYPE_PROG_ARRAY || keys[m] == 0) { printf("-"); continue; }
    unsigned char key[512], next[512], *val = malloc(values[m] * 256 + 8);
    int have = 0, n = 0;
    for (;;) {
      union bpf_attr a;
      memset(&a, 0, sizeof a);
      a.map_fd = fds[m];
      a.key = have ? (uint64_t)(uintptr_t)key : 0;
      a.next_key = (uint64_t)(uintptr_t)next;
      if (bpf(BPF_MAP_GET_NEXT_KEY, &a) < 0) break;
      memcpy(key, next, keys[m]);
      have = 1;
      memset(&a, 0, sizeof a);
      a.map_fd = fds[m];
      a.key = (uint64_t)(uintptr_t)key;
      a.value = (uint64_t)(uintptr_t)val;
      if (bpf(BPF_MAP_LOOKUP_ELEM, &a) < 0) continue;
      printf(n++ ? ";" : "");
      print_hex(key, keys[m]);
      printf("=");
      print_hex(val, values[m]);
    }
    if (n == 0) printf("(empty)");
    free(val);
  }
  printf("\n");
}

int main(void) {
  static char line[1 << 20];
  char *log = malloc(LOG_BYTES);
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    int fds[MAX_MAPS];
    int nmaps = 0;
    char *tok = strtok(line, " ");
    if (!tok || (strcmp(tok, "load") != 0 && strcmp(tok, "run") != 0)) { printf("error bad request\n"); continue; }
    int run = strcmp(tok, "run") == 0;
    unsigned types[MAX_MAPS], keys[MAX_MAPS], values[MAX_MAPS];
    char *packets = NULL;
    int prog_type = atoi(strtok(NULL, " "));
    char *insn_hex = NULL;
    int failed = 0;
    while ((tok = strtok(NULL, " "))) {
      if (strcmp(tok, "--") == 0) { insn_hex = strtok(NULL, " "); packets = strtok(NULL, " "); break; }
      unsigned type, key, value, max, flags;
      char init[1 << 16];
      if (sscanf(tok, "%u:%u:%u:%u:%u:%65535s", &type, &key, &value, &max, &flags, init) != 6 || nmaps == MAX_MAPS) { failed = 1; break; }
      union bpf_attr a;
      memset(&a, 0, sizeof a);
      a.map_type = type;
      a.key_size = key;
      a.value_size = value;
      a.max_entries = max;
      a.map_flags = flags;
      int fd = bpf(BPF_MAP_CREATE, &a);
      if (fd < 0) { printf("error map_create %s\n", strerror(errno)); failed = 2; break; }
      types[nmaps] = type;
      keys[nmaps] = key;
      values[nmaps] = value;
      fds[nmaps++] = fd;
      if (strcmp(init, "-") != 0) {
        unsigned char *val;
        if (from_hex(init, &val) != (long)value) { failed = 1; break; }
        uint32_t zero = 0;
        memset(&a, 0, sizeof a);
        a.map_fd = fd;
        a.key = (uint64_t)(uintptr_t)&zero;
        a.value = (uint64_t)(uintptr_t)val;
        int r = bpf(BPF_MAP_UPDATE_ELEM, &a);
        free(val);
        if (r < 0) { printf("error map_update %s\n", strerror(errno)); failed = 2; break; }
      }
    }
    unsigned char *insns = NULL;
    long n = failed || !insn_hex ? -1 : from_hex(insn_hex, &insns);
    if (!failed && (n <= 0 || n % 8)) failed = 1;
    if (failed == 1) printf("error bad request\n");
    if (!failed) {
      struct bpf_insn *pi = (struct bpf_insn *)insns;
      for (long i = 0; i < n / 8; i++) {
        if (pi[i].code == (BPF_LD | BPF_IMM | BPF_DW) && (pi[i].src_reg == BPF_PSEUDO_MAP_FD || pi[i].src_reg == BPF_PSEUDO_MAP_VALUE)) {
          int id = pi[i].imm;
          if (id < 1 || id > nmaps) { failed = 1; break; }
          pi[i].imm = fds[id - 1];
        }
      }
      if (failed) printf("error bad map reference\n");
    }
    if (!failed) {
      union bpf_attr a;
      memset(&a, 0, sizeof a);
      a.prog_type = prog_type;
      a.insns = (uint64_t)(uintptr_t)insns;
      a.insn_cnt = (uint32_t)(n / 8);
      a.license = (uint64_t)(uintptr_t)"GPL";
      log[0] = 0;
      a.log_buf = (uint64_t)(uintptr_t)log;
      a.log_size = LOG_BYTES;
      a.log_level = 1;
      int fd = bpf(BPF_PROG_LOAD, &a);
      if (fd >= 0 && !run) {
        printf("ok\n");
        close(fd);
      } else if (fd >= 0) {
        run_and_dump(fd, packets, nmaps, fds, types, keys, values);
        close(fd);
      } else {
        printf("reject %d ", errno);
        print_reason(log);
      }
    }
    free(insns);
    for (int i = 0; i < nmaps; i++) close(fds[i]);
    fflush(stdout);
  }
  return 0;
}
