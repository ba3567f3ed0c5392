/*
 * kernel-oracle: a thin shim that lets the test suite ask the Linux kernel to verify and run an
 * eBPF program, so the kernel's verifier and JIT can serve as an independent oracle for tsdump's
 * interpreter and JIT.
 *
 * Technique: no libbpf, only the raw bpf(2) system call (syscall(__NR_bpf, cmd, &attr, size)).
 * BPF_PROG_LOAD loads the instructions (first with logging off, which is fast; on failure once
 * more with log_level 1 so the caller gets the verifier's reason), BPF_PROG_TEST_RUN runs the
 * program once on caller-supplied packet data and/or context, and the fd is closed again.
 *
 * All policy (which program type, what prologue to wrap around a test program, how to read the
 * result back) lives in the TypeScript wrapper kernel-oracle.ts; this file only moves bytes. It
 * reads one request per line on stdin and answers one line on stdout, so a single process serves
 * thousands of programs:
 *
 *   probe
 *     -> "probe <uname release> <bpf_jit_enable or ->"
 *   run <prog_type> <prog_flags> <insn_hex> <data_hex|-> <data_out_size> <ctx_hex|-> [repeat]
 *     -> "ok <retval as 8 hex digits> <data_out hex|-> <ctx after the run hex|-> <ns per run>"
 *     -> "reject <errno> <verifier log, escaped onto one line>"
 *     -> "fail <stage> <errno> <strerror>"   (the program loaded but BPF_PROG_TEST_RUN failed)
 *   log <prog_type> <prog_flags> <insn_hex>
 *     -> "log <errno or 0> <verifier log at level 2 (every state), escaped>"   (for diagnosis)
 *
 * Hex strings are plain lowercase pairs without separators. The log is escaped so that it stays
 * on one line: backslash becomes "\\" and newline becomes "\n". The retval is what the kernel
 * reports: a 32-bit value (struct bpf_attr's test.retval is a __u32 for every program type).
 * For BPF_PROG_TYPE_SYSCALL the kernel writes the context back into ctx_in, which is how a
 * caller can read a full 64-bit result that the program stored there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define LOG_SIZE (4u << 20)

static char *log_buf;

static long sys_bpf(int cmd, union bpf_attr *attr) {
  return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* Decodes a hex string into a fresh buffer; "-" means empty. Returns the byte count or -1. */
static long unhex(const char *s, uint8_t **out) {
  size_t n = strlen(s);
  *out = NULL;
  if (strcmp(s, "-") == 0) return 0;
  if (n % 2 != 0) return -1;
  uint8_t *b = malloc(n / 2 + 1);
  if (!b) return -1;
  for (size_t i = 0; i < n / 2; i++) {
    unsigned v;
    if (sscanf(s + 2 * i, "%2x", &v) != 1) { free(b); return -1; }
    b[i] = (uint8_t)v;
  }
  *out = b;
  return (long)(n / 2);
}

static void put_hex(const uint8_t *b, size_t n) {
  if (n == 0) { fputs("-", stdout); return; }
  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}

/* Prints the verifier log on one line (see the escaping rule above). */
static void put_escaped(const char *s) {
  for (; *s; s++) {
    if (*s == '\\') fputs("\\\\", stdout);
    else if (*s == '\n') fputs("\\n", stdout);
    else putchar(*s);
  }
}

static void do_probe(void) {
  struct utsname u;
  uname(&u);
  char jit[32] = "-";
  FILE *f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
  if (f) {
    if (fgets(jit, sizeof jit, f)) jit[strcspn(jit, "\n")] = 0;
    fclose(f);
  }
  printf("probe %s %s\n", u.release, jit);
}

