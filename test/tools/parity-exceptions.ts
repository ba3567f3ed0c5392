/**
 * Documented exceptions of the parity harness: places where libpcap 1.10.3 has a bug that tsdump
 * deliberately does not copy. Each entry says which rows it covers and why; the harness counts
 * them apart from real disagreements. Keep this list short.
 */
import type { ParityCase } from './parity-harness.ts';

export interface ParityException { reason: string; matches(c: ParityCase, kind: string): boolean }

export const PARITY_EXCEPTIONS: readonly ParityException[] = [];

export function exceptionFor(c: ParityCase, kind: string): string | undefined {
  return PARITY_EXCEPTIONS.find((e) => e.matches(c, kind))?.reason;
}
