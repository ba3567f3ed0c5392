/**
 * Crafted pcapng captures for the timestamp path (issue 12): one interface whose if_tsoffset is
 * near ±2^62 (or ±2^63, or ordinary), microsecond ticks chosen so that the seconds cross 2^31,
 * 2^32 and 2^63, and a small UDP packet. Built here, byte for byte, by the test and by
 * test/tools/gen-tsoffset-golden.ts, which records what tcpdump prints and writes for them.
 */

export const TSOFFSETS: readonly bigint[] = [
  (1n << 62n) - 1n, -(1n << 62n), 1n << 62n, (1n << 63n) - 1n, -(1n << 63n), 1_000_000_000n, -1_000_000_000n, -(1n << 32n), 0n,
];
export const TICK_LISTS: readonly (readonly bigint[])[] = [
  [1_700_000_000_123_456n, 1_700_000_001_654_321n, 5n, (1n << 63n) + 7n, 1_700_086_401_000_000n],
  [3_000_000_000_000_000n, 5_000_000_000_000_000n, 2_147_483_647_999_999n, 4_294_967_296_000_001n, 5_994_967_296_000_000n],
];
/** The -t flags compared (each run with TZ=UTC). */
export const TS_FLAGS: readonly (readonly string[])[] = [
  ['-tt'], ['-ttt'], ['-tttt'], ['-ttttt'], [], ['--time-stamp-precision=nano', '-tt'], ['--time-stamp-precision=nano', '-ttt'],
];

function block(type: number, body: number[]): number[] {
  while (body.length % 4 !== 0) body.push(0);
  const len = 12 + body.length;
  return [...u32(type), ...u32(len), ...body, ...u32(len)];
}
function u32(v: number): number[] {
  return [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
}
function u16(v: number): number[] {
  return [v & 255, (v >>> 8) & 255];
}
function i64(v: bigint): number[] {
  const u = BigInt.asUintN(64, v);
  return [...u32(Number(u & 0xffffffffn)), ...u32(Number(u >> 32n))];
}

/** Ethernet / IPv4 10.0.0.1 → 10.0.0.2 / UDP 53 → 53, no payload. */
const PACKET = [
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
  0x45, 0, 0, 0x1c, 0, 0x01, 0, 0, 0x40, 0x11, 0xf9, 0xb8, 10, 0, 0, 1, 10, 0, 0, 2,
  0, 0x35, 0, 0x35, 0, 0x08, 0, 0,
];

/** A little-endian pcapng: SHB, one Ethernet IDB with if_tsoffset `offset` (none if 0), one EPB per tick count. */
export function tsOffsetCapture(offset: bigint, ticks: readonly bigint[]): Uint8Array {
  const out: number[] = [];
  out.push(...block(0x0a0d0d0a, [...u32(0x1a2b3c4d), ...u16(1), ...u16(0), ...i64(-1n)]));
  const opts = offset === 0n ? [] : [...u16(14), ...u16(8), ...i64(offset)];
  out.push(...block(1, [...u16(1), ...u16(0), ...u32(65535), ...opts, 0, 0, 0, 0]));
  for (const t of ticks) {
    const u = BigInt.asUintN(64, t);
    out.push(...block(6, [...u32(0), ...u32(Number(u >> 32n)), ...u32(Number(u & 0xffffffffn)), ...u32(PACKET.length), ...u32(PACKET.length), ...PACKET]));
  }
  return Uint8Array.from(out);
}

/** Every (offset, tick list) case with a stable name. */
export function tsOffsetCases(): { name: string; offset: bigint; ticks: readonly bigint[] }[] {
  return TSOFFSETS.flatMap((offset) => TICK_LISTS.map((ticks, k) => ({ name: `offset ${offset}, ticks #${k}`, offset, ticks })));
}
