/**
 * `tsdump bench [SUITE...] [options]`: the benchmark (src/bench), loaded only when asked for.
 * `tsdump bench --help` lists the suites and options.
 */
export async function run(args: string[]): Promise<number> {
  const { benchCommand } = await import('../../bench/index.ts');
  return benchCommand(args);
}
