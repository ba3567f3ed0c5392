/*
 * libpcap-oracle: asks the installed libpcap (1.10.3 on the reference machines) what a filter
 * expression compiles to and what the compiled program returns on each packet of some capture
 * files. It is the ground truth the golden verdict files under filters/ are generated from.
 *
 * Built at generation time by test/tools/libpcap-oracle.ts (`gcc -O2 ... -lpcap`); never
 * committed as a binary. Technique: compile with pcap_compile() on a pcap_open_dead() handle (so
 * no capture device and no Linux kernel extensions are involved), read every packet with
 * pcap_next_ex() from pcap_open_offline_with_tstamp_precision() until the end or the first read
 * error (what libpcap itself would deliver), and run pcap_offline_filter() — libpcap's userland
 * bpf_filter() with the packet's caplen and wirelen — on each one.
 *
 * Modes (all output is TAB-separated text on stdout, one record a line):
 *   info FILE...            per file: "file FILE DLT LINKNAME COUNT DIGEST SNAPLEN STATUS" where COUNT is
 *                           the number of packets read, DIGEST the FNV-1a 32-bit hash (8 hex
 *                           digits) over every packet's caplen and wirelen (4 bytes each,
 *                           little-endian) followed by its captured bytes, SNAPLEN pcap_snapshot(),
 *                           and STATUS "ok" or
 *                           "read-error: <text>" (or "open-error: <text>" with DLT -1). The
 *                           digest lets readers other than libpcap prove they saw the same packets.
 *   run DLT SNAPLEN NETMASK OPT EXPR FILE...
 *                           compiles once; prints "error MESSAGE" on failure, otherwise
 *                           "insns N" then one "verdict FILE INDEX VALUE" per packet.
 *   ddd DLT SNAPLEN NETMASK OPT EXPR
 *                           compiles and prints the program on one line in `tcpdump -ddd` form
 *                           joined by commas ("N,code jt jf k,..."), or "error TAB MESSAGE".
 *   batch FILE...           loads all packets of FILE... once (concatenated, in argument order),
 *                           then reads jobs from stdin, one a line:
 *                             DLT TAB SNAPLEN TAB NETMASK TAB OPT TAB EXPR
 *                           and answers each with one line: "ok TAB RLE" or "error TAB MESSAGE".
 *                           RLE is the run-length-encoded verdict list (VALUE*COUNT items joined
 *                           by commas, VALUE alone for a run of 1, "-" for no packets).
 * DLT is a libpcap link-type name (EN10MB) or a DLT number; NETMASK is hex or decimal
 * (0xffffffff = PCAP_NETMASK_UNKNOWN); OPT is 0 or 1.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One packet kept in memory for batch mode. */
struct pkt {
    struct pcap_pkthdr hdr;
    u_char *data;
};

static struct pkt *pkts;
static size_t npkts, cappkts;

/*
 * libpcap's bpf_filter() keeps the scratch memory M[] in an uninitialized local array, so a
 * program that reads a slot no instruction on its path stored (libpcap's own code does this
 * after `geneve` inside an `or`: the later terms read the offset registers that only the
 * Geneve branch fills) sees whatever an earlier call left on the stack, and its verdicts
 * depend on the previous expression of a batch. Before each run we clear the stack area the
 * call will use, so such reads see 0 (what tsdump's interpreters give every unset slot) and
 * the answers are reproducible.
 */
static void __attribute__((noinline)) clear_stack(void) {
    volatile unsigned char area[16384];
    for (size_t i = 0; i < sizeof area; i++) area[i] = 0;
}

static int run_filter(const struct bpf_program *prog, const struct pcap_pkthdr *h, const u_char *d) {
    clear_stack();
    return pcap_offline_filter(prog, h, d);
}

static int parse_dlt(const char *s) {
    char *end;
    long v = strtol(s, &end, 10);
    if (*s != '\0' && *end == '\0') return (int)v;
    return pcap_datalink_name_to_val(s);
}