static void do_run(char *args) {
  char *save = NULL;
  char *f_type = strtok_r(args, " ", &save);
  char *f_flags = strtok_r(NULL, " ", &save);
  char *f_insns = strtok_r(NULL, " ", &save);
  char *f_data = strtok_r(NULL, " ", &save);
  char *f_out = strtok_r(NULL, " ", &save);
  char *f_ctx = strtok_r(NULL, " ", &save);
  char *f_repeat = strtok_r(NULL, " ", &save); /* optional: the kernel runs the program N times */
  if (!f_ctx) { printf("fail parse 0 expected 6 fields\n"); return; }

  uint8_t *insns = NULL, *data = NULL, *ctx = NULL, *data_out = NULL;
  long n_insns = unhex(f_insns, &insns);
  long n_data = unhex(f_data, &data);
  long n_ctx = unhex(f_ctx, &ctx);
  long n_out = strtol(f_out, NULL, 10);
  if (n_insns <= 0 || n_insns % 8 != 0 || n_data < 0 || n_ctx < 0 || n_out < 0) {
    printf("fail parse 0 bad hex or sizes\n");
    goto done;
  }

  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.prog_type = (uint32_t)strtoul(f_type, NULL, 10);
  a.prog_flags = (uint32_t)strtoul(f_flags, NULL, 10);
  a.insn_cnt = (uint32_t)(n_insns / 8);
  a.insns = (uint64_t)(uintptr_t)insns;
  a.license = (uint64_t)(uintptr_t) "GPL";
  int fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
  if (fd < 0) {
    /* Load again with the verifier log on: slower, but only for rejected programs. */
    int first_errno = errno;
    log_buf[0] = 0;
    a.log_level = 1;
    a.log_size = LOG_SIZE;
    a.log_buf = (uint64_t)(uintptr_t)log_buf;
    int fd2 = (int)sys_bpf(BPF_PROG_LOAD, &a);
    if (fd2 >= 0) close(fd2); /* accepted with logging on: report the first errno anyway */
    printf("reject %d ", first_errno);
    put_escaped(log_buf[0] ? log_buf : strerror(first_errno));
    putchar('\n');
    goto done;
  }

  if (n_out > 0) data_out = calloc(1, (size_t)n_out);
  union bpf_attr t;
  memset(&t, 0, sizeof t);
  t.test.prog_fd = (uint32_t)fd;
  t.test.data_in = (uint64_t)(uintptr_t)data;
  t.test.data_size_in = (uint32_t)n_data;
  t.test.data_out = (uint64_t)(uintptr_t)data_out;
  t.test.data_size_out = (uint32_t)n_out;
  t.test.ctx_in = (uint64_t)(uintptr_t)ctx;
  t.test.ctx_size_in = (uint32_t)n_ctx;
  if (f_repeat) t.test.repeat = (uint32_t)strtoul(f_repeat, NULL, 10);
  if (sys_bpf(BPF_PROG_TEST_RUN, &t) < 0) {
    int e = errno;
    printf("fail test_run %d %s\n", e, strerror(e));
    close(fd);
    goto done;
  }
  close(fd);
  printf("ok %08x ", t.test.retval);
  put_hex(data_out, n_out > 0 ? t.test.data_size_out : 0);
  putchar(' ');
  put_hex(ctx, (size_t)n_ctx);
  printf(" %u\n", t.test.duration); /* average ns per run, measured by the kernel */

done:
  free(insns);
  free(data);
  free(ctx);
  free(data_out);
}

/* Loads with the most verbose verifier log and prints it, accepted or not. */
static void do_log(char *args) {
  char *save = NULL;
  char *f_type = strtok_r(args, " ", &save);
  char *f_flags = strtok_r(NULL, " ", &save);
  char *f_insns = strtok_r(NULL, " ", &save);
  uint8_t *insns = NULL;
  long n_insns = f_insns ? unhex(f_insns, &insns) : -1;
  if (!f_flags || n_insns <= 0 || n_insns % 8 != 0) {
    printf("fail parse 0 bad log request\n");
    free(insns);
    return;
  }
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.prog_type = (uint32_t)strtoul(f_type, NULL, 10);
  a.prog_flags = (uint32_t)strtoul(f_flags, NULL, 10);
  a.insn_cnt = (uint32_t)(n_insns / 8);
  a.insns = (uint64_t)(uintptr_t)insns;
  a.license = (uint64_t)(uintptr_t) "GPL";
  log_buf[0] = 0;
  a.log_level = 2;
  a.log_size = LOG_SIZE;
  a.log_buf = (uint64_t)(uintptr_t)log_buf;
  int fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
  printf("log %d ", fd < 0 ? errno : 0);
  if (fd >= 0) close(fd);
  put_escaped(log_buf);
  putchar('\n');
  free(insns);
}

int main(void) {
  log_buf = malloc(LOG_SIZE);
  if (!log_buf) return 1;
  /* Requests can carry long hex programs: read whole lines with getline. */
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, stdin)) >= 0) {
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    if (strcmp(line, "probe") == 0) do_probe();
    else if (strncmp(line, "run ", 4) == 0) do_run(line + 4);
    else if (strncmp(line, "log ", 4) == 0) do_log(line + 4);
    else if (n > 0) printf("fail parse 0 unknown request\n");
    fflush(stdout);
  }
  free(line);
  free(log_buf);
  return 0;
}
