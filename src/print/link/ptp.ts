/**
 * The Precision Time Protocol (IEEE 1588, ethertype 0x88f7 and UDP ports 319/320) as tcpdump
 * 4.99.3 prints it, the same in every mode: `PTPv2, v1 compat : no, msg type : management msg,
 * length : 72, domain : 0, …, control : 4 (Management), log message interval : 127` and then the
 * message type's body (timestamps, port identity, announce fields). Version 1 prints
 * `PTPv1 (not implemented)`.
 *
 * Technique: the 34-byte common header at fixed offsets, then the body by message type. Two of
 * tcpdump's quirks are kept because its output shows them: a management message's four one-byte
 * fields are all read from the first byte of its target port identity (the printer never
 * advances its pointer), and the field labels there carry a doubled ", ".
 */
import { be16, be32, bitNames, hex } from './l2.ts';

class Truncated extends Error {}

const MSG_TYPES: ReadonlyMap<number, string> = new Map([
  [0x0, 'sync msg'], [0x1, 'delay req msg'], [0x2, 'peer delay req msg'], [0x3, 'peer delay resp msg'], [0x8, 'follow up msg'],
  [0x9, 'delay resp msg'], [0xa, 'pdelay resp fup msg'], [0xb, 'announce msg'], [0xc, 'signalling msg'], [0xd, 'management msg'],
]);
const CONTROL = ['Sync', 'Delay_Req', 'Follow_Up', 'Delay_Resp', 'Management', 'Other'];
const FLAGS: ReadonlyArray<readonly [number, string]> = [
  [0x1, 'l1 61'], [0x2, 'l1 59'], [0x4, 'utc reasonable'], [0x8, 'timescale'], [0x10, 'time tracable'], [0x20, 'frequency tracable'],
  [0x100, 'alternate master'], [0x200, 'two step'], [0x400, 'unicast'], [0x1000, 'profile specific 1'], [0x2000, 'profile specific 2'],
  [0x4000, 'security mask'], [0x18c0, 'unknown'],
];

/** PTP at `off`, `len` bytes on the wire, captured up to `end`. */
export function ptp(p: Uint8Array, off: number, len: number, end: number): { text: string; approx: boolean } {
  if (len < 34) return { text: ' (invalid)', approx: false };
  let s = '';
  const need = (o: number, n: number): void => {
    if (off + o + n > end) throw new Truncated();
  };
  const u8 = (o: number): number => (need(o, 1), p[off + o]!);
  const u16 = (o: number): number => (need(o, 2), be16(p, off + o));
  const u32 = (o: number): number => (need(o, 4), be32(p, off + o));
  const u48 = (o: number): number => (need(o, 6), be16(p, off + o) * 2 ** 32 + be32(p, off + o + 2));
  const x64 = (o: number): string => (need(o, 8), (BigInt(be32(p, off + o)) * 2n ** 32n + BigInt(be32(p, off + o + 4))).toString(16));
  const timestamp = (o: number, name: string): void => {
    s += `, ${name} :`;
    s += ` ${u48(o)} seconds,`;
    s += ` ${u32(o + 6)} nanoseconds`;
  };
  const portId = (o: number): void => {
    s += `, port identity : 0x${x64(o)}`;
    s += `, port id : ${u16(o + 8)}`;
  };
  try {
    const vers = u16(0) & 0xff;
    s += `PTPv${vers}`;
    if (vers === 1) s += ' (not implemented)';
    if (vers !== 2) return { text: s, approx: false };
    const foct = u8(0);
    const type = foct & 0x0f;
    s += `, v1 compat : ${foct & 0x10 ? 'yes' : 'no'}, msg type : ${MSG_TYPES.get(type) ?? 'Reserved'}`;
    s += `, length : ${u16(2)}`;
    s += `, domain : ${u16(4) >> 8}, reserved1 : ${u16(4) & 0xff}`;
    s += `, Flags [${bitNames(FLAGS, u16(6), 'none')}]`;
    s += `, NS correction : ${u48(8)}`;
    s += `, sub NS correction : ${u16(14)}`;
    s += `, reserved2 : ${u32(16)}`;
    s += `, clock identity : 0x${x64(20)}`;
    s += `, port id : ${u16(28)}`;
    s += `, seq id : ${u16(30)}`;
    const control = u8(32);
    s += `, control : ${control} (${CONTROL[control] ?? 'Reserved'})`;
    s += `, log message interval : ${u16(32) & 0xff}`;
    const b = 34;
    switch (type) {
      case 0x0:
      case 0x1:
        timestamp(b, 'originTimeStamp');
        break;
      case 0x8:
        timestamp(b, 'preciseOriginTimeStamp');
        break;
      case 0x2:
      case 0xa:
        timestamp(b, 'preciseOriginTimeStamp');
        portId(b + 10);
        break;
      case 0x3:
      case 0x9:
        timestamp(b, 'receiveTimeStamp');
        portId(b + 10);
        break;
      case 0xb:
        s += ', originTimeStamp :';
        s += ` ${u48(b)} seconds`;
        s += ` ${u32(b + 6)} nanoseconds`;
        s += `, origin cur utc :${u16(b + 10)}`;
        s += `, rsvd : ${u8(b + 12)}`;
        s += `, gm priority_1 : ${u8(b + 13)}`;
        s += `, gm clock class : ${u8(b + 14)}`;
        s += `, gm clock accuracy : ${u8(b + 15)}`;
        s += `, gm clock variance : ${u16(b + 16)}`;
        s += `, gm priority_2 : ${u8(b + 18)}`;
        s += `, gm clock id : 0x${x64(b + 19)}`;
        s += `, steps removed : ${u16(b + 27)}`;
        s += `, time source : 0x${hex(u8(b + 29), 1)}`;
        break;
      case 0xc:
        portId(b);
        break;
      case 0xd: {
        portId(b);
        const v = u8(b);
        s += `, , start boundary hops  ${v}, , boundary hops  ${v}, , flags  0x${v.toString(16)}, , reserved  0x${v.toString(16)}`;
        break;
      }
    }
    return { text: s, approx: false };
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    return { text: `${s} [|ptp]`, approx: false };
  }
}
