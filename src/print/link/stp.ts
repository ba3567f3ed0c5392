/**
 * Spanning tree BPDUs (802.1D, 802.1w rapid, 802.1s multiple, 802.1aq SPB) as tcpdump 4.99.3
 * prints them: `STP 802.1w, Rapid STP, Flags [Learn, Forward], bridge-id 8000.00:…:00.8001,
 * length 36`; with -v the timers, the root bridge and path cost, the port role, and for MSTP the
 * CIST fields, the configuration name and digest and one block per MST instance.
 *
 * Technique: fixed offsets from the start of the BPDU, each read checked against the capture
 * (a missing byte ends the text with ` [|stp]`, as tcpdump's bounds-checked reads do). The
 * timers are 1/256 s: printed with two decimals, rounding exact halves to even as C's printf.
 */
import { be16, be32, bitNames, hex, safeChar } from './l2.ts';

class Truncated extends Error {}

const VERSIONS: ReadonlyMap<number, string> = new Map([[0, '802.1d'], [2, '802.1w'], [3, '802.1s'], [4, '802.1aq']]);
const TYPES: ReadonlyMap<number, string> = new Map([[0x00, 'Config'], [0x02, 'Rapid STP'], [0x80, 'Topology Change']]);
const FLAGS: ReadonlyArray<readonly [number, string]> = [[0x01, 'Topology change'], [0x02, 'Proposal'], [0x10, 'Learn'], [0x20, 'Forward'], [0x40, 'Agreement'], [0x80, 'Topology change ACK']];
const ROLES = ['Unknown', 'Alternate', 'Root', 'Designated'];

/** An STP timer (1/256 s) as `%.2f` of the exact quotient: exact halves round to even. */
export function stpTime(t: number): string {
  const scaled = t * 25; // t/256 * 100 = t*25/64
  let q = Math.floor(scaled / 64);
  const r = scaled % 64;
  if (r > 32 || (r === 32 && q % 2 === 1)) q++;
  return `${Math.floor(q / 100)}.${String(q % 100).padStart(2, '0')}`;
}

