/**
 * `-i any` live: what the `cap` package gives for libpcap's "any" device is Linux cooked v1
 * (`cap` cannot ask for another data link type, so not the v2 tcpdump 4.99 selects by default);
 * tsdump prints and writes it as `tcpdump -i any -y LINUX_SLL` does: the packet type ("In",
 * "Out" …) and the link address with -e, LINUX_SLL files with -w, -Q from the packet type.
 * When tcpdump is installed it captures alongside and the datagrams both wrote must be the same
 * bytes. Needs root (or CAP_NET_RAW) and a built `cap`; elsewhere one SKIP line, never under
 * CI=true.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/index.ts';
import { repoRoot } from './golden-helpers.ts';
import { liveSkip } from './live-support.ts';

const bin = join(repoRoot, 'src', 'cli', 'bin.mjs');

const skip = liveSkip('-i any', { first: () => (process.platform !== 'linux' ? 'the any device is Linux only' : undefined) });
const haveTcpdump = skip === undefined && !spawnSync('tcpdump', ['--version']).error;

const dir = mkdtempSync(join(tmpdir(), 'tsdump-any-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run { code: number | null; stdout: string; stderr: string }

/** Starts a capture command; resolves when it exits (killed after 20 s). */
function start(cmd: string, args: string[], ready: RegExp): { done: Promise<Run>; ready: Promise<void>; stop: () => void } {
  const child = spawn(cmd, args, { env: { ...process.env, TZ: 'UTC' } });
  let stdout = '', stderr = '';
  let onReady!: () => void;
  const readyP = new Promise<void>((r) => (onReady = r));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString('latin1'); });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('latin1');
    if (ready.test(stderr)) onReady();
  });
  const done = new Promise<Run>((resolve) => child.on('exit', (code) => {
    clearTimeout(killer);
    onReady();
    resolve({ code, stdout, stderr });
  }));
  return { done, ready: readyP, stop: () => child.kill('SIGINT') };
}

/** Sends a datagram to 127.0.0.1:port every 25 ms until `until` settles. */
async function sendUntil(port: number, until: Promise<unknown>): Promise<void> {
  const sock = createSocket('udp4');
  const timer = setInterval(() => sock.send('hello', port, '127.0.0.1'), 25);
  await until;
  clearInterval(timer);
  sock.close();
}

describe.skipIf(skip !== undefined)('live capture on the any device', () => {
  const port = 30000 + (process.pid % 20000);

  it('prints cooked v1 as tcpdump -y LINUX_SLL does: -e the packet type and address', async () => {
    const ts = start(process.execPath, [bin, '-i', 'any', '-c', '3', '-nn', '-e', `udp dst port ${port}`], /listening on/);
    await ts.ready;
    await sendUntil(port, ts.done);
    const r = await ts.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^listening on any, link-type LINUX_SLL \(Linux cooked v1\), snapshot length 65535 bytes$/m);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    // Loopback datagrams: received (In), the all-zero loopback address, IPv4.
    for (const l of lines) expect(l).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{6}  In 00:00:00:00:00:00 ethertype IPv4 \\(0x0800\\), length 49: 127\\.0\\.0\\.1\\.\\d+ > 127\\.0\\.0\\.1\\.${port}: UDP, length 5$`));
    expect(r.stderr).toMatch(/^3 packets captured$/m);
  }, 30_000);

  it('-Q in keeps them, -Q out drops them (loopback copies arrive as received)', async () => {
    const a = start(process.execPath, [bin, '-i', 'any', '-Q', 'out', '-nn', `udp dst port ${port}`], /listening on/);
    const b = start(process.execPath, [bin, '-i', 'any', '-Q', 'in', '-c', '2', '-nn', `udp dst port ${port}`], /listening on/);
    await Promise.all([a.ready, b.ready]);
    await sendUntil(port, b.done);
    a.stop();
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(rb.code).toBe(0);
    expect(rb.stdout.trim().split('\n')).toHaveLength(2);
    expect(ra.code).toBe(0);
    expect(ra.stdout).toBe('');
    expect(ra.stderr).toMatch(/^0 packets captured$/m);
  }, 30_000);

  it.skipIf(!haveTcpdump)('-w writes the same LINUX_SLL records as tcpdump -i any -y LINUX_SLL -w', async () => {
    const ours = join(dir, 'ours.pcap');
    const theirs = join(dir, 'theirs.pcap');
    const td = start('tcpdump', ['-i', 'any', '-y', 'LINUX_SLL', '-Z', 'root', '-c', '5', '-w', theirs, `udp dst port ${port}`], /listening on/);
    const ts = start(process.execPath, [bin, '-i', 'any', '-c', '5', '-w', ours, `udp dst port ${port}`], /listening on/);
    await Promise.all([td.ready, ts.ready]);
    await sendUntil(port, Promise.all([td.done, ts.done]));
    expect((await ts.done).code).toBe(0);
    expect((await td.done).code).toBe(0);
    // The cooked v1 header (packet type, ARPHRD, address, protocol) and the UDP destination
    // port and payload; source ports and IPv4 ids differ per datagram.
    const records = (path: string): string[] => {
      const r = openCapture(path);
      expect(r.info.linkType).toBe(113);
      const out: string[] = [];
      for (let rec = r.next(); rec; rec = r.next()) {
        const d = Buffer.from(rec.data.subarray(0, rec.caplen));
        out.push(`${d.subarray(0, 16).toString('hex')} ${d.subarray(38, 40).toString('hex')} ${d.subarray(44).toString('hex')}`);
      }
      r.close();
      return out;
    };
    const a = records(ours);
    const b = records(theirs);
    expect(a).toHaveLength(5);
    expect(a).toEqual(b);
  }, 40_000);
});
