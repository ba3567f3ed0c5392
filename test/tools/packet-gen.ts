/**
 * Seeded packet generator for differential filter tests: for a link type it builds plausible
 * frames layer by layer (link header → optional encapsulations → network → transport → payload)
 * and then mutates them, so that a filter compiled by libpcap and by tsdump can be compared on
 * packets that exercise every branch of the generated code, not just the happy path.
 *
 * Technique:
 *  - A small deterministic PRNG (mulberry32) drives every choice; the same (link type, seed,
 *    count, constants) always yields the same bytes, independent of Math.random or the platform.
 *  - Values are biased toward the constants that appear in the filter corpus (`Bias`, extracted by
 *    `extractBias` from the expressions: IPv4/IPv6 addresses and nets, MAC addresses, ports and
 *    protocol numbers, byte offsets and values of `proto[off] == val` tests), so filters match
 *    sometimes instead of almost never.
 *  - Builders return plain byte arrays plus the offsets where each layer starts; mutations then
 *    poke corpus values at corpus offsets relative to a layer start, flip bits, corrupt length
 *    and header-length fields, and truncate (caplen < wirelen), which is where bounds checks and
 *    variable-length header handling (IPv4 IHL, radiotap length, pflog length) get exercised.
 *
 * Generated packets are written with `writePcap` and committed (filters/verdicts/packets/), so
 * tests never depend on this generator staying byte-for-byte stable.
 */
import { writeFileSync } from 'node:fs';

/** mulberry32: a tiny 32-bit PRNG with good enough statistics for test generation. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  bytes(n: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.int(256));
    return out;
  }
}

/** Constants pulled from filter expressions, used to bias generated field values. */
export interface Bias {
  ipv4: number[][]; // 4-byte addresses (nets are zero-filled to 4 bytes)
  ipv6: number[][]; // 16-byte addresses
  macs: number[][]; // 6-byte addresses
  ports: number[]; // 16-bit values (ports, ethertypes, small numbers)
  bytes: number[]; // 8-bit values (protocol numbers, `== 0xcd` values)
  offsets: number[]; // byte offsets used by `proto[off]` tests
  words: number[]; // 32-bit values (`== 0x12345678`)
  names: string[]; // identifier-like words (pflog ifname/ruleset)
  l4ports: number[]; // values after `port`/`portrange` (and well-known port names)
  labels: number[]; // values after vlan/mpls/pppoes/geneve/vxlan/vci/vpi/sio/opc/dpc/sls (h* too)
  pokes: { off: number; width: number; value: number }[]; // `proto[off:width] == value`
}

const PORT_NAMES: Record<string, number> = {
  domain: 53, smtp: 25, http: 80, https: 443, ftp: 21, 'ftp-data': 20, ssh: 22, telnet: 23,
  bootps: 67, bootpc: 68, tftp: 69, ntp: 123, snmp: 161, bgp: 179, ldap: 389, syslog: 514,
  pop3: 110, imap: 143, nfs: 2049, amqp: 5672, sip: 5060, isakmp: 500, rip: 520, who: 513,
};

function parseIpv6(text: string): number[] | null {
  let s = text;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    tail = v4[1]!.split('.').map(Number);
    s = s.slice(0, -v4[1]!.length) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const part = (h: string) => (h === '' ? [] : h.split(':').map((x) => parseInt(x, 16)));
  const a = part(halves[0]!);
  const b = halves.length === 2 ? part(halves[1]!) : [];
  if (a.some(isNaN) || b.some(isNaN)) return null;
  const fill = 8 - a.length - b.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return null;
  const words = [...a, ...new Array<number>(fill).fill(0), ...b];
  const out: number[] = [];
  for (const w of words) out.push((w >> 8) & 255, w & 255);
  if (tail.length) out.splice(12, 4, ...tail);
  return out.length === 16 ? out : null;
}

