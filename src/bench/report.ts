/**
 * Rendering of the benchmark results: plain-text tables for stdout, the issue's targets checked
 * against the figures (met / missed, by how much), and a hand-written SVG bar chart of ns per
 * packet per engine and filter (log scale: the engines span three orders of magnitude).
 */
import type { CompileResult } from './compile-suite.ts';
import { STAGES } from './compile-suite.ts';
import type { E2eResult } from './e2e-suite.ts';
import { LIBPCAP_ID, REGIMES, WARMUP_WINDOWS, type FiltersResult, type Regime } from './filters-suite.ts';
import type { MicroResult } from './micro/harness.ts';
import { fmtNs, geomean } from './stats.ts';

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

function table(head: string[], rows: string[][], alignLeft = 1): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i < alignLeft ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

function median(r: FiltersResult, fi: number, subject: string, regime: Regime): number {
  return r.rows[fi]!.cells.find((c) => c.subject === subject)?.[regime]?.median ?? NaN;
}

/** Per engine, the faster of its paths (run / batch) on each filter. */
function bestOfEngine(r: FiltersResult, fi: number, engine: string, regime: Regime): number {
  const ids = r.subjects.filter((s) => s.engine === engine).map((s) => s.id);
  return Math.min(...ids.map((id) => median(r, fi, id, regime)).filter((x) => Number.isFinite(x)));
}

export function engines(r: FiltersResult): string[] {
  return [...new Set(r.subjects.filter((s) => s.id !== LIBPCAP_ID).map((s) => s.engine))];
}

export function formatFilters(r: FiltersResult): string {
  const out: string[] = [];
  const c = r.capture;
  out.push(`== filters: ${c.packets.toLocaleString('en-US')} packets (${(c.bytes / 1e6).toFixed(0)} MB of packet data, ${c.blocks} blocks) from ${c.generated ? `the generated capture (seed ${c.seed})` : c.path}`);
  out.push(`   ${r.rounds} interleaved rounds of ${r.ms} ms per measurement after a warm-up round of ${WARMUP_WINDOWS} windows per cell; ns/packet of ${r.clock === 'cpu' ? 'process CPU time' : 'wall time'}, median (× libpcap's median)`);
  out.push(`   eBPF engines: translated for the ${r.hook} hook and built by createPacketFilter as the command builds them; --engine auto = ${r.defaultEngine}`);
  out.push(`   libpcap: ${r.libpcap.available ? r.libpcap.program : `not measured (${r.libpcap.reason})`}`);
  for (const regime of REGIMES) {
    out.push('');
    out.push(regime === 'hot' ? `-- hot regime: the first ${r.hotPackets} packets, looped` : '-- stream regime: every block of the capture in turn');
    const head = ['filter', ...r.subjects.map((s) => s.label)];
    const rows = r.rows.map((row, fi) => [row.label, ...r.subjects.map((s) => {
      const cell = row.cells.find((x) => x.subject === s.id);
      if (!cell) return '';
      if (cell.error) return 'error';
      if (cell.tooSlow && regime === 'stream') return 'too slow';
      const m = cell[regime]?.median ?? NaN;
      if (cell.tooSlow) return `${fmtNs(m)}*`;
      const lib = median(r, fi, LIBPCAP_ID, regime);
      return Number.isFinite(lib) && s.id !== LIBPCAP_ID ? `${fmtNs(m)} (${(m / lib).toFixed(2)}×)` : fmtNs(m);
    })]);
    if (r.subjects.some((s) => s.id === LIBPCAP_ID)) {
      rows.push(['geomean ×libpcap', ...r.subjects.map((s) => (s.id === LIBPCAP_ID ? '1' : `${geomean(r.rows.map((_, fi) => median(r, fi, s.id, regime) / median(r, fi, LIBPCAP_ID, regime))).toFixed(2)}×`))]);
    }
    out.push(table(head, rows));
    if (regime === 'hot' && r.rows.some((row) => row.cells.some((c) => c.tooSlow))) out.push('* too slow for the rounds: one timing of a 16-packet probe');
    out.push('spread (min–max ns/packet over the rounds):');
    out.push(table(head, r.rows.map((row) => [row.label, ...r.subjects.map((s) => {
      const sp = row.cells.find((x) => x.subject === s.id)?.[regime];
      return sp && sp.n ? `${fmtNs(sp.min)}–${fmtNs(sp.max)}` : '';
    })])));
  }
  out.push('');
  out.push('programs (instructions: tsdump cBPF / libpcap cBPF / eBPF) and reference matches in the hot block:');
  out.push(r.rows.map((row) => {
    const lib = row.cells.find((x) => x.subject === LIBPCAP_ID)?.insns;
    const ebpf = row.cells.find((x) => x.subject.startsWith('ebpf-') && x.insns)?.insns;
    return `   ${row.label}: ${row.cbpfInsns} / ${lib ?? '—'} / ${ebpf ?? '—'}; ${row.hotMatches} of ${r.hotPackets}`;
  }).join('\n'));
  for (const row of r.rows) for (const c of row.cells) if (c.error) out.push(`   ${c.subject} cannot run '${row.label}': ${c.error}`);
  if (r.mismatches.length) {
    out.push('');
    out.push(`MISMATCHES (${r.mismatches.length}): engines disagree with the cBPF interpreter's match counts`);
    for (const m of r.mismatches.slice(0, 20)) out.push(`   ${m.subject} on '${m.filter}' (${m.regime}, ${m.where}): ${m.got}, want ${m.want}`);
  }
  return out.join('\n');
}

