/**
 * Print parity with tcpdump 4.99.3: the shared part of test/tools/print-parity.ts (the report and
 * the recorder) and test/cli/print-parity.test.ts (the check in `npm test`).
 *
 * A fixed, spread-out selection of corpus captures is printed in six modes (`-nn`, `-nn -q`,
 * `-nn -e`, `-nn -v`, `-nn -vv` and the default mode with names). tcpdump's output for each
 * (capture, mode) is recorded once into test/golden/cli/parity/<mode>.jsonl; tsdump's output is
 * produced in-process and both are cut into one chunk per packet (a -v packet spans several
 * lines). A packet counts as identical when its whole chunk is byte-equal. Each differing packet
 * is attributed to a protocol key computed from the packet bytes (link type, ethertype, IP
 * protocol, well-known port), so the report can say where the differences are.
 *
 * The default mode resolves names, so its goldens are recorded with explicit name data
 * (test/golden/cli/parity/etc: hosts, services, protocols): tcpdump runs in a private mount
 * namespace where those files are bind-mounted over the system's (and nsswitch says "files"
 * only: no network lookups), and tsdump is pointed at the same folder with --names-dir.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTcpdump } from '../../src/cli/tcpdump-command.ts';
import { openReader } from '../../src/cli/capture-io.ts';
import { UserError } from '../../src/errors.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CAPTURES = join(ROOT, 'test', 'corpus', 'tcpdump-captures');
export const PARITY_DIR = join(ROOT, 'test', 'golden', 'cli', 'parity');
export const ETC_DIR = join(PARITY_DIR, 'etc');
export const MARKS_FILE = join(PARITY_DIR, 'marks.json');

/** Packets printed per capture (`-c`): keeps the recorded data small and the captures varied. */
export const PER_CAPTURE = 30;
/** Captures in the selection, spread evenly over the corpus sorted by name. */
export const SELECTION = 200;

export const MODES: Record<string, string[]> = {
  nn: ['-nn'],
  'nn-q': ['-nn', '-q'],
  'nn-e': ['-nn', '-e'],
  'nn-v': ['-nn', '-v'],
  'nn-vv': ['-nn', '-vv'],
  default: [],
};

/** The captures compared: every SELECTION-th of the corpus's readable captures, sorted by name. */
export function selectCaptures(dir = CAPTURES): string[] {
  const rows = readFileSync(join(dir, '_captures.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => {
    const [file, bytes, linktype, packets] = l.split('\t');
    return { file: file!, bytes: Number(bytes), linktype: linktype!, packets: Number(packets) };
  });
  const files = rows.filter((r) => r.packets > 0 && r.bytes <= 200_000).map((r) => r.file).sort();
  if (files.length <= SELECTION) return files;
  return Array.from({ length: SELECTION }, (_, i) => files[Math.floor((i * files.length) / SELECTION)]!);
}

export interface ParityRecord {
  file: string;
  args: string[];
  exit: number;
  stdout: string;
}

export function readParityGolden(mode: string): ParityRecord[] {
  const path = join(PARITY_DIR, `${mode}.jsonl`);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'latin1').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ParityRecord);
}

/** tcpdump's arguments for one capture in one mode (run from inside the capture folder). */
export function tcpdumpArgs(mode: string, file: string): string[] {
  return [...MODES[mode]!, '-c', String(PER_CAPTURE), '-r', file];
}

/** tsdump's arguments: the same, with the name data of the default mode given explicitly. */
export function tsdumpArgs(mode: string, path: string): string[] {
  return [...MODES[mode]!, '--names-dir', ETC_DIR, '-c', String(PER_CAPTURE), '-r', path];
}

/** The regular expression that starts a packet's first line (timestamps as tcpdump's default). */
const PACKET_START = /^(?:\d\d:\d\d:\d\d\.\d{6} |\[Invalid header:|\[Error converting time\] )/;

/** Cuts printed text into one chunk per packet (first line + continuation lines). */
export function splitPackets(stdout: string): string[] {
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    if (out.length === 0 || PACKET_START.test(line)) out.push(line);
    else out[out.length - 1] += `\n${line}`;
  }
  if (out.length > 0) {
    const last = out[out.length - 1]!;
    if (last === '') out.pop();
    else if (last.endsWith('\n')) out[out.length - 1] = last.slice(0, -1);
  }
  return out;
}

/** Runs tsdump in-process; stdout only (stderr and exit are not part of the parity figure). */
export async function runTsdump(args: string[]): Promise<string> {
  process.env.TZ = 'UTC';
  let stdout = '';
  const io = { write(fd: 1 | 2, text: string): void { if (fd === 1) stdout += text; } };
  try {
    await runTcpdump(args, io);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
  }
  return stdout;
}

// ------------------------------------------------------------------------------ protocol keys

const LINK_NAMES: Record<number, string> = { 0: 'NULL', 1: 'EN10MB', 101: 'RAW', 108: 'LOOP', 113: 'LINUX_SLL', 127: 'RADIOTAP', 9: 'PPP', 104: 'C_HDLC', 105: '802.11', 228: 'IPV4', 229: 'IPV6', 239: 'NFLOG', 276: 'LINUX_SLL2', 50: 'PPP_SERIAL', 107: 'FRELAY' };

function be16(p: Uint8Array, o: number): number {
  return ((p[o] ?? 0) << 8) | (p[o + 1] ?? 0);
}

