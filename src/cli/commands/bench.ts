/**
 * `tsdump bench [SUITE...]`: runs the benchmark suites under test/bench (the same as
 * `npm run bench`) and prints ns/op tables. Arguments select suites by name substring;
 * BENCH_MS sets the time budget per case (default 1000 ms).
 */
export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(
      'Usage: tsdump bench [SUITE...]\n\n' +
        'Runs the benchmark suites (capture readers, cBPF interpreter, eBPF engines, printers, ...)\n' +
        'and prints ns/op per case. SUITE words select suites whose name contains them.\n' +
        'Environment: BENCH_MS=N sets the measuring time per case (default 1000).\n',
    );
    return 0;
  }
  const { runBenchmarks } = await import('../../../test/bench/run.ts');
  return runBenchmarks(args);
}
