/**
 * `tsdump -i lo --tc prog.o`: live packets go through a clang-built object exactly as a file's
 * do. While tsdump captures on the loopback interface, this test sends UDP datagrams to two
 * ports of its own, alternately; the port blocklist example (preloaded with `--map` to block the
 * second port) must pass packets and drop that port's, and `--dump-maps` must show the drops
 * counted in the map and the passes equal to `-c`. Needs root (or CAP_NET_RAW) and the optional
 * `cap` package; elsewhere it says why it is skipped, and under CI=true it fails instead.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtures, preloadJson, repo } from '../loader/object-examples.ts';
import { liveSkip } from './live-support.ts';

const skip = liveSkip('live object');

const dir = mkdtempSync(join(tmpdir(), 'tsdump-object-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(skip !== undefined)('objects on live traffic (-i lo)', () => {
  it('the port blocklist drops the blocked port and counts it; passes stop at -c', async () => {
    const port = 20000 + ((process.pid + 7919) % 20000);
    const blocked = port + 1;
    const mapFile = join(dir, 'blocked.json');
    writeFileSync(mapFile, preloadJson([{ map: 'blocked_ports', key: Buffer.from([blocked & 0xff, blocked >> 8]).toString('hex'), value: '0000000000000000' }]));
    const args = ['-i', 'lo', '--tc', join(fixtures, 'port-blocklist.o'), '--map', `blocked_ports=${mapFile}`, '-c', '8', '--count', '--dump-maps', '--stats'];
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(repo, 'src', 'cli', 'bin.mjs'), ...args]);
      let stdout = '', stderr = '';
      const sock = createSocket('udp4');
      let timer: NodeJS.Timeout | undefined;
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString('latin1'); });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString('latin1');
        if (timer === undefined && stderr.includes('listening on')) {
          timer = setInterval(() => {
            sock.send('blocked', blocked, '127.0.0.1');
            sock.send('passed', port, '127.0.0.1');
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
    expect(r.code, r.stderr).toBe(0);
    const [json, count] = r.stdout.trim().split('\n');
    expect(count).toBe('8 packets');
    const maps = JSON.parse(json!) as Record<string, { formatted: { key: number; value: number } }[]>;
    const drops = maps.blocked_ports!.find((e) => e.formatted.key === blocked)!.formatted.value;
    expect(drops).toBeGreaterThan(0);
    expect(r.stderr).toContain(`TC_ACT_SHOT: ${drops}`);
    expect(r.stderr).toMatch(/TC_ACT_OK: 8\n/);
    expect(r.stderr).toMatch(/\d+ packets captured\n\d+ packets received by filter\n/);
  });
});
