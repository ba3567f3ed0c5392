/**
 * The optimizer: a fixed list of named passes over the block CFG, each in its own file and
 * each tested alone. The first four keep blocks self-contained and may be repeated; they run
 * until the program stops shrinking (each can only remove blocks or edges, so this ends).
 * "redundant-loads" breaks the self-contained invariant and therefore runs once, near the end.
 * Dead blocks need no pass of their own: the CFG is always walked from the root, so blocks no
 * edge reaches any more simply disappear at emission.
 */
import { topoOrder } from '../cfg.ts';
import type { Program } from '../cfg.ts';
import { andToJset } from './and-to-jset.ts';
import { foldConstants } from './fold-constants.ts';
import { mergeBlocks } from './merge-blocks.ts';
import { pullup } from './pullup.ts';
import { redundantLoads } from './redundant-loads.ts';
import { threadJumps } from './thread-jumps.ts';

export type Pass = (p: Program) => Program;

export const PASSES: ReadonlyArray<{ name: string; run: Pass }> = [
  { name: 'and-to-jset', run: andToJset },
  { name: 'fold-constants', run: foldConstants },
  { name: 'pullup', run: pullup },
  { name: 'thread-jumps', run: threadJumps },
  { name: 'merge-blocks', run: mergeBlocks },
];

export const FINAL_PASSES: ReadonlyArray<{ name: string; run: Pass }> = [
  { name: 'redundant-loads', run: redundantLoads },
  // Merging identical blocks is sound on any CFG (same code, same successors), so it runs
  // again after the loads are gone, when more blocks have become identical.
  { name: 'merge-blocks', run: mergeBlocks },
];

function size(p: Program): number {
  let n = 0;
  for (const b of topoOrder(p.root)) n += b.stmts.length + 1;
  return n;
}

export function optimize(p: Program): Program {
  let cur = p;
  let last = size(cur);
  for (let round = 0; round < 8; round++) {
    for (const pass of PASSES) cur = pass.run(cur);
    const now = size(cur);
    if (now >= last) break;
    last = now;
  }
  for (const pass of FINAL_PASSES) cur = pass.run(cur);
  return cur;
}
