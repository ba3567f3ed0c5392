/**
 * The object-running flags (`--xdp | --tc | --socket-filter prog.o[:name]`, `--tx-out`,
 * `--dump-maps`, `--map NAME=FILE`) checked and gathered at argument-parsing time. Kept apart
 * from ./object-run.ts, which loads the ELF loader, the maps and the printer: a run without an
 * object never loads that module (the command imports it on demand).
 */
import { existsSync } from 'node:fs';
import { UserError } from '../errors.ts';
import type { ObjectHook } from '../loader/attach.ts';

/** What the object-running flags say. */
export interface ObjectRunOptions {
  hook: ObjectHook;
  /** The object file and the program or section named after `:` (if any). */
  path: string;
  program?: string;
  txOut?: string;
  dumpMaps: boolean;
  /** `--map NAME=FILE`, in order. */
  mapFiles: { name: string; file: string }[];
}

export const FLAG: Record<ObjectHook, string> = { xdp: '--xdp', tc: '--tc', socket: '--socket-filter' };

/** `prog.o` or `prog.o:name`: the file as given if it exists, else split at the last colon. */
function splitObjectArg(text: string): { path: string; program?: string } {
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || existsSync(text)) return { path: text };
  return { path: text.slice(0, colon), program: text.slice(colon + 1) || undefined };
}

/**
 * The object options from commander's parsed values (`xdp`, `tc`, `socketFilter`, `txOut`,
 * `dumpMaps`, `map`), or undefined when no object is to be run. Misuse is a UserError.
 */
export function objectRunOptions(o: Record<string, unknown>): ObjectRunOptions | undefined {
  const given = (['xdp', 'tc', 'socket'] as const).filter((h) => o[h === 'socket' ? 'socketFilter' : h] !== undefined);
  const extras = o.txOut !== undefined || o.dumpMaps === true || (Array.isArray(o.map) && o.map.length > 0);
  if (given.length === 0) {
    if (extras) throw new UserError('CLI_USAGE', '--tx-out, --dump-maps and --map need an object to run (--xdp, --tc or --socket-filter prog.o) (see tsdump --help)');
    return undefined;
  }
  if (given.length > 1) throw new UserError('CLI_USAGE', `${given.map((h) => FLAG[h]).join(' and ')} cannot be used together: run one object program at one hook (see tsdump --help)`);
  const hook = given[0]!;
  const { path, program } = splitObjectArg(String(o[hook === 'socket' ? 'socketFilter' : hook]));
  const mapFiles = ((o.map as string[] | undefined) ?? []).map((m) => {
    const eq = m.indexOf('=');
    if (eq <= 0 || eq === m.length - 1) throw new UserError('CLI_USAGE', `--map wants NAME=FILE (a map name and a bpftool map dump -j file), got '${m}'`);
    return { name: m.slice(0, eq), file: m.slice(eq + 1) };
  });
  if (hook !== 'xdp' && hook !== 'tc' && o.txOut !== undefined) throw new UserError('CLI_USAGE', '--tx-out collects XDP_TX / TC_ACT_REDIRECT packets: it needs --xdp or --tc');
  return { hook, path, program, txOut: o.txOut === undefined ? undefined : String(o.txOut), dumpMaps: o.dumpMaps === true, mapFiles };
}
