/**
 * The batch contract between capture readers, hooks and engines: a block of packets handed over
 * as windows of ONE buffer (a capture reader's block), so a hook runs the whole block per call
 * and the packet loop lives inside the generated code (JavaScript or WebAssembly). The per-packet
 * entry cost is paid once per block and nothing is allocated per packet.
 *
 * `offsets`, `caplens` and `wirelens` have room for at least `count` packets (a reader reuses one
 * PacketBlock); packet i is `buf[offsets[i], offsets[i] + caplens[i])`, whose length on the wire
 * was `wirelens[i]`. A batch run writes, for each packet, r0's low 32 bits into `verdicts[i]`
 * (what r0 means — bytes to keep, an XDP or tc action — is the hook's business).
 */

export interface PacketBlock {
  buf: Uint8Array;
  count: number;
  offsets: Int32Array;
  caplens: Int32Array;
  wirelens: Int32Array;
}

/**
 * Runs the program on every packet of the block: verdicts[i] = r0 (low 32 bits) of packet i.
 * Returns how many of the verdicts the hook counts as accepting (what `--count` needs without a
 * second pass over the verdicts).
 */
export type BatchRunFn = (block: PacketBlock, verdicts: Int32Array) => number;

/** An empty block with room for `capacity` packets. */
export function createPacketBlock(capacity: number): PacketBlock {
  return {
    buf: new Uint8Array(0),
    count: 0,
    offsets: new Int32Array(capacity),
    caplens: new Int32Array(capacity),
    wirelens: new Int32Array(capacity),
  };
}
