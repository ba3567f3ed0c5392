/**
 * `tsdump bpf-conformance-plugin [--engine auto|interp|jit|jit64] [--budget N] [MEM]`: the bpf_conformance
 * plugin protocol. The runner starts the plugin once per test with the test memory as one hex
 * argument ("aa  bb  …"), writes the program as hex bytes on stdin, and reads r0 in hex from
 * stdout; failures are a message on stderr and a non-zero exit. At entry r1 points to a
 * writable copy of MEM (0 when there is none), r2 is its length; helper 5 returns its argument
 * and stops the program when that is 0 ("unwind").
 *
 * The plugin runs programs UNVERIFIED (`loadUnverified`, the runtime's documented opt-out): the
 * suite tests the engines themselves, including their run-time checks — its negatives expect an
 * unknown opcode to fail as EBPF_INVALID_INSN and `ja -1` to exhaust the instruction budget,
 * which a verifier would refuse before running. Every one of the 313 suite programs does pass
 * `verify(…, conformanceHook())` (test/runtime/verifier-conformance.test.ts).
 */
import { UserError } from '../../errors.ts';
import { decodeProgram } from '../../isa/ebpf/codec.ts';
import { ENGINE_NAMES, loadUnverified } from '../../runtime/index.ts';
import type { EngineName, HelperTable } from '../../runtime/index.ts';

/** The helper table of the conformance environment. */
export const conformanceHelpers: HelperTable = {
  5: (env) => {
    if (env.argLo(1) === 0 && env.argHi(1) === 0) env.unwind();
    return env.arg(1);
  },
};

/** Parses "aa bb cc" / "aabbcc" hex (whitespace ignored). */
function parseHexBytes(text: string, what: string): Uint8Array {
  const h = text.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(h)) throw new UserError('EBPF_PLUGIN_HEX', `${what} is not a sequence of hex bytes`);
  return new Uint8Array(Buffer.from(h, 'hex'));
}

/** Runs one conformance program; returns r0 as the plugin prints it. */
export function runConformance(program: Uint8Array, mem: Uint8Array, engine: EngineName | 'auto', budget?: number): string {
  const prog = loadUnverified(decodeProgram(program), { engine, helpers: conformanceHelpers, budget });
  return prog.run64({ mem: new Uint8Array(mem) }).toString(16);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function run(args: string[]): Promise<number> {
  let engine: EngineName | 'auto' = 'auto';
  let budget: number | undefined;
  let memArg: string | undefined;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === '--engine') {
      const e = args[++k];
      if (!e || !(e === 'auto' || (ENGINE_NAMES as string[]).includes(e))) throw new UserError('EBPF_PLUGIN_ARGS', `--engine must be one of auto, ${ENGINE_NAMES.join(', ')}`);
      engine = e as EngineName | 'auto';
    } else if (a === '--budget') {
      budget = Number(args[++k]);
      if (!Number.isInteger(budget) || budget <= 0) throw new UserError('EBPF_PLUGIN_ARGS', '--budget must be a positive integer');
    } else if (a.startsWith('--')) {
      // The runner may pass options meant for other plugins (e.g. --elf); ignore unknown flags.
    } else if (memArg === undefined) memArg = a;
  }
  const program = parseHexBytes(await readStdin(), 'program on stdin');
  const mem = memArg === undefined ? new Uint8Array(0) : parseHexBytes(memArg, 'MEM argument');
  process.stdout.write(`${runConformance(program, mem, engine, budget)}\n`);
  return 0;
}
