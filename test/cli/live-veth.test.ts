/**
 * Live capture under load, against tcpdump, on a veth pair between two network namespaces the
 * test creates (and removes): tsdump and tcpdump listen on the same end at the same time while
 * the other namespace sends 20,000 UDP datagrams in bursts. IPv6 is off and the neighbours are
 * static, so the datagrams are the only packets on the link and the interface counters equal
 * what was sent. Then tsdump must account for every packet (captured + reported dropped = sent),
 * capture as many as tcpdump, and write the same packets (bytes) as tcpdump -w for the same filter.
 *
 * Needs root, the `ip` tool, tcpdump and a built `cap`: elsewhere the tests say why they are
 * skipped; under CI=true they fail instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/index.ts';
import { repoRoot } from './golden-helpers.ts';
import { liveSkip } from './live-support.ts';

const bin = join(repoRoot, 'src', 'cli', 'bin.mjs');
const tag = `${process.pid % 100000}`;
const nsA = `tsdA${tag}`;
const nsB = `tsdB${tag}`;
const vethA = `tsva${tag}`;
const vethB = `tsvb${tag}`;
// A private /30 that exists only inside the two namespaces.
const net = `10.${200 + (process.pid % 50)}.${(process.pid >> 6) % 250}`;
const addrA = `${net}.1`;
const addrB = `${net}.2`;

const skip = liveSkip('veth live capture', {
  root: 'needs root (network namespaces, CAP_NET_RAW)',
  first: () => {
    if (process.getuid?.() !== 0) return 'needs root (network namespaces, CAP_NET_RAW)';
    for (const tool of ['ip', 'tcpdump']) {
      if (spawnSync(tool, ['-V'], { encoding: 'utf8' }).error) return `the ${tool} tool is not installed`;
    }
    return undefined;
  },
});

function sh(args: string[]): void {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr.trim()}`);
}

/** MAC address of a namespace's interface. */
function macOf(ns: string, dev: string): string {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'cat', `/sys/class/net/${dev}/address`], { encoding: 'utf8' });
  return r.stdout.trim();
}

const dir = mkdtempSync(join(tmpdir(), 'tsdump-veth-'));
/** A process in namespace A holding ports 9998/9999 open, so no ICMP port-unreachable replies cross the link. */
let sink: ChildProcess | undefined;