export function formatCompile(r: CompileResult): string {
  const head = ['filter', ...STAGES.map((s) => `${s} ms`), 'total ms', 'cBPF', 'eBPF'];
  const f = (x: number) => (x < 0.01 ? x.toFixed(4) : x < 1 ? x.toFixed(3) : x.toFixed(1));
  const rows = r.rows.map((row) => [row.label, ...STAGES.map((s) => f(row.stageMs[s])), f(row.totalMs), String(row.cbpfInsns), String(row.ebpfInsns)]);
  rows.push(['median over the set', ...STAGES.map((s) => f(r.medianMs[s])), f(r.medianMs.total), '', '']);
  const cold = r.coldMs === undefined ? '' : `\ncold: the first expression → first verdict of the process (${r.coldFilter}, before V8 has optimized tsdump's own code): ${r.coldMs.toFixed(1)} ms wall`;
  return `== compile: latency per stage after warm-up (${r.clock === 'cpu' ? 'process CPU time' : 'wall time'}, median of repeats; ready = loaded on ${r.engine}, ${r.hook} hook)\n${table(head, rows)}${cold}`;
}

export function formatE2e(r: E2eResult): string {
  const head = ['command', 'wall s (median)', 'min–max', 'CPU s (user+sys)', 'peak RSS', 'packets'];
  const rows = r.rows.map((row) => [row.label, row.error ? 'failed' : row.wallS.median.toFixed(3), row.error ? row.error.slice(0, 60) : `${row.wallS.min.toFixed(3)}–${row.wallS.max.toFixed(3)}`, row.cpuS ? row.cpuS.median.toFixed(2) : 'n/a', row.peakRssMb !== undefined ? `${row.peakRssMb.toFixed(0)} MB` : 'n/a', row.packets !== undefined ? String(row.packets) : '']);
  const lines = [`== e2e: '${r.expression}' on ${r.capture}, ${r.rounds} interleaved rounds; CLI ${r.cli}; ${r.tcpdump ?? 'tcpdump not installed'}; RSS: ${r.rss}`, table(head, rows)];
  const ratio = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a');
  for (const [mode, x] of Object.entries(r.ratios)) lines.push(`   ${mode}: tsdump / tcpdump wall time ${ratio(x)}${r.cpuRatios[mode] !== undefined ? `, CPU time ${ratio(r.cpuRatios[mode])}` : ''}`);
  for (const m of r.mismatches) lines.push(`   MISMATCH: ${m}`);
  return lines.join('\n');
}

export function formatMicro(name: string, results: MicroResult[], notes: string[]): string {
  const head = ['case', 'ns/op (median)', 'min–max', 'MB/s'];
  const rows = results.map((x) => [x.name, fmtNs(x.nsPerOp), `${fmtNs(x.minNs)}–${fmtNs(x.maxNs)}`, x.mbPerSec !== undefined ? x.mbPerSec.toFixed(0) : '']);
  return [`== ${name}`, table(head, rows), ...notes].join('\n');
}

