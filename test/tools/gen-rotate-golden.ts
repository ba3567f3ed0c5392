/**
 * Regenerates test/golden/rotate/rotate.json: what tcpdump 4.99.3 writes with -C/-W (file names,
 * sizes and SHA-256 of each file) for the generated capture of test/cli/rotate-input.ts, the file
 * -G writes when reading a capture (the name follows the wall clock, so only its bytes are kept),
 * and strftime(3) results for the -G names (GNU date's conversions, which are the C library's,
 * in a few time zones).
 *
 * Usage: npx tsx test/tools/gen-rotate-golden.ts   (needs tcpdump and date)
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rotationInput } from '../cli/rotate-input.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = mkdtempSync(join(tmpdir(), 'rotate-golden-'));
// tcpdump run as root gives up its rights before opening the output: the folder must be writable.
chmodSync(work, 0o777);
const input = join(work, 'in.pcap');
writeFileSync(input, rotationInput());
chmodSync(input, 0o644);

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

interface FileRow { name: string; size: number; sha256: string }
function run(args: string[], name: string): { args: string[]; exit: number; stderr: string; files: FileRow[] } {
  const dir = join(work, `out-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  const r = spawnSync('tcpdump', ['-r', input, '-w', join(dir, name), ...args], { encoding: 'latin1', env: { ...process.env, TZ: 'UTC' } });
  if (r.error) throw r.error;
  const files = readdirSync(dir).sort().map((f) => ({ name: f, size: statSync(join(dir, f)).size, sha256: sha(join(dir, f)) }));
  rmSync(dir, { recursive: true });
  return { args, exit: r.status ?? -1, stderr: r.stderr.replace(input, 'IN'), files };
}

const rotation = [
  ['-C', '1'],
  ['-C', '2'],
  ['-C', '1', '-W', '2'],
  ['-C', '1', '-W', '3'],
  ['-C', '1', '-W', '11'],
  ['-C', '2', '-W', '1'],
  ['-C1', '-W', '101'],
  ['-W', '3'],
].map((a) => run(a, 'out'));
// -G on a file: one period (the read takes far less than an hour); %s is the start second.
const g = run(['-G', '3600'], 'g-%s.pcap');
const plain = run([], 'plain.pcap');

const formats = ['%Y-%m-%d_%H:%M:%S', '%y%j %a %A %b %B %h', '%e|%k|%l|%I %p %P', '%D %F %R %T %r', '%C %g %G %V %U %W %u %w', '%z %Z', '%s %% %c', '%x %X %n%t%Ey %Od'];
const times = [0, 951782400, 1700000000, 1719792000, 1735689599];
const zones = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Europe/Berlin'];
const strftime: { tz: string; t: number; format: string; text: string }[] = [];
for (const tz of zones) {
  for (const t of times) {
    for (const format of formats) {
      const r = spawnSync('date', ['-d', `@${t}`, `+${format}`], { encoding: 'utf8', env: { ...process.env, TZ: tz, LC_ALL: 'C' } });
      if (r.error || r.status !== 0) throw new Error(`date failed: ${r.stderr}`);
      strftime.push({ tz, t, format, text: r.stdout.replace(/\n$/, '') });
    }
  }
}

// Refused values: tcpdump's one error line (usage text, if any, is not kept).
const errors = [['-C', '0'], ['-C', 'abc'], ['-C', '1.5'], ['-C', '99999999999999'], ['-W', '0'], ['-W', 'x'], ['-G', '-5']].map((a) => {
  const r = spawnSync('tcpdump', ['-r', input, '-w', join(work, 'never'), ...a], { encoding: 'latin1' });
  return { args: a, exit: r.status ?? -1, stderr: r.stderr.split('\n')[0]! };
});

const version = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
const out = join(root, 'test', 'golden', 'rotate');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'rotate.json'), JSON.stringify({ tcpdump: version, rotation, g: { stderr: g.stderr, files: g.files.map((f) => ({ size: f.size, sha256: f.sha256 })) }, plain: plain.files[0], errors, strftime }, null, 1) + '\n');
rmSync(work, { recursive: true });
console.log(`wrote ${join(out, 'rotate.json')}: ${rotation.length} rotation runs, ${strftime.length} strftime results`);
