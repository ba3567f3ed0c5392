/**
 * Shared helpers for the CLI golden tests: where the golden data and the reference corpus live,
 * the skip-or-fail rule for a missing corpus, reading the JSONL records written by
 * test/tools/gen-cli-golden.mjs, running the command in-process, and cutting tcpdump's stdout
 * into one chunk per packet.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTcpdump } from '../../src/cli/tcpdump-command.ts';
import type { Fidelity } from '../../src/print/packet-printer.ts';
import { UserError } from '../../src/errors.ts';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const goldenDir = join(repoRoot, 'test', 'golden', 'cli');
export const corpusCaptures = join(repoRoot, 'test', 'corpus', 'tcpdump-captures');

/** True when the corpus is present; otherwise says why the test skips (or throws when CI=true). */
export function corpusAvailable(): boolean {
  if (existsSync(corpusCaptures)) return true;
  const msg = `reference corpus not found at ${corpusCaptures} (expected in test/corpus)`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI=true forbids skipping`);
  console.warn(`SKIP: ${msg}`);
  return false;
}

export interface GoldenRecord {
  file: string;
  args: string[];
  tz: string;
  exit: number;
  stdout: string;
  stderr: string;
}

export function readGolden(set: string): GoldenRecord[] {
  return readFileSync(join(goldenDir, `${set}.jsonl`), 'latin1')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as GoldenRecord);
}

export interface RunResult {
  exit: number;
  stdout: string;
  stderr: string;
  packets: { text: string; fidelity: Fidelity }[];
}

/** Runs the command in-process (as bin.mjs → main would), capturing everything. */
export async function runInProcess(argv: string[], tz?: string): Promise<RunResult> {
  if (tz !== undefined) process.env.TZ = tz;
  const res: RunResult = { exit: 0, stdout: '', stderr: '', packets: [] };
  const io = {
    write(fd: 1 | 2, text: string): void {
      if (fd === 1) res.stdout += text;
      else res.stderr += text;
    },
    packet(text: string, fidelity: Fidelity): void {
      res.packets.push({ text, fidelity });
    },
  };
  try {
    res.exit = await runTcpdump(argv, io);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    res.stderr += `tsdump: ${e.message}\n`;
    res.exit = 1;
  }
  return res;
}

/** The regular expression that starts a packet's first line in tcpdump output for `args`. */
export function packetStart(args: readonly string[]): RegExp {
  const flags = args.join(' ');
  const num = /-#|-\S*#/.test(flags) ? ' *\\d+  ' : '';
  const t = (/(?:^| )-\S*?(t+)\S*/.exec(flags.replace(/--\S+/g, ''))?.[1] ?? '').length;
  const ts = t === 0 ? '\\d\\d:\\d\\d:\\d\\d\\.\\d+ '
    : t === 2 ? '\\d+\\.\\d+ '
    : t === 3 || t === 5 ? '[ -]\\d\\d:\\d\\d:\\d\\d\\.\\d+ '
    : t === 4 ? '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+ '
    : '';
  return new RegExp(`^${num}(?:${ts}|\\[Invalid header:|\\[Error converting time\\] )`);
}

/** Cuts tcpdump stdout into per-packet chunks (first line + continuation lines, no final \n). */
export function splitPackets(stdout: string, start: RegExp): string[] {
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    if (out.length === 0 || start.test(line)) out.push(line);
    else out[out.length - 1] += `\n${line}`;
  }
  // The text ends with '\n', which leaves an empty tail on the last chunk (or an empty chunk).
  if (out.length > 0) {
    const last = out[out.length - 1]!;
    if (last === '') out.pop();
    else if (last.endsWith('\n')) out[out.length - 1] = last.slice(0, -1);
  }
  return out;
}