/* Opens FILE and calls fn for each packet until the end or an error. Returns the packet count,
 * or -1 when the file cannot be opened; *status receives "ok", "read-error: ..." or
 * "open-error: ...". *dlt receives pcap_datalink(). */
typedef void (*pkt_fn)(const struct pcap_pkthdr *, const u_char *, void *);
static int last_snaplen;

static long read_file(const char *file, pkt_fn fn, void *arg, char *status, size_t slen, int *dlt) {
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (p == NULL) {
        snprintf(status, slen, "open-error: %s", errbuf);
        *dlt = -1;
        last_snaplen = 0;
        return -1;
    }
    *dlt = pcap_datalink(p);
    last_snaplen = pcap_snapshot(p);
    long n = 0;
    snprintf(status, slen, "ok");
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *d;
        int r = pcap_next_ex(p, &h, &d);
        if (r == 1) {
            if (fn) fn(h, d, arg);
            n++;
            continue;
        }
        if (r == PCAP_ERROR) snprintf(status, slen, "read-error: %s", pcap_geterr(p));
        break; /* PCAP_ERROR_BREAK = clean end of file */
    }
    pcap_close(p);
    return n;
}

/* FNV-1a over caplen, wirelen (LE32 each) and the bytes of each packet. */
static void digest_packet(const struct pcap_pkthdr *h, const u_char *d, void *arg) {
    uint32_t *hash = arg;
    u_char lens[8];
    for (int i = 0; i < 4; i++) {
        lens[i] = (u_char)(h->caplen >> (8 * i));
        lens[4 + i] = (u_char)(h->len >> (8 * i));
    }
    for (int i = 0; i < 8; i++) *hash = (*hash ^ lens[i]) * 0x01000193u;
    for (bpf_u_int32 i = 0; i < h->caplen; i++) *hash = (*hash ^ d[i]) * 0x01000193u;
}

static void keep_packet(const struct pcap_pkthdr *h, const u_char *d, void *arg) {
    (void)arg;
    if (npkts == cappkts) {
        cappkts = cappkts ? cappkts * 2 : 1024;
        pkts = realloc(pkts, cappkts * sizeof *pkts);
        if (!pkts) { perror("realloc"); exit(2); }
    }
    pkts[npkts].hdr = *h;
    pkts[npkts].data = malloc(h->caplen ? h->caplen : 1);
    if (!pkts[npkts].data) { perror("malloc"); exit(2); }
    memcpy(pkts[npkts].data, d, h->caplen);
    npkts++;
}

/* Compiles; on failure writes the error into err and returns 0. */
static int compile(const char *dlts, const char *snaps, const char *masks, const char *opts,
                   const char *expr, struct bpf_program *prog, char *err, size_t elen) {
    int dlt = parse_dlt(dlts);
    if (dlt < 0) { snprintf(err, elen, "unknown link type %s", dlts); return 0; }
    int snaplen = atoi(snaps);
    bpf_u_int32 mask = (bpf_u_int32)strtoul(masks, NULL, 0);
    pcap_t *p = pcap_open_dead(dlt, snaplen);
    if (!p) { snprintf(err, elen, "pcap_open_dead failed"); return 0; }
    if (pcap_compile(p, prog, expr, atoi(opts), mask) != 0) {
        snprintf(err, elen, "%s", pcap_geterr(p));
        pcap_close(p);
        return 0;
    }
    pcap_close(p);
    return 1;
}

static void print_rle(const struct bpf_program *prog) {
    if (npkts == 0) { fputs("-", stdout); return; }
    unsigned cur = 0; size_t run = 0; int first = 1;
    for (size_t i = 0; i < npkts; i++) {
        unsigned v = (unsigned)run_filter(prog, &pkts[i].hdr, pkts[i].data);
        if (run > 0 && v == cur) { run++; continue; }
        if (run > 0) {
            if (!first) putchar(',');
            first = 0;
            if (run == 1) printf("%u", cur); else printf("%u*%zu", cur, run);
        }
        cur = v; run = 1;
    }
    if (!first) putchar(',');
    if (run == 1) printf("%u", cur); else printf("%u*%zu", cur, run);
}

