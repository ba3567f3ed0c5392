/*
 * elf-object-kernel-run: runs a clang-built eBPF object in the Linux kernel the way a libbpf
 * tool would, so tests can compare tsdump's object runs with the kernel's. Needs root, libbpf
 * and gcc: gcc -O2 -o elf-object-kernel-run elf-object-kernel-run.c -lbpf
 *
 *   elf-object-kernel-run OBJECT PROGRAM [PIN_DIR]
 *
 * libbpf opens and loads the whole object (maps, global data, relocations, BTF), then the
 * program named PROGRAM is run once per input packet with BPF_PROG_TEST_RUN. Input lines:
 *
 *   map NAME KEY_HEX VALUE_HEX     update element KEY of map NAME (before any packet)
 *   pkt HEX                        run the program on this packet
 *
 * Output lines:
 *
 *   ok                             after the object is loaded
 *   run R0 OUT_HEX                 r0 (unsigned) and the packet as the program left it
 *   err ERRNO                      the kernel refused to run this packet (e.g. too short)
 *   ring NAME HEX                  a ring-buffer record, right after the run that produced it
 *   perf NAME HEX                  a perf-event record (its raw sample, which the kernel pads so
 *                                  that size + 4 is a multiple of 8), likewise
 *   map NAME KEY=VALUE;...         at the end, every map's elements in the kernel's iteration
 *                                  order (`-` for ring buffers, program and perf event arrays)
 *   error WHAT                     a failure that stops the run
 *
 * Global-data maps are named by their section (`.bss`, `.data`, `.rodata`), as tsdump names
 * them, not by libbpf's "<object>.bss". With PIN_DIR, every map is also pinned there (under
 * the same names, a leading dot made `_`) so `bpftool map dump -j pinned PIN_DIR/NAME` can
 * read it; the caller removes the pins.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args) {
  (void)level; (void)fmt; (void)args;
  return 0;
}

static void print_hex(const unsigned char *b, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}

/* Hex text to bytes; returns the length or -1. */
static long from_hex(const char *text, unsigned char *out, size_t cap) {
  size_t len = strlen(text);
  if (len % 2 || len / 2 > cap) return -1;
  for (size_t i = 0; i < len / 2; i++) {
    unsigned byte;
    if (sscanf(text + 2 * i, "%2x", &byte) != 1) return -1;
    out[i] = (unsigned char)byte;
  }
  return (long)(len / 2);
}

/* tsdump's name for a map: the section for global data, else libbpf's name. */
static const char *map_name(const struct bpf_map *m) {
  const char *n = bpf_map__name(m);
  if (bpf_map__is_internal(m)) {
    const char *dot = strchr(n, '.');
    if (dot) return dot;
  }
  return n;
}

static void on_sample(void *ctx, int cpu, void *data, __u32 size) {
  (void)cpu;
  printf("perf %s ", (const char *)ctx);
  print_hex(data, size);
  printf("\n");
}

static int on_record(void *ctx, void *data, size_t size) {
  printf("ring %s ", (const char *)ctx);
  print_hex(data, size);
  printf("\n");
  return 0;
}

