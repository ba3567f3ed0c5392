/**
 * Live capture (-i) end to end: the real launcher captures on the loopback interface through
 * the optional `cap` package while this test sends UDP datagrams to a port only it uses, and
 * tsdump's own filter (any engine) must pick exactly those. Needs root (or CAP_NET_RAW) and a
 * built `cap`: elsewhere the tests say why they are skipped; under CI=true they fail instead.
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

const skip = liveSkip('live capture');

const dir = mkdtempSync(join(tmpdir(), 'tsdump-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs tsdump with `args`; once it says it is listening, sends a datagram to `port` and one to
 * `port + 1` every 25 ms until it exits (or 15 s pass: then it is killed and the test fails).
 */
function capture(args: string[], port: number, closeStdoutAfterFirstLine = false, interruptAfterFirstLine = false): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, TZ: 'UTC' } });
    let stdout = '', stderr = '';
    // Like `tsdump -i lo | head -1`: the reader goes away after the first line.
    if (closeStdoutAfterFirstLine) child.stdout.once('data', () => child.stdout.destroy());
    // Like Ctrl-C at a terminal.
    if (interruptAfterFirstLine) child.stdout.once('data', () => child.kill('SIGINT'));
    const sock = createSocket('udp4');
    let timer: NodeJS.Timeout | undefined;
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('latin1'); });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('latin1');
      if (timer === undefined && stderr.includes('listening on')) {
        timer = setInterval(() => {
          sock.send('hello', port, '127.0.0.1');
          sock.send('other', port + 1, '127.0.0.1');
        }, 25);
      }
    });
    child.on('exit', (code) => {
      clearInterval(timer);
      clearTimeout(killer);
      sock.close();
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(skip !== undefined)('live capture (-i) on the loopback interface', () => {
  const port = 20000 + (process.pid % 20000);

  it('-D lists the loopback interface', () => {
    const r = spawnSync(process.execPath, [bin, '-D'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.lo\b/m);
  });

  it('prints exactly the packets the filter selects, stops after -c, reports the counts', async () => {
    const r = await capture(['-i', 'lo', '-c', '3', '-nn', `udp dst port ${port}`], port);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/listening on lo, link-type EN10MB \(Ethernet\), snapshot length 65535 bytes/);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} IP 127\\.0\\.0\\.1\\.\\d+ > 127\\.0\\.0\\.1\\.${port}: UDP, length 5$`));
    expect(r.stderr).toMatch(/^3 packets captured$/m);
    expect(r.stderr).toMatch(/^\d+ packets received by filter$/m);
  }, 20_000);

  it('filters with the eBPF JIT at the XDP hook and writes a capture that reads back', async () => {
    const out = join(dir, 'live.pcap');
    const r = await capture(['-i', 'lo', '-c', '4', '--engine', 'ebpf-jit', '--hook', 'xdp', '-w', out, `udp dst port ${port}`], port);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const reader = openCapture(out);
    let n = 0;
    for (let rec = reader.next(); rec; rec = reader.next()) {
      n++;
      expect((rec.data[36]! << 8) | rec.data[37]!).toBe(port); // Ethernet + IPv4 (20) + UDP dst port
    }
    reader.close();
    expect(n).toBe(4);
  }, 20_000);

  it('ends quietly with status 0 when the reader of its output goes away (| head -1)', async () => {
    const r = await capture(['-i', 'lo', '-nn', `udp dst port ${port}`], port, true);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  }, 20_000);

  it('stops on SIGINT (Ctrl-C) with status 0 and reports the counts', async () => {
    const r = await capture(['-i', 'lo', '-nn', `udp dst port ${port}`], port, false, true);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/UDP, length 5/);
    expect(r.stderr).toMatch(/^\d+ packets? captured$/m);
  }, 20_000);

  it('an unknown interface is one line on stderr and exit 1', () => {
    const r = spawnSync(process.execPath, [bin, '-i', 'no-such-if0', '-c', '1'], { encoding: 'utf8', timeout: 15_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^tsdump: no-such-if0/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
