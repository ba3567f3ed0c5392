/**
 * Name resolution for filter expressions: host names, network names, service (port) names,
 * protocol names and Ethernet host names, read from the classic files (/etc/hosts,
 * /etc/networks, /etc/services, /etc/protocols, /etc/ethers) the way libpcap resolves them when
 * DNS is not involved. The resolver is an interface so tests can inject fixed tables;
 * `systemResolver()` reads the files lazily, once per resolver.
 */
import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';

export interface NameResolver {
  /** IPv4 addresses (host order numbers) and IPv6 addresses (16 bytes) of a host name. */
  host(name: string): { v4: number[]; v6: Uint8Array[] } | undefined;
  /** Network number of a network name (host order, not shifted: "loopback 127" → 127). */
  network(name: string): number | undefined;
  /** Port of a service name for a transport protocol. */
  service(name: string, proto: 'tcp' | 'udp' | 'sctp'): number | undefined;
  /** IP protocol number of a protocol name. */
  protocol(name: string): number | undefined;
  /** MAC address of a host name. */
  ether(name: string): Uint8Array | undefined;
}

export interface NameTables {
  hosts?: string;
  networks?: string;
  services?: string;
  protocols?: string;
  ethers?: string;
}

function lines(text: string | undefined): string[][] {
  if (!text) return [];
  return text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l.length > 0).map((l) => l.split(/\s+/));
}

function parseIPv4(s: string): number | undefined {
  if (!isIPv4(s)) return undefined;
  const p = s.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

export function parseIPv6(s: string): Uint8Array | undefined {
  if (!isIPv6(s)) return undefined;
  let text = s;
  const out = new Uint8Array(16);
  // Embedded IPv4 tail (::ffff:1.2.3.4): convert it to two hex groups first.
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (m) {
    const v4 = parseIPv4(m[2]!)!;
    text = `${m[1]}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const hs = head ? head.split(':') : [];
  const ts = tail ? tail.split(':') : [];
  const groups = tail === undefined ? hs : [...hs, ...new Array<string>(8 - hs.length - ts.length).fill('0'), ...ts];
  groups.forEach((g, i) => { const v = parseInt(g, 16); out[2 * i] = v >> 8; out[2 * i + 1] = v & 0xff; });
  return out;
}

export function parseMac(s: string): Uint8Array | undefined {
  const hex = s.replace(/[:.-]/g, '');
  const parts = s.split(/[:.-]/);
  let bytes: number[];
  if (parts.length === 6) bytes = parts.map((p) => parseInt(p, 16));
  else if (/^[0-9A-Fa-f]{12}$/.test(hex)) bytes = hex.match(/../g)!.map((p) => parseInt(p, 16));
  else return undefined;
  if (bytes.some((b) => !Number.isFinite(b) || b > 255)) return undefined;
  return Uint8Array.from(bytes);
}

/**
 * A resolver over in-memory file contents (same syntax as the /etc files). Each table is parsed
 * on its first lookup (and its text read then: `t`'s fields may be getters), so an expression
 * that names no host reads no hosts file.
 */
export function tableResolver(t: NameTables): NameResolver {
  let hosts: Map<string, { v4: number[]; v6: Uint8Array[] }> | undefined;
  let networks: Map<string, number> | undefined;
  let services: Map<string, number> | undefined;
  let protocols: Map<string, number> | undefined;
  let ethers: Map<string, Uint8Array> | undefined;
  return {
    host: (n) => (hosts ??= hostTable(t.hosts)).get(n.toLowerCase()),
    network: (n) => (networks ??= networkTable(t.networks)).get(n.toLowerCase()),
    service: (n, p) => (services ??= serviceTable(t.services)).get(`${n}/${p}`),
    protocol: (n) => (protocols ??= protocolTable(t.protocols)).get(n),
    ether: (n) => (ethers ??= etherTable(t.ethers)).get(n.toLowerCase()),
  };
}

function hostTable(text: string | undefined): Map<string, { v4: number[]; v6: Uint8Array[] }> {
  const hosts = new Map<string, { v4: number[]; v6: Uint8Array[] }>();
  for (const [addr, ...names] of lines(text)) {
    const v4 = parseIPv4(addr!);
    const v6 = v4 === undefined ? parseIPv6(addr!) : undefined;
    if (v4 === undefined && v6 === undefined) continue;
    for (const n of names) {
      const key = n.toLowerCase();
      const e = hosts.get(key) ?? { v4: [], v6: [] };
      if (v4 !== undefined) e.v4.push(v4); else e.v6.push(v6!);
      hosts.set(key, e);
    }
  }
  return hosts;
}

function networkTable(text: string | undefined): Map<string, number> {
  const networks = new Map<string, number>();
  for (const [name, num, ...aliases] of lines(text)) {
    if (!num) continue;
    const parts = num.split('.').map(Number);
    let v = 0;
    for (const p of parts) v = (v * 256 + p) >>> 0;
    for (const n of [name!, ...aliases]) networks.set(n.toLowerCase(), v);
  }
  return networks;
}

function serviceTable(text: string | undefined): Map<string, number> {
  const services = new Map<string, number>();
  for (const [name, portProto, ...aliases] of lines(text)) {
    const m = /^(\d+)\/(\w+)$/.exec(portProto ?? '');
    if (!m) continue;
    for (const n of [name!, ...aliases]) {
      const key = `${n}/${m[2]}`;
      if (!services.has(key)) services.set(key, Number(m[1]));
    }
  }
  return services;
}

function protocolTable(text: string | undefined): Map<string, number> {
  const protocols = new Map<string, number>();
  for (const [name, num, ...aliases] of lines(text)) {
    if (num === undefined || !/^\d+$/.test(num)) continue;
    for (const n of [name!, ...aliases]) if (!protocols.has(n)) protocols.set(n, Number(num));
  }
  return protocols;
}

function etherTable(text: string | undefined): Map<string, Uint8Array> {
  const ethers = new Map<string, Uint8Array>();
  for (const [mac, name] of lines(text)) {
    const m = parseMac(mac!);
    if (m && name) ethers.set(name.toLowerCase(), m);
  }
  return ethers;
}

function readOr(path: string): string | undefined {
  try { return readFileSync(path, 'utf8'); } catch { return undefined; }
}

let system: NameResolver | undefined;

/** The resolver over this machine's /etc files, each read once on its table's first lookup. */
export function systemResolver(): NameResolver {
  system ??= tableResolver({
    get hosts() { return readOr('/etc/hosts'); },
    get networks() { return readOr('/etc/networks'); },
    get services() { return readOr('/etc/services'); },
    get protocols() { return readOr('/etc/protocols'); },
    get ethers() { return readOr('/etc/ethers'); },
  });
  return system;
}
