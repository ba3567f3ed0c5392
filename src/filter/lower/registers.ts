/**
 * libpcap 1.10.3's scratch-register allocator, emulated so that our 802.11 programs use the
 * same M[] slots as libpcap's — including where libpcap gives one slot two meanings.
 *
 * libpcap hands out registers round-robin from a cursor: `alloc` takes the first free slot
 * at or after the cursor (wrapping), and leaves the cursor on it; `free` only clears the
 * slot's flag. Arithmetic allocates one register per value and frees its operands' as it
 * combines them. The registers that hold the 802.11 / radio header offsets are allocated the
 * first time an expression needs them and never freed, but the program *computes* them in a
 * prologue that runs before everything else. So a slot that arithmetic used and freed
 * earlier in the expression can become the offset register, and the arithmetic then
 * overwrites the offset at run time (e.g. `link[20] == 154 or ip proto 1` on 802.11: the
 * constant 154 lands in the slot later read as the network-header offset). Reproducing the
 * allocation order reproduces those verdicts.
 */
const MEMWORDS = 16;

export class RegisterFile {
  private readonly used = new Array<boolean>(MEMWORDS).fill(false);
  private cur = 0;

  /** A free register (libpcap's alloc_reg), or undefined when all 16 are in use. */
  alloc(): number | undefined {
    for (let n = 0; n < MEMWORDS; n++) {
      if (!this.used[this.cur]) { this.used[this.cur] = true; return this.cur; }
      this.cur = (this.cur + 1) % MEMWORDS;
    }
    return undefined;
  }

  /** How many registers are free. */
  freeCount(): number {
    return this.used.filter((u) => !u).length;
  }

  /** Marks `r` free again (libpcap's free_reg; the cursor does not move). */
  free(r: number): void {
    this.used[r] = false;
  }
}
