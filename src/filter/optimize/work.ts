/**
 * A work counter the optimizer passes and the emitter may be handed: each adds the number of
 * elementary steps it took (blocks visited, chain links followed, facts merged, layout
 * iterations). Wall time depends on the machine and its load; these counts do not, so the scale
 * tests assert on them that compile work grows linearly with the expression
 * (test/filter/optimize-work.test.ts).
 */
export interface Work {
  /** Elementary steps, summed over every pass run. */
  steps: number;
  /** Rounds of the repeated pass list the optimizer ran. */
  rounds: number;
  /** Layout iterations of the emitter (each a linear walk over the blocks). */
  layouts: number;
}

export function newWork(): Work {
  return { steps: 0, rounds: 0, layouts: 0 };
}
