/**
 * UDP applications without and with -v / -vv (src/print/ip: isakmp.ts, bootp.ts, dhcp6.ts,
 * radius.ts, ntp.ts, babel.ts, lisp.ts, rip.ts, LWAPP/timed/SOME-IP/VXLAN/OTV in udp.ts, and
 * src/print/dns.ts) on corpus packets, against what tcpdump 4.99.3 printed for them
 * (test/golden/print/udp-verbose.json, recorded by test/tools/gen-udp-verbose-golden.ts with
 * `tcpdump -nn [-v[v]] -c 20 -r FILE`). Every recorded UDP packet must come out byte for byte as
 * tcpdump's text and be marked exact, except the few listed below whose difference lies outside
 * these printers (or in an attribute printer not reproduced, which must then be marked
 * approximate).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { haveCorpus, printedLines } from './support.ts';

type Golden = Record<string, Record<'' | '-v' | '-vv', Record<string, string>>>;
const golden = JSON.parse(readFileSync(join(__dirname, '..', 'golden', 'print', 'udp-verbose.json'), 'latin1')) as Golden;

/** Packets whose text is not expected to match, with the reason (1-based packet numbers). */
const NOT_EXACT: Record<string, { packets: number[]; why: string; verboseOnly?: boolean }> = {
  'RADIUS-RFC3162.pcap': { packets: [1], why: 'Framed-IPv6-Prefix attributes are not reproduced (approximate)' },
  'RADIUS-RFC5580.pcap': { packets: [1], why: 'operator name and location attributes are not reproduced (approximate)' },
  'radius_rfc5447.pcap': { packets: [1], why: 'MIP6 attributes are not reproduced (approximate)' },
  'sflow-print-v6.pcap': { packets: Array.from({ length: 20 }, (_, i) => i + 1), why: 'sFlow samples (-v) are not reproduced', verboseOnly: true },
  'sflow_multiple_counter_30_pdus.pcap': { packets: Array.from({ length: 20 }, (_, i) => i + 1), why: 'sFlow samples (-v) are not reproduced', verboseOnly: true },
  'dns_udp_2.pcap': { packets: [2], why: 'a response cut by the capture length: the records tcpdump prints before "[|domain]" are not reproduced' },
};

function check(file: string, verbose: 0 | 1 | 2): void {
  const theirs = golden[file]![verbose === 0 ? '' : verbose === 1 ? '-v' : '-vv'];
  const indexes = Object.keys(theirs).map(Number);
  expect(indexes.length, file).toBeGreaterThan(0);
  const ours = printedLines(file, Math.max(...indexes) + 1, { verbose });
  const ne = NOT_EXACT[file];
  const skip = ne !== undefined && (verbose > 0 || !ne.verboseOnly) ? ne.packets : [];
  for (const i of indexes) {
    const label = `${file} #${i + 1} -nn${verbose ? ` -${'v'.repeat(verbose)}` : ''}`;
    if (skip.includes(i + 1)) {
      // Not reproduced: then it must not claim to be exact.
      expect(ours[i]!.exact && ours[i]!.text !== theirs[i], label).toBe(false);
      continue;
    }
    expect(ours[i]!.text, label).toBe(theirs[i]);
    expect(ours[i]!.exact, `${label} exact`).toBe(true);
  }
}

const files = (re: RegExp): string[] => Object.keys(golden).filter((f) => re.test(f));

describe.skipIf(!haveCorpus('ikev2four.pcap'))('UDP applications with -v / -vv as tcpdump prints them', () => {
  it('ISAKMP/IKE: IKEv1 SA/proposal/transform attributes, IDs, vendor IDs; IKEv2 SA, KE, nonce, notify, auth, encrypted; truncation', () => {
    for (const v of [0, 1, 2] as const) for (const f of files(/isakmp|ike|esp/i)) check(f, v);
  });

  it('BOOTP/DHCP: header fields, addresses, RFC 1048 options (client ID, classless routes, user class, agent info)', () => {
    for (const v of [0, 1, 2] as const) for (const f of files(/^dhcp-|bootp/)) check(f, v);
  });

  it('DHCPv6: DUIDs, IA_NA/TA/PD with nested options, domain lists, NTP server, AFTR name, relay messages', () => {
    for (const v of [0, 1, 2] as const) for (const f of files(/dhcpv6|dhcpv4v6/)) check(f, v);
  });

  it('RADIUS: attributes with their value names, EAP, vendor-specific, error causes; -vv hex', () => {
    for (const v of [0, 1, 2] as const) for (const f of files(/radius/i)) check(f, v);
  });

  it('LWAPP: control message headers, AP identity, data frames in hex', () => {
    for (const v of [0, 1, 2] as const) check('lwapp-data.pcap', v);
  });

  it('DNS: owner names, SOA, -vv sections, OPT with EDNS options, URI, extended rcodes', () => {
    for (const v of [0, 1, 2] as const) for (const f of files(/^dns/)) check(f, v);
  });

  it('NTP: time messages with timestamps and deltas, control messages, mode names', () => {
    for (const v of [0, 1, 2] as const) for (const f of files(/^ntp/)) check(f, v);
  });

  it('timed, SOME/IP: every field, truncation', () => {
    for (const v of [0, 1, 2] as const) for (const f of files(/timed|someip/)) check(f, v);
  });

  it('Babel: TLV names, hello/IHU/update with prefix compression, sub-TLVs, the trailer', () => {
    for (const v of [0, 1, 2] as const) for (const f of files(/^babel/)) check(f, v);
  });

  it('LISP: Map-Register and Map-Notify records and locators, invalid ones', () => {
    for (const v of [0, 1, 2] as const) for (const f of files(/^lisp/)) check(f, v);
  });

  it('RIP: v1 and v2 entries, authentication, unknown families in hex, short entries', () => {
    for (const v of [0, 1, 2] as const) for (const f of files(/^rip/)) check(f, v);
  });

  it('VXLAN, VXLAN-GPE with NSH: the headers, then the encapsulated packet', () => {
    for (const v of [0, 1, 2] as const) for (const f of files(/vxlan/)) check(f, v);
  });

  it('sFlow header, RIPng, VQP (including malformed ones)', () => {
    for (const v of [0, 1, 2] as const) for (const f of files(/sflow|ripng|vqp/)) check(f, v);
  });
});
