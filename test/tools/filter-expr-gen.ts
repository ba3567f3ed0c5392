/**
 * A seeded, grammar-based generator of pcap-filter expressions for differential testing against
 * tcpdump/libpcap. It produces the whole surface a user types: primitives with their qualifier
 * chains (`src or dst host`, `tcp dst portrange`, `ether proto`), encapsulation keywords that
 * shift later offsets (`vlan`, `mpls`, `pppoes`, `geneve`), arithmetic relations over packet
 * accesses (`ip[2:2] - (ip[0] & 0xf) * 4 > 40`), and boolean structure (`and`/`or`/`not`,
 * parentheses, juxtaposed qualifier-less ids like `host a or b`).
 *
 * Constants are biased toward the packets the expressions will be run on: addresses, ports and
 * byte values are sampled from the actual packet bytes (`PacketPool`), so relations and host
 * tests match some packets rather than none. A small fraction of expressions is deliberately
 * invalid (out-of-range values, division by zero, a qualifier in the wrong place) so rejection
 * behaviour is compared too. All choices come from the `Rng` passed in: same seed, same text.
 */
import type { Rng } from './packet-gen.ts';

/** Values harvested from the packets of one link type. */
export interface PacketPool {
  ipv4: string[];
  ipv6: string[];
  macs: string[];
  ports: number[];
  /** [offset, size, value] triples read from the start of the link-layer header. */
  linkFields: [number, number, number][];
  /** Same, relative to the IPv4 header. */
  ipFields: [number, number, number][];
  /** Same, relative to the TCP/UDP header. */
  l4Fields: [number, number, number][];
}

/** Collects a PacketPool from raw frames; `ipOffset(frame)` locates the IPv4 header or returns -1. */
export function buildPool(frames: readonly Uint8Array[], ipOffset: (f: Uint8Array) => number, macOffset: number | null, rng: Rng): PacketPool {
  const pool: PacketPool = { ipv4: [], ipv6: [], macs: [], ports: [], linkFields: [], ipFields: [], l4Fields: [] };
  const read = (f: Uint8Array, off: number, size: number) => {
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + f[off + i]!;
    return v;
  };
  const field = (f: Uint8Array, base: number, into: [number, number, number][]) => {
    const size = rng.pick([1, 1, 2, 2, 4]);
    const off = rng.int(24);
    if (base + off + size <= f.length) into.push([off, size, read(f, base + off, size)]);
  };
  for (const f of frames) {
    if (f.length === 0) continue;
    field(f, 0, pool.linkFields);
    if (macOffset !== null && f.length >= macOffset + 12) {
      for (const o of [macOffset, macOffset + 6]) pool.macs.push([...f.subarray(o, o + 6)].map((b) => b.toString(16).padStart(2, '0')).join(':'));
    }
    const ip = ipOffset(f);
    if (ip < 0 || f.length < ip + 20) continue;
    if (f[ip]! >> 4 === 4) {
      pool.ipv4.push(f.subarray(ip + 12, ip + 16).join('.'), f.subarray(ip + 16, ip + 20).join('.'));
      field(f, ip, pool.ipFields);
      const l4 = ip + (f[ip]! & 15) * 4;
      if ((f[ip + 9] === 6 || f[ip + 9] === 17) && f.length >= l4 + 4) {
        pool.ports.push(read(f, l4, 2), read(f, l4 + 2, 2));
        field(f, l4, pool.l4Fields);
      }
    } else if (f[ip]! >> 4 === 6 && f.length >= ip + 40) {
      const words: string[] = [];
      for (let i = 0; i < 8; i++) words.push(read(f, ip + 8 + 2 * i, 2).toString(16));
      pool.ipv6.push(words.join(':'));
    }
  }
  return pool;
}

export type GenFlavor = 'ether' | 'ip-only' | 'wlan' | 'pflog' | 'cooked';

const hex = (v: number) => '0x' + v.toString(16);

/** Generates one expression for a link type of the given flavor. */
export class ExprGen {
  constructor(
    readonly r: Rng,
    readonly pool: PacketPool,
    readonly flavor: GenFlavor,
  ) {}