/** STP at `off`: `length` bytes on the wire, captured up to `end`. */
export function stp(p: Uint8Array, off: number, length: number, end: number, verbose: number): string {
  let s = '';
  const u8 = (o: number): number => {
    if (off + o + 1 > end) throw new Truncated();
    return p[off + o]!;
  };
  const u16 = (o: number): number => (u8(o + 1), be16(p, off + o));
  const u32 = (o: number): number => (u8(o + 3), be32(p, off + o));
  const bridge = (o: number): string => {
    u8(o + 7);
    let m = '';
    for (let i = 2; i < 8; i++) m += (i > 2 ? ':' : '') + hex(p[off + o + i]!, 2);
    return `${hex(p[off + o]!, 2)}${hex(p[off + o + 1]!, 2)}.${m}`;
  };
  const timers = (): string =>
    `\n\tmessage-age ${stpTime(u16(27))}s, max-age ${stpTime(u16(29))}s, hello-time ${stpTime(u16(31))}s, forwarding-delay ${stpTime(u16(33))}s`;
  const config = (): void => {
    const flags = u8(4);
    s += `, Flags [${bitNames(FLAGS, flags, 'none')}]`;
    s += `, bridge-id ${bridge(17)}.${hex(u16(25), 4)}, length ${length}`;
    if (!verbose) return;
    s += timers();
    s += `\n\troot-id ${bridge(5)}, root-pathcost ${u32(13)}`;
    if (u8(2) === 2) s += `, port-role ${ROLES[(flags & 0x0c) >> 2]}`;
  };
  const jnp = (o: number, n: number): string => {
    let t = '';
    for (let i = 0; i < n; i++) {
      const c = u8(o + i);
      if (c === 0) break;
      t += safeChar(c);
    }
    return t;
  };
  const mstp = (): void => {
    const flags = u8(4);
    s += `, CIST Flags [${bitNames(FLAGS, flags, 'none')}], length ${length}`;
    if (!verbose) return;
    s += `\n\tport-role ${ROLES[(flags & 0x0c) >> 2]}, `;
    s += `CIST root-id ${bridge(5)}, CIST ext-pathcost ${u32(13)}`;
    s += `\n\tCIST regional-root-id ${bridge(17)}, `;
    s += `CIST port-id ${hex(u16(25), 4)},`;
    s += timers();
    s += `\n\tv3len ${u16(36)}, `;
    s += 'MCID Name ';
    s += jnp(39, 32);
    s += `, rev ${u16(71)},\n\t\tdigest ${hex(u32(73), 8)}${hex(u32(77), 8)}${hex(u32(81), 8)}${hex(u32(85), 8)}, `;
    s += `CIST int-root-pathcost ${u32(89)},`;
    s += `\n\tCIST bridge-id ${bridge(93)}, `;
    s += `CIST remaining-hops ${u8(101)}`;
    const v3len = u16(36);
    if (v3len > 64) {
      let len = v3len - 64;
      let o = 102;
      while (len >= 16) {
        const msti = u16(o + 1) & 0x0fff;
        const f = u8(o);
        s += `\n\tMSTI ${msti}, Flags [${bitNames(FLAGS, f, 'none')}], port-role ${ROLES[(f & 0x0c) >> 2]}`;
        s += `\n\t\tMSTI regional-root-id ${bridge(o + 1)}, pathcost ${u32(o + 9)}`;
        s += `\n\t\tMSTI bridge-prio ${u8(o + 13) >> 4}, port-prio ${u8(o + 14) >> 4}, hops ${u8(o + 15)}`;
        len -= 16;
        o += 16;
      }
    }
  };
  const spb = (o: number): void => {
    if (!verbose) return;
    s += `\n\tv4len ${u16(o)}, `;
    s += 'AUXMCID Name ';
    s += jnp(o + 3, 32);
    const d = o + 37;
    s += `, Rev ${u16(o + 35)},\n\t\tdigest ${hex(u32(d), 8)}${hex(u32(d + 4), 8)}${hex(u32(d + 8), 8)}${hex(u32(d + 12), 8)}`;
    const a = u8(o + 53);
    const fmt = u8(o + 55);
    const con = u8(o + 56);
    const g = o + 67;
    s += `\n\tAgreement num ${a >> 6}, Discarded Agreement num ${(a >> 4) & 3}, Agreement valid-flag ${(a >> 3) & 1},\n\tRestricted role-flag: ${(a >> 2) & 1}, Format id ${fmt >> 4} cap ${fmt & 0xff}, Convention id ${con >> 4} cap ${con & 0xff},\n\tEdge count ${u16(o + 57)}, Agreement digest ${[0, 4, 8, 12, 16].map((i) => hex(u32(g + i), 8)).join('')}`;
  };
  try {
    if (length < 4) return ' (invalid)';
    if (u16(0) !== 0) return `unknown STP version, length ${length}`;
    const version = u8(2);
    s += `STP ${VERSIONS.get(version) ?? `Unknown STP protocol (0x${hex(version, 2)})`}`;
    if (!VERSIONS.has(version)) return s;
    const type = u8(3);
    s += `, ${TYPES.get(type) ?? `Unknown BPDU Type (0x${hex(type, 2)})`}`;
    if (type === 0x00) {
      if (length < 35) return `${s} (invalid)`;
      config();
    } else if (type === 0x02) {
      if (version === 2) {
        if (length < 36) return `${s} (invalid)`;
        config();
      } else if (version === 3 || version === 4) {
        if (length < 102 || u8(35) !== 0) return `${s} (invalid)`;
        const mstpLen = u16(36) + 2;
        if (length < 36 + mstpLen) return `${s} (invalid)`;
        mstp();
        if (version === 4) {
          const spbLen = u16(36 + mstpLen) + 2;
          if (length < 36 + mstpLen + spbLen || spbLen < 87) return `${s} (invalid)`;
          spb(36 + mstpLen);
        }
      }
    }
    return s;
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    return `${s} [|stp]`;
  }
}
