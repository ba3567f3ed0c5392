/**
 * The optimizer: a fixed list of named passes over the block CFG, each in its own file and
 * each tested alone. Passes run in order; the list is run again while the program shrinks
 * (every pass can only remove blocks, statements or edges, so this terminates).
 */
import type { Program } from '../cfg.ts';

export type Pass = (p: Program) => Program;

export const PASSES: ReadonlyArray<{ name: string; run: Pass }> = [];

export function optimize(p: Program): Program {
  let cur = p;
  for (const pass of PASSES) cur = pass.run(cur);
  return cur;
}