static void print_verdict(const struct pcap_pkthdr *h, const u_char *d, void *arg) {
    void **a = arg;
    const struct bpf_program *prog = a[0];
    long *idx = a[1];
    printf("verdict\t%s\t%ld\t%u\n", (const char *)a[2], *idx, (unsigned)run_filter(prog, h, d));
    (*idx)++;
}

int main(int argc, char **argv) {
    char status[PCAP_ERRBUF_SIZE + 64];
    char err[PCAP_ERRBUF_SIZE + 64];
    int dlt;
    if (argc >= 2 && strcmp(argv[1], "info") == 0) {
        for (int i = 2; i < argc; i++) {
            uint32_t hash = 0x811c9dc5u;
            long n = read_file(argv[i], digest_packet, &hash, status, sizeof status, &dlt);
            const char *name = dlt >= 0 ? pcap_datalink_val_to_name(dlt) : NULL;
            printf("file\t%s\t%d\t%s\t%ld\t%08x\t%d\t%s\n", argv[i], dlt, name ? name : "?", n < 0 ? 0 : n, hash, last_snaplen, status);
        }
        return 0;
    }
    if (argc >= 7 && strcmp(argv[1], "run") == 0) {
        struct bpf_program prog;
        if (!compile(argv[2], argv[3], argv[4], argv[5], argv[6], &prog, err, sizeof err)) {
            printf("error\t%s\n", err);
            return 0;
        }
        printf("insns\t%u\n", prog.bf_len);
        for (int i = 7; i < argc; i++) {
            long idx = 0;
            void *a[3] = { &prog, &idx, argv[i] };
            long n = read_file(argv[i], print_verdict, a, status, sizeof status, &dlt);
            printf("file\t%s\t%d\t%ld\t%s\n", argv[i], dlt, n < 0 ? 0 : n, status);
        }
        pcap_freecode(&prog);
        return 0;
    }
    if (argc == 7 && strcmp(argv[1], "ddd") == 0) {
        struct bpf_program prog;
        if (!compile(argv[2], argv[3], argv[4], argv[5], argv[6], &prog, err, sizeof err)) {
            printf("error\t%s\n", err);
            return 0;
        }
        printf("%u", prog.bf_len);
        for (u_int i = 0; i < prog.bf_len; i++) {
            const struct bpf_insn *in = &prog.bf_insns[i];
            printf(",%u %u %u %u", in->code, in->jt, in->jf, in->k);
        }
        putchar('\n');
        pcap_freecode(&prog);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "batch") == 0) {
        for (int i = 2; i < argc; i++) {
            long n = read_file(argv[i], keep_packet, NULL, status, sizeof status, &dlt);
            fprintf(stderr, "loaded\t%s\t%ld\t%s\n", argv[i], n, status);
        }
        static char line[1 << 20];
        while (fgets(line, sizeof line, stdin)) {
            size_t L = strlen(line);
            while (L > 0 && (line[L - 1] == '\n' || line[L - 1] == '\r')) line[--L] = '\0';
            char *f[5]; int nf = 0; char *s = line;
            while (nf < 4) {
                char *t = strchr(s, '\t');
                if (!t) break;
                *t = '\0'; f[nf++] = s; s = t + 1;
            }
            if (nf < 4) { printf("error\tmalformed job line\n"); fflush(stdout); continue; }
            f[4] = s; /* the expression: the rest of the line, tabs included */
            struct bpf_program prog;
            if (!compile(f[0], f[1], f[2], f[3], f[4], &prog, err, sizeof err)) {
                printf("error\t%s\n", err);
            } else {
                fputs("ok\t", stdout);
                print_rle(&prog);
                putchar('\n');
                pcap_freecode(&prog);
            }
            fflush(stdout);
        }
        return 0;
    }
    fprintf(stderr, "usage: libpcap-oracle info FILE... | run DLT SNAPLEN NETMASK OPT EXPR FILE... | batch FILE... <jobs\n");
    return 2;
}
