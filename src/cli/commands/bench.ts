/**
 * `tsdump bench [filter]`: runs the benchmark suites under test/bench (the same as
 * `npm run bench`) and prints ns/op tables. Optional arguments select suites by name substring.
 */
export async function run(args: string[]): Promise<number> {
  const { runBenchmarks } = await import('../../../test/bench/run.ts');
  return runBenchmarks(args);
}
