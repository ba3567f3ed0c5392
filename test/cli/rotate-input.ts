/**
 * The capture the rotation tests and their golden script (test/tools/gen-rotate-golden.ts) both
 * use: 3,000 Ethernet/IPv4/UDP packets of 60 to 1,459 bytes (about 2.3 MB, so `-C 1` makes three
 * files), built deterministically here instead of committing megabytes.
 */
export function rotationInput(): Uint8Array {
  const count = 3000;
  const sizes: number[] = [];
  let total = 24;
  for (let i = 0; i < count; i++) {
    const n = 60 + ((i * 379) % 1400);
    sizes.push(n);
    total += 16 + n;
  }
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 262144, true);
  v.setUint32(20, 1, true);
  let o = 24;
  for (let i = 0; i < count; i++) {
    const n = sizes[i]!;
    v.setUint32(o, 1700000000 + Math.floor(i / 100), true);
    v.setUint32(o + 4, (i % 100) * 10000, true);
    v.setUint32(o + 8, n, true);
    v.setUint32(o + 12, n, true);
    const p = o + 16;
    // Ethernet: dst, src, IPv4.
    out.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00], p);
    const ip = p + 14;
    v.setUint8(ip, 0x45);
    v.setUint16(ip + 2, n - 14);
    v.setUint16(ip + 4, i & 0xffff);
    v.setUint8(ip + 8, 64);
    v.setUint8(ip + 9, 17);
    out.set([10, 0, 0, 1, 10, 0, (i >> 8) & 0xff, i & 0xff], ip + 12);
    let sum = 0;
    for (let k = 0; k < 20; k += 2) sum += v.getUint16(ip + k);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    v.setUint16(ip + 10, ~sum & 0xffff);
    const udp = ip + 20;
    v.setUint16(udp, 10000 + (i % 50));
    v.setUint16(udp + 2, 20000 + (i % 7));
    v.setUint16(udp + 4, n - 34);
    for (let k = udp + 8; k < p + n; k++) out[k] = (k * 31 + i) & 0xff;
    o = p + n;
  }
  return out;
}
