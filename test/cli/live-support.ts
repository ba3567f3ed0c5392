/**
 * The gate of the live-capture tests: they need root (CAP_NET_RAW) and the optional `cap`
 * package, sometimes more (`first`: a check of their own, run before the others). Elsewhere they
 * skip with one line; under CI=true a missing requirement is an error, never a silent skip.
 */
import { createRequire } from 'node:module';

export function liveSkip(label: string, opts: { root?: string; first?: () => string | undefined } = {}): string | undefined {
  const reason = ((): string | undefined => {
    const own = opts.first?.();
    if (own !== undefined) return own;
    if (process.getuid?.() !== 0) return opts.root ?? 'live capture needs root (CAP_NET_RAW)';
    try {
      createRequire(import.meta.url)('cap');
    } catch (e) {
      return `the optional cap package is not built (${(e as Error).message.split('\n')[0]})`;
    }
    return undefined;
  })();
  if (reason !== undefined) {
    if (process.env.CI === 'true') throw new Error(`${label} tests cannot run under CI=true: ${reason}`);
    console.warn(`SKIP ${label} tests: ${reason}`);
  }
  return reason;
}
