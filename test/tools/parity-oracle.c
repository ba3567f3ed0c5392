/*
 * parity-oracle: libpcap's side of the differential parity harness (test/tools/parity-harness.ts).
 * It compiles filter expressions in the context tcpdump compiles them in and runs libpcap's own
 * bpf_filter() on packets the harness generated, so the harness can compare libpcap's verdicts
 * with tsdump's.
 *
 * Technique: the compile context is a property of the pcap_t handle, not of pcap_compile()'s
 * arguments. `tcpdump -r FILE` compiles on the handle pcap_open_offline() returned for FILE (a
 * savefile handle: libpcap then knows the file's byte order and that no kernel is involved), and
 * `tcpdump -d -y NAME` on pcap_open_dead(). So for each (link type, snaplen, byte order) this
 * helper writes a header-only savefile (24 bytes, no packets) into a temporary directory, opens it
 * with pcap_open_offline() and compiles on that handle ("savefile"), or reads the DLT libpcap maps
 * the file's LINKTYPE to and compiles on pcap_open_dead(DLT, snaplen) ("dead"). tcpdump passes
 * netmask 0 in both cases (it only asks the kernel for a netmask when capturing live).
 *
 * Protocol (TAB-separated lines on stdin, answers on stdout, one line per job):
 *   C CTX LINKTYPE SNAPLEN ENDIAN OPT EXPR
 *       compile only; answers "ok N,code jt jf k,..." (the program as `tcpdump -ddd` on one line)
 *       or "error MESSAGE".
 *   F CTX LINKTYPE SNAPLEN ENDIAN OPT EXPR
 *       compile, then read packet lines "P WIRELEN HEXBYTES" until a line "E"; answers
 *       "ok V1,V2,..." (bpf_filter's return value per packet, in order) or "error MESSAGE".
 * A second mode, `parity-oracle files FILE...`, is `tcpdump -r FILE EXPR` for many expressions
 * at once: it opens every FILE, keeps its handle and its packets, then reads expressions from
 * stdin (one a line) and answers each with one line holding, per file in argument order and
 * separated by TABs, "E" when pcap_compile on that file's handle fails (the first error's text
 * follows the last field as "error MESSAGE") or the comma-separated indices of the packets
 * pcap_offline_filter() accepts.
 * CTX is savefile, dead or live (an activated handle on "lo" for EN10MB, "any" for LINUX_SLL;
 * needs root); LINKTYPE the number stored in files; ENDIAN le or be (the byte order
 * the savefile is written in); OPT 0 or 1. Built at run time by parity-harness.ts with
 * `gcc ... -lpcap`; never committed as a binary.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir_path[256];

static void put32(unsigned char *p, uint32_t v, int be) {
    for (int i = 0; i < 4; i++) p[be ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}
static void put16(unsigned char *p, uint16_t v, int be) {
    for (int i = 0; i < 2; i++) p[be ? 1 - i : i] = (unsigned char)(v >> (8 * i));
}

/* Writes (once per key) an empty savefile of the link type and returns its path. */
static const char *savefile_for(unsigned linktype, unsigned snaplen, int be) {
    static char path[512];
    snprintf(path, sizeof path, "%s/lt%u-s%u-%s.pcap", tmpdir_path, linktype, snaplen, be ? "be" : "le");
    if (access(path, R_OK) == 0) return path;
    unsigned char h[24];
    put32(h, 0xa1b2c3d4u, be);
    put16(h + 4, 2, be);
    put16(h + 6, 4, be);
    put32(h + 8, 0, be);
    put32(h + 12, 0, be);
    put32(h + 16, snaplen, be);
    put32(h + 20, linktype, be);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(h, 1, sizeof h, f) != sizeof h) { perror(path); exit(2); }
    fclose(f);
    return path;
}

/*
 * The live handle for a link type, as tcpdump -i opens it (pcap_create + pcap_activate, no
 * filter): the loopback device for Ethernet, the "any" device for Linux cooked (v1) headers.
 * Needs root (or CAP_NET_RAW). Opened once and kept: activation sets up a kernel ring.
 */
static pcap_t *live_en10mb, *live_sll;
static pcap_t *live_handle(int dlt, char *err, size_t elen) {
    pcap_t **slot = dlt == DLT_EN10MB ? &live_en10mb : dlt == DLT_LINUX_SLL ? &live_sll : NULL;
    if (!slot) { snprintf(err, elen, "live: no device for DLT %d", dlt); return NULL; }
    if (*slot) return *slot;
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *l = pcap_create(dlt == DLT_EN10MB ? "lo" : "any", errbuf);
    if (!l) { snprintf(err, elen, "live: %s", errbuf); return NULL; }
    pcap_set_snaplen(l, 262144);
    pcap_set_buffer_size(l, 1 << 16);
    if (pcap_activate(l) < 0) { snprintf(err, elen, "live: %s", pcap_geterr(l)); pcap_close(l); return NULL; }
    if (pcap_datalink(l) != dlt) { snprintf(err, elen, "live: device gives DLT %d", pcap_datalink(l)); pcap_close(l); return NULL; }
    *slot = l;
    return l;
}

