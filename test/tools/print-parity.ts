/**
 * Print parity report: how many packets tsdump prints exactly as tcpdump 4.99.3 does, per mode
 * (`-nn`, `-nn -q`, `-nn -e`, `-nn -v`, `-nn -vv`, default), on a fixed selection of corpus
 * captures, and which protocols account for the differences. The shared logic (selection,
 * splitting, protocol keys) is in ./print-parity.lib.ts.
 *
 *   npx tsx test/tools/print-parity.ts                 report against the committed goldens
 *   npx tsx test/tools/print-parity.ts --show nn-v 20  also print 20 differing packets of a mode
 *   npx tsx test/tools/print-parity.ts --record        re-record the goldens from the local tcpdump
 *                                                      (root: the default mode runs in a private
 *                                                      mount namespace with the committed name data)
 *   npx tsx test/tools/print-parity.ts --update-marks  store today's identical packets and percentages
 *                                                      as the floors npm test enforces
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { CAPTURES, ETC_DIR, MARKS_FILE, MODES, PARITY_DIR, compareMode, encodeRanges, percent, readParityGolden, selectCaptures, tcpdumpArgs, type Marks, type ParityRecord } from './print-parity.lib.ts';

const argv = process.argv.slice(2);

function record(): void {
  mkdirSync(PARITY_DIR, { recursive: true });
  const files = selectCaptures();
  // nsswitch for the namespace: names from files only, never from the network.
  const tmp = mkdtempSync(join(tmpdir(), 'parity-'));
  const nss = join(tmp, 'nsswitch.conf');
  writeFileSync(nss, 'hosts: files\nnetworks: files\nprotocols: files\nservices: files\nethers: files\n');
  for (const mode of Object.keys(MODES)) {
    const lines: string[] = [];
    for (const file of files) {
      const args = tcpdumpArgs(mode, file);
      let r;
      if (mode === 'default') {
        const binds = ['hosts', 'services', 'protocols'].map((f) => `mount --bind '${join(ETC_DIR, f)}' /etc/${f}`).join(' && ');
        const script = `${binds} && mount --bind '${nss}' /etc/nsswitch.conf && exec tcpdump "$@"`;
        r = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', ...args], { cwd: CAPTURES, env: { ...process.env, TZ: 'UTC' }, encoding: 'latin1', maxBuffer: 1 << 28 });
      } else {
        r = spawnSync('tcpdump', args, { cwd: CAPTURES, env: { ...process.env, TZ: 'UTC' }, encoding: 'latin1', maxBuffer: 1 << 28 });
      }
      if (r.error) throw r.error;
      if (mode === 'default' && /mount|unshare/.test(r.stderr)) throw new Error(`namespace setup failed: ${r.stderr}`);
      const rec: ParityRecord = { file, args: MODES[mode]!, exit: r.status ?? 1, stdout: r.stdout };
      lines.push(JSON.stringify(rec));
    }
    writeFileSync(join(PARITY_DIR, `${mode}.jsonl`), lines.join('\n') + '\n', 'latin1');
    console.log(`recorded ${mode}: ${files.length} captures`);
  }
  rmSync(tmp, { recursive: true, force: true });
}

async function report(): Promise<void> {
  const showAt = argv.indexOf('--show');
  const showMode = showAt >= 0 ? argv[showAt + 1] : undefined;
  const showCount = showAt >= 0 ? Number(argv[showAt + 2] ?? 20) : 0;
  const marks: Marks = {};
  for (const mode of Object.keys(MODES)) {
    const records = readParityGolden(mode);
    const r = await compareMode(mode, records);
    const top = [...r.byProtocol].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PARITY_TOP ?? 8)).map(([k, n]) => `${k} ${n}`).join('; ');
    console.log(`${mode.padEnd(8)} ${percent(r).toFixed(1).padStart(5)}% identical (${r.identical}/${r.packets} packets in ${records.length} captures)`);
    console.log(`         differing: ${top}`);
    marks[mode] = { percent: Math.floor(percent(r) * 10) / 10, identical: Object.fromEntries(r.files.filter((f) => f.identical.length > 0).map((f) => [f.file, encodeRanges(f.identical)])) };
    if (mode === showMode) {
      let shown = 0;
      for (const f of r.files) {
        for (let i = 0; i < f.theirs.length && shown < showCount; i++) {
          if (f.ours[i] === f.theirs[i]) continue;
          shown++;
          console.log(`--- ${f.file} #${i + 1}\n  tcpdump: ${JSON.stringify(f.theirs[i])}\n  tsdump:  ${JSON.stringify(f.ours[i] ?? null)}`);
        }
      }
    }
  }
  if (argv.includes('--update-marks')) {
    writeFileSync(MARKS_FILE, JSON.stringify(marks, null, 1) + '\n');
    console.log(`wrote ${MARKS_FILE}`);
  }
}

if (argv.includes('--record')) record();
await report();