/** The issue's targets, checked against what this run measured. */
export function checkTargets(f: FiltersResult | undefined, c: CompileResult | undefined, e: E2eResult | undefined): TargetCheck[] {
  const out: TargetCheck[] = [];
  const x = (v: number) => `${v.toFixed(2)}×`;
  if (f && f.subjects.some((s) => s.id === LIBPCAP_ID)) {
    const n = f.rows.length;
    const eng = engines(f);
    const ratio = (engine: string, fi: number) => bestOfEngine(f, fi, engine, 'hot') / median(f, fi, LIBPCAP_ID, 'hot');
    const best = Array.from({ length: n }, (_, fi) => Math.min(...eng.map((en) => ratio(en, fi))));
    const gm = geomean(best);
    out.push({ target: 'hot: best engine geomean ≤ 0.35× libpcap', measured: x(gm), met: gm <= 0.35 });
    const worst = Math.max(...best);
    const wi = best.indexOf(worst);
    out.push({ target: 'hot: best engine ≤ 0.5× libpcap on every filter', measured: `worst ${x(worst)} (${f.rows[wi]?.label})`, met: worst <= 0.5 });
    if (eng.includes('ebpf-jit')) {
      const j = Array.from({ length: n }, (_, fi) => ratio('ebpf-jit', fi));
      const w = Math.max(...j);
      out.push({ target: 'hot: JavaScript JIT (ebpf-jit) ≤ 0.6× libpcap on every filter', measured: `worst ${x(w)} (${f.rows[j.indexOf(w)]?.label}), geomean ${x(geomean(j))}`, met: w <= 0.6 });
    }
    for (const tier of eng.filter((en) => en.startsWith('ebpf-') && en !== 'ebpf-interp')) {
      const vsInterp = Array.from({ length: n }, (_, fi) => bestOfEngine(f, fi, 'ebpf-interp', 'hot') / bestOfEngine(f, fi, tier, 'hot'));
      const vsCbpf = Array.from({ length: n }, (_, fi) => bestOfEngine(f, fi, 'cbpf', 'hot') / bestOfEngine(f, fi, tier, 'hot'));
      const a = Math.min(...vsInterp);
      const b = Math.min(...vsCbpf);
      out.push({ target: `hot: ${tier} ≥ 3× faster than ebpf-interp on every filter`, measured: `least ${a.toFixed(1)}× (${f.rows[vsInterp.indexOf(a)]?.label})`, met: a >= 3 });
      out.push({ target: `hot: ${tier} faster than the cBPF interpreter on every filter`, measured: `least ${b.toFixed(2)}× (${f.rows[vsCbpf.indexOf(b)]?.label})`, met: b > 1 });
    }
    const one = f.rows.findIndex((r) => r.expression === 'host 10.0.0.1');
    const many = f.rows.findIndex((r) => r.label === '1,000 hosts');
    if (one >= 0 && many >= 0) {
      // "The best engine" as in the checks above: each filter on its fastest engine (what
      // --engine auto aims at: the JS JIT, wasm for programs the JIT would cut into segments).
      const fastest = (fi: number) => {
        const ns = eng.map((en) => bestOfEngine(f, fi, en, 'hot'));
        const k = ns.indexOf(Math.min(...ns));
        return { engine: eng[k]!, ns: ns[k]! };
      };
      const a = fastest(many), b = fastest(one);
      const q = a.ns / b.ns;
      out.push({ target: '1,000-host filter ≤ 3× the one-host filter (best engine)', measured: `${q.toFixed(2)}× (${fmtNs(a.ns)} ns on ${a.engine} / ${fmtNs(b.ns)} ns on ${b.engine})`, met: q <= 3 });
    }
  }
  if (c) out.push({ target: 'expression → ready median ≤ 1 ms over the set', measured: `${c.medianMs.total.toFixed(3)} ms`, met: c.medianMs.total <= 1 });
  if (e) {
    const lim: Record<string, number> = { '--count': 0.8, '-w /dev/null': 0.8, '-w FILE': 1.0 };
    for (const [mode, v] of Object.entries(e.ratios)) out.push({ target: `e2e ${mode} ≤ ${lim[mode]}× tcpdump's wall time`, measured: x(v), met: v <= lim[mode]! });
  }
  return out;
}

export function formatTargets(t: TargetCheck[]): string {
  if (t.length === 0) return '';
  return ['== targets (issue 7)', ...t.map((x) => `   ${x.met === null ? '?' : x.met ? 'met   ' : 'MISSED'}  ${x.target}: ${x.measured}`)].join('\n');
}

