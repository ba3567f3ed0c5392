/**
 * -G/-W on live capture: the files follow the wall clock and the capture ends itself after -W
 * files, as tcpdump's does ("Maximum file limit reached: N", then the counts, status 0). Needs
 * root (or CAP_NET_RAW) and a built `cap`; elsewhere one SKIP line, never under CI=true.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/index.ts';
import { repoRoot } from './golden-helpers.ts';
import { liveSkip } from './live-support.ts';

const bin = join(repoRoot, 'src', 'cli', 'bin.mjs');

const skip = liveSkip('live rotation');

const dir = mkdtempSync(join(tmpdir(), 'tsdump-rotate-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(skip !== undefined)('rotation on live capture', () => {
  it('-G 1 -W 2: two files named by strftime, then the capture ends by itself', async () => {
    const port = 40000 + (process.pid % 20000);
    const child = spawn(process.execPath, [bin, '-i', 'lo', '-G', '1', '-W', '2', '-w', join(dir, 'live-%s.pcap'), `udp dst port ${port}`]);
    let stderr = '';
    const sock = createSocket('udp4');
    let timer: NodeJS.Timeout | undefined;
    const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('latin1');
      if (timer === undefined && stderr.includes('listening on')) timer = setInterval(() => sock.send('tick', port, '127.0.0.1'), 50);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearInterval(timer);
    clearTimeout(killer);
    sock.close();
    expect(code).toBe(0);
    expect(stderr).toMatch(/^Maximum file limit reached: 2\n\d+ packets? captured\n/m);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    const seconds = files.map((f) => Number(/^live-(\d+)\.pcap$/.exec(f)?.[1]));
    expect(seconds[1]! - seconds[0]!).toBeGreaterThanOrEqual(1);
    // Every datagram written went to one of them, all to our port.
    let n = 0;
    for (const f of files) {
      const r = openCapture(join(dir, f));
      for (let rec = r.next(); rec; rec = r.next()) {
        n++;
        expect((rec.data[36]! << 8) | rec.data[37]!).toBe(port);
      }
      r.close();
    }
    expect(n).toBeGreaterThan(0);
  }, 30_000);
});