/** A short protocol key for a packet: "EN10MB IPv4 UDP/53", "EN10MB 0x88cc", "RADIOTAP". */
export function protocolKey(linkType: number, p: Uint8Array, caplen: number): string {
  const link = LINK_NAMES[linkType] ?? `DLT${linkType}`;
  let off = -1;
  let type = -1;
  if (linkType === 1 && caplen >= 14) {
    off = 14;
    type = be16(p, 12);
    while ((type === 0x8100 || type === 0x88a8) && caplen >= off + 4) {
      type = be16(p, off + 2);
      off += 4;
    }
    if (type <= 1500) return `${link} 802.3/LLC`;
  } else if (linkType === 113 && caplen >= 16) {
    off = 16;
    type = be16(p, 14);
  } else if (linkType === 276 && caplen >= 20) {
    off = 20;
    type = be16(p, 0);
  } else if ((linkType === 0 || linkType === 108) && caplen >= 4) {
    off = 4;
    type = (p[4]! >> 4) === 6 ? 0x86dd : 0x0800;
  } else if (linkType === 101 || linkType === 228 || linkType === 229) {
    off = 0;
    type = (p[0]! >> 4) === 6 ? 0x86dd : 0x0800;
  } else return link;
  if (type === 0x0800 && caplen >= off + 20) {
    const proto = p[off + 9]!;
    if ((be16(p, off + 6) & 0x1fff) !== 0) return `${link} IPv4 fragment`;
    return `${link} IPv4 ${transportKey(proto, p, off + (p[off]! & 15) * 4, caplen)}`;
  }
  if (type === 0x86dd && caplen >= off + 40) return `${link} IPv6 ${transportKey(p[off + 6]!, p, off + 40, caplen)}`;
  if (type === 0x0806) return `${link} ARP`;
  return `${link} 0x${type.toString(16).padStart(4, '0')}`;
}

const PROTO_NAMES: Record<number, string> = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 50: 'ESP', 58: 'ICMP6', 89: 'OSPF', 103: 'PIM', 112: 'VRRP', 0: 'HBH', 43: 'RH', 44: 'FRAG', 60: 'DSTOPT' };

function transportKey(proto: number, p: Uint8Array, off: number, caplen: number): string {
  const name = PROTO_NAMES[proto] ?? `proto-${proto}`;
  if ((proto === 6 || proto === 17) && caplen >= off + 4) {
    const a = be16(p, off);
    const b = be16(p, off + 2);
    const port = Math.min(a, b) < 1024 ? Math.min(a, b) : Math.min(a, b) < 10000 ? Math.min(a, b) : Math.max(a, b) < 10000 ? Math.max(a, b) : 'high';
    return `${name}/${port}`;
  }
  return name;
}

/** Protocol keys of the first `count` packets of a capture. */
export function packetKeys(path: string, count: number): string[] {
  const keys: string[] = [];
  const r = openReader(path, 'ours');
  try {
    for (let rec = r.next(); rec !== null && keys.length < count; rec = r.next()) keys.push(protocolKey(rec.linkType, rec.data, rec.caplen));
  } finally {
    r.close();
  }
  return keys;
}

// ------------------------------------------------------------------------------ comparison

export interface FileResult {
  file: string;
  /** tcpdump's packet chunks, and ours. */
  theirs: string[];
  ours: string[];
  /** Indexes of packets whose text is identical. */
  identical: number[];
}

export interface ModeResult {
  mode: string;
  packets: number;
  identical: number;
  files: FileResult[];
  /** Differing packets per protocol key. */
  byProtocol: Map<string, number>;
}

export async function compareMode(mode: string, records: ParityRecord[], withKeys = true): Promise<ModeResult> {
  const res: ModeResult = { mode, packets: 0, identical: 0, files: [], byProtocol: new Map() };
  for (const rec of records) {
    const path = join(CAPTURES, rec.file);
    const theirs = splitPackets(rec.stdout);
    const ours = splitPackets(await runTsdump(tsdumpArgs(mode, path)));
    const identical: number[] = [];
    let keys: string[] | undefined;
    for (let i = 0; i < theirs.length; i++) {
      if (ours[i] === theirs[i]) identical.push(i);
      else if (withKeys) {
        keys ??= packetKeys(path, PER_CAPTURE);
        const k = keys[i] ?? 'unreadable';
        res.byProtocol.set(k, (res.byProtocol.get(k) ?? 0) + 1);
      }
    }
    res.packets += theirs.length;
    res.identical += identical.length;
    res.files.push({ file: rec.file, theirs, ours, identical });
  }
  return res;
}

/** "0-3,5,7-29" for [0,1,2,3,5,7,…,29]. */
export function encodeRanges(xs: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    parts.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function decodeRanges(s: string): number[] {
  if (s === '') return [];
  return s.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, k) => a! + k);
  });
}

/** Per mode: the recorded floor (percent) and which packets were identical then. */
export interface Marks {
  [mode: string]: { percent: number; identical: Record<string, string> };
}

export function readMarks(): Marks {
  return existsSync(MARKS_FILE) ? (JSON.parse(readFileSync(MARKS_FILE, 'utf8')) as Marks) : {};
}

export function percent(r: ModeResult): number {
  return r.packets === 0 ? 0 : (100 * r.identical) / r.packets;
}