  private num(v: number): string {
    return this.r.chance(0.3) ? hex(v) : String(v);
  }
  private ipv4(): string {
    const r = this.r;
    if (this.pool.ipv4.length && r.chance(0.7)) return r.pick(this.pool.ipv4);
    return r.pick(['10.0.0.1', '192.168.1.1', '1.2.3.4', '127.0.0.1', '255.255.255.255', `${r.int(256)}.${r.int(256)}.${r.int(256)}.${r.int(256)}`]);
  }
  private ipv6(): string {
    if (this.pool.ipv6.length && this.r.chance(0.7)) return this.r.pick(this.pool.ipv6);
    return this.r.pick(['::1', 'fe80::1', 'ff02::1', '2001:db8::1']);
  }
  private net(): string {
    const r = this.r;
    if (r.chance(0.2)) {
      const a = this.ipv6();
      return `${a}/${r.pick([8, 10, 16, 32, 64, 128])}`;
    }
    const a = this.ipv4().split('.').map(Number);
    const len = r.pick([8, 16, 24, 32, 12, 0]);
    const masked = a.map((b, i) => (len >= 8 * (i + 1) ? b : len <= 8 * i ? 0 : b & (0xff << (8 - (len - 8 * i)))));
    const k = r.int(4);
    if (k === 0) return `${masked.join('.')}/${len}`;
    if (k === 1) return `${masked.join('.')} mask ${[0, 1, 2, 3].map((i) => (len >= 8 * (i + 1) ? 255 : len <= 8 * i ? 0 : (0xff << (8 - (len - 8 * i))) & 255)).join('.')}`;
    if (k === 2 && len % 8 === 0 && len > 0) return masked.slice(0, len / 8).join('.');
    return `${masked.join('.')}/${len}`;
  }
  private mac(): string {
    if (this.pool.macs.length && this.r.chance(0.7)) return this.r.pick(this.pool.macs);
    return this.r.pick(['ff:ff:ff:ff:ff:ff', '01:00:5e:00:00:01', '00:11:22:33:44:55']);
  }
  private port(): number {
    if (this.pool.ports.length && this.r.chance(0.7)) return this.r.pick(this.pool.ports);
    return this.r.pick([22, 25, 53, 67, 80, 123, 443, 1024, 4789, 6081, this.r.int(65536)]);
  }
  private dir(): string {
    return this.r.pick(['', '', 'src ', 'dst ', 'src or dst ', 'src and dst ']);
  }

  /** A packet access `proto[off:size]`, with an offset/value pair sampled from real packets. */
  private access(): { text: string; value: number } {
    const r = this.r;
    const ipish = this.flavor !== 'wlan' && this.flavor !== 'pflog';
    const kind = r.int(ipish ? 4 : 2);
    const [src, protos]: [[number, number, number][], string[]] =
      kind === 0 || !ipish ? [this.pool.linkFields, this.flavor === 'ether' ? ['ether', 'link'] : ['link']]
      : kind === 1 ? [this.pool.ipFields, ['ip']]
      : kind === 2 ? [this.pool.l4Fields, ['tcp', 'udp']]
      : [[], ['icmp', 'ip6', 'icmp6', 'igmp', 'sctp']];
    const proto = r.pick(protos);
    if (src.length && r.chance(0.8)) {
      const [off, size, value] = r.pick(src);
      return { text: `${proto}[${this.num(off)}${size === 1 && r.chance(0.5) ? '' : ':' + size}]`, value };
    }
    const size = r.pick([1, 2, 4]);
    return { text: `${proto}[${r.int(40)}:${size}]`, value: r.int(size === 4 ? 2 ** 31 : 2 ** (8 * size)) };
  }

  /** An arithmetic expression; returns text and, for plain accesses, the sampled value. */
  private arith(depth: number): { text: string; value?: number } {
    const r = this.r;
    const k = r.int(10);
    if (k < 5 || depth > 1) return this.access();
    if (k < 6) return { text: r.pick(['len', 'len', String(r.int(100))]) };
    const a = this.arith(depth + 1).text;
    const op = r.pick(['+', '-', '*', '/', '&', '|', '<<', '>>', '%', '^']);
    const b = r.chance(0.6) ? String(op === '/' || op === '%' ? 1 + r.int(16) : op === '<<' || op === '>>' ? r.int(8) : r.int(256)) : this.arith(depth + 1).text;
    return { text: r.chance(0.5) ? `(${a} ${op} ${b})` : `${a} ${op} ${b}` };
  }

