/**
 * Keeps `tsdump bench` working: every suite runs in quick mode on a small generated capture and
 * the report has the documented shape (the JSON `--json` prints); argument errors are one line
 * and a non-zero exit. No figure is checked — performance is measured by the benchmark itself,
 * never asserted in a timed test. With CI=true the libpcap comparison and tcpdump must be there
 * (the benchmark degrades to "not measured" without them, which CI must not hide).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { formatReport, parseBenchArgs, SUITES, type BenchReport } from '../../src/bench/index.ts';
import { filtersSvg } from '../../src/bench/report.ts';
import { FILTER_SET } from '../../src/bench/filter-set.ts';
import { mulberry32, writeTraffic } from '../../src/bench/traffic.ts';
import { loadPackets } from '../../src/bench/packets.ts';

const IN_CI = process.env.CI === 'true';
const bin = join(import.meta.dirname, '..', '..', 'src', 'cli', 'bin.mjs');

describe('tsdump bench arguments', () => {
  it('defaults to every suite', () => {
    expect(parseBenchArgs([])!.suites).toEqual([...SUITES]);
    expect(parseBenchArgs(['e2e', 'filters'])!.suites).toEqual(['e2e', 'filters']);
    expect(parseBenchArgs(['--help'])).toBeNull();
  });
  it('reads the options', () => {
    const o = parseBenchArgs(['filters', '--rounds', '3', '--ms=50', '--packets', '1000', '-r', 'x.pcap', '--svg', 'c.svg', '--json', '--seed', '7'])!;
    expect(o).toMatchObject({ suites: ['filters'], rounds: 3, ms: 50, packets: 1000, read: 'x.pcap', svg: 'c.svg', json: true, seed: 7 });
    expect(parseBenchArgs(['--quick', '--rounds', '4'])).toMatchObject({ quick: true, rounds: 4, packets: 20_000 });
  });
  for (const bad of [['nosuch'], ['--nosuch'], ['--rounds'], ['--rounds', 'x'], ['--rounds', '0'], ['--svg'], ['-r'], ['--clock', 'x']]) {
    it(`refuses ${bad.join(' ')}`, () => {
      expect(() => parseBenchArgs(bad)).toThrow(UserError);
    });
  }
  it('an unknown suite is one line on stderr and exit status 1, not an empty run', () => {
    const r = spawnSync(process.execPath, [bin, 'bench', 'filterz'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^tsdump: tsdump bench: unknown suite 'filterz' \(suites: filters, /)]);
  });
});

describe('the generated capture', () => {
  it('is the same for the same seed and every filter of the set matches some packets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsdump-bench-test-'));
    try {
      writeTraffic(join(dir, 'a.pcap'), 3000, 5);
      writeTraffic(join(dir, 'b.pcap'), 3000, 5);
      writeTraffic(join(dir, 'c.pcap'), 3000, 6);
      expect(readFileSync(join(dir, 'a.pcap')).equals(readFileSync(join(dir, 'b.pcap')))).toBe(true);
      expect(readFileSync(join(dir, 'a.pcap')).equals(readFileSync(join(dir, 'c.pcap')))).toBe(false);
      const p = loadPackets(join(dir, 'a.pcap'));
      expect(p.total).toBe(3000);
      expect(p.hot.count).toBe(1024);
      const { compileExpression } = await import('../../src/cli/engine.ts');
      const { createInterpreter } = await import('../../src/cbpf/index.ts');
      for (const f of FILTER_SET) {
        const run = createInterpreter(compileExpression(f.expression, { linkType: 1, snaplen: 262144, optimize: true }));
        let m = 0;
        for (const b of p.blocks) for (let i = 0; i < b.count; i++) if (run(b.buf, b.caplens[i]!, b.wirelens[i]!, b.offsets[i]!) !== 0) m++;
        expect(m, f.label).toBeGreaterThan(0);
        expect(m, f.label).toBeLessThan(3000);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('mulberry32 is deterministic', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    for (let i = 0; i < 10; i++) expect(a()).toBe(b());
  });
});

describe('every suite runs in quick mode', () => {
  it('tsdump bench --quick --json --svg: the report, the tables and the chart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsdump-bench-test-'));
    try {
      const svgFile = join(dir, 'chart.svg');
      const run = spawnSync(process.execPath, [bin, 'bench', '--quick', '--packets', '3000', '--json', '--svg', svgFile], { encoding: 'utf8', maxBuffer: 1 << 26 });
      expect(run.stderr).not.toMatch(/MISMATCH|internal error/);
      expect(run.status, run.stderr).toBe(0);
      const r = JSON.parse(run.stdout) as BenchReport;
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['meta', 'filters', 'compile', 'e2e', 'micro', 'targets', 'failures']));
      expect(r.failures).toEqual([]);
      // filters: every filter, libpcap (when present) and every subject measured in both regimes.
      const f = r.filters!;
      expect(f.rows.map((x) => x.label)).toEqual(FILTER_SET.map((x) => x.label));
      expect(f.subjects.map((s) => s.id)).toEqual(expect.arrayContaining(['cbpf/run', 'ebpf-interp/run', 'ebpf-jit/run']));
      for (const row of f.rows) {
        for (const s of f.subjects) {
          const cell = row.cells.find((c) => c.subject === s.id)!;
          expect(cell.error, `${s.id} ${row.label}`).toBeUndefined();
          expect(cell.hot!.median).toBeGreaterThan(0);
          if (cell.tooSlow) continue; // timed once on a probe, left out of the rounds
          expect(cell.hot!.n).toBe(2);
          expect(cell.stream!.n).toBe(2);
        }
      }
      if (!f.libpcap.available) {
        if (IN_CI) throw new Error(`CI=true but the libpcap comparison did not run: ${f.libpcap.reason}`);
        console.log(`bench smoke: libpcap comparison not measured here (${f.libpcap.reason})`);
      }
      expect(r.compile!.rows).toHaveLength(FILTER_SET.length);
      expect(r.compile!.medianMs.total).toBeGreaterThan(0);
      // The cold first compile is reported apart (before the warm-up); no timing is compared here.
      expect(r.compile!.coldFilter).toBe(FILTER_SET[0]!.label);
      expect(Number.isFinite(r.compile!.coldMs) && r.compile!.coldMs > 0).toBe(true);
      const e = r.e2e!;
      const ours = e.rows.filter((x) => x.label.startsWith('tsdump'));
      expect(ours.map((x) => x.error)).toEqual(ours.map(() => undefined));
      expect(ours.find((x) => x.label === 'tsdump --count')!.packets).toBeGreaterThan(0);
      if (!e.tcpdump) {
        if (IN_CI) throw new Error('CI=true but tcpdump is not installed: no end-to-end comparison');
        console.log('bench smoke: tcpdump not installed, end to end without the comparison');
      }
      for (const s of ['runtime', 'capture', 'maps', 'printers']) expect(r.micro[s]?.results.length, s).toBeGreaterThan(0);
      expect(r.targets.length).toBeGreaterThan(0);
      // The JSON is enough to render the text report and the chart again.
      expect(formatReport(r)).toContain('-- hot regime');
      const svg = readFileSync(svgFile, 'utf8');
      expect(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).toContain('1,000 hosts');
      expect(filtersSvg(f, 'again')).toContain('1,000 hosts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 900_000);
});