enum { MAX_PACKET = 1 << 16, MAX_KV = 1 << 16 };

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s OBJECT PROGRAM [PIN_DIR]\n", argv[0]);
    return 2;
  }
  libbpf_set_print(quiet);
  struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
  if (!obj) { printf("error open %d\n", errno); return 1; }
  if (bpf_object__load(obj)) { printf("error load %d\n", errno); return 1; }
  struct bpf_program *prog = bpf_object__find_program_by_name(obj, argv[2]);
  if (!prog) { printf("error no program %s\n", argv[2]); return 1; }
  int prog_fd = bpf_program__fd(prog);

  struct ring_buffer *rings = NULL;
  struct perf_buffer *perf = NULL;
  struct bpf_map *m;
  bpf_object__for_each_map(m, obj) {
    if (argc > 3) {
      char path[4096];
      /* bpffs refuses names starting with a dot: `.bss` is pinned as `_bss`. */
      const char *n = map_name(m);
      snprintf(path, sizeof path, "%s/%s%s", argv[3], n[0] == '.' ? "_" : "", n[0] == '.' ? n + 1 : n);
      if (bpf_map__pin(m, path)) { printf("error pin %s %d\n", path, errno); return 1; }
    }
    if (bpf_map__type(m) == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
      if (perf) { printf("error one perf event array only\n"); return 1; }
      perf = perf_buffer__new(bpf_map__fd(m), 8, on_sample, NULL, (void *)map_name(m), NULL);
      if (!perf) { printf("error perf buffer %d\n", errno); return 1; }
      continue;
    }
    if (bpf_map__type(m) != BPF_MAP_TYPE_RINGBUF) continue;
    if (!rings) rings = ring_buffer__new(bpf_map__fd(m), on_record, (void *)map_name(m), NULL);
    else if (ring_buffer__add(rings, bpf_map__fd(m), on_record, (void *)map_name(m))) rings = NULL;
    if (!rings) { printf("error ring buffer %d\n", errno); return 1; }
  }
  printf("ok\n");
  fflush(stdout);

  static char line[4 * MAX_PACKET];
  static unsigned char in[MAX_PACKET], out[MAX_PACKET + 4096], key[MAX_KV], val[MAX_KV];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = 0;
    if (strncmp(line, "map ", 4) == 0) {
      char *name = strtok(line + 4, " "), *k = strtok(NULL, " "), *v = strtok(NULL, " ");
      struct bpf_map *target = NULL;
      bpf_object__for_each_map(m, obj) if (name && strcmp(map_name(m), name) == 0) target = m;
      long kl = k ? from_hex(k, key, sizeof key) : -1, vl = v ? from_hex(v, val, sizeof val) : -1;
      if (!target || kl < 0 || vl < 0) { printf("error bad map line\n"); return 1; }
      if (bpf_map_update_elem(bpf_map__fd(target), key, val, BPF_ANY)) { printf("error update %s %d\n", name, errno); return 1; }
      continue;
    }
    if (strncmp(line, "pkt ", 4) != 0) { printf("error bad line\n"); return 1; }
    long n = from_hex(line + 4, in, sizeof in);
    if (n < 0) { printf("error bad packet\n"); return 1; }
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = (__u32)n, .data_out = out,
                .data_size_out = sizeof out, .repeat = 1);
    if (bpf_prog_test_run_opts(prog_fd, &opts)) {
      printf("err %d\n", errno);
    } else {
      printf("run %u ", opts.retval);
      print_hex(out, opts.data_size_out);
      printf("\n");
    }
    if (rings) ring_buffer__consume(rings);
    if (perf) perf_buffer__consume(perf);
    fflush(stdout);
  }

  bpf_object__for_each_map(m, obj) {
    enum bpf_map_type t = bpf_map__type(m);
    printf("map %s ", map_name(m));
    if (t == BPF_MAP_TYPE_RINGBUF || t == BPF_MAP_TYPE_PROG_ARRAY || t == BPF_MAP_TYPE_PERF_EVENT_ARRAY) { printf("-\n"); continue; }
    int fd = bpf_map__fd(m);
    size_t ks = bpf_map__key_size(m), vs = bpf_map__value_size(m);
    int first = 1, have = bpf_map_get_next_key(fd, NULL, key) == 0;
    while (have) {
      if (bpf_map_lookup_elem(fd, key, val) == 0) {
        if (!first) printf(";");
        first = 0;
        print_hex(key, ks);
        printf("=");
        print_hex(val, vs);
      }
      static unsigned char next[MAX_KV];
      have = bpf_map_get_next_key(fd, key, next) == 0;
      memcpy(key, next, ks);
    }
    printf("\n");
  }
  ring_buffer__free(rings);
  perf_buffer__free(perf);
  bpf_object__close(obj);
  return 0;
}