  private relation(): string {
    const r = this.r;
    const left = this.arith(0);
    const op = r.pick(['=', '==', '!=', '>', '<', '>=', '<=']);
    if (left.value !== undefined && r.chance(0.6)) {
      if (r.chance(0.3)) return `${left.text} & ${hex(1 << r.int(8))} != 0`;
      return `${left.text} ${r.pick(['=', '==', '>=', '<='])} ${this.num(left.value)}`;
    }
    return `${left.text} ${op} ${r.chance(0.5) ? this.num(r.int(256)) : this.arith(1).text}`;
  }

  private ipPrimitive(): string {
    const r = this.r;
    switch (r.int(16)) {
      case 0: case 1:
        return `${r.pick(['', 'ip ', 'arp ', 'rarp '])}${this.dir()}host ${this.ipv4()}`;
      case 2:
        return `${r.pick(['', 'ip6 '])}${this.dir()}host ${this.ipv6()}`;
      case 3:
        return `${this.dir()}net ${this.net()}`;
      case 4: case 5:
        return `${r.pick(['', 'tcp ', 'udp ', 'sctp '])}${this.dir()}port ${this.port()}`;
      case 6: {
        const a = this.port(), b = this.port();
        return `${r.pick(['', 'tcp ', 'udp '])}${this.dir()}portrange ${Math.min(a, b)}-${Math.max(a, b)}`;
      }
      case 7:
        return r.pick(['ip', 'ip6', 'tcp', 'udp', 'icmp', 'icmp6', 'igmp', 'pim', 'vrrp', 'sctp', 'ah', 'esp', 'arp', 'rarp', 'igrp', 'carp']);
      case 8:
        return `${r.pick(['ip', 'ip6'])} proto ${r.pick(['\\tcp', '\\udp', '\\icmp', String(r.int(256)), '6', '17', '58'])}`;
      case 9:
        return r.pick(['tcp[tcpflags] & (tcp-syn|tcp-ack) != 0', 'tcp[tcpflags] & tcp-syn != 0', 'icmp[icmptype] = icmp-echo', 'icmp[icmptype] != icmp-echoreply', 'tcp[13] & 2 != 0', 'icmp6[icmp6type] = icmp6-echo']);
      case 10:
        return r.pick(['less', 'greater'])+ ' ' + r.int(300);
      case 11:
        return r.pick(['ip multicast', 'ip broadcast', 'ip6 multicast', 'ip6 broadcast', 'broadcast', 'multicast']);
      case 12:
        return `protochain ${r.pick(['6', '17', '58', String(r.int(256)), '\\tcp'])}`;
      case 13:
        return `ip6 ${this.dir()}net ${this.ipv6()}/${r.pick([16, 64, 128])}`;
      default:
        return this.relation();
    }
  }

