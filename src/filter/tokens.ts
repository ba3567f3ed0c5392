/**
 * Token kinds of the filter language and the keyword table. Keywords are recognised after a
 * whole word has been scanned (so `tcp-syn` is one word, like libpcap's scanner, which prefers the
 * longest match and then the earliest rule); a backslash in front of a word turns a keyword back
 * into a plain name (`ether proto \arp`). Some words are not keywords but named numbers
 * (`tcpflags`, `tcp-syn`, `icmp-echo`, ...): the lexer turns them into NUM tokens directly.
 */
import type { Span } from '../errors.ts';

export type TokenKind =
  | 'num' | 'name' | 'ipv4' | 'ipv6' | 'mac' | 'arc' | 'kw'
  | '(' | ')' | '[' | ']' | ':' | '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>'
  | '!' | '=' | '!=' | '>' | '<' | '>=' | '<=' | '&&' | '||'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text (for `kw`, the canonical keyword, e.g. 'es-is' → 'esis'). */
  text: string;
  /** Numeric value of a `num` token. */
  num?: number;
  span: Span;
}

/** Keywords and their canonical spelling (aliases map to one name). */
export const KEYWORDS: ReadonlyMap<string, string> = new Map<string, string>([
  ...[
    'dst', 'src', 'host', 'gateway', 'net', 'mask', 'port', 'portrange', 'proto', 'protochain',
    'arp', 'rarp', 'ip', 'sctp', 'tcp', 'udp', 'icmp', 'igmp', 'igrp', 'pim', 'vrrp', 'carp', 'radio',
    'ip6', 'icmp6', 'ah', 'esp', 'atalk', 'aarp', 'decnet', 'lat', 'sca', 'moprc', 'mopdl',
    'iso', 'esis', 'isis', 'l1', 'l2', 'iih', 'lsp', 'snp', 'csnp', 'psnp', 'clnp', 'stp', 'ipx', 'netbeui',
    'link', 'ether', 'ppp', 'slip', 'fddi', 'tr', 'wlan', 'less', 'greater', 'broadcast', 'multicast',
    'and', 'or', 'not', 'len', 'inbound', 'outbound', 'ifindex', 'vlan', 'mpls', 'pppoed', 'pppoes', 'geneve',
    'lane', 'llc', 'metac', 'bcc', 'oam', 'oamf4', 'oamf4sc', 'oamf4ec', 'sc', 'ilmic', 'vpi', 'vci', 'connectmsg', 'metaconnect',
    'on', 'rnr', 'reason', 'rset', 'srnr', 'action', 'fisu', 'lssu', 'msu', 'hfisu', 'hlssu', 'hmsu',
    'sio', 'opc', 'dpc', 'sls', 'hsio', 'hopc', 'hdpc', 'hsls', 'type', 'subtype', 'dir', 'addr1', 'addr2',
    'addr3', 'addr4', 'ra', 'ta', 'byte',
  ].map((k) => [k, k] as [string, string]),
  ['es-is', 'esis'], ['is-is', 'isis'], ['ifname', 'on'], ['rulenum', 'rnr'], ['ruleset', 'rset'],
  ['subrulenum', 'srnr'], ['direction', 'dir'], ['address1', 'addr1'], ['address2', 'addr2'],
  ['address3', 'addr3'], ['address4', 'addr4'], ['lsu', 'lssu'], ['oamf5', 'oam'], ['length', 'len'],
]);

/** Words the lexer turns into numbers (named constants of pcap-filter(7)). */
export const NAMED_NUMBERS: ReadonlyMap<string, number> = new Map<string, number>([
  ['icmptype', 0], ['icmpcode', 1],
  ['icmp-echoreply', 0], ['icmp-unreach', 3], ['icmp-sourcequench', 4], ['icmp-redirect', 5],
  ['icmp-echo', 8], ['icmp-routeradvert', 9], ['icmp-routersolicit', 10], ['icmp-timxceed', 11],
  ['icmp-paramprob', 12], ['icmp-tstamp', 13], ['icmp-tstampreply', 14], ['icmp-ireq', 15],
  ['icmp-ireqreply', 16], ['icmp-maskreq', 17], ['icmp-maskreply', 18],
  ['icmp6type', 0], ['icmp6code', 1],
  ['icmp6-destinationunreach', 1], ['icmp6-packettoobig', 2], ['icmp6-timeexceeded', 3],
  ['icmp6-parameterproblem', 4], ['icmp6-echo', 128], ['icmp6-echoreply', 129],
  ['icmp6-multicastlistenerquery', 130], ['icmp6-multicastlistenerreportv1', 131],
  ['icmp6-multicastlistenerdone', 132], ['icmp6-routersolicit', 133], ['icmp6-routeradvert', 134],
  ['icmp6-neighborsolicit', 135], ['icmp6-neighboradvert', 136], ['icmp6-redirect', 137],
  ['icmp6-routerrenum', 138], ['icmp6-nodeinformationquery', 139], ['icmp6-nodeinformationresponse', 140],
  ['icmp6-ineighbordiscoverysolicit', 141], ['icmp6-ineighbordiscoveryadvert', 142],
  ['icmp6-multicastlistenerreportv2', 143], ['icmp6-homeagentdiscoveryrequest', 144],
  ['icmp6-homeagentdiscoveryreply', 145], ['icmp6-mobileprefixsolicit', 146],
  ['icmp6-mobileprefixadvert', 147], ['icmp6-certpathsolicit', 148], ['icmp6-certpathadvert', 149],
  ['icmp6-multicastrouteradvert', 151], ['icmp6-multicastroutersolicit', 152],
  ['icmp6-multicastrouterterminate', 153],
  ['tcpflags', 13], ['tcp-fin', 0x01], ['tcp-syn', 0x02], ['tcp-rst', 0x04], ['tcp-push', 0x08],
  ['tcp-ack', 0x10], ['tcp-urg', 0x20], ['tcp-ece', 0x40], ['tcp-cwr', 0x80],
]);
