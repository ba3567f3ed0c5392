/**
 * The tcpdump-style command line (placeholder until the CLI lands): see issue "Foundation".
 */
import { UserError } from '../errors.ts';

export async function runTcpdump(_argv: string[]): Promise<number> {
  throw new UserError('cli.unimplemented', 'the tcpdump-style command line is not built yet');
}