/** Collects the constants of a list of filter expressions (deduplicated, in first-seen order). */
export function extractBias(exprs: readonly string[]): Bias {
  const seen = new Set<string>();
  const b: Bias = { ipv4: [], ipv6: [], macs: [], ports: [], bytes: [], offsets: [], words: [], names: [], l4ports: [], labels: [], pokes: [] };
  const add = <T>(list: T[], key: string, v: T) => {
    if (!seen.has(key)) {
      seen.add(key);
      list.push(v);
    }
  };
  for (const e of exprs) {
    for (const m of e.matchAll(/\b(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?\b/g)) {
      const v = [m[1], m[2], m[3], m[4]].map((x) => (x === undefined ? 0 : Number(x) & 255));
      add(b.ipv4, 'v4' + v.join('.'), v);
    }
    for (const m of e.matchAll(/(?<![\w:.])([0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?:\d+\.\d+\.\d+\.\d+)?)/g)) {
      const t = m[1]!;
      if (/^([0-9a-fA-F]{1,2}:){5}[0-9a-fA-F]{1,2}$/.test(t)) {
        const mac = t.split(':').map((x) => parseInt(x, 16));
        add(b.macs, 'mac' + mac.join(':'), mac);
        continue;
      }
      const v6 = parseIpv6(t);
      if (v6) add(b.ipv6, 'v6' + v6.join(','), v6);
    }
    for (const m of e.matchAll(/\b([0-9a-fA-F]{4})\.([0-9a-fA-F]{4})\.([0-9a-fA-F]{4})\b/g)) {
      const h = m[1]! + m[2]! + m[3]!;
      const mac = [0, 2, 4, 6, 8, 10].map((i) => parseInt(h.slice(i, i + 2), 16));
      add(b.macs, 'mac' + mac.join(':'), mac);
    }
    for (const m of e.matchAll(/\b([0-9a-fA-F]{2})-([0-9a-fA-F]{2})-([0-9a-fA-F]{2})-([0-9a-fA-F]{2})-([0-9a-fA-F]{2})-([0-9a-fA-F]{2})\b/g)) {
      const mac = m.slice(1, 7).map((x) => parseInt(x!, 16));
      add(b.macs, 'mac' + mac.join(':'), mac);
    }
    for (const m of e.matchAll(/\[\s*(0x[0-9a-fA-F]+|\d+)\s*(?::\s*\d)?\s*\]/g)) {
      const off = Number(m[1]);
      if (off < 512) add(b.offsets, 'off' + off, off);
    }
    for (const m of e.matchAll(/(?<![\w.:$])(0x[0-9a-fA-F]+|\d+)(?![\w.:])/g)) {
      const v = Number(m[1]);
      if (!Number.isFinite(v)) continue;
      if (v < 256) add(b.bytes, 'b' + v, v);
      if (v < 65536) add(b.ports, 'p' + v, v);
      else if (v <= 0xffffffff) add(b.words, 'w' + v, v >>> 0);
    }
    for (const m of e.matchAll(/\$([0-9a-fA-F]{1,2})\b/g)) add(b.bytes, 'b' + parseInt(m[1]!, 16), parseInt(m[1]!, 16));
    for (const m of e.matchAll(/\b([a-z][a-z-]*)\b/g)) if (PORT_NAMES[m[1]!] !== undefined) add(b.ports, 'p' + PORT_NAMES[m[1]!], PORT_NAMES[m[1]!]!);
    for (const m of e.matchAll(/\bport(?:range)?\s+([0-9a-z-]+)/g)) {
      for (const part of m[1]!.split('-')) {
        const v = /^\d+$/.test(part) ? Number(part) : PORT_NAMES[part];
        if (v !== undefined && v < 65536) add(b.l4ports, 'l4' + v, v);
      }
    }
    for (const m of e.matchAll(/\b(?:vlan|mpls|pppoes|geneve|vxlan|vci|vpi|h?sio|h?opc|h?dpc|h?sls)\s*(?:[=!<>]=?|==)?\s*\(?\s*(0x[0-9a-fA-F]+|\d+)/g)) {
      const v = Number(m[1]);
      add(b.labels, 'lab' + v, v);
    }
    for (const m of e.matchAll(/\b(?:or|and)\s+(0x[0-9a-fA-F]+|\d+)\b/g)) add(b.labels, 'lab' + Number(m[1]), Number(m[1]));
    for (const m of e.matchAll(/\[\s*(0x[0-9a-fA-F]+|\d+)\s*(?::\s*([124]))?\s*\]\s*(?:&\s*(?:0x[0-9a-fA-F]+|\d+)\s*)?(?:==|=|!=|>=|<=|>|<)\s*(0x[0-9a-fA-F]+|\d+)/g)) {
      const off = Number(m[1]), width = Number(m[2] ?? 1), value = Number(m[3]) >>> 0;
      if (off < 512) add(b.pokes, `poke${off}:${width}=${value}`, { off, width, value });
    }
    for (const m of e.matchAll(/\b(0x[0-9a-fA-F]{8}|\d{9,10})\b/g)) {
      const v = Number(m[1]) >>> 0;
      add(b.ipv4, 'v4' + v, be32(v));
    }
    for (const m of e.matchAll(/\b(?:ifname|on|ruleset)\s+([A-Za-z0-9_.-]+)/g)) add(b.names, 'n' + m[1], m[1]!);
  }
  return b;
}

/** `primary`'s lists, each replaced by `fallback`'s when empty (per-link-type bias over a global one). */
export function mergeBias(primary: Bias, fallback: Bias): Bias {
  const out = { ...primary };
  for (const k of Object.keys(out) as (keyof Bias)[]) if (primary[k].length === 0) (out as Record<keyof Bias, unknown>)[k] = fallback[k];
  return out;
}

/** A generated frame: captured bytes and the original (wire) length. */
export interface GenPacket {
  data: Uint8Array;
  wirelen: number;
}

/** Byte offsets where layers start inside a frame (for mutations). */
interface Built {
  bytes: number[];
  layers: number[];
}

const be16 = (v: number) => [(v >> 8) & 255, v & 255];
const le16 = (v: number) => [v & 255, (v >> 8) & 255];
const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];

/** The generation context: PRNG plus biased value pickers. */
class Gen {
  constructor(
    readonly r: Rng,
    readonly b: Bias,
  ) {}
  ipv4(): number[] {
    const r = this.r;
    if (this.b.ipv4.length && r.chance(0.55)) {
      const a = [...r.pick(this.b.ipv4)];
      // nets are zero-filled: randomize host bits sometimes so `net` tests see members
      if (r.chance(0.4)) for (let i = 3; i >= 0 && a[i] === 0; i--) a[i] = r.int(256);
      return a;
    }
    return r.pick([
      () => [10, r.int(4), r.int(4), r.int(256)],
      () => [192, 168, r.int(3), r.int(256)],
      () => [172, 16 + r.int(16), r.int(256), r.int(256)],
      () => [224 + r.int(16), 0, 0, r.int(256)],
      () => [255, 255, 255, 255],
      () => [127, 0, 0, 1],
      () => r.bytes(4),
    ])();
  }
  ipv6(): number[] {
    const r = this.r;
    if (this.b.ipv6.length && r.chance(0.55)) {
      const a = [...r.pick(this.b.ipv6)];
      if (r.chance(0.3)) a[15] = r.int(256);
      return a;
    }
    return r.pick([
      () => [0xfe, 0x80, 0, 0, 0, 0, 0, 0, ...r.bytes(8)],
      () => [0xff, r.pick([1, 2, 5, 0x0e]), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, r.int(3)],
      () => [0x20, 0x01, 0x0d, 0xb8, ...r.bytes(12)],
      () => [...new Array<number>(15).fill(0), 1],
      () => r.bytes(16),
    ])();
  }
  mac(): number[] {
    const r = this.r;
    if (this.b.macs.length && r.chance(0.5)) return [...r.pick(this.b.macs)];
    return r.pick([
      () => [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      () => [0x01, 0x00, 0x5e, r.int(128), r.int(256), r.int(256)],
      () => [0x33, 0x33, ...r.bytes(4)],
      () => [0x00, 0x1b, 0x21, ...r.bytes(3)],
      () => r.bytes(6),
    ])();
  }
  port(): number {
    const r = this.r;
    if (this.b.l4ports.length && r.chance(0.35)) return r.pick(this.b.l4ports);
    if (this.b.ports.length && r.chance(0.2)) return r.pick(this.b.ports);
    return r.pick([() => r.pick([20, 21, 22, 23, 25, 53, 67, 68, 80, 123, 161, 443, 4789, 6081, 8472, 1023, 1024]), () => r.int(65536)])();
  }
  /** A value for a label-like field (VLAN id, MPLS label, session, VNI, VCI, point code). */
  label(bits: number): number {
    const v = this.b.labels.length && this.r.chance(0.6) ? this.r.pick(this.b.labels) : this.r.int(2 ** Math.min(bits, 31));
    return bits >= 32 ? v >>> 0 : v % 2 ** bits;
  }
  byte(): number {
    return this.b.bytes.length && this.r.chance(0.5) ? this.r.pick(this.b.bytes) : this.r.int(256);
  }
  payload(max: number): number[] {
    const n = this.r.chance(0.15) ? 0 : this.r.int(max);
    return this.r.bytes(n);
  }
}

const IPPROTO = { ICMP: 1, IGMP: 2, IPIP: 4, TCP: 6, UDP: 17, IPV6: 41, ROUTING: 43, FRAG: 44, GRE: 47, ESP: 50, AH: 51, ICMPV6: 58, NONE: 59, DSTOPTS: 60, HOPOPTS: 0, OSPF: 89, PIM: 103, VRRP: 112, SCTP: 132 } as const;

/** Transport header (+payload) for protocol `proto`; `depth` limits tunnels. */
function l4(g: Gen, proto: number, depth: number): number[] {
  const r = g.r;
  switch (proto) {
    case IPPROTO.TCP: {
      const opts = r.chance(0.3) ? [2, 4, 5, 0xb4, 1, 1, 4, 2] : [];
      const doff = (20 + opts.length) / 4;
      const flags = r.chance(0.5) ? r.pick([0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14]) : r.int(256);
      return [...be16(g.port()), ...be16(g.port()), ...be32(r.u32()), ...be32(r.u32()), (doff << 4) | (r.chance(0.1) ? r.int(16) : 0), flags, ...be16(r.int(65536)), 0, 0, 0, 0, ...opts, ...g.payload(200)];
    }
    case IPPROTO.UDP: {
      const dport = r.chance(0.2) ? r.pick([4789, 6081, 8472, 6635]) : g.port();
      let body = g.payload(200);
      if (depth < 2 && (dport === 4789 || dport === 8472) && r.chance(0.7)) body = [0x08, 0, 0, 0, ...be32((g.label(24) << 8) >>> 0), ...ethernet(g, depth + 1).bytes];
      else if (depth < 2 && dport === 6081 && r.chance(0.7)) body = [0, 0, ...be16(r.pick([0x6558, 0x0800, 0x86dd])), ...be32((g.label(24) << 8) >>> 0), ...ethernet(g, depth + 1).bytes];
      else if (depth < 2 && dport === 6635 && r.chance(0.7)) body = [...mplsStack(g), ...ipv4(g, depth + 1).bytes];
      return [...be16(g.port()), ...be16(dport), ...be16(8 + body.length), 0, 0, ...body];
    }
    case IPPROTO.ICMP:
      return [r.pick([0, 3, 8, 11, 5, 13, r.int(256)]), r.int(4), 0, 0, ...be32(r.u32()), ...g.payload(64)];
    case IPPROTO.ICMPV6:
      return [r.pick([1, 2, 3, 128, 129, 133, 134, 135, 136, 143, r.int(256)]), r.int(4), 0, 0, ...be32(r.u32()), ...g.payload(64)];
    case IPPROTO.IGMP:
      return [r.pick([0x11, 0x12, 0x16, 0x17, 0x22]), r.int(100), 0, 0, ...g.ipv4()];
    case IPPROTO.SCTP:
      return [...be16(g.port()), ...be16(g.port()), ...be32(r.u32()), 0, 0, 0, 0, ...g.payload(64)];
    case IPPROTO.PIM:
      return [0x20 | r.int(9), 0, 0, 0, ...g.payload(32)];
    case IPPROTO.VRRP:
      return [r.pick([0x21, 0x31]), r.int(256), 100, 1, 0, 1, 0, 0, ...g.ipv4()];
    case IPPROTO.GRE: {
      const inner = r.pick([0x0800, 0x86dd, 0x6558, 0x88be]);
      const body = depth < 2 ? (inner === 0x0800 ? ipv4(g, depth + 1).bytes : inner === 0x86dd ? ipv6(g, depth + 1).bytes : inner === 0x6558 ? ethernet(g, depth + 1).bytes : g.payload(40)) : g.payload(40);
      return [0, 0, ...be16(inner), ...body];
    }
    case IPPROTO.AH: {
      const next = r.pick([IPPROTO.TCP, IPPROTO.UDP, IPPROTO.ICMP, 108, IPPROTO.IPIP]);
      return [next, 4, 0, 0, ...be32(r.u32()), ...be32(r.u32()), ...r.bytes(12), ...(depth < 2 ? l4(g, next === IPPROTO.IPIP ? -1 : next, depth + 1) : [])]; // -1: opaque bytes instead of a nested IPv4
    }
    case IPPROTO.ESP:
      return [...be32(r.u32()), ...be32(r.u32()), ...g.payload(60)];
    case IPPROTO.IPIP:
      return depth < 2 ? ipv4(g, depth + 1).bytes : g.payload(20);
    case IPPROTO.IPV6:
      return depth < 2 ? ipv6(g, depth + 1).bytes : g.payload(20);
    case IPPROTO.OSPF:
      return [2, r.int(6), 0, 44, ...g.ipv4(), ...g.ipv4(), ...g.payload(40)];
    default:
      return g.payload(80);
  }
}

function pickProto(g: Gen, v6: boolean): number {
  const r = g.r;
  if (r.chance(0.1)) return g.byte();
  return r.pick(v6
    ? [IPPROTO.TCP, IPPROTO.TCP, IPPROTO.UDP, IPPROTO.UDP, IPPROTO.ICMPV6, IPPROTO.ICMPV6, IPPROTO.SCTP, IPPROTO.PIM, IPPROTO.GRE, IPPROTO.AH, IPPROTO.ESP, IPPROTO.IPIP, IPPROTO.OSPF, IPPROTO.VRRP]
    : [IPPROTO.TCP, IPPROTO.TCP, IPPROTO.UDP, IPPROTO.UDP, IPPROTO.ICMP, IPPROTO.IGMP, IPPROTO.SCTP, IPPROTO.PIM, IPPROTO.VRRP, IPPROTO.GRE, IPPROTO.AH, IPPROTO.ESP, IPPROTO.IPIP, IPPROTO.IPV6, IPPROTO.OSPF]);
}

/** IPv4 with optional options and fragmentation (non-first fragments carry no L4 header). */
function ipv4(g: Gen, depth: number): Built {
  const r = g.r;
  const proto = pickProto(g, false);
  const opts = r.chance(0.15) ? r.pick([[0x94, 4, 0, 0], [7, 7, 4, 0, 0, 0, 0, 1], [1, 1, 1, 0]]) : [];
  const ihl = 5 + opts.length / 4;
  let frag = 0;
  if (r.chance(0.15)) frag = r.pick([0x2000, 0x2000 | (1 + r.int(200)), 1 + r.int(200), 0x4000]);
  else if (r.chance(0.5)) frag = 0x4000;
  const body = (frag & 0x1fff) !== 0 ? g.payload(100) : l4(g, proto, depth);
  const src = g.ipv4();
  const dst = r.chance(0.25) ? src : g.ipv4(); // `src and dst host X` needs both equal
  const hdr = [0x40 | ihl, r.int(256), ...be16(ihl * 4 + body.length), ...be16(r.int(65536)), ...be16(frag), 1 + r.int(255), proto, 0, 0, ...src, ...dst, ...opts];
  return { bytes: [...hdr, ...body], layers: [0, hdr.length] };
}

/** IPv6 with a random chain of extension headers in front of the transport header. */
function ipv6(g: Gen, depth: number): Built {
  const r = g.r;
  const final = pickProto(g, true);
  const chain: number[] = [];
  if (r.chance(0.3)) for (let n = 1 + r.int(3); n > 0; n--) chain.push(r.pick([IPPROTO.HOPOPTS, IPPROTO.DSTOPTS, IPPROTO.ROUTING, IPPROTO.FRAG]));
  const protos = [...chain, final];
  const ext: number[] = [];
  let fragmented = false;
  for (let i = 0; i < chain.length; i++) {
    const next = protos[i + 1]!;
    if (chain[i] === IPPROTO.FRAG) {
      const off = r.chance(0.5) ? 0 : 1 + r.int(100);
      if (off) fragmented = true;
      ext.push(next, 0, ...be16((off << 3) | r.int(2)), ...be32(r.u32()));
    } else if (chain[i] === IPPROTO.ROUTING) ext.push(next, 2, r.int(5), 1, 0, 0, 0, 0, ...g.ipv6());
    else ext.push(next, 0, 1, 4, 0, 0, 0, 0);
  }
  const body = fragmented ? g.payload(80) : final === IPPROTO.NONE ? [] : l4(g, final, depth);
  const src6 = g.ipv6();
  const hdr = [0x60 | r.int(16), r.int(256), r.int(256), r.int(256), ...be16(ext.length + body.length), protos[0]!, 1 + r.int(255), ...src6, ...(r.chance(0.25) ? src6 : g.ipv6())];
  return { bytes: [...hdr, ...ext, ...body], layers: [0, hdr.length + ext.length] };
}

function arp(g: Gen): number[] {
  const r = g.r;
  const spa = g.ipv4();
  return [0, 1, 8, 0, 6, 4, 0, r.pick([1, 2, 3, 4]), ...g.mac(), ...spa, ...g.mac(), ...(r.chance(0.15) ? spa : g.ipv4())];
}

function mplsStack(g: Gen): number[] {
  const r = g.r;
  const out: number[] = [];
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) {
    const label = g.label(20);
    out.push(...be32(((label & 0xfffff) << 12) | (r.int(8) << 9) | (i === n - 1 ? 0x100 : 0) | 64));
  }
  return out;
}

/**
 * A network-layer payload and its ethertype. `depth` bounds recursion through tunnels and
 * encapsulations (VLAN, MPLS, PPPoE).
 */
function network(g: Gen, depth: number): { type: number; built: Built } {
  const r = g.r;
  const kind = r.int(100);
  const plain = (type: number, bytes: number[]) => ({ type, built: { bytes, layers: [0] } });
  if (kind < 38) return { type: 0x0800, built: ipv4(g, depth) };
  if (kind < 60) return { type: 0x86dd, built: ipv6(g, depth) };
  if (kind < 66) return plain(0x0806, arp(g));
  if (kind < 68) return plain(0x8035, arp(g));
  if (depth < 2 && kind < 74) {
    const inner = network(g, depth + 1);
    return { type: r.pick([0x8100, 0x8100, 0x88a8, 0x9100]), built: { bytes: [...be16((r.int(8) << 13) | g.label(12)), ...be16(inner.type), ...inner.built.bytes], layers: [0, ...inner.built.layers.map((x) => x + 4)] } };
  }
  if (depth < 2 && kind < 78) {
    const stack = mplsStack(g);
    const inner = r.chance(0.6) ? ipv4(g, depth + 1) : ipv6(g, depth + 1);
    return { type: r.pick([0x8847, 0x8848]), built: { bytes: [...stack, ...inner.bytes], layers: [0, ...inner.layers.map((x) => x + stack.length)] } };
  }
  if (depth < 2 && kind < 82) {
    // PPPoE session: ver/type, code 0, session id, length, PPP protocol
    const inner = r.chance(0.6) ? ipv4(g, depth + 1) : ipv6(g, depth + 1);
    const proto = inner.bytes[0]! >> 4 === 6 ? 0x0057 : 0x0021;
    return { type: 0x8864, built: { bytes: [0x11, 0, ...be16(g.label(16)), ...be16(inner.bytes.length + 2), ...be16(r.chance(0.9) ? proto : r.int(65536)), ...inner.bytes], layers: [0, 8] } };
  }
  if (kind < 84) return plain(0x8863, [0x11, r.pick([0x09, 0x07, 0x19, 0x65, 0xa7]), ...be16(r.int(65536)), 0, 0, ...g.payload(20)]);
  if (kind < 86) return plain(0x6003, [...be16(30), 0x81, 0, 0, ...le16(g.port()), 0, 0, 0, 0, ...le16(g.port()), ...g.payload(20)]); // DECnet
  if (kind < 88) return plain(0x809b, [0, 30, ...be16(0), ...be16(r.int(65536)), r.int(256), r.int(256), 0, 0, 0, 0, ...g.payload(20)]); // AppleTalk DDP
  if (kind < 90) return plain(0x8137, [0xff, 0xff, ...be16(30), 0, r.int(20), ...g.payload(24)]); // IPX
  if (kind < 92) return plain(0x88cc, g.payload(40)); // LLDP
  if (kind < 94) return plain(0, []); // type/length 0 and no payload: a degenerate 802.3 frame
  if (kind < 97) return plain(r.pick([0x6001, 0x6002, 0x6004, 0x6007, 0x8038, 0x80f3, 0x0842, 0x88e5, 0x88f7, 0x8906, 0x22f3]), g.payload(60)); // DEC MOP/LAT/SCA, lanbridge, AARP, ...
  return plain(g.port(), g.payload(60));
}

/** 802.2 LLC frames (with SNAP, or a SAP like STP, ISO, IPX, NetBEUI) for 802.3/FDDI/802.5/802.11. */
function llcPayload(g: Gen, depth: number): Built {
  const r = g.r;
  const k = r.int(10);
  if (k < 6) {
    const n = network(g, depth);
    const oui = r.chance(0.85) ? [0, 0, 0] : r.pick([[0, 0, 0xf8], [0x08, 0x00, 0x07], [0, 0, 0x0c]]);
    return { bytes: [0xaa, 0xaa, 0x03, ...oui, ...be16(n.type), ...n.built.bytes], layers: [0, ...n.built.layers.map((x) => x + 8)] };
  }
  const sap = r.pick([0x42, 0xfe, 0xe0, 0xf0, 0x06, 0x98, g.byte()]);
  const ctrl = r.pick([0x03, 0x03, 0x7f, 0xaf, 0xe3, 0x43, 0x63, 0x83, 0x87, 0x0f, 0x01, 0x00, 0x6f, 0xf3]);
  // ISO over LLC (SAP 0xfe) starts with a network-layer protocol id: CLNP, ES-IS, IS-IS
  const nlpid = sap === 0xfe && r.chance(0.8) ? [r.pick([0x81, 0x82, 0x83, g.byte()]), 27, 1, 0, r.pick([0x12, 0x18, 0x19, 0x1a, 0x1b, 0x0f, 0x10, 0x11, g.byte()])] : [];
  return { bytes: [sap, r.chance(0.8) ? sap : g.byte(), ctrl, ...nlpid, ...g.payload(60)], layers: [0, 3] };
}

function ethernet(g: Gen, depth: number): Built {
  const r = g.r;
  const hdr = [...g.mac(), ...g.mac()];
  if (r.chance(0.12)) {
    const llc = llcPayload(g, depth);
    return { bytes: [...hdr, ...be16(Math.min(llc.bytes.length, 1500)), ...llc.bytes], layers: [0, ...llc.layers.map((x) => x + 14)] };
  }
  const n = network(g, depth);
  return { bytes: [...hdr, ...be16(n.type), ...n.built.bytes], layers: [0, ...n.built.layers.map((x) => x + 14)] };
}

/** Wraps a network payload after a fixed-size link header whose ethertype comes from `fmt`. */
function withHeader(hdr: number[], inner: Built): Built {
  return { bytes: [...hdr, ...inner.bytes], layers: [0, ...inner.layers.map((x) => x + hdr.length)] };
}

function ipAny(g: Gen, depth = 0): { v6: boolean; built: Built } {
  const v6 = g.r.chance(0.4);
  return { v6, built: v6 ? ipv6(g, depth) : ipv4(g, depth) };
}

function ieee80211(g: Gen): Built {
  const r = g.r;
  const type = r.chance(0.6) ? 2 : r.int(4);
  const subtype = r.int(16);
  const flags = r.chance(0.6) ? r.int(4) : r.int(256);
  const fc = [(subtype << 4) | (type << 2) | (r.chance(0.05) ? r.int(4) : 0), flags];
  if (type === 1) {
    // control frames are short: RTS/PS-Poll/CF-End have two addresses, CTS/ACK one
    const two = [0xa, 0xb, 0xe, 0xf, 8, 9].includes(subtype);
    return { bytes: [...fc, 0, 0, ...g.mac(), ...(two ? g.mac() : []), ...(r.chance(0.3) ? r.bytes(r.int(8)) : [])], layers: [0] };
  }
  const hdr = [...fc, ...le16(r.int(65536)), ...g.mac(), ...g.mac(), ...g.mac(), ...le16(r.int(65536))];
  if (type === 2 && (flags & 3) === 3) hdr.push(...g.mac());
  if (type === 2 && (subtype & 8)) hdr.push(r.int(256), r.int(256));
  if (type === 2 && !(subtype & 4)) {
    const llc = llcPayload(g, 0);
    return { bytes: [...hdr, ...llc.bytes], layers: [0, ...llc.layers.map((x) => x + hdr.length)] };
  }
  return { bytes: [...hdr, ...g.payload(80)], layers: [0, hdr.length] };
}

function radiotap(g: Gen): number[] {
  const r = g.r;
  // present: flags (bit 1) + rate (bit 2) + channel (bit 3); sometimes an extra padded field
  const flags = r.chance(0.2) ? 0x10 : r.int(256) & ~0x10; // 0x10 = frame includes FCS
  const body = [flags, 2, ...le16(2412), ...le16(0x00a0)];
  const extra = r.chance(0.3) ? r.bytes(4 + r.int(8)) : [];
  const len = 8 + body.length + extra.length;
  return [0, 0, ...le16(len), ...le32(0x0000000e), ...body, ...extra];
}

function prismOrAvs(g: Gen, avs: boolean): number[] {
  const r = g.r;
  if (avs || r.chance(0.3)) {
    const len = r.chance(0.9) ? 64 : 64 + 4 * r.int(4);
    return [...be32(0x80211001), ...be32(len), ...r.bytes(len - 8)];
  }
  return [...le32(0x00000041), ...le32(144), ...r.bytes(136)];
}

const PFLOG_ACTIONS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
function pflog(g: Gen): Built {
  const r = g.r;
  const ip = ipAny(g);
  const name = (max: number) => {
    const s = g.b.names.length && r.chance(0.6) ? r.pick(g.b.names) : r.pick(['em0', 'lo0', 'pflog0', 'testname1', '']);
    const out = new Array<number>(max).fill(0);
    for (let i = 0; i < Math.min(s.length, max - 1); i++) out[i] = s.charCodeAt(i);
    return out;
  };
  const hdr = [61, ip.v6 ? r.pick([24, 28, 30, 10]) : 2, r.pick(PFLOG_ACTIONS), r.int(20), ...name(16), ...name(16), ...be32(r.chance(0.5) ? g.byte() : r.u32()), ...be32(r.chance(0.5) ? g.byte() : r.u32()), ...be32(r.u32()), ...be32(r.u32()), ...be32(r.u32()), ...be32(r.u32()), r.int(4), 0, 0, 0];
  if (r.chance(0.1)) hdr[0] = r.pick([0, 44, 72, 255]);
  return withHeader(hdr, ip.built);
}

function mtp2(g: Gen): Built {
  const r = g.r;
  const li = r.pick([0, 1, 2, 3, 40, 63]);
  const dpc = g.label(14), opc = g.label(14), sls = g.label(4);
  const label = (dpc | (opc << 14) | (sls << 28)) >>> 0;
  // high-speed links (the h* keywords) use a 6-byte header with a 12-bit length indicator
  const hdr = r.chance(0.4) ? [r.int(256), r.int(256), r.int(256), r.int(256), li, 0] : [r.int(256), r.int(256), li];
  const sio = g.b.labels.length && r.chance(0.5) ? g.label(8) : g.byte();
  return { bytes: [...hdr, sio, ...le32(label), ...g.payload(40)], layers: [0, hdr.length] };
}

function sunatm(g: Gen): Built {
  const r = g.r;
  const traffic = r.pick([0, 1, 2, 4, 0x80]); // SunATM pseudo-header: traffic type in the low bits, 0x80 = direction
  const vci = r.chance(0.3) ? g.label(16) : r.pick([1, 2, 3, 4, 5, 16, 17, 18, 20, 32]);
  const vpi = r.chance(0.5) ? 0 : g.label(8);
  // signalling (VCI 5) carries a Q.2931 message whose type byte sits at payload offset 5
  const payload = vci === 5 && r.chance(0.7) ? [0x09, 3, 0, 0, 0, r.pick([0x05, 0x07, 0x0f, 0x4d, 0x5a, 0x02]), ...g.payload(20)] : r.chance(0.3) ? [...be16(r.int(65536)), ...ethernet(g, 0).bytes] : llcPayload(g, 0).bytes;
  return { bytes: [traffic | r.int(2) * 0x80, vpi, ...be16(vci), ...payload], layers: [0, 4] };
}

/** Link-type names this generator knows, with their LINKTYPE_* numbers (pcap file header). */
export const GEN_LINKTYPES: Record<string, number> = {
  NULL: 0, EN10MB: 1, IEEE802: 6, ARCNET: 7, SLIP: 8, PPP: 9, FDDI: 10, RAW: 101, PPP_BSDOS: 103, C_HDLC: 104,
  IEEE802_11: 105, LOOP: 108, LINUX_SLL: 113, PFLOG: 117, PRISM_HEADER: 119, IP_OVER_FC: 122, SUNATM: 123,
  IEEE802_11_RADIO: 127, ARCNET_LINUX: 129, APPLE_IP_OVER_IEEE1394: 138, MTP2: 140, JUNIPER_MFR: 134,
  IEEE802_11_RADIO_AVS: 163, BACNET_MS_TP: 165, PPI: 192, SYMANTEC_FIREWALL: 99, IPV4: 228, IPV6: 229,
  NETANALYZER: 240, IPNET: 226, DSA_TAG_BRCM: 281, DSA_TAG_DSA: 284, LINUX_SLL2: 276,
};

/** One unmutated frame of the given link type. */
function frame(g: Gen, lt: string): Built {
  const r = g.r;
  switch (lt) {
    case 'EN10MB':
      return ethernet(g, 0);
    case 'NETANALYZER':
      return withHeader(le32(r.int(1 << 16)), ethernet(g, 0));
    case 'DSA_TAG_BRCM':
    case 'DSA_TAG_DSA': {
      const e = ethernet(g, 0);
      const tag = lt === 'DSA_TAG_DSA' ? [r.pick([0x00, 0x40, 0x80, 0xc0]) | r.int(32), r.int(256), r.int(256), r.int(256)] : r.bytes(4);
      return { bytes: [...e.bytes.slice(0, 12), ...tag, ...e.bytes.slice(12)], layers: [0, ...e.layers.slice(1).map((x) => x + 4)] };
    }
    case 'RAW':
      return ipAny(g).built;
    case 'IPV4':
      return r.chance(0.9) ? ipv4(g, 0) : ipv6(g, 0);
    case 'IPV6':
      return r.chance(0.9) ? ipv6(g, 0) : ipv4(g, 0);
    case 'NULL':
    case 'LOOP': {
      const ip = ipAny(g);
      const af = ip.v6 ? r.pick([24, 28, 30]) : 2;
      const bytes = lt === 'LOOP' ? be32(af) : r.chance(0.5) ? le32(af) : be32(af);
      return withHeader(r.chance(0.05) ? be32(r.int(40)) : bytes, ip.built);
    }
    case 'LINUX_SLL': {
      const n = r.chance(0.1) ? { type: r.pick([1, 4]), built: llcPayload(g, 0) } : network(g, 0);
      return withHeader([...be16(r.pick([0, 1, 2, 3, 4])), ...be16(r.pick([1, 772, 65534, 512])), ...be16(6), ...g.mac(), 0, 0, ...be16(n.type)], n.built);
    }
    case 'LINUX_SLL2': {
      const n = r.chance(0.1) ? { type: r.pick([1, 4]), built: llcPayload(g, 0) } : network(g, 0);
      return withHeader([...be16(n.type), 0, 0, ...be32(1 + r.int(4)), ...be16(r.pick([1, 772, 65534])), r.pick([0, 1, 2, 3, 4]), 6, ...g.mac(), 0, 0], n.built);
    }
    case 'PPP':
    case 'C_HDLC':
    case 'PPP_BSDOS': {
      const k = r.int(10);
      let proto: number, inner: Built;
      const hdlc = lt === 'C_HDLC'; // Cisco HDLC carries ethertypes, PPP its own protocol numbers
      if (k < 4) {
        inner = ipv4(g, 0);
        proto = hdlc ? 0x0800 : 0x0021;
      } else if (k < 7) {
        inner = ipv6(g, 0);
        proto = hdlc ? 0x86dd : 0x0057;
      } else if (k < 8) {
        inner = { bytes: [0x83, ...g.payload(30)], layers: [0] }; // OSI (IS-IS NLPID first)
        proto = hdlc ? 0xfefe : 0x0023;
      } else {
        inner = { bytes: g.payload(30), layers: [0] };
        proto = r.pick([0xc021, 0x8021, 0x002b, 0x0029, 0x8035, 0x8847, g.port()]); // LCP, IPCP, IPX, AppleTalk, RARP, MPLS, other
      }
      if (lt === 'C_HDLC') return withHeader([r.pick([0x0f, 0x8f]), 0, ...be16(proto)], inner);
      if (lt === 'PPP_BSDOS') return withHeader([r.int(2), 0, 0, 0, 0, ...be16(proto), ...r.bytes(17)], inner);
      return withHeader(r.chance(0.85) ? [0xff, 0x03, ...be16(proto)] : [...be16(proto), ...be16(r.int(65536))], inner);
    }
    case 'SLIP':
      return withHeader([r.int(2), ...r.bytes(15)], ipv4(g, 0));
    case 'FDDI': {
      const llc = llcPayload(g, 0);
      return withHeader([0x50 | r.int(8), ...g.mac(), ...g.mac()], llc);
    }
    case 'IEEE802': {
      const llc = llcPayload(g, 0);
      return withHeader([0x10, 0x40, ...g.mac(), ...g.mac()], llc);
    }
    case 'IP_OVER_FC': {
      const llc = llcPayload(g, 0);
      return withHeader([0x10, 0x00, ...g.mac(), 0x10, 0x00, ...g.mac()], llc);
    }
    case 'APPLE_IP_OVER_IEEE1394': {
      const n = network(g, 0);
      return withHeader([...r.bytes(8), ...r.bytes(8), ...be16(n.type)], n.built);
    }
    case 'ARCNET':
    case 'ARCNET_LINUX': {
      const ip = r.chance(0.7);
      const type = r.pick(ip ? [0xd4, 0xf0, 0xd4] : [0xd5, 0xf1, 0xd6, 0xf2, 0xcd, g.byte()]);
      const inner = ip ? ipv4(g, 0) : { bytes: arp(g), layers: [0] };
      const addr = [g.byte(), g.byte()];
      const pre = lt === 'ARCNET_LINUX' ? [...addr, 0, 0] : addr;
      // RFC 1201 types (0xd4..) carry split flag + sequence; 0xff split flag adds 4 more bytes
      const split = type === 0xd4 || type === 0xd5 || type === 0xd6 ? (r.chance(0.1) ? [0xff, 0xff, 0xff, 0, 0, 0] : [0, 0, 0]) : [];
      return withHeader([...pre, type, ...split], inner);
    }
    case 'IEEE802_11':
      return ieee80211(g);
    case 'IEEE802_11_RADIO':
      return withHeader(radiotap(g), ieee80211(g));
    case 'PRISM_HEADER':
    case 'IEEE802_11_RADIO_AVS':
      return withHeader(prismOrAvs(g, lt === 'IEEE802_11_RADIO_AVS'), ieee80211(g));
    case 'PPI': {
      const len = r.chance(0.85) ? 8 : 8 + 4 * r.int(8);
      return withHeader([0, 0, ...le16(len), ...le32(r.chance(0.9) ? 105 : 1), ...r.bytes(len - 8)], ieee80211(g));
    }
    case 'PFLOG':
      return pflog(g);
    case 'MTP2':
      return mtp2(g);
    case 'SUNATM':
      return sunatm(g);
    case 'SYMANTEC_FIREWALL': {
      const n = network(g, 0);
      const hdr = r.bytes(44);
      hdr.splice(6, 2, ...be16(n.type));
      return withHeader(hdr, n.built);
    }
    case 'IPNET': {
      const ip = ipAny(g);
      return withHeader([1, ip.v6 ? 26 : 2, ...be16(r.int(3)), ...be32(ip.built.bytes.length), ...be32(1), ...be32(r.int(2)), ...be32(0), ...be32(r.int(2)), ...be32(0)], ip.built);
    }
    case 'JUNIPER_MFR': {
      const ip = ipAny(g);
      return withHeader([0x4d, 0x47, 0x43, r.int(4) | (r.chance(0.5) ? 0x80 : 0), ...r.bytes(4)], ip.built);
    }
    case 'BACNET_MS_TP': {
      const data = g.payload(40);
      return { bytes: [0x55, 0xff, r.int(8), g.byte(), g.byte(), ...be16(data.length), r.int(256), ...data], layers: [0, 8] };
    }
    default:
      throw new Error(`packet-gen: no generator for link type ${lt}`);
  }
}

/**
 * Mutates a frame in place (returns the new byte list): on Ethernet, sometimes pushes or pops an
 * 802.1Q/802.1ad tag in front of whatever follows the MAC addresses (an LLC frame, an MPLS
 * stack, another tag); then pokes corpus constants at corpus offsets relative to a layer start,
 * flips bits, or overwrites a byte with a biased value.
 */
function mutate(g: Gen, f: Built, lt: string): number[] {
  const r = g.r;
  const bytes = f.bytes;
  if (lt === 'EN10MB' && bytes.length >= 14 && r.chance(0.08)) {
    const tagged = (bytes[12] === 0x81 || bytes[12] === 0x88 || bytes[12] === 0x91) && bytes.length >= 18;
    if (tagged && r.chance(0.4)) {
      bytes.splice(12, 4); // pop the outer tag
      f.layers = f.layers.map((x) => (x >= 16 ? x - 4 : x));
    } else {
      bytes.splice(12, 0, ...be16(r.pick([0x8100, 0x88a8, 0x9100])), ...be16((r.int(8) << 13) | g.label(12)));
      f.layers = f.layers.map((x) => (x >= 12 ? x + 4 : x));
    }
  }
  const nmut = r.chance(0.4) ? 0 : 1 + r.int(3);
  for (let i = 0; i < nmut; i++) {
    const base = r.pick(f.layers);
    const k = r.int(4);
    if (k === 0 && g.b.pokes.length && r.chance(0.6)) {
      // place an exact `proto[off:width] == value` of the corpus
      const p = r.pick(g.b.pokes);
      const off = base + p.off;
      while (bytes.length < off + p.width) bytes.push(r.int(256));
      for (let j = 0; j < p.width; j++) bytes[off + j] = (p.value >>> (8 * (p.width - 1 - j))) & 255;
    } else if (k === 0 && g.b.offsets.length) {
      // `proto[off] == val` style: place a corpus value at a corpus offset
      const off = base + r.pick(g.b.offsets);
      const width = r.pick([1, 2, 4]);
      const v = width === 1 ? g.byte() : width === 2 ? (g.b.ports.length ? r.pick(g.b.ports) : r.int(65536)) : g.b.words.length ? r.pick(g.b.words) : r.u32();
      while (bytes.length < off + width) bytes.push(r.int(256));
      for (let j = 0; j < width; j++) bytes[off + j] = (v >>> (8 * (width - 1 - j))) & 255;
    } else if (k === 1 && bytes.length) {
      const p = Math.min(bytes.length - 1, base + r.int(24));
      bytes[p]! ^= 1 << r.int(8);
    } else if (k === 2 && bytes.length) {
      bytes[Math.min(bytes.length - 1, base + r.int(40))] = g.byte();
    } else {
      // pad with payload so that far offsets exist
      bytes.push(...r.bytes(r.int(200)));
    }
  }
  return bytes;
}

/**
 * `count` packets for link type `lt`. About 15% are truncated (caplen < wirelen), a few have an
 * empty capture, the rest keep caplen === wirelen.
 */
export function generatePackets(lt: string, seed: number, count: number, bias: Bias): GenPacket[] {
  const g = new Gen(new Rng(seed), bias);
  const out: GenPacket[] = [];
  for (let i = 0; i < count; i++) {
    const f = frame(g, lt);
    const bytes = mutate(g, f, lt);
    let caplen = bytes.length;
    let wirelen = bytes.length;
    const r = g.r;
    if (r.chance(0.15)) caplen = r.int(bytes.length + 1);
    if (r.chance(0.05)) wirelen += r.int(2000);
    if (r.chance(0.01)) caplen = 0;
    out.push({ data: Uint8Array.from(bytes.slice(0, caplen)), wirelen: Math.max(wirelen, caplen) });
  }
  return out;
}

/** Writes a microsecond pcap (little-endian, version 2.4) with fixed, increasing timestamps. */
export function writePcap(path: string, linkType: number, snaplen: number, packets: readonly GenPacket[]): void {
  let size = 24;
  for (const p of packets) size += 16 + p.data.length;
  const buf = Buffer.alloc(size);
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(snaplen, 16);
  buf.writeUInt32LE(linkType, 20);
  let o = 24;
  packets.forEach((p, i) => {
    buf.writeUInt32LE(1700000000 + i, o);
    buf.writeUInt32LE((i * 7919) % 1000000, o + 4);
    buf.writeUInt32LE(p.data.length, o + 8);
    buf.writeUInt32LE(p.wirelen, o + 12);
    buf.set(p.data, o + 16);
    o += 16 + p.data.length;
  });
  writeFileSync(path, buf);
}
