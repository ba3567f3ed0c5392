/**
 * tsdump command line entry. `main(argv)` returns the exit code and never throws for user
 * error: a `UserError` becomes one line on stderr (with a caret line under a filter span).
 *
 * Subcommands (`tsdump bench`, `tsdump bpf-conformance-plugin`, …) are looked up by the first
 * argument; anything else is the tcpdump-style command line handled by ./tcpdump-command.ts.
 */
import { UserError, formatUserError } from '../errors.ts';
import { mark } from './timing.ts';

interface Subcommand {
  run(args: string[]): Promise<number>;
}

const subcommands: Record<string, () => Promise<Subcommand>> = {
  bench: () => import('./commands/bench.ts'),
  'bpf-conformance-plugin': () => import('./commands/bpf-conformance-plugin.ts'),
};

export async function main(argv: string[]): Promise<number> {
  try {
    const load = argv.length > 0 ? subcommands[argv[0]!] : undefined;
    if (load) return await (await load()).run(argv.slice(1));
    const { runTcpdump } = await import('./tcpdump-command.ts');
    mark('command modules initialized');
    return await runTcpdump(argv);
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`tsdump: ${formatUserError(e)}\n`);
      return 1;
    }
    process.stderr.write(`tsdump: internal error (a bug in tsdump): ${(e as Error)?.stack ?? e}\n`);
    return 70;
  }
}
