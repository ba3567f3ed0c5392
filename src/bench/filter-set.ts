/**
 * The filter set `tsdump bench` measures: short and long filters, each primitive family the
 * engines compile differently (port pairs, host pairs, tcpflags masks, networks, 802.1Q shifts,
 * or-chains), and a 1,000-host `host a or host b or …` whose addresses are deterministic
 * (src/bench/traffic.ts puts some of them into the generated traffic).
 */
import { manyHostAddress } from './traffic.ts';

export interface BenchFilter {
  /** Short label for tables and the chart. */
  label: string;
  expression: string;
}

/** `host a or host b or …` with `n` scattered hosts (manyHostAddress). */
function manyHostExpression(n: number): string {
  return Array.from({ length: n }, (_, i) => `host ${manyHostAddress(i).join('.')}`).join(' or ');
}

export const FILTER_SET: readonly BenchFilter[] = [
  { label: 'tcp port 80', expression: 'tcp port 80' },
  { label: 'host 10.0.0.1', expression: 'host 10.0.0.1' },
  { label: 'udp and dst port 53', expression: 'udp and dst port 53' },
  { label: 'ip6', expression: 'ip6' },
  { label: 'tcp syn only', expression: 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' },
  { label: 'net 192.168/16 !port 22', expression: 'net 192.168.0.0/16 and not port 22' },
  { label: 'vlan and tcp', expression: 'vlan and tcp' },
  { label: 'icmp or arp', expression: 'icmp or arp' },
  { label: 'services !10.0.0.1', expression: '(tcp port 80 or tcp port 443 or udp port 53 or port 123) and not host 10.0.0.1' },
  { label: '1,000 hosts', expression: manyHostExpression(1000) },
];
