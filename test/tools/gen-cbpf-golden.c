/*
 * Oracle helper for test/tools/gen-cbpf-golden.ts: runs libpcap's own printer, validator and
 * interpreter (bpf_dump, bpf_validate, bpf_filter from the installed libpcap) on programs read
 * from stdin, so the golden data records what libpcap 1.10.3 does. Built and run by the script;
 * never by tests.
 *
 *   dump:   each input line is a program in one-line -ddd form ("N,code jt jf k,...");
 *           prints "@@ d", bpf_dump(...,1), "@@ dd", bpf_dump(...,2), "@@ ddd", bpf_dump(...,3),
 *           "@@ end" for each.
 *   filter: each input line is "<program>\t<packet hex>\t<wirelen>"; prints one line
 *           "<bpf_validate result> <bpf_filter result>" — bpf_filter runs in a child process,
 *           so a crash (1.10.3 aborts on unknown opcodes, traps on division by constant 0)
 *           is reported as "signal <n>" instead of killing the run.
 *   validate: each input line is a program; prints bpf_validate's result (1 or 0).
 *   attach: each input line is a program; prints "1" when the running kernel accepts it with
 *           setsockopt(SO_ATTACH_FILTER) (its classic-BPF checker), else "0 <errno>".
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <errno.h>
#include <linux/filter.h>

static struct bpf_insn insns[70000];
static unsigned char pkt[70000];

/* Parses "N,c jt jf k,..." into insns; returns N or -1. */
static int parse_prog(char *s) {
  char *save = NULL;
  char *tok = strtok_r(s, ",", &save);
  if (!tok) return -1;
  int n = atoi(tok);
  for (int i = 0; i < n; i++) {
    tok = strtok_r(NULL, ",", &save);
    if (!tok) return -1;
    unsigned code, jt, jf;
    unsigned long k;
    if (sscanf(tok, "%u %u %u %lu", &code, &jt, &jf, &k) != 4) return -1;
    insns[i].code = (unsigned short)code;
    insns[i].jt = (unsigned char)jt;
    insns[i].jf = (unsigned char)jf;
    insns[i].k = (bpf_u_int32)k;
  }
  return n;
}

int main(int argc, char **argv) {
  static char line[1 << 20];
  if (argc != 2) return 2;
  int filter = strcmp(argv[1], "filter") == 0;
  if (strcmp(argv[1], "validate") == 0) {
    while (fgets(line, sizeof line, stdin)) {
      line[strcspn(line, "\n")] = 0;
      int n = parse_prog(line);
      printf("%d\n", n < 0 ? -1 : bpf_validate(insns, n));
    }
    return 0;
  }
  if (strcmp(argv[1], "attach") == 0) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 3; }
    while (fgets(line, sizeof line, stdin)) {
      line[strcspn(line, "\n")] = 0;
      int n = parse_prog(line);
      if (n < 0) { printf("error\n"); continue; }
      struct sock_fprog fp = { (unsigned short)n, (struct sock_filter *)insns };
      if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) == 0) printf("1\n");
      else printf("0 %d\n", errno);
    }
    return 0;
  }
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\n")] = 0;
    if (!filter) {
      int n = parse_prog(line);
      if (n < 0) { printf("@@ error\n"); continue; }
      struct bpf_program p = { (u_int)n, insns };
      printf("@@ d\n"); bpf_dump(&p, 1);
      printf("@@ dd\n"); bpf_dump(&p, 2);
      printf("@@ ddd\n"); bpf_dump(&p, 3);
      printf("@@ end\n");
      fflush(stdout);
      continue;
    }
    char *tab1 = strchr(line, '\t');
    char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
    if (!tab2) { printf("error\n"); continue; }
    *tab1 = 0; *tab2 = 0;
    int n = parse_prog(line);
    size_t plen = strlen(tab1 + 1) / 2;
    for (size_t i = 0; i < plen; i++) { unsigned b; sscanf(tab1 + 1 + 2 * i, "%2x", &b); pkt[i] = (unsigned char)b; }
    unsigned wirelen = (unsigned)strtoul(tab2 + 1, NULL, 10);
    if (n < 0) { printf("error\n"); continue; }
    int valid = bpf_validate(insns, n);
    int fds[2];
    if (pipe(fds) != 0) return 3;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      alarm(5); /* an endless loop (ja -1) is reported as signal 14 */
      u_int r = bpf_filter(insns, pkt, wirelen, (u_int)plen);
      if (write(fds[1], &r, sizeof r) != sizeof r) _exit(4);
      _exit(0);
    }
    close(fds[1]);
    u_int r = 0;
    ssize_t got = read(fds[0], &r, sizeof r);
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    if (WIFSIGNALED(st)) printf("%d signal %d\n", valid, WTERMSIG(st));
    else if (got == (ssize_t)sizeof r) printf("%d %u\n", valid, r);
    else printf("%d error\n", valid);
  }
  return 0;
}
