/**
 * PPP (LINKTYPE_PPP, PPP_SERIAL, PPP_ETHER) and PPPoE behind Ethernet against tcpdump 4.99.3:
 * crafted captures of control-protocol, authentication, multilink, IP and PPPoE discovery and
 * session frames, and the corpus's PPP/PPPoE captures, with -nn, -e, -q, -v, -vv, -x and -e -x
 * (test/golden/ppp, recorded by test/tools/gen-ppp-golden.ts). Every line tsdump marks exact
 * must equal tcpdump's; the crafted captures must be exact throughout, the corpus ones at least
 * as often as recorded (their approximate lines are upper layers: BGP, LSP-ping, DNS, IPCP compression).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInProcess, repoRoot } from '../cli/golden-helpers.ts';
import { CAPTURES, haveCorpus } from './support.ts';

const dir = join(repoRoot, 'test', 'golden', 'ppp');
const golden = JSON.parse(readFileSync(join(dir, 'ppp.json'), 'utf8')) as Record<string, { args: string[]; stdout: string }[]>;
const crafted = ['ppp.pcap', 'ppp-ether.pcap', 'pppoe-eth.pcap'];

/** Exact lines per corpus capture over all flag sets (a floor: more is fine). */
const CORPUS_EXACT: Record<string, number> = {
  'pppoe.pcap': 7, 'pppoes.pcap': 14, 'ppp_ip_udp_dns.pcap': 6, 'ppp_error_hexdump.pcap': 5, 'bgp_vpn_attrset.pcap': 7, 'mpls-traceroute.pcap': 108, 'lspping-fec-ldp.pcap': 31,
  'ppp-invalid-lengths.pcap': 5, 'mlppp-oobr.pcap': 7, 'truncated-aack.pcap': 7, 'heapoverflow-ppp_hdlc_if_print.pcap': 7, 'mpls-ldp-hello.pcap': 7,
};

async function compare(path: string, runs: { args: string[]; stdout: string }[]): Promise<{ exact: number; total: number }> {
  let exact = 0;
  let total = 0;
  for (const g of runs) {
    const r = await runInProcess(['-r', path, ...g.args], 'UTC');
    const theirs = g.stdout.split(/^(?=\d\d:\d\d:\d\d\.\d{6} )/m).map((s) => s.replace(/\n$/, '')).filter((s) => s !== '');
    expect(r.packets.length, `${g.args.join(' ')}`).toBe(theirs.length);
    r.packets.forEach((p, i) => {
      total++;
      if (p.fidelity !== 'exact') return;
      expect(p.text, `${path} ${g.args.join(' ')} packet ${i + 1}`).toBe(theirs[i]);
      exact++;
    });
  }
  return { exact, total };
}

describe('PPP and PPPoE as tcpdump prints them', () => {
  for (const file of crafted) {
    it(`${file}: every line`, async () => {
      const { exact, total } = await compare(join(dir, file), golden[file]!);
      expect(exact).toBe(total);
    });
  }
  const have = haveCorpus('pppoes.pcap');
  for (const file of Object.keys(CORPUS_EXACT)) {
    it.skipIf(!have)(`corpus ${file}`, async () => {
      const { exact } = await compare(join(CAPTURES, file), golden[file]!);
      expect(exact).toBeGreaterThanOrEqual(CORPUS_EXACT[file]!);
    });
  }
});