  private linkPrimitive(): string {
    const r = this.r;
    if (this.flavor === 'ether') {
      switch (r.int(10)) {
        case 0: return `ether ${this.dir()}host ${this.mac()}`;
        case 1: return `ether proto ${r.pick(['\\ip', '\\ip6', '\\arp', '0x8100', String(r.int(65536)), '0x88cc'])}`;
        case 2: return r.pick(['vlan', `vlan ${r.int(4096)}`, 'mpls', `mpls ${r.int(1 << 20)}`, 'pppoes', `pppoes ${r.int(65536)}`, 'pppoed', 'geneve', `geneve ${r.int(1 << 24)}`]);
        case 3: return r.pick(['stp', 'ipx', 'netbeui', 'decnet', 'iso', 'clnp', 'esis', 'isis', 'llc', 'lat', 'mopdl', 'moprc', 'sca', 'atalk', 'aarp', 'l1', 'l2', 'iih', 'lsp', 'snp', 'csnp', 'psnp']);
        case 4: return r.pick(['ether broadcast', 'ether multicast', `llc ${r.pick(['i', 's', 'u', 'rr', 'rnr', 'rej', 'ui', 'ua', 'disc', 'sabme', 'test', 'xid', 'frmr'])}`]);
        default: return this.ipPrimitive();
      }
    }
    if (this.flavor === 'wlan') {
      switch (r.int(8)) {
        case 0: return `wlan ${r.pick(['', 'src ', 'dst ', 'ra ', 'ta ', 'addr1 ', 'addr2 ', 'addr3 ', 'addr4 '])}${r.pick(['host ', ''])}${this.mac()}`.replace(/wlan (ra|ta|addr\d) host/, 'wlan $1');
        case 1: return `${r.pick(['wlan ', ''])}type ${r.pick(['mgt', 'ctl', 'data', '0', '4', '8'])}${r.chance(0.5) ? ' subtype ' + r.pick(['beacon', 'probe-req', 'data', 'qos-data', 'ack', 'rts', 'null', '0x80', '0x40']) : ''}`;
        case 2: return `${r.pick(['wlan ', ''])}subtype ${r.pick(['beacon', 'assoc-req', 'auth', 'deauth', 'data', 'qos', 'cts', 'ack'])}`;
        case 3: return `dir ${r.pick(['nods', 'tods', 'fromds', 'dstods', '0', '1', '2', '3'])}`;
        default: return r.chance(0.5) ? this.ipPrimitive() : this.relation();
      }
    }
    if (this.flavor === 'pflog') {
      switch (r.int(6)) {
        case 0: return `action ${r.pick(['pass', 'block', 'drop', 'nat', 'rdr', 'scrub'])}`;
        case 1: return `reason ${r.pick(['match', 'bad-offset', 'fragment', 'short', 'normalize', 'memory'])}`;
        case 2: return `${r.pick(['ifname', 'on', 'ruleset'])} ${r.pick(['em0', 'lo0', 'testname1', 'testruleset2'])}`;
        case 3: return `${r.pick(['rnr', 'rulenum', 'srnr', 'subrulenum'])} ${r.int(300)}`;
        default: return this.ipPrimitive();
      }
    }
    if (this.flavor === 'cooked' && r.chance(0.15)) return r.pick(['inbound', 'outbound', `ether proto ${r.pick(['\\ip', '\\arp', '0x86dd'])}`, 'vlan', 'ifindex 1', 'ifindex 3']);
    return this.ipPrimitive();
  }

  /** A deliberately invalid or edge-case expression (rejection behaviour). */
  private invalid(): string {
    const r = this.r;
    return r.pick([
      `ip proto ${256 + r.int(1000)}`,
      `port ${65536 + r.int(1000)}`,
      `ip[0] / 0 = 1`,
      `ip[0] % 0 = 1`,
      `tcp port ${this.port()} and`,
      `host`,
      `ether host 1.2.3.4`,
      `net 10.0.0.1/8`,
      `src net 10.1.2.3 mask 255.0.0.0`,
      `vlan 5000`,
      `mpls ${1 << 20}`,
      `ip6 proto 300`,
      `portrange 10-5`,
      `tcp[100000:4] = 1`,
      `ip[0:3] = 1`,
      `(tcp`,
      `not`,
      `${this.ipPrimitive()} )`,
      `gateway 1.2.3.4`,
      `ether src ${this.ipv4()}`,
      `arp port 80`,
      `ip6 host 10.0.0.1`,
      `wlan type foo`,
    ]);
  }

  /** Boolean structure over primitives. */
  expr(depth = 0): string {
    const r = this.r;
    if (depth === 0 && r.chance(0.06)) return this.invalid();
    const k = r.int(10);
    if (depth >= 3 || k < 4) return this.linkPrimitive();
    if (k < 6) return `${this.expr(depth + 1)} ${r.pick(['and', 'or', '&&', '||'])} ${this.expr(depth + 1)}`;
    if (k < 7) return `${r.pick(['not ', '!'])}${this.expr(depth + 1)}`;
    if (k < 8) return `(${this.expr(depth + 1)})`;
    if (k < 9) {
      // qualifier inheritance: `host a or b`, `tcp port 1 or 2`
      const head = r.pick([`host ${this.ipv4()}`, `port ${this.port()}`, `tcp port ${this.port()}`, `net ${this.net()}`]);
      return `${head} ${r.pick(['or', 'and'])} ${r.pick([String(this.port()), this.ipv4()])}`;
    }
    return `${this.expr(depth + 1)} and (${this.expr(depth + 1)} or ${this.expr(depth + 1)})`;
  }
}
