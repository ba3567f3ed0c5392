/**
 * Where one run of the command spends its time, per phase: `TSDUMP_TIMING=1 tsdump …` prints, on
 * stderr when the process exits, one line per phase with the wall and CPU (user + system)
 * milliseconds and the minor page faults since the previous mark (on a virtual machine a
 * first touch of a page can cost several microseconds: memory touched is time) — from Node's own start-up (process start → the
 * launcher's first line), through the launcher (reading the bundle and its code cache, compiling
 * it), module initialization, argument parsing, opening the capture, compiling the filter,
 * building its engine, the read loop, to the exit handlers. Off (nothing measured) otherwise.
 *
 * Technique: marks are `process.uptime()` (wall time since the process started) and
 * `process.resourceUsage()` (CPU time, page faults); not `performance.now()`, whose first use
 * loads perf_hooks (~3 ms), which would be measured. The launcher (./launcher.ts, a separate file) records its own marks
 * under a global symbol before the bundle runs; they are read here, so one table covers the
 * whole process. The time Node spends after the exit event (heap teardown) is not seen.
 */

import { writeSync } from 'node:fs';

/** A mark: phase name, wall ms, CPU ms and minor page faults since process start. */
export type Mark = [name: string, wallMs: number, cpuMs: number, faults: number];

/** The global slot the launcher's marks are kept in (an array of Mark). */
export const LAUNCH_MARKS = Symbol.for('tsdump.launchMarks');

/** True when TSDUMP_TIMING=1 asks for the table. */
export const timingOn = process.env.TSDUMP_TIMING === '1';

function now(name: string): Mark {
  const u = process.resourceUsage();
  return [name, process.uptime() * 1000, (u.userCPUTime + u.systemCPUTime) / 1000, u.minorPageFault];
}

const marks: Mark[] = [];

/** Records the end of phase `name` (no-op unless TSDUMP_TIMING=1). */
export function mark(name: string): void {
  if (timingOn) marks.push(now(name));
}

/** The table for a list of marks (exported for the test). */
export function formatMarks(list: readonly Mark[]): string {
  let out = 'tsdump timing (since the previous mark: wall ms, cpu ms = user + system, minor page faults):\n';
  let pw = 0, pc = 0, pf = 0;
  for (const [name, w, c, f] of list) {
    out += `  ${name.padEnd(34)} ${(w - pw).toFixed(1).padStart(8)} ${(c - pc).toFixed(1).padStart(8)} ${String(f - pf).padStart(7)}\n`;
    pw = w;
    pc = c;
    pf = f;
  }
  const last = list[list.length - 1];
  if (last) out += `  ${'total'.padEnd(34)} ${last[1].toFixed(1).padStart(8)} ${last[2].toFixed(1).padStart(8)} ${String(last[3]).padStart(7)}\n`;
  return out;
}

if (timingOn) {
  const launch = (globalThis as Record<symbol, unknown>)[LAUNCH_MARKS];
  if (Array.isArray(launch)) marks.push(...(launch as Mark[]));
  process.on('exit', () => {
    marks.push(now('exit handlers'));
    // writeSync, not process.stderr: creating that stream loads modules and would be measured.
    writeSync(2, formatMarks(marks));
  });
}
