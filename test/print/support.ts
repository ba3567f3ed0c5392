/**
 * Shared by the printer tests that compare corpus packets with tcpdump's lines: the printer's
 * text (what follows the timestamp) for the first packets of a corpus capture, with whether the
 * printer marked it exact, and the corpus check (skip with one line, or fail under CI=true).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openReader } from '../../src/cli/capture-io.ts';
import { PacketPrinter, type PrinterOptions } from '../../src/print/packet-printer.ts';

export const CAPTURES = join(__dirname, '..', 'corpus', 'tcpdump-captures');

export interface PrintedLine { text: string; exact: boolean }

/** The first `count` packets of corpus capture `file` as the printer prints them with `opts`. */
export function printedLines(file: string, count: number, opts: Partial<PrinterOptions> = {}): PrintedLine[] {
  const r = openReader(join(CAPTURES, file), 'ours');
  const out: PrintedLine[] = [];
  try {
    const pr = new PacketPrinter(r.info.linkType, { quiet: false, linkHeader: false, verbose: 0, absoluteSeq: false, ...opts });
    for (let rec = r.next(); rec !== null && out.length < count; rec = r.next()) {
      const text = pr.print(rec.data, rec.caplen, rec.wirelen);
      out.push({ text, exact: pr.fidelity === 'exact' });
    }
  } finally {
    r.close();
  }
  return out;
}

/** True when the corpus (its capture `sample`) is present; otherwise one SKIP line, or an error under CI=true. */
export function haveCorpus(sample: string): boolean {
  if (existsSync(join(CAPTURES, sample))) return true;
  if (process.env.CI === 'true') throw new Error('corpus captures missing; CI=true forbids skipping');
  console.warn('SKIP: corpus captures not found');
  return false;
}
