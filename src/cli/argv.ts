/**
 * Pre-processing of the command line before commander sees it.
 *
 * tcpdump parses its options with getopt(3), so users type clusters such as `-nnq`, `-nnr file`,
 * `-ddd`, `-XX`, `-tttt`, `-c5` or `-#q`. Commander splits a cluster only when every letter is a
 * distinct boolean flag, and it cannot count repeated letters. We therefore rewrite every short
 * cluster into one token per letter (`-nnr file` → `-n -n -r file`), the way getopt walks it: a
 * letter that takes a value ends the cluster, and the value is the rest of the cluster if any,
 * otherwise the next argument (so `-r -` and `-w -` keep `-` as the value). Long options,
 * values and the expression pass through untouched; everything after `--` is left alone.
 * Letters we do not know are kept (`-Z`) so commander reports them as unknown options.
 */

/** Short options that take a value, as in tcpdump's getopt string (only the letters we accept). */
const SHORT_WITH_VALUE: ReadonlySet<string> = new Set(['c', 'F', 'r', 's', 'w', 'y', 'i', 'T', 'E', 'j', 'B', 'C', 'G', 'W', 'z', 'Z', 'M', 'm', 'Q', 'V']);

/** Long options that take a value (so that their value is never mistaken for a cluster). */
const LONG_WITH_VALUE: ReadonlySet<string> = new Set(['--skip', '--time-stamp-precision', '--reader', '--program']);

export function expandArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      // Everything after `--` is expression text.
      for (let j = i; j < argv.length; j++) out.push(argv[j]!);
      break;
    }
    if (a.startsWith('--')) {
      out.push(a);
      // `--skip 3`: copy the value verbatim (it could look like a cluster, e.g. `-1`).
      if (!a.includes('=') && LONG_WITH_VALUE.has(a) && i + 1 < argv.length) out.push(argv[++i]!);
      continue;
    }
    if (a.length < 2 || a[0] !== '-') {
      out.push(a); // a plain word of the expression, or `-` on its own
      continue;
    }
    // A short cluster: walk it letter by letter like getopt.
    for (let p = 1; p < a.length; p++) {
      const letter = a[p]!;
      out.push(`-${letter}`);
      if (SHORT_WITH_VALUE.has(letter)) {
        if (p + 1 < a.length) out.push(a.slice(p + 1)); // `-c5`, `-nnrfile`
        else if (i + 1 < argv.length) out.push(argv[++i]!); // `-r file`, `-r -`
        break;
      }
    }
  }
  return out;
}
