/**
 * The optimizer: a fixed list of named passes over the block CFG, each in its own file and
 * each tested alone. The first five keep blocks self-contained and are repeated as a round
 * until a round changes nothing (a fingerprint of the graph — every block's edges, statements
 * and test — is compared between rounds), at most MAX_ROUNDS times. "redundant-loads" breaks
 * the self-contained invariant and therefore runs once, near the end. Dead blocks need no pass
 * of their own: the CFG is always walked from the root, so blocks no edge reaches any more
 * simply disappear at emission.
 *
 * Cost: every pass is one or a few linear walks (pullup rearranges each chain once into its
 * fixpoint instead of moving one block per walk; thread-jumps keeps O(1)-sized fact sets), and
 * the number of rounds is bounded by a constant, so the optimizer is linear in the number of
 * blocks. An optional Work counter (work.ts) receives the steps each pass took.
 */
import { topoOrder } from '../cfg.ts';
import type { Program } from '../cfg.ts';
import { andToJset } from './and-to-jset.ts';
import { lateDecisions } from './late.ts';
import { foldConstants } from './fold-constants.ts';
import { mergeBlocks } from './merge-blocks.ts';
import { pullup } from './pullup.ts';
import { redundantLoads } from './redundant-loads.ts';
import { threadJumps } from './thread-jumps.ts';
import type { Work } from './work.ts';

export type Pass = (p: Program, work?: Work) => Program;

const PASSES: ReadonlyArray<{ name: string; run: Pass }> = [
  { name: 'and-to-jset', run: andToJset },
  { name: 'fold-constants', run: foldConstants },
  { name: 'pullup', run: pullup },
  { name: 'thread-jumps', run: threadJumps },
  { name: 'merge-blocks', run: mergeBlocks },
];

const FINAL_PASSES: ReadonlyArray<{ name: string; run: Pass }> = [
  // libpcap's second phase: tests it decides only after it stopped moving edges.
  { name: 'late-decisions', run: lateDecisions },
  { name: 'redundant-loads', run: redundantLoads },
  // Merging identical blocks is sound on any CFG (same code, same successors), so it runs
  // again after the loads are gone, when more blocks have become identical.
  { name: 'merge-blocks', run: mergeBlocks },
];

/** Rounds of PASSES at most; lists need 3 or 4, the corpus at most 5. */
const MAX_ROUNDS = 8;

/** A fingerprint of the reachable graph: two 32-bit hashes over every block's shape and edges. */
function fingerprint(p: Program, work: Work | undefined): string {
  const order = topoOrder(p.root);
  if (work) work.steps += order.length;
  let h1 = 0x811c9dc5, h2 = 0x01000193;
  const mix = (v: number): void => {
    h1 = Math.imul(h1 ^ v, 0x01000193);
    h2 = Math.imul(h2 + v, 0x5bd1e995) ^ (h2 >>> 15);
  };
  for (const b of order) {
    mix(b.id); mix(b.code); mix(b.k); mix(b.jt?.id ?? 0); mix(b.jf?.id ?? 0); mix(b.stmts.length);
    for (const s of b.stmts) { mix(s.code); mix(s.k); }
  }
  return `${order.length}:${h1 >>> 0}:${h2 >>> 0}`;
}

export function optimize(p: Program, work?: Work): Program {
  let cur = p;
  let last = fingerprint(cur, work);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (work) work.rounds++;
    for (const pass of PASSES) cur = pass.run(cur, work);
    const now = fingerprint(cur, work);
    if (now === last) break;
    last = now;
  }
  for (const pass of FINAL_PASSES) cur = pass.run(cur, work);
  return cur;
}