beforeAll(async () => {
  if (skip !== undefined) return;
  sh(['ip', 'netns', 'add', nsA]);
  sh(['ip', 'netns', 'add', nsB]);
  sh(['ip', 'link', 'add', vethA, 'type', 'veth', 'peer', 'name', vethB]);
  sh(['ip', 'link', 'set', vethA, 'netns', nsA]);
  sh(['ip', 'link', 'set', vethB, 'netns', nsB]);
  for (const [ns, dev, addr] of [[nsA, vethA, addrA], [nsB, vethB, addrB]] as const) {
    // No IPv6 (no router/neighbour solicitations): only the test's datagrams cross the link.
    sh(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    sh(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', `net.ipv6.conf.${dev}.disable_ipv6=1`]);
    sh(['ip', '-n', ns, 'addr', 'add', `${addr}/30`, 'dev', dev]);
    sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
  }
  // Static neighbours: no ARP either.
  sh(['ip', '-n', nsA, 'neigh', 'replace', addrB, 'lladdr', macOf(nsB, vethB), 'dev', vethA, 'nud', 'permanent']);
  sh(['ip', '-n', nsB, 'neigh', 'replace', addrA, 'lladdr', macOf(nsA, vethA), 'dev', vethB, 'nud', 'permanent']);
  const script = `const d = require('node:dgram'); for (const p of [9998, 9999]) d.createSocket('udp4').bind(p, '${addrA}', () => console.log(p));`;
  sink = spawn('ip', ['netns', 'exec', nsA, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let bound = '';
  await new Promise<void>((resolve) => sink!.stdout!.on('data', (d: Buffer) => {
    bound += d.toString();
    if (bound.includes('9998') && bound.includes('9999')) resolve();
  }));
}, 30_000);

afterAll(() => {
  if (skip === undefined) {
    sink?.kill();
    spawnSync('ip', ['netns', 'del', nsA]);
    spawnSync('ip', ['netns', 'del', nsB]);
  }
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

/** Starts a command inside namespace A and resolves once it says it is listening. */
function startInA(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', nsA, ...args], { env: { ...process.env, TZ: 'UTC' } });
    const run: Run = { child, stdout: '', stderr: '', exited: new Promise((r) => child.on('exit', (code) => r(code))) };
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start listening: ${run.stderr}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => { run.stdout += d.toString('latin1'); });
    child.stderr!.on('data', (d: Buffer) => {
      run.stderr += d.toString('latin1');
      if (run.stderr.includes('listening on')) {
        clearTimeout(timer);
        resolve(run);
      }
    });
  });
}

/**
 * Sends `count` datagrams from namespace B to A in bursts of `burst` every `gapMs`, alternating
 * ports 9999 and 9998 when `mixed`; each payload starts with its sequence number.
 */
async function send(count: number, burst: number, gapMs: number, mixed: boolean): Promise<void> {
  const script = `
    const s = require('node:dgram').createSocket('udp4');
    const [count, burst, gap, mixed] = [${count}, ${burst}, ${gapMs}, ${mixed}];
    let sent = 0;
    (async () => {
      while (sent < count) {
        const n = Math.min(burst, count - sent);
        await Promise.all(Array.from({ length: n }, (_, i) => new Promise((res) => {
          const b = Buffer.alloc(64, 0x61); b.writeUInt32BE(sent + i, 0);
          s.send(b, mixed && (sent + i) % 2 ? 9998 : 9999, '${addrA}', res);
        })));
        sent += n;
        await new Promise((r) => setTimeout(r, gap));
      }
      s.close();
    })();`;
  // Asynchronously: the captures' output pipes must keep being read while the traffic flows.
  const child = spawn('ip', ['netns', 'exec', nsB, process.execPath, '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`sender failed: ${err}`);
}

/** Stops a capture with SIGINT (after the traffic settled) and returns its final stderr. */
async function stop(run: Run): Promise<{ code: number | null; stderr: string; stdout: string }> {
  await new Promise((r) => setTimeout(r, 500));
  run.child.kill('SIGINT');
  const code = await run.exited;
  return { code, stderr: run.stderr, stdout: run.stdout };
}

function count(stderr: string, what: string): number {
  const m = new RegExp(`^(\\d+) packets? ${what}$`, 'm').exec(stderr);
  if (!m) throw new Error(`no "${what}" line in:\n${stderr}`);
  return Number(m[1]);
}

function packets(path: string): string[] {
  const r = openCapture(path);
  const out: string[] = [];
  for (let rec = r.next(); rec; rec = r.next()) out.push(Buffer.from(rec.data).toString('hex'));
  r.close();
  return out;
}

describe.skipIf(skip !== undefined)('live capture on a veth pair in network namespaces, against tcpdump', () => {
  it('20,000 datagrams in bursts: captured + dropped = sent, and as many captured as tcpdump', async () => {
    const SENT = 20_000;
    const ts = await startInA([process.execPath, bin, '-i', vethA, '-nn', '-q', 'udp port 9999']);
    const td = await startInA(['tcpdump', '-i', vethA, '-nn', '-q', 'udp port 9999']);
    await send(SENT, 100, 20, false);
    const [a, b] = [await stop(ts), await stop(td)];
    expect(a.code).toBe(0);
    const captured = count(a.stderr, 'captured');
    const dropped = count(a.stderr, 'dropped by kernel');
    console.log(`tsdump: ${captured} captured, ${dropped} dropped by kernel; tcpdump: ${count(b.stderr, 'captured')} captured`);
    expect(a.stdout.trim().split('\n').length).toBe(captured);
    expect(captured + dropped).toBe(SENT);
    expect(count(a.stderr, 'received by filter')).toBe(SENT);
    // tcpdump, in the same conditions, is the reference for what can be kept at this rate.
    expect(captured).toBeGreaterThanOrEqual(count(b.stderr, 'captured'));
  }, 180_000);

  it('a small ring (-B) drops packets, and every one is reported', async () => {
    const SENT = 20_000;
    const ts = await startInA([process.execPath, bin, '-B', '1024', '-i', vethA, '--count', 'udp']);
    await send(SENT, 2000, 5, false);
    const a = await stop(ts);
    const captured = count(a.stderr, 'captured');
    const dropped = count(a.stderr, 'dropped by kernel');
    console.log(`-B 1024: ${captured} captured, ${dropped} dropped by kernel`);
    expect(captured + dropped).toBe(SENT);
    expect(a.stdout).toBe(`${captured} packets\n`);
  }, 180_000);

  it('tsdump -w and tcpdump -w write the same packets for the same filter while traffic flows', async () => {
    const ours = join(dir, 'tsdump.pcap');
    const theirs = join(dir, 'tcpdump.pcap');
    const ts = await startInA([process.execPath, bin, '-i', vethA, '-w', ours, 'udp dst port 9999']);
    const td = await startInA(['tcpdump', '-i', vethA, '-s', '65535', '-w', theirs, 'udp dst port 9999']);
    await send(4000, 100, 10, true);
    await stop(ts);
    await stop(td);
    const a = packets(ours);
    const b = packets(theirs);
    expect(b.length).toBe(2000);
    expect(a.length).toBe(b.length);
    expect(a).toEqual(b);
  }, 180_000);

  it('-Q in / -Q out keep one direction; -s cuts packets; -D shows status words; -L the link type', async () => {
    const inbound = await startInA([process.execPath, bin, '-Q', 'in', '-s', '60', '-i', vethA, '-w', join(dir, 'in.pcap'), 'udp']);
    await send(10, 10, 1, false);
    await stop(inbound);
    const got = packets(join(dir, 'in.pcap'));
    expect(got.length).toBe(10);
    for (const hex of got) expect(hex.length).toBe(120);
    const outbound = await startInA([process.execPath, bin, '-Q', 'out', '-i', vethA, '--count', 'udp']);
    await send(10, 10, 1, false);
    const o = await stop(outbound);
    expect(o.stdout).toBe('0 packets\n');
    const d = spawnSync('ip', ['netns', 'exec', nsA, process.execPath, bin, '-D'], { encoding: 'utf8' });
    expect(d.status).toBe(0);
    expect(d.stdout).toMatch(new RegExp(`^\\d+\\.${vethA} \\[Up, Running, Connected\\]$`, 'm'));
    // The same list, status words and order as tcpdump -D in the same namespace.
    const t = spawnSync('ip', ['netns', 'exec', nsA, 'tcpdump', '-D'], { encoding: 'utf8' });
    expect(d.stdout).toBe(t.stdout);
    const l = spawnSync('ip', ['netns', 'exec', nsA, process.execPath, bin, '-L', '-i', vethA], { encoding: 'utf8' });
    expect(l.stdout).toBe(`Data link types for ${vethA} (use option -y to set):\n  EN10MB (Ethernet)\n`);
  }, 180_000);
});