const COLORS = ['#444444', '#e6550d', '#3182bd', '#31a354', '#756bb1', '#fd8d3c', '#6baed6', '#74c476', '#9e9ac8', '#e7298a', '#a6761d', '#666666'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A grouped horizontal bar chart, one panel per regime, log-scaled ns/packet. */
export function filtersSvg(r: FiltersResult, title: string): string {
  const subjects = r.subjects;
  const bar = 9;
  const groupGap = 10;
  const labelW = 190;
  const plotW = 430;
  const panelW = labelW + plotW + 70;
  const top = 70;
  const groupH = subjects.length * bar + groupGap;
  const plotH = r.rows.length * groupH;
  const legendH = Math.ceil(subjects.length / 3) * 16 + 10;
  const height = top + plotH + 40 + legendH;
  const width = panelW * REGIMES.length + 20;
  const all = r.rows.flatMap((row) => row.cells.flatMap((c) => [c.hot?.median, c.stream?.median])).filter((v): v is number => v !== undefined && Number.isFinite(v) && v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...all, 1))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all, 10))));
  const sx = (v: number) => (plotW * (Math.log10(v) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="10" y="20" font-size="15" font-weight="bold">${esc(title)}</text>`);
  parts.push(`<text x="10" y="38" fill="#555">ns per packet of ${r.clock === 'cpu' ? 'CPU time' : 'wall time'} (log scale), median of ${r.rounds} interleaved rounds; whiskers: min–max. Shorter is faster.</text>`);
  REGIMES.forEach((regime, pi) => {
    const x0 = 10 + pi * panelW;
    const px = x0 + labelW;
    parts.push(`<text x="${px}" y="${top - 14}" font-weight="bold">${regime === 'hot' ? `hot: ${r.hotPackets} packets looped` : 'stream: every block of the capture'}</text>`);
    for (let d = lo; d <= hi; d *= 10) {
      const gx = px + sx(d);
      parts.push(`<line x1="${gx.toFixed(1)}" y1="${top - 4}" x2="${gx.toFixed(1)}" y2="${top + plotH}" stroke="#ddd"/>`);
      parts.push(`<text x="${gx.toFixed(1)}" y="${top + plotH + 14}" text-anchor="middle" fill="#555">${d >= 1e6 ? `${d / 1e6} ms` : d >= 1000 ? `${d / 1000} µs` : `${d} ns`}</text>`);
    }
    r.rows.forEach((row, fi) => {
      const gy = top + fi * groupH;
      parts.push(`<text x="${px - 8}" y="${gy + (subjects.length * bar) / 2 + 4}" text-anchor="end">${esc(row.label)}</text>`);
      subjects.forEach((s, si) => {
        const full = row.cells.find((c) => c.subject === s.id);
        const cell = full?.[regime];
        if (!cell || !Number.isFinite(cell.median)) return;
        const mark = full?.tooSlow ? '* (probe only)' : '';
        const y = gy + si * bar;
        const w = Math.max(1, sx(cell.median));
        parts.push(`<rect x="${px}" y="${y}" width="${w.toFixed(1)}" height="${bar - 2}" fill="${COLORS[si % COLORS.length]}"><title>${esc(`${s.label}, ${row.label}: ${fmtNs(cell.median)} ns (${fmtNs(cell.min)}–${fmtNs(cell.max)})`)}</title></rect>`);
        const wl = px + Math.max(0, sx(cell.min));
        const wh = px + Math.max(0, sx(cell.max));
        parts.push(`<line x1="${wl.toFixed(1)}" y1="${y + (bar - 2) / 2}" x2="${wh.toFixed(1)}" y2="${y + (bar - 2) / 2}" stroke="#000" stroke-width="0.7"/>`);
        parts.push(`<text x="${(px + w + 3).toFixed(1)}" y="${y + bar - 2}" font-size="8" fill="#333">${fmtNs(cell.median)}${mark}</text>`);
      });
    });
  });
  const ly = top + plotH + 30;
  subjects.forEach((s, si) => {
    const lx = 10 + labelW + (si % 3) * 200;
    const y = ly + Math.floor(si / 3) * 16;
    parts.push(`<rect x="${lx}" y="${y}" width="12" height="10" fill="${COLORS[si % COLORS.length]}"/><text x="${lx + 16}" y="${y + 9}">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
