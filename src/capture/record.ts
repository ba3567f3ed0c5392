/**
 * The mutable packet record every reader refills in place (see the contract in ./types.ts).
 *
 * Technique: the packet bytes stay in the reader's block buffer; the record holds the buffer and
 * the offset (`buf`, `dataOffset`), and `data` is a getter that makes the `subarray` view only
 * when someone asks for it. A filter or writer that reads `buf`/`dataOffset` directly allocates
 * nothing per packet.
 */
import type { PacketRecord } from './types.ts';

export class MutableRecord implements PacketRecord {
  /** The buffer holding the packet bytes at [dataOffset, dataOffset + caplen). */
  buf: Uint8Array = new Uint8Array(0);
  dataOffset = 0;
  caplen = 0;
  wirelen = 0;
  tsSec = 0;
  tsSecBig: bigint | undefined = undefined;
  tsNsec = 0;
  linkType = 0;
  interfaceId = 0;
  offset = 0;

  get data(): Uint8Array {
    return this.buf.subarray(this.dataOffset, this.dataOffset + this.caplen);
  }
}