/* Compiles per the job fields; 1 on success, else writes the error into err. */
static int compile_job(char **f, struct bpf_program *prog, char *err, size_t elen) {
    const char *ctx = f[0];
    unsigned linktype = (unsigned)strtoul(f[1], NULL, 0);
    unsigned snaplen = (unsigned)strtoul(f[2], NULL, 0);
    int be = strcmp(f[3], "be") == 0;
    int opt = atoi(f[4]);
    const char *expr = f[5];
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(savefile_for(linktype, snaplen, be), errbuf);
    if (!p) { snprintf(err, elen, "open: %s", errbuf); return 0; }
    if (strcmp(ctx, "dead") == 0) {
        int dlt = pcap_datalink(p);
        pcap_close(p);
        p = pcap_open_dead(dlt, (int)snaplen);
        if (!p) { snprintf(err, elen, "pcap_open_dead failed"); return 0; }
    } else if (strcmp(ctx, "live") == 0) {
        /* tcpdump -i: an activated capture handle (kept open, one per device) */
        int dlt = pcap_datalink(p);
        pcap_close(p);
        pcap_t *l = live_handle(dlt, err, elen);
        if (!l) return 0;
        if (pcap_compile(l, prog, expr, opt, 0) != 0) { snprintf(err, elen, "%s", pcap_geterr(l)); return 0; }
        return 1;
    }
    if (pcap_compile(p, prog, expr, opt, 0) != 0) {
        snprintf(err, elen, "%s", pcap_geterr(p));
        pcap_close(p);
        return 0;
    }
    pcap_close(p);
    return 1;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static char line[1 << 20];

static void chomp(void) {
    size_t L = strlen(line);
    while (L > 0 && (line[L - 1] == '\n' || line[L - 1] == '\r')) line[--L] = '\0';
}

struct sfile { pcap_t *p; size_t n, cap; struct pcap_pkthdr *h; u_char **d; };

static int files_mode(int argc, char **argv) {
    int nf = argc - 2;
    struct sfile *fs = calloc((size_t)nf, sizeof *fs);
    char errbuf[PCAP_ERRBUF_SIZE];
    for (int i = 0; i < nf; i++) {
        struct sfile *f = &fs[i];
        f->p = pcap_open_offline(argv[i + 2], errbuf);
        if (!f->p) { fprintf(stderr, "%s: %s\n", argv[i + 2], errbuf); return 2; }
        struct pcap_pkthdr *h; const u_char *d;
        while (pcap_next_ex(f->p, &h, &d) == 1) {
            if (f->n == f->cap) {
                f->cap = f->cap ? f->cap * 2 : 64;
                f->h = realloc(f->h, f->cap * sizeof *f->h);
                f->d = realloc(f->d, f->cap * sizeof *f->d);
            }
            f->h[f->n] = *h;
            f->d[f->n] = malloc(h->caplen ? h->caplen : 1);
            memcpy(f->d[f->n], d, h->caplen);
            f->n++;
        }
    }
    while (fgets(line, sizeof line, stdin)) {
        chomp();
        char firsterr[PCAP_ERRBUF_SIZE + 64] = "";
        for (int i = 0; i < nf; i++) {
            struct sfile *f = &fs[i];
            struct bpf_program prog;
            if (i) putchar('\t');
            if (pcap_compile(f->p, &prog, line, 1, 0) != 0) {
                if (!firsterr[0]) snprintf(firsterr, sizeof firsterr, "%s", pcap_geterr(f->p));
                putchar('E');
                continue;
            }
            int first = 1;
            for (size_t j = 0; j < f->n; j++) {
                if (pcap_offline_filter(&prog, &f->h[j], f->d[j])) { printf(first ? "%zu" : ",%zu", j); first = 0; }
            }
            pcap_freecode(&prog);
        }
        if (firsterr[0]) printf("\terror %s", firsterr);
        putchar('\n');
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "files") == 0) return files_mode(argc, argv);
    snprintf(tmpdir_path, sizeof tmpdir_path, "%s/parity-oracle-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir_path)) { perror("mkdtemp"); return 2; }
    static unsigned char pkt[1 << 18];
    char err[PCAP_ERRBUF_SIZE + 64];
    while (fgets(line, sizeof line, stdin)) {
        chomp();
        char kind = line[0];
        if ((kind != 'C' && kind != 'F') || line[1] != '\t') { printf("error\tmalformed job line\n"); fflush(stdout); continue; }
        char *f[6]; int nf = 0; char *s = line + 2;
        while (nf < 5) {
            char *t = strchr(s, '\t');
            if (!t) break;
            *t = '\0'; f[nf++] = s; s = t + 1;
        }
        if (nf < 5) { printf("error\tmalformed job line\n"); fflush(stdout); continue; }
        f[5] = s;
        struct bpf_program prog;
        int ok = compile_job(f, &prog, err, sizeof err);
        if (kind == 'C') {
            if (!ok) printf("error\t%s\n", err);
            else {
                printf("ok\t%u", prog.bf_len);
                for (u_int i = 0; i < prog.bf_len; i++) {
                    const struct bpf_insn *in = &prog.bf_insns[i];
                    printf(",%u %u %u %u", in->code, in->jt, in->jf, in->k);
                }
                putchar('\n');
                pcap_freecode(&prog);
            }
            fflush(stdout);
            continue;
        }
        /* F: packets follow. */
        if (ok) fputs("ok\t", stdout); else printf("error\t%s", err);
        int first = 1;
        while (fgets(line, sizeof line, stdin)) {
            chomp();
            if (line[0] == 'E') break;
            if (line[0] != 'P') continue;
            char *q = line + 2;
            unsigned wirelen = (unsigned)strtoul(q, &q, 10);
            if (*q == '\t') q++;
            size_t n = 0;
            while (q[0] && q[1] && n < sizeof pkt) {
                pkt[n++] = (unsigned char)(hexval(q[0]) * 16 + hexval(q[1]));
                q += 2;
            }
            if (!ok) continue;
            u_int v = bpf_filter(prog.bf_insns, pkt, wirelen, (u_int)n);
            printf(first ? "%u" : ",%u", v);
            first = 0;
        }
        if (ok) pcap_freecode(&prog);
        putchar('\n');
        fflush(stdout);
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir_path);
    if (system(cmd) != 0) return 1;
    return 0;
}
