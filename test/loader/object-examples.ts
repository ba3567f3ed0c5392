/**
 * The example objects of test/fixtures/bpf that the object tests run over captures: which
 * program, at which hook, with which maps preloaded (as `--map` would), over which captures.
 * Shared by the kernel comparison (object-kernel.test.ts), the engine comparison
 * (object-engines.test.ts) and the CLI tests.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCapture } from '../../src/capture/index.ts';
import type { ObjectHook } from '../../src/cli/object-run.ts';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixtures = join(repo, 'test', 'fixtures', 'bpf');

/** A map element to preload: key and value bytes in hex. */
export interface Preload { map: string; key: string; value: string }

export interface Example {
  object: string;
  program: string;
  hook: ObjectHook;
  preload: Preload[];
}

/** A u16 port as the examples store it (host byte order, little-endian). */
const port = (p: number): string => Buffer.from([p & 0xff, p >> 8]).toString('hex');

export const EXAMPLES: Example[] = [
  { object: 'proto-counter.o', program: 'count_protocols', hook: 'xdp', preload: [] },
  {
    object: 'port-blocklist.o', program: 'drop_blocked_ports', hook: 'tc',
    preload: [646, 80, 67, 123].map((p) => ({ map: 'blocked_ports', key: port(p), value: '0000000000000000' })),
  },
  { object: 'mac-swap.o', program: 'bounce_ipv4', hook: 'xdp', preload: [] },
  { object: 'event-logger.o', program: 'log_syns', hook: 'xdp', preload: [] },
  { object: 'tail-dispatch.o', program: 'dispatch', hook: 'xdp', preload: [] },
  { object: 'perf-sample.o', program: 'sample_udp', hook: 'xdp', preload: [] },
  { object: 'socket-filter.o', program: 'http_only', hook: 'socket', preload: [] },
];

/** Ethernet captures with TCP, UDP, ICMP, IPv6 and VLAN traffic (the corpus ones when present). */
export function exampleCaptures(): string[] {
  const corpus = join(repo, 'test', 'corpus', 'tcpdump-captures');
  const names = ['dhcp-rfc4388.pcap', 'ldp-common-session.pcap', 'dcb_ets.pcap', 'mptcp-aa-v1.pcap'];
  return [join(repo, 'captures', 'http.pcap'), ...names.map((n) => join(corpus, n)).filter((p) => existsSync(p))];
}

/** The packets of a capture (copies), in order. */
export function capturePackets(path: string): Uint8Array[] {
  const r = openCapture(path);
  const out: Uint8Array[] = [];
  for (let rec = r.next(); rec; rec = r.next()) out.push(rec.data.slice());
  r.close();
  return out;
}

/** The preload as a bpftool map dump -j document for `--map NAME=FILE`. */
export function preloadJson(entries: Preload[]): string {
  const bytes = (h: string) => Buffer.from(h, 'hex').toJSON().data.map((b) => `0x${b.toString(16).padStart(2, '0')}`);
  return JSON.stringify(entries.map((e) => ({ key: bytes(e.key), value: bytes(e.value) })));
}
