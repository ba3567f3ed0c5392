/**
 * Names instead of numbers, as tcpdump prints them without `-n`: host names from the hosts file,
 * TCP/UDP port names from the services file, IP protocol names from the protocols file. Only
 * these files are read, never the network (no DNS), so printing a capture cannot hang or leak
 * lookups; `-n` (or `-nn`, the same in tcpdump 4.99) turns every name off.
 *
 * Technique: each file is parsed once into a Map keyed the way the printer looks things up —
 * IPv4 addresses as a 32-bit number, IPv6 as their 16 bytes in hex, ports per protocol — and the
 * first line naming a key wins (as glibc's files lookup and tcpdump's service table do). A
 * missing or unreadable file simply gives no names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NameTables {
  /** Host name for an IPv4 address (as a uint32), if the hosts file has one. */
  host4(addr: number): string | undefined;
  /** Host name for an IPv6 address (16 bytes at `off`). */
  host6(p: Uint8Array, off: number): string | undefined;
  tcpPort(port: number): string | undefined;
  udpPort(port: number): string | undefined;
  /** Protocol name for an IP protocol number ("gre", "ospf"). */
  protocol(proto: number): string | undefined;
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'latin1').split('\n');
  } catch {
    return [];
  }
}

/** Fields of a line without its comment. */
function fields(line: string): string[] {
  const hash = line.indexOf('#');
  return (hash >= 0 ? line.slice(0, hash) : line).trim().split(/\s+/).filter((f) => f !== '');
}

function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const b = m.slice(1).map(Number);
  if (b.some((x) => x > 255)) return undefined;
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** An IPv6 address's 16 bytes as 32 hex digits, or undefined. */
function parseIpv6Hex(text: string): string | undefined {
  const pct = text.indexOf('%');
  if (pct >= 0) text = text.slice(0, pct);
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = parseIpv4(v4[1]!);
    if (n === undefined) return undefined;
    tail = [n >>> 16, n & 0xffff];
    text = text.slice(0, -v4[1]!.length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string): number[] | undefined => {
    if (s === '') return [];
    const ws = s.split(':');
    if (ws.some((w) => !/^[0-9a-fA-F]{1,4}$/.test(w))) return undefined;
    return ws.map((w) => parseInt(w, 16));
  };
  const head = part(halves[0]!);
  const rest = halves.length === 2 ? part(halves[1]!) : [];
  if (head === undefined || rest === undefined) return undefined;
  const words = halves.length === 2 ? [...head, ...new Array<number>(8 - head.length - rest.length - tail.length).fill(0), ...rest, ...tail] : [...head, ...tail];
  if (words.length !== 8 || words.some((w) => !(w >= 0))) return undefined;
  return words.map((w) => w.toString(16).padStart(4, '0')).join('');
}

const HEX2: string[] = [];
for (let b = 0; b < 256; b++) HEX2.push(b.toString(16).padStart(2, '0'));

/** Loads hosts, services and protocols from `dir` (default /etc). */
export function loadNameTables(dir = '/etc'): NameTables {
  const hosts4 = new Map<number, string>();
  const hosts6 = new Map<string, string>();
  for (const line of readLines(join(dir, 'hosts'))) {
    const f = fields(line);
    if (f.length < 2) continue;
    const v4 = parseIpv4(f[0]!);
    if (v4 !== undefined) {
      if (!hosts4.has(v4)) hosts4.set(v4, f[1]!);
      continue;
    }
    const v6 = f[0]!.includes(':') ? parseIpv6Hex(f[0]!) : undefined;
    if (v6 !== undefined && !hosts6.has(v6)) hosts6.set(v6, f[1]!);
  }
  const tcp = new Map<number, string>();
  const udp = new Map<number, string>();
  for (const line of readLines(join(dir, 'services'))) {
    const f = fields(line);
    const m = f.length >= 2 ? /^(\d+)\/(tcp|udp)$/.exec(f[1]!) : null;
    if (!m) continue;
    const table = m[2] === 'tcp' ? tcp : udp;
    const port = Number(m[1]);
    if (!table.has(port)) table.set(port, f[0]!);
  }
  const protos = new Map<number, string>();
  for (const line of readLines(join(dir, 'protocols'))) {
    const f = fields(line);
    if (f.length >= 2 && /^\d+$/.test(f[1]!) && !protos.has(Number(f[1]))) protos.set(Number(f[1]), f[0]!);
  }
  return {
    host4: (a) => hosts4.get(a),
    host6(p, off) {
      if (hosts6.size === 0) return undefined;
      let k = '';
      for (let i = 0; i < 16; i++) k += HEX2[p[off + i]!];
      return hosts6.get(k);
    },
    tcpPort: (n) => tcp.get(n),
    udpPort: (n) => udp.get(n),
    protocol: (n) => protos.get(n),
  };
}
