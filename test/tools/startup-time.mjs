#!/usr/bin/env node
// Start-up time of the built command against Node itself: runs `node -e 0` and
// `node dist/bin/tsdump.cjs -r captures/http.pcap` (or the command given after --) alternately,
// N times each (default 21), and prints the median and minimum wall time of each and the ratio
// of the medians. Alternating the two keeps a change in machine load from favouring one side.
// Needs the build (`npm run build`). Usage: node test/tools/startup-time.mjs [N] [-- args...]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'dist', 'bin', 'tsdump.cjs');
if (!existsSync(bin)) {
  console.error('startup-time: dist/bin/tsdump.cjs is missing; run npm run build first');
  process.exit(1);
}
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const n = Number(dash === 0 ? 21 : argv[0] ?? 21);
const args = dash >= 0 ? argv.slice(dash + 1) : ['-r', 'captures/http.pcap'];
const cases = [
  { label: 'node -e 0', argv: ['-e', '0'] },
  { label: `tsdump ${args.join(' ')}`, argv: [bin, ...args] },
];

function once(a) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, a, { cwd: root, stdio: ['ignore', 'ignore', 'ignore'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`startup-time: ${a.join(' ')} exited with ${r.status}`);
  return ms;
}

const times = cases.map(() => []);
for (let i = 0; i < n; i++) cases.forEach((c, k) => times[k].push(once(c.argv)));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const med = times.map(median);
cases.forEach((c, k) => console.log(`${c.label.padEnd(40)} median ${med[k].toFixed(1)} ms, min ${Math.min(...times[k]).toFixed(1)} ms (${n} runs)`));
console.log(`ratio of medians: ${(med[1] / med[0]).toFixed(2)}x (Node ${process.version})`);
